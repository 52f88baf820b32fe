"""Convolution layers: the lecture's step 1, feature detectors slid over the image, learned from data."""
import numpy as np

from .. import functional as F
from .._validate import padding_argument, pair, positive_int
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Conv2d", "ConvTranspose2d"]


class Conv2d(Module):
    """``out_channels`` learned filters of size ``in_channels x kH x kW``, each slid over the input.

    Output size per axis: ``(H + 2 * padding - kernel_size) // stride + 1`` (the lecture's
    (N - F) / stride + 1 with zero padding).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride : int or (int, int)
    padding : int, (int, int), 'valid' or 'same'
    bias : bool
    rng : numpy.random.Generator or int, optional
        Seeds PyTorch's default initialization: Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
        ``fan_in = in_channels * kH * kW``, for weight and bias.
    dtype : np.float32 or np.float64

    Shapes
    ------
    input ``(N, in_channels, H, W)`` -> output ``(N, out_channels, H_out, W_out)``;
    ``weight (out_channels, in_channels, kH, kW)``, ``bias (out_channels,)``.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True, rng=None,
                 dtype=np.float64):
        super().__init__()
        self.in_channels = positive_int(in_channels, "in_channels")
        self.out_channels = positive_int(out_channels, "out_channels")
        self.kernel_size = pair(kernel_size, "kernel_size", minimum=1)
        self.stride = pair(stride, "stride", minimum=1)
        self.padding = padding_argument(padding)
        self.weight = Parameter(np.empty((self.out_channels, self.in_channels) + self.kernel_size, dtype=dtype))
        self.bias = Parameter(np.empty(self.out_channels, dtype=dtype)) if bias else None
        init._default_layer_init_(self.weight, self.bias, rng)
        self._ctx = None

    def forward(self, x):
        """x : ndarray, shape (N, in_channels, H, W) -> ndarray, shape (N, out_channels, H_out, W_out)."""
        if np.ndim(x) == 4 and np.shape(x)[1] != self.in_channels:
            raise ValueError(f"Conv2d expected {self.in_channels} input channels, got input of shape {np.shape(x)}")
        bias = None if self.bias is None else self.bias.data
        output, self._ctx = F.conv2d_forward(x, self.weight.data, bias, self.stride, self.padding,
                                             needs_input_grad=self._needs_input_grad(self.weight, self.bias))
        return output

    def backward(self, grad_output):
        """grad_output : ndarray, shape (N, out_channels, H_out, W_out) -> ndarray, shape (N, in_channels, H, W).

        Returns the gradient with respect to the input. Each weight's gradient sums, over every position
        it visited, the input under it times the output's error there; the input's gradient spreads each
        output's error back over its window. None when ``needs_input_grad`` was False (the first layer of
        a network, whose input is data).
        """
        grad_input, grad_weight, grad_bias = F.conv2d_backward(grad_output, self._saved_ctx())
        self.weight.accumulate_grad(grad_weight)
        if self.bias is not None:
            self.bias.accumulate_grad(grad_bias)
        return grad_input

    def extra_repr(self):
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding not in ((0, 0), "valid"):
            text += f", padding={self.padding!r}" if isinstance(self.padding, str) else f", padding={self.padding}"
        if self.bias is None:
            text += ", bias=False"
        return text


class ConvTranspose2d(Module):
    """A transposed convolution: each input pixel stamps a weighted copy of the filter onto the output.

    It is the backward pass of a convolution used as a forward pass, so it *upsamples*: with stride 2
    a 4x4 map becomes about 8x8. Output size per axis:
    ``(H - 1) * stride - 2 * padding + kernel_size + output_padding``. Overlapping stamps (kernel size
    not divisible by the stride) cause the checkerboard artifacts of the lecture.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size, stride, padding, output_padding : int or (int, int)
    bias : bool
    rng : numpy.random.Generator or int, optional
        Seeds PyTorch's default initialization (fan_in = out_channels * kH * kW, as PyTorch computes it).
    dtype : np.float32 or np.float64

    Shapes
    ------
    input ``(N, in_channels, H, W)`` -> output ``(N, out_channels, H_out, W_out)``;
    ``weight (in_channels, out_channels, kH, kW)`` (PyTorch's layout), ``bias (out_channels,)``.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, bias=True,
                 rng=None, dtype=np.float64):
        super().__init__()
        self.in_channels = positive_int(in_channels, "in_channels")
        self.out_channels = positive_int(out_channels, "out_channels")
        self.kernel_size = pair(kernel_size, "kernel_size", minimum=1)
        self.stride = pair(stride, "stride", minimum=1)
        self.padding = pair(padding, "padding", minimum=0)
        self.output_padding = pair(output_padding, "output_padding", minimum=0)
        self.weight = Parameter(np.empty((self.in_channels, self.out_channels) + self.kernel_size, dtype=dtype))
        self.bias = Parameter(np.empty(self.out_channels, dtype=dtype)) if bias else None
        init._default_layer_init_(self.weight, self.bias, rng)
        self._ctx = None

    def forward(self, x):
        """x : ndarray, shape (N, in_channels, H, W) -> ndarray, shape (N, out_channels, H_out, W_out)."""
        bias = None if self.bias is None else self.bias.data
        output, self._ctx = F.conv_transpose2d_forward(x, self.weight.data, bias, self.stride, self.padding,
                                                       self.output_padding,
                                                       needs_input_grad=self._needs_input_grad(self.weight, self.bias))
        return output

    def backward(self, grad_output):
        """grad_output : ndarray, shape (N, out_channels, H_out, W_out) -> ndarray, shape (N, in_channels, H, W).

        Returns the gradient with respect to the input.
        """
        grad_input, grad_weight, grad_bias = F.conv_transpose2d_backward(grad_output, self._saved_ctx())
        self.weight.accumulate_grad(grad_weight)
        if self.bias is not None:
            self.bias.accumulate_grad(grad_bias)
        return grad_input

    def extra_repr(self):
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.output_padding != (0, 0):
            text += f", output_padding={self.output_padding}"
        if self.bias is None:
            text += ", bias=False"
        return text
