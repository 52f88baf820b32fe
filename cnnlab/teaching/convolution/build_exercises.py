"""Checks for the layer exercises of notebook 01: zero padding, channels, conv2d forward and backward, 1x1.

The student writes the layer. Each check compares it with cnnlab's reference (``F.conv2d_naive_forward``
and the public pair ``F.conv2d_forward`` / ``F.conv2d_backward``) on small random inputs; the backward
pass is also held to a numerical gradient (``cnnlab.gradcheck``). When the numbers differ, the check
computes the usual mistakes with cnnlab (a flipped kernel, a forgotten stride or padding, a bias that is
not per filter, a gradient not summed over the batch, ...) and names the one the student's numbers match.
"""
import numpy as np

import cnnlab.functional as F

from ..checks import Hint, call, exercise, expect
from ..layer_checks import (as_array, compare_conv_forward, conv_backward_verdict, conv_forward_verdict, lines_run,
                            same_values)

__all__ = ["check_pad", "check_conv_multi_in_out", "check_conv2d_loops", "check_conv2d_fast", "check_conv2d_backward",
           "check_conv1x1"]


# ----------------------------------------------------------------------------------------------
# 01.5 zero padding
# ----------------------------------------------------------------------------------------------

@exercise("01.5 Zero padding by hand")
def check_pad(pad):
    """``pad(x, p)`` adds ``p`` zeros on each side of H and W of an (N, C, H, W) batch, as ``np.pad``."""
    rng = np.random.default_rng(5)
    for shape, p in (((2, 3, 4, 5), 1), ((1, 2, 3, 3), 2), ((2, 1, 4, 4), 0)):
        x = rng.normal(size=shape)
        n, c, h, w = shape
        expected = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        answer = as_array(call(pad, x.copy(), p), "the padded batch")
        case = f"pad(x, {p}) for x of shape {shape}"
        if answer.shape != expected.shape:
            expect(answer.shape != np.pad(x, p).shape,
                   f"{case} has shape {answer.shape}, expected {expected.shape}: you padded the batch and channel "
                   "axes too. Pad only H and W: np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))), or copy x into "
                   "np.zeros((N, C, H + 2 * p, W + 2 * p)).")
            expect(answer.shape != (n, c, h + p, w + p),
                   f"{case} has shape {answer.shape}, expected {expected.shape}: you padded one side only. "
                   "Zero padding adds p rows at the top AND p at the bottom, p columns left AND right.")
            expect(answer.shape != (n, c, h + 4 * p, w + 4 * p),
                   f"{case} has shape {answer.shape}, expected {expected.shape}: p zeros on each side, not 2p.")
            raise Hint(f"{case} has shape {answer.shape}, expected (N, C, H + 2p, W + 2p) = {expected.shape}.")
        if np.allclose(answer, expected):
            continue
        for sides in (((0, 2 * p), (0, 2 * p)), ((2 * p, 0), (2 * p, 0))):
            expect(not np.allclose(answer, np.pad(x, ((0, 0), (0, 0)) + sides)),
                   f"{case}: all 2p zeros went to one side. The image sits in the middle: "
                   "padded[:, :, p:p + H, p:p + W] = x.")
        expect(not np.allclose(answer, np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode="edge")),
               f"{case}: you repeated the border pixels (mode='edge'). Zero padding adds zeros.")
        expect(np.allclose(answer[:, :, p:p + h, p:p + w], x),
               f"{case}: the middle padded[:, :, p:p + H, p:p + W] should be x itself, unchanged.")
        raise Hint(f"{case}: the border should be zeros, got values up to {np.abs(answer).max():.3g}.")
    return "the border is p zeros wide on every side of H and W, and the batch and channel axes are untouched."


# ----------------------------------------------------------------------------------------------
# 01.6 many channels in, many out, from 2-D correlations
# ----------------------------------------------------------------------------------------------

@exercise("01.6 Many channels in, many channels out")
def check_conv_multi_in_out(conv_multi_in_out):
    """``conv_multi_in_out(image, weight, bias)``, image (C, H, W) and weight (F, C, kH, kW), gives the
    (F, H_out, W_out) maps of ``F.conv2d`` on a batch of one."""
    rng = np.random.default_rng(6)
    for channels, filters, kernel in ((3, 2, (3, 3)), (2, 4, (2, 3)), (3, 6, (5, 5))):
        image, w = rng.normal(size=(channels, 7, 8)), rng.normal(size=(filters, channels) + kernel)
        b = rng.normal(size=filters)
        expected = F.conv2d(image[None], w, b)[0]
        answer = as_array(call(conv_multi_in_out, image.copy(), w.copy(), b.copy()), "the output maps")
        case = f"for a {channels}-channel image and {filters} filters of {channels}x{kernel[0]}x{kernel[1]}:"
        if answer.shape != expected.shape:
            expect(answer.shape != (filters, channels) + expected.shape[1:],
                   f"{case} your output is {answer.shape}: one map per filter AND channel. Add the {channels} "
                   "correlations of each filter into one map.")
            expect(answer.shape != expected.shape[1:],
                   f"{case} your output is one map, {answer.shape}: each of the {filters} filters gives its own "
                   f"map; stack them into {expected.shape}.")
            raise Hint(f"{case} your output is {answer.shape}, expected (F, H_out, W_out) = {expected.shape}.")
        compare_conv_forward(answer[None], image[None], w, b, 1, 0)
    return ("output map f is bias[f] + the sum over c of correlate2d(image[c], weight[f, c]), as F.conv2d "
            "computes it.")


# ----------------------------------------------------------------------------------------------
# 01.7 and 01.8 conv2d forward: loops, then vectorised (the cases and the mistakes: ..layer_checks)
# ----------------------------------------------------------------------------------------------

@exercise("01.7 conv2d forward with loops")
def check_conv2d_loops(conv2d_loops):
    """``conv2d_loops(x, weight, bias, stride=1, padding=0)`` equals ``F.conv2d_naive_forward``."""
    return conv_forward_verdict(conv2d_loops, vectorised=False)


@exercise("01.8 conv2d forward without loops over positions")
def check_conv2d_fast(conv2d_fast):
    """``conv2d_fast`` equals ``F.conv2d`` and does not loop in Python over the output positions."""
    return conv_forward_verdict(conv2d_fast)


# ----------------------------------------------------------------------------------------------
# 01.9 conv2d backward, with loops
# ----------------------------------------------------------------------------------------------

@exercise("01.9 conv2d backward with loops")
def check_conv2d_backward(conv2d_backward_loops):
    """``conv2d_backward_loops(grad_output, x, weight, stride=1, padding=0)`` equals ``F.conv2d_backward``
    and a numerical gradient (``cnnlab.gradcheck``)."""
    return conv_backward_verdict(conv2d_backward_loops)


# ----------------------------------------------------------------------------------------------
# 01.10 a 1x1 convolution
# ----------------------------------------------------------------------------------------------

@exercise("01.10 A 1x1 convolution without loops")
def check_conv1x1(conv1x1):
    """``conv1x1(x, weight, bias)``, weight (F, C, 1, 1), equals ``F.conv2d`` with no Python loop over pixels."""
    rng = np.random.default_rng(11)
    for (n, c, h, w), filters in (((2, 3, 4, 5), 2), ((1, 4, 3, 3), 4), ((2, 6, 5, 4), 3)):
        x, weight, b = rng.normal(size=(n, c, h, w)), rng.normal(size=(filters, c, 1, 1)), rng.normal(size=filters)
        answer = as_array(call(conv1x1, x.copy(), weight.copy(), b.copy()), "the output")
        if filters == c:
            expect(not same_values(answer, F.conv2d(x, weight.transpose(1, 0, 2, 3), b)),
                   f"for x {x.shape} and weight {weight.shape}: you used the weight transposed. Output channel f "
                   "mixes the input channels with row f: out[:, f] = sum over c of weight[f, c, 0, 0] * x[:, c].")
        compare_conv_forward(answer, x, weight, b, 1, 0)
    x, weight, b = rng.normal(size=(1, 3, 16, 16)), rng.normal(size=(2, 3, 1, 1)), rng.normal(size=2)
    _, lines = lines_run(conv1x1, x, weight, b)
    expect(lines < 16 * 16,
           f"the numbers are right, but Python ran {lines} lines of your code for 256 pixels: it loops over them. "
           "One matrix product does every pixel: np.einsum('nchw,fc->nfhw', x, weight[:, :, 0, 0]).")
    return "every pixel's C channels go through the same dense layer: weight[:, :, 0, 0] @ pixel + bias."
