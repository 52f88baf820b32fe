"""Exercise checks for notebook 09, upsampling and transposed convolution.

The slips named: the output size without the ``- 1`` (a stamp per input pixel plus a stride
after the last one), padding subtracted once instead of from both sides, nearest neighbour done
with ``np.tile`` (which repeats the whole image, not each pixel), stamps placed at ``i`` instead of
``i * stride``, a flipped kernel, "kernel larger than stride" taken for the checkerboard rule, and the
kernel taps behind an output pixel taken for one tap or for an input row.
"""
import numpy as np

from ... import functional as F
from ..checks import Hint, call, exercise, expect, expect_close, expect_returned, expect_shape
from ..lecture_data import SLIDE_NEAREST_4X4, UPSAMPLING_2X2
from .plots import interior, overlap_counts

_SIZE_CASES = [(4, 3, 2, 0, 0), (4, 4, 2, 1, 0), (7, 3, 2, 1, 1), (5, 3, 1, 0, 0), (3, 5, 3, 2, 2), (1, 2, 2, 0, 0)]


def _size(h, k, s, p, op):
    return (h - 1) * s - 2 * p + k + op


@exercise("09.1 The output size of a transposed convolution")
def check_output_size(transposed_output_size):
    """``transposed_output_size(h, kernel_size, stride, padding, output_padding)`` returns an int."""
    for h, k, s, p, op in _SIZE_CASES:
        given = call(transposed_output_size, h, k, s, p, op)
        expect_returned(given, "the size")
        right = F.conv_transpose2d(np.zeros((1, 1, h, h)), np.zeros((1, 1, k, k)), stride=s, padding=p,
                                   output_padding=op).shape[-1]
        assert right == _size(h, k, s, p, op)
        if given == right:
            continue
        case = f"h={h}, kernel_size={k}, stride={s}, padding={p}, output_padding={op}"
        if given == h * s - 2 * p + k + op:
            raise Hint(f"{case}: got {given}, expected {right}. The stamps of h pixels start (h - 1) strides apart, "
                       "not h: use (h - 1) * stride.")
        if given == (h - 1) * s - p + k + op:
            raise Hint(f"{case}: got {given}, expected {right}. padding crops from both sides: subtract 2 * padding.")
        if given == (h - 1) * s - 2 * p + k:
            raise Hint(f"{case}: got {given}, expected {right}. output_padding adds rows at the bottom: add it.")
        if given == (h - k + 2 * p) // s + 1:
            raise Hint(f"{case}: that is a convolution's output size; the transposed one goes the other way, "
                       "(h - 1) * stride - 2 * padding + kernel_size + output_padding.")
        raise Hint(f"{case}: got {given}, expected {right}.")
    return "H_out = (H - 1) * stride - 2 * padding + kernel_size + output_padding, the inverse of conv2d's size rule."


@exercise("09.2 Nearest-neighbour upsampling of the lecture's 2x2 map")
def check_nearest(upsample_nearest):
    """``upsample_nearest(x, factor)`` for a 2-D array returns the array with each pixel as a factor x factor block."""
    answer = call(upsample_nearest, UPSAMPLING_2X2.copy(), 2)
    expect_shape(answer, (4, 4), "upsample_nearest(lecture 2x2, 2)", "Each pixel becomes a 2x2 block.")
    answer = np.asarray(answer)
    if np.array_equal(answer, np.tile(UPSAMPLING_2X2, (2, 2))):
        raise Hint("np.tile repeats the whole image side by side; repeat each pixel instead: "
                   "np.repeat along each axis.")
    expect_close(answer, SLIDE_NEAREST_4X4, "upsample_nearest(lecture 2x2, 2)")
    x = np.arange(6.0).reshape(2, 3)
    expect_close(call(upsample_nearest, x, 3), F.interpolate(x[None, None], scale_factor=3, mode="nearest")[0, 0],
                 "upsample_nearest(2x3 map, 3)", "Use the factor you are given, not a fixed 2.")
    return "the slide's 4x4 table, and F.interpolate(mode='nearest') agrees; no parameter was learned."


@exercise("09.3 Transposed convolution by scattering stamps")
def check_scatter(scatter_transpose):
    """``scatter_transpose(x, w, stride)`` for 2-D ``x`` and ``w`` returns the 2-D transposed convolution."""
    rng = np.random.default_rng(9)
    for shape, kernel, stride in [((2, 2), (3, 3), 2), ((3, 2), (2, 3), 1), ((3, 3), (3, 3), 3), ((2, 3), (4, 4), 2)]:
        x, w = rng.integers(-3, 4, shape).astype(float), rng.integers(-3, 4, kernel).astype(float)
        right = F.conv_transpose2d(x[None, None], w[None, None], stride=stride)[0, 0]
        answer = call(scatter_transpose, x.copy(), w.copy(), stride)
        what = f"scatter_transpose(x {shape}, w {kernel}, stride={stride})"
        expect_shape(answer, right.shape, what,
                     "The output is ((H - 1) * stride + kH) x ((W - 1) * stride + kW).")
        answer = np.asarray(answer, dtype=float)
        flipped = F.conv_transpose2d(x[None, None], w[None, None, ::-1, ::-1].copy(), stride=stride)[0, 0]
        if not np.allclose(right, flipped) and np.allclose(answer, flipped):
            raise Hint(f"{what}: your kernel is flipped. Each stamp is x[i, j] * w as it is, not rotated.")
        expect_close(answer, right, what,
                     "Add x[i, j] * w into out[i*stride : i*stride + kH, j*stride : j*stride + kW] for every i, j.")
    return "each input pixel stamps a scaled copy of the kernel, stride pixels after the previous one."


@exercise("09.4 When do stamps overlap unevenly?")
def check_uneven(overlap_is_uneven):
    """``overlap_is_uneven(kernel_size, stride)`` returns True when the stamps overlap unevenly."""
    for kernel_size in range(1, 9):
        for stride in range(1, 5):
            answer = call(overlap_is_uneven, kernel_size, stride)
            expect(isinstance(answer, (bool, np.bool_)), f"return True or False, got {answer!r}.")
            inner = interior(overlap_counts(kernel_size, stride), kernel_size - 1)
            right = bool(inner.min() != inner.max())
            if bool(answer) == right:
                continue
            pattern = overlap_counts(kernel_size, stride)[kernel_size - 1, kernel_size - 1:kernel_size - 1 + 2 * stride]
            seen = f"the middle of the count map repeats {pattern.astype(int).tolist()}"
            if kernel_size > stride and right:
                raise Hint(f"kernel {kernel_size}, stride {stride}: {seen}, uneven. A kernel larger than the stride is "
                           "not enough: it must cover a whole number of strides.")
            raise Hint(f"kernel {kernel_size}, stride {stride}: {seen}, so the overlap is "
                       f"{'uneven' if right else 'even'}. Compare kernel_size % stride with 0.")
    return "the overlap is even exactly when the stride divides the kernel size (Odena et al., 2016)."


def tap_is_used(row, tap, kernel_size, stride, input_size=12):
    """True when kernel row ``tap`` adds to output ``row`` of a transposed convolution of ``input_size`` rows.

    Computed, not derived: the transposed convolution of ones with a kernel that is 1 at ``tap`` only.
    """
    one_tap = np.zeros((1, 1, kernel_size, 1))
    one_tap[0, 0, tap, 0] = 1.0
    out = F.conv_transpose2d(np.ones((1, 1, input_size, 1)), one_tap, stride=stride)[0, 0, :, 0]
    return bool(out[row] != 0)


@exercise("09.5 Which kernel taps make an output pixel?")
def check_taps(taps):
    """``taps(row, kernel_size, stride)`` returns the kernel rows that add to output ``row`` (away from the border)."""
    for kernel_size, stride in [(2, 2), (4, 2), (3, 2), (6, 3), (3, 1)]:
        for row in range(kernel_size, kernel_size + 2 * stride):   # two periods, away from both borders
            answer = call(taps, row, kernel_size, stride)
            expect_returned(answer, "the list of taps")
            given = sorted(int(a) for a in np.asarray(answer).ravel())
            right = [a for a in range(kernel_size) if tap_is_used(row, a, kernel_size, stride)]
            if given == right:
                continue
            case = f"output row {row}, kernel {kernel_size}, stride {stride}"
            if given == [row % stride]:
                raise Hint(f"{case}: got {given}, expected {right}. row % stride is the first tap; every stride-th "
                           "one after it lands there too (from the input rows before): a, a + stride, ... below "
                           "kernel_size.")
            if given == [row // stride]:
                raise Hint(f"{case}: got {given}, expected {right}. row // stride is an input row, not a kernel tap.")
            if given == list(range(kernel_size)):
                raise Hint(f"{case}: got every tap, expected {right}. Tap a lands on row i * stride + a: only taps "
                           "with (row - a) % stride == 0 reach this row.")
            raise Hint(f"{case}: got {given}, expected {right}. Input row i puts tap a on output row i * stride + a.")
    return ("with stride 2, even rows use the even taps and odd rows the odd ones: two different sums of weights, "
            "so a flat input can come out striped even when every pixel gets the same number of stamps.")
