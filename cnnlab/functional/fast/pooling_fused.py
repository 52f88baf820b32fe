"""Max pooling 2x2 with stride 2, the course's pooling, in one fused loop (numba, see :mod:`.jit`).

``fast/pooling.py`` combines the four views of the windows in about a dozen NumPy passes (compare,
index, maximum, per position); this loop reads each input value once and writes the maximum and the
winner's index together, about five times faster. The same first-maximum rule: a later position wins
only when strictly greater, so ties go to the first, as in PyTorch and ``fast/pooling.py``.

Backward writes each window's gradient to its winner and zeros to the other three, again in one
visit per window. On one thread NumPy's masked passes (``fast/pooling.py``) are about as fast, but
they hold Python's lock, which the other half of a batch (``nn/two_halves.py``) then waits for.
"""
import numpy as np

from . import jit
from .jit import compiled
from .parallel import fused_run

__all__ = []


@compiled
def _max_2x2(padded, best, winner):
    """``best`` and ``winner`` (N, C, H_out, W_out) of ``padded`` (N, C, H_pad, W_pad)."""
    batch, channels, out_h, out_w = best.shape
    for n in jit.prange(batch):
        for c in range(channels):
            for i in range(out_h):
                upper, lower = padded[n, c, 2 * i], padded[n, c, 2 * i + 1]
                best_row, winner_row = best[n, c, i], winner[n, c, i]
                for j in range(out_w):
                    top, index = upper[2 * j], 0
                    if upper[2 * j + 1] > top:
                        top, index = upper[2 * j + 1], 1
                    if lower[2 * j] > top:
                        top, index = lower[2 * j], 2
                    if lower[2 * j + 1] > top:
                        top, index = lower[2 * j + 1], 3
                    best_row[j], winner_row[j] = top, index


def max_pool2d_2x2_forward(padded, out_hw):
    """:func:`.pooling.max_pool2d_forward` for 2x2 windows at stride 2.

    Parameters
    ----------
    padded : ndarray, shape (N, C, H_pad, W_pad)
        Padded with minus infinity; H_pad >= 2 * H_out and W_pad >= 2 * W_out.

    Returns
    -------
    best : ndarray, shape (N, C, H_out, W_out)
    winner : ndarray of uint8, shape (N, C, H_out, W_out)
        0, 1, 2, 3: the row-major position of the first maximum in its window.
    """
    best = np.empty(padded.shape[:2] + tuple(out_hw), padded.dtype)
    winner = np.empty(best.shape, np.uint8)
    fused_run(_max_2x2, padded, padded, best, winner)
    return best, winner


@compiled
def _scatter_2x2(grad_output, winner, grad):
    """``grad`` (N, C, H_pad, W_pad): each window's gradient at its winner, zeros around it.

    Every pixel is written once: the four of each window together, then any odd last row or column
    (in no window) with zeros.
    """
    batch, channels, out_h, out_w = grad_output.shape
    zero = grad.dtype.type(0)
    for n in jit.prange(batch):
        for c in range(channels):
            for i in range(out_h):
                upper, lower = grad[n, c, 2 * i], grad[n, c, 2 * i + 1]
                g, index = grad_output[n, c, i], winner[n, c, i]
                for j in range(out_w):
                    # value * 0 where the pixel did not win: -0.0 for a negative gradient, as NumPy's
                    # grad * (winner == k) in fast/pooling.py, so that both paths print the same
                    k, value = index[j], g[j]
                    nothing = value * 0
                    upper[2 * j] = value if k == 0 else nothing
                    upper[2 * j + 1] = value if k == 1 else nothing
                    lower[2 * j] = value if k == 2 else nothing
                    lower[2 * j + 1] = value if k == 3 else nothing
                for x in range(2 * out_w, grad.shape[3]):
                    upper[x] = zero
                    lower[x] = zero
            for y in range(2 * out_h, grad.shape[2]):
                for x in range(grad.shape[3]):
                    grad[n, c, y, x] = zero


def max_pool2d_2x2_backward(grad_output, winner, padded_shape):
    """:func:`.pooling.scatter` for 2x2 windows at stride 2, with the ``winner`` of :func:`max_pool2d_2x2_forward`.

    Returns
    -------
    ndarray, shape ``padded_shape``
    """
    grad = np.empty(padded_shape, grad_output.dtype)
    fused_run(_scatter_2x2, grad, grad_output, winner, grad)
    return grad
