"""Checks for the layer exercises of notebook 01: zero padding, channels, conv2d forward and backward, 1x1.

The student writes the layer. Each check compares it with cnnlab's reference (``F.conv2d_naive_forward``
and the public pair ``F.conv2d_forward`` / ``F.conv2d_backward``) on small random inputs; the backward
pass is also held to a numerical gradient (``cnnlab.gradcheck``). When the numbers differ, the check
computes the usual mistakes with cnnlab (a flipped kernel, a forgotten stride or padding, a bias that is
not per filter, a gradient not summed over the batch, ...) and names the one the student's numbers match.
"""
import sys

import numpy as np

import cnnlab
import cnnlab.functional as F

from ..checks import Hint, call, exercise, expect, expect_close, expect_returned

__all__ = ["check_pad", "check_conv_multi_in_out", "check_conv2d_loops", "check_conv2d_fast", "check_conv2d_backward",
           "check_conv1x1"]


def _as_array(answer, what):
    expect_returned(answer, what)
    return np.asarray(answer, dtype=float)


def _same(answer, variant):
    return answer.shape == variant.shape and np.allclose(answer, variant)


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
        answer = _as_array(call(pad, x.copy(), p), "the padded batch")
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
        answer = _as_array(call(conv_multi_in_out, image.copy(), w.copy(), b.copy()), "the output maps")
        case = f"for a {channels}-channel image and {filters} filters of {channels}x{kernel[0]}x{kernel[1]}:"
        if answer.shape != expected.shape:
            expect(answer.shape != (filters, channels) + expected.shape[1:],
                   f"{case} your output is {answer.shape}: one map per filter AND channel. Add the {channels} "
                   "correlations of each filter into one map.")
            expect(answer.shape != expected.shape[1:],
                   f"{case} your output is one map, {answer.shape}: each of the {filters} filters gives its own "
                   f"map; stack them into {expected.shape}.")
            raise Hint(f"{case} your output is {answer.shape}, expected (F, H_out, W_out) = {expected.shape}.")
        _compare_forward(answer[None], image[None], w, b, 1, 0)
    return ("output map f is bias[f] + the sum over c of correlate2d(image[c], weight[f, c]), as F.conv2d "
            "computes it.")


# ----------------------------------------------------------------------------------------------
# 01.7 and 01.8 conv2d forward: loops, then vectorised
# ----------------------------------------------------------------------------------------------

def _forward_cases():
    """Small random batches: channels, filters, uneven kernels, strides and padding (seeded)."""
    rng = np.random.default_rng(7)

    def case(x_shape, w_shape, stride, padding):
        return (rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0]), stride, padding)

    return (case((2, 3, 5, 6), (4, 3, 3, 2), 1, 0), case((2, 3, 6, 7), (4, 3, 3, 3), 2, 1),
            case((1, 2, 7, 7), (3, 2, 3, 3), 2, 2), case((2, 2, 5, 5), (2, 2, 2, 2), 3, 1))


def _forward_mistakes(x, w, b, stride, padding, out_hw):
    """Wrong outputs the usual mistakes give, each with the advice for it."""
    channels = x.shape[1]
    no_bias = F.conv2d(x, w, None, stride, padding)
    mistakes = [
        (F.conv2d(x, w[..., ::-1, ::-1], b, stride, padding),
         "you computed the true convolution: the kernel is flipped. A conv layer cross-correlates: "
         "padded[n, c, y*S + i, x*S + j] meets weight[f, c, i, j], no flip."),
        (no_bias, "you left out the bias: add bias[f] to every output of filter f."),
        (no_bias + b.sum(), "you added every filter's bias to every output: filter f gets its own bias[f] only."),
        (no_bias + b[0], "you added bias[0] to every map: filter f gets bias[f], one bias per filter."),
        (no_bias + channels * b[:, None, None],
         "you added the bias once per input channel: sum over the channels first, then add bias[f] once."),
        (F.conv2d(x[:, :1], w[:, :1], b, stride, padding),
         "you used the first input channel only: a filter spans the full depth, so sum the products over all "
         "C channels."),
        (F.conv2d(x, np.repeat(w[:, :1], channels, axis=1), b, stride, padding),
         "every input channel met the first kernel slice: channel c meets its own slice weight[f, c]."),
    ]
    if stride > 1:
        crowded = F.conv2d(x, w, b, 1, padding)[:, :, :out_hw[0], :out_hw[1]]
        mistakes.append((crowded, "the shape is right but your windows start one pixel apart: the window of output "
                                  "(y, x) starts at row y * stride and column x * stride of the padded input."))
    return mistakes


def _diagnose_forward(function, x, w, b, stride, padding):
    """Compare one call with ``F.conv2d_naive_forward``; raise a Hint naming the likely mistake."""
    answer = _as_array(call(function, x.copy(), w.copy(), b.copy(), stride=stride, padding=padding), "the output")
    _compare_forward(answer, x, w, b, stride, padding)


def _compare_forward(answer, x, w, b, stride, padding):
    """Hold ``answer`` (N, F, H_out, W_out) to ``F.conv2d_naive_forward``; raise a Hint naming the likely mistake."""
    expected, _ = F.conv2d_naive_forward(x, w, b, stride, padding)
    (n, c, h, width), (filters, _, kh, kw) = x.shape, w.shape
    out_h, out_w = expected.shape[2:]
    case = f"for x {x.shape}, weight {w.shape}, stride {stride}, padding {padding}:"
    if answer.shape != expected.shape:
        expect(not (stride > 1 and answer.shape == F.conv2d(x, w, b, 1, padding).shape),
               f"{case} your output is {answer.shape}, expected {expected.shape}: you forgot the stride. "
               "Step the window by `stride`: (H + 2P - kH) // S + 1 positions.")
        expect(not (padding > 0 and answer.shape == F.conv2d(x, w, b, stride, 0).shape),
               f"{case} your output is {answer.shape}, expected {expected.shape}: you forgot the padding. "
               "Pad x with `padding` zeros on each side first (your pad of exercise 01.5).")
        expect(answer.shape != (n, filters, c, out_h, out_w),
               f"{case} your output is {answer.shape}: one map per input channel. Sum the products over the "
               "channels too, so that each filter gives one map.")
        raise Hint(f"{case} your output is {answer.shape}, expected (N, F, H_out, W_out) = {expected.shape}, with "
                   f"H_out = (H + 2P - kH) // S + 1 = ({h} + 2*{padding} - {kh}) // {stride} + 1 = {out_h} and "
                   f"W_out = ({width} + 2*{padding} - {kw}) // {stride} + 1 = {out_w}.")
    if np.allclose(answer, expected):
        return
    for variant, advice in _forward_mistakes(x, w, b, stride, padding, (out_h, out_w)):
        expect(not _same(answer, variant), f"{case} {advice}")
    expect_close(answer, expected, what=f"{case} your output",
                 advice="Each output is bias[f] + the sum over c, i, j of padded[n, c, y*S + i, x*S + j] * "
                        "weight[f, c, i, j].")


@exercise("01.7 conv2d forward with loops")
def check_conv2d_loops(conv2d_loops):
    """``conv2d_loops(x, weight, bias, stride=1, padding=0)`` equals ``F.conv2d_naive_forward``."""
    cases = _forward_cases()
    for x, w, b, stride, padding in cases:
        _diagnose_forward(conv2d_loops, x, w, b, stride, padding)
    return (f"it matches cnnlab's F.conv2d_naive_forward on {len(cases)} random batches: channels, filters, "
            "strides 1 to 3 and padding 0 to 2.")


def _lines_run(function, *args, **kwargs):
    """Call ``function`` and count the lines Python runs in the file its code comes from (the student's cell)."""
    code = getattr(function, "__code__", None)
    if code is None:
        return function(*args, **kwargs), 0
    count = 0

    def local(frame, event, arg):
        nonlocal count
        count += event == "line"
        return local

    def enter(frame, event, arg):
        return local if frame.f_code.co_filename == code.co_filename else None

    previous = sys.gettrace()
    sys.settrace(enter)
    try:
        result = function(*args, **kwargs)
    finally:
        sys.settrace(previous)
    return result, count


@exercise("01.8 conv2d forward without loops over positions")
def check_conv2d_fast(conv2d_fast):
    """``conv2d_fast`` equals ``F.conv2d`` and does not loop in Python over the output positions."""
    cases = _forward_cases()
    for x, w, b, stride, padding in cases:
        _diagnose_forward(conv2d_fast, x, w, b, stride, padding)
    rng = np.random.default_rng(8)
    x, w, b = rng.normal(size=(2, 3, 24, 24)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    answer, lines = _lines_run(conv2d_fast, x, w, b, stride=1, padding=1)
    expect_close(answer, F.conv2d(x, w, b, 1, 1), what="for x (2, 3, 24, 24) and a 3x3 kernel, padding 1, your output")
    positions = 24 * 24
    expect(lines < positions,
           f"the numbers are right, but Python ran {lines} lines of your code for the {positions} output positions "
           "of a 24x24 map: it still loops over them. Take every window at once with sliding_window_view(padded, "
           "(kH, kW), axis=(2, 3))[:, :, ::S, ::S] and contract it with the weight (np.einsum "
           "'ncyxij,fcij->nfyx'), or loop over the kH x kW kernel offsets only.")
    return (f"it matches F.conv2d on {len(cases) + 1} batches, and Python ran only {lines} lines of your code "
            f"for {positions} output positions.")


# ----------------------------------------------------------------------------------------------
# 01.9 conv2d backward, with loops
# ----------------------------------------------------------------------------------------------

def _backward_cases():
    rng = np.random.default_rng(9)
    cases = []
    for x_shape, w_shape, stride, padding in (((2, 3, 5, 6), (4, 3, 3, 2), 1, 1), ((3, 2, 7, 6), (3, 2, 3, 3), 2, 1),
                                              ((2, 2, 5, 5), (2, 2, 2, 2), 2, 0)):
        x, w = rng.normal(size=x_shape), rng.normal(size=w_shape)
        out = F.conv2d(x, w, None, stride, padding)
        cases.append((rng.normal(size=out.shape), x, w, stride, padding))
    return cases


def _reference_grads(g, x, w, stride, padding):
    """``F.conv2d_backward``'s (grad_input, grad_weight, grad_bias) for upstream gradient ``g``."""
    _, ctx = F.conv2d_forward(x, w, np.zeros(w.shape[0]), stride, padding)
    return F.conv2d_backward(g, ctx)


def _grads_ignoring_stride(g, x, w, padding):
    """What a backward pass gives that sends output (y, x)'s gradient to the window at (y, x), not (y*S, x*S)."""
    out, ctx = F.conv2d_forward(x, w, np.zeros(w.shape[0]), 1, padding)
    spread = np.zeros_like(out)
    spread[:, :, :g.shape[2], :g.shape[3]] = g
    return F.conv2d_backward(spread, ctx)


def _diagnose_bias(answer, g, case):
    expected = g.sum(axis=(0, 2, 3))
    if answer.shape != expected.shape:
        raise Hint(f"{case} grad_bias has shape {answer.shape}, expected {expected.shape}: bias[f] is added to every "
                   "output of map f in every image, so grad_bias[f] sums grad_output[:, f] over the batch AND every "
                   "position: grad_output.sum(axis=(0, 2, 3)).")
    expect(not np.allclose(answer, g[0].sum(axis=(1, 2))),
           f"{case} grad_bias holds the first image only: sum grad_output[:, f] over the whole batch too.")
    expect(not np.allclose(answer, g.mean(axis=(0, 2, 3))),
           f"{case} grad_bias is a mean: the gradient of a sum is a sum, so add grad_output[:, f] up, do not average.")
    expect_close(answer, expected, what=f"{case} grad_bias", advice="grad_bias[f] = grad_output[:, f].sum().")


def _diagnose_weight(answer, g, x, w, stride, padding, case):
    expected = _reference_grads(g, x, w, stride, padding)[1]
    if answer.shape != expected.shape:
        expect(answer.shape != (x.shape[0],) + expected.shape,
               f"{case} grad_weight has shape {answer.shape}: one per image. Sum over the batch: every image used "
               "the same filter, so their contributions add up.")
        raise Hint(f"{case} grad_weight has shape {answer.shape}, expected the weight's shape {expected.shape}.")
    if np.allclose(answer, expected):
        return
    batch = x.shape[0]
    for image in (0, batch - 1):
        alone = _reference_grads(g[image:image + 1], x[image:image + 1], w, stride, padding)[1]
        expect(not np.allclose(answer, alone),
               f"{case} grad_weight holds one image's contribution only: add g * patch for every image of the "
               "batch (+=, not =), since every image used the same filter.")
    expect(not np.allclose(answer, expected / batch),
           f"{case} grad_weight is divided by the batch size: the layer's gradient is a sum over the batch; any "
           "averaging belongs to the loss.")
    expect(not np.allclose(answer, expected[..., ::-1, ::-1]),
           f"{case} grad_weight is flipped: d out[n, f, y, x] / d weight[f, c, i, j] is the pixel at "
           "(y*S + i, x*S + j) of the padded input, with no flip.")
    if stride > 1:
        expect(not np.allclose(answer, _grads_ignoring_stride(g, x, w, padding)[1]),
               f"{case} grad_weight ignores the stride: the patch of output (y, x) starts at (y * stride, x * stride).")
    expect_close(answer, expected, what=f"{case} grad_weight",
                 advice="grad_weight[f] += grad_output[n, f, y, x] * the padded patch under the filter.")


def _diagnose_input(answer, g, x, w, stride, padding, case):
    expected = _reference_grads(g, x, w, stride, padding)[0]
    padded_shape = expected.shape[:2] + (expected.shape[2] + 2 * padding, expected.shape[3] + 2 * padding)
    if answer.shape != expected.shape:
        expect(not (padding > 0 and answer.shape == padded_shape),
               f"{case} grad_input has shape {answer.shape}, the padded input's: crop the padding back off, "
               f"grad_padded[:, :, P:P + H, P:P + W], since the zeros were no input pixels.")
        raise Hint(f"{case} grad_input has shape {answer.shape}, expected the input's shape {expected.shape}.")
    if np.allclose(answer, expected):
        return
    expect(not np.allclose(answer, _reference_grads(g, x, w[..., ::-1, ::-1], stride, padding)[0]),
           f"{case} grad_input uses the filter unflipped. As a 'full convolution', grad_input slides the filter "
           "rotated by 180 degrees over the zero-padded grad_output; scattering grad_output[n, f, y, x] * weight[f] "
           "back onto each patch, as the loops do, needs no flip at all.")
    if stride > 1:
        expect(not np.allclose(answer, _grads_ignoring_stride(g, x, w, padding)[0]),
               f"{case} grad_input ignores the stride: output (y, x)'s gradient goes back to the patch at "
               "(y * stride, x * stride).")
    if padding > 0:
        padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
        uncropped = _reference_grads(g, padded, w, stride, 0)[0]
        expect(not np.allclose(answer, uncropped[:, :, :x.shape[2], :x.shape[3]]),
               f"{case} grad_input is cropped from the top-left corner: drop P rows and columns on every side, "
               "grad_padded[:, :, P:P + H, P:P + W].")
    expect(not np.allclose(answer, _reference_grads(g[:, :1], x, w[:1], stride, padding)[0]),
           f"{case} grad_input holds the first filter's contribution only: add grad_output[n, f, y, x] * weight[f] "
           "for every filter f.")
    expect_close(answer, expected, what=f"{case} grad_input",
                 advice="grad_padded[n, :, patch] += grad_output[n, f, y, x] * weight[f], then crop the padding.")


def _split(answer, case):
    expect_returned(answer, "(grad_input, grad_weight, grad_bias)")
    expect(isinstance(answer, (tuple, list)) and len(answer) == 3,
           f"{case} return three arrays, (grad_input, grad_weight, grad_bias), in that order.")
    names = ("grad_input", "grad_weight", "grad_bias")
    for name, value in zip(names, answer):
        expect(value is not None, f"{case} {name} is None: compute and return all three gradients.")
    return [np.asarray(value, dtype=float) for value in answer]


@exercise("01.9 conv2d backward with loops")
def check_conv2d_backward(conv2d_backward_loops):
    """``conv2d_backward_loops(grad_output, x, weight, stride=1, padding=0)`` equals ``F.conv2d_backward``
    and a numerical gradient (``cnnlab.gradcheck``)."""
    cases = _backward_cases()
    for g, x, w, stride, padding in cases:
        case = f"for x {x.shape}, weight {w.shape}, stride {stride}, padding {padding}:"
        answer = call(conv2d_backward_loops, g.copy(), x.copy(), w.copy(), stride=stride, padding=padding)
        grad_input, grad_weight, grad_bias = _split(answer, case)
        _diagnose_bias(grad_bias, g, case)
        _diagnose_weight(grad_weight, g, x, w, stride, padding, case)
        _diagnose_input(grad_input, g, x, w, stride, padding, case)

    def backward(grad_output, x, weight, bias, stride, padding):
        return tuple(call(conv2d_backward_loops, grad_output, x, weight, stride=stride, padding=padding))

    _, x, w, stride, padding = cases[1]
    bias = np.random.default_rng(10).normal(size=w.shape[0])
    result = cnnlab.gradcheck(F.conv2d, (x, w, bias), backward=backward, stride=stride, padding=padding)
    expect(result.passed, f"your gradients match F.conv2d_backward but not the numerical gradient: {result}")
    return (f"it matches F.conv2d_backward on {len(cases)} random batches (strides 1 and 2, padding 0 and 1), "
            f"and cnnlab.gradcheck's centred differences agree: every relative error is below {result.threshold:.0e}.")


# ----------------------------------------------------------------------------------------------
# 01.10 a 1x1 convolution
# ----------------------------------------------------------------------------------------------

@exercise("01.10 A 1x1 convolution without loops")
def check_conv1x1(conv1x1):
    """``conv1x1(x, weight, bias)``, weight (F, C, 1, 1), equals ``F.conv2d`` with no Python loop over pixels."""
    rng = np.random.default_rng(11)
    for (n, c, h, w), filters in (((2, 3, 4, 5), 2), ((1, 4, 3, 3), 4), ((2, 6, 5, 4), 3)):
        x, weight, b = rng.normal(size=(n, c, h, w)), rng.normal(size=(filters, c, 1, 1)), rng.normal(size=filters)
        answer = _as_array(call(conv1x1, x.copy(), weight.copy(), b.copy()), "the output")
        if filters == c:
            expect(not _same(answer, F.conv2d(x, weight.transpose(1, 0, 2, 3), b)),
                   f"for x {x.shape} and weight {weight.shape}: you used the weight transposed. Output channel f "
                   "mixes the input channels with row f: out[:, f] = sum over c of weight[f, c, 0, 0] * x[:, c].")
        _compare_forward(answer, x, weight, b, 1, 0)
    x, weight, b = rng.normal(size=(1, 3, 16, 16)), rng.normal(size=(2, 3, 1, 1)), rng.normal(size=2)
    _, lines = _lines_run(conv1x1, x, weight, b)
    expect(lines < 16 * 16,
           f"the numbers are right, but Python ran {lines} lines of your code for 256 pixels: it loops over them. "
           "One matrix product does every pixel: np.einsum('nchw,fc->nfhw', x, weight[:, :, 0, 0]).")
    return "every pixel's C channels go through the same dense layer: weight[:, :, 0, 0] @ pixel + bias."
