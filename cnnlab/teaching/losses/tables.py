"""The lectures' loss tables, recomputed with :mod:`cnnlab.functional` and checked against the slides.

Two tables: the yes/no table of the convolution discussion ("Discussion: Convolutions": ground truth
1, six predictions, MSE beside a "new loss" that is the binary cross-entropy) and the dog/cat table
of "Plan of Attack" (its softmax and cross-entropy part: two networks, three rows, classification
error, mean squared error and cross-entropy). Every number comes from cnnlab;
the slides' printed numbers are kept here only to compare with.
"""
import math
from dataclasses import dataclass

import numpy as np

from ... import functional as F

# Lecture 000, "Which loss do you think is better?": (prediction, slide's MSE, slide's "new loss").
# The ground truth is 1 in every row.
SLIDE_MSE_VERSUS_CE = (
    (0.02, "0.96", "3.9"),
    (0.002, "0.996", "6.21"),
    (0.5, "0.25", "1.38"),
    (0.95, "0.0025", "0.05"),
    (0.4, "0.36", "0.91"),
    (1e-10, "1", "23"),
)

# Lecture 002: each network's predicted (dog, cat) probabilities for three images, and the truth.
DOG_CAT_TARGET = np.array([0, 1, 0])  # class index: 0 = dog, 1 = cat
DOG_CAT_PREDICTIONS = {
    "NN1": np.array([[0.9, 0.1], [0.1, 0.9], [0.4, 0.6]]),
    "NN2": np.array([[0.6, 0.4], [0.3, 0.7], [0.1, 0.9]]),
}
# What the slide prints: the same 0.33 twice, then one MSE and one cross-entropy.
SLIDE_DOG_CAT = {"classification error": ("0.33", "0.33"), "mean squared error": ("0.71",), "cross-entropy": ("1.06",)}


def slide_verdict(printed, correct):
    """Compare a number as the slide prints it with the correct value.

    Returns ``'yes'`` when the correct value rounds to the printed digits, ``'truncated'`` when it
    only matches by cutting the digits off (0.916 printed as 0.91), else ``'no'``.

    Parameters
    ----------
    printed : str
        The number exactly as printed on the slide, e.g. ``"0.91"``.
    correct : float
    """
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    if math.isclose(round(correct, decimals), float(printed), abs_tol=1e-12):
        return "yes"
    scale = 10 ** decimals
    if math.isclose(math.floor(correct * scale) / scale, float(printed), abs_tol=1e-12):
        return "truncated"
    return "no"


@dataclass(frozen=True)
class LossRow:
    """One row of the yes/no table: slide's numbers beside cnnlab's."""

    prediction: float
    slide_mse: str
    mse: float
    mse_right: str
    slide_cross_entropy: str
    cross_entropy: float
    cross_entropy_right: str


def mse_versus_cross_entropy():
    """Lecture 000's table, recomputed: MSE and binary cross-entropy for ground truth 1.

    Returns
    -------
    list of LossRow
        One per prediction 0.02, 0.002, 0.5, 0.95, 0.4, 1e-10.
    """
    predictions = np.array([row[0] for row in SLIDE_MSE_VERSUS_CE])
    truth = np.ones_like(predictions)
    mse = F.mse_loss(predictions, truth, reduction="none")
    cross_entropy = F.binary_cross_entropy(predictions, truth, reduction="none")
    return [LossRow(p, slide_mse, float(m), slide_verdict(slide_mse, m),
                    slide_ce, float(c), slide_verdict(slide_ce, c))
            for (p, slide_mse, slide_ce), m, c in zip(SLIDE_MSE_VERSUS_CE, mse, cross_entropy)]


def mse_versus_cross_entropy_markdown(rows=None):
    """The yes/no table as Markdown, with a "slide right?" column for each loss."""
    rows = mse_versus_cross_entropy() if rows is None else rows
    lines = ["| ground truth | prediction | slide MSE | MSE | slide right? | slide new loss | "
             "cross-entropy $-\\ln p$ | slide right? |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        lines.append(f"| 1 | {row.prediction:g} | {row.slide_mse} | {row.mse:.10g} | {_verdict_text(row.mse_right)} "
                     f"| {row.slide_cross_entropy} | {row.cross_entropy:.4f} "
                     f"| {_verdict_text(row.cross_entropy_right, row.cross_entropy)} |")
    return "\n".join(lines)


def _verdict_text(verdict, correct=None):
    if verdict == "truncated":
        return f"digits cut off (rounds to {correct:.2f})" if correct is not None else "digits cut off"
    return {"yes": "yes", "no": "**no**"}[verdict]


@dataclass(frozen=True)
class NetworkScores:
    """The three scores of one network on the dog/cat table, each with its convention."""

    network: str
    classification_error: float
    mse_sum_over_classes: float
    mse_mean_over_all: float
    cross_entropy: float


def dog_cat_scores():
    """Lecture 002's dog/cat table for both networks.

    Conventions, all averaged over the 3 images:

    - classification error: the fraction of images whose most probable class is wrong;
    - ``mse_sum_over_classes``: squared errors summed over the 2 classes of an image (the slide's);
    - ``mse_mean_over_all``: the mean over all 6 numbers, ``F.mse_loss(reduction='mean')`` as in PyTorch;
    - cross-entropy: natural log, ``-ln`` of the probability given to the true class.

    Returns
    -------
    list of NetworkScores
    """
    one_hot = np.eye(2)[DOG_CAT_TARGET]
    scores = []
    for network, probabilities in DOG_CAT_PREDICTIONS.items():
        wrong = probabilities.argmax(axis=1) != DOG_CAT_TARGET
        images = len(DOG_CAT_TARGET)
        scores.append(NetworkScores(
            network,
            classification_error=float(wrong.mean()),
            mse_sum_over_classes=float(F.mse_loss(probabilities, one_hot, reduction="sum")) / images,
            mse_mean_over_all=float(F.mse_loss(probabilities, one_hot, reduction="mean")),
            # cross_entropy takes scores (logits); log-probabilities are valid logits, softmax(log p) = p.
            cross_entropy=float(F.cross_entropy(np.log(probabilities), DOG_CAT_TARGET)),
        ))
    return scores


def dog_cat_markdown(scores=None):
    """Both networks' scores as a Markdown table, one column per network, with the slide's values."""
    scores = dog_cat_scores() if scores is None else scores
    nn1, nn2 = scores
    lines = ["| score (mean over the 3 images) | NN1 | NN2 | slide |", "| --- | --- | --- | --- |",
             f"| classification error | {nn1.classification_error:.2f} | {nn2.classification_error:.2f} "
             f"| 0.33 and 0.33 |",
             f"| MSE, summed over the 2 classes (slide) | {nn1.mse_sum_over_classes:.2f} "
             f"| {nn2.mse_sum_over_classes:.2f} | 0.71 |",
             f"| MSE, mean over all 6 numbers (PyTorch `mse_loss`) | {nn1.mse_mean_over_all:.2f} "
             f"| {nn2.mse_mean_over_all:.2f} | |",
             f"| cross-entropy, natural log | {nn1.cross_entropy:.2f} | {nn2.cross_entropy:.2f} | 1.06 |"]
    return "\n".join(lines)
