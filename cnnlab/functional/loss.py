"""Loss functions: one number that says how wrong the predictions are, with PyTorch's names.

Every loss computes one value per element (or per example) and then reduces them:
``reduction='mean'`` (the default) averages, ``'sum'`` adds, ``'none'`` returns them all.
Each has the contract of :mod:`.context`: ``loss, ctx = f_forward(input, target, ...)`` and
``f_backward(grad_output, ctx)``, the gradient with respect to ``input`` (``grad_output`` is 1.0 when
the loss is the last step; an array of the unreduced shape with ``reduction='none'``). The target is
data: it gets no gradient.

For classification the lecture's point is that cross-entropy punishes a confident wrong answer far
harder than the squared error: for ground truth 1 and prediction 0.002, MSE is (1 - 0.002)^2 =
0.996, barely worse than 0.96 for prediction 0.02, while cross-entropy is -ln 0.002 = 6.21
against -ln 0.02 = 3.91.
"""
import numpy as np

from .._validate import as_float_array, choice, common_dtype, probability
from .activation import log_softmax, sigmoid
from .context import Context, check_context

__all__ = [
    "mse_loss_forward", "mse_loss_backward", "mse_loss",
    "l1_loss_forward", "l1_loss_backward", "l1_loss",
    "binary_cross_entropy_forward", "binary_cross_entropy_backward", "binary_cross_entropy",
    "binary_cross_entropy_with_logits_forward", "binary_cross_entropy_with_logits_backward",
    "binary_cross_entropy_with_logits",
    "cross_entropy_forward", "cross_entropy_backward", "cross_entropy",
    "nll_loss_forward", "nll_loss_backward", "nll_loss",
]

_REDUCTIONS = ("mean", "sum", "none")
# PyTorch clamps log(p) at -100 in binary_cross_entropy, so that p = 0 gives a loss of 100, not inf.
_LOG_FLOOR = -100.0
# And divides by max(p (1 - p), 1e-12) in its gradient, for the same reason.
_GRAD_EPSILON = 1e-12


# ------------------------------------------------------------------------------------ helpers
def _pair(input, target, input_name="input"):
    """Input and target as float arrays of the same shape and a common dtype."""
    x = as_float_array(input, input_name)
    t = as_float_array(target, "target")
    if t.shape != x.shape:
        raise ValueError(f"target must have the input's shape {x.shape}, got {t.shape}")
    dtype = common_dtype(x, t)
    return x.astype(dtype, copy=False), t.astype(dtype, copy=False)


def _reduce(losses, reduction, count=None):
    """Average, add up or keep the per-element losses. ``count`` is the divisor of the mean."""
    if reduction == "none":
        return losses
    total = losses.sum(dtype=losses.dtype)
    return total if reduction == "sum" else losses.dtype.type(total / (losses.size if count is None else count))


def _upstream(grad_output, shape, reduction, dtype, count=None):
    """``grad_output`` spread over the unreduced losses: 1/count each for 'mean', as is for 'sum' and 'none'."""
    choice(reduction, "reduction", _REDUCTIONS)
    grad = as_float_array(grad_output, "grad_output")
    if reduction == "none":
        if grad.shape != shape:
            raise ValueError(f"grad_output must have the unreduced loss's shape {shape} with reduction='none', "
                             f"got {grad.shape}")
        return grad.astype(dtype, copy=False)
    if grad.size != 1:
        raise ValueError(f"grad_output must be a single number with reduction={reduction!r}, got shape {grad.shape}")
    grad = grad.reshape(()).astype(dtype)
    if reduction == "mean":
        grad = grad / dtype.type(np.prod(shape) if count is None else count)
    return grad


def _context(function, needs_input_grad, reduction, unreduced_shape, local):
    """The ctx of a loss: the local gradient d(per-element loss)/d(input), before the upstream factor."""
    return Context(function, ("input",), needs_input_grad, saved={"local": local},
                   options={"reduction": reduction, "unreduced_shape": unreduced_shape})


def _chain(grad_output, ctx, function, per_class=False):
    """The chain rule of every loss: the upstream gradient, spread over the unreduced losses, times the local one."""
    ctx = check_context(ctx, function)
    local = ctx.saved["local"]
    upstream = _upstream(grad_output, ctx.options["unreduced_shape"], ctx.options["reduction"], local.dtype)
    if per_class:
        upstream = _per_class(upstream)
    return ctx.grads((upstream * local).astype(local.dtype, copy=False))


def _weight(weight, shape, dtype):
    """An optional rescaling weight that broadcasts to the loss's shape, or 1."""
    if weight is None:
        return dtype.type(1)
    w = as_float_array(weight, "weight")
    try:
        np.broadcast_shapes(w.shape, shape)
    except ValueError:
        raise ValueError(f"weight of shape {w.shape} does not broadcast to the input's shape {shape}") from None
    return w.astype(dtype, copy=False)


# ------------------------------------------------------------------------------- regression
def mse_loss_forward(input, target, reduction="mean", *, needs_input_grad=None):
    """Mean squared error: ``mean((x - t)^2)``.

    Parameters
    ----------
    input, target : ndarray, the same shape
    reduction : {'mean', 'sum', 'none'}

    Returns
    -------
    loss : float, or ndarray of the input's shape with reduction='none'
    ctx : Context
    """
    choice(reduction, "reduction", _REDUCTIONS)
    x, t = _pair(input, target)
    return _reduce((x - t) ** 2, reduction), _context("mse_loss", needs_input_grad, reduction, x.shape, 2 * (x - t))


def mse_loss_backward(grad_output, ctx):
    """``grad * 2 (x - t)``, divided by the number of elements for 'mean'."""
    return _chain(grad_output, ctx, "mse_loss")


def mse_loss(input, target, reduction="mean"):
    """Mean squared error; see :func:`mse_loss_forward`."""
    return mse_loss_forward(input, target, reduction)[0]


def l1_loss_forward(input, target, reduction="mean", *, needs_input_grad=None):
    """Mean absolute error: ``mean(|x - t|)``. Same shapes as :func:`mse_loss_forward`."""
    choice(reduction, "reduction", _REDUCTIONS)
    x, t = _pair(input, target)
    return _reduce(np.abs(x - t), reduction), _context("l1_loss", needs_input_grad, reduction, x.shape, np.sign(x - t))


def l1_loss_backward(grad_output, ctx):
    """``grad * sign(x - t)`` (0 where x equals t, as PyTorch), divided by the count for 'mean'."""
    return _chain(grad_output, ctx, "l1_loss")


def l1_loss(input, target, reduction="mean"):
    """Mean absolute error; see :func:`l1_loss_forward`."""
    return l1_loss_forward(input, target, reduction)[0]


# ----------------------------------------------------------------------- yes/no (binary) problems
def binary_cross_entropy_forward(input, target, weight=None, reduction="mean", *, needs_input_grad=None):
    """Binary cross-entropy of probabilities: ``-[t ln p + (1 - t) ln(1 - p)]``.

    ``p`` (input) is the predicted probability of "yes" and ``t`` (target) the ground truth. The
    slide writes the formula with prediction and ground truth swapped; this is the right way round.
    For t = 1 the loss is ``-ln p``: 3.91 for p = 0.02, 0.69 for p = 0.5, 23.03 for p = 1e-10.

    Clipping: each logarithm is clamped at -100, as PyTorch does, so a prediction of exactly 0 or 1
    gives a large but finite loss (100 per element) instead of infinity, and a perfect prediction
    gives 0 instead of ``0 * -inf = nan``. No real prediction comes near: -ln(1e-10) is only 23.

    Parameters
    ----------
    input : ndarray, any shape, values in [0, 1]
    target : ndarray, the input's shape, values in [0, 1]
    weight : ndarray, optional
        A rescaling weight per element, broadcast to the input's shape.
    reduction : {'mean', 'sum', 'none'}
    """
    choice(reduction, "reduction", _REDUCTIONS)
    p, t = _probabilities(input, target)
    w = _weight(weight, p.shape, p.dtype)
    with np.errstate(divide="ignore"):  # ln 0 = -inf is expected at p = 0 or 1, and clamped
        log_p = np.maximum(np.log(p), _LOG_FLOOR)
        log_not_p = np.maximum(np.log1p(-p), _LOG_FLOOR)
    losses = -(t * log_p + (1 - t) * log_not_p) * w
    # d/dp: (p - t) / (p (1 - p)), with the denominator at least 1e-12 as in PyTorch
    local = ((p - t) / np.maximum(p * (1 - p), _GRAD_EPSILON) * w).astype(p.dtype, copy=False)
    loss = _reduce(losses.astype(p.dtype, copy=False) + 0.0, reduction)  # + 0.0 turns -0.0 into 0.0
    return loss, _context("binary_cross_entropy", needs_input_grad, reduction, p.shape, local)


def binary_cross_entropy_backward(grad_output, ctx):
    """``grad * (p - t) / (p (1 - p))``, with the denominator at least 1e-12 as in PyTorch."""
    return _chain(grad_output, ctx, "binary_cross_entropy")


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """Binary cross-entropy of probabilities; see :func:`binary_cross_entropy_forward`."""
    return binary_cross_entropy_forward(input, target, weight, reduction)[0]


def _probabilities(input, target):
    p, t = _pair(input, target)
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError("input must hold probabilities between 0 and 1; for raw scores (logits) use "
                         "binary_cross_entropy_with_logits")
    return p, t


def binary_cross_entropy_with_logits_forward(input, target, weight=None, reduction="mean", pos_weight=None, *,
                                             needs_input_grad=None):
    """Binary cross-entropy of a raw score ``x`` (logit), with ``p = sigmoid(x)``, computed stably:

        -[t ln sigmoid(x) + (1 - t) ln(1 - sigmoid(x))] = max(x, 0) - x t + ln(1 + exp(-|x|))

    so it stays finite and exact at x = +-1000, where sigmoid rounds to exactly 0 or 1.

    Parameters
    ----------
    input : ndarray, any shape (logits)
    target : ndarray, the input's shape, values in [0, 1]
    weight : ndarray, optional
        Broadcast to the input's shape.
    reduction : {'mean', 'sum', 'none'}
    pos_weight : ndarray, optional
        A weight on the positive term ``t ln sigmoid(x)``, broadcast along the last axis, as PyTorch.
    """
    choice(reduction, "reduction", _REDUCTIONS)
    x, t = _pair(input, target)
    softplus_neg = np.logaddexp(0, -x)  # -ln sigmoid(x) = ln(1 + exp(-x)), without overflow
    positive = _weight(pos_weight, x.shape, x.dtype)
    w = _weight(weight, x.shape, x.dtype)
    # -ln(1 - sigmoid(x)) = x + ln(1 + exp(-x))
    losses = (positive * t * softplus_neg + (1 - t) * (x + softplus_neg)) * w
    # d/dx: sigmoid(x) - t; with pos_weight w+, sigmoid(x) (1 - t + w+ t) - w+ t
    local = ((sigmoid(x) * (1 - t + positive * t) - positive * t) * w).astype(x.dtype, copy=False)
    loss = _reduce(losses.astype(x.dtype, copy=False), reduction)
    return loss, _context("binary_cross_entropy_with_logits", needs_input_grad, reduction, x.shape, local)


def binary_cross_entropy_with_logits_backward(grad_output, ctx):
    """``grad * (sigmoid(x) - t)``; with ``pos_weight`` w, ``grad * (sigmoid(x) (1 - t + w t) - w t)``."""
    return _chain(grad_output, ctx, "binary_cross_entropy_with_logits")


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """Binary cross-entropy of logits; see :func:`binary_cross_entropy_with_logits_forward`."""
    return binary_cross_entropy_with_logits_forward(input, target, weight, reduction, pos_weight)[0]


# ---------------------------------------------------------------------------- many classes
def _class_targets(input, target, name="input"):
    """Check a classification target: class indices (N, ...) or class probabilities (N, C, ...).

    Returns ``(x, target, is_index)``.
    """
    x = as_float_array(input, name, ndim=tuple(range(2, 6)))
    t = np.asarray(target)
    classes = x.shape[1]
    index_shape = x.shape[:1] + x.shape[2:]
    if np.issubdtype(t.dtype, np.integer):
        if t.shape != index_shape:
            raise ValueError(f"target of class indices must have shape {index_shape} for input of shape {x.shape}, "
                             f"got {t.shape}")
        if t.size and (t.min() < 0 or t.max() >= classes):
            bad = t.min() if t.min() < 0 else t.max()
            raise ValueError(f"target holds class {bad}, but the input has {classes} classes: "
                             f"expected indices from 0 to {classes - 1}")
        return x, t, True
    if t.shape == index_shape:
        raise TypeError(f"target of class indices must be an integer array, got dtype {t.dtype}")
    t = as_float_array(t, "target")
    if t.shape != x.shape:
        raise ValueError(f"target must hold class indices of shape {index_shape} or class probabilities of shape "
                         f"{x.shape}, got {t.shape}")
    return x, t.astype(common_dtype(x, t), copy=False), False


def _per_class(upstream):
    """An unreduced (N, ...) grad_output gets a class axis, to broadcast against (N, C, ...)."""
    return np.expand_dims(upstream, 1) if upstream.ndim else upstream


def _one_hot(index, classes, dtype):
    """(N, ...) class indices to (N, C, ...) one-hot rows, the class axis second as in the logits."""
    hot = np.moveaxis(np.eye(classes, dtype=dtype)[index], -1, 1)
    return hot


def _smoothed(x, t, is_index, label_smoothing):
    """The target distribution: one-hot (or the given probabilities), mixed with uniform by ``label_smoothing``."""
    classes = x.shape[1]
    distribution = _one_hot(t, classes, x.dtype) if is_index else t.astype(x.dtype, copy=False)
    if label_smoothing:
        distribution = distribution * (1 - label_smoothing) + label_smoothing / classes
    return distribution


def cross_entropy_forward(input, target, *, reduction="mean", label_smoothing=0.0, needs_input_grad=None):
    """Cross-entropy of raw class scores (logits): ``-sum_c t_c ln softmax(x)_c`` per example.

    With class indices this is ``-ln softmax(x)_target``, the lecture's L_i = -log(e^{f_y} / sum_j e^{f_j}).
    It is computed through :func:`log_softmax`, so it stays finite at logits of +-1000.

    Parameters
    ----------
    input : ndarray, shape (N, C) or (N, C, H, W)
        Logits, classes along axis 1 (per pixel for segmentation).
    target : ndarray
        Class indices, integers of shape (N,) or (N, H, W); or class probabilities of the input's shape.
    reduction : {'mean', 'sum', 'none'}
        'mean' averages over the examples (and pixels); 'none' returns shape (N,) or (N, H, W).
    label_smoothing : float in [0, 1]
        Mixes the target with the uniform distribution: ``t (1 - s) + s / C``.
    """
    choice(reduction, "reduction", _REDUCTIONS)
    label_smoothing = probability(label_smoothing, "label_smoothing")
    x, t, is_index = _class_targets(input, target)
    distribution = _smoothed(x, t, is_index, label_smoothing)
    log_probabilities = log_softmax(x, dim=1)
    losses = -(distribution * log_probabilities).sum(axis=1)
    # the lecture's y - t; for a target that does not sum to 1 the general form is y * sum_c t_c - t
    local = np.exp(log_probabilities) * distribution.sum(axis=1, keepdims=True) - distribution
    loss = _reduce(losses.astype(x.dtype, copy=False), reduction)
    return loss, _context("cross_entropy", needs_input_grad, reduction, x.shape[:1] + x.shape[2:],
                          local.astype(x.dtype, copy=False))


def cross_entropy_backward(grad_output, ctx):
    """The lecture's ``y - t``: ``softmax(x) - t`` per example, divided by the number of examples for 'mean'.

    Returns
    -------
    grad_input : ndarray, the input's shape
    """
    return _chain(grad_output, ctx, "cross_entropy", per_class=True)


def cross_entropy(input, target, *, reduction="mean", label_smoothing=0.0):
    """Cross-entropy of logits; see :func:`cross_entropy_forward`."""
    return cross_entropy_forward(input, target, reduction=reduction, label_smoothing=label_smoothing)[0]


def nll_loss_forward(input, target, *, reduction="mean", needs_input_grad=None):
    """Negative log-likelihood: ``-input[n, target[n]]``, for inputs that are already log-probabilities
    (``cross_entropy(x, t)`` is ``nll_loss(log_softmax(x, dim=1), t)``).

    Parameters
    ----------
    input : ndarray, shape (N, C) or (N, C, H, W)
        Log-probabilities.
    target : ndarray of int, shape (N,) or (N, H, W)
    reduction : {'mean', 'sum', 'none'}
    """
    choice(reduction, "reduction", _REDUCTIONS)
    x, t, is_index = _class_targets(input, target)
    if not is_index:
        raise TypeError(f"target must be an integer array of class indices, got dtype {t.dtype}")
    picked = np.take_along_axis(x, np.expand_dims(t, 1), axis=1)
    local = -_one_hot(t, x.shape[1], x.dtype)  # -1 at each example's target class, 0 elsewhere
    return _reduce(-picked.squeeze(1), reduction), _context("nll_loss", needs_input_grad, reduction,
                                                            x.shape[:1] + x.shape[2:], local)


def nll_loss_backward(grad_output, ctx):
    """``-grad`` at each example's target class and 0 elsewhere, divided by the count for 'mean'."""
    return _chain(grad_output, ctx, "nll_loss", per_class=True)


def nll_loss(input, target, *, reduction="mean"):
    """Negative log-likelihood; see :func:`nll_loss_forward`."""
    return nll_loss_forward(input, target, reduction=reduction)[0]
