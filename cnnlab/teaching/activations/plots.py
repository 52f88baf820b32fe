"""Pictures of the activation functions and their derivatives, and of what goes wrong with them.

The curves come from :func:`.catalog.activation_and_derivative` (cnnlab's functions and their
``_backward``), the sigmoid's floating-point limits from :mod:`.floating_point`. This module only draws.
"""
import matplotlib.pyplot as plt
import numpy as np

from . import floating_point as fp
from .catalog import DEFAULTS, activation_and_derivative, is_random

def plot_activations(names, x=None, derivatives=True, axes=None, **params):
    """One small panel per activation: the function (solid) and its derivative (dashed).

    Random activations (RReLU, noisy ReLU) are drawn as dots: every input gets its own random slope
    or noise, as in training.

    Parameters
    ----------
    names : sequence of str
        Activations from :data:`.catalog.NAMES`; ``("leaky ReLU", 0.01)`` overrides the slope of one panel.
    x : ndarray, shape (n,), optional
        The inputs; -4 to 4 by default.
    derivatives : bool
        Draw the derivative as well.
    axes : sequence of matplotlib Axes, optional
        Draw into these (one per name); by default a new figure with one row.
    **params
        Overrides of :data:`.catalog.DEFAULTS` for every panel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    x = np.linspace(-4, 4, 401) if x is None else np.asarray(x, dtype=float)
    if axes is None:
        _, axes = plt.subplots(1, len(names), figsize=(min(3.0 * len(names), 12), 3.0), sharex=True)
    axes = np.atleast_1d(axes)
    for ax, entry in zip(axes, names):
        name, panel_params = entry, dict(params)
        if isinstance(entry, tuple):  # ("leaky ReLU", 0.01): the lecture uses both slopes
            name, panel_params["negative_slope"] = entry
        y, dy = activation_and_derivative(name, x, **panel_params)
        style = "." if is_random(name) else "-"
        ax.plot(x, y, style, markersize=2, label="f(x)")
        if derivatives:
            ax.plot(x, dy, "." if is_random(name) else "--", markersize=1.5, label="f'(x)")
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        slope = panel_params.get("negative_slope", DEFAULTS["negative_slope"])
        ax.set_title(f"{name} ({slope:g})" if name == "leaky ReLU" else name, fontsize=11)
        ax.set_xlabel("x")
    axes[0].legend(fontsize=9, loc="upper left")
    fig = axes[0].figure
    fig.tight_layout()
    return fig


def plot_overlay(names, x_range=4.0, derivatives=False, ax=None, **params):
    """Several activations on the same axes, to compare their shapes (the explorer's picture).

    Parameters
    ----------
    names : sequence of str
        Activations from :data:`.catalog.NAMES`.
    x_range : float
        Inputs from -x_range to x_range.
    derivatives : bool
        Plot the derivatives instead of the functions.
    ax : matplotlib Axes, optional
    **params
        Overrides of :data:`.catalog.DEFAULTS`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    x = np.linspace(-x_range, x_range, 601)
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4.2))
    for name in names:
        y, dy = activation_and_derivative(name, x, **params)
        values = dy if derivatives else y
        if is_random(name):
            ax.plot(x, values, ".", markersize=2, label=name)
        else:
            ax.plot(x, values, label=name)
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel("x")
    ax.set_ylabel("f'(x)" if derivatives else "f(x)")
    ax.set_ylim(-1.5, 2.0 if derivatives else max(2.0, x_range))
    if names:
        ax.legend(fontsize=9, loc="upper left", ncol=2)
    ax.figure.tight_layout()
    return ax.figure


def plot_gradient_sizes(sizes, bound=None, ylabel="gradient size (root mean square)"):
    """How a gradient shrinks (or not) as backpropagation passes through layer after layer, on a log scale.

    Parameters
    ----------
    sizes : dict of str to ndarray, shape (layers,)
        For each activation, the gradient's typical size after 1, 2, ... layers.
    bound : ndarray, shape (layers,), optional
        The best case for the sigmoid, 0.25 ** layers, drawn dashed.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=(9, 3.8))
    for name, values in sizes.items():
        layers = np.arange(1, len(values) + 1)
        ax.semilogy(layers, values, "o-", label=name)
    if bound is not None:
        ax.semilogy(np.arange(1, len(bound) + 1), bound, "k--", label=r"sigmoid's best case $0.25^{n}$")
    ax.set_xlabel("number of layers the gradient has passed through")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


def plot_dead_fraction(shifts, fractions):
    """The fraction of dead units (zero gradient for every example) as the biases shift down.

    Parameters
    ----------
    shifts : ndarray, shape (n,)
        The bias shifts.
    fractions : dict of str to ndarray, shape (n,)
        For each activation, the fraction of dead units at each shift.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for name, values in fractions.items():
        ax.plot(shifts, values, "o-", label=name)
    ax.set_xlabel("bias shift (all biases moved by this much)")
    ax.set_ylabel("fraction of dead units")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


def plot_distance_from_one(x_max=45.0, dtypes=(np.float32, np.float64)):
    """Plot ``1 - sigmoid(x)`` (computed by subtraction) and ``sigmoid(-x)`` on a log scale.

    On paper both are the same number. In floating point the subtraction hits exactly 0 at the
    threshold where ``sigmoid(x)`` rounds to 1, while ``sigmoid(-x)`` keeps going down to 1e-20
    and below: the distance to 1 is lost, the distance to 0 is not.

    Parameters
    ----------
    x_max : float
        The right end of the x axis.
    dtypes : tuple of np.float32, np.float64

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = plt.subplots(1, len(dtypes), figsize=(11, 3.8), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, dtype in zip(axes, dtypes):
        x = np.linspace(0, x_max, 2001).astype(dtype)
        by_subtraction = dtype(1) - fp.stable_sigmoid(x, dtype)
        mirrored = fp.stable_sigmoid(-x, dtype)
        threshold = float(fp.saturation_threshold("stable", 1, dtype))
        ax.semilogy(x, mirrored, label=r"$\sigma(-x)$: still above 0")
        shown = by_subtraction > 0  # log axes cannot show the exact zeros; they are where the line stops
        ax.semilogy(x[shown], by_subtraction[shown], "--", label=r"$1 - \sigma(x)$: exactly 0 past the line")
        ax.axvline(threshold, color="crimson", lw=1)
        ax.text(threshold, 1e-3, f"x = {threshold:.4f}  \nsigmoid(x) == 1  ", color="crimson", fontsize=9,
                ha="right")
        ax.set_title(f"{dtype.__name__}")
        ax.set_xlabel("x")
        ax.set_ylim(1e-20, 1)
        ax.legend(loc="lower left", fontsize=9)
    axes[0].set_ylabel("distance from 1")
    fig.tight_layout()
    return fig
