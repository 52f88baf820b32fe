"""The fast max pooling behind ``F.max_pool2d_forward`` / ``F.max_pool2d_backward`` (and min and average).

The same views as ``functional/pooling.py`` describes, one per position inside the window, combined
on two threads, each over half of the batch (:mod:`.parallel`); the gradient goes straight into
its views.

Every function takes arrays already checked and padded by ``functional/pooling.py``.
"""
import numpy as np

from . import jit, pooling_fused
from .parallel import split_array

__all__ = []


def offset_views(padded, kernel, stride, out_hw):
    """For each position (i, j) inside the window, the view holding that position of every window.

    Returns a list of ``kH * kW`` views, each of shape (N, C, H_out, W_out), in row-major order.
    """
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_hw
    return [padded[..., i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
            for i in range(kh) for j in range(kw)]


def max_pool2d_forward(padded, kernel, stride, out_hw):
    """The largest value of every window and the row-major index (within its window) of its first maximum.

    Parameters
    ----------
    padded : ndarray, shape (N, C, H_pad, W_pad)
        Padded with minus infinity.

    Returns
    -------
    best : ndarray, shape (N, C, H_out, W_out)
    winner : ndarray of unsigned int, shape (N, C, H_out, W_out)
    """
    if kernel == stride == (2, 2) and jit.worth(padded):  # the course's pooling: one fused loop
        return pooling_fused.max_pool2d_2x2_forward(padded, out_hw)
    positions = kernel[0] * kernel[1]
    best = np.empty(padded.shape[:2] + tuple(out_hw), padded.dtype)
    winner = np.zeros(best.shape, np.min_scalar_type(positions - 1))

    def half(part):
        views = offset_views(padded[part], kernel, stride, out_hw)
        top, index = best[part], winner[part]
        np.copyto(top, views[0])
        for k, view in enumerate(views[1:], start=1):
            # Strictly greater keeps the first maximum, as PyTorch. Positions are visited in increasing k,
            # so the newest winner is always the largest index seen: a maximum records it without
            # branching (np.copyto(index, k, where=...) is eight times slower).
            np.maximum(index, (view > top) * index.dtype.type(k), out=index)
            np.maximum(top, view, out=top)
    split_array(half, padded)
    return best, winner


def scatter(grad_output, winner, padded_shape, kernel, stride, out_hw):
    """Send each window's gradient back to its pixels: to the winner only (``winner`` given) or to all.

    Parameters
    ----------
    grad_output : ndarray, shape (N, C, H_out, W_out)
        For average pooling already divided by each window's size.
    winner : ndarray of unsigned int, shape (N, C, H_out, W_out), or None
        From :func:`max_pool2d_forward`; None gives every pixel of a window its gradient (average pooling).

    Returns
    -------
    ndarray, shape ``padded_shape``
    """
    if winner is not None and kernel == stride == (2, 2) and winner.dtype == np.uint8 and jit.ready_for(grad_output):
        return pooling_fused.max_pool2d_2x2_backward(grad_output, winner, padded_shape)  # one fused loop
    overlapping = stride[0] < kernel[0] or stride[1] < kernel[1]
    # When the windows tile the padded input exactly, every pixel is written once: no need to zero it.
    tiling = stride == kernel and (out_hw[0] * stride[0], out_hw[1] * stride[1]) == tuple(padded_shape[-2:])
    grad = np.empty(padded_shape, grad_output.dtype)

    def half(part):
        target, g = grad[part], grad_output[part]
        if not tiling:
            target.fill(0)
        for k, view in enumerate(offset_views(target, kernel, stride, out_hw)):
            if winner is None:
                if overlapping:  # a pixel in several windows collects a gradient from each
                    view += g
                else:
                    np.copyto(view, g)
            elif overlapping:
                view += g * (winner[part] == k)
            else:
                np.multiply(g, winner[part] == k, out=view)
    split_array(half, grad)
    return grad
