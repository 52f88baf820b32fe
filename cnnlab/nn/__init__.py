"""Layers with a forward pass and an explicit, readable backward pass, with the names of ``torch.nn``.

Every layer ``layer`` has ``layer(x)`` / ``layer.forward(x)``, which computes the output with
``F.f_forward`` and keeps its ``ctx`` (what the chain rule needs), and ``layer.backward(grad_output)``,
which hands the ctx to ``F.f_backward``, returns the gradient with respect to its input and adds each
parameter's gradient to ``parameter.grad``. The first layer of a ``Sequential`` skips its input's
gradient (the network's input is data; see ``Sequential``).

The order below is the order data flows through a convolutional network.
"""
from .parameter import Parameter
from .module import Module
from .container import Sequential
from .conv import Conv2d, ConvTranspose2d
from .activation import ELU, LeakyReLU, ReLU, Sigmoid, Tanh
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .upsampling import Upsample
from .normalization import BatchNorm1d, BatchNorm2d
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from .summary import summary
from . import init

__all__ = ["Parameter", "Module", "Sequential", "Conv2d", "ConvTranspose2d", "ReLU", "LeakyReLU", "ELU", "Sigmoid",
           "Tanh", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Upsample", "BatchNorm1d", "BatchNorm2d", "Dropout",
           "Flatten", "Linear",
           "CrossEntropyLoss", "MSELoss", "BCELoss", "BCEWithLogitsLoss", "summary", "init"]
