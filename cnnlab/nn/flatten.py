"""Flatten: the lecture's step 3, a stack of feature maps becomes one long vector per image."""
from .. import functional as F
from .module import Module

__all__ = ["Flatten"]


class Flatten(Module):
    """Reshape ``(N, C, H, W)`` to ``(N, C * H * W)`` so a Linear layer can take it.

    Parameters
    ----------
    start_dim, end_dim : int
        The axes merged into one (PyTorch's defaults: every axis but the batch axis).
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        output, self._ctx = F.flatten_forward(x, self.start_dim, self.end_dim,
                                              needs_input_grad=self._needs_input_grad())
        return output

    def backward(self, grad_output):
        """Nothing is computed, so the gradient only takes the input's shape back."""
        return F.flatten_backward(grad_output, self._saved_ctx())

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
