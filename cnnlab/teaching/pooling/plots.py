"""Pictures of pooling and flattening (a pooled stack flattened into the vector a dense layer reads).

They only draw: the pooled arrays come from ``cnnlab.functional`` (through :func:`pool2d`, which
only adds and removes the batch and channel axes that the NCHW functions expect). Each function
returns its figure; a notebook cell ends with ``plt.show()``. Upsampling's pictures are in
:mod:`cnnlab.teaching.upsampling.plots`.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

import cnnlab.functional as F

from ..drawing import draw_grid, set_image

__all__ = ["POOLS", "pool2d", "plot_pooling", "plot_shift_comparison", "plot_flattening", "plot_pooled_image",
           "plot_gradient_routing", "plot_adaptive_pooling"]

#: The pooling functions by mode name.
POOLS = {"max": F.max_pool2d, "average": F.avg_pool2d, "min": F.min_pool2d}
_COLORS = plt.get_cmap("tab10").colors


def pool2d(image, mode="max", kernel_size=2, stride=None, ceil_mode=False):
    """Pool one 2-D map with ``cnnlab.functional``'s ``max_pool2d``, ``avg_pool2d`` or ``min_pool2d``.

    Parameters
    ----------
    image : ndarray, shape (H, W)

    Returns
    -------
    ndarray, shape (H_out, W_out)
    """
    if mode not in POOLS:
        raise ValueError(f"mode must be one of {', '.join(map(repr, POOLS))}, got {mode!r}")
    return POOLS[mode](np.asarray(image)[None, None], kernel_size, stride=stride, ceil_mode=ceil_mode)[0, 0]


def _outline(ax, boxes, stagger=2):
    """Outline boxes ``(top, left, height, width)`` on a grid, one colour each.

    Successive boxes are inset by 0, 0.08, ... (repeating every ``stagger`` boxes), so that windows that
    overlap stay distinguishable.
    """
    for number, (top, left, height, width) in enumerate(boxes):
        inset = 0.08 * (number % stagger)
        ax.add_patch(Rectangle((left - 0.5 + inset, top - 0.5 + inset), width - 2 * inset, height - 2 * inset,
                               fill=False, edgecolor=_COLORS[number % len(_COLORS)], lw=2.5))


def _window_boxes(ax, shape, kernel_size, stride, out_shape):
    """Outline each pooling window on the input grid in its own colour (clipped at the border)."""
    rows, cols = shape
    _outline(ax, [(i * stride, j * stride, min(kernel_size, rows - i * stride), min(kernel_size, cols - j * stride))
                  for i in range(out_shape[0]) for j in range(out_shape[1])])


def plot_pooling(feature_map, pooled, kernel_size=2, stride=2, title=None):
    """The input with its pooling windows outlined, and one pooled grid per mode.

    Parameters
    ----------
    feature_map : ndarray, shape (H, W)
    pooled : dict of str to ndarray of shape (H_out, W_out)
        Mode name to its pooled map, from :func:`pool2d`.
    """
    feature_map = np.asarray(feature_map, float)
    width_ratios = [feature_map.shape[1] + 1] + [p.shape[1] + 1 for p in pooled.values()]
    fig, axes = plt.subplots(1, 1 + len(pooled), figsize=(3.3 * (1 + len(pooled)), 3.6),
                             gridspec_kw={"width_ratios": width_ratios})
    draw_grid(axes[0], feature_map, f"input {feature_map.shape[0]}x{feature_map.shape[1]}", cmap="Greys")
    out_shape = next(iter(pooled.values())).shape
    _window_boxes(axes[0], feature_map.shape, kernel_size, stride, out_shape)
    for ax, (mode, result) in zip(axes[1:], pooled.items()):
        draw_grid(ax, result, f"{mode} pooling {result.shape[0]}x{result.shape[1]}", cmap="Greens")
        for (i, j), _ in np.ndenumerate(result):
            ax.add_patch(Rectangle((j - 0.45, i - 0.45), 0.9, 0.9, fill=False,
                                   edgecolor=_COLORS[(i * result.shape[1] + j) % len(_COLORS)], lw=2))
    fig.suptitle(title or f"{kernel_size}x{kernel_size} windows, stride {stride}")
    fig.tight_layout()
    return fig


def plot_shift_comparison(rows, column_titles):
    """A grid of images: one row per stage (photo, features, pooled features), one column per version.

    Parameters
    ----------
    rows : dict of str to list of ndarray
        Row name to one 2-D array per column (e.g. original, shifted, their difference); the arrays
        of a row share one colour scale.
    column_titles : list of str
    """
    fig, axes = plt.subplots(len(rows), len(column_titles), figsize=(2.9 * len(column_titles), 2.6 * len(rows)),
                             squeeze=False)
    for r, (name, images) in enumerate(rows.items()):
        # one colour scale per row, so a small difference looks small next to the features
        low, high = min(np.min(i) for i in images), max(np.max(i) for i in images)
        for c, image in enumerate(images):
            axes[r, c].imshow(image, cmap="gray" if r == 0 else "viridis", vmin=low, vmax=high)
            axes[r, c].set_title(f"{column_titles[c]}: {name} {image.shape[0]}x{image.shape[1]}", fontsize=9)
    for ax in axes.flat:
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_flattening(pooled, vector):
    """A pooled stack of maps (C, H, W) and the vector it flattens into, coloured by channel.

    Parameters
    ----------
    pooled : ndarray, shape (C, H, W)
    vector : ndarray, shape (C * H * W,)
    """
    channels = pooled.shape[0]
    fig = plt.figure(figsize=(11, 4))
    grid = fig.add_gridspec(2, channels, height_ratios=[3, 1])
    for c in range(channels):
        ax = fig.add_subplot(grid[0, c])
        draw_grid(ax, pooled[c], f"channel {c}", cmap=("Blues", "Oranges", "Greens", "Reds", "Purples")[c % 5])
    ax = fig.add_subplot(grid[1, :])
    per_channel = pooled[0].size
    draw_grid(ax, vector[None, :], f"flattened: {vector.size} numbers (channel by channel, row by row)", cmap="Greys")
    for c in range(channels):
        ax.add_patch(Rectangle((c * per_channel - 0.5, -0.5), per_channel, 1, fill=False,
                               edgecolor=("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")[c % 5], lw=3))
    fig.tight_layout()
    return fig


def plot_pooled_image(image, pooled, title="", figure=None):
    """A photograph and its pooled version side by side, at the same displayed size.

    Returns
    -------
    fig : matplotlib Figure
    artists : dict with the ``imshow`` artists ``"input"`` and ``"output"``
    """
    fig = figure if figure is not None else plt.figure(figsize=(10, 4.5))
    axes = fig.subplots(1, 2)
    artists = {"input": axes[0].imshow(image, cmap="gray", interpolation="nearest"),
               "output": axes[1].imshow(pooled, cmap="gray", interpolation="nearest")}
    set_image(artists["input"], image)
    set_image(artists["output"], pooled)
    for ax in axes:
        ax.axis("off")
        ax.set_title(" ", y=1.0)  # reserve room: a widget writes the titles later
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig, artists


def plot_gradient_routing(x, grad_output, routes, kernel_size=2, stride=2):
    """Where each window's gradient goes: the input, the gradient arriving at the output, and each routing.

    Parameters
    ----------
    x : ndarray, shape (H, W)
        The forward pass's input, its windows outlined.
    grad_output : ndarray, shape (H_out, W_out)
    routes : dict of str to ndarray of shape (H, W)
        A name (e.g. "max pooling") to the input gradient its backward pass computed.
    """
    panels = {f"input {x.shape[0]}x{x.shape[1]}": x, "gradient at the output": grad_output, **routes}
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.4),
                             gridspec_kw={"width_ratios": [p.shape[1] + 1 for p in panels.values()]})
    for ax, (name, values), cmap in zip(axes, panels.items(), ["Greys", "Oranges"] + ["Purples"] * len(routes)):
        draw_grid(ax, values, name, cmap=cmap)
        if values.shape == x.shape:
            _window_boxes(ax, x.shape, kernel_size, stride, grad_output.shape)
    _outline(axes[1], [(i, j, 1, 1) for i in range(grad_output.shape[0]) for j in range(grad_output.shape[1])])
    fig.tight_layout()
    return fig


def plot_adaptive_pooling(maps, output_size):
    """Adaptive average pooling of maps of different sizes: each input with its windows, and its pooled map.

    Parameters
    ----------
    maps : list of ndarray, each of shape (H, W)
    output_size : int
        The same for every map: the windows grow with the input.
    """
    fig, axes = plt.subplots(1, 2 * len(maps), figsize=(3.3 * 2 * len(maps), 3.6),
                             gridspec_kw={"width_ratios": [w for m in maps for w in (m.shape[1] + 1, output_size + 1)]})
    for number, image in enumerate(maps):
        rows, cols = F.adaptive_windows(image.shape[0], output_size), F.adaptive_windows(image.shape[1], output_size)
        pooled = F.adaptive_avg_pool2d(image[None, None], output_size)[0, 0]
        left_ax, right_ax = axes[2 * number], axes[2 * number + 1]
        draw_grid(left_ax, image, f"input {image.shape[0]}x{image.shape[1]}", cmap="Greys")
        boxes = [(top, left, bottom - top, right - left) for top, bottom in rows for left, right in cols]
        _outline(left_ax, boxes, stagger=len(boxes))
        draw_grid(right_ax, np.round(pooled, 2), f"pooled {output_size}x{output_size}", cmap="Greens")
        _outline(right_ax, [(i, j, 1, 1) for i in range(output_size) for j in range(output_size)])
    fig.suptitle(f"adaptive average pooling to {output_size}x{output_size}: the windows follow the input's size")
    fig.tight_layout()
    return fig
