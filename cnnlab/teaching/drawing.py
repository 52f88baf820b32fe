"""Drawing helpers shared by several lessons: number grids, photographs, filters, learning curves.

Names follow one rule: ``draw_*`` draws into an Axes it is given, ``plot_*`` makes and returns a new
figure (a notebook cell ends with ``plt.show()``). Nothing here computes: the numbers are handed in.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

__all__ = ["HIGHLIGHT", "format_number", "draw_grid", "display_limits", "set_image", "hide_ticks", "draw_image",
           "plot_filters", "plot_learning_curves"]

#: The colour of whatever a picture points at: the kernel's window, a cell that disagrees with a slide.
HIGHLIGHT = "tab:red"


def format_number(value):
    """A number as a slide prints it: 10, not 10.0; a short decimal otherwise."""
    value = float(value)
    return f"{value:.0f}" if value == round(value) else f"{value:.4g}"


def draw_grid(ax, values, title=None, highlight=None, blank=None, mismatch=None, cmap="Blues",
              vmin=None, vmax=None, shade=None):
    """Draw a small matrix as coloured cells with its numbers written in.

    Parameters
    ----------
    ax : matplotlib Axes
    values : ndarray, shape (H, W)
    title : str, optional
    highlight : (row, col, height, width), optional
        A window to outline in red (the kernel's current position).
    blank : ndarray of bool, shape (H, W), optional
        Cells not computed yet: drawn empty.
    mismatch : ndarray of bool, shape (H, W), optional
        Cells to outline in red (where a slide disagrees with the arithmetic).
    shade : ndarray of bool, shape (H, W), optional
        Cells to grey out (zero padding).
    """
    values = np.asarray(values, dtype=float)
    shown = np.ma.masked_array(values, mask=blank if blank is not None else np.zeros(values.shape, bool))
    low = np.min(values) if vmin is None else vmin
    high = np.max(values) if vmax is None else vmax
    ax.imshow(shown, cmap=cmap, vmin=min(low, 0), vmax=max(high, 1e-12) * 1.6 if high > 0 else 1)
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            if blank is not None and blank[r, c]:
                continue
            color = "grey" if shade is not None and shade[r, c] else "black"
            ax.text(c, r, format_number(values[r, c]), ha="center", va="center", color=color,
                    fontsize=11 if max(rows, cols) <= 7 else 8)
    if shade is not None:
        for r, c in np.argwhere(shade):
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, color="0.85", zorder=0.5, alpha=0.6))
    if mismatch is not None:
        for r, c in np.argwhere(mismatch):
            ax.add_patch(Rectangle((c - 0.45, r - 0.45), 0.9, 0.9, fill=False, edgecolor=HIGHLIGHT, lw=3))
    if highlight is not None:
        r, c, h, w = highlight
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), w, h, fill=False, edgecolor=HIGHLIGHT, lw=3))
    ax.set_xticks(np.arange(-0.5, cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, rows, 1), minor=True)
    ax.grid(which="minor", color="white", lw=1.5)
    ax.tick_params(which="both", bottom=False, left=False, labelbottom=False, labelleft=False)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    if title:
        ax.set_title(title)
    return ax


def display_limits(array):
    """Display limits that ignore the most extreme pixels (one hot pixel must not grey out an edge map).

    A map centered on 0 with negative values (an edge detector's) gets limits symmetric about 0, so 0
    is mid-grey and both signs of an edge show; other maps span their 0.5 to 99.5 percentiles.

    Parameters
    ----------
    array : ndarray, shape (H, W)

    Returns
    -------
    (low, high) : tuple of float
    """
    low, middle, high = np.percentile(array, [0.5, 50, 99.5])
    if low < 0 and abs(middle) < 0.1 * (high - low):
        limit = float(np.percentile(np.abs(array), 99))
        return (-limit, limit) if limit > 0 else (-1.0, 1.0)
    return (float(low), float(high)) if high > low else (float(low) - 0.5, float(low) + 0.5)


def set_image(artist, array):
    """Replace the pixels of an ``imshow`` artist, adjusting its extent and colour limits; fast.

    Parameters
    ----------
    artist : matplotlib AxesImage
    array : ndarray, shape (H, W)
    """
    array = np.asarray(array)
    artist.set_data(array)
    artist.set_extent((-0.5, array.shape[1] - 0.5, array.shape[0] - 0.5, -0.5))
    artist.set_clim(*display_limits(array))
    artist.axes.set_xlim(-0.5, array.shape[1] - 0.5)
    artist.axes.set_ylim(array.shape[0] - 0.5, -0.5)


def hide_ticks(ax, title=None):
    """No ticks (pixel numbers say nothing in a picture) and a small title, so a row of pictures fits a slide."""
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)


def draw_image(ax, image, title=None):
    """A grey image with values in [0, 1], without ticks.

    Parameters
    ----------
    ax : matplotlib Axes
    image : ndarray, shape (H, W) or (1, H, W)
    title : str, optional
    """
    ax.imshow(np.asarray(image).squeeze(), cmap="gray", vmin=0, vmax=1)
    hide_ticks(ax, title)


def plot_filters(weight, title="filters", max_filters=8, values=False):
    """The first input channel of each convolution filter as a small image, one colour scale for all.

    Blue is negative, red positive, white 0, so filters that are copies of each other look the same.

    Parameters
    ----------
    weight : ndarray, shape (out_channels, in_channels, kH, kW)
    title : str
    max_filters : int
        Show at most this many filters (the first ones).
    values : bool
        Write each weight into its pixel (readable for kernels up to about 5x5).

    Returns
    -------
    matplotlib.figure.Figure
    """
    weight = np.asarray(weight, dtype=float)
    if weight.ndim != 4:
        raise ValueError(f"weight must have shape (out_channels, in_channels, kH, kW), got {weight.shape}")
    count = min(len(weight), max_filters)
    limit = max(np.abs(weight[:count, 0]).max(), 1e-12)
    fig, axes = plt.subplots(1, count, figsize=(min(1.3 * count + 0.5, 12), 1.8), squeeze=False)
    for k, ax in enumerate(axes[0]):
        kernel = weight[k, 0]
        ax.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
        if values:
            for (row, col), value in np.ndenumerate(kernel):
                ax.text(col, row, f"{value:.1f}", ha="center", va="center", fontsize=7)
        ax.set_title(f"filter {k}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_learning_curves(histories, ylabel="training loss", xlabel="iteration", title=""):
    """One curve per run, e.g. the training loss of each initialization.

    Parameters
    ----------
    histories : dict of str to sequence of float
        ``histories[label][i]`` is the value after iteration (or epoch) ``i + 1``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for label, values in histories.items():
        ax.plot(np.arange(1, len(values) + 1), values, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
