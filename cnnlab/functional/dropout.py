"""Dropout: during training, switch off each activation with probability ``p``.

The network cannot lean on any single unit, which reduces overfitting. This is *inverted*
dropout, as in PyTorch: the kept activations are scaled by ``1 / (1 - p)`` during training, so
their expected value is unchanged and nothing needs rescaling at test time, where dropout does
nothing at all.

    mask ~ Bernoulli(1 - p) per element      y = x * mask / (1 - p)
"""
import numpy as np

from .._validate import as_float_array, probability
from .activation import _rng

__all__ = ["dropout", "dropout_mask", "dropout_backward"]


def dropout_mask(shape, p=0.5, rng=None):
    """Which activations dropout keeps: True with probability ``1 - p``, independently per element.

    :func:`dropout` calls this with the same ``rng``; a layer keeps the mask for its backward pass.

    Parameters
    ----------
    shape : tuple of int
        The input's shape.
    p : float in [0, 1]
        The probability of dropping an element.
    rng : None, int or numpy.random.Generator
        An int seed gives the same mask every time.

    Returns
    -------
    mask : ndarray of bool, the given shape
    """
    p = probability(p, "p")
    return _rng(rng).random(shape) >= p


def _scaled(values, mask, p):
    if p == 1:  # everything dropped: PyTorch returns zeros (1 / (1 - p) would be infinite)
        return np.zeros_like(values)
    return values * mask * values.dtype.type(1 / (1 - p))


def dropout(input, p=0.5, training=True, rng=None):
    """Inverted dropout: zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    Parameters
    ----------
    input : ndarray, any shape
    p : float in [0, 1]
    training : bool
        When False, return the input unchanged (a copy).
    rng : None, int or numpy.random.Generator
        Draws the mask, through :func:`dropout_mask`: the same int seed gives the same mask, so
        ``dropout_backward(grad, dropout_mask(x.shape, p, seed), p)`` matches ``dropout(x, p, rng=seed)``.

    Returns
    -------
    ndarray, the input's shape
    """
    x = as_float_array(input, "input")
    p = probability(p, "p")
    if not training:
        return x.copy()
    return _scaled(x, dropout_mask(x.shape, p, rng), p)


def dropout_backward(grad_output, mask, p=0.5):
    """Gradient of :func:`dropout`: ``grad * mask / (1 - p)``, the same switches and scale as forward.

    Parameters
    ----------
    grad_output : ndarray, any shape
    mask : ndarray of bool, the same shape
        From :func:`dropout_mask`.
    p : float in [0, 1]

    Returns
    -------
    grad_input : ndarray, the shape of grad_output
    """
    grad = as_float_array(grad_output, "grad_output")
    p = probability(p, "p")
    mask = np.asarray(mask)
    if mask.shape != grad.shape:
        raise ValueError(f"mask must have grad_output's shape {grad.shape}, got {mask.shape}")
    return _scaled(grad, mask, p)
