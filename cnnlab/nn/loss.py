"""Loss modules: one number saying how wrong the network is, and its gradient to start backward.

``loss = criterion(output, target)`` computes the loss and remembers both arrays;
``criterion.backward()`` returns dLoss/d(output), the gradient the network's ``backward`` starts from.
"""
import numpy as np

from .._validate import choice
from .. import functional as F
from .module import Module

__all__ = ["CrossEntropyLoss", "MSELoss", "BCELoss", "BCEWithLogitsLoss"]


class _Loss(Module):
    _function = None  # the name of the function in cnnlab.functional; its gradient is <name>_backward

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = choice(reduction, "reduction", ("mean", "sum", "none"))
        self._saved = None

    def forward(self, input, target):
        loss = getattr(F, self._function)(input, target, reduction=self.reduction)
        self._saved = (input, target, np.shape(loss))
        return loss

    def backward(self, grad_output=None):
        """dLoss/d(input), the input's shape; ``grad_output`` (dFinal/dLoss) defaults to 1, the loss itself."""
        if self._saved is None:
            raise RuntimeError("call the loss (forward) before backward")
        input, target, shape = self._saved
        if grad_output is None:
            grad_output = np.ones(shape)
        return getattr(F, self._function + "_backward")(grad_output, input, target, reduction=self.reduction)

    def extra_repr(self):
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class CrossEntropyLoss(_Loss):
    """Softmax then cross-entropy, in one stable step: ``-log softmax(input)[target]``, averaged.

    Its gradient is the lecture's ``y - t`` (softmax probabilities minus the one-hot target), divided by
    the batch size for ``reduction='mean'``.

    Shapes: input ``(N, C)`` scores (logits, *before* softmax); target ``(N,)`` class indices or ``(N, C)``
    probabilities. Output: a scalar (or ``(N,)`` with ``reduction='none'``).
    """
    _function = "cross_entropy"


class MSELoss(_Loss):
    """Mean squared error ``mean((input - target)^2)``. Shapes: input and target the same shape."""
    _function = "mse_loss"


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities in [0, 1] (after a Sigmoid): ``-(t log p + (1 - t) log(1 - p))``."""
    _function = "binary_cross_entropy"


class BCEWithLogitsLoss(_Loss):
    """Sigmoid then binary cross-entropy, in one stable step (prefer it to Sigmoid + BCELoss)."""
    _function = "binary_cross_entropy_with_logits"
