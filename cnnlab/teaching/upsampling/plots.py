"""Pictures of upsampling: nearest and bilinear (notebook 04), transposed convolution and its checkerboard (09).

The maths is :mod:`cnnlab.functional`'s (``interpolate``, ``conv_transpose2d``, ``conv2d``); this
module draws what they compute, so a figure can never disagree with the library.
"""
import matplotlib.pyplot as plt
import numpy as np

from ... import functional as F
from ..drawing import draw_grid

__all__ = ["upsample2d", "plot_upsampling", "overlap_counts", "interior", "plot_count_map", "plot_scatter_steps",
           "plot_maps"]


def upsample2d(image, scale_factor=2, mode="nearest", align_corners=None):
    """Upsample one 2-D map with ``cnnlab.functional.interpolate``.

    Parameters
    ----------
    image : ndarray, shape (H, W)

    Returns
    -------
    ndarray, shape (H * scale_factor, W * scale_factor)
    """
    return F.interpolate(np.asarray(image, dtype=float)[None, None], scale_factor=scale_factor, mode=mode,
                         align_corners=align_corners)[0, 0]


def plot_upsampling(small, upsampled, title=None):
    """A small map and its upsampled versions, numbers written in.

    Parameters
    ----------
    small : ndarray, shape (h, w)
    upsampled : dict of str to ndarray
        Method name to its result, from :func:`upsample2d`.
    """
    width_ratios = [np.shape(small)[1] + 2] + [u.shape[1] for u in upsampled.values()]
    fig, axes = plt.subplots(1, 1 + len(upsampled), figsize=(3.4 * (1 + len(upsampled)), 3.6),
                             gridspec_kw={"width_ratios": width_ratios})
    low, high = float(np.min(small)), float(np.max(small))
    draw_grid(axes[0], small, f"input {np.shape(small)[0]}x{np.shape(small)[1]}", cmap="Purples", vmin=low, vmax=high)
    for ax, (name, result) in zip(axes[1:], upsampled.items()):
        draw_grid(ax, result, f"{name} {result.shape[0]}x{result.shape[1]}", cmap="Purples", vmin=low, vmax=high)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig




def overlap_counts(kernel_size, stride, input_size=8):
    """How many stamps land on each output pixel: a transposed convolution of ones with a ones kernel.

    Parameters
    ----------
    kernel_size, stride, input_size : int

    Returns
    -------
    ndarray, shape (H_out, H_out)
        ``H_out = (input_size - 1) * stride + kernel_size``.
    """
    ones = np.ones((1, 1, input_size, input_size))
    return F.conv_transpose2d(ones, np.ones((1, 1, kernel_size, kernel_size)), stride=stride)[0, 0]


def interior(image, margin):
    """``image`` without ``margin`` pixels on each side: where zero padding at the border has no say."""
    return image[..., margin:image.shape[-2] - margin, margin:image.shape[-1] - margin]


def _annotate(ax, values, fmt="{:g}", fontsize=8):
    values = np.asarray(values)
    middle = (values.max() + values.min()) / 2
    for (row, col), value in np.ndenumerate(values):
        ax.text(col, row, fmt.format(value), ha="center", va="center", fontsize=fontsize,
                color="white" if value < middle else "black")


def plot_count_map(kernel_size, stride, input_size=8, ax=None):
    """The overlap count map of a ``kernel_size`` x ``kernel_size`` transposed convolution with ``stride``.

    Returns
    -------
    matplotlib Axes
    """
    counts = overlap_counts(kernel_size, stride, input_size)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.imshow(counts, cmap="viridis", vmin=0, vmax=max(1, counts.max()))
    if counts.shape[0] <= 16:
        _annotate(ax, counts, fontsize=7)
    inner = interior(counts, kernel_size - 1)  # the border has fewer neighbours to overlap with
    even = inner.size == 0 or inner.min() == inner.max()
    verdict = "even overlap" if even else "uneven overlap: checkerboard"
    ax.set_title(f"kernel {kernel_size}, stride {stride}: {verdict}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def plot_scatter_steps(x, weight, stride):
    """Transposed convolution by hand: each input pixel adds ``pixel x kernel`` at ``stride`` times its place.

    One panel per input pixel shows the output after that pixel's stamp was added (the new stamp
    outlined); the last panel is :func:`cnnlab.functional.conv_transpose2d` of the whole input.

    Parameters
    ----------
    x : ndarray, shape (H, W)
        A small input (2x2 or 3x3 reads best).
    weight : ndarray, shape (kH, kW)
    stride : int

    Returns
    -------
    matplotlib.figure.Figure
    """
    x, weight = np.asarray(x, float), np.asarray(weight, float)
    kernel_h, kernel_w = weight.shape
    final = F.conv_transpose2d(x[None, None], weight[None, None], stride=stride)[0, 0]
    steps = x.size + 1
    figure, axes = plt.subplots(1, steps, figsize=(min(12, 2.1 * steps), 2.6))
    running = np.zeros_like(final)
    for step, (row, col) in enumerate(np.ndindex(*x.shape)):
        # This pixel's stamp alone: the transposed convolution of an input that is zero elsewhere.
        alone = np.zeros_like(x)
        alone[row, col] = x[row, col]
        running = running + F.conv_transpose2d(alone[None, None], weight[None, None], stride=stride)[0, 0]
        ax = axes[step]
        ax.imshow(running, cmap="viridis", vmin=min(0, final.min()), vmax=final.max())
        _annotate(ax, running, fontsize=7)
        ax.add_patch(plt.Rectangle((col * stride - 0.5, row * stride - 0.5), kernel_w, kernel_h,
                                   fill=False, edgecolor="red", linewidth=2))
        ax.set_title(f"+ {x[row, col]:g} x kernel\nat ({row * stride}, {col * stride})", fontsize=8)
    axes[-1].imshow(final, cmap="viridis", vmin=min(0, final.min()), vmax=final.max())
    _annotate(axes[-1], final, fontsize=7)
    axes[-1].set_title("conv_transpose2d", fontsize=8)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    figure.tight_layout()
    return figure


def plot_maps(maps, titles, margin=0, cmap="gray"):
    """Several 2-D maps side by side, each titled with the spread (std) of its values away from the border.

    Parameters
    ----------
    maps : sequence of ndarray, shape (H, W)
    titles : sequence of str
    margin : int
        Pixels left out at each border when measuring the spread (zero padding disturbs them).

    Returns
    -------
    matplotlib.figure.Figure
    """
    figure, axes = plt.subplots(1, len(maps), figsize=(min(12, 3 * len(maps)), 3.4), squeeze=False)
    for ax, image, title in zip(axes[0], maps, titles):
        ax.imshow(image, cmap=cmap)
        spread = float(np.std(interior(image, margin)))
        ax.set_title(f"{title}\nstd inside: {spread:.3g}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    figure.tight_layout()
    return figure


