"""Linear: the lecture's "full connection" (Keras calls it Dense)."""
import numbers

import numpy as np

from .._validate import as_float_array
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Linear"]


def _positive_int(value, name):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class Linear(Module):
    """Every output is a weighted sum of every input plus a bias: ``y = x W^T + b``.

    Parameters
    ----------
    in_features, out_features : int
    bias : bool
    rng : numpy.random.Generator or int, optional
        Seeds the initialisation (PyTorch's default: Uniform(-1/sqrt(in), 1/sqrt(in)) for both).
    dtype : np.float32 or np.float64

    Shapes
    ------
    input ``(N, in_features)`` -> output ``(N, out_features)``; ``weight (out_features, in_features)``,
    ``bias (out_features,)``.
    """

    def __init__(self, in_features, out_features, bias=True, rng=None, dtype=np.float64):
        super().__init__()
        self.in_features = _positive_int(in_features, "in_features")
        self.out_features = _positive_int(out_features, "out_features")
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        self.bias = Parameter(np.empty(self.out_features, dtype=dtype)) if bias else None
        init._default_layer_init_(self.weight, self.bias, rng)
        self._input = None

    def forward(self, x):
        """x : ndarray, shape (N, in_features) -> ndarray, shape (N, out_features)."""
        x = as_float_array(x, "input", allow_nan=True)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            hint = " (did you forget Flatten before the Linear layer?)" if x.ndim > 2 else ""
            raise ValueError(f"Linear expected input of shape (N, {self.in_features}), got {x.shape}{hint}")
        self._input = x
        output = x @ self.weight.data.T
        if self.bias is not None:
            output += self.bias.data
        return output

    def backward(self, grad_output):
        """grad_output : ndarray, shape (N, out_features) -> gradient w.r.t. the input, shape (N, in_features).

        dL/dW = grad_output^T x (each weight's input times the output's error, summed over the batch),
        dL/db = sum of grad_output over the batch, dL/dx = grad_output W.
        """
        x = self._input
        if x is None:
            raise RuntimeError("call forward before backward: backward needs the input forward saw")
        self.weight.accumulate_grad(grad_output.T @ x)
        if self.bias is not None:
            self.bias.accumulate_grad(grad_output.sum(axis=0))
        return grad_output @ self.weight.data

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
