"""Batch normalization: standardize each channel over the batch, then learn a scale and a shift."""
import numpy as np

from .. import functional as F
from .._validate import positive_int
from .module import Module
from .parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d"]


class _BatchNorm(Module):
    _dims = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 dtype=np.float64):
        super().__init__()
        self.num_features = positive_int(num_features, "num_features")
        self.eps, self.momentum = float(eps), float(momentum)
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        if self.affine:
            self.weight = Parameter(np.ones(self.num_features, dtype=dtype))   # gamma, the learned scale
            self.bias = Parameter(np.zeros(self.num_features, dtype=dtype))    # beta, the learned shift
        else:
            self.weight = self.bias = None
        if self.track_running_stats:
            self.register_buffer("running_mean", np.zeros(self.num_features, dtype=dtype))
            self.register_buffer("running_var", np.ones(self.num_features, dtype=dtype))
        else:
            self.running_mean = self.running_var = None
        self._ctx = None

    def _check_input(self, x):
        if np.ndim(x) not in self._dims:
            dims = " or ".join(str(d) for d in self._dims)
            raise ValueError(f"{type(self).__name__} expects a {dims}-D input, got shape {np.shape(x)}")
        if np.shape(x)[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}) got {np.shape(x)[1]} channels "
                             f"(input shape {np.shape(x)})")

    def forward(self, x):
        """Training: the batch's mean and variance per channel (and update the running ones); test: the running ones."""
        self._check_input(x)
        use_batch_statistics = self.training or not self.track_running_stats
        weight = None if self.weight is None else self.weight.data
        bias = None if self.bias is None else self.bias.data
        output, self._ctx = F.batch_norm_forward(x, self.running_mean, self.running_var, weight, bias,
                                                 use_batch_statistics, self.momentum, self.eps,
                                                 needs_input_grad=self._needs_input_grad(self.weight, self.bias))
        return output

    def backward(self, grad_output):
        grad_input, grad_weight, grad_bias = F.batch_norm_backward(grad_output, self._saved_ctx())
        if self.weight is not None:
            self.weight.accumulate_grad(grad_weight)
            self.bias.accumulate_grad(grad_bias)
        return grad_input

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm2d(_BatchNorm):
    """Batch norm per channel of images: statistics over the batch and both spatial axes.

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``; ``running_mean`` and ``running_var`` (buffers)
    follow ``running = (1 - momentum) * running + momentum * batch`` in training and replace the batch
    statistics at test time.

    Shapes: input ``(N, C, H, W)`` -> output ``(N, C, H, W)``; ``weight``, ``bias``, running statistics ``(C,)``.
    """
    _dims = (4,)


class BatchNorm1d(_BatchNorm):
    """Batch norm per feature of vectors (after a Linear layer): statistics over the batch (and length).

    Shapes: input ``(N, C)`` or ``(N, C, L)`` -> the same shape; parameters ``(C,)``.
    """
    _dims = (2, 3)
