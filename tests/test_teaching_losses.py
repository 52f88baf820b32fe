"""Notebook 03's teaching surface: the lecture's loss tables recomputed, the plots, the exercise checks."""
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import cnnlab.functional as F  # noqa: E402
from cnnlab.teaching.losses import plots as loss_plots, tables as loss_tables  # noqa: E402
from cnnlab.teaching.checks import FAILED, NOT_DONE, PASSED  # noqa: E402
from cnnlab.teaching.losses import exercises as ex  # noqa: E402
from _teaching_helpers import outcome, stub  # noqa: E402


# ------------------------------------------------------------------- lecture 000: MSE versus "new loss"
def test_mse_versus_cross_entropy_values_by_hand():
    rows = loss_tables.mse_versus_cross_entropy()
    assert [row.prediction for row in rows] == [0.02, 0.002, 0.5, 0.95, 0.4, 1e-10]
    hand_mse = [0.98 ** 2, 0.998 ** 2, 0.25, 0.05 ** 2, 0.36, (1 - 1e-10) ** 2]
    hand_ce = [3.912023005, 6.214608098, 0.693147181, 0.051293294, 0.916290732, 23.02585093]
    for row, mse, ce in zip(rows, hand_mse, hand_ce):
        assert row.mse == pytest.approx(mse, rel=1e-12)
        assert row.cross_entropy == pytest.approx(ce, rel=1e-8)


def test_slide_verdicts():
    rows = loss_tables.mse_versus_cross_entropy()
    assert all(row.mse_right == "yes" for row in rows)  # including the first slide's "0.996 ??"
    verdicts = {row.prediction: row.cross_entropy_right for row in rows}
    assert verdicts == {0.02: "yes", 0.002: "yes", 0.5: "no", 0.95: "yes", 0.4: "truncated", 1e-10: "yes"}
    # What the slide's 1.38 is: 2 ln 2, cut (not rounded) to two decimals, like its 0.91 for -ln 0.4.
    assert loss_tables.slide_verdict("1.38", 2 * math.log(2)) == "truncated"
    markdown = loss_tables.mse_versus_cross_entropy_markdown(rows)
    assert "| 1.38 | 0.6931 | **no** |" in markdown and "rounds to 0.92" in markdown


@pytest.mark.parametrize("printed, correct, verdict", [
    ("0.96", 0.9604, "yes"), ("1", 0.9999999998, "yes"), ("0.91", 0.9163, "truncated"), ("1.38", 0.6931, "no"),
    ("23", 23.0259, "yes"), ("0.05", 0.0513, "yes"), ("3", 3.6, "truncated"), ("4", 3.6, "yes"),
])
def test_slide_verdict(printed, correct, verdict):
    assert loss_tables.slide_verdict(printed, correct) == verdict


# ------------------------------------------------------------------------------ lecture 002: dog and cat
def test_dog_cat_scores_by_hand():
    nn1, nn2 = loss_tables.dog_cat_scores()
    assert nn1.classification_error == nn2.classification_error == pytest.approx(1 / 3)
    # The slide's convention: squared errors summed over the two classes, averaged over the three images.
    assert nn1.mse_sum_over_classes == pytest.approx((0.02 + 0.02 + 0.72) / 3)
    assert nn2.mse_sum_over_classes == pytest.approx((0.32 + 0.18 + 1.62) / 3)
    assert round(nn2.mse_sum_over_classes, 2) == 0.71  # the slide's 0.71 is NN2's
    assert nn2.mse_mean_over_all == pytest.approx(nn2.mse_sum_over_classes / 2)
    assert nn1.cross_entropy == pytest.approx(-(math.log(0.9) + math.log(0.9) + math.log(0.4)) / 3)
    assert nn2.cross_entropy == pytest.approx(-(math.log(0.6) + math.log(0.7) + math.log(0.1)) / 3)
    assert round(nn2.cross_entropy, 2) == 1.06 and round(nn1.cross_entropy, 2) == 0.38
    table = loss_tables.dog_cat_markdown()
    assert "| 0.25 | 0.71 | 0.71 |" in table and "| 0.38 | 1.06 | 1.06 |" in table


@pytest.mark.torch
def test_dog_cat_conventions_match_pytorch():
    torch = pytest.importorskip("torch")
    nn2 = loss_tables.DOG_CAT_PREDICTIONS["NN2"]
    one_hot = np.eye(2)[loss_tables.DOG_CAT_TARGET]
    scores = loss_tables.dog_cat_scores()[1]
    expected_mse = torch.nn.functional.mse_loss(torch.tensor(nn2), torch.tensor(one_hot)).item()
    expected_ce = torch.nn.functional.nll_loss(torch.log(torch.tensor(nn2)),
                                               torch.tensor(loss_tables.DOG_CAT_TARGET)).item()
    assert scores.mse_mean_over_all == pytest.approx(expected_mse)
    assert scores.cross_entropy == pytest.approx(expected_ce)


# -------------------------------------------------------------------------------------------- plots
def test_loss_curves_and_slopes():
    p = np.array([0.1, 0.5, 0.9])
    curves = loss_plots.loss_curves(p)
    np.testing.assert_allclose(curves["MSE"], (1 - p) ** 2)
    np.testing.assert_allclose(curves["MAE"], 1 - p)
    np.testing.assert_allclose(curves["binary cross-entropy"], -np.log(p))
    np.testing.assert_allclose(curves["categorical cross-entropy (3 classes)"], -np.log(p))
    slopes = loss_plots.loss_slopes(p)
    np.testing.assert_allclose(slopes["MSE"], -2 * (1 - p))
    np.testing.assert_allclose(slopes["binary cross-entropy"], -1 / p)
    logit = loss_plots.logit_slopes(p)
    np.testing.assert_allclose(logit["binary cross-entropy"], p - 1)  # y - t
    np.testing.assert_allclose(logit["MSE"], -2 * (1 - p) * p * (1 - p))


@pytest.mark.parametrize("prediction", [0.01, 0.5, 0.99])
def test_plot_losses_at_the_slider_ends(prediction):
    fig = loss_plots.plot_losses(prediction)
    assert len(fig.axes) == 3
    plt.close("all")


def test_explorer_builds():
    from cnnlab.teaching.losses.widgets import loss_explorer

    assert loss_explorer(0.3).children[0].value == 0.3
    plt.close("all")


def test_distance_from_one_plot():
    from cnnlab.teaching.activations import plots as sigmoid_plots

    fig = sigmoid_plots.plot_distance_from_one()
    assert [ax.get_title() for ax in fig.axes] == ["float32", "float64"]
    plt.close("all")


# ---------------------------------------------------------------------------------------- exercises
def test_cross_entropy_by_hand(capsys):
    assert outcome(ex.check_cross_entropy_by_hand, lambda: 0.0513, capsys=capsys)[0] == PASSED
    for wrong, words in [(-0.0513, "sign"), (-math.log10(0.95), "base 10"), (-math.log2(0.95), "base 2"),
                         (-math.log(0.05), "1 - 0.95"), (0.0025, "squared error"), (0.7, "expected")]:
        state, text = outcome(ex.check_cross_entropy_by_hand, lambda wrong=wrong: wrong, capsys=capsys)
        assert state == FAILED and words in text, (wrong, text)

    def stub():
        raise NotImplementedError

    assert outcome(ex.check_cross_entropy_by_hand, stub, capsys=capsys)[0] == NOT_DONE


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_softmax(capsys):
    assert outcome(ex.check_softmax, _softmax, capsys=capsys)[0] == PASSED
    state, text = outcome(ex.check_softmax, lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True),
                          capsys=capsys)
    assert state == FAILED and "maximum" in text
    state, text = outcome(ex.check_softmax, lambda z: _softmax(z.T).T, capsys=capsys)
    assert state == FAILED and "columns" in text
    state, text = outcome(ex.check_softmax, lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(), capsys=capsys)
    assert state == FAILED and "each row must sum to 1" in text


def test_loss_table(capsys):
    def mse(p):
        return (1 - p) ** 2

    def ce(p):
        return -np.log(p)

    assert outcome(ex.check_loss_table, mse, ce, capsys=capsys)[0] == PASSED
    state, text = outcome(ex.check_loss_table, mse, lambda p: np.where(p == 0.5, 2 * np.log(2), ce(p)),
                          capsys=capsys)
    assert state == FAILED and "2 ln 2" in text
    state, text = outcome(ex.check_loss_table, lambda p: 1 - p, ce, capsys=capsys)
    assert state == FAILED and "square" in text
    state, text = outcome(ex.check_loss_table, mse, lambda p: -np.log10(p), capsys=capsys)
    assert state == FAILED and "base 10" in text
    state, text = outcome(ex.check_loss_table, mse, lambda p: ce(p).mean(), capsys=capsys)
    assert state == FAILED and "reduction='none'" in text


# ------------------------------------------------- build it yourself: softmax with cross-entropy, and MAE
def _ce_forward(logits, target):
    y = _softmax(logits)
    return -np.log(y[np.arange(len(target)), target]).mean(), (y, target)


def _ce_backward(grad_output, cache):
    y, target = cache
    return grad_output * (y - np.eye(y.shape[1])[target]) / len(target)


def _naive_ce_forward(logits, target):
    y = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return -np.log(y[np.arange(len(target)), target]).mean(), (y, target)


@pytest.mark.parametrize("forward, words", [
    (lambda z, t: (-np.log(_softmax(z)[np.arange(len(t)), t]), None), "one loss per example"),
    (lambda z, t: (-np.log(_softmax(z)[np.arange(len(t)), t]).sum(), None), "divides it by N = 4"),
    (lambda z, t: (-np.log(_softmax(z)[:, t]).mean(), None), "y[:, target] picks a whole column"),
    (lambda z, t: (-np.log(_softmax(z)).mean(), None), "log of every probability"),
    (lambda z, t: (-np.log(_softmax(z).max(axis=1)).mean(), None), "the *true* class"),
    (lambda z, t: (-(t * np.log(_softmax(z))).sum(axis=1).mean(), None), "not one-hot rows (N, K)"),
    (lambda z, t: (-(t[:, None] * np.log(_softmax(z))).sum(axis=1).mean(), None), "weighs classes by their number"),
    (_naive_ce_forward, "stable softmax of exercise 03.2"),
    (lambda z, t: -np.log(_softmax(z)[np.arange(len(t)), t]).mean(), "`loss, cache`"),
])
def test_cross_entropy_forward_names_each_slip(forward, words, capsys):
    state, text = outcome(ex.check_cross_entropy_forward, forward, capsys=capsys)
    assert state == FAILED and words in text, text


def test_cross_entropy_forward(capsys):
    state, text = outcome(ex.check_cross_entropy_forward, _ce_forward, capsys=capsys)
    assert state == PASSED and "NN2 1.06" in text
    assert outcome(ex.check_cross_entropy_forward, stub, capsys=capsys)[0] == NOT_DONE


@pytest.mark.parametrize("backward, words", [
    (lambda g, c: g * (c[0] - np.eye(3)[c[1]]), "divide by N = 4"),
    (lambda g, c: -_ce_backward(g, c), "sign error"),
    (lambda g, c: g * c[0] / 4, "subtract the one-hot target t"),
    (lambda g, c: g * (c[0] - c[1][:, None]) / 4, "subtracted the class index"),
    (lambda g, c: g * (c[0] - c[1]) / 4, "needs t as one-hot rows"),
    (lambda g, c: _ce_backward(1.0, c), "chain rule multiplies (y - t) / N by grad_output"),
    (lambda g, c: _ce_backward(g, c)[0], "shape"),
])
def test_cross_entropy_backward_names_each_slip(backward, words, capsys):
    state, text = outcome(ex.check_cross_entropy_backward, _ce_forward, backward, capsys=capsys)
    assert state == FAILED and words in text, text


def test_cross_entropy_backward(capsys):
    assert outcome(ex.check_cross_entropy_backward, _ce_forward, _ce_backward, capsys=capsys)[0] == PASSED
    assert outcome(ex.check_cross_entropy_backward, _ce_forward, stub, capsys=capsys)[0] == NOT_DONE
    state, text = outcome(ex.check_cross_entropy_backward, lambda z, t: (0.0, None), _ce_backward, capsys=capsys)
    assert state == FAILED and "finish exercise 03.3 first" in text


def _mae_forward(p, t):
    return np.abs(p - t).mean(), p - t


def _mae_backward(grad_output, error):
    return grad_output * np.sign(error) / len(error)


def test_mae_pair(capsys):
    assert outcome(ex.check_mae_pair, _mae_forward, _mae_backward, capsys=capsys)[0] == PASSED
    assert outcome(ex.check_mae_pair, stub, stub, capsys=capsys)[0] == NOT_DONE


@pytest.mark.parametrize("forward, backward, words", [
    (lambda p, t: ((p - t).mean(), p - t), _mae_backward, "without the absolute value"),
    (lambda p, t: (((p - t) ** 2).mean(), p - t), _mae_backward, "mean *squared* error"),
    (lambda p, t: (np.abs(p - t).sum(), p - t), _mae_backward, "the *mean* divides by N = 5"),
    (_mae_forward, lambda g, e: g * 2 * e / len(e), "that is MSE's gradient"),
    (_mae_forward, lambda g, e: g * e / len(e), "the derivative of |e| is its sign"),
    (_mae_forward, lambda g, e: -_mae_backward(g, e), "sign error"),
    (_mae_forward, lambda g, e: g * np.sign(e), "divides by N = 5"),
    (_mae_forward, lambda g, e: g * np.where(e > 0, 1.0, -1.0) / len(e), "right except where p equals t"),
    (_mae_forward, lambda g, e: np.sign(e) / len(e), "must double"),
])
def test_mae_pair_names_each_slip(forward, backward, words, capsys):
    state, text = outcome(ex.check_mae_pair, forward, backward, capsys=capsys)
    assert state == FAILED and words in text, text


def test_mae_next_to_mse():
    losses, gradients = loss_plots.mae_and_mse(np.array([-2.0, -0.5, 0.0, 0.5, 10.0]))
    np.testing.assert_allclose(losses["MAE"], [2, 0.5, 0, 0.5, 10])
    np.testing.assert_allclose(losses["MSE"], [4, 0.25, 0, 0.25, 100])
    np.testing.assert_allclose(gradients["MAE"], [-1, -1, 0, 1, 1])  # the same size however far off; 0 at 0
    np.testing.assert_allclose(gradients["MSE"], [-4, -1, 0, 1, 20])
    # notebook 03's example: one far-off prediction dominates MSE and its gradient, not MAE
    prediction, target = np.array([2.5, 0.0, 2.0, 8.0, 11.0]), np.array([3.0, -0.5, 2.0, 7.0, 1.0])
    assert F.mse_loss(prediction, target) == pytest.approx(101.5 / 5)
    assert F.l1_loss(prediction, target) == pytest.approx(12 / 5)
    np.testing.assert_allclose(F.l1_loss_backward(1.0, F.l1_loss_forward(prediction, target)[1]),
                               [-0.2, 0.2, 0, 0.2, 0.2])
    fig = loss_plots.plot_mae_versus_mse()
    assert len(fig.axes) == 3 and "mean 22" in fig.axes[2].get_legend_handles_labels()[1][2]
    plt.close("all")


def test_best_constant_is_the_mean_for_mse_and_the_median_for_mae():
    values = np.array([1.0, 2.0, 3.0, 4.0, 100.0])
    constants = np.linspace(0, 110, 11001)
    mse = [F.mse_loss(np.full(5, c), values) for c in constants]
    mae = [F.l1_loss(np.full(5, c), values) for c in constants]
    assert constants[np.argmin(mse)] == pytest.approx(22.0) and constants[np.argmin(mae)] == pytest.approx(3.0)
