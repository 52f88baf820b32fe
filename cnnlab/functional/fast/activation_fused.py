"""ReLU in fused loops (numba, see :mod:`.jit`). Forward writes ``max(0, x)`` and the mask ``x > 0``
together while each value is in a register, where NumPy makes two passes (about four times faster).
Backward is one pass in NumPy too, but NumPy multiplies a float by a bool by converting the mask in
buffered blocks first: the loop selects instead (0.24 against 0.34 ms on 3.2 MB of float32).
"""
import numpy as np

from . import jit
from .jit import compiled
from .parallel import fused_run

__all__ = []


@compiled
def _relu(x, output, positive):
    """``output = max(0, x)`` and ``positive = x > 0``; all three C-contiguous, shape (N, ...)."""
    for n in jit.prange(len(x)):
        values, out, mask = x[n:n + 1].reshape(-1), output[n:n + 1].reshape(-1), positive[n:n + 1].reshape(-1)
        for i in range(values.size):
            v = values[i]
            mask[i] = v > 0
            out[i] = v if v > 0 else 0


def relu_forward(x):
    """:func:`.activation.relu_forward` for a C-contiguous ``x`` of shape (N, ...)."""
    output, positive = np.empty_like(x), np.empty(x.shape, bool)
    fused_run(_relu, x, x, output, positive)
    return output, positive


@compiled
def _relu_backward(grad, positive, grad_input):
    """``grad_input = grad where positive, else 0``; all three C-contiguous, shape (N, ...)."""
    for n in jit.prange(len(grad)):
        values, mask, out = grad[n:n + 1].reshape(-1), positive[n:n + 1].reshape(-1), grad_input[n:n + 1].reshape(-1)
        for i in range(values.size):
            out[i] = values[i] if mask[i] else values[i] * 0  # -0.0 for a negative gradient, as NumPy's grad * mask


def relu_backward(grad, positive):
    """:func:`.activation.relu_backward` for C-contiguous ``grad`` and ``positive`` of shape (N, ...)."""
    grad_input = np.empty_like(grad)
    fused_run(_relu_backward, grad, grad, positive, grad_input)
    return grad_input
