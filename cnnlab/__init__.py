"""cnnlab: a small, readable NumPy library for learning convolutional neural networks.

Its names mirror PyTorch, so what you learn here carries over:

- ``cnnlab.functional`` is like ``torch.nn.functional`` (pure maths on arrays, with gradients);
- ``cnnlab.nn`` is like ``torch.nn`` (layers with ``forward`` and an explicit ``backward``);
- ``cnnlab.optim`` is like ``torch.optim``.

For single 2-D images, as the first lectures use them: :func:`correlate2d`, :func:`convolve2d`,
:func:`output_size` and the named kernels in :mod:`cnnlab.kernels`.
"""
from . import functional, kernels
from .image import *  # noqa: F401,F403
from . import datasets, nn, optim, training  # noqa: E402
from .gradcheck import gradcheck  # noqa: E402  (the function; the module stays importable as cnnlab.gradcheck)

__version__ = "0.1.0"
