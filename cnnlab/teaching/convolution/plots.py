"""Pictures of convolution: number grids, the sliding window, kernels on photographs.

These functions only draw. Every number they show is computed by cnnlab (``cnnlab.correlate2d``,
``cnnlab.functional.conv2d``) and handed in, or computed here by calling cnnlab, so a picture can
never disagree with the library. Each returns its figure; a notebook cell ends with ``plt.show()``.
"""
import textwrap

import matplotlib.pyplot as plt
import numpy as np

import cnnlab

from ..drawing import display_limits, draw_grid, format_number, set_image

__all__ = [
    "products_text", "plot_sliding_window", "plot_grids", "plot_map_comparison",
    "plot_kernel_gallery", "plot_image_kernel_output", "draw_kernel", "plot_visit_counts",
    "plot_channels", "plot_activation_maps", "plot_channel_sum", "plot_receptive_fields", "plot_feature_hierarchy",
]


def products_text(window, kernel, result):
    """The sum of products written out, e.g. ``1×2 + 1×0 + 3×0 + 4×2 = 10``.

    ``result`` is the library's value for this output cell; it is printed, not recomputed.
    """
    def term(x, w):
        x, w = format_number(x), format_number(w)
        return f"{x if not x.startswith('-') else '(' + x + ')'}×{w if not w.startswith('-') else '(' + w + ')'}"
    terms = [term(x, w) for x, w in zip(np.ravel(window), np.ravel(kernel))]
    return " + ".join(terms) + f" = {format_number(result)}"


def _wrap(text, width=60):
    """Break a long sum over lines at the plus signs, so it fits under the figure."""
    lines, line = [], ""
    for part in text.split(" + "):
        candidate = part if not line else line + " + " + part
        if len(candidate) > width and line:
            lines.append(line + " +")
            line = part
        else:
            line = candidate
    return "\n".join(lines + [line])


def plot_sliding_window(image, kernel, output, step, stride=1, padding=0, show_rows=None,
                        show_cols=None, flip=False):
    """The kernel at its ``step``-th position: the window, the kernel, the output filled so far.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (kH, kW)
    output : ndarray, shape (H_out, W_out)
        The full result, from ``cnnlab.correlate2d`` (or ``cnnlab.convolve2d`` with ``flip=True``).
    step : int
        Which output cell, counting row by row from 0.
    show_rows, show_cols : int, optional
        Show only the top-left corner of the output (and the input it needs), for large images.
    flip : bool
        The output is a convolution: draw the kernel flipped, as it is applied.

    Returns
    -------
    fig : matplotlib Figure
    """
    image, kernel, output = (np.asarray(a, dtype=float) for a in (image, kernel, output))
    applied = kernel[::-1, ::-1] if flip else kernel
    out_rows = output.shape[0] if show_rows is None else min(show_rows, output.shape[0])
    out_cols = output.shape[1] if show_cols is None else min(show_cols, output.shape[1])
    padded = np.pad(image, padding)
    shade = np.pad(np.zeros(image.shape, bool), padding, constant_values=True)
    in_rows = min(padded.shape[0], (out_rows - 1) * stride + kernel.shape[0])
    in_cols = min(padded.shape[1], (out_cols - 1) * stride + kernel.shape[1])
    if show_rows is not None or show_cols is not None:
        # show one extra row and column of the input, so it reads as a corner of a bigger image
        in_rows, in_cols = min(padded.shape[0], in_rows + 1), min(padded.shape[1], in_cols + 1)
    step = int(np.clip(step, 0, out_rows * out_cols - 1))
    row, col = divmod(step, out_cols)
    top, left = row * stride, col * stride
    window = padded[top:top + kernel.shape[0], left:left + kernel.shape[1]]

    blank = np.arange(out_rows * out_cols).reshape(out_rows, out_cols) > step
    fig, axes = plt.subplots(1, 3, figsize=(11, 4.2),
                             gridspec_kw={"width_ratios": [in_cols, kernel.shape[1] + 1, out_cols + 1]})
    draw_grid(axes[0], padded[:in_rows, :in_cols], "input" + (" (zero padded)" if padding else ""),
              highlight=(top, left, *kernel.shape), shade=shade[:in_rows, :in_cols] if padding else None)
    draw_grid(axes[1], applied, "kernel, flipped" if flip else "kernel", cmap="Oranges")
    draw_grid(axes[2], output[:out_rows, :out_cols], "output", blank=blank,
              highlight=(row, col, 1, 1), cmap="Greens", vmin=output.min(), vmax=output.max())
    more = " (top-left corner shown)" if (out_rows, out_cols) != output.shape else ""
    fig.suptitle(f"position ({row}, {col}), stride {stride}{more}\n"
                 + _wrap(products_text(window, applied, output[row, col])), fontsize=12)
    fig.tight_layout()
    return fig


def plot_grids(arrays, titles, cmaps=None, figsize=None, suptitle=None):
    """Several small matrices side by side, numbers written in (e.g. input * kernel = output)."""
    cmaps = cmaps or ["Blues"] * len(arrays)
    widths = [np.shape(a)[1] + 1 for a in arrays]
    fig, axes = plt.subplots(1, len(arrays), figsize=figsize or (min(12, 2 + 1.2 * len(arrays) * 2.5), 3.6),
                             gridspec_kw={"width_ratios": widths}, squeeze=False)
    for ax, array, title, cmap in zip(axes[0], arrays, titles, cmaps):
        draw_grid(ax, array, title, cmap=cmap)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_map_comparison(computed, printed, titles=("computed by cnnlab", "printed on the slide")):
    """Two versions of the same map, with the cells where they disagree outlined in red."""
    computed, printed = np.asarray(computed, float), np.asarray(printed, float)
    differ = computed != printed
    fig, axes = plt.subplots(1, 2, figsize=(8, 4))
    draw_grid(axes[0], computed, titles[0], mismatch=differ, cmap="Greens")
    draw_grid(axes[1], printed, titles[1], mismatch=differ, cmap="Greys")
    fig.tight_layout()
    return fig


def plot_kernel_gallery(image, kernels, columns=5, figsize=(12, 7.4)):
    """Every kernel applied to the same photograph, sizes kept ('same' padding).

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernels : dict of str to ndarray of shape (kH, kW)

    Returns
    -------
    fig : matplotlib Figure
    """
    rows = -(-len(kernels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=figsize, squeeze=False)
    for ax, (name, kernel) in zip(axes.flat, kernels.items()):
        filtered = cnnlab.correlate2d(image, kernel, padding="same")
        ax.imshow(filtered, cmap="gray", vmin=display_limits(filtered)[0], vmax=display_limits(filtered)[1])
        ax.set_title(textwrap.fill(name, 24), fontsize=9)
    for ax in axes.flat:
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_image_kernel_output(image, kernel, output, titles=("input", "kernel", "output"), figure=None):
    """Input, kernel and output side by side.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (kH, kW)
    output : ndarray, shape (H_out, W_out)
    figure : matplotlib Figure, optional
        Draw into this figure (a widget keeps one figure and only swaps its pixels).

    Returns
    -------
    fig : matplotlib Figure
    artists : dict with the ``imshow`` artists ``"input"``, ``"kernel"``, ``"output"``
    """
    fig = figure if figure is not None else plt.figure(figsize=(11, 4))
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [4, 2, 4]})
    artists = {"input": axes[0].imshow(image, cmap="gray", interpolation="nearest"),
               "output": axes[2].imshow(output, cmap="gray", interpolation="nearest")}
    set_image(artists["input"], image)
    set_image(artists["output"], output)
    draw_kernel(axes[1], kernel)
    for ax, title in zip(axes, titles):
        ax.set_title(title, y=1.0)
        ax.axis("off")
    artists["kernel"] = axes[1]
    fig.tight_layout()
    return fig, artists


def _denominator(kernel):
    """The small whole number d that makes every weight times d whole (1/16 for the Gaussian blur), else 1."""
    for d in (1, 2, 4, 8, 9, 16, 256):
        if np.allclose(kernel * d, np.round(kernel * d)):
            return d
    return 1


def draw_kernel(ax, kernel, title=None):
    """A kernel as a red-blue grid with its weights written in.

    Drawing again into the same axes swaps the pixels and the numbers only (no ``ax.clear()``, which
    is slow), so a widget can redraw it on every move.
    """
    kernel = np.asarray(kernel, float)
    limit = max(np.abs(kernel).max(), 1e-12)
    if ax.images:
        ax.images[0].set_data(kernel)
        ax.images[0].set_clim(-limit, limit)
        ax.images[0].set_extent((-0.5, kernel.shape[1] - 0.5, kernel.shape[0] - 0.5, -0.5))
    else:
        ax.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_xlim(-0.5, kernel.shape[1] - 0.5)
    ax.set_ylim(kernel.shape[0] - 0.5, -0.5)
    for text in list(ax.texts):
        text.remove()
    denominator = _denominator(kernel)
    size = 10 if kernel.shape[0] <= 3 else 8
    for (r, c), w in np.ndenumerate(kernel):
        ax.text(c, r, format_number(w * denominator), ha="center", va="center", fontsize=size)
    ax.axis("off")
    if denominator != 1:
        ax.text(0.5, -0.06, f"all × 1/{denominator}", transform=ax.transAxes, ha="center", va="top", fontsize=10)
    if title:
        ax.set_title(title, y=1.0)  # a fixed y skips matplotlib's slow automatic title placement


def plot_visit_counts(counts, title="how often each pixel is under the kernel"):
    """Heat maps of visit counts, numbers written in: corners once, centre many times.

    Parameters
    ----------
    counts : dict of str to ndarray of shape (H, W)
        One panel per entry, titled by its key.
    """
    fig, axes = plt.subplots(1, len(counts), figsize=(3.7 * len(counts), 4), squeeze=False)
    highest = max(np.max(c) for c in counts.values())
    for ax, (name, count) in zip(axes[0], counts.items()):
        draw_grid(ax, count, name, cmap="Reds", vmin=0, vmax=highest)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_channels(image, title="a 32x32x3 image is three 32x32 grids"):
    """A colour image and its red, green and blue channels.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), values in [0, 1]
    """
    fig, axes = plt.subplots(1, 4, figsize=(10, 3))
    axes[0].imshow(image)
    axes[0].set_title(f"{image.shape[0]}x{image.shape[1]}x{image.shape[2]}")
    for ax, channel, name in zip(axes[1:], range(3), ("Reds", "Greens", "Blues")):
        ax.imshow(image[..., channel], cmap=name, vmin=0, vmax=1)
        ax.set_title(f"channel {channel} ({name[:-1].lower()})")
    for ax in axes:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_activation_maps(maps, names=None, title=None):
    """A stack of activation maps, one panel per filter.

    Parameters
    ----------
    maps : ndarray, shape (C, H, W)
    names : list of str, optional
        What each filter looks for, used in the panel titles.
    """
    maps = np.asarray(maps)
    names = names or [f"filter {index}" for index in range(maps.shape[0])]
    fig, axes = plt.subplots(1, maps.shape[0], figsize=(min(12, 2 * maps.shape[0]), 2.9), squeeze=False)
    for name, ax, activation in zip(names, axes[0], maps):
        ax.imshow(activation, cmap="viridis")
        ax.set_title(f"{name}\n{activation.shape[0]}x{activation.shape[1]}", fontsize=9)
        ax.axis("off")
    fig.suptitle(title or f"{maps.shape[0]} activation maps stacked: {maps.shape[1]}x{maps.shape[2]}x{maps.shape[0]}")
    fig.tight_layout(rect=(0, 0, 1, 0.93))  # room for the title above the panel titles
    return fig


def plot_channel_sum(image, kernel_slices, correlations, output, bias=0.0, title=None):
    """One output channel as d2l builds it: each input channel correlated with its own kernel slice, then summed.

    Parameters
    ----------
    image : ndarray, shape (C, H, W)
    kernel_slices : ndarray, shape (C, kH, kW)
        ``weight[f]`` of the filter shown.
    correlations : ndarray, shape (C, H_out, W_out)
        ``cnnlab.correlate2d(image[c], kernel_slices[c])`` for each channel.
    output : ndarray, shape (H_out, W_out)
        The layer's output map ``F.conv2d(...)[0, f]``.
    """
    channels = image.shape[0]
    fig, axes = plt.subplots(channels, 4, figsize=(10, 2.4 * channels), squeeze=False,
                             gridspec_kw={"width_ratios": [1, 0.6, 1, 1]})
    for c in range(channels):
        axes[c, 0].imshow(image[c], cmap="gray")
        axes[c, 0].set_title(f"input channel {c}", fontsize=9)
        draw_kernel(axes[c, 1], kernel_slices[c])
        axes[c, 1].set_title(f"slice weight[f, {c}]", fontsize=9)
        limit = np.abs(correlations).max()
        axes[c, 2].imshow(correlations[c], cmap="RdBu_r", vmin=-limit, vmax=limit)
        axes[c, 2].set_title(f"correlation of channel {c}", fontsize=9)
        axes[c, 3].axis("off")
    middle = axes[channels // 2, 3]
    middle.imshow(output, cmap="RdBu_r", vmin=-np.abs(output).max(), vmax=np.abs(output).max())
    middle.set_title(f"sum + bias {format_number(bias)}\n= output map {output.shape[0]}x{output.shape[1]}", fontsize=9)
    for ax in axes[:, [0, 2]].ravel():
        ax.axis("off")
    middle.axis("off")
    fig.suptitle(title or f"one output channel: the {channels} channel correlations added up")
    fig.tight_layout()
    return fig


def plot_receptive_fields(maps, titles, suptitle="which input pixels one output depends on"):
    """Receptive fields as maps: 0 outside, the number of paths to the output inside.

    Parameters
    ----------
    maps : sequence of ndarray, shape (H, W)
        From :func:`cnnlab.teaching.convolution.counting.receptive_field_map`, cropped alike.
    """
    fig, axes = plt.subplots(1, len(maps), figsize=(2.8 * len(maps), 3.2), squeeze=False)
    for ax, field, title in zip(axes[0], maps, titles):
        ax.imshow(np.ma.masked_equal(field, 0), cmap="viridis")
        ax.set_facecolor("0.92")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=9)
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_feature_hierarchy(image, centre, sizes, labels, title="deeper layers see larger regions"):
    """Squares of the receptive-field ``sizes`` around ``centre`` of a photo, one per layer.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3) or (H, W)
    centre : (int, int)
        Row and column the squares are centred on.
    sizes : sequence of int
    labels : sequence of str
    """
    fig, ax = plt.subplots(figsize=(6.5, 5.2))
    ax.imshow(image, cmap=None if np.ndim(image) == 3 else "gray")
    colours = plt.cm.plasma(np.linspace(0.1, 0.85, len(sizes)))
    row, col = centre
    for size, label, colour in zip(sizes, labels, colours):
        left, top = col - size / 2, row - size / 2
        ax.add_patch(plt.Rectangle((left - 0.5, top - 0.5), size, size, fill=False, edgecolor=colour, linewidth=2,
                                   label=f"{label}: {size}x{size}"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=9, frameon=False)
    ax.axis("off")
    ax.set_title(title)
    fig.tight_layout()
    return fig
