"""Pictures of the activation functions and their derivatives, and of what goes wrong with them.

Every value is computed by :mod:`cnnlab.functional`: the curve by the activation itself, its
derivative by the activation's ``_backward`` with ``grad_output = 1`` (the chain rule with nothing
after it gives the local derivative). This module only draws.
"""
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown

from .. import functional as F

#: Every activation of the lectures, in the order the notebook shows them.
NAMES = ("sigmoid", "tanh", "softplus", "centred softplus", "ReLU", "leaky ReLU", "PReLU", "RReLU",
         "noisy ReLU", "ELU", "maxout")

#: The parameters the curves use unless told otherwise (the lecture's leaky slope max(0.1x, x) is 0.1).
DEFAULTS = {"negative_slope": 0.1, "alpha": 1.0, "prelu_weight": 0.25, "lower": 0.1, "upper": 0.5,
            "sigma": 0.3, "beta": 1.0, "maxout_pieces": ((1.0, 0.0), (-0.5, -0.5)), "seed": 0}


def activation_and_derivative(name, x, **params):
    """An activation and its derivative at ``x``, both from cnnlab.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    x : ndarray, shape (n,)
    **params
        Overrides of :data:`DEFAULTS`: ``negative_slope`` (leaky ReLU), ``alpha`` (ELU),
        ``prelu_weight`` (PReLU's slope), ``lower`` and ``upper`` (RReLU's random slopes, drawn as in
        training), ``sigma`` (noisy ReLU), ``beta`` (softplus), ``maxout_pieces`` (the lines
        ``(w, b)`` whose maximum maxout takes) and ``seed`` (the random draws).

    Returns
    -------
    y, dy_dx : ndarray, shape (n,)
    """
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown parameter(s) {sorted(unknown)}; expected some of {sorted(DEFAULTS)}")
    p = {**DEFAULTS, **params}
    x = np.asarray(x, dtype=float)
    ones = np.ones_like(x)
    if name == "sigmoid":
        return F.sigmoid(x), F.sigmoid_backward(ones, F.sigmoid_forward(x)[1])
    if name == "tanh":
        return F.tanh(x), F.tanh_backward(ones, F.tanh_forward(x)[1])
    if name == "softplus":
        return F.softplus(x, beta=p["beta"]), F.softplus_backward(ones, F.softplus_forward(x, beta=p["beta"])[1])
    if name == "centred softplus":
        return F.centered_softplus(x), F.centered_softplus_backward(ones, F.centered_softplus_forward(x)[1])
    if name == "ReLU":
        return F.relu(x), F.relu_backward(ones, F.relu_forward(x)[1])
    if name == "leaky ReLU":
        slope = p["negative_slope"]
        return F.leaky_relu(x, slope), F.leaky_relu_backward(ones, F.leaky_relu_forward(x, slope)[1])
    if name == "PReLU":
        weight = np.array([p["prelu_weight"]])
        return F.prelu(x, weight), F.prelu_backward(ones, F.prelu_forward(x, weight)[1])[0]
    if name == "RReLU":
        # Same seed in forward and backward: the same random slopes.
        options = {"lower": p["lower"], "upper": p["upper"], "training": True}
        return (F.rrelu(x, rng=p["seed"], **options),
                F.rrelu_backward(ones, F.rrelu_forward(x, rng=p["seed"], **options)[1]))
    if name == "noisy ReLU":
        return (F.noisy_relu(x, p["sigma"], rng=p["seed"]),
                F.noisy_relu_backward(ones, F.noisy_relu_forward(x, p["sigma"], rng=p["seed"])[1]))
    if name == "ELU":
        return F.elu(x, p["alpha"]), F.elu_backward(ones, F.elu_forward(x, p["alpha"])[1])
    if name == "maxout":
        return _maxout(x, p["maxout_pieces"])
    raise ValueError(f"name must be one of {', '.join(NAMES)}, got {name!r}")


def _maxout(x, pieces):
    """Maxout of the lines ``w * x + b``: the pieces are the channels of a (n, k) input."""
    weights = np.array([w for w, _ in pieces])
    lines = np.outer(x, weights) + np.array([b for _, b in pieces])
    y = F.maxout(lines, num_pieces=len(pieces), dim=1)[:, 0]
    # Chain rule through the lines: d(w x + b)/dx = w for the piece that won.
    d_lines = F.maxout_backward(np.ones((len(x), 1)), F.maxout_forward(lines, num_pieces=len(pieces), dim=1)[1])
    return y, d_lines @ weights


def _is_random(name):
    return name in ("RReLU", "noisy ReLU")


def plot_activations(names, x=None, derivatives=True, axes=None, **params):
    """One small panel per activation: the function (solid) and its derivative (dashed).

    Random activations (RReLU, noisy ReLU) are drawn as dots: every input gets its own random slope
    or noise, as in training.

    Parameters
    ----------
    names : sequence of str
        Activations from :data:`NAMES`; ``("leaky ReLU", 0.01)`` overrides the slope of one panel.
    x : ndarray, shape (n,), optional
        The inputs; -4 to 4 by default.
    derivatives : bool
        Draw the derivative as well.
    axes : sequence of matplotlib Axes, optional
        Draw into these (one per name); by default a new figure with one row.
    **params
        Overrides of :data:`DEFAULTS` for every panel.

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
        style = "." if _is_random(name) else "-"
        ax.plot(x, y, style, markersize=2, label="f(x)")
        if derivatives:
            ax.plot(x, dy, "." if _is_random(name) else "--", markersize=1.5, label="f'(x)")
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
        Activations from :data:`NAMES`.
    x_range : float
        Inputs from -x_range to x_range.
    derivatives : bool
        Plot the derivatives instead of the functions.
    ax : matplotlib Axes, optional
    **params
        Overrides of :data:`DEFAULTS`.

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
        if _is_random(name):
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


def history_table():
    """The lecture's history of activation functions, rendered from :data:`cnnlab.functional.ACTIVATIONS`.

    Returns
    -------
    IPython.display.Markdown
        Name, formula (LaTeX) and year, one row per activation, in the lecture's order.
    """
    lines = ["| Name | Formula | Year |", "| --- | --- | --- |"]
    for row in F.ACTIVATIONS:
        year = "-" if row["year"] is None else str(row["year"])
        lines.append(f"| {row['name']} | ${row['formula']}$ | {year} |")
    return Markdown("\n".join(lines))


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
