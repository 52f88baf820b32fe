"""Batch normalisation: give every channel zero mean and unit variance over the batch, then a learnt
scale and shift.

    z_hat = (z - E[z]) / sqrt(Var[z] + eps)          y = weight * z_hat + bias

In training, ``E[z]`` and ``Var[z]`` are the batch's own statistics (over the examples and, for
images, every pixel of the channel), and running estimates are updated:

    running_mean = (1 - momentum) * running_mean + momentum * batch mean
    running_var  = (1 - momentum) * running_var  + momentum * unbiased batch variance

At test time the running estimates replace the batch statistics, as PyTorch and TensorFlow do.
The per-channel sums are ``np.einsum`` reductions over an (N, C, L) view: one pass each, no copies.
"""
import numbers
from collections import namedtuple

import numpy as np

from .._validate import as_float_array, common_dtype
from ._work_arrays import scratch

__all__ = ["batch_norm", "batch_norm_backward"]


class _BatchNormCache(namedtuple("_BatchNormCache", "input mean inv_std weight input_shape")):
    """What backward needs: the input as (N, C, L), the mean and 1 / sqrt(var + eps) per channel, the
    weight and the input's shape.

    It keeps the input itself rather than a copy of ``x - mean``: a new array of the input's size costs
    a page fault per 4 KiB of fresh memory, more than recomputing ``x - mean`` into a reused buffer.
    (So the input must not change in place between forward and backward, as in PyTorch.)
    """

    @property
    def centred(self):
        """x - mean, shape (N, C, L)."""
        return self.input - self.mean[:, None]


def _as_ncl(x):
    """View (N, C), (N, C, L) or (N, C, H, W) as (N, C, L), so that every reduction is one einsum."""
    return x.reshape(x.shape[0], x.shape[1], -1)


def _rows(values, length):
    """Per-channel values (C,) as rows (C, L), each value repeated ``length`` times.

    NumPy combines an (N, C, L) array with a (C, L) one in N contiguous loops of C * L values, about
    1.5x faster than with the broadcast column ``values[:, None]`` (N * C short loops of L values).
    """
    return np.repeat(values, length).reshape(-1, length)


def _blocks(x3, block_bytes=2**18):
    """Slices of about ``block_bytes`` along the batch axis of ``x3`` (N, C, L).

    Several in-place passes over one block run while it is still in the CPU's cache, instead of each
    pass streaming the whole array from memory.
    """
    step = max(1, block_bytes // (x3[0].size * x3.itemsize))
    return [slice(start, start + step) for start in range(0, x3.shape[0], step)]


def _channel_vector(value, name, channels, dtype, default):
    if value is None:
        return None if default is None else np.full(channels, default, dtype)
    v = as_float_array(value, name, ndim=1)
    if v.shape != (channels,):
        raise ValueError(f"{name} must have shape ({channels},), one value per channel, got {v.shape}")
    return v


def _check_finite(sums, array, name):
    """Raise the usual error if ``array`` holds NaN or infinity, knowing its per-channel ``sums``.

    A sum is finite only when every value in it is, so the sums computed anyway check the whole array
    for free; only a non-finite sum (bad values, or a float32 sum that overflowed) needs the full check.
    """
    if not np.isfinite(sums).all():
        as_float_array(array, name)


def _check_buffer(buffer, name):
    """Running statistics are updated in place, so they must be float arrays already (not lists)."""
    if buffer is not None and not (isinstance(buffer, np.ndarray) and buffer.dtype in (np.float32, np.float64)):
        raise TypeError(f"{name} must be a float32 or float64 ndarray, updated in place, got {type(buffer).__name__}"
                        + (f" of dtype {buffer.dtype}" if isinstance(buffer, np.ndarray) else ""))


def _batch_norm_with_cache(input, running_mean, running_var, weight=None, bias=None, training=False,
                           momentum=0.1, eps=1e-5):
    """:func:`batch_norm` that also returns what :func:`_batch_norm_backward_from_cache` needs.

    Returns
    -------
    output : ndarray, the input's shape
    cache : _BatchNormCache
    """
    # In training the NaN check comes for free with the batch mean (see _check_finite).
    x = as_float_array(input, "input", ndim=(2, 3, 4), allow_nan=bool(training))
    if training:
        _check_buffer(running_mean, "running_mean")
        _check_buffer(running_var, "running_var")
    channels = x.shape[1]
    weight = _channel_vector(weight, "weight", channels, x.dtype, 1.0)
    bias = _channel_vector(bias, "bias", channels, x.dtype, 0.0)
    running_mean = _channel_vector(running_mean, "running_mean", channels, x.dtype, None)
    running_var = _channel_vector(running_var, "running_var", channels, x.dtype, None)
    if not isinstance(momentum, numbers.Real) or not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be a number between 0 and 1, got {momentum!r}")
    if not isinstance(eps, numbers.Real) or eps < 0:
        raise ValueError(f"eps must be a number at least 0, got {eps!r}")
    dtype = common_dtype(x, weight, bias)
    x = x.astype(dtype, copy=False)
    x3 = _as_ncl(x)
    count = x3.shape[0] * x3.shape[2]

    if training:
        if count < 2:
            raise ValueError(f"batch_norm in training needs more than 1 value per channel, got input shape {x.shape}")
        sums = np.einsum("ncl->c", x3)
        _check_finite(sums, input, "input")
        mean = sums / count
        # x - mean is computed straight into the output array, which is then scaled and shifted in place
        output = np.subtract(x3, _rows(mean, x3.shape[2]))
        var = np.einsum("ncl,ncl->c", output, output) / count
        if running_mean is not None:  # in place, as PyTorch updates its buffers
            running_mean *= 1 - momentum
            running_mean += momentum * mean
        if running_var is not None:
            running_var *= 1 - momentum
            running_var += momentum * var * count / (count - 1)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("running_mean and running_var are needed when training=False")
        mean, var = running_mean.astype(dtype), running_var.astype(dtype)
        output = np.subtract(x3, _rows(mean, x3.shape[2]))

    inv_std = (1 / np.sqrt(var + eps)).astype(dtype)
    weight = weight.astype(dtype, copy=False)
    # weight * (x - mean) * inv_std + bias, with the two per-channel factors folded into one
    scale, shift = _rows(weight * inv_std, x3.shape[2]), _rows(bias.astype(dtype, copy=False), x3.shape[2])
    output *= scale
    output += shift
    return output.reshape(x.shape), _BatchNormCache(x3, mean, inv_std, weight, x.shape)


def _batch_norm_backward_from_cache(grad_output, cache):
    """Gradients of training-mode batch norm from the forward's cache.

    With M values per channel, z_hat the normalised input and w the weight:

        grad_bias   = sum grad
        grad_weight = sum grad * z_hat
        grad_input  = (w / sqrt(var + eps)) * (grad - grad_bias / M - z_hat * grad_weight / M)

    Returns
    -------
    grad_input : ndarray, the input's shape
    grad_weight, grad_bias : ndarray, shape (C,)
    """
    # The NaN check comes for free with grad_bias, the sum of the gradient (see _check_finite).
    grad = as_float_array(grad_output, "grad_output", allow_nan=True)
    if grad.shape != cache.input_shape:
        raise ValueError(f"grad_output must have the input's shape {cache.input_shape}, got {grad.shape}")
    x3, inv_std = cache.input, cache.inv_std
    g3 = _as_ncl(grad.astype(x3.dtype, copy=False))
    count = g3.shape[0] * g3.shape[2]
    grad_bias = np.einsum("ncl->c", g3)
    _check_finite(grad_bias, grad_output, "grad_output")
    length = x3.shape[2]
    centred = np.subtract(x3, _rows(cache.mean, length), out=scratch("batch_norm_centred", x3.shape, x3.dtype))
    grad_weight = np.einsum("ncl,ncl->c", g3, centred) * inv_std  # sum grad * z_hat, z_hat = centred * inv_std
    scale = cache.weight * inv_std
    # the formula above with z_hat = centred * inv_std, in place to spare memory passes
    scale_rows = _rows(scale, length)
    centred_factor = _rows(scale * inv_std * grad_weight / count, length)
    shift = _rows(scale * grad_bias / count, length)
    grad_input = np.empty_like(g3)
    for block in _blocks(g3):
        part = np.multiply(g3[block], scale_rows, out=grad_input[block])
        part -= np.multiply(centred[block], centred_factor, out=centred[block])
        part -= shift
    return grad_input.reshape(cache.input_shape), grad_weight, grad_bias


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Batch normalisation per channel (axis 1), as ``torch.nn.functional.batch_norm``.

        y = weight * (x - mean) / sqrt(var + eps) + bias

    Parameters
    ----------
    input : ndarray, shape (N, C), (N, C, L) or (N, C, H, W)
    running_mean, running_var : ndarray, shape (C,), or None in training
        Updated in place when ``training`` is True: the batch mean and the *unbiased* batch
        variance (divided by M - 1) enter with weight ``momentum``. The normalisation itself uses
        the biased variance (divided by M), as PyTorch.
    weight, bias : ndarray, shape (C,), optional
        The learnt scale (gamma, default 1) and shift (beta, default 0).
    training : bool
        Normalise with the batch's statistics (True) or with the running ones (False).
    momentum : float
    eps : float
        Added to the variance, so a constant channel does not divide by zero.

    Returns
    -------
    ndarray, the input's shape
    """
    return _batch_norm_with_cache(input, running_mean, running_var, weight, bias, training, momentum, eps)[0]


def batch_norm_backward(grad_output, input, weight=None, bias=None, eps=1e-5):
    """Gradients of :func:`batch_norm` in training mode (the batch statistics depend on the input too).

    Parameters
    ----------
    grad_output : ndarray, the input's shape
    input : ndarray, shape (N, C), (N, C, L) or (N, C, H, W)
    weight, bias : ndarray, shape (C,), optional

    Returns
    -------
    grad_input : ndarray, the input's shape
    grad_weight, grad_bias : ndarray, shape (C,)
    """
    _, cache = _batch_norm_with_cache(input, None, None, weight, bias, training=True, eps=eps)
    return _batch_norm_backward_from_cache(grad_output, cache)
