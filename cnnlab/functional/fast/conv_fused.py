"""conv2d at stride 1 in fused loops (numba, see :mod:`.jit`): the padded images read in place, no im2col.

``fast/conv.py`` copies every patch into an im2col matrix, nine times the input for 3x3 filters, and
hands it to matrix products, then sums the bias and crops in more passes: on the course's small layers
(8 to 32 filters on 28x28 and 14x14 digits) those copies cost more than the arithmetic. These loops
read the padded images in place and keep the products of a filter in registers (:func:`_correlate_for`;
for the weight gradient, :func:`_weight_gradient` for 3x3 and :func:`_weight_gradient_rows_for` for the rest).

**The flat shift.** Each padded image channel is stored as one flat row of ``H_pad * W_pad`` values
(plus ``kW - 1`` zeros). Kernel offset ``(i, j)`` is then a shift of that row by ``i * W_pad + j``, so

    frame[f, q] = bias[f] + sum over c, i, j of  weight[f, c, i, j] * row[c, q + i * W_pad + j]

is ``kH * kW`` shifted rows (nine for 3x3) multiplied and added, one long contiguous loop over ``q`` that the compiler
turns into vector instructions. Position ``q = y * W_pad + x`` is output pixel ``(y, x)`` when
``x < W_out``; the last ``W_pad - W_out`` positions of each row mix two image rows and are dropped.

**Backward is the same two loops.**

- The input gradient of a stride-1 convolution is a convolution of ``grad_output`` (padded by
  ``k - 1 - padding``) with the filters flipped and their two channel axes swapped: every output value
  sends ``g * weight`` back onto the pixels that made it, which is the forward loop read backwards.
- The weight gradient is one dot product per (filter, channel, tap): ``grad_output`` in the same flat
  layout (zeros at the dropped positions) against the shifted row of the input, a kernel row's taps
  (all nine for 3x3) summed in one pass.

Each image is framed by the loop that reads it, just before, while it is in the cache. The loops
split the batch with ``jit.prange``, so that a large batch runs on two of numba's threads
(:func:`.parallel.fused_run`); the weight gradient keeps one sum per part, added afterwards.
Every function takes arrays already checked and cast by ``functional/conv.py``.
"""
import functools

import numpy as np

from . import jit, parallel
from .parallel import fused_run

__all__ = []


def usable(x, w, stride, sides):
    """True when these loops take the convolution: stride 1, padding below the kernel's size, numba there.

    The input gradient pads ``grad_output`` by ``k - 1 - padding``, so padding must stay below ``k``.
    Below :data:`.jit.MIN_BYTES` of output the NumPy path is as fast, and numba is not loaded for it.
    """
    kernel_h, kernel_w = w.shape[2:]
    top, bottom, left, right = sides
    if tuple(stride) != (1, 1) or max(top, bottom) >= kernel_h or max(left, right) >= kernel_w:
        return False
    out_bytes = x.shape[0] * w.shape[0] * x.shape[2] * x.shape[3] * x.itemsize
    return out_bytes >= jit.MIN_BYTES and jit.available()


class Framed:
    """The input of a convolution as flat padded rows, kept by forward for backward.

    Parameters
    ----------
    rows : ndarray, shape (N, C, H_pad * W_pad + kW - 1)
    padded_width : int
    """

    def __init__(self, rows, padded_width):
        self.rows, self.padded_width = rows, padded_width


def framed(x, sides, kernel_w):
    """Room for ``x`` zero-padded by ``sides`` (top, bottom, left, right), each channel one flat row.

    The correlation loop writes each image's frame just before it reads it (:func:`_frame_image`),
    on the thread that takes the image, while it is in the cache.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    kernel_w : int
        The width of the filters the rows are for.

    Returns
    -------
    Framed
        Its rows have shape (N, C, H_pad * W_pad + kW - 1): ``kW - 1`` zeros after the image, so that
        the largest shift (``(kH - 1) * W_pad + kW - 1``) stays inside the row.
    """
    batch, channels, height, width = x.shape
    top, bottom, left, right = sides
    padded_h, padded_w = height + top + bottom, width + left + right
    # np.empty, not np.zeros: zeros of a few MB come as fresh pages from the operating system, and
    # touching them cost more than the copy (0.36 ms against 0.1 for 3.4 MB)
    rows = np.empty((batch, channels, padded_h * padded_w + kernel_w - 1), x.dtype)
    return Framed(rows, padded_w)


# ------------------------------------------------------------------------- the loops, compiled
def _frame_image(x, rows, n, top, left, padded_w):
    """Image ``n`` of ``x`` (N, C, H, W) into ``rows[n]`` (C, L): zeros, then each image row at its place."""
    channels, height, width = x.shape[1], x.shape[2], x.shape[3]
    for c in range(channels):
        row = rows[n, c]
        row[:] = 0
        for y in range(height):
            target, source = row[(top + y) * padded_w + left:(top + y) * padded_w + left + width], x[n, c, y]
            for k in range(width):
                target[k] = source[k]


@jit.compiled
def _weight_gradient(rows, grad_output, padded_w, parts):  # noqa: C901, PLR0915 (see the docstring)
    """Over the images (in ``parts``) and positions ``q``, sums of ``grad[n, f, q] * row[n, c, q + shift(i, j)]``.

    ``rows`` (N, C, L) from :func:`framed`, written by forward; ``grad_output`` (N, F, H_out, W_out).
    Returns each part's sums as the weight gradient (parts, F, C, 9), and the sums of ``grad`` as the
    bias gradient (parts, F), both in float64: each image's sums are kept in the arrays' dtype, added
    across images in float64. Each part puts two filters' gradients in the flat layout, zero at the
    dropped positions, into its own ``grad_rows`` (2, H_out * W_pad).
    Filters go two at a time, so that the nine shifted rows are read once for both; the eighteen
    running sums are eighteen statements because each must stay in a register.
    """
    batch, channels, filters = rows.shape[0], rows.shape[1], grad_output.shape[1]
    out_h, out_w = grad_output.shape[2], grad_output.shape[3]
    length = out_h * padded_w
    # one spare filter: an odd last filter pairs with a copy of itself, whose sums land there and are dropped
    all_weight_sums, all_bias_sums = np.zeros((parts, filters + 1, channels, 9)), np.zeros((parts, filters + 1))
    zero = rows.dtype.type(0)
    s, t = padded_w, 2 * padded_w
    for part in jit.prange(parts):
        weight_sums, bias_sums = all_weight_sums[part], all_bias_sums[part]
        grad_rows = np.empty((2, length), rows.dtype)
        for n in range(part * batch // parts, (part + 1) * batch // parts):
            for f in range(0, filters, 2):
                g, copy = f + 1, min(f + 1, filters - 1)
                first, second = grad_rows[0], grad_rows[1]
                first[:] = 0
                second[:] = 0
                for y in range(out_h):
                    a, b = grad_output[n, f, y], grad_output[n, copy, y]
                    for x in range(out_w):
                        first[y * padded_w + x] = a[x]
                        second[y * padded_w + x] = b[x]
                total_first = total_second = zero
                for q in range(length):
                    total_first += first[q]
                    total_second += second[q]
                bias_sums[f] += total_first
                bias_sums[g] += total_second
                for c in range(channels):
                    row = rows[n, c]
                    r0, r1, r2 = row[0:length], row[1:1 + length], row[2:2 + length]
                    r3, r4, r5 = row[s:s + length], row[s + 1:s + 1 + length], row[s + 2:s + 2 + length]
                    r6, r7, r8 = row[t:t + length], row[t + 1:t + 1 + length], row[t + 2:t + 2 + length]
                    a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = a8 = zero
                    b0 = b1 = b2 = b3 = b4 = b5 = b6 = b7 = b8 = zero
                    for q in range(length):
                        d, e = first[q], second[q]
                        p0, p1, p2, p3, p4, p5 = r0[q], r1[q], r2[q], r3[q], r4[q], r5[q]
                        p6, p7, p8 = r6[q], r7[q], r8[q]
                        a0 += d * p0
                        a1 += d * p1
                        a2 += d * p2
                        a3 += d * p3
                        a4 += d * p4
                        a5 += d * p5
                        a6 += d * p6
                        a7 += d * p7
                        a8 += d * p8
                        b0 += e * p0
                        b1 += e * p1
                        b2 += e * p2
                        b3 += e * p3
                        b4 += e * p4
                        b5 += e * p5
                        b6 += e * p6
                        b7 += e * p7
                        b8 += e * p8
                    for k, value in enumerate((a0, a1, a2, a3, a4, a5, a6, a7, a8)):
                        weight_sums[f, c, k] += value
                    for k, value in enumerate((b0, b1, b2, b3, b4, b5, b6, b7, b8)):
                        weight_sums[g, c, k] += value
    return all_weight_sums[:, :filters], all_bias_sums[:, :filters]


def _taps_in_one_pass(kernel_h, kernel_w):
    """Up to nine taps: every product of a position in one visit, the sums in registers.

    Returns the loop for two filters and the loop for one (an odd last filter). Offsets are unsigned:
    numba then knows no index is negative and leaves out the check for Python's negative indices,
    which would stop the loop from being vectorised.
    """
    def add_two(first, second, row, u, v, length, padded_w):
        width = np.uint64(padded_w)
        for q in range(np.uint64(length)):
            a, b = first[q], second[q]
            for i in range(kernel_h):
                for j in range(kernel_w):
                    value = row[q + np.uint64(i) * width + np.uint64(j)]
                    a += u[i, j] * value
                    b += v[i, j] * value
            first[q], second[q] = a, b

    def add_one(first, row, u, length, padded_w):
        width = np.uint64(padded_w)
        for q in range(np.uint64(length)):
            a = first[q]
            for i in range(kernel_h):
                for j in range(kernel_w):
                    a += u[i, j] * row[q + np.uint64(i) * width + np.uint64(j)]
            first[q] = a
    return add_two, add_one


def _taps_row_by_row(kernel_h, kernel_w):
    """Larger filters: one kernel row per pass over the positions (25 sums at once would not fit in registers).

    Returns the loop for two filters and the loop for one, as :func:`_taps_in_one_pass`.
    """
    def add_two(first, second, row, u, v, length, padded_w):
        for i in range(kernel_h):
            shifted = row[i * padded_w:i * padded_w + length + kernel_w - 1]
            for q in range(length):
                a, b = first[q], second[q]
                for j in range(kernel_w):
                    a += u[i, j] * shifted[q + j]
                    b += v[i, j] * shifted[q + j]
                first[q], second[q] = a, b

    def add_one(first, row, u, length, padded_w):
        for i in range(kernel_h):
            shifted = row[i * padded_w:i * padded_w + length + kernel_w - 1]
            for q in range(length):
                a = first[q]
                for j in range(kernel_w):
                    a += u[i, j] * shifted[q + j]
                first[q] = a
    return add_two, add_one


def _keep_output_columns(sums, out, n, f, g, padded_w):
    """Filters ``f`` and ``g`` of image ``n``: the first ``W_out`` of every ``W_pad`` positions of ``sums``.

    ``g`` first: when ``g == f`` (an odd last filter, computed alone into ``sums[0]``), ``f`` is written last.
    """
    out_h, out_w = out.shape[2], out.shape[3]
    for k, filter_ in ((1, g), (0, f)):
        for y in range(out_h):
            target, source = out[n, filter_, y], sums[k, y * padded_w:y * padded_w + out_w]
            for x in range(out_w):  # a loop: numba's slice assignment was 2.5x slower here
                target[x] = source[x]


@functools.lru_cache(maxsize=None)
def _correlate_for(kernel_h, kernel_w):
    """The loop ``out[n] = bias + weight (x) image n`` for every image, for filters ``kH x kW``.

    The loop's arguments: ``x`` (N, C, H, W), ``rows`` (N, C, L) from :func:`framed`, into which it
    writes each image's frame before reading it, ``w`` (F, C, kH, kW), ``bias`` (F,), ``out``
    (N, F, H_out, W_out), and the frame's ``top``, ``left`` and ``W_pad``. Each image's two filters'
    flat rows go into a work array ``sums`` (2, H_out * W_pad): filters go two at a time, so that each
    value read serves both (an odd last one alone).

    The kernel's size is fixed when the loop is compiled (numba takes a closure's values as constants),
    so its loops over the taps unroll inside the vectorised loop over ``q``; one compiled loop per size.
    """
    taps = _taps_in_one_pass if kernel_h * kernel_w <= 9 else _taps_row_by_row
    add_two, add_one = (jit.inlined(loop) for loop in taps(kernel_h, kernel_w))
    frame_image, keep_output_columns = jit.inlined(_frame_image), jit.inlined(_keep_output_columns)

    def correlate(x, rows, w, bias, out, top, left, padded_w):
        batch, channels, filters = x.shape[0], x.shape[1], w.shape[0]
        length = out.shape[2] * padded_w
        for n in jit.prange(batch):
            frame_image(x, rows, n, top, left, padded_w)
            sums = np.empty((2, length), rows.dtype)
            for f in range(0, filters, 2):
                g = min(f + 1, filters - 1)  # an odd last filter alone: g == f
                sums[0] = bias[f]
                sums[1] = bias[g]
                for c in range(channels):
                    if g == f:
                        add_one(sums[0], rows[n, c], w[f, c], length, padded_w)
                    else:
                        add_two(sums[0], sums[1], rows[n, c], w[f, c], w[g, c], length, padded_w)
                keep_output_columns(sums, out, n, f, g, padded_w)
    return jit.compiled(correlate)


@functools.lru_cache(maxsize=None)
def _weight_gradient_rows_for(kernel_w):  # noqa: C901 (the taps' ifs fold away when the loop is compiled)
    """:func:`_weight_gradient` for filters of any size, one kernel row per pass, as (parts, F, C, kH, kW).

    Each pass over ``q`` sums up to five taps of one kernel row for two filters at once (ten sums in
    registers), so that each value read serves up to ten products; a wider row takes one pass per five
    taps. ``kernel_w`` is fixed when the loop is compiled: the taps beyond it drop out.
    """
    def weight_gradient(rows, grad_output, padded_w, kernel_h, parts):  # noqa: C901, PLR0912, PLR0915
        batch, channels, filters = rows.shape[0], rows.shape[1], grad_output.shape[1]
        length = grad_output.shape[2] * padded_w
        all_weight_sums = np.zeros((parts, filters + 1, channels, kernel_h, kernel_w))
        all_bias_sums = np.zeros((parts, filters + 1))
        zero = rows.dtype.type(0)
        for part in jit.prange(parts):
            weight_sums, bias_sums = all_weight_sums[part], all_bias_sums[part]
            grad_rows = np.empty((2, length), rows.dtype)
            for n in range(part * batch // parts, (part + 1) * batch // parts):
                for f in range(0, filters, 2):
                    g = f + 1  # an odd last filter pairs with a copy of itself, summed into the spare row
                    grad_rows[:] = 0
                    for k in range(2):  # the gradients in the flat layout, zero where dropped
                        for y in range(grad_output.shape[2]):
                            source = grad_output[n, min(f + k, filters - 1), y]
                            for x in range(grad_output.shape[3]):
                                grad_rows[k, y * padded_w + x] = source[x]
                        bias_sums[f + k] += grad_rows[k].sum()
                    first, second = grad_rows[0], grad_rows[1]
                    for c in range(channels):
                        for i in range(kernel_h):
                            for j0 in range(0, kernel_w, 5):  # taps j0 .. j0 + 4 of kernel row i
                                taps = kernel_w - j0
                                row = rows[n, c, i * padded_w + j0:i * padded_w + j0 + length + min(taps, 5) - 1]
                                a0 = a1 = a2 = a3 = a4 = b0 = b1 = b2 = b3 = b4 = zero
                                for q in range(length):
                                    d, e = first[q], second[q]
                                    value = row[q]
                                    a0 += d * value
                                    b0 += e * value
                                    if taps > 1:
                                        value = row[q + 1]
                                        a1 += d * value
                                        b1 += e * value
                                    if taps > 2:
                                        value = row[q + 2]
                                        a2 += d * value
                                        b2 += e * value
                                    if taps > 3:
                                        value = row[q + 3]
                                        a3 += d * value
                                        b3 += e * value
                                    if taps > 4:
                                        value = row[q + 4]
                                        a4 += d * value
                                        b4 += e * value
                                for j, (a, b) in enumerate(((a0, b0), (a1, b1), (a2, b2), (a3, b3), (a4, b4))):
                                    if j < taps:
                                        weight_sums[f, c, i, j0 + j] += a
                                        weight_sums[g, c, i, j0 + j] += b
        return all_weight_sums[:, :filters], all_bias_sums[:, :filters]
    return jit.compiled(weight_gradient)


# ------------------------------------------------------------------------- forward and backward
def conv2d_forward(x, w, b, sides, out_hw):
    """conv2d at stride 1, ``bias + weight (x) image`` for every image, on two threads for a large batch.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
    w : ndarray, shape (F, C, kH, kW)
    b : ndarray, shape (F,), or None
    sides : (top, bottom, left, right), each below the kernel's size
        Such that H + top + bottom - kH + 1 = H_out.
    out_hw : (H_out, W_out)

    Returns
    -------
    out : ndarray, shape (N, F, H_out, W_out)
    frame : Framed
        ``x`` as the loop framed it, what backward needs for the weight gradient.
    """
    frame = framed(x, sides, w.shape[3])
    batch, filters = x.shape[0], w.shape[0]
    out = np.empty((batch, filters) + tuple(out_hw), x.dtype)
    bias = np.zeros(filters, x.dtype) if b is None else b
    work = batch * filters * out_hw[0] * frame.padded_width
    fused_run(_correlate_for(*w.shape[2:]), x, x, frame.rows, np.ascontiguousarray(w), bias, out, sides[0], sides[2],
              frame.padded_width, worth=work >= parallel.MIN_WORK)
    return out, frame


def conv2d_backward(g, frame, w, has_bias, sides, input_hw, needs_input_grad):
    """conv2d's gradients from the :class:`Framed` input of :func:`conv2d_forward`.

    Parameters
    ----------
    g : ndarray, shape (N, F, H_out, W_out)
    frame : Framed
    w : ndarray, shape (F, C, kH, kW)
    sides : (top, bottom, left, right)
    input_hw : (H, W)
    needs_input_grad : (bool, bool, bool)

    Returns
    -------
    grad_input : ndarray, shape (N, C, H, W), or None
    grad_weight : ndarray, shape (F, C, kH, kW), or None
    grad_bias : ndarray, shape (F,), or None
    """
    wants_input, wants_bias = needs_input_grad[0], needs_input_grad[2] and has_bias
    wants_weights = needs_input_grad[1] or wants_bias
    grad_input = _input_gradient(g, w, sides, input_hw) if wants_input else None
    weights = _weight_and_bias_gradients(g, frame, w) if wants_weights else (None, None)
    grad_weight = weights[0] if needs_input_grad[1] else None
    grad_bias = weights[1] if wants_bias else None
    return grad_input, grad_weight, grad_bias


def _input_gradient(g, w, sides, input_hw):
    """The input gradient: ``grad_output`` padded by ``k - 1 - padding`` against the flipped filters."""
    kernel_h, kernel_w = w.shape[2:]
    top, bottom, left, right = sides
    flipped = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))  # (C, F, kH, kW), channels swapped
    full = (kernel_h - 1 - top, kernel_h - 1 - bottom, kernel_w - 1 - left, kernel_w - 1 - right)
    return conv2d_forward(g, flipped, None, full, input_hw)[0]  # a forward pass of its own, framed as forward is


def _weight_and_bias_gradients(g, frame, w):
    """The weight gradient (F, C, kH, kW) and the bias gradient (F,), in ``w``'s dtype, from the kept frame."""
    batch, filters, out_h, _ = g.shape
    kernel_h, kernel_w = w.shape[2:]
    padded_w = frame.padded_width
    work = batch * filters * out_h * padded_w * frame.rows.shape[1]
    parts = min(2, batch)  # two parts on one thread or two: the same sums either way
    if (kernel_h, kernel_w) == (3, 3):
        loop, arguments = _weight_gradient, (frame.rows, g, padded_w, parts)
    else:
        loop, arguments = _weight_gradient_rows_for(kernel_w), (frame.rows, g, padded_w, kernel_h, parts)
    weight_sums, bias_sums = fused_run(loop, g, *arguments, worth=work >= parallel.MIN_WORK)
    return weight_sums.sum(axis=0).reshape(w.shape).astype(w.dtype), bias_sums.sum(axis=0).astype(w.dtype)
