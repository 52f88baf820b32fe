"""Checks for the exercises of notebook 04 (pooling, upsampling and flattening).

Each check runs the student's function, compares it with ``cnnlab.functional``, and when they
differ names the likely mistake (ceil instead of floor, average instead of max, a reshape that
groups the wrong pixels, channels-last flattening, ...).
"""
import numpy as np

import cnnlab
import cnnlab.functional as F

from ..checks import Hint, call, exercise, expect, expect_close, expect_returned, expect_shape
from ..lecture_data import FEATURE_DETECTOR, SLIDE_FEATURE_MAP, SMILEY

__all__ = ["feature_map", "check_pooled_window", "check_pooled_size", "check_max_pool_reshape", "check_flatten",
           "check_adaptive_window", "check_global_average_pool"]


def feature_map():
    """The lecture's 5x5 feature map, as cnnlab computes it (smiley cross-correlated with the detector)."""
    return cnnlab.correlate2d(SMILEY, FEATURE_DETECTOR)


@exercise("04.1 Pool one window by hand")
def check_pooled_window(pooled_window):
    """``pooled_window()`` returns (max, average) of the 2x2 window feeding pooled cell (1, 1):
    rows 2-3 and columns 2-3 of the 5x5 feature map."""
    answer = call(pooled_window)
    expect_returned(answer, "the two numbers")
    expect(np.size(answer) == 2, f"return two numbers, (max, average); you returned {np.size(answer)}.")
    biggest, mean = (float(v) for v in np.ravel(answer))
    fmap = feature_map()[None, None]
    expected_max = float(F.max_pool2d(fmap, 2, 2, ceil_mode=True)[0, 0, 1, 1])
    expected_mean = float(F.avg_pool2d(fmap, 2, 2, ceil_mode=True)[0, 0, 1, 1])
    window = feature_map()[2:4, 2:4]
    expect(not (np.isclose(biggest, expected_mean) and np.isclose(mean, expected_max)),
           "you swapped them: return (max, average) in that order.")
    expect(not np.isclose(mean, window.sum()),
           f"{mean:g} is the sum of the window: the average divides it by the 4 values.")
    slide = float(SLIDE_FEATURE_MAP[2:4, 2:4].mean())
    expect(not np.isclose(mean, slide),
           f"{mean:g} is the average of the slide's window, whose top-left value 1 is a misprint: "
           "the arithmetic gives 0 there (compute it from feature_map()).")
    expect(np.isclose(biggest, expected_max),
           f"the maximum is {biggest:g}? Look at rows 2-3 and columns 2-3 only: {window.tolist()}.")
    expect(np.isclose(mean, expected_mean),
           f"the average is {mean:g}? Add the four values {window.ravel().tolist()} and divide by 4.")
    return f"max {expected_max:g}, average {expected_mean:g} (and min {window.min():g})."


_SIZE_CASES = ((4, 2, 2, 2), (5, 2, 2, 2), (28, 2, 2, 14), (5, 3, 1, 3), (7, 3, 2, 3), (224, 3, 2, 111), (6, 3, 3, 2))


@exercise("04.2 The pooled size")
def check_pooled_size(pooled_size):
    """``pooled_size(n, kernel_size, stride)`` is PyTorch's default (floor) output length."""
    for n, k, s, expected in _SIZE_CASES:
        got = F.max_pool2d(np.zeros((1, 1, n, n)), k, s).shape[-1]
        assert got == expected, (n, k, s, got)
        answer = call(pooled_size, n, k, s)
        case = f"pooled_size({n}, {k}, {s})"
        expect_returned(answer)
        if answer == expected:
            continue
        expect(answer != -(-(n - k) // s) + 1,
               f"{case} gave {answer}, expected {expected}: you rounded up. That is ceil_mode=True; by default a "
               "window that would stick out past the border is dropped, so round down (//).")
        expect(answer != n // s,
               f"{case} gave {answer}, expected {expected}: subtract the window size before dividing by the stride.")
        expect(answer != (n - k) // s,
               f"{case} gave {answer}, expected {expected}: you forgot the + 1 (the window at position 0).")
        expect(answer != n - k + 1,
               f"{case} gave {answer}, expected {expected}: you ignored the stride.")
        raise Hint(f"{case} gave {answer}, expected {expected}: floor((N - k) / stride) + 1.")
    return "floor((N - k) / stride) + 1, as PyTorch computes it by default."


def _reshape_grouping_mistake(x, k):
    """What ``x.reshape(H // k, W // k, k, k).max((2, 3))`` gives: the wrong pixels grouped together."""
    h, w = (x.shape[0] // k) * k, (x.shape[1] // k) * k
    return x[:h, :w].reshape(h // k, w // k, k, k).max(axis=(2, 3))


@exercise("04.3 Max pooling with a reshape")
def check_max_pool_reshape(max_pool_reshape):
    """``max_pool_reshape(x, k)`` equals ``max_pool2d`` with a k x k window and stride k on a 2-D map."""
    rng = np.random.default_rng(4)
    cases = ((rng.integers(0, 9, size=(4, 6)).astype(float), 2), (rng.normal(size=(6, 9)), 3),
             (rng.normal(size=(7, 5)), 2), (feature_map(), 2))
    for x, k in cases:
        expected = F.max_pool2d(x[None, None], k)[0, 0]
        case = f"for a {x.shape[0]}x{x.shape[1]} map and k={k}"
        try:
            answer = call(max_pool_reshape, x.copy(), k)
        except ValueError as error:
            if "reshape" in str(error):
                raise Hint(f"{case} your reshape failed ({error}): crop the map to a multiple of k first, "
                           "x[:H // k * k, :W // k * k], dropping the leftover rows and columns as max_pool2d "
                           "does.") from None
            raise
        expect_shape(answer, expected.shape, f"{case} your output",
                     "Without ceil_mode the leftover rows and columns are dropped: H // k by W // k.")
        answer = np.asarray(answer, float)
        if np.allclose(answer, expected):
            continue
        average = F.avg_pool2d(x[None, None], k)[0, 0]
        expect(not np.allclose(answer, average), f"{case} you took the average of each window; take the maximum.")
        expect(not np.allclose(answer, _reshape_grouping_mistake(x, k)),
               f"{case} your windows mix pixels from different places: reshape to (H // k, k, W // k, k), so axes 1 "
               "and 3 run inside a window, then take the max over axes (1, 3).")
        expect_close(answer, expected, f"{case} your output")
    return "one reshape and one max: no loop over windows."


@exercise("04.4 Flatten for the dense layer")
def check_flatten(flatten):
    """``flatten(x)`` turns (N, C, H, W) into (N, C * H * W), channel by channel, row by row (PyTorch's order)."""
    x = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2)
    expected = cnnlab.nn.Flatten()(x)
    answer = call(flatten, x.copy())
    expect_returned(answer, "the vector")
    answer = np.asarray(answer, float)
    expect(answer.shape != (x.size,),
           f"you flattened the whole batch into one vector of {x.size}: keep the batch axis, one row per image, "
           "(N, C*H*W).")
    expect_shape(answer, expected.shape, "your output", "Each of the N images becomes one row of C*H*W numbers.")
    if np.array_equal(answer, expected):
        return "(2, 3, 2, 2) became (2, 12), in the order torch.flatten(x, 1) uses."
    expect(not np.array_equal(answer, x.transpose(0, 2, 3, 1).reshape(2, -1)),
           "you put the channels last (height, width, channel), the order of Keras and TensorFlow images. PyTorch and "
           "cnnlab keep (channel, height, width): all of channel 0 first, row by row.")
    expect(not np.array_equal(answer, x.reshape(2, -1, order="F")) and
           not np.array_equal(answer, np.stack([v.ravel(order="F") for v in x])),
           "you flattened column by column (Fortran order): NumPy's default row-by-row order is what PyTorch uses.")
    raise Hint("the numbers are in another order: x.reshape(N, -1) keeps channel, row, column order.")


_ADAPTIVE_CASES = ((4, 2), (5, 2), (7, 3), (10, 4), (6, 1), (13, 5), (3, 3))


@exercise("04.9 The windows of adaptive pooling")
def check_adaptive_window(adaptive_window):
    """``adaptive_window(i, size, output_size)`` returns ``(start, end)`` of output cell ``i``'s window."""
    for size, n in _ADAPTIVE_CASES:
        right = F.adaptive_windows(size, n)
        case = f"for size={size}, output_size={n}"
        answers = []
        for i in range(n):
            answer = call(adaptive_window, i, size, n)
            expect_returned(answer, "(start, end)")
            expect(np.size(answer) == 2, f"{case}, i={i}: return two integers, (start, end); you returned {answer!r}.")
            answers.append(tuple(int(v) for v in np.ravel(answer)))
        if answers == right:
            continue
        said = f"{case} your windows are {answers}, expected {right}"
        width = size // n
        expect(answers != [(i * width, i * width + width) for i in range(n)],
               f"{said}: a fixed window of size // output_size = {width} leaves the last pixels out. Compute start "
               "and end from i * size / output_size and (i + 1) * size / output_size.")
        expect(answers != [(start, ((i + 1) * size) // n) for i, (start, _) in enumerate(right)],
               f"{said}: round the end up (ceil), so that no pixel is left out of every window.")
        expect(answers != [(start, end - 1) for start, end in right],
               f"{said}: end is one past the last row, as in x[start:end].")
        raise Hint(f"{said}: start = floor(i * size / output_size), end = ceil((i + 1) * size / output_size).")
    return "floor(i * size / n) to ceil((i + 1) * size / n): the windows cover any size, as PyTorch's rule."


@exercise("04.10 Global average pooling")
def check_global_average_pool(global_average_pool):
    """``global_average_pool(x)`` turns (N, C, H, W) into (N, C): one mean per channel and image."""
    rng = np.random.default_rng(410)
    for shape in ((2, 3, 4, 4), (2, 3, 7, 5)):
        x = rng.normal(size=shape)
        right = F.adaptive_avg_pool2d(x, 1)[:, :, 0, 0]
        what = f"global_average_pool(x of shape {shape})"
        answer = call(global_average_pool, x.copy())
        expect_returned(answer, "the (N, C) array")
        expect(np.shape(answer) != shape[:2] + (1, 1),
               f"{what} has shape {np.shape(answer)}: drop the two axes of size 1, so the dense layer reads (N, C).")
        expect(np.shape(answer) not in ((), (shape[0],)),
               f"{what} has shape {np.shape(answer)}: you averaged over the channels too. Average over the height "
               "and width only (axes 2 and 3), one number per channel.")
        expect_shape(answer, right.shape, what, "One number per image and channel: average over axes 2 and 3.")
        answer = np.asarray(answer, float)
        expect(not np.allclose(answer, x.max(axis=(2, 3))),
               f"{what}: you took each channel's maximum (global max pooling); take its mean.")
        expect(not np.allclose(answer, x.sum(axis=(2, 3))),
               f"{what}: you summed each channel; divide by its H * W = {shape[2] * shape[3]} pixels.")
        expect_close(answer, right, what, "Average over axes 2 and 3.")
    return "the same (N, C) for a 4x4 and a 7x5 map, equal to F.adaptive_avg_pool2d(x, 1)."
