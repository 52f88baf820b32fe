"""The fast convolution behind ``F.conv2d_forward`` / ``F.conv2d_backward``: im2col, one matrix product.

The reference loops of ``functional/conv.py`` compute the same numbers with one matrix product per
image ("im2col"):

1. copy every kernel-sized patch of the (padded) image into one column of a matrix
   ``cols[n]``, shape ``(C * kH * kW, H_out * W_out)``;
2. the output is then ``weight.reshape(F, C * kH * kW) @ cols[n]``, every filter at every position
   at once, already in the (N, F, H_out, W_out) layout.

Backward reuses the same matrices: the weight gradient is the sum over images of
``grad_output[n] @ cols[n].T`` and the input gradient is ``weight.T @ grad_output[n]`` scattered
back over the ``kH * kW`` kernel offsets ("col2im"), the exact reverse of step 1. A transposed
convolution is that scatter used as a forward pass.

Large batches are processed in chunks so that the ``cols`` matrix (``kH * kW`` times bigger than the
input) stays small; the chunks are large enough that the matrix products stay efficient. Work arrays
that do not outlive a call are reused from one call to the next (:func:`.work_arrays.scratch`).

Where numba is there, 3x3 filters at stride 1 (the course's convolution) go to fused loops instead
(``fast/conv_fused.py``), which read the padded images in place: no im2col matrix, about twice as fast
on the course's networks.

Every function takes arrays already checked and cast by ``functional/conv.py``.
"""
import numpy as np

from ..windows import pad_sides, windows
from . import conv_fused
from .parallel import MIN_WORK, halves, run
from .work_arrays import scratch

__all__ = []

# The im2col matrix of one chunk of the batch stays under this many bytes. Measured on the benchmark
# workloads: chunks of a few MiB are as fast as the whole batch at once or faster (the chunk stays
# in the CPU's cache between the matrix products that read it) and need a fraction of the memory;
# much smaller chunks mean many small matrix products, which multi-threaded BLAS handles badly.
CHUNK_BYTES = 3 * 2**20
# A forward pass keeps its im2col matrices for backward when they total at most this many bytes;
# above it, backward rebuilds them chunk by chunk from the input (one extra copy, much less memory).
CACHE_BYTES = 16 * 2**20


# ----------------------------------------------------------------------------------------------
# im2col and col2im: the two halves of every fast convolution
# ----------------------------------------------------------------------------------------------

def im2col(padded, kernel_size, stride, reuse=False):
    """Copy every patch of each image of ``padded`` into a column of that image's matrix.

    Parameters
    ----------
    padded : ndarray, shape (N, C, H_pad, W_pad)
    kernel_size, stride : tuple of int
    reuse : bool
        Write into a reused work array (see :func:`.work_arrays.scratch`) instead of a new one: only for
        a matrix that is not kept after the current chunk.

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


def col2im(cols, padded_shape, kernel_size, stride, out_hw):
    """Add every column back onto the patch it came from: the reverse (adjoint) of :func:`im2col`.

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


def chunks(batch, bytes_per_sample):
    """Split ``range(batch)`` into slices whose im2col buffer stays under :data:`CHUNK_BYTES`."""
    count = -(-batch // max(1, min(batch, CHUNK_BYTES // max(1, bytes_per_sample))))
    # Chunks of (nearly) equal size: 64 images in 5 chunks are 12 or 13 each, never 15, 15, 15, 15, 4.
    bounds = [batch * i // count for i in range(count + 1)]
    return [slice(start, stop) for start, stop in zip(bounds[:-1], bounds[1:])]


def _crop(padded, sides, height, width):
    top, _, left, _ = sides
    return padded[:, :, top:top + height, left:left + width]


# ----------------------------------------------------------------------------------------------
# conv2d
# ----------------------------------------------------------------------------------------------

def conv2d_forward(x, w, b, stride, sides, out_hw, keep_cols=True):
    """conv2d by im2col; also returns the chunks and, when small enough to keep, their im2col matrices.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (F, C, kH, kW)
    b : ndarray, shape (F,), or None
    stride : (int, int)
    sides : (top, bottom, left, right) padding
    out_hw : (H_out, W_out)
    keep_cols : bool
        Keep the im2col matrices for backward (when they total at most :data:`CACHE_BYTES`).

    Returns
    -------
    output : ndarray, shape (N, F, H_out, W_out)
    batch_chunks : list of slice
    kept_cols : list of ndarray or None, one per chunk; or a :class:`.conv_fused.Framed`
        None where backward must rebuild the matrix from ``x``; the padded input where the fused loops ran.
    """
    if conv_fused.usable(x, w, stride, sides):
        output, frame = conv_fused.conv2d_forward(x, w, b, sides, out_hw)
        return output, [slice(0, len(x))], frame
    batch, channels = x.shape[:2]
    filters, _, kernel_h, kernel_w = w.shape
    weight_matrix = w.reshape(filters, -1)
    output = np.empty((batch, filters) + out_hw, dtype=x.dtype)
    bytes_per_sample = channels * kernel_h * kernel_w * out_hw[0] * out_hw[1] * x.itemsize
    keep_cols = keep_cols and batch * bytes_per_sample <= CACHE_BYTES
    work = batch * bytes_per_sample // x.itemsize  # values of im2col: what the copies and products touch
    # Kept matrices are fastest built at once, or in two halves on two threads; chunks save memory
    # only when the matrices are not kept (their work arrays are per thread, so chunks run two at a time).
    batch_chunks = halves(batch, work) if keep_cols else chunks(batch, bytes_per_sample)

    def forward_chunk(chunk):
        cols = im2col(pad_sides(x[chunk], sides), (kernel_h, kernel_w), stride, reuse=not keep_cols)
        out = output[chunk]
        # One (F, C*kH*kW) @ (C*kH*kW, H_out*W_out) product per image, written straight into the output.
        np.matmul(weight_matrix, cols, out=out.reshape(cols.shape[0], filters, -1))
        if b is not None:
            out += b[:, None, None]
        return cols if keep_cols else None
    kept = run(forward_chunk, batch_chunks, parallel=work >= MIN_WORK)
    return output, batch_chunks, kept


def conv2d_backward(g, x, w, has_bias, stride, sides, batch_chunks, kept_cols, needs_input_grad):
    """conv2d's gradients, one chunk of the batch at a time; ``cols`` are rebuilt from ``x`` where not kept.

    Parameters
    ----------
    g : ndarray, shape (N, F, H_out, W_out)
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (F, C, kH, kW)
    batch_chunks, kept_cols
        From :func:`conv2d_forward`.
    needs_input_grad : (bool, bool, bool)
        For input, weight and bias; False skips that gradient (None is returned for it).

    Returns
    -------
    grad_input : ndarray, shape (N, C, H, W), or None
    grad_weight : ndarray, shape (F, C, kH, kW), or None
    grad_bias : ndarray, shape (F,), or None
    """
    if isinstance(kept_cols, conv_fused.Framed):  # forward ran the fused loops
        return conv_fused.conv2d_backward(g, kept_cols, w, has_bias, sides, x.shape[2:], needs_input_grad)
    batch, channels, height, width = x.shape
    filters, _, kernel_h, kernel_w = w.shape
    out_hw = g.shape[2:]
    weight_matrix = w.reshape(filters, -1)
    top, bottom, left, right = sides
    input_grad, weight_grad, bias_grad = needs_input_grad[0], needs_input_grad[1], needs_input_grad[2] and has_bias
    grad_input = np.empty(x.shape, dtype=w.dtype) if input_grad else None

    def backward_chunk(chunk_and_cols):
        chunk, cols = chunk_and_cols
        n = chunk.stop - chunk.start
        grad_matrix = g[chunk].reshape(n, filters, -1)  # (n, F, H_out * W_out), as forward's products
        grad_weight = grad_bias = None
        if weight_grad:
            if cols is None:
                cols = im2col(pad_sides(x[chunk], sides), (kernel_h, kernel_w), stride, reuse=True)
            # Each image's (F, P) @ (P, C*kH*kW), then the sum over images: a batched matrix product.
            # For large images (a long shared axis P) BLAS is a third faster on the transposed product.
            if grad_matrix.shape[2] >= 1024:
                grad_weight = np.matmul(cols, grad_matrix.transpose(0, 2, 1)).sum(axis=0).T
            else:
                grad_weight = np.matmul(grad_matrix, cols.transpose(0, 2, 1)).sum(axis=0)
        if bias_grad:
            grad_bias = grad_matrix.sum(axis=(0, 2))
        if not input_grad:
            pass
        elif stride == (1, 1):
            grad_input[chunk] = _input_gradient_stride_1(g[chunk], weight_matrix, (kernel_h, kernel_w), sides,
                                                         (height, width))
        else:
            grad_cols = np.matmul(weight_matrix.T, grad_matrix)  # (n, C*kH*kW, H_out*W_out)
            padded_shape = (n, channels, height + top + bottom, width + left + right)
            grad_padded = col2im(grad_cols, padded_shape, (kernel_h, kernel_w), stride, out_hw)
            grad_input[chunk] = _crop(grad_padded, sides, height, width)
        return grad_weight, grad_bias
    # the chunks of forward: two halves (or pairs of chunks) on two threads when forward split the batch
    parts = run(backward_chunk, list(zip(batch_chunks, kept_cols)), parallel=len(batch_chunks) > 1)
    grad_weight = sum(part[0] for part in parts).reshape(w.shape) if weight_grad else None
    grad_bias = sum(part[1] for part in parts) if bias_grad else None
    return grad_input, grad_weight, grad_bias


def _input_gradient_stride_1(g, weight_matrix, kernel_size, sides, input_hw):
    """conv2d's input gradient at stride 1, with contiguous additions instead of :func:`col2im`'s strided ones.

    The same sum as ``col2im(weight.T @ g)``, arranged for speed: ``g`` is placed in a frame the
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


# ----------------------------------------------------------------------------------------------
# conv_transpose2d
# ----------------------------------------------------------------------------------------------

def conv_transpose2d_forward(x, w, b, stride, padding, out_hw):
    """conv_transpose2d by col2im: every input pixel's stamp ``weight.T @ x`` scattered onto the output.

    Parameters
    ----------
    x : ndarray, shape (N, C_in, H, W)
    w : ndarray, shape (C_in, C_out, kH, kW)
    b : ndarray, shape (C_out,), or None
    stride, padding : (int, int)
    out_hw : (H_out, W_out)

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)
    """
    batch, in_channels, height, width = x.shape
    _, out_channels, kernel_h, kernel_w = w.shape
    sides = (padding[0], padding[0], padding[1], padding[1])
    full_shape_hw = (out_hw[0] + 2 * padding[0], out_hw[1] + 2 * padding[1])
    weight_matrix = w.reshape(in_channels, -1)
    output = np.empty((batch, out_channels) + out_hw, dtype=x.dtype)
    bytes_per_sample = out_channels * kernel_h * kernel_w * height * width * x.itemsize
    for chunk in chunks(batch, bytes_per_sample):
        n = chunk.stop - chunk.start
        input_matrix = x[chunk].reshape(n, in_channels, -1)  # (n, C_in, H * W)
        cols = np.matmul(weight_matrix.T, input_matrix)  # one stamp per column, (n, C_out * kH * kW, H * W)
        full = col2im(cols, (n, out_channels) + full_shape_hw, (kernel_h, kernel_w), stride, (height, width))
        output[chunk] = _crop(full, sides, *out_hw)
    if b is not None:
        output += b[:, None, None]
    return output


def conv_transpose2d_backward(g, x, w, has_bias, stride, padding, needs_input_grad):
    """conv_transpose2d's gradients: forward scattered each pixel's stamp, backward gathers the same patches.

    Parameters
    ----------
    g : ndarray, shape (N, C_out, H_out, W_out)
    x : ndarray, shape (N, C_in, H, W)
    w : ndarray, shape (C_in, C_out, kH, kW)
    needs_input_grad : (bool, bool, bool)

    Returns
    -------
    grad_input : ndarray, shape (N, C_in, H, W), or None
    grad_weight : ndarray, shape (C_in, C_out, kH, kW), or None
    grad_bias : ndarray, shape (C_out,), or None
    """
    batch, in_channels, height, width = x.shape
    _, out_channels, kernel_h, kernel_w = w.shape
    sides = (padding[0], padding[0], padding[1], padding[1])
    weight_matrix = w.reshape(in_channels, -1)
    grad_input = np.empty(x.shape, dtype=x.dtype)  # C order: the products below write into its views
    grad_weight = np.zeros_like(weight_matrix)
    bytes_per_sample = out_channels * kernel_h * kernel_w * height * width * x.itemsize
    for chunk in chunks(batch, bytes_per_sample):
        # An ordinary convolution of grad_output with the same weight.
        grad_cols = im2col(pad_sides(g[chunk], sides), (kernel_h, kernel_w), stride)  # (n, C_out*kH*kW, H*W)
        n = chunk.stop - chunk.start
        input_matrix = x[chunk].reshape(n, in_channels, -1)
        grad_weight += np.matmul(input_matrix, grad_cols.transpose(0, 2, 1)).sum(axis=0)
        np.matmul(weight_matrix, grad_cols, out=grad_input[chunk].reshape(n, in_channels, -1))
    grad_bias = g.sum(axis=(0, 2, 3)) if has_bias else None
    return grad_input, grad_weight.reshape(w.shape), grad_bias
