"""Checks for notebook 04's build-it-yourself exercises: max pooling forward and backward, average pooling backward.

Each check runs the student's function on small random batches, compares it with cnnlab's reference
(``F.max_pool2d_forward`` / ``F.max_pool2d_backward``, ``F.avg_pool2d_backward``) and, for a backward
pass, with a numerical gradient (:func:`cnnlab.gradcheck`, on inputs whose windows have no ties, so
that nudging a value never changes which one is the maximum). When the answer is wrong, the check
computes the usual mistakes and names the one the student made: the gradient spread over the whole
window, sent to every maximum of a tie, the stride ignored, a mask of the output's shape, the
average not divided by the window size or divided by the number of windows.
"""
import numpy as np

import cnnlab.functional as F
from cnnlab.gradcheck import gradcheck

from ..checks import Hint, call, exercise, expect, expect_shape

__all__ = ["check_max_pool_forward", "check_max_pool_backward", "check_max_pool_backward_reshape",
           "check_avg_pool_backward", "route_gradient"]


# ------------------------------------------------------------------ one loop for every variant
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


def _to_whole_window(window, g):
    return np.full(window.shape, g)


def _averaged(window, g):
    return np.full(window.shape, g / window.size)


def _distinct(rng, shape):
    """Random values 0.1 apart: no window has a tie, and a nudge of 1e-6 never changes its maximum."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) / 10.0


def _after_relu(rng, shape):
    """Many zeros, as after a ReLU: windows that are all 0 tie everywhere."""
    return np.maximum(rng.integers(-3, 3, shape), 0).astype(float)


def _numerically_right(forward, backward, x, what, advice=""):
    """The student's backward against centred differences of cnnlab's forward; a hint if they differ."""
    result = gradcheck(forward, x, backward=backward)
    error = result.errors["x"]
    expect(result.passed, f"{what}: your gradient differs from the numerical gradient (relative error {error:.1e}, "
                          f"a right one is below {result.threshold:.0e}). {advice}".strip())


# ------------------------------------------------------------------------------ 04.5 forward
_FORWARD_CASES = (((2, 3, 4, 4), 2, 2), ((1, 2, 5, 5), 2, 2), ((2, 1, 7, 6), 3, 2), ((1, 2, 5, 4), 2, 1))


@exercise("04.5 Max pooling forward, with loops")
def check_max_pool_forward(max_pool_forward):
    """``max_pool_forward(x, kernel_size, stride)`` equals ``F.max_pool2d(x, kernel_size, stride)``."""
    rng = np.random.default_rng(45)
    for shape, k, s in _FORWARD_CASES:
        x = rng.normal(size=shape)
        right = F.max_pool2d(x, k, s)
        what = f"max_pool_forward(x of shape {shape}, kernel_size={k}, stride={s})"
        answer = call(max_pool_forward, x.copy(), k, s)
        expect_shape(answer, right.shape, what,
                     "Each axis has floor((H - kernel_size) / stride) + 1 windows; keep N and C.")
        answer = np.asarray(answer, float)
        if np.allclose(answer, right):
            continue
        expect(not np.allclose(answer, F.avg_pool2d(x, k, s)), f"{what}: you took each window's average; take its max.")
        if s != 1:
            no_stride = F.max_pool2d(x, k, 1)[..., :right.shape[2], :right.shape[3]]
            expect(not np.allclose(answer, no_stride),
                   f"{what}: window (i, j) starts at row i * stride and column j * stride, not at (i, j).")
        raise Hint(f"{what} differs from F.max_pool2d: out[n, c, i, j] is the max of "
                   "x[n, c, i*stride : i*stride + kernel_size, j*stride : j*stride + kernel_size].")
    return "equals F.max_pool2d on four batches, overlapping windows and leftover borders included."


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
    expect(not np.allclose(answer, route_gradient(grad_output, x, k, s, _averaged)),
           f"{what}: you shared each gradient over the whole window, g / (k * k) each: that is average pooling's "
           "backward. In max pooling only the maximum changed the output: it gets all of g, the others 0.")
    expect(not np.allclose(answer, route_gradient(grad_output, x, k, s, _to_whole_window)),
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


def _check_max_backward(backward, cases, what_of):
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
            _numerically_right(lambda x, k=k, s=s: F.max_pool2d(x, k, s), lambda g, x, k=k, s=s: backward(g, x, k, s),
                               _distinct(rng, shape), what_of(shape, k, s),
                               "For each output (n, c, i, j), find the maximum of its window and add "
                               "grad_output[n, c, i, j] there.")
            expect(matches, f"{what} differs from F.max_pool2d_backward: when a window ties, the first maximum "
                            "(in row-major order) gets the gradient.")


@exercise("04.6 Max pooling backward, with loops")
def check_max_pool_backward(max_pool_backward):
    """``max_pool_backward(grad_output, x, kernel_size, stride)`` equals ``F.max_pool2d_backward``."""
    def what(shape, k, s):
        return f"max_pool_backward(x of shape {shape}, kernel_size={k}, stride={s})"
    _check_max_backward(max_pool_backward, _FORWARD_CASES, what)
    return ("equals F.max_pool2d_backward, ties and overlapping windows included, and the numerical gradient "
            "agrees (relative error below 1e-06).")


_RESHAPE_CASES = (((2, 3, 4, 4), 2), ((1, 2, 5, 7), 2), ((2, 2, 6, 9), 3))


@exercise("04.7 Max pooling backward, vectorised")
def check_max_pool_backward_reshape(max_pool_backward_reshape):
    """``max_pool_backward_reshape(grad_output, x, k)`` for stride ``k`` equals ``F.max_pool2d_backward``."""
    def what(shape, k, s):
        return f"max_pool_backward_reshape(x of shape {shape}, k={k})"

    def with_stride(grad_output, x, k, s):  # the student's function has no stride: it is k
        return call(max_pool_backward_reshape, grad_output, x, k)

    _check_max_backward(with_stride, tuple((shape, k, k) for shape, k in _RESHAPE_CASES), what)
    return ("equals F.max_pool2d_backward, with the first maximum of a tie and the uncovered border 0, and the "
            "numerical gradient agrees (relative error below 1e-06).")


# ----------------------------------------------------------------------------- avg backward
@exercise("04.8 Average pooling backward")
def check_avg_pool_backward(avg_pool_backward):
    """``avg_pool_backward(grad_output, input_shape, kernel_size, stride)`` equals ``F.avg_pool2d_backward``."""
    rng = np.random.default_rng(48)
    for shape, k, s in _FORWARD_CASES:
        x = rng.normal(size=shape)
        out, ctx = F.avg_pool2d_forward(x, k, s)
        grad_output = rng.normal(size=out.shape)
        right = F.avg_pool2d_backward(grad_output, ctx)
        what = f"avg_pool_backward(input_shape={shape}, kernel_size={k}, stride={s})"
        answer = call(avg_pool_backward, grad_output.copy(), shape, k, s)
        expect(np.shape(answer) != grad_output.shape,
               f"{what}: you returned a gradient of the output's shape {grad_output.shape}; it belongs to the input, "
               f"shape {shape}.")
        expect_shape(answer, shape, what, "The gradient has the input's shape: start from np.zeros(input_shape).")
        answer = np.asarray(answer, float)
        if not np.allclose(answer, right):
            expect(not np.allclose(answer, route_gradient(grad_output, x, k, s, _to_whole_window)),
                   f"{what}: every pixel got the whole gradient g; the average is sum / (k * k), so each of the "
                   "k * k pixels gets g / (k * k). You forgot to divide by the window size.")
            windows = out.shape[2] * out.shape[3]
            expect(not np.allclose(answer, route_gradient(grad_output / windows, x, k, s, _to_whole_window)),
                   f"{what}: you divided by the number of windows ({windows}); divide by the number of pixels in "
                   f"one window, k * k = {k * k}.")
            if s != 1:
                expect(not np.allclose(answer, route_gradient(grad_output, x, k, 1, _averaged)),
                       f"{what}: window (i, j) starts at row i * stride and column j * stride: you forgot the stride.")
        _numerically_right(lambda x, k=k, s=s: F.avg_pool2d(x, k, s),
                           lambda g, x, k=k, s=s: avg_pool_backward(g, x.shape, k, s),
                           rng.normal(size=shape), what,
                           "Add grad_output[n, c, i, j] / (k * k) to every pixel of window (i, j).")
        expect(np.allclose(answer, right), f"{what} differs from F.avg_pool2d_backward.")
    return ("equals F.avg_pool2d_backward, and the numerical gradient agrees (relative error below 1e-06): "
            "every pixel of a window gets grad / (k * k).")
