"""Linear: the lecture's "full connection" (Keras calls it Dense)."""
import numpy as np

from .. import functional as F
from .._validate import as_float_array, positive_int
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Linear"]


class Linear(Module):
    """Every output is a weighted sum of every input plus a bias: ``y = x W^T + b``.

    Parameters
    ----------
    in_features, out_features : int
    bias : bool
    rng : numpy.random.Generator or int, optional
        Seeds the initialization (PyTorch's default: Uniform(-1/sqrt(in), 1/sqrt(in)) for both).
    dtype : np.float32 or np.float64

    Shapes
    ------
    input ``(N, in_features)`` -> output ``(N, out_features)``; ``weight (out_features, in_features)``,
    ``bias (out_features,)``.
    """

    def __init__(self, in_features, out_features, bias=True, rng=None, dtype=np.float64):
        super().__init__()
        self.in_features = positive_int(in_features, "in_features")
        self.out_features = positive_int(out_features, "out_features")
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        self.bias = Parameter(np.empty(self.out_features, dtype=dtype)) if bias else None
        init._default_layer_init_(self.weight, self.bias, rng)
        self._ctx = None

    def forward(self, x):
        """x : ndarray, shape (N, in_features) -> ndarray, shape (N, out_features)."""
        x = as_float_array(x, "input", allow_nan=True)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            hint = " (did you forget Flatten before the Linear layer?)" if x.ndim > 2 else ""
            raise ValueError(f"Linear expected input of shape (N, {self.in_features}), got {x.shape}{hint}")
        bias = None if self.bias is None else self.bias.data
        output, self._ctx = F.linear_forward(x, self.weight.data, bias,
                                             needs_input_grad=self._needs_input_grad(self.weight, self.bias))
        return output

    def backward(self, grad_output):
        """grad_output : ndarray, shape (N, out_features) -> gradient w.r.t. the input, shape (N, in_features).

        dL/dW = grad_output^T x (each weight's input times the output's error, summed over the batch),
        dL/db = sum of grad_output over the batch, dL/dx = grad_output W.
        """
        grad_input, grad_weight, grad_bias = F.linear_backward(grad_output, self._saved_ctx())
        self.weight.accumulate_grad(grad_weight)
        if self.bias is not None:
            self.bias.accumulate_grad(grad_bias)
        return grad_input

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
