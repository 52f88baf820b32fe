"""A training batch on both cores: each half of the batch goes through the whole network on its own thread.

Splitting every operation in two (``functional/fast/parallel.py``) hands work to the second core a
dozen times per layer, and on the course's small layers each hand-over costs about as much as the
work it hands over. :class:`~cnnlab.nn.Sequential` hands over twice per training step instead: forward
sends images ``0:N/2`` through the layers on the calling thread and ``N/2:N`` through *replicas* of the
layers on the worker thread, and backward does the same with the two halves of ``grad_output``.

A replica is a shallow copy of a layer whose parameters are new :class:`~cnnlab.nn.Parameter` objects
around the *same* arrays: it computes with the same weights, keeps its own ``ctx`` for backward and
collects its own gradients, which backward then adds to the layer's. Replicas are made again at every
forward pass, so they always have the layer's current weights and settings.

Only layers that treat every example of a batch on its own and keep nothing but their ``ctx`` can be
split (:data:`SPLITTABLE`); batch norm (statistics over the whole batch), dropout (one random stream),
and any layer of your own keep the network on one thread per operation, as before. The numbers are
those of the whole batch at once, except that each parameter's gradient is summed over the two halves
separately, then added (a difference in the last bits).
"""
import copy

import numpy as np

from ..functional.fast import parallel
from . import chain
from .activation import ELU, LeakyReLU, ReLU, Sigmoid, Tanh
from .conv import Conv2d, ConvTranspose2d
from .flatten import Flatten
from .linear import Linear
from .parameter import Parameter
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .upsampling import Upsample

__all__ = []

#: Layer classes whose examples are independent and whose only state between the passes is their ctx.
#: Exact classes: a subclass may keep more.
SPLITTABLE = (Conv2d, ConvTranspose2d, Linear, ReLU, LeakyReLU, ELU, Sigmoid, Tanh, MaxPool2d, AvgPool2d,
              AdaptiveAvgPool2d, Upsample, Flatten)
#: A batch is split only from this many examples and input values: below, the hand-over (tens of
#: microseconds, twice a step) costs more than the second core gives back.
MIN_EXAMPLES, MIN_VALUES = 16, 2**14


def halves(layers, x):
    """The two halves of ``x``'s batch when ``layers`` can run them on two threads, else None."""
    if len(x) < MIN_EXAMPLES or x.size < MIN_VALUES or not all(type(layer) in SPLITTABLE for layer in layers):
        return None
    parts = parallel.halves(len(x), parallel.MIN_WORK)
    return parts if len(parts) == 2 else None


def replica(layer):
    """A shallow copy of ``layer`` with its own ctx and gradients, computing with the same weight arrays."""
    twin = copy.copy(layer)  # shares the settings; its own __dict__, so its own _ctx
    object.__setattr__(twin, "_parameters", type(layer._parameters)())
    for name, parameter in layer._parameters.items():
        setattr(twin, name, Parameter(parameter.data, requires_grad=parameter.requires_grad))
    return twin


def forward(layers, x, parts):
    """Run ``layers`` on ``x[parts[0]]`` here and their replicas on ``x[parts[1]]`` on the worker thread.

    Returns
    -------
    output : ndarray
        The two halves' outputs, joined along the batch axis.
    replicas : list of Module
        For :func:`backward`.
    """
    replicas = [replica(layer) for layer in layers]

    def half(part):
        with parallel.one_half():
            return chain.forward(layers if part.start == 0 else replicas, x[part])
    return np.concatenate(parallel.run(half, parts)), replicas


def backward(layers, replicas, grad_output, parts):
    """Backward through both halves, the layers' on this thread and the replicas' on the worker.

    Adds the replicas' parameter gradients to the layers' and returns the input gradient of the whole
    batch (None when the first layer computed none).
    """
    def half(part):
        with parallel.one_half():
            return chain.backward(layers if part.start == 0 else replicas, grad_output[part])
    grads = parallel.run(half, parts)
    for layer, twin in zip(layers, replicas):
        for name, parameter in twin._parameters.items():
            layer._parameters[name].accumulate_grad(parameter.grad)
            parameter.grad = None  # a second backward from the same forward adds only its own gradients
    return None if grads[0] is None else np.concatenate(grads)
