"""Widgets for the convolution notebook: sliders wired to the pictures in :mod:`.plots`.

The maths is cnnlab's (``cnnlab.correlate2d``, ``cnnlab.convolve2d``, ``cnnlab.output_size``); the
pictures are :mod:`cnnlab.teaching.convolution.plots`'. This module only connects controls to them.
"""
import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

import cnnlab

from ..drawing import set_image
from ..explorer import Explorer
from ..images import SAMPLE_IMAGES, load_image
from . import plots

__all__ = ["sliding_window_widget", "output_size_widget", "KernelExplorer"]


def sliding_window_widget(image, kernel, stride=1, padding=0, show_rows=None, show_cols=None, flip=False):
    """Step the kernel over the image with a slider (or the play button) and watch the output fill.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (kH, kW)
    stride, padding : int
    show_rows, show_cols : int, optional
        Show only this top-left corner of the output, for big images such as 100x100.
    flip : bool
        Convolve (flip the kernel) instead of cross-correlate.

    Returns
    -------
    ipywidgets.VBox
        The controls above the picture.
    """
    compute = cnnlab.convolve2d if flip else cnnlab.correlate2d
    output = compute(image, kernel, stride=stride, padding=padding)
    rows = output.shape[0] if show_rows is None else min(show_rows, output.shape[0])
    cols = output.shape[1] if show_cols is None else min(show_cols, output.shape[1])
    slider = widgets.IntSlider(value=0, min=0, max=rows * cols - 1, description="position")
    play = widgets.Play(value=0, min=0, max=rows * cols - 1, interval=900, description="play")
    widgets.jslink((play, "value"), (slider, "value"))

    def show(step):
        plots.plot_sliding_window(image, kernel, output, step, stride=stride, padding=padding,
                                  show_rows=show_rows, show_cols=show_cols, flip=flip)
        plt.show()

    picture = widgets.interactive_output(show, {"step": slider})
    return widgets.VBox([widgets.HBox([play, slider]), picture])


def _size_message(n, kernel_size, stride, padding):
    """One line: the formula with the numbers in, and cnnlab's answer or its error message."""
    formula = f"({n} − {kernel_size} + 2×{padding}) / {stride} + 1 = {(n - kernel_size + 2 * padding) / stride + 1:.4g}"
    try:
        return f"{formula} → output {cnnlab.output_size(n, kernel_size, stride=stride, padding=padding)} pixels"
    except ValueError as error:
        return f"{formula} → ValueError: {error}"


def output_size_widget():
    """Sliders for N, F, P and stride, printing the output size or why the kernel does not fit."""
    controls = {
        "n": widgets.IntSlider(value=7, min=1, max=32, description="N (input)"),
        "kernel_size": widgets.IntSlider(value=3, min=1, max=9, description="F (kernel)"),
        "padding": widgets.IntSlider(value=0, min=0, max=4, description="P (padding)"),
        "stride": widgets.IntSlider(value=1, min=1, max=4, description="stride"),
    }

    def show(n, kernel_size, padding, stride):
        print(_size_message(n, kernel_size, stride, padding))

    return widgets.VBox([widgets.HBox(list(controls.values())[:2]), widgets.HBox(list(controls.values())[2:]),
                         widgets.interactive_output(show, controls)])


class KernelExplorer(Explorer):
    """Pick a photograph, a kernel, the stride and the padding; see input, kernel and output.

    One figure is drawn once; moving a control only swaps the pixels of its two ``imshow`` artists
    and redraws the small kernel panel, so it stays quick on a 512x512 photograph.

    Parameters
    ----------
    kernels : dict of str to ndarray, optional
        Defaults to ``cnnlab.kernels.KERNELS``.
    images : sequence of str
        Names from :data:`cnnlab.teaching.images.SAMPLE_IMAGES`.
    """

    def __init__(self, kernels=None, images=SAMPLE_IMAGES[:6]):
        self.kernels = dict(cnnlab.kernels.KERNELS if kernels is None else kernels)
        names = list(self.kernels)
        self.controls = {
            "image": widgets.Dropdown(options=list(images), value=images[0], description="image"),
            "kernel": widgets.Dropdown(options=names, value=names[0], description="kernel"),
            "stride": widgets.IntSlider(value=1, min=1, max=8, description="stride"),
            "padding": widgets.IntSlider(value=0, min=0, max=8, description="padding"),
        }
        self.rows = (("image", "kernel"), ("stride", "padding"))
        # A bare Figure (not pyplot's) is shown only when we display it, never twice.
        self.figure = Figure(figsize=(11, 4.2))
        state = self.state()
        image, kernel = load_image(state["image"]), self.kernels[state["kernel"]]
        _, self.artists = plots.plot_image_kernel_output(image, kernel, image, figure=self.figure)
        self.update(**state)

    def update(self, image, kernel, stride, padding):
        """Recompute the output with cnnlab and swap it into the figure; returns the output."""
        photo = load_image(image)
        weights = self.kernels[kernel]
        output = cnnlab.correlate2d(photo, weights, stride=stride, padding=padding)
        set_image(self.artists["input"], photo)
        set_image(self.artists["output"], output)
        plots.draw_kernel(self.artists["kernel"], weights, f"{kernel} ({weights.shape[0]}x{weights.shape[1]})")
        self.artists["input"].axes.set_title(f"{image}: {photo.shape[0]}x{photo.shape[1]}", y=1.0)
        self.artists["output"].axes.set_title(
            f"output: {output.shape[0]}x{output.shape[1]} (stride {stride}, padding {padding})", y=1.0)
        self.output = output
        return output
