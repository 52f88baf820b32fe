"""Convolution: ``conv2d`` and ``conv_transpose2d``, forward and backward.

A convolution layer slides each filter over the image and, at every position, multiplies the patch
under the filter by the filter's weights and adds them up (a cross-correlation, as in every deep
learning library: the kernel is not flipped)::

    out[n, f, y, x] = bias[f] + sum over c, i, j of padded[n, c, y * s + i, x * s + j] * weight[f, c, i, j]

The chain rule then gives the three gradients, read straight off that sum: each output value
``out[n, f, y, x]`` was made from one patch and one filter, so its gradient ``g = grad_output[n, f, y, x]``

- adds ``g * patch`` to ``grad_weight[f]`` (d out / d weight is the patch under the filter),
- adds ``g * weight[f]`` to the gradient of that patch of the input (d out / d patch is the filter),
- adds ``g`` to ``grad_bias[f]``.

This file opens with that reference, as loops (:func:`conv2d_naive_forward`,
:func:`conv2d_naive_backward`): slow, but the definition. The public pair every layer uses,
:func:`conv2d_forward` / :func:`conv2d_backward`, computes the same numbers with matrix products
(``fast/conv.py``, "im2col"); the tests check the two against each other on random shapes::

    out, ctx = conv2d_forward(x, weight, bias, stride=1, padding=1)
    grad_input, grad_weight, grad_bias = conv2d_backward(grad_output, ctx)

A transposed convolution (:func:`conv_transpose2d`) is the input gradient of a convolution used as a
forward pass: every input pixel stamps a scaled copy of the filter onto the output, which is why it
upsamples.
"""
import numpy as np

from .._validate import as_float_array, common_dtype, output_gradient, pair
from .windows import conv_output_size, conv_padding, pad_sides
from .context import Context, check_context
from .fast import conv as fast

__all__ = [
    "conv2d_naive_forward", "conv2d_naive_backward", "conv2d_naive",
    "conv2d_forward", "conv2d_backward", "conv2d",
    "conv_transpose2d_naive_forward", "conv_transpose2d_naive_backward", "conv_transpose2d_naive",
    "conv_transpose2d_forward", "conv_transpose2d_backward", "conv_transpose2d",
]

_INPUTS = ("input", "weight", "bias")


# ----------------------------------------------------------------------------------------------
# conv2d: the reference, as loops
# ----------------------------------------------------------------------------------------------

def conv2d_naive_forward(input, weight, bias=None, stride=1, padding=0, *, needs_input_grad=None):
    """:func:`conv2d_forward` as four loops: slide each filter over each image, multiply and add.

    Same arguments, shapes and results as :func:`conv2d_forward`; its ``ctx`` goes to
    :func:`conv2d_naive_backward`.
    """
    x, w, b, (stride_h, stride_w), sides, (out_h, out_w) = _prepare_conv2d(input, weight, bias, stride, padding)
    padded = pad_sides(x, sides)
    batch, filters, (kernel_h, kernel_w) = x.shape[0], w.shape[0], w.shape[2:]
    output = np.zeros((batch, filters, out_h, out_w), dtype=x.dtype)
    for n in range(batch):
        for f in range(filters):
            for y in range(out_h):
                for x_ in range(out_w):
                    top, left = y * stride_h, x_ * stride_w
                    patch = padded[n, :, top:top + kernel_h, left:left + kernel_w]
                    output[n, f, y, x_] = np.sum(patch * w[f]) + (b[f] if b is not None else 0.0)
    ctx = Context("conv2d_naive", _INPUTS, needs_input_grad, saved={"padded": padded, "weight": w},
                  options={"stride": (stride_h, stride_w), "sides": sides, "input_shape": x.shape,
                           "has_bias": b is not None})
    return output, ctx


def conv2d_naive_backward(grad_output, ctx):
    """:func:`conv2d_backward` as loops: each output's gradient flows back to its patch and its filter.

    Returns
    -------
    grad_input : ndarray, shape (N, C, H, W)
    grad_weight : ndarray, shape (F, C, kH, kW)
    grad_bias : ndarray, shape (F,), or None without a bias
    """
    ctx = check_context(ctx, "conv2d_naive")
    padded, w = ctx.saved["padded"], ctx.saved["weight"]
    (stride_h, stride_w), (top, _, left, _) = ctx.options["stride"], ctx.options["sides"]
    batch, channels, height, width = ctx.options["input_shape"]
    filters, _, kernel_h, kernel_w = w.shape
    out_h, out_w = (padded.shape[2] - kernel_h) // stride_h + 1, (padded.shape[3] - kernel_w) // stride_w + 1
    g = output_gradient(grad_output, (batch, filters, out_h, out_w)).astype(w.dtype, copy=False)
    grad_padded = np.zeros_like(padded)
    grad_weight = np.zeros_like(w)
    for n in range(batch):
        for f in range(filters):
            for y in range(out_h):
                for x_ in range(out_w):
                    rows = slice(y * stride_h, y * stride_h + kernel_h)
                    cols = slice(x_ * stride_w, x_ * stride_w + kernel_w)
                    grad_weight[f] += g[n, f, y, x_] * padded[n, :, rows, cols]   # d out / d weight = the patch
                    grad_padded[n, :, rows, cols] += g[n, f, y, x_] * w[f]        # d out / d patch = the filter
    grad_input = grad_padded[:, :, top:top + height, left:left + width]   # the padding was no input pixel
    grad_bias = g.sum(axis=(0, 2, 3)) if ctx.options["has_bias"] else None  # d out / d bias = 1
    return ctx.grads(grad_input, grad_weight, grad_bias)


def conv2d_naive(input, weight, bias=None, stride=1, padding=0):
    """:func:`conv2d` as four loops (the forward half of :func:`conv2d_naive_forward`)."""
    return conv2d_naive_forward(input, weight, bias, stride, padding)[0]


# ----------------------------------------------------------------------------------------------
# conv2d: the public contract, on the fast path
# ----------------------------------------------------------------------------------------------

def conv2d_forward(input, weight, bias=None, stride=1, padding=0, *, needs_input_grad=None):
    """2-D convolution (cross-correlation) of a batch of images with a bank of filters, and its ``ctx``.

    ``out[n, f, y, x] = bias[f] + sum over c, i, j of
    input_padded[n, c, y * stride_h + i, x * stride_w + j] * weight[f, c, i, j]``,
    exactly as ``torch.nn.functional.conv2d``.

    Parameters
    ----------
    input : ndarray, shape (N, C, H, W)
    weight : ndarray, shape (F, C, kH, kW)
        ``F`` filters, each as deep as the input.
    bias : ndarray, shape (F,), optional
    stride : int or (int, int)
    padding : int, (int, int), 'valid' or 'same'
        Zeros added on each side. 'valid' is 0; 'same' (stride 1 only) keeps the input's size,
        with the extra zero row and column at the bottom and right for an even kernel, as PyTorch.
    needs_input_grad : (bool, bool, bool), optional
        Whether backward must compute the gradient of input, weight and bias (all by default).

    Returns
    -------
    output : ndarray, shape (N, F, H_out, W_out)
        ``H_out = (H + 2 * padding - kH) // stride + 1``, likewise ``W_out``. float32 when every
        array is float32, else float64.
    ctx : Context
        For :func:`conv2d_backward`: the input, the weight and, when small enough, the im2col matrices.
    """
    x, w, b, stride, sides, out_hw = _prepare_conv2d(input, weight, bias, stride, padding)
    output, batch_chunks, kept_cols = fast.conv2d_forward(x, w, b, stride, sides, out_hw)
    ctx = Context("conv2d", _INPUTS, needs_input_grad, saved={"input": x, "weight": w, "cols": kept_cols},
                  options={"stride": stride, "sides": sides, "out_hw": out_hw, "has_bias": b is not None,
                           "chunks": batch_chunks})
    return output, ctx


def conv2d_backward(grad_output, ctx):
    """Gradients of :func:`conv2d_forward` with respect to ``input``, ``weight`` and ``bias``.

    ``grad_weight[f, c, i, j] = sum over n, y, x of``
    ``grad_output[n, f, y, x] * input_padded[n, c, y * s + i, x * s + j]``; ``grad_input`` sends each
    ``grad_output`` value back through the filter onto the pixels that made it (a transposed convolution);
    ``grad_bias[f]`` sums ``grad_output[:, f]``. See :func:`conv2d_naive_backward` for the same as loops.

    Parameters
    ----------
    grad_output : ndarray, shape (N, F, H_out, W_out)
        The loss's gradient with respect to conv2d's output.
    ctx : Context
        From :func:`conv2d_forward`.

    Returns
    -------
    grad_input : ndarray, shape (N, C, H, W), or None when not needed
    grad_weight : ndarray, shape (F, C, kH, kW), or None when not needed
    grad_bias : ndarray, shape (F,), or None without a bias
    """
    ctx = check_context(ctx, "conv2d")
    x, w, options = ctx.saved["input"], ctx.saved["weight"], ctx.options
    g = output_gradient(grad_output, (x.shape[0], w.shape[0]) + options["out_hw"]).astype(w.dtype, copy=False)
    grads = fast.conv2d_backward(g, x, w, options["has_bias"], options["stride"], options["sides"],
                                 options["chunks"], ctx.saved["cols"], ctx.needs_input_grad)
    return ctx.grads(*grads)


def conv2d(input, weight, bias=None, stride=1, padding=0):
    """:func:`conv2d_forward` without the ``ctx``, as ``torch.nn.functional.conv2d``.

    Examples
    --------
    >>> import numpy as np
    >>> conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)))[0, 0]
    array([[4., 4.],
           [4., 4.]])
    """
    x, w, b, stride, sides, out_hw = _prepare_conv2d(input, weight, bias, stride, padding)
    return fast.conv2d_forward(x, w, b, stride, sides, out_hw, keep_cols=False)[0]


# ----------------------------------------------------------------------------------------------
# conv_transpose2d: the reference, as loops
# ----------------------------------------------------------------------------------------------

def conv_transpose2d_naive_forward(input, weight, bias=None, stride=1, padding=0, output_padding=0, *,
                                   needs_input_grad=None):
    """:func:`conv_transpose2d_forward` as loops: each input pixel adds ``pixel * filter`` onto the output.

    The stamp for input pixel ``(y, x)`` lands at ``(y * stride, x * stride)`` of an output that is
    then cropped by ``padding`` on each side. Same arguments, shapes and results as
    :func:`conv_transpose2d_forward`; its ``ctx`` goes to :func:`conv_transpose2d_naive_backward`.
    """
    x, w, b, (stride_h, stride_w), padding, output_padding, (out_h, out_w) = _prepare_conv_transpose2d(
        input, weight, bias, stride, padding, output_padding)
    batch, in_channels, height, width = x.shape
    _, out_channels, kernel_h, kernel_w = w.shape
    full = np.zeros((batch, out_channels, out_h + 2 * padding[0], out_w + 2 * padding[1]), dtype=x.dtype)
    for n in range(batch):
        for c in range(in_channels):
            for y in range(height):
                for x_ in range(width):
                    top, left = y * stride_h, x_ * stride_w
                    full[n, :, top:top + kernel_h, left:left + kernel_w] += x[n, c, y, x_] * w[c]
    output = full[:, :, padding[0]:padding[0] + out_h, padding[1]:padding[1] + out_w].copy()
    if b is not None:
        output += b[:, None, None]
    ctx = Context("conv_transpose2d_naive", _INPUTS, needs_input_grad, saved={"input": x, "weight": w},
                  options={"stride": (stride_h, stride_w), "padding": padding, "out_hw": (out_h, out_w),
                           "has_bias": b is not None})
    return output, ctx


def conv_transpose2d_naive_backward(grad_output, ctx):
    """:func:`conv_transpose2d_backward` as loops: each stamp's gradient flows back to its pixel and its filter."""
    ctx = check_context(ctx, "conv_transpose2d_naive")
    x, w = ctx.saved["input"], ctx.saved["weight"]
    (stride_h, stride_w), padding, out_hw = ctx.options["stride"], ctx.options["padding"], ctx.options["out_hw"]
    batch, in_channels, height, width = x.shape
    _, out_channels, kernel_h, kernel_w = w.shape
    g = output_gradient(grad_output, (batch, out_channels) + out_hw).astype(w.dtype, copy=False)
    # the cropped border and output_padding's extra rows had no effect on the output: gradient 0
    grad_full = pad_sides(g, (padding[0], padding[0], padding[1], padding[1]))
    grad_input, grad_weight = np.zeros_like(x), np.zeros_like(w)
    for n in range(batch):
        for c in range(in_channels):
            for y in range(height):
                for x_ in range(width):
                    top, left = y * stride_h, x_ * stride_w
                    stamp_grad = grad_full[n, :, top:top + kernel_h, left:left + kernel_w]
                    grad_input[n, c, y, x_] = np.sum(stamp_grad * w[c])   # d stamp / d pixel = the filter
                    grad_weight[c] += x[n, c, y, x_] * stamp_grad         # d stamp / d filter = the pixel
    grad_bias = g.sum(axis=(0, 2, 3)) if ctx.options["has_bias"] else None
    return ctx.grads(grad_input, grad_weight, grad_bias)


def conv_transpose2d_naive(input, weight, bias=None, stride=1, padding=0, output_padding=0):
    """:func:`conv_transpose2d` as loops (the forward half of :func:`conv_transpose2d_naive_forward`)."""
    return conv_transpose2d_naive_forward(input, weight, bias, stride, padding, output_padding)[0]


# ----------------------------------------------------------------------------------------------
# conv_transpose2d: the public contract, on the fast path
# ----------------------------------------------------------------------------------------------

def conv_transpose2d_forward(input, weight, bias=None, stride=1, padding=0, output_padding=0, *,
                             needs_input_grad=None):
    """Transposed convolution: every input pixel stamps a copy of the filter, scaled by its value.

    Stamps ``stride`` pixels apart add up where they overlap (the cause of checkerboard artifacts
    when the kernel size is not a multiple of the stride); ``padding`` then crops that many pixels
    from each side, and ``output_padding`` adds rows and columns at the bottom and right, as
    ``torch.nn.functional.conv_transpose2d``.

    Parameters
    ----------
    input : ndarray, shape (N, C_in, H, W)
    weight : ndarray, shape (C_in, C_out, kH, kW)
        Note the order: input channels first, as in PyTorch.
    bias : ndarray, shape (C_out,), optional
    stride : int or (int, int)
    padding : int or (int, int)
    output_padding : int or (int, int)
        Smaller than ``stride``.
    needs_input_grad : (bool, bool, bool), optional

    Returns
    -------
    output : ndarray, shape (N, C_out, H_out, W_out)
        ``H_out = (H - 1) * stride - 2 * padding + kH + output_padding``, likewise ``W_out``.
    ctx : Context
        For :func:`conv_transpose2d_backward`.
    """
    x, w, b, stride, padding, output_padding, out_hw = _prepare_conv_transpose2d(
        input, weight, bias, stride, padding, output_padding)
    output = fast.conv_transpose2d_forward(x, w, b, stride, padding, out_hw)
    ctx = Context("conv_transpose2d", _INPUTS, needs_input_grad, saved={"input": x, "weight": w},
                  options={"stride": stride, "padding": padding, "out_hw": out_hw, "has_bias": b is not None})
    return output, ctx


def conv_transpose2d_backward(grad_output, ctx):
    """Gradients of :func:`conv_transpose2d_forward` with respect to ``input``, ``weight`` and ``bias``.

    ``grad_input`` is the ordinary convolution ``conv2d(grad_output, weight, stride=stride,
    padding=padding)``: forward spread each pixel over a patch, so backward collects each patch.

    Returns
    -------
    grad_input : ndarray, shape (N, C_in, H, W)
    grad_weight : ndarray, shape (C_in, C_out, kH, kW)
    grad_bias : ndarray, shape (C_out,), or None without a bias
    """
    ctx = check_context(ctx, "conv_transpose2d")
    x, w, options = ctx.saved["input"], ctx.saved["weight"], ctx.options
    g = output_gradient(grad_output, (x.shape[0], w.shape[1]) + options["out_hw"]).astype(w.dtype, copy=False)
    grads = fast.conv_transpose2d_backward(g, x, w, options["has_bias"], options["stride"], options["padding"],
                                           ctx.needs_input_grad)
    return ctx.grads(*grads)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0):
    """:func:`conv_transpose2d_forward` without the ``ctx``, as ``torch.nn.functional.conv_transpose2d``."""
    return conv_transpose2d_forward(input, weight, bias, stride, padding, output_padding)[0]


# ----------------------------------------------------------------------------------------------
# Argument checks, shared by the reference and the fast path
# ----------------------------------------------------------------------------------------------

def _check_arrays(input, weight, bias, weight_channels_axis, weight_layout):
    """Validate ``input``, ``weight`` and ``bias`` and cast them to one floating dtype."""
    x = as_float_array(input, "input", ndim=4)
    w = as_float_array(weight, "weight", ndim=4)
    if x.shape[1] != w.shape[weight_channels_axis]:
        raise ValueError(
            f"input has {x.shape[1]} channels but weight expects {w.shape[weight_channels_axis]} "
            f"(weight shape {w.shape}); weight is laid out {weight_layout}"
        )
    arrays = [x, w]
    if bias is not None:
        b = as_float_array(bias, "bias", ndim=1)
        out_channels = w.shape[1 - weight_channels_axis]
        if b.shape[0] != out_channels:
            raise ValueError(f"bias must have one value per output channel ({out_channels}), got shape {b.shape}")
        arrays.append(b)
    dtype = common_dtype(*arrays)
    arrays = [a.astype(dtype, copy=False) for a in arrays]
    return arrays if bias is not None else arrays + [None]


def _prepare_conv2d(input, weight, bias, stride, padding):
    x, w, b = _check_arrays(input, weight, bias, 1, "(out_channels, in_channels, kH, kW)")
    stride = pair(stride, "stride", minimum=1)
    sides = conv_padding(padding, w.shape[2:], stride)
    out_hw = conv_output_size(x.shape[2:], w.shape[2:], stride, sides)
    return x, w, b, stride, sides, out_hw


def _prepare_conv_transpose2d(input, weight, bias, stride, padding, output_padding):
    x, w, b = _check_arrays(input, weight, bias, 0, "(in_channels, out_channels, kH, kW)")
    stride = pair(stride, "stride", minimum=1)
    if isinstance(padding, str):
        raise ValueError(f"padding must be an int or a pair of ints for conv_transpose2d, got {padding!r}")
    padding = pair(padding, "padding", minimum=0)
    output_padding = pair(output_padding, "output_padding", minimum=0)
    if output_padding[0] >= stride[0] or output_padding[1] >= stride[1]:
        raise ValueError(f"output_padding must be smaller than the stride {stride}, got {output_padding}")
    out_hw = tuple(
        (size - 1) * s - 2 * p + k + extra
        for size, s, p, k, extra in zip(x.shape[2:], stride, padding, w.shape[2:], output_padding)
    )
    if min(out_hw) < 1:
        raise ValueError(
            f"conv_transpose2d output would be {out_hw[0]}x{out_hw[1]}: padding {padding} crops more than "
            f"the {x.shape[2]}x{x.shape[3]} input spread by stride {stride} and kernel {w.shape[2]}x{w.shape[3]} "
            "produces"
        )
    return x, w, b, stride, padding, output_padding, out_hw
