"""Checks of the two layers students write twice: convolution and max pooling.

Notebooks 01 and 04 ask for them with loops, where the idea is taught; notebook 05 asks for them again,
vectorised, to train Lecture Ex. 3.1 with (as CS231n's "fast layers" do). A lesson may not import another,
so what both checks need lives here: the test cases, the usual mistakes computed with cnnlab (a flipped
kernel, a forgotten stride or padding, a bias not per filter, a gradient not summed over the batch, the
pooling gradient sent to the whole window or to every maximum of a tie, ...), the numerical gradient check
and the count of lines a student's function runs (a vectorised one runs few). Each lesson's check is a
decorated function that calls one verdict here and returns its message.
"""
import sys

import numpy as np

import cnnlab.functional as F
from cnnlab.gradcheck import gradcheck

from .checks import Hint, call, expect, expect_close, expect_returned, expect_shape

__all__ = ["as_array", "same_values", "compare_conv_forward", "lines_run", "conv_forward_verdict",
           "conv_backward_verdict", "route_gradient", "whole_window", "averaged", "numerically_right",
           "compare_max_pool_backward", "RESHAPE_CASES", "max_pool_backward_reshape_verdict"]


def as_array(answer, what):
    """The student's answer as a float array; a hint if the function returned nothing."""
    expect_returned(answer, what)
    return np.asarray(answer, dtype=float)


def same_values(answer, variant):
    """True when ``answer`` has ``variant``'s shape and values: the student made that mistake."""
    return answer.shape == variant.shape and np.allclose(answer, variant)


# ----------------------------------------------------------------------------------------------
# convolution forward
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
    answer = as_array(call(function, x.copy(), w.copy(), b.copy(), stride=stride, padding=padding), "the output")
    compare_conv_forward(answer, x, w, b, stride, padding)


def compare_conv_forward(answer, x, w, b, stride, padding):
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
        expect(not same_values(answer, variant), f"{case} {advice}")
    expect_close(answer, expected, what=f"{case} your output",
                 advice="Each output is bias[f] + the sum over c, i, j of padded[n, c, y*S + i, x*S + j] * "
                        "weight[f, c, i, j].")


def lines_run(function, *args, **kwargs):
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


def conv_forward_verdict(conv2d, vectorised=True):
    """Hold ``conv2d(x, weight, bias, stride=1, padding=0)`` to ``F.conv2d_naive_forward``; the success message.

    With ``vectorised``, it also counts the lines Python runs in the student's cell on a 24x24 map: a function
    that still loops over the 576 output positions runs more lines than that.
    """
    cases = _forward_cases()
    for x, w, b, stride, padding in cases:
        _diagnose_forward(conv2d, x, w, b, stride, padding)
    if not vectorised:
        return (f"it matches cnnlab's F.conv2d_naive_forward on {len(cases)} random batches: channels, filters, "
                "strides 1 to 3 and padding 0 to 2.")
    rng = np.random.default_rng(8)
    x, w, b = rng.normal(size=(2, 3, 24, 24)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    answer, lines = lines_run(conv2d, x, w, b, stride=1, padding=1)
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
# convolution backward
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


def conv_backward_verdict(conv2d_backward, vectorised=False):
    """Hold ``conv2d_backward(grad_output, x, weight, stride=1, padding=0)`` to ``F.conv2d_backward`` and to
    centred differences (``cnnlab.gradcheck``); the success message.

    With ``vectorised``, it also counts the lines Python runs in the student's cell on a 24x24 map, as
    :func:`conv_forward_verdict` does: looping over the kernel offsets is fine, over the positions is not.
    """
    cases = _backward_cases()
    for g, x, w, stride, padding in cases:
        case = f"for x {x.shape}, weight {w.shape}, stride {stride}, padding {padding}:"
        answer = call(conv2d_backward, g.copy(), x.copy(), w.copy(), stride=stride, padding=padding)
        grad_input, grad_weight, grad_bias = _split(answer, case)
        _diagnose_bias(grad_bias, g, case)
        _diagnose_weight(grad_weight, g, x, w, stride, padding, case)
        _diagnose_input(grad_input, g, x, w, stride, padding, case)

    def backward(grad_output, x, weight, bias, stride, padding):
        return tuple(call(conv2d_backward, grad_output, x, weight, stride=stride, padding=padding))

    _, x, w, stride, padding = cases[1]
    bias = np.random.default_rng(10).normal(size=w.shape[0])
    result = gradcheck(F.conv2d, (x, w, bias), backward=backward, stride=stride, padding=padding)
    expect(result.passed, f"your gradients match F.conv2d_backward but not the numerical gradient: {result}")
    message = (f"it matches F.conv2d_backward on {len(cases)} random batches (strides 1 and 2, padding 0 and 1), "
               f"and cnnlab.gradcheck's centred differences agree: every relative error is below "
               f"{result.threshold:.0e}.")
    return message + (_count_backward_lines(conv2d_backward) if vectorised else "")


def _count_backward_lines(conv2d_backward):
    rng = np.random.default_rng(12)
    x, w = rng.normal(size=(2, 3, 24, 24)), rng.normal(size=(4, 3, 3, 3))
    g = rng.normal(size=(2, 4, 24, 24))
    _, lines = lines_run(conv2d_backward, g, x, w, stride=1, padding=1)
    positions = 24 * 24
    expect(lines < positions,
           f"the gradients are right, but Python ran {lines} lines of your code for the {positions} output positions "
           "of a 24x24 map: it still loops over them, too slow to train with. Take the windows with "
           "sliding_window_view as in the forward pass: grad_weight = np.einsum('nfyx,ncyxij->fcij', grad_output, "
           "windows); for grad_input loop over the kH x kW kernel offsets only, adding np.einsum('nfyx,fc->ncyx', "
           "grad_output, weight[:, :, i, j]) into the strided slice of the padded gradient at offset (i, j).")
    return f" Python ran only {lines} lines of your code for {positions} output positions."


# ----------------------------------------------------------------------------------------------
# max pooling backward
# ----------------------------------------------------------------------------------------------

def route_gradient(grad_output, x, kernel_size, stride, share):
    """Send each window's gradient back into its window, ``share(window, g)`` deciding who gets what.

    One loop serves the right answers and the mistakes the checks recognise: ``share`` returns an
    array of the window's shape (the winner gets ``g``; or everybody ``g / k**2``; ...).

    Parameters
    ----------
    grad_output : ndarray, shape (N, C, H_out, W_out)
    x : ndarray, shape (N, C, H, W)
        The forward pass's input (only read by ``share``).
    kernel_size, stride : int

    Returns
    -------
    grad_input : ndarray, shape (N, C, H, W)
    """
    grad_input = np.zeros(x.shape)
    k = kernel_size
    for n, c, i, j in np.ndindex(grad_output.shape):
        top, left = i * stride, j * stride
        window = x[n, c, top:top + k, left:left + k]
        grad_input[n, c, top:top + k, left:left + k] += share(window, grad_output[n, c, i, j])
    return grad_input


def _to_first_maximum(window, g):
    share = np.zeros(window.shape)
    share[np.unravel_index(window.argmax(), window.shape)] = g  # argmax: the first maximum, as PyTorch
    return share


def _to_every_maximum(window, g):
    return (window == window.max()) * g


def whole_window(window, g):
    return np.full(window.shape, g)


def averaged(window, g):
    return np.full(window.shape, g / window.size)


def _distinct(rng, shape):
    """Random values 0.1 apart: no window has a tie, and a nudge of 1e-6 never changes its maximum."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) / 10.0


def _after_relu(rng, shape):
    """Many zeros, as after a ReLU: windows that are all 0 tie everywhere."""
    return np.maximum(rng.integers(-3, 3, shape), 0).astype(float)


def numerically_right(forward, backward, x, what, advice=""):
    """The student's backward against centred differences of cnnlab's forward; a hint if they differ."""
    result = gradcheck(forward, x, backward=backward)
    error = result.errors["x"]
    expect(result.passed, f"{what}: your gradient differs from the numerical gradient (relative error {error:.1e}, "
                          f"a right one is below {result.threshold:.0e}). {advice}".strip())


# ----------------------------------------------------------------------------- max backward
def _max_backward_hints(answer, grad_output, x, k, s, right, what):
    """True if right; else name the mistake by computing it (shape first, then each wrong routing) or return False."""
    answer_shape = np.shape(answer)
    expect(answer_shape != grad_output.shape,
           f"{what}: you returned a gradient of the output's shape {grad_output.shape}; the gradient belongs to "
           f"the input, shape {x.shape}.")
    covered = (x.shape[2] // k * k, x.shape[3] // k * k)
    expect(not (s == k and answer_shape == x.shape[:2] + covered and covered != x.shape[2:]),
           f"{what}: you built the mask from the output's shape (H_out * k x W_out * k = {covered[0]}x{covered[1]}), "
           f"but the input is {x.shape[2]}x{x.shape[3]}: start from np.zeros(x.shape), so the rows and columns "
           "no window covers get gradient 0.")
    expect_shape(answer, x.shape, what, "The gradient has the input's shape.")
    answer = np.asarray(answer, float)
    if np.allclose(answer, right):
        return True
    expect(not np.allclose(answer, route_gradient(grad_output, x, k, s, averaged)),
           f"{what}: you shared each gradient over the whole window, g / (k * k) each: that is average pooling's "
           "backward. In max pooling only the maximum changed the output: it gets all of g, the others 0.")
    expect(not np.allclose(answer, route_gradient(grad_output, x, k, s, whole_window)),
           f"{what}: every pixel of the window got the gradient g; only the maximum gets it, the others 0.")
    expect(not np.allclose(answer, route_gradient(grad_output, x, k, s, _to_every_maximum)),
           f"{what}: when a window has several maxima (a tie, common after a ReLU) you sent g to each of them, so "
           "the window passes back more than g. PyTorch and cnnlab send it to the first maximum only "
           "(np.argmax finds it; np.unravel_index turns it into a row and a column).")
    if s != 1:
        no_stride = route_gradient(grad_output, x, k, 1, _to_first_maximum)
        expect(not np.allclose(answer, no_stride),
               f"{what}: window (i, j) starts at row i * stride and column j * stride, not at (i, j): "
               "you forgot the stride.")
    return False


def compare_max_pool_backward(backward, cases, what_of):
    rng = np.random.default_rng(46)
    for shape, k, s in cases:
        for make_input in (_distinct, _after_relu):
            x = make_input(rng, shape)
            out, ctx = F.max_pool2d_forward(x, k, s)
            grad_output = rng.normal(size=out.shape)
            right = F.max_pool2d_backward(grad_output, ctx)
            what = what_of(shape, k, s) + (" (with ties)" if make_input is _after_relu else "")
            answer = call(backward, grad_output.copy(), x.copy(), k, s)
            matches = _max_backward_hints(answer, grad_output, x, k, s, right, what)
            numerically_right(lambda x, k=k, s=s: F.max_pool2d(x, k, s), lambda g, x, k=k, s=s: backward(g, x, k, s),
                               _distinct(rng, shape), what_of(shape, k, s),
                               "For each output (n, c, i, j), find the maximum of its window and add "
                               "grad_output[n, c, i, j] there.")
            expect(matches, f"{what} differs from F.max_pool2d_backward: when a window ties, the first maximum "
                            "(in row-major order) gets the gradient.")


#: Batches for max pooling with stride = kernel size; odd sizes leave a border no window covers.
RESHAPE_CASES = (((2, 3, 4, 4), 2), ((1, 2, 5, 7), 2), ((2, 2, 6, 9), 3))


def max_pool_backward_reshape_verdict(max_pool_backward_reshape, name):
    """Hold ``max_pool_backward_reshape(grad_output, x, k)`` (stride k) to ``F.max_pool2d_backward``; the message.

    ``name`` is the student's function as the notebook calls it, for the hints.
    """
    def what(shape, k, s):
        return f"{name}(x of shape {shape}, k={k})"

    def with_stride(grad_output, x, k, s):  # the student's function has no stride: it is k
        return call(max_pool_backward_reshape, grad_output, x, k)

    compare_max_pool_backward(with_stride, tuple((shape, k, k) for shape, k in RESHAPE_CASES), what)
    return ("equals F.max_pool2d_backward, with the first maximum of a tie and the uncovered border 0, and the "
            "numerical gradient agrees (relative error below 1e-06).")
