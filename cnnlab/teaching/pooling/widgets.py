"""Widgets for the pooling notebook: pool size, stride and mode wired to a photograph.

Pooling is ``cnnlab.functional``'s (through :func:`.plots.pool2d`); this module only
connects controls to the picture.
"""
import ipywidgets as widgets
from matplotlib.figure import Figure

from ..drawing import set_image
from ..explorer import Explorer
from ..images import SAMPLE_IMAGES, load_image
from . import plots

__all__ = ["PoolingExplorer"]


class PoolingExplorer(Explorer):
    """Pick a photograph, pooling mode, window size and stride; see the photo and its pooled map.

    The figure is drawn once and only its pixels change when a control moves. Photos are first
    shrunk to ``size`` pixels, so that each pooled pixel is still big enough to see.

    Parameters
    ----------
    images : sequence of str
        Names from :data:`cnnlab.teaching.images.SAMPLE_IMAGES`.
    size : int
        The photos' height and width before pooling.
    """

    def __init__(self, images=SAMPLE_IMAGES[:6], size=128):
        self.size = size
        self.controls = {
            "image": widgets.Dropdown(options=list(images), value=images[0], description="image"),
            "mode": widgets.ToggleButtons(options=list(plots.POOLS), value="max", description="mode",
                                          style={"button_width": "80px"}),
            "kernel_size": widgets.IntSlider(value=2, min=1, max=16, description="window"),
            "stride": widgets.IntSlider(value=2, min=1, max=16, description="stride"),
        }
        self.rows = (("image", "mode"), ("kernel_size", "stride"))
        self.figure = Figure(figsize=(10, 4.5))
        photo = load_image(images[0], size)
        _, self.artists = plots.plot_pooled_image(photo, photo, figure=self.figure)
        self.update(**self.state())

    def update(self, image, mode, kernel_size, stride):
        """Pool the photo with cnnlab and swap the result into the figure; returns the pooled map."""
        photo = load_image(image, self.size)
        pooled = plots.pool2d(photo, mode, kernel_size, stride)
        set_image(self.artists["input"], photo)
        set_image(self.artists["output"], pooled)
        kept = pooled.size / photo.size
        self.artists["input"].axes.set_title(f"{image}: {photo.shape[0]}x{photo.shape[1]}", y=1.0)
        self.artists["output"].axes.set_title(
            f"{mode} pooling, {kernel_size}x{kernel_size} window, stride {stride}: "
            f"{pooled.shape[0]}x{pooled.shape[1]} ({kept:.1%} of the values kept)", fontsize=10, y=1.0)
        self.output = pooled
        return pooled
