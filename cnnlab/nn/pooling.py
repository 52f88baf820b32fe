"""Pooling layers: the lecture's step 2, keep the strongest (or average) response of each window."""
from .._validate import pair
from .. import functional as F
from .module import Module

__all__ = ["MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d"]


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

    def forward(self, x):
        output, self._ctx = F.max_pool2d_forward(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                                                 needs_input_grad=self._needs_input_grad())
        return output

    def backward(self, grad_output):
        return F.max_pool2d_backward(grad_output, self._saved_ctx())


class AvgPool2d(_Pool2d):
    """The mean of each ``kernel_size`` window; backward shares each output's gradient equally over its window.

    Shapes
    ------
    input ``(N, C, H, W)`` -> output ``(N, C, H_out, W_out)``.
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = bool(count_include_pad)

    def forward(self, x):
        output, self._ctx = F.avg_pool2d_forward(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                                                 self.count_include_pad, needs_input_grad=self._needs_input_grad())
        return output

    def backward(self, grad_output):
        return F.avg_pool2d_backward(grad_output, self._saved_ctx())


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed ``output_size``, whatever the input's height and width.

    ``AdaptiveAvgPool2d(1)`` is global average pooling: one mean per channel. Like every pooling
    layer it has no parameters.

    Shapes
    ------
    input ``(N, C, H, W)`` -> output ``(N, C, H_out, W_out)`` with ``(H_out, W_out) = output_size``.
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = pair(output_size, "output_size", minimum=1)

    def extra_repr(self):
        size = self.output_size
        return f"output_size={size[0] if size[0] == size[1] else size}"

    def forward(self, x):
        output, self._ctx = F.adaptive_avg_pool2d_forward(x, self.output_size,
                                                          needs_input_grad=self._needs_input_grad())
        return output

    def backward(self, grad_output):
        return F.adaptive_avg_pool2d_backward(grad_output, self._saved_ctx())
