"""Activation layers: the non-linearity after each convolution (the lecture's step 1(b)).

Each layer remembers its input in ``forward`` and multiplies the incoming gradient by the
activation's derivative at that input in ``backward`` (the chain rule for an elementwise function).
"""
from .. import functional as F
from ..functional.activation import _grad
from .module import Module

__all__ = ["ReLU", "LeakyReLU", "ELU", "Sigmoid", "Tanh"]


class _Activation(Module):
    def __init__(self):
        super().__init__()
        self._input = None

    def _remember(self, x):
        self._input = x

    def _saved_input(self):
        if self._input is None:
            raise RuntimeError("call forward before backward")
        return self._input


class ReLU(_Activation):
    """``max(0, x)``: passes positive values, zeroes the rest; the derivative is 1 above 0, else 0.

    Shapes: any; the output has the input's shape.
    """

    def forward(self, x):
        output = F.relu(x)
        # backward needs only where x > 0 (where the output is): a bool mask, a quarter of a float32
        # copy to read back, and already checked, unlike the input F.relu_backward would check again
        self._remember(output > 0)
        return output

    def backward(self, grad_output):
        positive = self._saved_input()
        return _grad(grad_output, positive) * positive


class LeakyReLU(_Activation):
    """``x`` above 0, ``negative_slope * x`` below: a small slope keeps "dead" units learning."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        self._remember(x)
        return F.leaky_relu(x, self.negative_slope)

    def backward(self, grad_output):
        return F.leaky_relu_backward(grad_output, self._saved_input(), self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class ELU(_Activation):
    """``x`` above 0, ``alpha * (exp(x) - 1)`` below: smooth, and negative outputs centre the activations."""

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        self._remember(x)
        return F.elu(x, self.alpha)

    def backward(self, grad_output):
        return F.elu_backward(grad_output, self._saved_input(), self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class Sigmoid(_Activation):
    """``1 / (1 + exp(-x))`` in (0, 1); derivative ``s (1 - s)``, at most 1/4, so deep stacks vanish."""

    def forward(self, x):
        self._remember(x)
        return F.sigmoid(x)

    def backward(self, grad_output):
        return F.sigmoid_backward(grad_output, self._saved_input())


class Tanh(_Activation):
    """``tanh(x)`` in (-1, 1), centred at 0; derivative ``1 - tanh(x)^2``."""

    def forward(self, x):
        self._remember(x)
        return F.tanh(x)

    def backward(self, grad_output):
        return F.tanh_backward(grad_output, self._saved_input())
