"""Dropout: during training, switch off each activation with probability ``p``.

The network cannot lean on any single unit, which reduces overfitting. This is *inverted*
dropout, as in PyTorch: the kept activations are scaled by ``1 / (1 - p)`` during training, so
their expected value is unchanged and nothing needs rescaling at test time, where dropout does
nothing at all.

    mask ~ Bernoulli(1 - p) per element      y = x * mask / (1 - p)
"""
import numpy as np

from .._validate import as_float_array, generator, probability
from .context import Context, check_context

__all__ = ["dropout_mask", "dropout_forward", "dropout_backward", "dropout"]


def dropout_mask(shape, p=0.5, rng=None):
    """Which activations dropout keeps: True with probability ``1 - p``, independently per element.

    :func:`dropout_forward` calls this with its ``rng`` and keeps the mask in its ``ctx``.

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
    return generator(rng).random(shape) >= p


def _scaled(values, mask, p):
    if p == 1:  # everything dropped: PyTorch returns zeros (1 / (1 - p) would be infinite)
        return np.zeros_like(values)
    return values * mask * values.dtype.type(1 / (1 - p))


def dropout_forward(input, p=0.5, training=True, rng=None, *, needs_input_grad=None):
    """Inverted dropout: zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    Parameters
    ----------
    input : ndarray, any shape
    p : float in [0, 1]
    training : bool
        When False, return the input unchanged (a copy).
    rng : None, int or numpy.random.Generator
        Draws the mask, through :func:`dropout_mask`: the same int seed gives the same mask.

    Returns
    -------
    output : ndarray, the input's shape
    ctx : Context
        The mask (None when not training) and ``p``.
    """
    x = as_float_array(input, "input")
    p = probability(p, "p")
    mask = dropout_mask(x.shape, p, rng) if training else None
    ctx = Context("dropout", ("input",), needs_input_grad, saved={"mask": mask}, options={"p": p, "shape": x.shape})
    return (_scaled(x, mask, p) if training else x.copy()), ctx


def dropout_backward(grad_output, ctx):
    """Gradient of :func:`dropout_forward`: ``grad * mask / (1 - p)``, the same switches and scale as forward.

    Returns
    -------
    grad_input : ndarray, the shape of grad_output
    """
    ctx = check_context(ctx, "dropout")
    grad = as_float_array(grad_output, "grad_output")
    mask, p = ctx.saved["mask"], ctx.options["p"]
    if grad.shape != ctx.options["shape"]:
        raise ValueError(f"grad_output must have the input's shape {ctx.options['shape']}, got {grad.shape}")
    return ctx.grads(grad.copy() if mask is None else _scaled(grad, mask, p))


def dropout(input, p=0.5, training=True, rng=None):
    """Inverted dropout; see :func:`dropout_forward`."""
    return dropout_forward(input, p, training, rng)[0]
