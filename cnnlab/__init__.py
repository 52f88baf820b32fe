"""cnnlab: a small, readable NumPy library for learning convolutional neural networks.

Its names mirror PyTorch, so what you learn here carries over:

- ``cnnlab.functional`` is like ``torch.nn.functional`` (pure maths on arrays, with gradients);
- ``cnnlab.nn`` is like ``torch.nn`` (layers with ``forward`` and an explicit ``backward``);
- ``cnnlab.optim`` is like ``torch.optim``.

For single 2-D images, as the first lectures use them: :func:`correlate2d`, :func:`convolve2d`,
:func:`output_size` and the named kernels in :mod:`cnnlab.kernels`.
"""
from . import datasets, functional, kernels, nn, optim, training
from .image import convolve2d, correlate2d, correlate2d_naive, output_size
from .gradcheck import gradcheck  # the function; the module stays importable as cnnlab.gradcheck

__all__ = [
    "datasets", "functional", "kernels", "nn", "optim", "training",
    "convolve2d", "correlate2d", "correlate2d_naive", "output_size",
    "gradcheck",
]

__version__ = "0.1.0"
