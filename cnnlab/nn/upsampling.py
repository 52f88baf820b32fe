"""Upsample: make feature maps larger by repeating (nearest) or blending (bilinear) neighbours."""
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
        self._input = None

    def _options(self):
        options = dict(size=self.size, scale_factor=self.scale_factor, mode=self.mode)
        if self.align_corners is not None:
            options["align_corners"] = self.align_corners
        return options

    def forward(self, x):
        output = F.interpolate(x, **self._options())
        self._input = x
        return output

    def backward(self, grad_output):
        if self._input is None:
            raise RuntimeError("call forward before backward")
        return F.interpolate_backward(grad_output, self._input, **self._options())

    def extra_repr(self):
        shown = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{shown}, mode={self.mode!r}"
