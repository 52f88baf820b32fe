"""Batch normalization: give every channel zero mean and unit variance over the batch, then a learnt
scale and shift.

    z_hat = (z - E[z]) / sqrt(Var[z] + eps)          y = weight * z_hat + bias

In training, ``E[z]`` and ``Var[z]`` are the batch's own statistics (over the examples and, for
images, every pixel of the channel), and running estimates are updated:

    running_mean = (1 - momentum) * running_mean + momentum * batch mean
    running_var  = (1 - momentum) * running_var  + momentum * unbiased batch variance

At test time the running estimates replace the batch statistics, as PyTorch and TensorFlow do.

Backward, with the chain rule. In evaluation mode mean and variance are constants, so the layer is a
per-channel ``scale * x + shift``: ``grad_input = grad * weight / sqrt(var + eps)``. In training the
mean and variance depend on every input too, which adds two terms (M values per channel)::

    grad_input = weight / sqrt(var + eps) * (grad - mean(grad) - z_hat * mean(grad * z_hat))

This file opens with that reference (:func:`batch_norm_naive_forward`, :func:`batch_norm_naive_backward`);
the public :func:`batch_norm_forward` / :func:`batch_norm_backward` compute the same with fewer passes
over memory: in fused loops compiled by numba where it is installed (``fast/normalization_fused.py``),
else in NumPy's passes (``fast/normalization.py``).
"""
import numbers

import numpy as np

from .._validate import as_float_array, common_dtype, output_gradient
from .context import Context, check_context
from .fast import jit
from .fast import normalization as numpy_passes
from .fast import normalization_fused as fused

__all__ = ["batch_norm_naive_forward", "batch_norm_naive_backward",
           "batch_norm_forward", "batch_norm_backward", "batch_norm"]

_INPUTS = ("input", "weight", "bias")


# ------------------------------------------------------------------------------ the reference
def batch_norm_naive_forward(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
                             eps=1e-5, *, needs_input_grad=None):
    """:func:`batch_norm_forward` straight from the formulas, with NumPy's mean and var.

    Same arguments and results as :func:`batch_norm_forward`; its ``ctx`` goes to
    :func:`batch_norm_naive_backward`.
    """
    x, running_mean, running_var, w, b, training = _check(input, running_mean, running_var, weight, bias, training,
                                                          momentum, eps)
    axes = (0,) + tuple(range(2, x.ndim))  # every axis but the channels
    channel = (1, -1) + (1,) * (x.ndim - 2)  # per-channel values, shaped to broadcast over x
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        count = x.size // x.shape[1]
        if running_mean is not None:
            running_mean[...] = (1 - momentum) * running_mean + momentum * mean
        if running_var is not None:
            running_var[...] = (1 - momentum) * running_var + momentum * var * count / (count - 1)
    else:
        mean, var = running_mean.astype(x.dtype), running_var.astype(x.dtype)
    z_hat = (x - mean.reshape(channel)) / np.sqrt(var.reshape(channel) + eps)
    output = w.reshape(channel) * z_hat + b.reshape(channel)
    ctx = Context("batch_norm_naive", _INPUTS, needs_input_grad, saved={"z_hat": z_hat, "weight": w, "var": var},
                  options={"training": training, "eps": eps, "has_weight": weight is not None,
                           "has_bias": bias is not None})
    return output.astype(x.dtype, copy=False), ctx


def batch_norm_naive_backward(grad_output, ctx):
    """:func:`batch_norm_backward` straight from the chain rule; returns ``(grad_input, grad_weight, grad_bias)``."""
    ctx = check_context(ctx, "batch_norm_naive")
    z_hat, w, var = ctx.saved["z_hat"], ctx.saved["weight"], ctx.saved["var"]
    g = output_gradient(grad_output, z_hat.shape).astype(z_hat.dtype, copy=False)
    axes = (0,) + tuple(range(2, g.ndim))
    channel = (1, -1) + (1,) * (g.ndim - 2)
    grad_bias = g.sum(axis=axes)                # y = weight * z_hat + bias
    grad_weight = (g * z_hat).sum(axis=axes)
    grad_z_hat = g * w.reshape(channel)
    inv_std = 1 / np.sqrt(var.reshape(channel) + ctx.options["eps"])
    if ctx.options["training"]:  # the mean and the variance move with every input too
        grad_input = inv_std * (grad_z_hat - grad_z_hat.mean(axis=axes, keepdims=True)
                                - z_hat * (grad_z_hat * z_hat).mean(axis=axes, keepdims=True))
    else:
        grad_input = inv_std * grad_z_hat
    return ctx.grads(grad_input, grad_weight if ctx.options["has_weight"] else None,
                     grad_bias if ctx.options["has_bias"] else None)


# ----------------------------------------------------------- the public contract, on the fast path
def _fast(x3):
    """The fused loops for ``x3`` where numba is there and not switched off (CNNLAB_NUMBA=0), and ``x3`` is
    not small (``fast/jit.py``), else NumPy's passes.

    Both take and give the same arrays, so a forward pass on one may be followed by backward on the other.
    """
    return fused if jit.worth(x3) else numpy_passes


def batch_norm_forward(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
                       eps=1e-5, *, needs_input_grad=None):
    """Batch normalization per channel (axis 1), as ``torch.nn.functional.batch_norm``, and its ``ctx``.

        y = weight * (x - mean) / sqrt(var + eps) + bias

    Parameters
    ----------
    input : ndarray, shape (N, C), (N, C, L) or (N, C, H, W)
    running_mean, running_var : ndarray, shape (C,), or None in training
        Updated in place when ``training`` is True: the batch mean and the *unbiased* batch
        variance (divided by M - 1) enter with weight ``momentum``. The normalization itself uses
        the biased variance (divided by M), as PyTorch.
    weight, bias : ndarray, shape (C,), optional
        The learnt scale (gamma, default 1) and shift (beta, default 0).
    training : bool
        Normalize with the batch's statistics (True) or with the running ones (False).
    momentum : float
    eps : float
        Added to the variance, so a constant channel does not divide by zero.
    needs_input_grad : (bool, bool, bool), optional
        For input, weight and bias.

    Returns
    -------
    output : ndarray, the input's shape
    ctx : Context
        The input (not a copy: it must not change in place before backward, as in PyTorch), the mean
        and ``1 / sqrt(var + eps)`` per channel, and the weight.
    """
    x, running_mean, running_var, w, b, training = _check(input, running_mean, running_var, weight, bias, training,
                                                          momentum, eps)
    x3 = numpy_passes.as_ncl(x)
    fast = _fast(x3)
    centered = None
    if training:
        mean, var, centered = fast.batch_statistics(x3, input)
        count = x3.shape[0] * x3.shape[2]
        if running_mean is not None:  # in place, as PyTorch updates its buffers
            running_mean *= 1 - momentum
            running_mean += momentum * mean
        if running_var is not None:
            running_var *= 1 - momentum
            running_var += momentum * var * count / (count - 1)
    else:
        mean, var = running_mean.astype(x.dtype), running_var.astype(x.dtype)
    output, inv_std = fast.normalize(x3, mean, var, w, b, eps, centered)
    ctx = Context("batch_norm", _INPUTS, needs_input_grad, saved={"input": x3, "mean": mean, "inv_std": inv_std,
                                                                  "weight": w},
                  options={"training": training, "input_shape": x.shape, "has_weight": weight is not None,
                           "has_bias": bias is not None})
    return output.reshape(x.shape), ctx


def batch_norm_backward(grad_output, ctx):
    """Gradients of :func:`batch_norm_forward`, in training or in evaluation mode (as its forward ran).

    Returns
    -------
    grad_input : ndarray, the input's shape
    grad_weight, grad_bias : ndarray, shape (C,), or None when not given to forward
    """
    ctx = check_context(ctx, "batch_norm")
    saved, options = ctx.saved, ctx.options
    x3 = saved["input"]
    fast = _fast(x3)
    if options["training"]:  # the NaN check of grad_output comes for free with its sum
        grad = as_float_array(grad_output, "grad_output", allow_nan=True)
        if grad.shape != options["input_shape"]:
            raise ValueError(f"grad_output must have the input's shape {options['input_shape']}, got {grad.shape}")
        g3 = numpy_passes.as_ncl(grad.astype(x3.dtype, copy=False))
        grads = fast.backward_training(g3, grad_output, x3, saved["mean"], saved["inv_std"], saved["weight"])
    else:
        g3 = numpy_passes.as_ncl(output_gradient(grad_output, options["input_shape"]).astype(x3.dtype, copy=False))
        grads = fast.backward_fixed_statistics(g3, x3, saved["mean"], saved["inv_std"], saved["weight"])
    grad_input, grad_weight, grad_bias = grads
    return ctx.grads(grad_input.reshape(options["input_shape"]), grad_weight if options["has_weight"] else None,
                     grad_bias if options["has_bias"] else None)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Batch normalization per channel; see :func:`batch_norm_forward`."""
    return batch_norm_forward(input, running_mean, running_var, weight, bias, training, momentum, eps)[0]


# ------------------------------------------------------------------------------ argument checks
def _channel_vector(value, name, channels, default, dtype=None):
    if value is None:
        return None if default is None else np.full(channels, default, dtype)
    v = as_float_array(value, name, ndim=1)
    if v.shape != (channels,):
        raise ValueError(f"{name} must have shape ({channels},), one value per channel, got {v.shape}")
    return v


def _check_buffer(buffer, name):
    """Running statistics are updated in place, so they must be float arrays already (not lists)."""
    if buffer is not None and not (isinstance(buffer, np.ndarray) and buffer.dtype in (np.float32, np.float64)):
        raise TypeError(f"{name} must be a float32 or float64 ndarray, updated in place, got {type(buffer).__name__}"
                        + (f" of dtype {buffer.dtype}" if isinstance(buffer, np.ndarray) else ""))


def _check(input, running_mean, running_var, weight, bias, training, momentum, eps):
    """The checked arrays ``(x, running_mean, running_var, weight, bias, training)``, in one dtype."""
    training = bool(training)
    # In training the NaN check comes for free with the batch mean (see fast.batch_statistics).
    x = as_float_array(input, "input", ndim=(2, 3, 4), allow_nan=training)
    if training:
        _check_buffer(running_mean, "running_mean")
        _check_buffer(running_var, "running_var")
    channels = x.shape[1]
    running_mean = _channel_vector(running_mean, "running_mean", channels, None)
    running_var = _channel_vector(running_var, "running_var", channels, None)
    if running_var is not None and running_var.size and running_var.min() < 0:
        raise ValueError(f"running_var must hold variances, at least 0, got a minimum of {float(running_var.min())}")
    if not isinstance(momentum, numbers.Real) or not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be a number between 0 and 1, got {momentum!r}")
    if not isinstance(eps, numbers.Real) or eps < 0:
        raise ValueError(f"eps must be a number at least 0, got {eps!r}")
    if training and x.size // channels < 2:
        raise ValueError(f"batch_norm in training needs more than 1 value per channel, got input shape {x.shape}")
    if not training and (running_mean is None or running_var is None):
        raise ValueError("running_mean and running_var are needed when training=False")
    w = _channel_vector(weight, "weight", channels, 1.0, x.dtype)
    b = _channel_vector(bias, "bias", channels, 0.0, x.dtype)
    dtype = common_dtype(x, w, b)
    return (x.astype(dtype, copy=False), running_mean, running_var, w.astype(dtype, copy=False),
            b.astype(dtype, copy=False), training)
