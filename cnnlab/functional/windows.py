"""Padding and sliding windows shared by convolution and pooling.

A sliding window over an image is a *view*: ``numpy.lib.stride_tricks.sliding_window_view`` makes
every kernel-sized patch available without copying a single pixel. Convolution then becomes one
matrix product over those patches, and pooling a reduction over the window axes.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._validate import padding_argument, pair

__all__ = []


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


def spatial_size(size, kernel, stride, padding, name="input", ceil_mode=False):
    """Output length along one axis: ``floor((size + 2 * padding - kernel) / stride) + 1``.

    Raises a ``ValueError`` that names the sizes when the kernel does not fit the padded input.
    """
    if size + 2 * padding < kernel:
        raise ValueError(f"kernel size {kernel} does not fit a {name} of size {size} with padding {padding}")
    numerator = size + 2 * padding - kernel
    out = -(-numerator // stride) + 1 if ceil_mode else numerator // stride + 1
    # PyTorch's rule: with ceil_mode the last window must start inside the input or its left padding.
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def sizes(input_hw, kernel_size, stride, padding, ceil_mode=False):
    """Output ``(H_out, W_out)`` for an ``(H, W)`` input, checking each axis; see :func:`spatial_size`."""
    kernel_size = pair(kernel_size, "kernel_size", 1)
    stride, padding = pair(stride, "stride", 1), pair(padding, "padding", 0)
    (h, w), (kh, kw), (sh, sw), (ph, pw) = input_hw, kernel_size, stride, padding
    if h + 2 * ph < kh or w + 2 * pw < kw:
        raise ValueError(f"kernel {kh}x{kw} does not fit a {h}x{w} input with padding {ph if ph == pw else padding}")
    return spatial_size(h, kh, sh, ph, "input height", ceil_mode), spatial_size(w, kw, sw, pw, "input width", ceil_mode)


def conv_padding(padding, kernel_size, stride, flipped=False):
    """``padding`` (int, pair, 'valid' or 'same') of a convolution as ``(top, bottom, left, right)``.

    ``flipped`` is for true convolution, whose kernel is flipped: it mirrors 'same' padding.
    """
    padding = padding_argument(padding)
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        if stride != (1, 1):
            raise ValueError("padding='same' needs stride 1 (the output could not keep the input's size), "
                             f"got stride {stride}")
        # PyTorch's rule: kernel - 1 zeros in total. An even kernel has no center: correlation puts the
        # odd one out after (bottom, right), as PyTorch and scipy.signal.correlate2d; flipping the
        # kernel mirrors that to before.
        (kernel_h, kernel_w) = kernel_size
        sides = ((kernel_h - 1) // 2, kernel_h // 2, (kernel_w - 1) // 2, kernel_w // 2)
        return (sides[1], sides[0], sides[3], sides[2]) if flipped else sides
    pad_h, pad_w = padding
    return (pad_h, pad_h, pad_w, pad_w)


def conv_output_size(input_hw, kernel_size, stride, sides, name="input"):
    """``(H_out, W_out)`` of a convolution padded by ``sides``, with a clear error when the kernel does not fit.

    ``name`` is what the error calls the input (``'image'`` for a single 2-D image).
    """
    (height, width), (kernel_h, kernel_w) = input_hw, kernel_size
    top, bottom, left, right = sides
    if height + top + bottom < kernel_h or width + left + right < kernel_w:
        shown = top if len(set(sides)) == 1 else ((top, bottom), (left, right))
        raise ValueError(f"kernel {kernel_h}x{kernel_w} does not fit a {height}x{width} {name} with padding {shown}")
    return ((height + top + bottom - kernel_h) // stride[0] + 1, (width + left + right - kernel_w) // stride[1] + 1)
