"""Upsample: make feature maps larger by repeating (nearest) or blending (bilinear) neighbors."""
from .. import functional as F
from .module import Module

__all__ = ["Upsample"]


class Upsample(Module):
    """Resize by ``scale_factor`` (or to ``size``) with ``mode='nearest'`` or ``'bilinear'``.

    No weights: backward sends each output's gradient back to the input pixels it was made from.

    Shapes: input ``(N, C, H, W)`` -> output ``(N, C, H * scale, W * scale)``.
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None):
        super().__init__()
        self.size, self.scale_factor, self.mode, self.align_corners = size, scale_factor, mode, align_corners

    def forward(self, x):
        output, self._ctx = F.interpolate_forward(x, self.size, self.scale_factor, self.mode, self.align_corners,
                                                  needs_input_grad=self._needs_input_grad())
        return output

    def backward(self, grad_output):
        return F.interpolate_backward(grad_output, self._saved_ctx())

    def extra_repr(self):
        shown = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{shown}, mode={self.mode!r}"
