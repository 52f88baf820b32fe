"""Pictures for notebook 08: shape images with their masks and boxes, predictions beside the truth.

One colour per shape class everywhere (masks, boxes, legends), so a student can compare panels
at a glance. Boxes are ``(x0, y0, x1, y1)`` in pixel edges, as :func:`cnnlab.datasets.make_shapes`
and :mod:`cnnlab.vision` use them.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch, Rectangle

from ... import functional as F
from ...vision import box_iou, non_max_suppression
from ..drawing import draw_grid, draw_image, hide_ticks

__all__ = ["CLASS_COLORS", "mask_colormap", "draw_boxes", "plot_shapes", "plot_segmentation",
           "plot_detections", "plot_grid_targets", "plot_invariance", "nms_steps", "plot_nms_steps",
           "plot_layer_shapes", "plot_global_pooling"]

#: Colour of the background and of shape classes 0, 1, 2, 3 (mask values 0 .. 4).
CLASS_COLORS = ("#000000", "#e41a1c", "#377eb8", "#4daf4a", "#ff9f1c", "#984ea3", "#a65628")


def mask_colormap(num_classes):
    """A colormap for masks with values ``0 .. num_classes`` (0 = background, black)."""
    return ListedColormap(CLASS_COLORS[:num_classes + 1])


def _show_mask(ax, mask, num_classes, title=None):
    ax.imshow(mask, cmap=mask_colormap(num_classes), vmin=-0.5, vmax=num_classes + 0.5, interpolation="nearest")
    hide_ticks(ax, title)


def _legend(figure, class_names):
    handles = [Patch(color=CLASS_COLORS[k + 1], label=name) for k, name in enumerate(class_names)]
    figure.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=9)


def draw_boxes(ax, boxes, labels, class_names=None, scores=None, linestyle="-"):
    """Draw boxes on an image axis, coloured by class, with the class name (and score) above each.

    Parameters
    ----------
    ax : matplotlib Axes showing an image with ``imshow``
    boxes : array_like, shape (K, 4)
        ``(x0, y0, x1, y1)`` in pixel edges.
    labels : array_like of int, shape (K,)
    class_names : sequence of str, optional
        Without them the boxes carry no text, only their class's colour.
    scores : array_like, shape (K,), optional
    linestyle : str
        ``'-'`` for the truth, ``'--'`` for predictions, say.
    """
    for k, (box, label) in enumerate(zip(np.asarray(boxes, float).reshape(-1, 4), labels)):
        x0, y0, x1, y1 = box
        color = CLASS_COLORS[int(label) + 1]
        # Pixel i is drawn from i - 0.5 to i + 0.5, so its left edge, the box's x0, sits at x0 - 0.5.
        ax.add_patch(Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, edgecolor=color,
                               linewidth=1.5, linestyle=linestyle))
        if class_names is not None:
            text = class_names[int(label)] + (f" {float(scores[k]):.2f}" if scores is not None else "")
            ax.text(x0 - 0.5, y0 - 1, text, color=color, fontsize=7, va="bottom")


def plot_shapes(data, count=6, start=0):
    """Images of a :class:`~cnnlab.datasets.shapes.Shapes` batch, with their boxes, and their masks below.

    Returns
    -------
    matplotlib.figure.Figure
    """
    count = min(count, len(data) - start)
    figure, axes = plt.subplots(2, count, figsize=(1.7 * count, 4), squeeze=False)
    for column in range(count):
        i = start + column
        labels, boxes = data.objects(i)
        draw_image(axes[0, column], data.images[i], ", ".join(data.class_names[k] for k in labels))
        draw_boxes(axes[0, column], boxes, labels, None)
        _show_mask(axes[1, column], data.masks[i], data.num_classes)
    axes[0, 0].set_ylabel("image + boxes")
    axes[1, 0].set_ylabel("mask")
    _legend(figure, data.class_names)
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    return figure


def plot_segmentation(images, true_masks, predicted_masks, class_names, count=5):
    """Input, true mask and predicted mask of ``count`` images, one column each.

    Parameters
    ----------
    images : ndarray, shape (N, 1, H, W)
    true_masks, predicted_masks : ndarray of int, shape (N, H, W)
    class_names : sequence of str

    Returns
    -------
    matplotlib.figure.Figure
    """
    count = min(count, len(images))
    figure, axes = plt.subplots(3, count, figsize=(1.9 * count, 6), squeeze=False)
    for i in range(count):
        correct = np.mean(true_masks[i] == predicted_masks[i])
        draw_image(axes[0, i], images[i])
        _show_mask(axes[1, i], true_masks[i], len(class_names))
        _show_mask(axes[2, i], predicted_masks[i], len(class_names), f"{correct:.0%} of pixels right")
    for row, name in enumerate(("input", "true mask", "predicted")):
        axes[row, 0].set_ylabel(name)
    _legend(figure, class_names)
    figure.tight_layout(rect=(0, 0.05, 1, 1))
    return figure


def plot_detections(images, truths, predictions, class_names, count=5):
    """Images with true boxes (solid) and predicted boxes (dashed, with their scores).

    Parameters
    ----------
    images : ndarray, shape (N, 1, H, W)
    truths : sequence of (boxes (T, 4), labels (T,))
    predictions : sequence of (boxes (P, 4), scores (P,), labels (P,))
    class_names : sequence of str

    Returns
    -------
    matplotlib.figure.Figure
    """
    count = min(count, len(images))
    figure, axes = plt.subplots(1, count, figsize=(2.3 * count, 3), squeeze=False)
    for i in range(count):
        ax = axes[0, i]
        draw_image(ax, images[i])
        true_boxes, true_labels = truths[i]
        boxes, scores, labels = predictions[i]
        draw_boxes(ax, true_boxes, true_labels, None, linestyle="-")
        draw_boxes(ax, boxes, labels, class_names, scores, linestyle="--")
    axes[0, 0].set_ylabel("solid: truth\ndashed: predicted", fontsize=8)
    _legend(figure, class_names)
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    return figure


def plot_grid_targets(image, labels, boxes, targets, class_names, ax=None):
    """One image with its S x S grid, its boxes, their centres, and the cells responsible for them shaded.

    Parameters
    ----------
    image : ndarray, shape (1, H, W)
    labels : ndarray of int, shape (K,)
    boxes : ndarray, shape (K, 4)
    targets : GridTargets
        Of this image alone (first axis of length 1), from :func:`cnnlab.vision.encode_grid`.
    class_names : sequence of str
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    size = image.shape[-1]
    grid_size = targets.objectness.shape[-1]
    cell = size / grid_size
    draw_image(ax, image)
    for row, col in zip(*np.nonzero(targets.objectness[0])):
        color = CLASS_COLORS[int(targets.classes[0, row, col]) + 1]
        ax.add_patch(Rectangle((col * cell - 0.5, row * cell - 0.5), cell, cell, color=color, alpha=0.35))
    for k in range(1, grid_size):
        ax.axhline(k * cell - 0.5, color="white", linewidth=0.6)
        ax.axvline(k * cell - 0.5, color="white", linewidth=0.6)
    draw_boxes(ax, boxes, labels, class_names)
    centers = (np.asarray(boxes, float)[:, :2] + np.asarray(boxes, float)[:, 2:]) / 2 - 0.5
    ax.plot(centers[:, 0], centers[:, 1], "w+", markersize=9, markeredgewidth=2)
    ax.set_title(f"{grid_size}x{grid_size} grid: the cell holding a centre (+) answers for its box", fontsize=9)
    return ax


def plot_invariance(axis_values, accuracies, xlabel, trained_range=None, ax=None):
    """Test accuracy against a transformation's size, one line per model.

    Parameters
    ----------
    axis_values : sequence of float
        The rotation angles or scales tested.
    accuracies : dict of str to sequence of float
        Model name to its accuracy at each value.
    xlabel : str
    trained_range : (float, float), optional
        Shaded: the values seen in training.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    if trained_range is not None:
        ax.axvspan(*trained_range, color="0.9", label="seen in training")
    for name, values in accuracies.items():
        ax.plot(axis_values, values, marker="o", label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.02)
    ax.axhline(0.25, color="0.5", linestyle=":", linewidth=1)
    ax.legend(fontsize=8)
    return ax


def nms_steps(boxes, scores, iou_threshold=0.5):
    """Greedy non-maximum suppression one decision at a time, for a picture or a printed table.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
    scores : array_like, shape (N,)
    iou_threshold : float

    Returns
    -------
    list of (kept index, list of (dropped index, IoU with the kept box))
        In the order :func:`cnnlab.vision.non_max_suppression` keeps them; its answer is the first items.
    """
    boxes, scores = np.asarray(boxes, float).reshape(-1, 4), np.asarray(scores, float)
    keep = non_max_suppression(boxes, scores, iou_threshold)   # the decisions are the library's
    overlaps = box_iou(boxes, boxes)
    steps, done = [], np.isin(np.arange(len(boxes)), keep)      # a kept box is never dropped
    for i in keep:
        # Each box not kept was dropped by the first kept box (best score first) that overlaps it enough.
        dropped = [(int(j), float(overlaps[i, j])) for j in np.flatnonzero(~done & (overlaps[i] > iou_threshold))]
        done[[j for j, _ in dropped]] = True
        steps.append((int(i), dropped))
    return steps


def plot_nms_steps(boxes, scores, iou_threshold=0.5, size=32):
    """Non-maximum suppression as panels: all boxes, then each kept box with the boxes it drops.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        ``(x0, y0, x1, y1)`` in pixels of a ``size`` x ``size`` image.
    scores : array_like, shape (N,)
    iou_threshold : float

    Returns
    -------
    matplotlib.figure.Figure
    """
    boxes, scores = np.asarray(boxes, float).reshape(-1, 4), np.asarray(scores, float)
    steps = nms_steps(boxes, scores, iou_threshold)
    figure, axes = plt.subplots(1, len(steps) + 1, figsize=(2.8 * (len(steps) + 1), 3), squeeze=False)
    state = ["waiting"] * len(boxes)
    styles = {"waiting": ("0.6", "-", 1.0), "kept": ("#4daf4a", "-", 2.5), "dropped": ("#e41a1c", ":", 1.5)}
    titles = [f"{len(boxes)} boxes, best score first"]
    for kept, dropped in steps:
        dropped_text = ", ".join(f"{chr(65 + j)} (IoU {iou:.2f})" for j, iou in dropped) or "nothing"
        titles.append(f"keep {chr(65 + kept)}; drop {dropped_text}")
    for panel, ax in enumerate(axes[0]):
        if panel:
            kept, dropped = steps[panel - 1]
            state[kept] = "kept"
            for j, _ in dropped:
                state[j] = "dropped"
        ax.imshow(np.zeros((size, size)), cmap="gray", vmin=0, vmax=1)
        for k, (x0, y0, x1, y1) in enumerate(boxes):
            color, style, width = styles[state[k]]
            ax.add_patch(Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, edgecolor=color,
                                   linestyle=style, linewidth=width))
            ax.text(x0, y0 + 2.5, f"{chr(65 + k)} {scores[k]:.2f}", color=color, fontsize=8)
        hide_ticks(ax, titles[panel])
        ax.title.set_fontsize(8)
    figure.tight_layout()
    return figure


def plot_layer_shapes(shapes, names):
    """Each feature map of a network as a block: height and width to scale, the channel count written in.

    Parameters
    ----------
    shapes : sequence of (C, H, W)
    names : sequence of str
        What produced each shape ("input", "conv + pool", ...).

    Returns
    -------
    matplotlib.figure.Figure
    """
    largest = max(h for _, h, _ in shapes)
    figure, ax = plt.subplots(figsize=(1.45 * len(shapes), 3))
    for k, ((channels, height, width), name) in enumerate(zip(shapes, names)):
        side = 0.9 * height / largest
        ax.add_patch(Rectangle((k + 0.5 - side / 2, 0.5 - side / 2), side, side, color=CLASS_COLORS[2 + k % 4],
                               alpha=0.3 + 0.6 * min(1, channels / 32)))
        ax.text(k + 0.5, -0.02, f"{channels}x{height}x{width}", ha="center", va="top", fontsize=8)
        ax.text(k + 0.5, 1.0, name, ha="center", va="bottom", fontsize=7)
    ax.set_xlim(0, len(shapes))
    ax.set_ylim(-0.15, 1.12)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title("side: height and width to scale; shade: more channels", fontsize=8)
    figure.tight_layout()
    return figure


def plot_global_pooling(feature_map):
    """One channel's map, and where the gradient of its global max and of its global mean goes.

    Parameters
    ----------
    feature_map : ndarray, shape (H, W)
        One channel (a small one, 4x4 to 6x6, so the numbers fit).

    Returns
    -------
    matplotlib.figure.Figure
    """
    x = np.asarray(feature_map, dtype=float)[None, None]
    height, width = x.shape[-2:]
    by_max, max_ctx = F.max_pool2d_forward(x, (height, width))
    by_mean, mean_ctx = F.avg_pool2d_forward(x, (height, width))
    upstream = np.ones((1, 1, 1, 1))   # d loss / d pooled value = 1: what reaches each pixel
    panels = [(x[0, 0], f"a {height}x{width} channel: max {by_max.item():.2f}, mean {by_mean.item():.2f}"),
              (F.max_pool2d_backward(upstream, max_ctx)[0, 0], "gradient of the global max:\nall to the arg-max"),
              (F.avg_pool2d_backward(upstream, mean_ctx)[0, 0], f"gradient of the global mean:\n1/{height * width} "
                                                                 "to every pixel")]
    figure, axes = plt.subplots(1, 3, figsize=(10, 3.6))
    for ax, (values, title) in zip(axes, panels):
        draw_grid(ax, np.round(values, 2), title, cmap="Purples")
        ax.title.set_fontsize(9)
    figure.tight_layout()
    return figure
