"""The fast ReLU behind ``F.relu_forward`` / ``F.relu_backward``: the same two element-wise passes as the
reference in ``functional/activation.py``, written into arrays made once, on two threads, each over half
of the batch (:mod:`.parallel`). ReLU runs after every convolution, on the largest arrays of a network.
Where numba is there, each is one fused loop instead (``fast/activation_fused.py``).
"""
import numpy as np

from . import activation_fused, jit
from .parallel import split_array

__all__ = []


def relu_forward(x):
    """``max(0, x)`` and the mask ``x > 0`` backward needs, for ``x`` of shape (N, ...)."""
    if x.flags.c_contiguous and x.ndim and jit.ready_for(x):  # one fused loop instead of two passes
        return activation_fused.relu_forward(x)
    output, positive = np.empty_like(x), np.empty(x.shape, bool)

    def half(part):
        np.maximum(x[part], 0, out=output[part])
        np.greater(output[part], 0, out=positive[part])
    split_array(half, x)
    return output, positive


def relu_backward(grad, positive):
    """``grad * (x > 0)``, with the mask of :func:`relu_forward`."""
    if grad.flags.c_contiguous and positive.flags.c_contiguous and grad.ndim and jit.ready_for(grad):
        return activation_fused.relu_backward(grad, positive)
    grad_input = np.empty_like(grad)
    split_array(lambda part: np.multiply(grad[part], positive[part], out=grad_input[part]), grad)
    return grad_input
