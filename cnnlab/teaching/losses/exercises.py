"""Exercise checks for notebook 03, the sigmoid teaser and the losses.

Each check compares the student's answer with :mod:`cnnlab.functional` and names the usual slip:
a logarithm in base 10 or 2, a missing minus sign, prediction and ground truth swapped (as on the
lecture's slide), softmax normalised along the wrong axis, overflow without the max-subtraction
trick, and a gradient t - y instead of y - t or without the 1/N of the mean.
"""
import math

import numpy as np

from ... import functional as F
from ..checks import Hint, call, exercise, expect, expect_close, expect_shape

#: The predictions of the lecture's MSE-versus-cross-entropy table; the ground truth is 1 for all.
LECTURE_PREDICTIONS = np.array([0.02, 0.002, 0.5, 0.95, 0.4, 1e-10])


@exercise("03.1 One cross-entropy by hand")
def check_cross_entropy_by_hand(answer):
    """Check the binary cross-entropy of prediction 0.95 for ground truth 1: -ln 0.95 = 0.0513."""
    value = call(answer)
    expect(value is not None, "your function returned None: write the number and `return` it.")
    value = float(value)
    right = float(F.binary_cross_entropy(np.array([0.95]), np.array([1.0])))
    if abs(value - right) <= 5e-4:
        return f"-ln 0.95 = {right:.4f}: a confident right answer costs almost nothing."
    slips = {
        -right: "the sign: log of a probability is negative, and the loss puts a minus in front.",
        -math.log10(0.95): "that is log base 10; cross-entropy uses the natural log (ln).",
        -math.log2(0.95): "that is log base 2 (bits); the lecture and PyTorch use the natural log.",
        -math.log(0.05): "that is -ln(1 - 0.95): with ground truth 1 only the term t ln(p) remains.",
        (1 - 0.95) ** 2: "that is the squared error, not the cross-entropy -[t ln p + (1 - t) ln(1 - p)].",
    }
    for wrong, advice in slips.items():
        if abs(value - wrong) <= 5e-4:
            raise Hint(f"you gave {value:.4f}: {advice}")
    raise Hint(f"you gave {value:.4f}, expected -[1 ln 0.95 + 0 ln 0.05] = {right:.4f}.")


@exercise("03.2 A stable softmax")
def check_softmax(softmax):
    """Check ``softmax(z)`` for z of shape (N, K), normalised along dim 1, finite for huge logits."""
    z = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 999.0], [-1000.0, 0.0, 5.0], [0.0, 0.0, 0.0]])
    try:
        with np.errstate(over="raise", invalid="raise"):
            y = call(softmax, z.copy())
    except FloatingPointError as error:
        raise Hint(f"NumPy reported '{error}': exp(1000) overflows to infinity and inf / inf is NaN. Subtract "
                   "each row's maximum first: softmax(z) = softmax(z - max(z)), and now the largest exp is 1.") \
            from None
    expect_shape(y, z.shape, "softmax(z)", "Keep one probability per logit.")
    y = np.asarray(y, dtype=float)
    expect(np.isfinite(y).all(), f"your softmax returned NaN or infinity: {y.round(4).tolist()}. Subtract each "
                                 "row's maximum before exp.")
    right = F.softmax(z, dim=1)
    if not np.allclose(y, right):
        if np.allclose(y.sum(axis=0), 1) and not np.allclose(y.sum(axis=1), 1):
            raise Hint("your columns sum to 1: normalise each row (axis=1), one row per example.")
        if not np.allclose(y.sum(axis=1), 1):
            raise Hint("each row must sum to 1: subtract the row's own maximum (keepdims=True) and divide by the "
                       "row's own sum.")
        expect_close(y, right, "softmax(z)", "softmax(z)_j = exp(z_j) / sum_k exp(z_k).")
    return "softmax([1000, 1000, 999]) = [0.4223, 0.4223, 0.1554], with no overflow."


@exercise("03.3 The gradient y - t")
def check_softmax_cross_entropy_gradient(gradient):
    """Check ``gradient(logits, target)``: d mean cross-entropy / d logits = (softmax(logits) - one_hot) / N."""
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(4, 3))
    target = np.array([0, 2, 1, 2])
    answer = call(gradient, logits.copy(), target.copy())
    expect_shape(answer, logits.shape, "your gradient", "One number per logit: shape (N, K), like the logits.")
    answer = np.asarray(answer, dtype=float)
    right = F.cross_entropy_backward(1.0, F.cross_entropy_forward(logits, target)[1])
    if np.allclose(answer, right):
        return "the gradient is (y - t) / N: the predicted probabilities minus the one-hot target."
    n = len(target)
    if np.allclose(answer, -right):
        raise Hint("sign error: the gradient is y - t (prediction minus target), not t - y.")
    if np.allclose(answer, right * n):
        raise Hint(f"you returned y - t for each example; the loss is the *mean* over the {n} examples, so divide "
                   f"by N = {n}.")
    if np.allclose(answer, F.softmax(logits, dim=1) / n) or np.allclose(answer, F.softmax(logits, dim=1)):
        raise Hint("you returned the probabilities y only: subtract the one-hot target t.")
    raise Hint("compute y = softmax(logits) along dim 1, subtract 1 at each row's target class, divide by N.")


@exercise("03.4 The lecture's MSE versus cross-entropy table")
def check_loss_table(mse_column, cross_entropy_column):
    """Check the two columns for the predictions 0.02, 0.002, 0.5, 0.95, 0.4, 1e-10 (ground truth 1)."""
    mse = np.asarray(call(mse_column, LECTURE_PREDICTIONS.copy()), dtype=float)
    ce = np.asarray(call(cross_entropy_column, LECTURE_PREDICTIONS.copy()), dtype=float)
    shape = LECTURE_PREDICTIONS.shape
    expect_shape(mse, shape, "the MSE column", "One loss per prediction: use reduction='none'.")
    expect_shape(ce, shape, "the cross-entropy column", "One loss per prediction: use reduction='none'.")
    target = np.ones_like(LECTURE_PREDICTIONS)
    right_mse = F.mse_loss(LECTURE_PREDICTIONS, target, reduction="none")
    right_ce = F.binary_cross_entropy(LECTURE_PREDICTIONS, target, reduction="none")
    if not np.allclose(mse, right_mse):
        if np.allclose(mse, 1 - LECTURE_PREDICTIONS):
            raise Hint("the MSE column is 1 - p: square the error, (1 - p)^2.")
        expect_close(mse, right_mse, "the MSE column", "The squared error for one prediction is (1 - p)^2.")
    if not np.allclose(ce, right_ce):
        if math.isclose(ce[2], 2 * math.log(2), rel_tol=1e-3):
            raise Hint("for p = 0.5 you have 1.386 = 2 ln 2, the slide's 1.38; the cross-entropy is -ln 0.5 = 0.693.")
        if np.allclose(ce, -np.log10(LECTURE_PREDICTIONS)):
            raise Hint("log base 10: the cross-entropy uses the natural log, np.log.")
        if np.allclose(ce, np.log(LECTURE_PREDICTIONS)):
            raise Hint("the sign: -ln(p) is positive, the loss has a minus in front.")
        expect_close(ce, right_ce, "the cross-entropy column", "With ground truth 1 it is -ln(p).")
    return "MSE never exceeds 1, while cross-entropy grows without bound: -ln(1e-10) = 23.03."
