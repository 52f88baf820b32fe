"""Exercise checks for notebook 03, the sigmoid teaser and the losses.

Each check compares the student's answer with :mod:`cnnlab.functional` and names the usual slip:
a logarithm in base 10 or 2, a missing minus sign, prediction and ground truth swapped (as on the
lecture's slide), softmax normalised along the wrong axis, overflow without the max-subtraction
trick, and a gradient t - y instead of y - t or without the 1/N of the mean. The build-it-yourself
exercises (mean absolute error, softmax with cross-entropy, forward and backward) are compared with
``F.*`` and with centred differences (:func:`cnnlab.gradcheck.gradcheck`), and their slips are computed and named.
"""
import math

import numpy as np

from ... import functional as F
from ...gradcheck import gradcheck
from ..checks import Hint, call, exercise, expect, expect_close, expect_shape
from .tables import DOG_CAT_PREDICTIONS, DOG_CAT_TARGET

#: The predictions of the lecture's MSE-versus-cross-entropy table; the ground truth is 1 for all.
LECTURE_PREDICTIONS = np.array([0.02, 0.002, 0.5, 0.95, 0.4, 1e-10])


@exercise("03.5 One cross-entropy by hand")
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


@exercise("03.6 The lecture's MSE versus cross-entropy table")
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


# --------------------------------------------------- build it yourself: softmax with cross-entropy, and MAE
#: The batch of the cross-entropy checks: N = 4 examples, K = 3 classes (N != K, so index targets used as
#: one-hot rows fail to broadcast), and a row of large logits that overflows a softmax without the max trick.
_LOGITS = np.array([[0.5, -1.2, 2.0], [1000.0, 999.0, 997.0], [0.0, 0.3, -0.4], [-2.0, 1.0, 0.1]])
_TARGET = np.array([2, 1, 0, 1])


def _pair(result, name, what):
    """The student's ``(value, cache)`` from ``name``, with a hint when it is not a pair."""
    expect(isinstance(result, tuple) and len(result) == 2,
           f"{name} must return two things, `{what}, cache`: the {what} and what the backward pass needs "
           f"(like cnnlab's `loss, ctx = F.cross_entropy_forward(...)`), got {type(result).__name__}.")
    return result


def _numerical_agreement(forward, backward, x):
    """cnnlab.gradcheck of the student's ``forward(x) -> (loss, cache)`` and ``backward``; a Hint if they disagree."""
    result = gradcheck(lambda values: forward(values)[0], x,
                       backward=lambda grad_output, values: backward(grad_output, forward(values)[1]))
    expect(result.passed, f"your backward disagrees with centred differences of your forward: {result}")


def _student_cross_entropy(cross_entropy_forward, logits, target):
    """Run the student's forward on copies; a FloatingPointError (overflow) becomes the max-subtraction hint."""
    try:
        with np.errstate(over="raise", invalid="raise"):
            return _pair(call(cross_entropy_forward, logits.copy(), target.copy()), "cross_entropy_forward", "loss")
    except FloatingPointError as error:
        raise Hint(f"NumPy reported '{error}' on the row of logits [1000, 999, 997]: exp(1000) overflows. Use your "
                   "stable softmax of exercise 03.2 (subtract each row's maximum).") from None
    except ValueError as error:
        if "broadcast" in str(error):
            raise Hint(f"NumPy could not broadcast ({error}): target holds N class indices, shape (N,), not one-hot "
                       "rows (N, K). Pick y[np.arange(N), target], or build the one-hot rows np.eye(K)[target].") \
                from None
        raise


@exercise("03.3 The mean cross-entropy of a batch")
def check_cross_entropy_forward(cross_entropy_forward):
    """Check ``cross_entropy_forward(logits, target) -> (loss, cache)``: the mean of -ln softmax(logits)[n, t_n].

    Compared with ``F.cross_entropy``. Named slips: no mean (one loss per example, or their sum), the log of
    the wrong entry (``y[:, target]``, every entry, the largest one), the index targets used as one-hot rows,
    and a softmax that overflows.
    """
    loss, _ = _student_cross_entropy(cross_entropy_forward, _LOGITS, _TARGET)
    expect(loss is not None, "your loss is None: did you forget to `return loss, cache`?")
    right = float(F.cross_entropy(_LOGITS, _TARGET))
    n = len(_TARGET)
    per_example = F.cross_entropy(_LOGITS, _TARGET, reduction="none")
    if np.shape(loss) == (n,) and np.allclose(loss, per_example):
        raise Hint(f"you returned one loss per example, shape ({n},): the loss of the batch is their mean, one number.")
    expect(np.size(loss) == 1, f"the loss must be one number, got an array of shape {np.shape(loss)}.")
    loss = float(np.asarray(loss).reshape(-1)[0])
    if math.isclose(loss, right, rel_tol=1e-6):
        nn2 = np.log(DOG_CAT_PREDICTIONS["NN2"])  # log-probabilities are logits: softmax(log y) = y
        dog_cat = float(call(cross_entropy_forward, nn2, DOG_CAT_TARGET.copy())[0])
        return (f"equal to F.cross_entropy; on the dog/cat table it gives NN2 {dog_cat:.2f}, the lecture's 1.06 "
                "(log-probabilities are valid logits).")
    y = F.softmax(_LOGITS, dim=1)
    rows = np.arange(n)
    slips = [
        (float(per_example.sum()), f"that is the sum over the batch: the mean divides it by N = {n}."),
        (float(-np.log(y[:, _TARGET]).mean()), "y[:, target] picks a whole column for every target (an N x N "
                                               "array): take one entry per row, y[np.arange(N), target]."),
        (float(-np.log(y).mean()), "you took the log of every probability: only the true class's counts, "
                                   "y[np.arange(N), target]."),
        (float(-np.log(y.max(axis=1)).mean()), "you took the largest probability of each row, the predicted class: "
                                               "the loss uses the probability of the *true* class, target[n]."),
        (float(-np.log(1 - y[rows, _TARGET]).mean()), "that is -ln(1 - y_true): the loss is -ln(y_true)."),
        (float(-(_TARGET[:, None] * np.log(y)).sum(axis=1).mean()), "target holds class indices, not one-hot rows: "
                                                                    "multiplying by it weighs classes by their number. "
                                                                    "Use y[np.arange(N), target]."),
        (-right, "the sign: ln of a probability is negative, the loss puts a minus in front."),
        (float(-np.log10(y[rows, _TARGET]).mean()), "log base 10: the cross-entropy uses the natural log, np.log."),
    ]
    for wrong, hint in slips:
        if math.isclose(loss, wrong, rel_tol=1e-6):
            raise Hint(hint)
    raise Hint(f"your loss is {loss:.4f}, expected {right:.4f}: the mean over the rows of -ln softmax(logits)[n, "
               "target[n]].")


@exercise("03.4 The gradient y - t, your backward pass")
def check_cross_entropy_backward(cross_entropy_forward, cross_entropy_backward):
    """Check ``cross_entropy_backward(grad_output, cache)``: ``grad_output * (y - t) / N``, shape (N, K).

    Compared with ``F.cross_entropy_backward`` and with centred differences of the student's forward
    (:func:`cnnlab.gradcheck.gradcheck`). Named slips: no 1/N, t - y, y alone, y - t with t the class
    indices instead of one-hot rows, and grad_output left out (the chain rule).
    """
    loss, cache = _student_cross_entropy(cross_entropy_forward, _LOGITS, _TARGET)
    expect(loss is not None and math.isclose(float(np.asarray(loss).reshape(-1)[0]),
                                             float(F.cross_entropy(_LOGITS, _TARGET)), rel_tol=1e-6),
           "your cross_entropy_forward is not right yet: finish exercise 03.3 first.")
    n, classes = _LOGITS.shape
    y, t = F.softmax(_LOGITS, dim=1), np.eye(classes)[_TARGET]
    try:
        grad = call(cross_entropy_backward, 1.0, cache)
    except ValueError as error:
        if "broadcast" in str(error):
            raise Hint(f"NumPy could not broadcast ({error}): y - t needs t as one-hot rows, np.eye(K)[target], "
                       "not the class indices.") from None
        raise
    expect_shape(grad, (n, classes), "your gradient", "One number per logit: shape (N, K), like the logits.")
    grad = np.asarray(grad, dtype=float)
    right = F.cross_entropy_backward(1.0, F.cross_entropy_forward(_LOGITS, _TARGET)[1])
    if not np.allclose(grad, right):
        for wrong, hint in [
            (y - t, f"that is y - t of each example; the loss is the *mean* over the {n} examples, so divide by "
                    f"N = {n}."),
            (-right, "sign error: the gradient is y - t (prediction minus target), not t - y."),
            (y / n, "you returned the probabilities y only: subtract the one-hot target t."),
            (y, "you returned the probabilities y only: subtract the one-hot target t, and divide by N."),
            ((y - _TARGET[:, None]) / n, "you subtracted the class index itself from every entry: t must be the "
                                         "one-hot row, np.eye(K)[target], 1 at the true class and 0 elsewhere."),
        ]:
            if np.allclose(grad, wrong):
                raise Hint(hint)
        expect_close(grad, right, "your gradient", "It is (softmax(logits) - one_hot(target)) / N.")
    half = np.asarray(call(cross_entropy_backward, 0.5, cache), dtype=float)
    expect(not np.allclose(half, grad), "with grad_output = 0.5 you returned the same gradient as with 1: the chain "
                                        "rule multiplies (y - t) / N by grad_output.")
    expect_close(half, 0.5 * right, "your gradient for grad_output = 0.5", "Multiply (y - t) / N by grad_output.")
    _numerical_agreement(lambda logits: cross_entropy_forward(logits, _TARGET), cross_entropy_backward, _LOGITS)
    return ("equal to F.cross_entropy_backward, and to centred differences of your forward (relative error "
            "below 1e-6): the gradient is (y - t) / N.")


#: The regression batch of the MAE check: one prediction equals its target (where |e| has no derivative).
_PREDICTION = np.array([2.5, 0.0, 2.0, 8.0, -1.0])
_REGRESSION_TARGET = np.array([3.0, -0.5, 2.0, 7.0, 1.0])


@exercise("03.1 Mean absolute error, forward and backward")
def check_mae_pair(mae_forward, mae_backward):
    """Check ``mae_forward(prediction, target) -> (loss, cache)`` and ``mae_backward(grad_output, cache)``.

    Compared with ``F.l1_loss`` / ``F.l1_loss_backward`` and with centred differences. Named slips: no
    absolute value, the square (MSE), the sum instead of the mean, MSE's gradient, (p - t) / N instead of its
    sign, t - p, no 1/N, -1 where the error is 0 (np.sign gives 0, as PyTorch), grad_output left out.
    """
    p, t = _PREDICTION, _REGRESSION_TARGET
    loss, cache = _pair(call(mae_forward, p.copy(), t.copy()), "mae_forward", "loss")
    expect(loss is not None and np.size(loss) == 1, f"the loss must be one number, got {loss!r}.")
    loss, right = float(np.asarray(loss).reshape(-1)[0]), float(F.l1_loss(p, t))
    n, e = len(p), p - t
    if not math.isclose(loss, right, rel_tol=1e-9):
        for wrong, hint in [(e.mean(), "you averaged p - t without the absolute value: errors of opposite signs "
                                       "cancel. Use np.abs."),
                            ((e ** 2).mean(), "that is the mean *squared* error; MAE is the mean of |p - t|."),
                            (np.abs(e).sum(), f"that is the sum; the *mean* divides by N = {n}.")]:
            if math.isclose(loss, wrong, rel_tol=1e-9):
                raise Hint(hint)
        raise Hint(f"your loss is {loss:.4f}, expected mean(|p - t|) = {right:.4f}.")
    grad = call(mae_backward, 1.0, cache)
    expect_shape(grad, p.shape, "mae_backward's gradient", "One value per prediction.")
    grad = np.asarray(grad, dtype=float)
    right_grad = F.l1_loss_backward(1.0, F.l1_loss_forward(p, t)[1])
    if not np.allclose(grad, right_grad):
        for wrong, hint in [
            (2 * e / n, "that is MSE's gradient 2 (p - t) / N; MAE's has the same size everywhere: sign(p - t) / N."),
            (e / n, "(p - t) / N grows with the error; the derivative of |e| is its sign, sign(p - t) / N."),
            (-right_grad, "sign error: the gradient of |p - t| with respect to p is +1 where p > t."),
            (np.sign(e), f"that is sign(p - t) for each prediction; the mean divides by N = {n}."),
            (np.where(e > 0, 1.0, -1.0) / n, "right except where p equals t: |e| has no derivative at 0, and "
                                             "cnnlab and PyTorch use 0 there, as np.sign does."),
        ]:
            if np.allclose(grad, wrong):
                raise Hint(hint)
        expect_close(grad, right_grad, "mae_backward's gradient", "It is sign(p - t) / N.")
    twice = np.asarray(call(mae_backward, 2.0, cache), dtype=float)
    expect(np.allclose(twice, 2 * right_grad), "with grad_output = 2 the gradient must double: the chain rule "
                                              "multiplies sign(p - t) / N by grad_output.")
    away = p + np.where(e == 0, 0.5, 0.0)  # centred differences need |e| away from its kink at 0
    _numerical_agreement(lambda values: mae_forward(values, t), mae_backward, away)
    return ("equal to F.l1_loss and its backward, and to centred differences (relative error "
            "below 1e-6): every prediction gets a push of the same size, 1/N, however far off it is.")
