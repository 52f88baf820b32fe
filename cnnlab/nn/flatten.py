"""Flatten: the lecture's step 3, a stack of feature maps becomes one long vector per image."""
import numpy as np

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
        self._input_shape = None

    def forward(self, x):
        x = np.asarray(x)
        start = self.start_dim % x.ndim
        end = self.end_dim % x.ndim
        if start > end:
            raise ValueError(f"Flatten: start_dim {self.start_dim} comes after end_dim {self.end_dim} for a {x.ndim}-D input")
        self._input_shape = x.shape
        return x.reshape(x.shape[:start] + (-1,) + x.shape[end + 1:])

    def backward(self, grad_output):
        """Nothing is computed, so the gradient only takes the input's shape back."""
        if self._input_shape is None:
            raise RuntimeError("call forward before backward")
        return grad_output.reshape(self._input_shape)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
