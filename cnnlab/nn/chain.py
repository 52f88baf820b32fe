"""Layers one after another, forward and backward: the loops of :class:`~cnnlab.nn.Sequential`.

Every layer checks that its input (and, backward, its gradient) holds no NaN or infinity, so that a
bad array is named where it enters. Inside a chain many of those checks are already answered: a
ReLU's output is finite when its input was, and so is a max pooling's without overlapping windows,
and so are their gradients (each value is a value of the checked input, or zero). The
loops below tell the next layer so (:func:`cnnlab._validate.known_finite`), and it skips the pass over
the array: on the Ex. 3.1 network, 7 of the 14 checks of a step, about 5% of a training epoch. (A
flatten is not one of those layers: it checks nothing itself, so what it passes on was never read.)
"""
from .._validate import known_finite
from .activation import ReLU
from .pooling import MaxPool2d

__all__ = []


def keeps_finite(layer):
    """True when ``layer`` checks its input (and gradient) and every value it returns is one of them or 0."""
    if type(layer) is ReLU:
        return True
    return type(layer) is MaxPool2d and all(s >= k for s, k in zip(layer.stride, layer.kernel_size))


def forward(layers, x):
    """``x`` through ``layers`` in order."""
    for previous, layer in zip([None] + layers[:-1], layers):
        with known_finite(x if previous is not None and keeps_finite(previous) else None):
            x = layer(x)
    return x


def backward(layers, grad):
    """``grad`` back through ``layers``, last first; returns the gradient of the first layer's input."""
    for following, layer in zip(reversed(layers[1:] + [None]), reversed(layers)):
        with known_finite(grad if following is not None and keeps_finite(following) else None):
            grad = layer.backward(grad)
    return grad
