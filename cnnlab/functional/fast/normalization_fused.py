"""Batch norm in fused loops (numba, see :mod:`.jit`): the functions of ``fast/normalization.py``, same
arguments and results, with each pass over the data doing all of its work at once.

Training forward reads the input three times (its sums, the squared deviations from the mean, then
the output) and backward reads the gradient and the input twice (sums, then the gradient), where
NumPy needs about five passes each way. Per-channel sums are kept in float64, for both dtypes.

The loops over (N, C, L) split the batch with ``jit.prange``, so that large arrays run on two threads
(:func:`.parallel.fused_run`). The sums are kept per image and added afterwards, in the same order
on one thread or two.

Every function takes arrays already checked by ``functional/normalization.py``.
"""
import numpy as np

from . import jit
from .jit import compiled
from .normalization import check_finite
from .parallel import fused_run

__all__ = []

# ------------------------------------------------------------------------- the loops, compiled
@compiled
def _sums(x3):
    """Per image and channel, ``sum x`` over ``x3`` (N, C, L): shape (N, C), float64."""
    batch, channels, length = x3.shape
    sums = np.empty((batch, channels))
    for n in jit.prange(batch):
        for c in range(channels):
            total = 0.0
            for i in range(length):
                total += np.float64(x3[n, c, i])
            sums[n, c] = total
    return sums


@compiled
def _squared_deviations(x3, mean):
    """Per image and channel, ``sum (x - mean)**2`` over ``x3`` (N, C, L): shape (N, C), float64.

    A second pass, after the mean: as accurate as NumPy's ``var``, where the one-pass
    ``E[x**2] - E[x]**2`` loses digits to cancellation.
    """
    batch, channels, length = x3.shape
    squares = np.empty((batch, channels))
    for n in jit.prange(batch):
        for c in range(channels):
            total, m = 0.0, mean[c]
            for i in range(length):
                d = np.float64(x3[n, c, i]) - m
                total += d * d
            squares[n, c] = total
    return squares


@compiled
def _scale_and_shift(x3, mean, scale, bias, out):
    """``out = (x - mean) * scale + bias`` per channel of ``x3`` (N, C, L)."""
    batch, channels, length = x3.shape
    for n in jit.prange(batch):
        for c in range(channels):
            m, s, b = mean[c], scale[c], bias[c]
            for i in range(length):
                out[n, c, i] = (x3[n, c, i] - m) * s + b


@compiled
def _gradient_sums(g3, x3, mean):
    """Per image and channel, ``sum grad`` and ``sum grad * (x - mean)`` (all (N, C, L)): shape (2, N, C), float64."""
    batch, channels, length = x3.shape
    sums = np.empty((2, batch, channels))
    for n in jit.prange(batch):
        for c in range(channels):
            total, total_products, m = 0.0, 0.0, mean[c]
            for i in range(length):
                g = np.float64(g3[n, c, i])
                total += g
                total_products += g * (np.float64(x3[n, c, i]) - m)
            sums[0, n, c] = total
            sums[1, n, c] = total_products
    return sums


@compiled
def _input_gradient(g3, x3, mean, scale, centered_factor, shift, out):
    """``out = grad * scale - (x - mean) * centered_factor - shift`` per channel (all (N, C, L))."""
    batch, channels, length = x3.shape
    for n in jit.prange(batch):
        for c in range(channels):
            m, s, f, h = mean[c], scale[c], centered_factor[c], shift[c]
            for i in range(length):
                out[n, c, i] = g3[n, c, i] * s - (x3[n, c, i] - m) * f - h


# ------------------------------------------------------------ the functions of fast/normalization.py
def _summed(loop, x3, *arrays):
    """The per-image, per-channel sums of ``loop(*arrays)`` (..., N, C), added over the images in float64."""
    with np.errstate(invalid="ignore"):  # inf - inf is NaN, which the caller's check then names
        return fused_run(loop, x3, *arrays).sum(axis=-2)


def batch_statistics(x3, input):
    """The batch mean and biased variance per channel of ``x3`` (N, C, L), and None (nothing to reuse).

    ``input`` is the caller's array, named in the error when ``x3`` holds NaN or infinity.
    """
    count = x3.shape[0] * x3.shape[2]
    sums = _summed(_sums, x3, x3)
    check_finite(sums, input, "input")
    mean = sums / count
    variance = _summed(_squared_deviations, x3, x3, mean) / count
    return mean.astype(x3.dtype), variance.astype(x3.dtype), None


def normalize(x3, mean, var, weight, bias, eps, centered=None):
    """``weight * (x - mean) / sqrt(var + eps) + bias`` of ``x3`` (N, C, L), and ``1 / sqrt(var + eps)``."""
    inv_std = (1 / np.sqrt(var + eps)).astype(x3.dtype)
    output = np.empty_like(x3)
    scale = weight * inv_std
    fused_run(_scale_and_shift, x3, x3, mean, scale, bias, output)
    return output, inv_std


def backward_training(g3, grad_output, x3, mean, inv_std, weight):
    """Gradients of training-mode batch norm (the formulas of ``fast/normalization.py``), in two fused passes.

    Returns
    -------
    grad_input : ndarray, shape (N, C, L)
    grad_weight, grad_bias : ndarray, shape (C,)
    """
    count = g3.shape[0] * g3.shape[2]
    grad_bias, grad_dot_centered = _summed(_gradient_sums, x3, g3, x3, mean.astype(np.float64))
    check_finite(grad_bias, grad_output, "grad_output")
    grad_weight = grad_dot_centered * inv_std  # sum grad * z_hat, z_hat = (x - mean) * inv_std
    scale = weight * inv_std
    dtype = x3.dtype
    centered_factor = (scale * inv_std * grad_weight / count).astype(dtype)
    shift = (scale * grad_bias / count).astype(dtype)
    grad_input = np.empty_like(g3)
    fused_run(_input_gradient, x3, g3, x3, mean, scale, centered_factor, shift, grad_input)
    return grad_input, grad_weight.astype(dtype), grad_bias.astype(dtype)


def backward_fixed_statistics(g3, x3, mean, inv_std, weight):
    """Gradients of evaluation-mode batch norm: a per-channel ``scale * x + shift``, ``scale = weight * inv_std``.

    Returns
    -------
    grad_input : ndarray, shape (N, C, L)
    grad_weight, grad_bias : ndarray, shape (C,)
    """
    grad_bias, grad_dot_centered = _summed(_gradient_sums, x3, g3, x3, mean.astype(np.float64))
    zeros = np.zeros_like(mean)
    grad_input = np.empty_like(g3)
    fused_run(_input_gradient, x3, g3, x3, mean, weight * inv_std, zeros, zeros, grad_input)
    dtype = x3.dtype
    return grad_input, (grad_dot_centered * inv_std).astype(dtype), grad_bias.astype(dtype)
