"""Pictures of a training run and of what a trained CNN computes (notebook 05, Ex. 3.1).

They only draw: the numbers come from ``cnnlab.nn`` and ``cnnlab.training``. Each function returns its
figure; a notebook cell ends with ``plt.show()``. The learned filters are drawn by
:func:`cnnlab.teaching.drawing.plot_filters`.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

import cnnlab.functional as F

__all__ = ["plot_history", "stage_outputs", "plot_feature_maps", "plot_misclassified",
           "plot_confusion_matrix", "plot_digits", "plot_architectures"]


def plot_history(history, axes=None):
    """Loss and accuracy per epoch, training and validation, side by side.

    Parameters
    ----------
    history : cnnlab.training.History
    axes : pair of matplotlib Axes, optional
    """
    if axes is None:
        figure, axes = plt.subplots(1, 2, figsize=(10, 3.5), layout="constrained")
    else:
        figure = axes[0].figure
    epochs = np.asarray(history.epoch)
    loss_axis, accuracy_axis = axes
    iterations = np.asarray(history.iteration_loss)
    if iterations.size:
        # every iteration's loss, placed at its fraction of the epochs: noisy, because each batch differs
        position = epochs[0] - 1 + np.arange(1, iterations.size + 1) * len(epochs) / iterations.size
        loss_axis.plot(position, iterations, color="0.8", lw=0.8, label="each iteration")
    loss_axis.plot(epochs, history["loss"], "o-", label="training (epoch mean)")
    if "val_loss" in history:
        loss_axis.plot(epochs, history["val_loss"], "s--", label="validation")
    loss_axis.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss", yscale="log")
    loss_axis.legend()
    if "accuracy" in history:
        accuracy_axis.plot(epochs, 100 * np.asarray(history["accuracy"]), "o-", label="training")
    if "val_accuracy" in history:
        accuracy_axis.plot(epochs, 100 * np.asarray(history["val_accuracy"]), "s--", label="validation")
    accuracy_axis.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    accuracy_axis.legend()
    for axis in axes:
        axis.set_xticks(epochs)
        axis.grid(alpha=0.3)
    return figure


def stage_outputs(model, image):
    """Run one image through a Sequential model and keep every layer's output.

    Parameters
    ----------
    model : cnnlab.nn.Sequential
    image : ndarray, shape (C, H, W)

    Returns
    -------
    list of (name, ndarray)
        ``("input", (1, C, H, W))`` then one ``(layer name, output)`` per layer, e.g. ``("0 Conv2d", (1, 8, 28, 28))``.
    """
    was_training = model.training
    model.eval()
    try:
        x = np.asarray(image)[None]
        stages = [("input", x)]
        for name, layer in model.named_children():
            x = layer(x)
            stages.append((f"{name} {type(layer).__name__}", x))
    finally:
        model.train(was_training)
    return stages


def plot_feature_maps(model, image, max_channels=8):
    """The lecture's "stack these up to get a new image": every layer's output for one digit.

    One column per layer that outputs images (its first ``max_channels`` channels, top to bottom;
    red positive, blue negative), then the class probabilities (softmax of the last layer's scores).
    """
    stages = stage_outputs(model, image)
    maps = [(name, out[0]) for name, out in stages if out.ndim == 4]
    scores = stages[-1][1][0]
    columns = len(maps)
    figure = plt.figure(figsize=(12, 5.6), layout="constrained")
    left, right = figure.subfigures(1, 2, width_ratios=[columns, 3])
    grid = left.add_gridspec(max_channels, columns)
    for col, (name, out) in enumerate(maps):
        limit = np.abs(out).max() or 1.0
        for row in range(min(max_channels, out.shape[0])):
            axis = left.add_subplot(grid[row, col])
            axis.set_xticks([])
            axis.set_yticks([])
            if name == "input":
                axis.imshow(out[row], cmap="gray")
            else:
                axis.imshow(out[row], cmap="RdBu_r", vmin=-limit, vmax=limit)
            if row == 0:
                shape = "x".join(str(s) for s in out.shape)
                axis.set_title(f"{name}\n{shape}", fontsize=8)
    bars = right.add_subplot(1, 1, 1)
    probabilities = F.softmax(scores[None], dim=1)[0]
    bars.barh(np.arange(scores.size), probabilities, color="tab:blue")
    bars.set(yticks=np.arange(scores.size), xlim=(0, 1), xlabel="softmax probability", ylabel="class",
             title=f"prediction: {int(scores.argmax())}")
    bars.invert_yaxis()
    return figure


def plot_digits(images, titles, ncols=10, title=None):
    """A grid of digits with a title under each.

    Parameters
    ----------
    images : ndarray, shape (K, 1, 28, 28) or (K, 28, 28)
    titles : list of str
    """
    images = np.asarray(images).reshape(len(images), *np.shape(images)[-2:])
    nrows = max(1, -(-len(images) // ncols))
    figure, axes = plt.subplots(nrows, ncols, figsize=(min(1.15 * ncols, 12), 1.4 * nrows + 0.3), layout="constrained")
    for index, axis in enumerate(np.atleast_1d(axes).ravel()):
        axis.axis("off")
        if index < len(images):
            axis.imshow(images[index], cmap="gray_r")
            axis.set_title(titles[index], fontsize=8)
    if title:
        figure.suptitle(title)
    return figure


def plot_misclassified(images, y_true, y_pred, probabilities, max_images=20):
    """The digits the network got wrong: true label, prediction and its confidence.

    Parameters
    ----------
    images : ndarray, shape (N, 1, H, W)
    y_true, y_pred : ndarray of int, shape (N,)
    probabilities : ndarray, shape (N, num_classes)
    """
    wrong = np.flatnonzero(y_true != y_pred)[:max_images]
    titles = [f"true {y_true[i]}, said {y_pred[i]}\n({probabilities[i, y_pred[i]]:.0%})" for i in wrong]
    return plot_digits(images[wrong], titles, ncols=10,
                       title=f"{np.count_nonzero(y_true != y_pred)} of {len(y_true)} test digits misclassified "
                             f"(the first {len(wrong)})")


def plot_confusion_matrix(matrix, class_names=None, title="confusion matrix (test set)"):
    """Counts of true class (row) against predicted class (column); the diagonal is right.

    Parameters
    ----------
    matrix : ndarray of int, shape (K, K)
    """
    matrix = np.asarray(matrix)
    k = matrix.shape[0]
    names = [str(i) for i in range(k)] if class_names is None else list(class_names)
    figure, axis = plt.subplots(figsize=(5.5, 4.8), layout="constrained")
    off_diagonal = matrix * (1 - np.eye(k, dtype=matrix.dtype))
    # colour the mistakes: the diagonal would otherwise swamp the scale
    image = axis.imshow(off_diagonal, cmap="Reds")
    for (row, col), count in np.ndenumerate(matrix):
        weight = "bold" if row == col else "normal"
        axis.text(col, row, str(count), ha="center", va="center", fontsize=8, fontweight=weight,
                  color="black" if row == col or count < off_diagonal.max() * 0.6 else "white")
    axis.set(xticks=range(k), yticks=range(k), xticklabels=names, yticklabels=names, xlabel="predicted",
             ylabel="true", title=title)
    bar = figure.colorbar(image, ax=axis, label="mistakes")
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return figure


_DRAWN_KINDS = ("Conv2d", "MaxPool2d", "AvgPool2d", "Linear")


def plot_architectures(summaries, input_shape=(1, 28, 28)):
    """Networks side by side, one row each: a box per layer with weights or pooling, sized by its output.

    A feature map's box is as tall as its height (28 pixels fill the row) and labelled channels x H x W;
    a vector's box is thin and labelled with its length. Under each box, the layer and its parameters.

    Parameters
    ----------
    summaries : dict of str to list
        ``{network name: rows returned by cnnlab.nn.summary}``, rows ``(name, type, output shape, count)``.
    input_shape : tuple of int
        The shape of one input, (C, H, W).
    """
    figure, axes = plt.subplots(len(summaries), 1, figsize=(12, 2.3 * len(summaries)), layout="constrained",
                                squeeze=False)
    full_height = input_shape[-1]
    for axis, (title, rows) in zip(axes[:, 0], summaries.items()):
        stages = [("input", "", (1,) + tuple(input_shape), 0)] + [r for r in rows if r[1] in _DRAWN_KINDS]
        for position, (_, kind, shape, count) in enumerate(stages):
            if len(shape) == 4:
                height, width, label = shape[2] / full_height, 0.5, "x".join(str(d) for d in shape[1:])
            else:
                height, width, label = 0.9, 0.12, str(shape[1])
            colours = {"": "0.3", "MaxPool2d": "0.85", "AvgPool2d": "0.85", "Linear": "tab:orange"}
            colour = colours.get(kind, "tab:blue")
            axis.add_patch(plt.Rectangle((position - width / 2, -height / 2), width, height, color=colour))
            axis.text(position, 0.55, label, ha="center", va="bottom", fontsize=8)
            caption = "input" if not kind else f"{kind}\n{count:,} parameters" if count else kind
            axis.text(position, -0.6, caption, ha="center", va="top", fontsize=7)
        total = sum(r[3] for r in rows)
        axis.set(xlim=(-0.6, len(stages) - 0.4), ylim=(-1.1, 0.85), title=f"{title}: {total:,} parameters")
        axis.axis("off")
    return figure
