"""Flatten and linear: the feature maps become one vector per image, and a dense layer scores it.

The last steps of the lecture's network, after convolution, activation and pooling::

    flat = flatten(x)                # (N, C, H, W) -> (N, C * H * W), nothing computed
    scores = linear(flat, W, b)      # y = x W^T + b, every output a weighted sum of every input

Backward, with the chain rule: flatten only gives the gradient its old shape back; for the linear map
``dL/dx = g W``, ``dL/dW = g^T x`` (each weight's input times its output's error, summed over the batch)
and ``dL/db = sum of g over the batch``.
"""
import numbers

import numpy as np

from .._validate import as_float_array, output_gradient
from .context import Context, check_context
from .fast.parallel import one_blas_thread

__all__ = ["flatten_forward", "flatten_backward", "flatten", "linear_forward", "linear_backward", "linear"]


# --------------------------------------------------------------------------------------- flatten
def flatten_forward(input, start_dim=1, end_dim=-1, *, needs_input_grad=None):
    """Merge the axes ``start_dim`` to ``end_dim`` into one, as ``torch.flatten``.

    Parameters
    ----------
    input : ndarray, e.g. shape (N, C, H, W)
    start_dim, end_dim : int
        PyTorch's defaults merge every axis but the batch axis.

    Returns
    -------
    output : ndarray, e.g. shape (N, C * H * W)
        A view of the input when possible (a reshape copies nothing).
    ctx : Context
        The input's shape, which is all backward needs.
    """
    x = np.asarray(input)
    for value, name in ((start_dim, "start_dim"), (end_dim, "end_dim")):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or not -x.ndim <= value < max(x.ndim, 1):
            raise ValueError(f"{name} must be an axis of the {x.ndim}-D input, got {value!r}")
    start, end = start_dim % x.ndim, end_dim % x.ndim
    if start > end:
        raise ValueError(f"Flatten: start_dim {start_dim} comes after end_dim {end_dim} for a {x.ndim}-D input")
    output = x.reshape(x.shape[:start] + (-1,) + x.shape[end + 1:])
    return output, Context("flatten", ("input",), needs_input_grad, options={"input_shape": x.shape})


def flatten_backward(grad_output, ctx):
    """Nothing was computed, so the gradient only takes the input's shape back."""
    ctx = check_context(ctx, "flatten")
    return ctx.grads(np.reshape(grad_output, ctx.options["input_shape"]))


def flatten(input, start_dim=1, end_dim=-1):
    """Merge the axes ``start_dim`` to ``end_dim`` into one; see :func:`flatten_forward`."""
    return flatten_forward(input, start_dim, end_dim)[0]


# ---------------------------------------------------------------------------------------- linear
def linear_forward(input, weight, bias=None, *, needs_input_grad=None):
    """A dense (fully connected) layer: ``y = x W^T + b``, as ``torch.nn.functional.linear``.

    Parameters
    ----------
    input : ndarray, shape (N, in_features)
    weight : ndarray, shape (out_features, in_features)
    bias : ndarray, shape (out_features,), optional
    needs_input_grad : (bool, bool, bool), optional

    Returns
    -------
    output : ndarray, shape (N, out_features)
    ctx : Context
        The input and the weight.
    """
    x = as_float_array(input, "input", ndim=2, allow_nan=True)
    w = as_float_array(weight, "weight", ndim=2, allow_nan=True)
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"input has {x.shape[1]} features but weight expects {w.shape[1]} (weight shape {w.shape})")
    with one_blas_thread(2 * x.shape[0] * w.size):  # a small product is faster on one BLAS thread
        output = x @ w.T
    if bias is not None:
        output += bias
    ctx = Context("linear", ("input", "weight", "bias"), needs_input_grad, saved={"input": x, "weight": w},
                  options={"has_bias": bias is not None})
    return output, ctx


def linear_backward(grad_output, ctx):
    """Gradients of :func:`linear_forward`: ``(g W, g^T x, sum of g over the batch)``.

    Returns
    -------
    grad_input : ndarray, shape (N, in_features)
    grad_weight : ndarray, shape (out_features, in_features)
    grad_bias : ndarray, shape (out_features,), or None without a bias
    """
    ctx = check_context(ctx, "linear")
    x, w = ctx.saved["input"], ctx.saved["weight"]
    g = output_gradient(grad_output, (x.shape[0], w.shape[0]))
    needs_input, needs_weight, needs_bias = ctx.needs_input_grad
    with one_blas_thread(2 * x.shape[0] * w.size):
        grad_input = g @ w if needs_input else None
        grad_weight = g.T @ x if needs_weight else None
    grad_bias = g.sum(axis=0) if needs_bias and ctx.options["has_bias"] else None
    return ctx.grads(grad_input, grad_weight, grad_bias)


def linear(input, weight, bias=None):
    """``y = x W^T + b``; see :func:`linear_forward`."""
    return linear_forward(input, weight, bias)[0]
