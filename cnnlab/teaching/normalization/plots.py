"""Figures for notebook 07, batch normalisation and dropout.

Each function draws arrays the notebook computed with ``cnnlab.nn`` or ``cnnlab.functional`` and
returns the figure; the notebook ends the cell with ``plt.show()``.
"""
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_batch_norm_modes", "plot_running_statistics", "plot_dropout", "plot_train_test_accuracy"]


def _describe(values):
    mean = values.mean()
    mean = 0.0 if abs(mean) < 0.005 else mean  # no "-0.00" for a mean that rounds to zero
    return f"mean {mean:+.2f}, std {values.std():.2f}"


def plot_batch_norm_modes(z, train_output, test_output, feature=0, bins=20):
    """Histograms of one feature: the input, batch norm in training mode, batch norm in test mode.

    Parameters
    ----------
    z, train_output, test_output : ndarray, shape (N, D)
        The same batch before batch norm, after it with the batch's statistics, after it with the
        running statistics.
    feature : int
        The column to show.
    """
    panels = [("input z", z), ("training: batch statistics", train_output),
              ("test: running statistics", test_output)]
    fig, axes = plt.subplots(1, 3, figsize=(11, 3))
    for ax, (name, values) in zip(axes, panels):
        values = np.asarray(values, dtype=float)
        if values.ndim != 2:
            raise ValueError(f"{name} must have shape (N, D), got {values.shape}")
        column = values[:, feature]
        ax.hist(column, bins=bins, color="tab:blue")
        ax.axvline(0, color="gray", linewidth=0.8)
        ax.set_title(f"{name}\n{_describe(column)}", fontsize=9)
        ax.set_yticks([])
    fig.suptitle(f"feature {feature} of one batch of {len(z)}", fontsize=10)
    fig.tight_layout()
    return fig


def plot_running_statistics(batch_means, running_means, population_mean, batch_size=None):
    """Each training batch's mean of one feature, and the running mean that follows it, step by step.

    Parameters
    ----------
    batch_means, running_means : ndarray, shape (steps,)
        The batch statistic at each training step, and the running statistic after that step's update.
    population_mean : float
        The mean over all the data, which the running mean should settle near.
    batch_size : int, optional
        Shown in the title.
    """
    batch_means = np.asarray(batch_means, dtype=float)
    running_means = np.asarray(running_means, dtype=float)
    steps = np.arange(1, len(batch_means) + 1)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    ax.plot(steps, batch_means, "o", markersize=3, color="tab:gray", label="batch mean (used in training)")
    ax.plot(steps, running_means, color="tab:blue", label="running mean (used at test time)")
    ax.axhline(population_mean, color="tab:red", linestyle="--", label="mean over all the data")
    size = f", batches of {batch_size}" if batch_size is not None else ""
    ax.set_title(f"one feature's statistics during training{size}", fontsize=10)
    ax.set_xlabel("training step")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def plot_dropout(x, train_output, test_output):
    """The same activations as images: the input, dropout in training mode, dropout in test mode.

    Parameters
    ----------
    x, train_output, test_output : ndarray, shape (H, W)
        A small block of activations; zeros (dropped units) show in white.
    """
    panels = [("input", x), ("training: dropped and scaled", train_output), ("test: unchanged", test_output)]
    top = max(float(np.max(p)) for _, p in panels)
    fig, axes = plt.subplots(1, 3, figsize=(11, 2.4), layout="constrained")
    for ax, (name, values) in zip(axes, panels):
        values = np.asarray(values, dtype=float)
        image = ax.imshow(values, cmap="Blues", vmin=0, vmax=top)
        zeroed = np.mean(values == 0)
        ax.set_title(f"{name}\n{zeroed:.0%} zero, mean {values.mean():.3f}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(image, ax=axes, shrink=0.9)
    return fig


def plot_train_test_accuracy(results, title="accuracy on the training and the test images"):
    """Grouped bars of training and test accuracy per model, with the gap written above.

    Parameters
    ----------
    results : dict of str to (float, float)
        ``results[model] = (train_accuracy, test_accuracy)``, each in [0, 1].
    """
    names = list(results)
    train = np.array([results[n][0] for n in names])
    test = np.array([results[n][1] for n in names])
    positions = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.bar(positions - 0.2, train, width=0.4, label="training images")
    ax.bar(positions + 0.2, test, width=0.4, label="test images")
    for x, a, b in zip(positions, train, test):
        ax.text(x, max(a, b) + 0.01, f"gap {a - b:.1%}", ha="center", fontsize=9)
    ax.set_xticks(positions, names)
    ax.set_ylim(max(0.0, min(test.min(), train.min()) - 0.1), 1.05)
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig
