"""Argument checks shared by every part of cnnlab.

A student who passes the wrong thing should read what was expected, named after the argument,
not a NumPy broadcasting error from deep inside the maths. Every public function checks its
arguments with these helpers before it computes anything.
"""
import numbers
import threading

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def as_float_array(x, name, ndim=None, allow_nan=False):
    """Return ``x`` as a floating-point ndarray, checking its dimensions and values.

    float32 and float64 arrays keep their dtype; Python lists, integer and boolean arrays become
    float64 (images are often uint8, and integer arithmetic would silently wrap or truncate).

    Parameters
    ----------
    x : array_like
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, optional
        The allowed number(s) of dimensions.
    allow_nan : bool
        NaN and infinity are rejected unless this is True.

    Raises
    ------
    TypeError
        If ``x`` is not numeric (strings, objects, complex numbers).
    ValueError
        If ``x`` has the wrong number of dimensions, or holds NaN or infinity.
    """
    if isinstance(x, np.ndarray) and x.dtype in FLOAT_DTYPES:
        array = x
    else:
        try:
            array = np.asarray(x)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}: {error}") from None
        if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
            raise TypeError(f"{name} must be a numeric array, got an array of dtype {array.dtype}")
        if np.issubdtype(array.dtype, np.complexfloating):
            raise TypeError(f"{name} must be real, got dtype {array.dtype}")
        array = array.astype(np.float32 if array.dtype == np.float16 else np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            expected = " or ".join(str(n) for n in allowed)
            raise ValueError(f"{name} must have {expected} dimensions, got {array.ndim} (shape {array.shape})")
    if not allow_nan and not all_finite(array):
        raise ValueError(f"{name} contains NaN or infinity; expected finite values")
    return array


def all_finite(array):
    """True when ``array`` holds no NaN and no infinity.

    Every layer checks its input and its gradient, so this runs on the largest arrays of a training
    step. One fused loop does it (``functional/fast/checks_fused.py``: one pass, which lets another
    thread run meanwhile) from a quarter of a MB, and for any size once numba is loaded. An array
    passed on inside a network and known to be finite (:func:`known_finite`) is not read again.
    """
    if array is getattr(_known, "array", None):
        return True
    if array.dtype.char in "fd":
        fast = _fast()
        if fast.jit.ready_for(array):
            return bool(fast.checks_fused.all_finite(array))
    return bool(np.isfinite(array).all())


_known = threading.local()


class known_finite:
    """Within the block, on this thread, :func:`all_finite` answers True for ``array`` without reading it.

    For the loops of ``nn/chain.py``: the output of a layer whose every value is one of its checked
    input's values (a ReLU, a max pooling), handed straight to the next layer. None trusts nothing.
    A class rather than a generator-based context manager: it runs for every layer of every step.
    """

    def __init__(self, array):
        self.array = array

    def __enter__(self):
        self.before = getattr(_known, "array", None)
        _known.array = self.array

    def __exit__(self, *exc):
        _known.array = self.before


_fast_modules = None


def _fast():
    """``cnnlab.functional.fast``, imported on first use: cnnlab.functional imports this module."""
    global _fast_modules
    if _fast_modules is None:
        from .functional import fast
        from .functional.fast import checks_fused, jit  # noqa: F401 (attributes of fast from now on)
        _fast_modules = fast
    return _fast_modules


def output_gradient(grad_output, expected_shape):
    """``grad_output`` of a backward pass as a float array, checked to have the forward output's shape.

    Parameters
    ----------
    grad_output : array_like, shape ``expected_shape``
    expected_shape : tuple of int
        The shape the forward pass returned.
    """
    expected_shape = tuple(expected_shape)
    grad = as_float_array(grad_output, "grad_output", ndim=len(expected_shape))
    if grad.shape != expected_shape:
        raise ValueError(f"grad_output must have the output's shape {expected_shape}, got {grad.shape}")
    return grad


def common_dtype(*arrays):
    """float32 only when every array is float32, as PyTorch would refuse mixing; else float64."""
    return np.float32 if all(a.dtype == np.float32 for a in arrays) else np.float64


def pair(value, name, minimum=None):
    """Turn an int or a pair of ints into a ``(height, width)`` tuple, checking each is an integer.

    Parameters
    ----------
    value : int or tuple of two ints
    name : str
        The argument's name, used in error messages.
    minimum : int, optional
        The smallest allowed value (1 for a stride or a kernel size, 0 for padding).
    """
    if type(value) is int:  # the common cases first: every layer call parses its stride and padding
        items = (value, value)
    elif type(value) is tuple and len(value) == 2 and type(value[0]) is int and type(value[1]) is int:
        items = value
    else:
        items = _integer_pair(value, name)
    if minimum is not None and min(items) < minimum:
        word = "positive" if minimum == 1 else f"at least {minimum}"
        raise ValueError(f"{name} must be {word}, got {value!r}")
    return items


def _integer_pair(value, name):
    """:func:`pair`'s general case: NumPy integers, lists, and what is not a pair of ints (an error)."""
    items = (value, value) if isinstance(value, numbers.Integral) else value
    try:
        items = tuple(items)
    except TypeError:
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}") from None
    if len(items) != 2 or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in items):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    return (int(items[0]), int(items[1]))


def choice(value, name, options):
    """Check that ``value`` is one of ``options``, naming them all when it is not."""
    if value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
    return value


def probability(value, name):
    """Check that ``value`` is a number in [0, 1]."""
    if not isinstance(value, numbers.Real) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a probability between 0 and 1, got {value!r}")
    return float(value)


def positive_int(value, name, minimum=1):
    """Check that ``value`` is an integer of at least ``minimum`` (a size, a count, a number of epochs)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return int(value)


def padding_argument(padding):
    """A convolution's ``padding``: 'valid', 'same', or an int or pair of ints at least 0, as ``(pad_h, pad_w)``."""
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise ValueError(f"padding must be an int, a pair of ints, 'valid' or 'same', got {padding!r}")
        return padding
    return pair(padding, "padding", minimum=0)


def generator(rng):
    """A NumPy Generator from ``None`` (fresh entropy), an int seed, or a Generator (used as is)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be None, an int seed or a numpy.random.Generator, got {type(rng).__name__}")
