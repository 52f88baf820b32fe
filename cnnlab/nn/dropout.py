"""Dropout: in training, silence random units so the network cannot rely on any single one."""
import numbers

import numpy as np

from .._validate import probability
from .. import functional as F
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Zero each value with probability ``p`` in training and scale the rest by ``1 / (1 - p)``.

    The scaling keeps the expected value unchanged, so at test time (``eval()``) the layer passes
    its input through untouched. Backward lets the gradient through exactly where the input got through.

    Parameters
    ----------
    p : float
        Probability of dropping a value.
    rng : numpy.random.Generator or int, optional
        Draws the masks (seeded: the same seed drops the same units).

    Shapes: any; the output has the input's shape.
    """

    def __init__(self, p=0.5, rng=None):
        super().__init__()
        self.p = probability(p, "p")
        if rng is not None and not isinstance(rng, (np.random.Generator, numbers.Integral)):
            raise TypeError(f"rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}")
        self.rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
        self._mask = None

    def forward(self, x):
        if not self.training or self.p == 0:
            self._mask = None
            return x
        self._mask = F.dropout_mask(np.shape(x), self.p, self.rng)  # True where a value survives
        return self._scaled(np.asarray(x), self._mask)

    def _scaled(self, values, mask):
        if self.p == 1:  # everything dropped (1 / (1 - p) would be infinite)
            return np.zeros_like(values)
        return values * mask * values.dtype.type(1 / (1 - self.p))

    def backward(self, grad_output):
        if self._mask is None:  # test mode, or p = 0: the layer was the identity
            return grad_output
        return self._scaled(np.asarray(grad_output), self._mask)  # the same mask and scale as forward

    def extra_repr(self):
        return f"p={self.p}"
