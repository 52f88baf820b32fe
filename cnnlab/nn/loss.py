"""Loss modules: one number saying how wrong the network is, and its gradient to start backward.

``loss = criterion(output, target)`` computes the loss and remembers both arrays;
``criterion.backward()`` returns dLoss/d(output), the gradient the network's ``backward`` starts from.
"""
import numpy as np

from .._validate import choice
from .. import functional as F
from .module import Module

__all__ = ["Loss", "CrossEntropyLoss", "MSELoss", "BCELoss", "BCEWithLogitsLoss"]


class Loss(Module):
    """A loss layer: ``forward`` and ``backward`` are one op of ``cnnlab.functional``.

    Each subclass names that op's pair: ``function_forward = staticmethod(F.f_forward)`` and
    ``function_backward = staticmethod(F.f_backward)``.
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = choice(reduction, "reduction", ("mean", "sum", "none"))
        self._ctx = None

    function_forward = function_backward = None

    def forward(self, input, target):
        loss, self._ctx = self.function_forward(input, target, reduction=self.reduction)
        self._loss_shape = np.shape(loss)
        return loss

    def backward(self, grad_output=None):
        """dLoss/d(input), the input's shape; ``grad_output`` (dFinal/dLoss) defaults to 1, the loss itself."""
        if self._ctx is None:
            raise RuntimeError("call the loss (forward) before backward")
        if grad_output is None:
            grad_output = np.ones(self._loss_shape)
        return self.function_backward(grad_output, self._ctx)

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class CrossEntropyLoss(Loss):
    """Softmax then cross-entropy, in one stable step: ``-log softmax(input)[target]``, averaged.

    Its gradient is the lecture's ``y - t`` (softmax probabilities minus the one-hot target), divided by
    the batch size for ``reduction='mean'``.

    Shapes: input ``(N, C)`` scores (logits, *before* softmax); target ``(N,)`` class indices or ``(N, C)``
    probabilities. Output: a scalar (or ``(N,)`` with ``reduction='none'``).
    """

    function_forward = staticmethod(F.cross_entropy_forward)
    function_backward = staticmethod(F.cross_entropy_backward)


class MSELoss(Loss):
    """Mean squared error ``mean((input - target)^2)``. Shapes: input and target the same shape."""

    function_forward = staticmethod(F.mse_loss_forward)
    function_backward = staticmethod(F.mse_loss_backward)


class BCELoss(Loss):
    """Binary cross-entropy of probabilities in [0, 1] (after a Sigmoid): ``-(t log p + (1 - t) log(1 - p))``."""

    function_forward = staticmethod(F.binary_cross_entropy_forward)
    function_backward = staticmethod(F.binary_cross_entropy_backward)


class BCEWithLogitsLoss(Loss):
    """Sigmoid then binary cross-entropy, in one stable step (prefer it to Sigmoid + BCELoss)."""

    function_forward = staticmethod(F.binary_cross_entropy_with_logits_forward)
    function_backward = staticmethod(F.binary_cross_entropy_with_logits_backward)
