"""Padding and sliding windows shared by convolution and pooling.

A sliding window over an image is a *view*: ``numpy.lib.stride_tricks.sliding_window_view`` makes
every kernel-sized patch available without copying a single pixel. Convolution then becomes one
matrix product over those patches, and pooling a reduction over the window axes.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._validate import pair

__all__ = []


def pad2d(x, padding, value=0.0):
    """Pad the last two axes of ``x`` by ``padding = (pad_h, pad_w)`` on every side.

    Parameters
    ----------
    x : ndarray, shape (..., H, W)
    padding : tuple of int
        ``(pad_h, pad_w)``, both at least 0.
    value : float
        The fill value: 0 for convolution, -inf for max pooling.

    Returns
    -------
    ndarray, shape (..., H + 2 * pad_h, W + 2 * pad_w)
        ``x`` itself when there is nothing to pad.
    """
    pad_h, pad_w = padding
    return pad_sides(x, (pad_h, pad_h, pad_w, pad_w), value)


def pad_sides(x, sides, value=0.0):
    """Pad the last two axes of ``x`` by ``sides = (top, bottom, left, right)``.

    Uneven padding is what ``padding='same'`` needs for an even kernel (PyTorch puts the extra
    row and column at the bottom and right).

    Parameters
    ----------
    x : ndarray, shape (..., H, W)
    sides : tuple of four int
        ``(top, bottom, left, right)``, each at least 0.
    value : float
        The fill value.

    Returns
    -------
    ndarray, shape (..., top + H + bottom, left + W + right)
        ``x`` itself when there is nothing to pad.
    """
    top, bottom, left, right = sides
    if top == bottom == left == right == 0:
        return x
    height, width = x.shape[-2:]
    # Filling a new array and copying the image in is about twice as fast as np.pad.
    shape = x.shape[:-2] + (top + height + bottom, left + width + right)
    padded = np.zeros(shape, x.dtype) if value == 0 else np.full(shape, value, x.dtype)
    padded[..., top:top + height, left:left + width] = x
    return padded


def windows(x, kernel_size, stride):
    """Every ``kernel_size`` patch of ``x``, stepped by ``stride``, as a read-only view.

    Parameters
    ----------
    x : ndarray, shape (..., H, W)
        Already padded.
    kernel_size : tuple of int
        ``(kH, kW)``.
    stride : tuple of int
        ``(sH, sW)``.

    Returns
    -------
    ndarray, shape (..., H_out, W_out, kH, kW)
        ``H_out = (H - kH) // sH + 1``, and likewise for the width.
    """
    kernel_h, kernel_w = kernel_size
    stride_h, stride_w = stride
    view = sliding_window_view(x, (kernel_h, kernel_w), axis=(-2, -1))
    return view[..., ::stride_h, ::stride_w, :, :]


def spatial_size(size, kernel, stride, padding, name="input", ceil_mode=False, dilation=1):
    """Output length along one axis: ``floor((size + 2 * padding - kernel) / stride) + 1``.

    Raises a ``ValueError`` that names the sizes when the kernel does not fit the padded input.
    """
    span = dilation * (kernel - 1) + 1
    if size + 2 * padding < span:
        raise ValueError(f"kernel size {kernel} does not fit a {name} of size {size} with padding {padding}")
    numerator = size + 2 * padding - span
    out = -(-numerator // stride) + 1 if ceil_mode else numerator // stride + 1
    # PyTorch's rule: with ceil_mode the last window must start inside the input or its left padding.
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def sizes(input_hw, kernel_size, stride, padding, ceil_mode=False):
    """Output ``(H_out, W_out)`` for an ``(H, W)`` input, checking each axis; see :func:`spatial_size`."""
    kernel_size, stride, padding = pair(kernel_size, "kernel_size", 1), pair(stride, "stride", 1), pair(padding, "padding", 0)
    (h, w), (kh, kw), (sh, sw), (ph, pw) = input_hw, kernel_size, stride, padding
    if h + 2 * ph < kh or w + 2 * pw < kw:
        raise ValueError(f"kernel {kh}x{kw} does not fit a {h}x{w} input with padding {ph if ph == pw else padding}")
    return spatial_size(h, kh, sh, ph, "input height", ceil_mode), spatial_size(w, kw, sw, pw, "input width", ceil_mode)
