"""Activation functions: the non-linearity after each convolution or dense layer.

Without them a stack of layers collapses into one linear map. Each function works element-wise
(softmax, log_softmax and maxout along one axis) and keeps the input's shape and dtype. Each has the
contract of :mod:`.context`: ``out, ctx = f_forward(input, ...)`` keeps what the derivative needs, and
``f_backward(grad_output, ctx)`` multiplies ``grad_output`` by the local derivative ``f'(x)`` (the chain
rule); ``f(input, ...)`` is the forward alone.

The lecture's history table of activations is the course's: ``cnnlab.teaching.activations.catalog``.
"""
import numbers

import numpy as np

from .._validate import as_float_array, common_dtype, generator
from .context import Context, check_context
from .fast import activation as fast

__all__ = [
    "relu_forward", "relu_backward", "relu",
    "leaky_relu_forward", "leaky_relu_backward", "leaky_relu",
    "elu_forward", "elu_backward", "elu",
    "prelu_forward", "prelu_backward", "prelu",
    "rrelu_forward", "rrelu_backward", "rrelu",
    "noisy_relu_forward", "noisy_relu_backward", "noisy_relu",
    "maxout_forward", "maxout_backward", "maxout",
    "sigmoid_forward", "sigmoid_backward", "sigmoid",
    "tanh_forward", "tanh_backward", "tanh",
    "softplus_forward", "softplus_backward", "softplus",
    "centered_softplus_forward", "centered_softplus_backward", "centered_softplus",
    "softmax_forward", "softmax_backward", "softmax",
    "log_softmax_forward", "log_softmax_backward", "log_softmax",
]


def _input(input):
    return as_float_array(input, "input")


def _context(function, needs_input_grad, **saved):
    """The ctx of a one-input activation: ``saved`` holds what its derivative needs."""
    return Context(function, ("input",), needs_input_grad, saved=saved)


def _local_gradient(grad_output, ctx, function, shape_of="local"):
    """``grad_output`` checked against the shape of ``ctx.saved[shape_of]`` (the input's shape), and ``ctx``."""
    ctx = check_context(ctx, function)
    grad = as_float_array(grad_output, "grad_output")
    shape = np.shape(ctx.saved[shape_of])
    if grad.shape != shape:
        raise ValueError(f"grad_output must have the input's shape {shape}, got {grad.shape}")
    return grad, ctx


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


# --------------------------------------------------------------------------------- the ReLU family
def relu_forward(input, *, needs_input_grad=None):
    """ReLU: ``max(0, x)``. The ctx keeps only where ``x > 0`` (a bool mask, a quarter of a float32 copy)."""
    x = _input(input)
    if x.ndim == 0:
        output = np.maximum(x, 0, dtype=x.dtype)
        return output, _context("relu", needs_input_grad, local=output > 0)
    output, positive = fast.relu_forward(x)  # the same two passes, on two threads for a large batch
    return output, _context("relu", needs_input_grad, local=positive)


def relu_backward(grad_output, ctx):
    """``grad * (x > 0)``; at exactly 0 the gradient is 0, as in PyTorch."""
    grad, ctx = _local_gradient(grad_output, ctx, "relu")
    if grad.ndim == 0:
        return ctx.grads(grad * ctx.saved["local"])
    return ctx.grads(fast.relu_backward(grad, ctx.saved["local"]))


def relu(input):
    """ReLU: ``max(0, x)``."""
    x = _input(input)
    return np.maximum(x, 0, dtype=x.dtype)


def leaky_relu_forward(input, negative_slope=0.01, *, needs_input_grad=None):
    """Leaky ReLU: ``x if x > 0 else negative_slope * x`` (the lecture's max(0.1x, x) is slope 0.1)."""
    x = _input(input)
    slope = x.dtype.type(_number(negative_slope, "negative_slope"))
    return np.where(x > 0, x, x * slope), _context("leaky_relu", needs_input_grad, local=np.where(x > 0, 1, slope))


def leaky_relu_backward(grad_output, ctx):
    """``grad * (1 if x > 0 else negative_slope)``."""
    grad, ctx = _local_gradient(grad_output, ctx, "leaky_relu")
    return ctx.grads(grad * ctx.saved["local"])


def leaky_relu(input, negative_slope=0.01):
    """Leaky ReLU: ``x if x > 0 else negative_slope * x``."""
    return leaky_relu_forward(input, negative_slope)[0]


def elu_forward(input, alpha=1.0, *, needs_input_grad=None):
    """ELU: ``x if x > 0 else alpha * (exp(x) - 1)``."""
    x = _input(input)
    alpha = x.dtype.type(_number(alpha, "alpha"))
    negative = alpha * np.exp(np.minimum(x, 0))
    output = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    # the derivative: 1 above 0, alpha * exp(x) below
    return output, _context("elu", needs_input_grad, local=np.where(x > 0, 1, negative).astype(x.dtype, copy=False))


def elu_backward(grad_output, ctx):
    """``grad * (1 if x > 0 else alpha * exp(x))``."""
    grad, ctx = _local_gradient(grad_output, ctx, "elu")
    return ctx.grads(grad * ctx.saved["local"])


def elu(input, alpha=1.0):
    """ELU: ``x if x > 0 else alpha * (exp(x) - 1)``."""
    return elu_forward(input, alpha)[0]


def prelu_forward(input, weight, *, needs_input_grad=None):
    """PReLU: leaky ReLU whose slope ``a`` is learnt: ``x if x > 0 else a * x``.

    Parameters
    ----------
    input : ndarray, shape (N, C, ...)
    weight : ndarray, shape (1,) or (C,)
        One slope shared by all channels, or one per channel (axis 1), as PyTorch.
    needs_input_grad : (bool, bool), optional
    """
    x, slope = _prelu_args(input, weight)
    ctx = Context("prelu", ("input", "weight"), needs_input_grad, saved={"input": x, "slope": slope},
                  options={"weight_shape": np.shape(weight)})
    return np.where(x > 0, x, slope * x), ctx


def prelu_backward(grad_output, ctx):
    """Gradients of :func:`prelu_forward`.

    Returns
    -------
    grad_input : ndarray, shape of input
        ``grad * (1 if x > 0 else a)``
    grad_weight : ndarray, shape of weight
        ``sum of grad * x`` over the negative inputs (of each channel, when there is one slope per channel).
    """
    grad, ctx = _local_gradient(grad_output, ctx, "prelu", shape_of="input")
    x, slope, weight_shape = ctx.saved["input"], ctx.saved["slope"], ctx.options["weight_shape"]
    grad_input = np.where(x > 0, grad, slope * grad)
    contribution = np.where(x > 0, 0, grad * x)
    if np.prod(weight_shape, dtype=int) == 1:
        grad_weight = np.reshape(contribution.sum(), weight_shape)
    else:
        grad_weight = contribution.sum(axis=tuple(a for a in range(x.ndim) if a != 1))
    return ctx.grads(grad_input, grad_weight.astype(slope.dtype))


def prelu(input, weight):
    """PReLU: ``x if x > 0 else weight * x``; see :func:`prelu_forward`."""
    return prelu_forward(input, weight)[0]


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
        return generator(rng).uniform(lower, upper, size=shape).astype(dtype)
    return np.full(shape, (lower + upper) / 2, dtype)


def rrelu_forward(input, lower=1.0 / 8, upper=1.0 / 3, training=False, rng=None, *, needs_input_grad=None):
    """Randomized leaky ReLU: ``x if x > 0 else a * x``, with ``a ~ Uniform(lower, upper)`` per element
    in training and ``a = (lower + upper) / 2`` otherwise.

    PyTorch's defaults are lower = 1/8 and upper = 1/3; the lecture's table writes the slope as
    random(0.1, 0.5) (Xu et al. 2015 sample 1/a from U(3, 8), the same range as PyTorch).

    Parameters
    ----------
    input : ndarray, any shape
    rng : None, int or numpy.random.Generator
        Draws the slopes in training; the ctx keeps them for backward.
    """
    x = _input(input)
    slopes = _rrelu_slopes(x.shape, lower, upper, training, rng, x.dtype)
    return np.where(x > 0, x, slopes * x), _context("rrelu", needs_input_grad, local=np.where(x > 0, 1, slopes))


def rrelu_backward(grad_output, ctx):
    """``grad * (1 if x > 0 else a)``, with the slopes ``a`` forward drew."""
    grad, ctx = _local_gradient(grad_output, ctx, "rrelu")
    return ctx.grads(grad * ctx.saved["local"])


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, rng=None):
    """Randomized leaky ReLU; see :func:`rrelu_forward`."""
    return rrelu_forward(input, lower, upper, training, rng)[0]


def noisy_relu_forward(input, sigma=1.0, rng=None, *, needs_input_grad=None):
    """Noisy ReLU: ``max(0, x + eps)`` with ``eps ~ N(0, sigma)`` drawn afresh for every element.

    Parameters
    ----------
    input : ndarray, any shape
    sigma : float
        The standard deviation of the noise.
    rng : None, int or numpy.random.Generator
        Draws the noise; the ctx keeps where ``x + eps > 0`` for backward.
    """
    x = _input(input)
    noisy = x + generator(rng).normal(0.0, _number(sigma, "sigma", minimum=0), size=x.shape).astype(x.dtype)
    return np.maximum(noisy, 0, dtype=x.dtype), _context("noisy_relu", needs_input_grad, local=noisy > 0)


def noisy_relu_backward(grad_output, ctx):
    """``grad * (x + eps > 0)``, with the noise ``eps`` forward drew."""
    grad, ctx = _local_gradient(grad_output, ctx, "noisy_relu")
    return ctx.grads(grad * ctx.saved["local"])


def noisy_relu(input, sigma=1.0, rng=None):
    """Noisy ReLU; see :func:`noisy_relu_forward`."""
    return noisy_relu_forward(input, sigma, rng)[0]


def maxout_forward(input, num_pieces, dim=1, *, needs_input_grad=None):
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
    output : ndarray, shape (N, C // num_pieces, ...)
    ctx : Context
        Which piece of each group won (the first one when several tie).
    """
    grouped, axis = _maxout_groups(input, num_pieces, dim)
    winner = np.expand_dims(grouped.argmax(axis=axis + 1), axis + 1)
    ctx = Context("maxout", ("input",), needs_input_grad, saved={"winner": winner},
                  options={"grouped_shape": grouped.shape, "axis": axis, "input_shape": np.shape(input)})
    return grouped.max(axis=axis + 1), ctx


def maxout_backward(grad_output, ctx):
    """Each group's gradient goes to its (first) largest piece; the other pieces get 0."""
    ctx = check_context(ctx, "maxout")
    grouped_shape, axis = ctx.options["grouped_shape"], ctx.options["axis"]
    grad = as_float_array(grad_output, "grad_output")
    expected = grouped_shape[:axis + 1] + grouped_shape[axis + 2:]
    if grad.shape != expected:
        raise ValueError(f"grad_output must have the output's shape {expected}, got {grad.shape}")
    grad_grouped = np.zeros(grouped_shape, grad.dtype)
    np.put_along_axis(grad_grouped, ctx.saved["winner"], np.expand_dims(grad, axis + 1), axis=axis + 1)
    return ctx.grads(grad_grouped.reshape(ctx.options["input_shape"]))


def maxout(input, num_pieces, dim=1):
    """Maxout: the largest of ``num_pieces`` consecutive channels; see :func:`maxout_forward`."""
    grouped, axis = _maxout_groups(input, num_pieces, dim)
    return grouped.max(axis=axis + 1)


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
def sigmoid_forward(input, *, needs_input_grad=None):
    """Sigmoid: ``1 / (1 + exp(-x))``, from 0 to 1.

    Computed without overflow: for x < 0 as ``exp(x) / (1 + exp(x))``, so ``exp`` only ever sees
    a number <= 0 (sigmoid(-1000) is 0, with no warning). The ctx keeps the output ``s``.
    """
    x = _input(input)
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
    return s, _context("sigmoid", needs_input_grad, output=s)


def sigmoid_backward(grad_output, ctx):
    """``grad * s * (1 - s)`` with ``s = sigmoid(x)``: the lecture's d sigma / dx = sigma(x)(1 - sigma(x))."""
    grad, ctx = _local_gradient(grad_output, ctx, "sigmoid", shape_of="output")
    s = ctx.saved["output"]
    return ctx.grads(grad * s * (1 - s))


def sigmoid(input):
    """Sigmoid: ``1 / (1 + exp(-x))``; see :func:`sigmoid_forward`."""
    return sigmoid_forward(input)[0]


def tanh_forward(input, *, needs_input_grad=None):
    """Tanh: ``(exp(2x) - 1) / (exp(2x) + 1)``, from -1 to 1. The ctx keeps the output."""
    t = np.tanh(_input(input))
    return t, _context("tanh", needs_input_grad, output=t)


def tanh_backward(grad_output, ctx):
    """``grad * (1 - tanh(x)^2)``."""
    grad, ctx = _local_gradient(grad_output, ctx, "tanh", shape_of="output")
    return ctx.grads(grad * (1 - ctx.saved["output"] ** 2))


def tanh(input):
    """Tanh, from -1 to 1."""
    return np.tanh(_input(input))


def softplus_forward(input, beta=1.0, threshold=20.0, *, needs_input_grad=None):
    """Softplus: ``ln(1 + exp(beta * x)) / beta``, a smooth ReLU.

    Where ``beta * x > threshold`` it returns ``x`` itself, as PyTorch does (the difference is
    below float precision, and exp would overflow for large x).
    """
    x = _input(input)
    beta, threshold = _softplus_args(beta, threshold)
    scaled = beta * x
    smooth = np.log1p(np.exp(np.minimum(scaled, threshold))) / beta
    output = np.where(scaled > threshold, x, smooth).astype(x.dtype, copy=False)
    # the derivative: sigmoid(beta * x), and 1 where the output is x itself
    local = np.where(scaled > threshold, 1, sigmoid(scaled)).astype(x.dtype, copy=False)
    return output, _context("softplus", needs_input_grad, local=local)


def softplus_backward(grad_output, ctx):
    """``grad * sigmoid(beta * x)``, and ``grad`` where ``beta * x > threshold``."""
    grad, ctx = _local_gradient(grad_output, ctx, "softplus")
    return ctx.grads(grad * ctx.saved["local"])


def softplus(input, beta=1.0, threshold=20.0):
    """Softplus: ``ln(1 + exp(beta * x)) / beta``; see :func:`softplus_forward`."""
    return softplus_forward(input, beta, threshold)[0]


def _softplus_args(beta, threshold):
    beta, threshold = _number(beta, "beta"), _number(threshold, "threshold")
    if beta == 0:
        raise ValueError("beta must not be 0: softplus divides by it")
    return beta, threshold


def centered_softplus_forward(input, *, needs_input_grad=None):
    """Centered softplus (lecture's table, 2011): ``ln(exp(x) + 1) - ln 2``, which passes through 0 at x = 0."""
    x = _input(input)
    output = (np.logaddexp(x, 0) - np.log(2)).astype(x.dtype, copy=False)
    return output, _context("centered_softplus", needs_input_grad, local=sigmoid(x))


def centered_softplus_backward(grad_output, ctx):
    """``grad * sigmoid(x)``: the constant ln 2 has no gradient."""
    grad, ctx = _local_gradient(grad_output, ctx, "centered_softplus")
    return ctx.grads(grad * ctx.saved["local"])


def centered_softplus(input):
    """Centered softplus: ``ln(exp(x) + 1) - ln 2``."""
    return centered_softplus_forward(input)[0]


# ---------------------------------------------------------------------------- along one axis
def softmax_forward(input, dim, *, needs_input_grad=None):
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
    y = e / e.sum(axis=axis, keepdims=True)
    return y, Context("softmax", ("input",), needs_input_grad, saved={"output": y}, options={"axis": axis})


def softmax_backward(grad_output, ctx):
    """``y * (grad - sum_k grad_k * y_k)`` with ``y = softmax(x)``, the product with softmax's Jacobian."""
    grad, ctx = _local_gradient(grad_output, ctx, "softmax", shape_of="output")
    y = ctx.saved["output"]
    return ctx.grads(y * (grad - (grad * y).sum(axis=ctx.options["axis"], keepdims=True)))


def softmax(input, dim):
    """Softmax along ``dim``; see :func:`softmax_forward`."""
    return softmax_forward(input, dim)[0]


def log_softmax_forward(input, dim, *, needs_input_grad=None):
    """Log-softmax along ``dim``: ``x_j - ln sum_k exp(x_k)``, computed as ``(x_j - m) - ln sum_k exp(x_k - m)``
    with ``m`` the maximum, so it stays finite where ``ln(softmax(x))`` would give ``ln 0 = -inf``."""
    x = _input(input)
    axis = _dim(dim, x.ndim)
    shifted = x - x.max(axis=axis, keepdims=True)
    output = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return output, Context("log_softmax", ("input",), needs_input_grad, saved={"output": output},
                           options={"axis": axis})


def log_softmax_backward(grad_output, ctx):
    """``grad - softmax(x) * sum_k grad_k``, with ``softmax(x) = exp(log_softmax(x))``."""
    grad, ctx = _local_gradient(grad_output, ctx, "log_softmax", shape_of="output")
    softmax_x = np.exp(ctx.saved["output"])
    return ctx.grads(grad - softmax_x * grad.sum(axis=ctx.options["axis"], keepdims=True))


def log_softmax(input, dim):
    """Log-softmax along ``dim``; see :func:`log_softmax_forward`."""
    return log_softmax_forward(input, dim)[0]
