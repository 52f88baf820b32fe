"""Figures for notebook 06, initialization: weights and activations per layer.

Filters and learning curves are drawn by :mod:`cnnlab.teaching.drawing` (notebook 07 draws them too).

Each function draws arrays the notebook computed with ``cnnlab.nn`` and returns the figure; the
notebook ends the cell with ``plt.show()``.
"""
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_weight_histogram", "plot_layer_histograms", "plot_layer_std"]


def plot_weight_histogram(weight, r, title="sampled weights", bins=40):
    """Histogram of ``weight`` (any shape) with the interval [-r, r] marked.

    Parameters
    ----------
    weight : ndarray, any shape
    r : float
        The half-width the weights should fill.
    """
    weight = np.asarray(weight, dtype=float).ravel()
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.hist(weight, bins=bins, color="tab:blue", alpha=0.8)
    for edge in (-r, r):
        ax.axvline(edge, color="tab:red", linestyle="--")
    ax.set_title(f"{title}: min {weight.min():.4f}, max {weight.max():.4f}; dashed: ±r = ±{r:.4f}")
    ax.set_xlabel("weight value")
    ax.set_ylabel("count")
    fig.tight_layout()
    return fig


def plot_layer_histograms(activations, title="", bins=40, value_range=None):
    """One histogram per layer of the values it outputs, left to right, each titled with mean and std.

    Parameters
    ----------
    activations : list of ndarray
        ``activations[l]`` holds the outputs of layer ``l + 1`` (any shape).
    value_range : (float, float), optional
        The x range shared by every histogram; by default the largest |value| over all layers.
    """
    activations = [np.asarray(a, dtype=float).ravel() for a in activations]
    if not activations:
        raise ValueError("activations must hold at least one layer's outputs")
    if value_range is None:
        largest = max(max(np.abs(a).max() for a in activations), 1e-12)
        value_range = (-largest, largest)
    count = len(activations)
    fig, axes = plt.subplots(1, count, figsize=(min(1.15 * count + 0.6, 12), 2.6), sharey=True, squeeze=False)
    for layer, (ax, values) in enumerate(zip(axes[0], activations), start=1):
        ax.hist(values, bins=bins, range=value_range, color="tab:blue")
        mean = values.mean()
        mean = 0.0 if abs(mean) < 0.005 else mean  # no "-0.00" for a mean that rounds to zero
        ax.set_title(f"layer {layer}\nmean {mean:+.2f}\nstd {values.std():.2g}", fontsize=8)
        ax.set_yticks([])
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_layer_std(stds, title="standard deviation of each layer's output"):
    """The standard deviation of each layer's output against depth, one line per setting, log scale.

    Parameters
    ----------
    stds : dict of str to sequence of float
        ``stds[label][l]`` is the std of layer ``l + 1``'s output.
    """
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for label, values in stds.items():
        values = np.asarray(values, dtype=float)
        # A std of exactly 0 (all-zero weights) cannot sit on a log axis: draw it at the bottom edge.
        ax.plot(np.arange(1, len(values) + 1), np.maximum(values, 1e-12), marker="o", label=label)
    ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel("std of the layer's output")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


