"""What the pictures of notebook 01 count, computed with cnnlab's own convolutions.

- :func:`visit_counts`: how many kernel positions cover each pixel of an image, by spreading one per
  position back over the input with a kernel of ones (a transposed convolution);
- :func:`receptive_field_map`: which input pixels one output of a stack of convolutions depends on, by
  sending a gradient of 1 at that output back through the stack (``F.conv2d_backward``).
"""
import numpy as np

import cnnlab
import cnnlab.functional as F

__all__ = ["visit_counts", "receptive_field_map", "receptive_field_size"]


def visit_counts(n, kernel_size, stride=1, padding=0):
    """How many positions of a ``kernel_size`` kernel cover each pixel of an ``n`` x ``n`` image.

    Returns
    -------
    ndarray, shape (n, n)
        The padding is dropped: its zeros are no pixels of the image.
    """
    positions = cnnlab.output_size(n, kernel_size, stride=stride, padding=padding)
    ones = np.ones((1, 1, positions, positions))
    counts = F.conv_transpose2d(ones, np.ones((1, 1, kernel_size, kernel_size)), stride=stride)[0, 0]
    return counts[padding:padding + n, padding:padding + n]


def receptive_field_map(layers, size=64):
    """How strongly the centre output of a stack of convolutions depends on each input pixel.

    Every layer is a single-channel convolution with a kernel of ones, no padding; the gradient of its
    centre output with respect to the input counts the paths from each pixel to that output, and is 0
    outside the receptive field.

    Parameters
    ----------
    layers : sequence of (kernel_size, stride)
        The stack, first layer first.
    size : int
        The side of the square input; it must hold the whole field.

    Returns
    -------
    ndarray, shape (size, size)
    """
    activation, contexts = np.ones((1, 1, size, size)), []
    for kernel_size, stride in layers:
        activation, ctx = F.conv2d_forward(activation, np.ones((1, 1, kernel_size, kernel_size)), None, stride)
        contexts.append(ctx)
    grad = np.zeros_like(activation)
    grad[0, 0, activation.shape[2] // 2, activation.shape[3] // 2] = 1.0
    for ctx in reversed(contexts):
        grad = F.conv2d_backward(grad, ctx)[0]
    field = grad[0, 0]
    if field[0].any() or field[-1].any() or field[:, 0].any() or field[:, -1].any():
        raise ValueError(f"size={size} is too small for the receptive field of {list(layers)}: give a larger size")
    return field


def receptive_field_size(layers, size=64):
    """The side, in input pixels, of the receptive field of one output of ``layers``.

    Measured on :func:`receptive_field_map`: the rows that hold any path to the output.
    """
    rows = np.flatnonzero(receptive_field_map(layers, size).any(axis=1))
    return int(rows[-1] - rows[0] + 1)
