"""Pictures for the sigmoid teaser: the curve, and where it stops being distinguishable from 0 or 1.

The numbers come from :mod:`cnnlab.teaching.floating_point`; this module only draws them.
"""
import matplotlib.pyplot as plt
import numpy as np

from . import floating_point as fp


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
