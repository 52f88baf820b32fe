"""The fast batch norm behind ``F.batch_norm_forward`` / ``F.batch_norm_backward``.

The same formulas as the reference in ``functional/normalization.py``, arranged to pass over the data
as few times as possible: every per-channel sum is one ``np.einsum`` over an (N, C, L) view (no
copies), per-channel factors are folded together and expanded to rows, the arithmetic runs in place,
and backward works through the batch in blocks that stay in the CPU's cache. The NaN check of the
input (and of ``grad_output``) comes for free with the sums computed anyway. Every pass runs on two
threads, each over half of the batch (:mod:`.parallel`); their per-channel sums are added.

Every function takes arrays already checked by ``functional/normalization.py``.
"""
import numpy as np

from ..._validate import as_float_array
from .parallel import array_halves, run
from .work_arrays import scratch

__all__ = []


def as_ncl(x):
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


def check_finite(sums, array, name):
    """Raise the usual error if ``array`` holds NaN or infinity, knowing its per-channel ``sums``.

    A sum is finite only when every value in it is, so the sums computed anyway check the whole array
    for free; only a non-finite sum (bad values, or a float32 sum that overflowed) needs the full check.
    """
    if not np.isfinite(sums).all():
        as_float_array(array, name)


def added(results):
    """Each part's per-channel sums (an array, or a tuple of arrays, per part) added up over the parts."""
    return [sum(values) for values in zip(*results)] if isinstance(results[0], tuple) else sum(results)


def _summed(job, parts):
    """The per-channel sums ``job(part)`` of every part of the batch (computed at the same time), added up."""
    return added(run(job, parts))


def batch_statistics(x3, input):
    """The batch mean and biased variance per channel of ``x3`` (N, C, L), and ``x3 - mean``.

    ``input`` is the caller's array, named in the error when ``x3`` holds NaN or infinity.
    """
    count = x3.shape[0] * x3.shape[2]
    parts = array_halves(x3)
    sums = _summed(lambda part: np.einsum("ncl->c", x3[part]), parts)
    check_finite(sums, input, "input")
    mean = sums / count
    # x - mean is computed straight into a new array, which becomes the output (scaled and shifted in place)
    centered = np.empty_like(x3)
    mean_rows = _rows(mean, x3.shape[2])

    def squares(part):
        ours = np.subtract(x3[part], mean_rows, out=centered[part])
        return np.einsum("ncl,ncl->c", ours, ours)
    var = _summed(squares, parts) / count
    return mean, var, centered


def normalize(x3, mean, var, weight, bias, eps, centered=None):
    """``weight * (x - mean) / sqrt(var + eps) + bias`` of ``x3`` (N, C, L), and ``1 / sqrt(var + eps)``."""
    length = x3.shape[2]
    if centered is None:
        centered = np.subtract(x3, _rows(mean, length))
    inv_std = (1 / np.sqrt(var + eps)).astype(x3.dtype)
    # the two per-channel factors folded into one, then in place on the centered array
    scale_rows, bias_rows = _rows(weight * inv_std, length), _rows(bias, length)

    def scale_and_shift(part):
        centered[part] *= scale_rows
        centered[part] += bias_rows
    run(scale_and_shift, array_halves(x3))
    return centered, inv_std


def backward_training(g3, grad_output, x3, mean, inv_std, weight):
    """Gradients of training-mode batch norm, with M values per channel and z_hat the normalized input:

        grad_bias   = sum grad
        grad_weight = sum grad * z_hat
        grad_input  = (w / sqrt(var + eps)) * (grad - grad_bias / M - z_hat * grad_weight / M)

    Parameters
    ----------
    g3, x3 : ndarray, shape (N, C, L)
        The output's gradient and the input.
    grad_output : array_like
        The caller's gradient, named in the error when ``g3`` holds NaN or infinity.

    Returns
    -------
    grad_input : ndarray, shape (N, C, L)
    grad_weight, grad_bias : ndarray, shape (C,)
    """
    count = g3.shape[0] * g3.shape[2]
    length = x3.shape[2]
    parts = array_halves(g3)
    # a reused work array: a new array of the input's size costs a page fault per 4 KiB of fresh memory
    # (the calling thread's; each thread fills and reads only its own half)
    centered = scratch("batch_norm_centered", x3.shape, x3.dtype)
    mean_rows = _rows(mean, length)

    def sums(part):
        np.subtract(x3[part], mean_rows, out=centered[part])
        return np.einsum("ncl->c", g3[part]), np.einsum("ncl,ncl->c", g3[part], centered[part])
    grad_bias, grad_dot_centered = _summed(sums, parts)
    check_finite(grad_bias, grad_output, "grad_output")
    grad_weight = grad_dot_centered * inv_std  # sum grad * z_hat, z_hat = centered * inv_std
    scale = weight * inv_std
    # the formula above with z_hat = centered * inv_std, in place to spare memory passes
    scale_rows = _rows(scale, length)
    centered_factor = _rows(scale * inv_std * grad_weight / count, length)
    shift = _rows(scale * grad_bias / count, length)
    grad_input = np.empty_like(g3)

    def gradient(part):
        for block in _blocks(g3[part]):
            block = slice(part.start + block.start, min(part.stop, part.start + block.stop))
            out = np.multiply(g3[block], scale_rows, out=grad_input[block])
            out -= np.multiply(centered[block], centered_factor, out=centered[block])
            out -= shift
    run(gradient, parts)
    return grad_input, grad_weight, grad_bias


def backward_fixed_statistics(g3, x3, mean, inv_std, weight):
    """Gradients of evaluation-mode batch norm: mean and variance are constants, so the layer is a
    per-channel ``scale * x + shift`` with ``scale = weight / sqrt(var + eps)``.

    Returns
    -------
    grad_input : ndarray, shape (N, C, L)
    grad_weight, grad_bias : ndarray, shape (C,)
    """
    grad_bias = np.einsum("ncl->c", g3)
    centered = np.subtract(x3, _rows(mean, x3.shape[2]), out=scratch("batch_norm_centered", x3.shape, x3.dtype))
    grad_weight = np.einsum("ncl,ncl->c", g3, centered) * inv_std
    grad_input = g3 * _rows(weight * inv_std, x3.shape[2])
    return grad_input, grad_weight, grad_bias
