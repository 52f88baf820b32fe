"""Checks for the exercises of notebook 01 (convolution).

Each check runs the student's function, compares it with cnnlab, and when they differ works out
*which* typical mistake gives the student's numbers (a flipped kernel, a forgotten stride, an
off-by-one at the border, ...) and says so in words.
"""
import ast
import inspect
import textwrap

import numpy as np

import cnnlab

from ..checks import Hint, call, exercise, expect, expect_close, expect_returned
from .plots import products_text
from ..lecture_data import EDGE_IMAGE, VERTICAL_EDGE_FILTER
from .build_exercises import (check_conv1x1, check_conv2d_backward, check_conv2d_fast, check_conv2d_loops,
                              check_conv_multi_in_out, check_pad)
from .counting import receptive_field_size

__all__ = ["PATCH", "SOBEL", "check_output_cell", "check_output_size", "check_correlate2d_loops",
           "check_correlate2d_fast", "check_pad", "check_conv_multi_in_out", "check_conv2d_loops", "check_conv2d_fast",
           "check_conv2d_backward", "check_conv1x1", "check_receptive_field"]

#: The 3x3 patch and kernel of exercise 01.1.
PATCH = np.array([[3.0, 1.0, 0.0],
                  [4.0, 2.0, 1.0],
                  [5.0, 0.0, 2.0]])
SOBEL = np.array([[1.0, 0.0, -1.0],
                  [2.0, 0.0, -2.0],
                  [1.0, 0.0, -1.0]])


@exercise("01.1 One output cell by hand")
def check_output_cell(output_cell):
    """``output_cell()`` returns the cross-correlation of :data:`SOBEL` with :data:`PATCH` (one number)."""
    answer = call(output_cell)
    expected = float(cnnlab.correlate2d(PATCH, SOBEL)[0, 0])
    expect_returned(answer, "the number")
    expect(np.size(answer) == 1,
           f"you returned {np.size(answer)} numbers; multiply each pixel by its weight, then add them all into "
           "one number.")
    answer = float(np.ravel(answer)[0])
    flipped = float(cnnlab.convolve2d(PATCH, SOBEL)[0, 0])
    expect(not np.isclose(answer, flipped) or np.isclose(flipped, expected),
           f"{answer:g} is what you get with the kernel flipped (that is convolution). A CNN layer slides the "
           "kernel as it is: the top-left weight multiplies the top-left pixel.")
    expect(not np.isclose(answer, PATCH.sum()),
           f"{answer:g} is the sum of the pixels alone: multiply each pixel by the kernel weight at the same "
           "place first.")
    transposed = float(cnnlab.correlate2d(PATCH, SOBEL.T)[0, 0])
    expect(not np.isclose(answer, transposed),
           f"{answer:g} pairs the patch's rows with the kernel's columns (kernel transposed): pair them row by row.")
    expect(np.isclose(answer, expected),
           f"got {answer:g}, expected another number: multiply the nine pairs at the same positions and add them up.")
    return products_text(PATCH, SOBEL, expected)


_CASES = ((7, 3, 1, 0, 5), (7, 3, 2, 0, 3), (7, 3, 1, 1, 7), (32, 5, 1, 0, 28), (5, 3, 2, 0, 2),
          (200, 5, 1, 2, 200), (28, 2, 2, 0, 14), (9, 3, 2, 1, 5))


def _size_mistakes(n, f, s, p):
    """What the usual wrong formulas give, with the advice for each."""
    return (((n - f) // s + 1, "you left out the padding: it adds 2P, one P on each side"),
            ((n - f + p) // s + 1, "padding goes on both sides, so add 2P, not P"),
            ((n - f + 2 * p) // s, "you forgot the + 1: a kernel as big as the input still fits once"),
            (n - f + 2 * p + 1, "you ignored the stride: divide (N - F + 2P) by it before adding 1"),
            ((n + f + 2 * p) // s + 1, "subtract the kernel size F, the kernel needs that room"))


@exercise("01.4 The output size")
def check_output_size(output_size):
    """``output_size(n, kernel_size, stride=1, padding=0)`` follows (N - F + 2P) / S + 1 and rejects fractions."""
    for n, f, s, p, expected in _CASES:
        assert expected == cnnlab.output_size(n, f, stride=s, padding=p)
        answer = call(output_size, n, f, stride=s, padding=p)
        expect_returned(answer)
        case = f"output_size({n}, {f}, stride={s}, padding={p})"
        if answer != expected:
            for wrong, advice in _size_mistakes(n, f, s, p):
                expect(answer != wrong, f"{case} gave {answer}, expected {expected}: {advice}.")
            raise Hint(f"{case} gave {answer}, expected {expected}: (N - F + 2P) / stride + 1.")
        expect(float(answer).is_integer(), f"{case} gave {answer!r}: return a whole number of pixels.")
    try:
        answer = call(output_size, 7, 3, stride=3, padding=0)
    except ValueError:
        return "(7 - 3)/3 + 1 = 2.33 does not fit, and you said so with a ValueError."
    raise Hint(f"output_size(7, 3, stride=3) returned {answer!r}: (7 - 3)/3 + 1 = 2.33 is not a whole number, "
               "so the kernel does not fit evenly. Raise a ValueError instead of rounding silently.")


def _inputs():
    rng = np.random.default_rng(1)
    # A kernel that is neither symmetric nor square, so a flip or a transpose shows in the numbers.
    image, kernel = rng.integers(-3, 4, size=(6, 7)).astype(float), np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]])
    return ((image, kernel, 1), (image, kernel, 2), (EDGE_IMAGE, VERTICAL_EDGE_FILTER, 1),
            (EDGE_IMAGE, VERTICAL_EDGE_FILTER, 2),
            (rng.normal(size=(9, 8)), rng.normal(size=(3, 3)), 3))


def _diagnose(function, image, kernel, stride):
    """Compare one call with cnnlab.correlate2d; raise a Hint naming the likely mistake."""
    expected = cnnlab.correlate2d(image, kernel, stride=stride)
    answer = call(function, image.copy(), kernel.copy(), stride=stride)
    case = (f"for a {image.shape[0]}x{image.shape[1]} image, a {kernel.shape[0]}x{kernel.shape[1]} kernel "
            f"and stride {stride}")
    expect_returned(answer, "the output")
    answer = np.asarray(answer, dtype=float)
    (h, w), (kh, kw) = image.shape, kernel.shape
    if answer.shape != expected.shape:
        unstrided = cnnlab.correlate2d(image, kernel).shape
        expect(not (stride > 1 and answer.shape == unstrided),
               f"{case} your output is {answer.shape}, expected {expected.shape}: you forgot the stride. "
               "Step the window by `stride` pixels: (N - F) // stride + 1 positions.")
        expect(answer.shape != (h - kh, w - kw) and answer.shape != ((h - kh) // stride, (w - kw) // stride),
               f"{case} your output is {answer.shape}, expected {expected.shape}: off by one at the border. "
               "The last window starts at N - F, so use range(N - F + 1) (one more position than N - F).")
        expect(answer.shape != image.shape,
               f"{case} your output is {answer.shape}, as big as the input: without padding the kernel fits only "
               "(N - F) // stride + 1 times along each axis.")
        expect(answer.shape != expected.shape[::-1],
               f"{case} your output is {answer.shape}, expected {expected.shape}: rows and columns are swapped.")
        raise Hint(f"{case} your output has shape {answer.shape}, expected {expected.shape}: "
                   "(N - F) // stride + 1 rows and as many columns by the same rule.")
    if np.allclose(answer, expected):
        return
    flipped = cnnlab.convolve2d(image, kernel, stride=stride)
    expect(not np.allclose(answer, flipped),
           f"{case} you computed a convolution: the kernel is flipped. Cross-correlation, what CNN layers compute, "
           "multiplies window[i, j] by kernel[i, j] with no flip.")
    if stride > 1:
        crowded = cnnlab.correlate2d(image, kernel)[:expected.shape[0], :expected.shape[1]]
        expect(not np.allclose(answer, crowded),
               f"{case} your output has the right shape but its windows start one pixel apart: the window for output "
               "(i, j) starts at row i * stride and column j * stride.")
    expect_close(answer, expected, what=f"{case} your output",
                 advice="Each output is the sum of window * kernel, element by element.")


def _uses_python_loop(function):
    """True when the function's own source has a ``for`` loop or a comprehension."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return False
    loops = (ast.For, ast.While, ast.ListComp, ast.GeneratorExp, ast.DictComp, ast.SetComp)
    return any(isinstance(node, loops) for node in ast.walk(tree))


@exercise("01.2 Cross-correlation with loops")
def check_correlate2d_loops(correlate2d_loops):
    """``correlate2d_loops(image, kernel, stride=1)`` equals ``cnnlab.correlate2d`` (no padding)."""
    cases = _inputs()
    for image, kernel, stride in cases:
        _diagnose(correlate2d_loops, image, kernel, stride)
    return f"it matches cnnlab.correlate2d on {len(cases)} cases, strides 1 to 3."


@exercise("01.3 Cross-correlation without loops")
def check_correlate2d_fast(correlate2d_fast):
    """``correlate2d_fast(image, kernel, stride=1)`` equals ``cnnlab.correlate2d`` with no Python loop."""
    cases = _inputs() + ((np.random.default_rng(2).random((64, 80)), np.random.default_rng(3).normal(size=(5, 3)), 2),)
    for image, kernel, stride in cases:
        _diagnose(correlate2d_fast, image, kernel, stride)
    expect(not _uses_python_loop(correlate2d_fast),
           "the numbers are right, but your function still loops in Python. Take every window at once with "
           "numpy.lib.stride_tricks.sliding_window_view(image, kernel.shape), keep every stride-th one with "
           "[::stride, ::stride], then multiply by the kernel and sum over the last two axes.")
    return f"it matches cnnlab.correlate2d on {len(cases)} cases, and NumPy does all the looping."


#: Stacks of (kernel size, stride), first layer first, for exercise 01.11.
STACKS = ([(3, 1)], [(3, 1)] * 3, [(3, 2), (3, 1)], [(3, 1), (3, 2), (3, 1), (3, 2)],
          [(5, 1), (2, 2), (5, 1), (2, 2)], [(7, 2), (3, 2), (3, 1)])


def _field_mistakes(layers):
    """What the usual wrong rules give for the receptive field of ``layers``, with the advice for each."""
    kernels, strides = [k for k, _ in layers], [s for _, s in layers]
    before = np.cumprod([1] + strides[:-1])  # the product of the strides of the layers below each layer
    grown = sum((k - 1) * jump for k, jump in zip(kernels, before))
    return ((1 + sum(k - 1 for k in kernels),
             "you ignored the strides: after a stride-2 layer, one step of the next kernel moves 2 input pixels, "
             "so its k - 1 extra pixels count stride-of-everything-below times"),
            (1 + sum((k - 1) * jump for k, jump in zip(kernels, np.cumprod(strides))),
             "you multiplied in each layer's own stride too: a layer's stride spreads only the layers above it"),
            (grown, "you forgot the + 1: one output of a single 1x1 kernel sees 1 pixel, so start from 1"),
            (sum(kernels), "adding kernel sizes counts the shared pixels twice: each layer adds k - 1 pixels"))


@exercise("01.11 The receptive field of a stack")
def check_receptive_field(receptive_field):
    """``receptive_field(layers)``, layers a list of (kernel size, stride), gives the side of the field."""
    for layers in STACKS:
        expected = receptive_field_size(layers, size=96)  # measured with cnnlab's backward pass
        answer = call(receptive_field, list(layers))
        expect_returned(answer, "the size in pixels")
        if answer != expected:
            case = f"receptive_field({list(layers)}) gave {answer}, expected {expected}"
            for wrong, advice in _field_mistakes(layers):
                expect(answer != wrong or wrong == expected, f"{case}: {advice}.")
            raise Hint(f"{case}: start from r = 1 and a jump of 1; for each layer add (k - 1) * jump to r, then "
                       "multiply the jump by the layer's stride.")
    return (f"it matches the field measured by sending a gradient back through cnnlab's conv2d, for {len(STACKS)} "
            "stacks.")
