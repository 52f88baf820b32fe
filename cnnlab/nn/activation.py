"""Activation layers: the non-linearity after each convolution (the lecture's step 1(b)).

Each layer keeps the ``ctx`` of ``F.f_forward`` in ``forward`` and hands it to ``F.f_backward``,
which multiplies the incoming gradient by the activation's derivative (the chain rule for an
elementwise function).
"""
from .. import functional as F
from .module import Module

__all__ = ["ReLU", "LeakyReLU", "ELU", "Sigmoid", "Tanh"]


class ReLU(Module):
    """``max(0, x)``: passes positive values, zeroes the rest; the derivative is 1 above 0, else 0.

    Shapes: any; the output has the input's shape.
    """

    def forward(self, x):
        output, self._ctx = F.relu_forward(x, needs_input_grad=self._needs_input_grad())
        return output

    def backward(self, grad_output):
        return F.relu_backward(grad_output, self._saved_ctx())


class LeakyReLU(Module):
    """``x`` above 0, ``negative_slope * x`` below: a small slope keeps "dead" units learning."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        output, self._ctx = F.leaky_relu_forward(x, self.negative_slope, needs_input_grad=self._needs_input_grad())
        return output

    def backward(self, grad_output):
        return F.leaky_relu_backward(grad_output, self._saved_ctx())

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """``x`` above 0, ``alpha * (exp(x) - 1)`` below: smooth, and negative outputs center the activations."""

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        output, self._ctx = F.elu_forward(x, self.alpha, needs_input_grad=self._needs_input_grad())
        return output

    def backward(self, grad_output):
        return F.elu_backward(grad_output, self._saved_ctx())

    def extra_repr(self):
        return f"alpha={self.alpha}"


class Sigmoid(Module):
    """``1 / (1 + exp(-x))`` in (0, 1); derivative ``s (1 - s)``, at most 1/4, so deep stacks vanish."""

    def forward(self, x):
        output, self._ctx = F.sigmoid_forward(x, needs_input_grad=self._needs_input_grad())
        return output

    def backward(self, grad_output):
        return F.sigmoid_backward(grad_output, self._saved_ctx())


class Tanh(Module):
    """``tanh(x)`` in (-1, 1), centered at 0; derivative ``1 - tanh(x)^2``."""

    def forward(self, x):
        output, self._ctx = F.tanh_forward(x, needs_input_grad=self._needs_input_grad())
        return output

    def backward(self, grad_output):
        return F.tanh_backward(grad_output, self._saved_ctx())
