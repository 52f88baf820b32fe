"""Weight initialization, with the names of ``torch.nn.init``.

All zeros cannot learn (every unit computes the same thing and gets the same update), so weights start
as small random values that *break symmetry*. How small matters: Xavier/Glorot keeps the variance of
activations steady through layers, He/Kaiming does the same for ReLU networks.

Each function fills a :class:`~cnnlab.nn.Parameter` or ndarray **in place** (the trailing ``_``, as in
PyTorch) and returns it. Randomness comes from ``rng``: a ``numpy.random.Generator``, an int seed, or
``None`` for fresh entropy.
"""
import math
import numbers

import numpy as np

from .._validate import generator
from .parameter import Parameter

__all__ = ["calculate_gain", "zeros_", "ones_", "constant_", "uniform_", "normal_", "xavier_uniform_",
           "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]


def _array(tensor):
    array = tensor.data if isinstance(tensor, Parameter) else tensor
    if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
        raise TypeError(f"tensor must be a Parameter or a floating-point ndarray, got {type(tensor).__name__}")
    return array


def _fill(tensor, values):
    array = _array(tensor)
    array[...] = values  # in place: keeps the dtype and every reference to the array
    return tensor


def _fans(array):
    """(fan_in, fan_out): inputs and outputs each weight connects.

    For a Linear weight ``(out, in)`` that is ``(in, out)``; for a convolution weight
    ``(out_channels, in_channels, kH, kW)`` each output sees ``in_channels * kH * kW`` inputs.
    """
    if array.ndim < 2:
        raise ValueError(f"fan in and fan out need a weight with at least 2 dimensions, got shape {array.shape}")
    receptive_field = int(np.prod(array.shape[2:])) if array.ndim > 2 else 1
    return array.shape[1] * receptive_field, array.shape[0] * receptive_field


def calculate_gain(nonlinearity, param=None):
    """The factor that keeps the activations' variance steady through ``nonlinearity`` (PyTorch's values).

    ``linear``/``conv2d``/``sigmoid``: 1; ``tanh``: 5/3; ``relu``: sqrt(2);
    ``leaky_relu`` with slope ``param`` (default 0.01): sqrt(2 / (1 + param**2)); ``selu``: 3/4.
    """
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                        "conv_transpose3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if not isinstance(slope, numbers.Real) or isinstance(slope, bool):
            raise ValueError(f"negative slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError("nonlinearity must be one of linear, conv2d, sigmoid, tanh, relu, leaky_relu, selu; "
                     f"got {nonlinearity!r}")


def zeros_(tensor):
    """Fill with 0 (fine for biases; for weights it cannot break symmetry)."""
    return _fill(tensor, 0.0)


def ones_(tensor):
    """Fill with 1 (batch norm's initial scale)."""
    return _fill(tensor, 1.0)


def constant_(tensor, val):
    """Fill with ``val``."""
    return _fill(tensor, val)


def uniform_(tensor, a=0.0, b=1.0, rng=None):
    """Fill with values drawn from Uniform(a, b)."""
    if not a <= b:
        raise ValueError(f"uniform_ needs a <= b, got a={a}, b={b}")
    array = _array(tensor)
    return _fill(tensor, generator(rng).uniform(a, b, size=array.shape))


def normal_(tensor, mean=0.0, std=1.0, rng=None):
    """Fill with values drawn from Normal(mean, std**2)."""
    if std < 0:
        raise ValueError(f"std must be at least 0, got {std}")
    array = _array(tensor)
    return _fill(tensor, generator(rng).normal(mean, std, size=array.shape))


def xavier_uniform_(tensor, gain=1.0, rng=None):
    """Xavier/Glorot uniform: Uniform(-r, r) with the lecture's r = gain * sqrt(6 / (fan_in + fan_out)).

    Parameters
    ----------
    tensor : Parameter or ndarray, shape (out, in) or (out_channels, in_channels, kH, kW)
    gain : float
        1 for the lecture's formula; :func:`calculate_gain` gives the factor for other activations.
    """
    fan_in, fan_out = _fans(_array(tensor))
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, rng)


def xavier_normal_(tensor, gain=1.0, rng=None):
    """Xavier/Glorot normal: Normal(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(_array(tensor))
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng)


def _kaiming_std(tensor, a, mode, nonlinearity):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(_array(tensor))
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """He/Kaiming uniform: Uniform(-b, b) with b = gain * sqrt(3 / fan).

    With PyTorch's layer default ``a = sqrt(5)`` the gain is sqrt(1/3), so b = 1 / sqrt(fan_in).
    """
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, rng)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", rng=None):
    """He/Kaiming normal: Normal(0, std**2) with std = gain / sqrt(fan)."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), rng)


def _default_layer_init_(weight, bias, rng):
    """PyTorch's default for Linear and convolution layers, from one generator.

    weight: kaiming_uniform_ with a = sqrt(5), i.e. Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in));
    bias: Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) with the weight's fan_in.
    """
    rng = generator(rng)
    kaiming_uniform_(weight, a=math.sqrt(5), rng=rng)
    if bias is not None:
        fan_in, _ = _fans(_array(weight))
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound, rng)
