"""Dropout: in training, silence random units so the network cannot rely on any single one."""
from .. import functional as F
from .._validate import generator, probability
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
        self.rng = generator(rng)

    def forward(self, x):
        output, self._ctx = F.dropout_forward(x, self.p, self.training, self.rng,
                                              needs_input_grad=self._needs_input_grad())
        return output

    def backward(self, grad_output):
        """The same mask and scale as forward (the identity in test mode)."""
        return F.dropout_backward(grad_output, self._saved_ctx())

    def extra_repr(self):
        return f"p={self.p}"
