"""Single 2-D images, as the first lectures use them: correlate2d, convolve2d and output_size.

These work on one grayscale image and one kernel, both plain 2-D arrays, so a student can check
every number of the slides by hand. The batched, multi-channel version that networks use is
:func:`cnnlab.functional.conv2d`; ``correlate2d(image, kernel)`` gives the same numbers as
``conv2d(image[None, None], kernel[None, None])[0, 0]``.

Two words that are easy to mix up:

- **cross-correlation** (what deep learning calls "convolution"): slide the kernel as it is and
  multiply-add, ``out[y, x] = sum over i, j of image[y + i, x + j] * kernel[i, j]``;
- **convolution** in the mathematical sense, the lecture's ``s(t) = sum over a of x(a) w(t - a)``:
  the same with the kernel flipped upside down and left to right.

For a symmetric kernel (box blur, Gaussian, Laplacian) they agree.
"""
import numbers

import numpy as np

from ._validate import as_float_array, common_dtype, pair
from .functional.windows import conv_output_size, conv_padding, pad_sides

__all__ = ["correlate2d", "convolve2d", "correlate2d_naive", "output_size"]


def output_size(n, kernel_size, stride=1, padding=0):
    """Output length of a convolution along one axis: ``(n - kernel_size + 2 * padding) / stride + 1``.

    The lecture's formula ``(N - F) / stride + 1`` with zero padding added. Unlike
    ``conv2d`` (which, like PyTorch, silently drops a last window that does not fit), this raises
    an error when the filter does not fit the input evenly, so that a student sees why.

    Parameters
    ----------
    n : int
        Input size (height or width), at least 1.
    kernel_size : int
        Filter size ``F``, at least 1.
    stride : int
        At least 1.
    padding : int
        Zeros added on each side, at least 0.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        When the result is not a whole number (``output_size(7, 3, stride=3)`` is 2.33) or the
        filter is larger than the padded input.

    Examples
    --------
    >>> output_size(7, 3), output_size(7, 3, stride=2), output_size(7, 3, padding=1)
    (5, 3, 7)
    """
    arguments = ((n, "n", 1), (kernel_size, "kernel_size", 1), (stride, "stride", 1), (padding, "padding", 0))
    for value, name, minimum in arguments:
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            raise TypeError(f"{name} must be an int, got {value!r}")
        if value < minimum:
            word = "positive" if minimum == 1 else "at least 0"
            raise ValueError(f"{name} must be {word}, got {value}")
    formula = f"({n} - {kernel_size} + 2*{padding})/{stride} + 1"
    if kernel_size > n + 2 * padding:
        raise ValueError(f"{formula} = {(n - kernel_size + 2 * padding) / stride + 1:.2f}: the {kernel_size}-wide "
                         f"filter is larger than the input ({n} pixels plus {padding} of padding on each side)")
    steps, remainder = divmod(n - kernel_size + 2 * padding, stride)
    if remainder:
        value = (n - kernel_size + 2 * padding) / stride + 1
        raise ValueError(
            f"{formula} = {value:.2f} is not a whole number: the filter does not fit the input evenly with "
            f"stride {stride} ({remainder} pixel{'s' if remainder > 1 else ''} left over); "
            "change the stride or the padding"
        )
    return steps + 1


def _prepare(image, kernel, stride, padding, flipped=False):
    image = as_float_array(image, "image", ndim=2)
    kernel = as_float_array(kernel, "kernel", ndim=2)
    dtype = common_dtype(image, kernel)
    image, kernel = image.astype(dtype, copy=False), kernel.astype(dtype, copy=False)
    stride = pair(stride, "stride", minimum=1)
    sides = conv_padding(padding, kernel.shape, stride, flipped)
    out_hw = conv_output_size(image.shape, kernel.shape, stride, sides, name="image")
    return image, kernel, stride, sides, out_hw


# Output rows computed together: a block of about 256 KiB stays in the CPU's cache while all the
# kernel's shifted copies are added onto it (measured about 3x faster than whole-image passes in float64).
_BLOCK_BYTES = 2**18


def _correlate(image, kernel, stride, sides, out_hw):
    """Sum of ``kernel[i, j]`` times the padded image shifted by ``(i, j)``, a block of rows at a time.

    For one image and a small kernel this beats building patches: each step is one fast
    multiply-add over many pixels, and no patch matrix is ever written. Each block of output rows
    gets its own small zero-padded slice of the image, so the whole padded image is never built and
    every shift reads from the cache.
    """
    (stride_h, stride_w), (out_h, out_w) = stride, out_hw
    (height, width), (kernel_h, _) = image.shape, kernel.shape
    top, bottom, left, right = sides
    output = np.empty(out_hw, dtype=image.dtype)
    # Many classic kernels are mostly zeros: skip those shifts.
    weights = [(i, j, weight) for (i, j), weight in np.ndenumerate(kernel) if weight != 0]
    if not weights:
        output.fill(0)
        return output
    block = max(1, _BLOCK_BYTES // ((width + left + right) * image.itemsize))
    shifted = np.empty((min(block, out_h), out_w), dtype=image.dtype)
    for first_row in range(0, out_h, block):
        rows = min(block, out_h - first_row)
        # Rows [start, stop) of the padded image feed this block; copy them with their zero borders.
        start, stop = first_row * stride_h, (first_row + rows - 1) * stride_h + kernel_h
        piece = np.zeros((stop - start, width + left + right), dtype=image.dtype)
        inside_start, inside_stop = max(start, top), min(stop, top + height)
        if inside_stop > inside_start:
            inside = image[inside_start - top:inside_stop - top]
            piece[inside_start - start:inside_stop - start, left:left + width] = inside
        out, scratch = output[first_row:first_row + rows], shifted[:rows]
        for step, (i, j, weight) in enumerate(weights):
            window = piece[i:i + stride_h * (rows - 1) + 1:stride_h, j:j + stride_w * (out_w - 1) + 1:stride_w]
            if step == 0:
                np.multiply(window, weight, out=out)
            else:
                np.multiply(window, weight, out=scratch)
                out += scratch
    return output


def correlate2d(image, kernel, stride=1, padding=0):
    """Cross-correlate a 2-D image with a 2-D kernel (what deep learning calls convolution).

    ``out[y, x] = sum over i, j of image_padded[y * stride + i, x * stride + j] * kernel[i, j]``.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Integer images (e.g. uint8 photographs) are converted to float64.
    kernel : ndarray, shape (kH, kW)
    stride : int or (int, int)
    padding : int, (int, int), 'valid' or 'same'
        Zeros added on each side. 'valid' is 0. 'same' (stride 1) keeps the image's size; for an
        even kernel, which has no center, the extra zero row and column go at the bottom and right,
        as in PyTorch's ``conv2d`` and ``scipy.signal.correlate2d(mode='same')``.

    Returns
    -------
    ndarray, shape (H_out, W_out)
        ``H_out = (H + 2 * padding - kH) // stride + 1``, likewise ``W_out``.

    Examples
    --------
    The lecture's 2x2 kernel on the top-left corner of the 100x100 image:

    >>> correlate2d([[1, 1], [3, 4]], [[2, 0], [0, 2]])
    array([[10.]])
    """
    return _correlate(*_prepare(image, kernel, stride, padding))


def convolve2d(image, kernel, stride=1, padding=0):
    """Convolve a 2-D image with a 2-D kernel, in the mathematical sense: the kernel is flipped.

    The lecture's ``s(t) = sum over a of x(a) w(t - a)`` in two dimensions; equal to
    ``correlate2d(image, kernel[::-1, ::-1])``, and to ``scipy.signal.convolve2d`` for the same
    padding.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (kH, kW)
    stride : int or (int, int)
    padding : int, (int, int), 'valid' or 'same'
        As :func:`correlate2d`, except that for an even kernel with 'same' the extra zero row and
        column go at the top and left (the flipped kernel's bottom and right), which is what
        ``scipy.signal.convolve2d(mode='same')`` does.

    Returns
    -------
    ndarray, shape (H_out, W_out)
    """
    image, kernel, stride, sides, out_hw = _prepare(image, kernel, stride, padding, flipped=True)
    return _correlate(image, kernel[::-1, ::-1], stride, sides, out_hw)


def correlate2d_naive(image, kernel, stride=1, padding=0):
    """:func:`correlate2d` as two loops: put the kernel on each position, multiply, add up.

    The definition, one output pixel at a time; slow, and the tests check the fast version against it.
    Same arguments, shapes and result as :func:`correlate2d`.
    """
    image, kernel, (stride_h, stride_w), sides, (out_h, out_w) = _prepare(image, kernel, stride, padding)
    padded = pad_sides(image, sides)
    kernel_h, kernel_w = kernel.shape
    output = np.zeros((out_h, out_w), dtype=padded.dtype)
    for y in range(out_h):
        for x in range(out_w):
            patch = padded[y * stride_h:y * stride_h + kernel_h, x * stride_w:x * stride_w + kernel_w]
            output[y, x] = np.sum(patch * kernel)
    return output
