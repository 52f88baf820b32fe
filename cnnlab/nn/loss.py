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
        # The loss of every sample first, then their mean or sum: backward spreads the upstream
        # gradient back over the same samples (1 / count each for the mean).
        losses = getattr(F, self._function)(input, target, reduction="none")
        self._saved = (input, target, losses.shape)
        if self.reduction == "none":
            return losses
        total = losses.sum(dtype=losses.dtype)
        return total if self.reduction == "sum" else losses.dtype.type(total / max(losses.size, 1))

    def backward(self, grad_output=None):
        """dLoss/d(input), the input's shape; ``grad_output`` (dFinal/dLoss) defaults to 1, the loss itself."""
        if self._saved is None:
            raise RuntimeError("call the loss (forward) before backward")
        input, target, shape = self._saved
        dtype = np.asarray(input).dtype if np.asarray(input).dtype.kind == "f" else np.float64
        default = np.ones(shape if self.reduction == "none" else (), dtype=dtype)
        upstream = default if grad_output is None else np.asarray(grad_output, dtype=dtype)
        if self.reduction != "none":
            if upstream.size != 1:
                raise ValueError(f"grad_output must be a single number with reduction={self.reduction!r}")
            scale = upstream.reshape(()) / (max(np.prod(shape), 1) if self.reduction == "mean" else 1)
            upstream = np.full(shape, scale, dtype=dtype)
        return getattr(F, self._function + "_backward")(upstream, input, target, reduction="none")

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
