"""Activation functions: the non-linearity after each convolution or dense layer.

Without them a stack of layers collapses into one linear map. Each function works element-wise
(softmax, log_softmax and maxout along one axis), keeps the input's shape and dtype, and has its
gradient ``f_backward(grad_output, input, ...)`` beside it, which multiplies ``grad_output`` by
the local derivative ``f'(x)`` (chain rule).

The lecture's history table of activations is :data:`ACTIVATIONS`.
"""
import numbers

import numpy as np

from .._validate import as_float_array, common_dtype

__all__ = [
    "relu", "relu_backward",
    "leaky_relu", "leaky_relu_backward",
    "elu", "elu_backward",
    "sigmoid", "sigmoid_backward",
    "tanh", "tanh_backward",
    "softplus", "softplus_backward",
    "centered_softplus", "centered_softplus_backward",
    "softmax", "softmax_backward",
    "log_softmax", "log_softmax_backward",
    "prelu", "prelu_backward",
    "rrelu", "rrelu_backward",
    "noisy_relu", "noisy_relu_backward",
    "maxout", "maxout_backward",
    "ACTIVATIONS",
]


def _input(input):
    return as_float_array(input, "input")


def _grad(grad_output, x):
    """``grad_output`` as an array of ``x``'s shape, or a clear error."""
    grad = as_float_array(grad_output, "grad_output")
    if grad.shape != x.shape:
        raise ValueError(f"grad_output must have the input's shape {x.shape}, got {grad.shape}")
    return grad


def _number(value, name, minimum=None):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value):
        raise TypeError(f"{name} must be a finite number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return float(value)


def _dim(dim, ndim):
    """A valid axis for an array of ``ndim`` dimensions (negative counts from the end, as PyTorch)."""
    if not isinstance(dim, numbers.Integral) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {dim!r}")
    if not -ndim <= dim < max(ndim, 1):
        raise ValueError(f"dim must be in [{-ndim}, {ndim - 1}] for an input of {ndim} dimensions, got {dim}")
    return int(dim) % max(ndim, 1)


def _rng(rng):
    """A NumPy Generator from ``None`` (fresh entropy), an int seed, or a Generator (used as is)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be None, an int seed or a numpy.random.Generator, got {type(rng).__name__}")


# --------------------------------------------------------------------------------- the ReLU family
def relu(input):
    """ReLU: ``max(0, x)``."""
    x = _input(input)
    return np.maximum(x, 0, dtype=x.dtype)


def relu_backward(grad_output, input):
    """``grad * (x > 0)``; at exactly 0 the gradient is 0, as in PyTorch."""
    x = _input(input)
    return _grad(grad_output, x) * (x > 0)


def leaky_relu(input, negative_slope=0.01):
    """Leaky ReLU: ``x if x > 0 else negative_slope * x`` (the lecture's max(0.1x, x) is slope 0.1)."""
    x = _input(input)
    slope = _number(negative_slope, "negative_slope")
    return np.where(x > 0, x, x * x.dtype.type(slope))


def leaky_relu_backward(grad_output, input, negative_slope=0.01):
    """``grad * (1 if x > 0 else negative_slope)``."""
    x = _input(input)
    slope = _number(negative_slope, "negative_slope")
    grad = _grad(grad_output, x)
    return np.where(x > 0, grad, grad * grad.dtype.type(slope))


def elu(input, alpha=1.0):
    """ELU: ``x if x > 0 else alpha * (exp(x) - 1)``."""
    x = _input(input)
    alpha = x.dtype.type(_number(alpha, "alpha"))
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_backward(grad_output, input, alpha=1.0):
    """``grad * (1 if x > 0 else alpha * exp(x))``."""
    x = _input(input)
    alpha = x.dtype.type(_number(alpha, "alpha"))
    grad = _grad(grad_output, x)
    return np.where(x > 0, grad, grad * alpha * np.exp(np.minimum(x, 0)))


def prelu(input, weight):
    """PReLU: leaky ReLU whose slope ``a`` is learnt: ``x if x > 0 else a * x``.

    Parameters
    ----------
    input : ndarray, shape (N, C, ...)
    weight : ndarray, shape (1,) or (C,)
        One slope shared by all channels, or one per channel (axis 1), as PyTorch.
    """
    x, slope = _prelu_args(input, weight)
    return np.where(x > 0, x, slope * x)


def prelu_backward(grad_output, input, weight):
    """Gradients of :func:`prelu`.

    Returns
    -------
    grad_input : ndarray, shape of input
        ``grad * (1 if x > 0 else a)``
    grad_weight : ndarray, shape of weight
        ``sum of grad * x`` over the negative inputs (of each channel, when there is one slope per channel).
    """
    x, slope = _prelu_args(input, weight)
    grad = _grad(grad_output, x)
    grad_input = np.where(x > 0, grad, slope * grad)
    contribution = np.where(x > 0, 0, grad * x)
    if np.size(weight) == 1:
        grad_weight = np.reshape(contribution.sum(), np.shape(weight))
    else:
        axes = tuple(a for a in range(x.ndim) if a != 1)
        grad_weight = contribution.sum(axis=axes)
    return grad_input, grad_weight.astype(slope.dtype)


def _prelu_args(input, weight):
    x = _input(input)
    w = as_float_array(weight, "weight", ndim=(0, 1))
    if w.size != 1:
        channels = x.shape[1] if x.ndim >= 2 else None
        if w.size != channels:
            raise ValueError(f"weight must hold 1 slope or one per channel ({channels}), got {w.size}")
        w = w.reshape((1, -1) + (1,) * (x.ndim - 2))
    dtype = common_dtype(x, w)
    return x.astype(dtype, copy=False), w.astype(dtype, copy=False)


def _rrelu_slopes(shape, lower, upper, training, rng, dtype):
    """The negative slopes of RReLU: uniform in [lower, upper] per element in training, else their mean."""
    lower, upper = _number(lower, "lower"), _number(upper, "upper")
    if lower > upper:
        raise ValueError(f"lower must not exceed upper, got lower={lower} and upper={upper}")
    if training:
        return _rng(rng).uniform(lower, upper, size=shape).astype(dtype)
    return np.full(shape, (lower + upper) / 2, dtype)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, rng=None):
    """Randomised leaky ReLU: ``x if x > 0 else a * x``, with ``a ~ Uniform(lower, upper)`` per element
    in training and ``a = (lower + upper) / 2`` otherwise.

    PyTorch's defaults are lower = 1/8 and upper = 1/3; the lecture's table writes the slope as
    random(0.1, 0.5) (Xu et al. 2015 sample 1/a from U(3, 8), the same range as PyTorch).

    Parameters
    ----------
    input : ndarray, any shape
    rng : None, int or numpy.random.Generator
        Draws the slopes in training. Pass the same int seed to :func:`rrelu_backward` to get the
        same slopes again.
    """
    x = _input(input)
    slopes = _rrelu_slopes(x.shape, lower, upper, training, rng, x.dtype)
    return np.where(x > 0, x, slopes * x)


def rrelu_backward(grad_output, input, lower=1.0 / 8, upper=1.0 / 3, training=False, rng=None):
    """``grad * (1 if x > 0 else a)``, with the slopes ``a`` redrawn from ``rng`` (give the same seed as forward)."""
    x = _input(input)
    grad = _grad(grad_output, x)
    slopes = _rrelu_slopes(x.shape, lower, upper, training, rng, grad.dtype)
    return np.where(x > 0, grad, slopes * grad)


def noisy_relu(input, sigma=1.0, rng=None):
    """Noisy ReLU: ``max(0, x + eps)`` with ``eps ~ N(0, sigma)`` drawn afresh for every element.

    Parameters
    ----------
    input : ndarray, any shape
    sigma : float
        The standard deviation of the noise.
    rng : None, int or numpy.random.Generator
        Pass the same int seed to :func:`noisy_relu_backward` to get the same noise again.
    """
    x = _input(input)
    noisy = x + _rng(rng).normal(0.0, _number(sigma, "sigma", minimum=0), size=x.shape).astype(x.dtype)
    return np.maximum(noisy, 0, dtype=x.dtype)


def noisy_relu_backward(grad_output, input, sigma=1.0, rng=None):
    """``grad * (x + eps > 0)``, with the noise ``eps`` redrawn from ``rng`` (give the same seed as forward)."""
    x = _input(input)
    grad = _grad(grad_output, x)
    noisy = x + _rng(rng).normal(0.0, _number(sigma, "sigma", minimum=0), size=x.shape).astype(x.dtype)
    return grad * (noisy > 0)


def maxout(input, num_pieces, dim=1):
    """Maxout: the largest of ``num_pieces`` consecutive channels, ``max(w1.x + b1, w2.x + b2, ...)``.

    The pieces ``w_k.x + b_k`` come from the layer before (a convolution or dense layer with
    ``num_pieces`` times as many outputs); maxout keeps the largest of each group.

    Parameters
    ----------
    input : ndarray, shape (N, C, ...) with C divisible by num_pieces
    num_pieces : int
    dim : int
        The channel axis.

    Returns
    -------
    ndarray, shape (N, C // num_pieces, ...)
    """
    grouped, axis = _maxout_groups(input, num_pieces, dim)
    return grouped.max(axis=axis + 1)


def maxout_backward(grad_output, input, num_pieces, dim=1):
    """Each group's gradient goes to its (first) largest piece; the other pieces get 0."""
    grouped, axis = _maxout_groups(input, num_pieces, dim)
    grad = as_float_array(grad_output, "grad_output")
    expected = grouped.shape[:axis + 1] + grouped.shape[axis + 2:]
    if grad.shape != expected:
        raise ValueError(f"grad_output must have the output's shape {expected}, got {grad.shape}")
    winner = np.expand_dims(grouped.argmax(axis=axis + 1), axis + 1)
    grad_grouped = np.zeros(grouped.shape, grad.dtype)
    np.put_along_axis(grad_grouped, winner, np.expand_dims(grad, axis + 1), axis=axis + 1)
    return grad_grouped.reshape(np.shape(input))


def _maxout_groups(input, num_pieces, dim):
    """``input`` with axis ``dim`` split into (groups, num_pieces)."""
    x = _input(input)
    axis = _dim(dim, x.ndim)
    if not isinstance(num_pieces, numbers.Integral) or num_pieces < 1:
        raise ValueError(f"num_pieces must be a positive int, got {num_pieces!r}")
    if x.shape[axis] % num_pieces:
        raise ValueError(f"the size of dim {dim} ({x.shape[axis]}) must be divisible by num_pieces ({num_pieces})")
    shape = x.shape[:axis] + (x.shape[axis] // num_pieces, num_pieces) + x.shape[axis + 1:]
    return x.reshape(shape), axis


# ----------------------------------------------------------------------- squashing and smooth
def sigmoid(input):
    """Sigmoid: ``1 / (1 + exp(-x))``, from 0 to 1.

    Computed without overflow: for x < 0 as ``exp(x) / (1 + exp(x))``, so ``exp`` only ever sees
    a number <= 0 (sigmoid(-1000) is 0, with no warning).
    """
    x = _input(input)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def sigmoid_backward(grad_output, input):
    """``grad * s * (1 - s)`` with ``s = sigmoid(x)``: the lecture's d sigma / dx = sigma(x)(1 - sigma(x))."""
    x = _input(input)
    s = sigmoid(x)
    return _grad(grad_output, x) * s * (1 - s)


def tanh(input):
    """Tanh: ``(exp(2x) - 1) / (exp(2x) + 1)``, from -1 to 1."""
    return np.tanh(_input(input))


def tanh_backward(grad_output, input):
    """``grad * (1 - tanh(x)^2)``."""
    x = _input(input)
    return _grad(grad_output, x) * (1 - np.tanh(x) ** 2)


def softplus(input, beta=1.0, threshold=20.0):
    """Softplus: ``ln(1 + exp(beta * x)) / beta``, a smooth ReLU.

    Where ``beta * x > threshold`` it returns ``x`` itself, as PyTorch does (the difference is
    below float precision, and exp would overflow for large x).
    """
    x = _input(input)
    beta, threshold = _softplus_args(beta, threshold)
    scaled = beta * x
    smooth = np.log1p(np.exp(np.minimum(scaled, threshold))) / beta
    return np.where(scaled > threshold, x, smooth).astype(x.dtype, copy=False)


def softplus_backward(grad_output, input, beta=1.0, threshold=20.0):
    """``grad * sigmoid(beta * x)``, and ``grad`` where ``beta * x > threshold``."""
    x = _input(input)
    beta, threshold = _softplus_args(beta, threshold)
    grad = _grad(grad_output, x)
    scaled = beta * x
    return np.where(scaled > threshold, grad, grad * sigmoid(scaled))


def _softplus_args(beta, threshold):
    beta, threshold = _number(beta, "beta"), _number(threshold, "threshold")
    if beta == 0:
        raise ValueError("beta must not be 0: softplus divides by it")
    return beta, threshold


def centered_softplus(input):
    """Centred softplus (lecture's table, 2011): ``ln(exp(x) + 1) - ln 2``, which passes through 0 at x = 0."""
    x = _input(input)
    return (np.logaddexp(x, 0) - np.log(2)).astype(x.dtype, copy=False)


def centered_softplus_backward(grad_output, input):
    """``grad * sigmoid(x)``: the constant ln 2 has no gradient."""
    x = _input(input)
    return _grad(grad_output, x) * sigmoid(x)


# ---------------------------------------------------------------------------- along one axis
def softmax(input, dim):
    """Softmax along ``dim``: ``exp(x_j) / sum_k exp(x_k)``, positive and summing to 1.

    The maximum along ``dim`` is subtracted first: the result is the same (it cancels between
    numerator and denominator) and ``exp`` never overflows, even at x = 1000.

    Parameters
    ----------
    input : ndarray, any shape, e.g. (N, C) logits
    dim : int
        The axis of the classes.
    """
    x = _input(input)
    axis = _dim(dim, x.ndim)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_backward(grad_output, input, dim):
    """``y * (grad - sum_k grad_k * y_k)`` with ``y = softmax(x)``, the product with softmax's Jacobian."""
    x = _input(input)
    y = softmax(x, dim)
    grad = _grad(grad_output, x)
    axis = _dim(dim, x.ndim)
    return y * (grad - (grad * y).sum(axis=axis, keepdims=True))


def log_softmax(input, dim):
    """Log-softmax along ``dim``: ``x_j - ln sum_k exp(x_k)``, computed as ``(x_j - m) - ln sum_k exp(x_k - m)``
    with ``m`` the maximum, so it stays finite where ``ln(softmax(x))`` would give ``ln 0 = -inf``."""
    x = _input(input)
    axis = _dim(dim, x.ndim)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def log_softmax_backward(grad_output, input, dim):
    """``grad - softmax(x) * sum_k grad_k``."""
    x = _input(input)
    grad = _grad(grad_output, x)
    axis = _dim(dim, x.ndim)
    return grad - softmax(x, dim) * grad.sum(axis=axis, keepdims=True)


# ----------------------------------------------------------------- the lecture's history table
#: The lecture's "History of Activation Functions" (seeds/003), one row per entry:
#: ``name``, ``formula`` (LaTeX, as on the slide), ``year``, and ``function``, the cnnlab function
#: computing it (None for APL, which needs learnt hinge parameters).
ACTIVATIONS = [
    {"name": "none", "formula": r"y = x", "year": None, "function": lambda x: _input(x).copy()},
    {"name": "sigmoid", "formula": r"y = \frac{1}{1+e^{-x}}", "year": 1986, "function": sigmoid},
    {"name": "tanh", "formula": r"y = \frac{e^{2x}-1}{e^{2x}+1}", "year": 1986, "function": tanh},
    {"name": "ReLU", "formula": r"y = \max(x, 0)", "year": 2010, "function": relu},
    {"name": "(centered) SoftPlus", "formula": r"y = \ln(e^x + 1) - \ln 2", "year": 2011,
     "function": centered_softplus},
    {"name": "LReLU", "formula": r"y = \max(x, \alpha x), \alpha \approx 0.01", "year": 2011, "function": leaky_relu},
    {"name": "maxout", "formula": r"y = \max(W_1x + b_1, W_2x + b_2)", "year": 2013, "function": maxout},
    {"name": "APL", "formula": r"y = \max(x, 0) + \sum_{s=1}^S a_i^s \max(0, -x + b_i^s)", "year": 2014,
     "function": None},
    {"name": "VLReLU", "formula": r"y = \max(x, \alpha x), \alpha \in 0.1, 0.5", "year": 2014,
     "function": lambda x, negative_slope=1 / 3: leaky_relu(x, negative_slope)},
    {"name": "RReLU", "formula": r"y = \max(x, \alpha x), \alpha = \text{random}(0.1, 0.5)", "year": 2015,
     "function": rrelu},
    {"name": "PReLU", "formula": r"y = \max(x, \alpha x), \alpha \text{ is learnable}", "year": 2015,
     "function": prelu},
    {"name": "ELU", "formula": r"y = x, \text{ if } x \geq 0, \text{ else } \alpha(e^x - 1)", "year": 2015,
     "function": elu},
]
