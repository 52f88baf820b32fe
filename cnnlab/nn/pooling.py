"""Pooling layers: the lecture's step 2, keep the strongest (or average) response of each window."""
from .._validate import pair
from ..functional import pooling as _pooling
from .module import Module

__all__ = ["MaxPool2d", "AvgPool2d"]


class _Pool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False):
        super().__init__()
        self.kernel_size = pair(kernel_size, "kernel_size", minimum=1)
        self.stride = self.kernel_size if stride is None else pair(stride, "stride", minimum=1)
        self.padding = pair(padding, "padding", minimum=0)
        self.ceil_mode = bool(ceil_mode)

    def extra_repr(self):
        def show(p):
            return p[0] if p[0] == p[1] else p
        return (f"kernel_size={show(self.kernel_size)}, stride={show(self.stride)}, padding={show(self.padding)}"
                f"{', ceil_mode=True' if self.ceil_mode else ''}")


class MaxPool2d(_Pool2d):
    """The largest value of each ``kernel_size`` window (stride defaults to the kernel size).

    Backward sends each output's gradient to the one input that was the maximum (the first one when
    several tie, as PyTorch); every other input of the window gets 0.

    Shapes
    ------
    input ``(N, C, H, W)`` -> output ``(N, C, H_out, W_out)``, ``H_out = (H + 2 * padding - kernel) // stride + 1``.
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self._cache = None

    def forward(self, x):
        output, self._cache = _pooling._max_pool2d_with_cache(x, self.kernel_size, self.stride, self.padding,
                                                              self.ceil_mode)
        return output

    def backward(self, grad_output):
        if self._cache is None:
            raise RuntimeError("call forward before backward")
        return _pooling._max_pool2d_backward_from_cache(grad_output, self._cache)


class AvgPool2d(_Pool2d):
    """The mean of each ``kernel_size`` window; backward shares each output's gradient equally over its window.

    Shapes
    ------
    input ``(N, C, H, W)`` -> output ``(N, C, H_out, W_out)``.
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = bool(count_include_pad)
        self._input = None

    def _options(self):
        return dict(kernel_size=self.kernel_size, stride=self.stride, padding=self.padding,
                    ceil_mode=self.ceil_mode, count_include_pad=self.count_include_pad)

    def forward(self, x):
        output = _pooling.avg_pool2d(x, **self._options())
        self._input = x
        return output

    def backward(self, grad_output):
        if self._input is None:
            raise RuntimeError("call forward before backward")
        return _pooling.avg_pool2d_backward(grad_output, self._input, **self._options())
