"""Convolution: ``conv2d`` and ``conv_transpose2d``, their gradients, and loop versions that teach.

A convolution layer slides each filter over the image and, at every position, multiplies the patch
under the filter by the filter's weights and adds them up (a cross-correlation, as in every deep
learning library: the kernel is not flipped). The loop versions, :func:`conv2d_naive` and
:func:`conv_transpose2d_naive`, say exactly that.

The fast versions compute the same numbers with one matrix product per image ("im2col"):

1. copy every kernel-sized patch of the (padded) image into one column of a matrix
   ``cols[n]``, shape ``(C * kH * kW, H_out * W_out)``;
2. the output is then ``weight.reshape(F, C * kH * kW) @ cols[n]``, every filter at every position
   at once, already in the (N, F, H_out, W_out) layout.

Backward reuses the same matrices: the weight gradient is the sum over images of
``grad_output[n] @ cols[n].T`` and the input gradient is ``weight.T @ grad_output[n]`` scattered
back over the ``kH * kW`` kernel offsets ("col2im"), the exact reverse of step 1. A transposed convolution is that scatter used as a forward
pass, which is why it can upsample.

Large batches are processed in chunks so that the ``cols`` matrix (``kH * kW`` times bigger than the
input) stays small; the chunks are large enough that the matrix products stay efficient. Work arrays
that do not outlive a call are reused from one call to the next (``_work_arrays.scratch``).
"""
import numpy as np

from .._validate import as_float_array, common_dtype, output_gradient, pair
from ._windows import conv_output_size, conv_padding, pad_sides, windows
from ._work_arrays import scratch

__all__ = [
    "conv2d",
    "conv2d_backward",
    "conv2d_naive",
    "conv_transpose2d",
    "conv_transpose2d_backward",
    "conv_transpose2d_naive",
]

# The im2col matrix of one chunk of the batch stays under this many bytes. Measured on the benchmark
# workloads: chunks of a few MiB are as fast as the whole batch at once or faster (the chunk stays
# in the CPU's cache between the matrix products that read it) and need a fraction of the memory;
# much smaller chunks mean many small matrix products, which multi-threaded BLAS handles badly.
_CHUNK_BYTES = 3 * 2**20
# A layer's forward keeps its im2col matrices for backward when they total at most this many bytes;
# above it, backward rebuilds them chunk by chunk from the input (one extra copy, much less memory).
_CACHE_BYTES = 16 * 2**20


# ----------------------------------------------------------------------------------------------
# Argument checks
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


def _check_grad_output(grad_output, expected_shape, dtype):
    return output_gradient(grad_output, expected_shape).astype(dtype, copy=False)


# ----------------------------------------------------------------------------------------------
# im2col and col2im: the two halves of every fast convolution
# ----------------------------------------------------------------------------------------------

def _im2col(padded, kernel_size, stride, reuse=False):
    """Copy every patch of each image of ``padded`` into a column of that image's matrix.

    Parameters
    ----------
    padded : ndarray, shape (N, C, H_pad, W_pad)
    kernel_size, stride : tuple of int
    reuse : bool
        Write into a reused work array (see ``_work_arrays.scratch``) instead of a new one: only for a
        matrix that is not kept after the current chunk.

    Returns
    -------
    ndarray, shape (N, C * kH * kW, H_out * W_out)
        Row ``(c, i, j)`` of image ``n`` holds pixel ``(i, j)`` of every patch of its channel ``c``.
    """
    patches = windows(padded, kernel_size, stride)  # a view: (N, C, H_out, W_out, kH, kW)
    # One copy, ordered so that a plain reshape lines the patches up as columns.
    ordered = patches.transpose(0, 1, 4, 5, 2, 3)  # (N, C, kH, kW, H_out, W_out)
    batch, channels, kernel_h, kernel_w, out_h, out_w = ordered.shape
    shape = (batch, channels * kernel_h * kernel_w, out_h * out_w)
    if not reuse:
        return ordered.reshape(shape)
    cols = scratch("cols", ordered.shape, padded.dtype)
    cols[...] = ordered
    return cols.reshape(shape)


def _col2im(cols, padded_shape, kernel_size, stride, out_hw):
    """Add every column back onto the patch it came from: the reverse (adjoint) of :func:`_im2col`.

    Parameters
    ----------
    cols : ndarray, shape (N, C * kH * kW, H_out * W_out)
    padded_shape : tuple
        ``(N, C, H_pad, W_pad)`` of the result.

    Returns
    -------
    ndarray, shape (N, C, H_pad, W_pad)
        Pixels covered by several patches get their sum.
    """
    batch, channels, padded_h, padded_w = padded_shape
    (kernel_h, kernel_w), (stride_h, stride_w), (out_h, out_w) = kernel_size, stride, out_hw
    cols = cols.reshape(batch, channels, kernel_h, kernel_w, out_h, out_w)
    image = np.zeros(padded_shape, dtype=cols.dtype)
    # kH * kW strided additions, each over the whole batch: the loop is over the kernel, never pixels.
    for i in range(kernel_h):
        rows = slice(i, i + stride_h * (out_h - 1) + 1, stride_h)
        for j in range(kernel_w):
            image[:, :, rows, j:j + stride_w * (out_w - 1) + 1:stride_w] += cols[:, :, i, j]
    return image


def _chunks(batch, bytes_per_sample):
    """Split ``range(batch)`` into slices whose im2col buffer stays under ``_CHUNK_BYTES``."""
    count = -(-batch // max(1, min(batch, _CHUNK_BYTES // max(1, bytes_per_sample))))
    # Chunks of (nearly) equal size: 64 images in 5 chunks are 12 or 13 each, never 15, 15, 15, 15, 4.
    bounds = [batch * i // count for i in range(count + 1)]
    return [slice(start, stop) for start, stop in zip(bounds[:-1], bounds[1:])]


def _crop(padded, sides, height, width):
    top, _, left, _ = sides
    return padded[:, :, top:top + height, left:left + width]


# ----------------------------------------------------------------------------------------------
# conv2d
# ----------------------------------------------------------------------------------------------

def conv2d(input, weight, bias=None, stride=1, padding=0):
    """2-D convolution (cross-correlation) of a batch of images with a bank of filters.

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

    Returns
    -------
    ndarray, shape (N, F, H_out, W_out)
        ``H_out = (H + 2 * padding - kH) // stride + 1``, likewise ``W_out``. float32 when every
        array is float32, else float64.

    Examples
    --------
    >>> import numpy as np
    >>> conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)))[0, 0]
    array([[4., 4.],
           [4., 4.]])
    """
    output, _ = _conv2d_with_cache(input, weight, bias, stride, padding, keep_cache=False)
    return output


def _conv2d_with_cache(input, weight, bias, stride, padding, keep_cache=True):
    """:func:`conv2d`, also returning what :func:`_conv2d_backward_from_cache` needs.

    For layers: the backward pass then reuses the im2col matrices instead of rebuilding them, when
    they are small enough to keep (``_CACHE_BYTES``); otherwise the cache holds the input and
    backward rebuilds them one chunk at a time.

    Returns
    -------
    output : ndarray, shape (N, F, H_out, W_out)
    cache : dict
        The shapes, the weight, and the im2col matrix of every chunk of the batch (or the input);
        None when ``keep_cache`` is False.
    """
    x, w, b, stride, sides, out_hw = _prepare_conv2d(input, weight, bias, stride, padding)
    batch, channels = x.shape[:2]
    filters, _, kernel_h, kernel_w = w.shape
    weight_matrix = w.reshape(filters, -1)
    output = np.empty((batch, filters) + out_hw, dtype=x.dtype)
    bytes_per_sample = channels * kernel_h * kernel_w * out_hw[0] * out_hw[1] * x.itemsize
    keep_cols = keep_cache and batch * bytes_per_sample <= _CACHE_BYTES
    # Chunks save memory only when the matrices are not kept; kept ones are fastest built at once.
    chunks = [slice(0, batch)] if keep_cols else _chunks(batch, bytes_per_sample)
    kept = []
    for chunk in chunks:
        cols = _im2col(pad_sides(x[chunk], sides), (kernel_h, kernel_w), stride, reuse=not keep_cols)
        # One (F, C*kH*kW) @ (C*kH*kW, H_out*W_out) product per image, written straight into the output.
        np.matmul(weight_matrix, cols, out=output[chunk].reshape(cols.shape[0], filters, -1))
        kept.append(cols if keep_cols else None)
    if b is not None:
        output += b[:, None, None]
    if not keep_cache:
        return output, None
    cache = {"chunks": chunks, "chunk_cols": kept, "input": None if keep_cols else x, "input_shape": x.shape, "weight": w,
             "has_bias": b is not None, "stride": stride, "sides": sides, "out_hw": out_hw}
    return output, cache


def _conv2d_backward_from_cache(grad_output, cache, input_grad=True):
    """Gradients of :func:`conv2d` from the cache of :func:`_conv2d_with_cache`.

    Parameters
    ----------
    grad_output : ndarray, shape (N, F, H_out, W_out)
    cache : dict
    input_grad : bool
        False skips the input's gradient (about a third of the work), for a first layer whose
        input is the data itself, as PyTorch skips it for inputs that do not require gradients.

    Returns
    -------
    grad_input : ndarray, shape (N, C, H, W), or None when ``input_grad`` is False
    grad_weight : ndarray, shape (F, C, kH, kW)
    grad_bias : ndarray, shape (F,), or None when the forward pass had no bias
    """
    w = cache["weight"]
    shape = cache["input_shape"]
    g = _check_grad_output(grad_output, (shape[0], w.shape[0]) + cache["out_hw"], w.dtype)
    return _conv2d_backward_chunks(g, w, shape, cache["has_bias"], cache["stride"], cache["sides"],
                                   cache["out_hw"], cache["chunk_cols"], cache["input"], input_grad, cache["chunks"])


def _conv2d_backward_chunks(g, w, input_shape, has_bias, stride, sides, out_hw, chunk_cols, x, input_grad=True,
                            chunks=None):
    """The backward pass, one chunk of the batch at a time; ``cols`` are rebuilt from ``x`` where not kept."""
    batch, channels, height, width = input_shape
    filters, _, kernel_h, kernel_w = w.shape
    weight_matrix = w.reshape(filters, -1)
    top, bottom, left, right = sides
    grad_input = np.empty(input_shape, dtype=w.dtype) if input_grad else None
    grad_weight = np.zeros_like(weight_matrix)
    grad_bias = np.zeros(filters, dtype=w.dtype) if has_bias else None
    bytes_per_sample = channels * kernel_h * kernel_w * out_hw[0] * out_hw[1] * w.itemsize
    chunks = _chunks(batch, bytes_per_sample) if chunks is None else chunks
    for chunk, cols in zip(chunks, chunk_cols or [None] * len(chunks)):
        if cols is None:
            cols = _im2col(pad_sides(x[chunk], sides), (kernel_h, kernel_w), stride, reuse=True)
        n = chunk.stop - chunk.start
        grad_matrix = g[chunk].reshape(n, filters, -1)  # (n, F, H_out * W_out), as forward's products
        # Each image's (F, P) @ (P, C*kH*kW), then the sum over images: a batched matrix product.
        # For large images (a long shared axis P) BLAS is a third faster on the transposed product.
        if grad_matrix.shape[2] >= 1024:
            grad_weight += np.matmul(cols, grad_matrix.transpose(0, 2, 1)).sum(axis=0).T
        else:
            grad_weight += np.matmul(grad_matrix, cols.transpose(0, 2, 1)).sum(axis=0)
        if has_bias:
            grad_bias += grad_matrix.sum(axis=(0, 2))
        if not input_grad:
            continue
        if stride == (1, 1):
            grad_input[chunk] = _input_gradient_stride_1(g[chunk], weight_matrix, (kernel_h, kernel_w), sides, (height, width))
            continue
        grad_cols = np.matmul(weight_matrix.T, grad_matrix)  # (n, C*kH*kW, H_out*W_out)
        padded_shape = (n, channels, height + top + bottom, width + left + right)
        grad_padded = _col2im(grad_cols, padded_shape, (kernel_h, kernel_w), stride, out_hw)
        grad_input[chunk] = _crop(grad_padded, sides, height, width)
    return grad_input, grad_weight.reshape(w.shape), grad_bias


def _input_gradient_stride_1(g, weight_matrix, kernel_size, sides, input_hw):
    """conv2d's input gradient at stride 1, with contiguous additions instead of :func:`_col2im`'s strided ones.

    The same sum as ``_col2im(weight.T @ g)``, arranged for speed: ``g`` is placed in a frame the
    size of the padded input (zeros to the right of and below each image), so that every kernel
    offset ``(i, j)`` becomes one flat shift by ``i * W_pad + j`` of the whole batch. The zeros of the
    frame add nothing, wherever the shift puts them.

    Parameters
    ----------
    g : ndarray, shape (n, F, H_out, W_out)
    weight_matrix : ndarray, shape (F, C * kH * kW)

    Returns
    -------
    ndarray, shape (n, C, H, W)
        A view of a reused work array: copy it before the next call.
    """
    batch, filters, out_h, out_w = g.shape
    kernel_h, kernel_w = kernel_size
    channels = weight_matrix.shape[1] // (kernel_h * kernel_w)
    (height, width), (top, bottom, left, right) = input_hw, sides
    padded_h, padded_w = height + top + bottom, width + left + right
    frame = scratch("frame", (filters, batch, padded_h, padded_w), g.dtype, zero=True)
    frame[:, :, :out_h, :out_w] = g.transpose(1, 0, 2, 3)
    length = batch * padded_h * padded_w
    grad_cols = scratch("grad_cols", (weight_matrix.shape[1], length), g.dtype)
    np.matmul(weight_matrix.T, frame.reshape(filters, length), out=grad_cols)
    grad_cols = grad_cols.reshape(channels, kernel_h, kernel_w, length)
    flat = scratch("flat", (channels, length + (kernel_h - 1) * padded_w + kernel_w - 1), g.dtype, zero=True)
    for i in range(kernel_h):
        for j in range(kernel_w):
            shift = i * padded_w + j
            flat[:, shift:shift + length] += grad_cols[:, i, j]
    padded = flat[:, :length].reshape(channels, batch, padded_h, padded_w)
    return padded[:, :, top:top + height, left:left + width].transpose(1, 0, 2, 3)


def conv2d_backward(grad_output, input, weight, bias=None, stride=1, padding=0):
    """Gradients of :func:`conv2d` with respect to ``input``, ``weight`` and ``bias``.

    ``grad_weight[f, c, i, j] = sum over n, y, x of grad_output[n, f, y, x] * input_padded[n, c, y * s + i, x * s + j]``;
    ``grad_input`` sends each ``grad_output`` value back through the filter onto the pixels that made it
    (a transposed convolution); ``grad_bias[f]`` sums ``grad_output[:, f]``.

    Parameters
    ----------
    grad_output : ndarray, shape (N, F, H_out, W_out)
        The loss's gradient with respect to conv2d's output.
    input : ndarray, shape (N, C, H, W)
    weight : ndarray, shape (F, C, kH, kW)
    bias : ndarray, shape (F,), optional
        Only whether it is given matters.
    stride, padding
        As given to :func:`conv2d`.

    Returns
    -------
    grad_input : ndarray, shape (N, C, H, W)
    grad_weight : ndarray, shape (F, C, kH, kW)
    grad_bias : ndarray, shape (F,), or None when ``bias`` is None
    """
    x, w, b, stride, sides, out_hw = _prepare_conv2d(input, weight, bias, stride, padding)
    g = _check_grad_output(grad_output, (x.shape[0], w.shape[0]) + out_hw, x.dtype)
    return _conv2d_backward_chunks(g, w, x.shape, b is not None, stride, sides, out_hw, None, x)


def conv2d_naive(input, weight, bias=None, stride=1, padding=0):
    """:func:`conv2d` as four loops: slide each filter over each image, multiply and add.

    Slow (a Python step per output number) but it is the definition; the tests check the fast
    :func:`conv2d` against it. Same arguments, shapes and result as :func:`conv2d`.
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
    return output


# ----------------------------------------------------------------------------------------------
# conv_transpose2d
# ----------------------------------------------------------------------------------------------

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
            f"the {x.shape[2]}x{x.shape[3]} input spread by stride {stride} and kernel {w.shape[2]}x{w.shape[3]} produces"
        )
    return x, w, b, stride, padding, output_padding, out_hw


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0):
    """Transposed convolution: every input pixel stamps a copy of the filter, scaled by its value.

    Stamps ``stride`` pixels apart add up where they overlap (the cause of checkerboard artifacts
    when the kernel size is not a multiple of the stride); ``padding`` then crops that many pixels
    from each side, and ``output_padding`` adds rows and columns at the bottom and right, as
    ``torch.nn.functional.conv_transpose2d``. It is the gradient of :func:`conv2d` with respect to its
    input, used as a forward pass to upsample.

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

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)
        ``H_out = (H - 1) * stride - 2 * padding + kH + output_padding``, likewise ``W_out``.
    """
    output, _ = _conv_transpose2d_with_cache(input, weight, bias, stride, padding, output_padding, keep_cache=False)
    return output


def _conv_transpose2d_with_cache(input, weight, bias, stride, padding, output_padding, keep_cache=True):
    """:func:`conv_transpose2d`, also returning what :func:`_conv_transpose2d_backward_from_cache` needs.

    Returns
    -------
    output : ndarray, shape (N, C_out, H_out, W_out)
    cache : dict, or None when ``keep_cache`` is False
    """
    x, w, b, stride, padding, output_padding, out_hw = _prepare_conv_transpose2d(
        input, weight, bias, stride, padding, output_padding)
    batch, in_channels, height, width = x.shape
    _, out_channels, kernel_h, kernel_w = w.shape
    sides = (padding[0], padding[0], padding[1], padding[1])
    full_shape_hw = (out_hw[0] + 2 * padding[0], out_hw[1] + 2 * padding[1])
    weight_matrix = w.reshape(in_channels, -1)
    output = np.empty((batch, out_channels) + out_hw, dtype=x.dtype)
    bytes_per_sample = out_channels * kernel_h * kernel_w * height * width * x.itemsize
    for chunk in _chunks(batch, bytes_per_sample):
        n = chunk.stop - chunk.start
        input_matrix = x[chunk].reshape(n, in_channels, -1)  # (n, C_in, H * W)
        cols = np.matmul(weight_matrix.T, input_matrix)  # one stamp per column, (n, C_out * kH * kW, H * W)
        full = _col2im(cols, (n, out_channels) + full_shape_hw, (kernel_h, kernel_w), stride, (height, width))
        output[chunk] = _crop(full, sides, *out_hw)
    if b is not None:
        output += b[:, None, None]
    if not keep_cache:
        return output, None
    cache = {"input": x, "weight": w, "has_bias": b is not None, "stride": stride, "sides": sides, "out_hw": out_hw}
    return output, cache


def _conv_transpose2d_backward_from_cache(grad_output, cache):
    """Gradients of :func:`conv_transpose2d` from the cache of :func:`_conv_transpose2d_with_cache`.

    Returns
    -------
    grad_input : ndarray, shape (N, C_in, H, W)
    grad_weight : ndarray, shape (C_in, C_out, kH, kW)
    grad_bias : ndarray, shape (C_out,), or None when the forward pass had no bias
    """
    x, w = cache["input"], cache["weight"]
    g = _check_grad_output(grad_output, (x.shape[0], w.shape[1]) + cache["out_hw"], w.dtype)
    batch, in_channels, height, width = x.shape
    _, out_channels, kernel_h, kernel_w = w.shape
    stride, sides = cache["stride"], cache["sides"]
    weight_matrix = w.reshape(in_channels, -1)
    grad_input = np.empty(x.shape, dtype=x.dtype)  # C order: the products below write into its views
    grad_weight = np.zeros_like(weight_matrix)
    bytes_per_sample = out_channels * kernel_h * kernel_w * height * width * x.itemsize
    for chunk in _chunks(batch, bytes_per_sample):
        # Forward scattered each input pixel's stamp; backward gathers the same patches of the
        # gradient: an ordinary convolution of grad_output with the same weight.
        grad_cols = _im2col(pad_sides(g[chunk], sides), (kernel_h, kernel_w), stride)  # (n, C_out*kH*kW, H*W)
        n = chunk.stop - chunk.start
        input_matrix = x[chunk].reshape(n, in_channels, -1)
        grad_weight += np.matmul(input_matrix, grad_cols.transpose(0, 2, 1)).sum(axis=0)
        np.matmul(weight_matrix, grad_cols, out=grad_input[chunk].reshape(n, in_channels, -1))
    grad_bias = g.sum(axis=(0, 2, 3)) if cache["has_bias"] else None
    return grad_input, grad_weight.reshape(w.shape), grad_bias


def conv_transpose2d_backward(grad_output, input, weight, bias=None, stride=1, padding=0, output_padding=0):
    """Gradients of :func:`conv_transpose2d` with respect to ``input``, ``weight`` and ``bias``.

    ``grad_input`` is the ordinary convolution ``conv2d(grad_output, weight, stride=stride,
    padding=padding)``: forward spread each pixel over a patch, so backward collects each patch.

    Parameters
    ----------
    grad_output : ndarray, shape (N, C_out, H_out, W_out)
    input : ndarray, shape (N, C_in, H, W)
    weight : ndarray, shape (C_in, C_out, kH, kW)
    bias : ndarray, shape (C_out,), optional
        Only whether it is given matters.
    stride, padding, output_padding
        As given to :func:`conv_transpose2d`.

    Returns
    -------
    grad_input : ndarray, shape (N, C_in, H, W)
    grad_weight : ndarray, shape (C_in, C_out, kH, kW)
    grad_bias : ndarray, shape (C_out,), or None when ``bias`` is None
    """
    x, w, b, stride, padding, output_padding, out_hw = _prepare_conv_transpose2d(
        input, weight, bias, stride, padding, output_padding)
    cache = {"input": x, "weight": w, "has_bias": b is not None, "stride": stride, "out_hw": out_hw,
             "sides": (padding[0], padding[0], padding[1], padding[1])}
    return _conv_transpose2d_backward_from_cache(grad_output, cache)


def conv_transpose2d_naive(input, weight, bias=None, stride=1, padding=0, output_padding=0):
    """:func:`conv_transpose2d` as loops: each input pixel adds ``pixel * filter`` onto the output.

    The stamp for input pixel ``(y, x)`` lands at ``(y * stride, x * stride)`` of an output that is
    then cropped by ``padding`` on each side. Same arguments, shapes and result as
    :func:`conv_transpose2d`.
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
    return output
