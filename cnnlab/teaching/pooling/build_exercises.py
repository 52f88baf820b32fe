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

from ..checks import Hint, call, exercise, expect, expect_shape
from ..layer_checks import (averaged, compare_max_pool_backward, max_pool_backward_reshape_verdict,
                            numerically_right, route_gradient, whole_window)

__all__ = ["check_max_pool_forward", "check_max_pool_backward", "check_max_pool_backward_reshape",
           "check_avg_pool_backward", "route_gradient"]


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
@exercise("04.6 Max pooling backward, with loops")
def check_max_pool_backward(max_pool_backward):
    """``max_pool_backward(grad_output, x, kernel_size, stride)`` equals ``F.max_pool2d_backward``."""
    def what(shape, k, s):
        return f"max_pool_backward(x of shape {shape}, kernel_size={k}, stride={s})"
    compare_max_pool_backward(max_pool_backward, _FORWARD_CASES, what)
    return ("equals F.max_pool2d_backward, ties and overlapping windows included, and the numerical gradient "
            "agrees (relative error below 1e-06).")



@exercise("04.7 Max pooling backward, vectorised")
def check_max_pool_backward_reshape(max_pool_backward_reshape):
    """``max_pool_backward_reshape(grad_output, x, k)`` for stride ``k`` equals ``F.max_pool2d_backward``."""
    return max_pool_backward_reshape_verdict(max_pool_backward_reshape, "max_pool_backward_reshape")


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
            expect(not np.allclose(answer, route_gradient(grad_output, x, k, s, whole_window)),
                   f"{what}: every pixel got the whole gradient g; the average is sum / (k * k), so each of the "
                   "k * k pixels gets g / (k * k). You forgot to divide by the window size.")
            windows = out.shape[2] * out.shape[3]
            expect(not np.allclose(answer, route_gradient(grad_output / windows, x, k, s, whole_window)),
                   f"{what}: you divided by the number of windows ({windows}); divide by the number of pixels in "
                   f"one window, k * k = {k * k}.")
            if s != 1:
                expect(not np.allclose(answer, route_gradient(grad_output, x, k, 1, averaged)),
                       f"{what}: window (i, j) starts at row i * stride and column j * stride: you forgot the stride.")
        numerically_right(lambda x, k=k, s=s: F.avg_pool2d(x, k, s),
                           lambda g, x, k=k, s=s: avg_pool_backward(g, x.shape, k, s),
                           rng.normal(size=shape), what,
                           "Add grad_output[n, c, i, j] / (k * k) to every pixel of window (i, j).")
        expect(np.allclose(answer, right), f"{what} differs from F.avg_pool2d_backward.")
    return ("equals F.avg_pool2d_backward, and the numerical gradient agrees (relative error below 1e-06): "
            "every pixel of a window gets grad / (k * k).")
