"""Figures for notebook 07, batch normalisation and dropout.

Each function draws arrays the notebook computed with ``cnnlab.nn`` or ``cnnlab.functional`` and
returns the figure; the notebook ends the cell with ``plt.show()``.
"""
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_batch_norm_modes", "plot_running_statistics", "plot_dropout", "plot_train_test_accuracy",
           "plot_descent_paths", "plot_shift_and_smoothness"]


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


def plot_descent_paths(panels, levels=12):
    """Contours of a two-weight least-squares loss with the path gradient descent took, one panel per case.

    Parameters
    ----------
    panels : dict of str to (X, y, path)
        ``X`` (N, 2) features, ``y`` (N,) targets, ``path`` (steps + 1, 2) the weights after each step.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4))
    for ax, (title, (X, y, path)) in zip(np.atleast_1d(axes), panels.items()):
        X, y, path = (np.asarray(a, dtype=float) for a in (X, y, path))
        best = np.linalg.lstsq(X, y, rcond=None)[0]
        # One span for both weights and equal axes, so that a narrow valley looks narrow.
        span = np.full(2, np.abs(np.vstack([path, best[None]]) - best).max() * 1.2 + 1e-12)
        w1, w2 = np.meshgrid(np.linspace(best[0] - span[0], best[0] + span[0], 120),
                             np.linspace(best[1] - span[1], best[1] + span[1], 120))
        grid = np.stack([w1, w2], axis=-1)
        losses = 0.5 * np.mean((grid @ X.T - y) ** 2, axis=-1)
        ax.contour(w1, w2, losses, levels=np.quantile(losses, np.linspace(0.002, 0.9, levels)), cmap="Greys")
        ax.plot(path[:, 0], path[:, 1], "o-", color="tab:red", markersize=2.5, linewidth=1,
                label=f"{len(path) - 1} steps of gradient descent")
        ax.plot(*best, "*", color="tab:blue", markersize=12, label="minimum")
        ax.set_xlabel("weight of feature 1")
        ax.set_ylabel("weight of feature 2")
        ax.set_title(title, fontsize=10)
        ax.set_aspect("equal")
        ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def plot_shift_and_smoothness(records, smooth=10):
    """What the two explanations of batch norm predict, over training steps, with and without batch norm.

    Parameters
    ----------
    records : dict of str to dict of ndarray
        One :func:`cnnlab.teaching.normalization.shift.track_training` result per network.
    smooth : int
        The loss range and the gradient change are drawn as running means over this many steps.
    """
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.6))
    kernel = np.ones(smooth) / smooth
    for (name, record), color in zip(records.items(), ("tab:orange", "tab:blue")):
        steps = np.arange(1, len(record["loss"]) + 1)
        mean, std = record["input_mean"], record["input_std"]
        axes[0].plot(steps, mean, color=color, label=f"{name}: mean")
        axes[0].plot(steps, std, color=color, linestyle="--", label=f"{name}: std")
        relative = record["gradient_change"] / record["gradient_norm"]
        for ax, values in ((axes[1], record["loss_range"]), (axes[2], relative)):
            ax.plot(steps[smooth - 1:], np.convolve(values, kernel, mode="valid"), color=color, label=name)
    axes[0].set_title("a hidden layer's input on fixed images\n(the drift 'internal covariate shift' names)",
                      fontsize=9)
    axes[1].set_title("range of the loss along the gradient,\nsteps of 0.25 to 4 learning rates", fontsize=9)
    axes[1].set_yscale("log")
    axes[2].set_title("change of the gradient over one step,\nrelative to its size", fontsize=9)
    for ax in axes:
        ax.set_xlabel("training step")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
