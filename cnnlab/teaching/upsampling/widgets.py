"""The overlap explorer of notebook 09: kernel size and stride against the overlap count map.

The count map is :func:`cnnlab.teaching.upsampling.plots.overlap_counts`, a transposed convolution of
ones by cnnlab; this module only wires sliders to the pictures.
"""
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from ..explorer import Explorer
from .plots import overlap_counts, plot_count_map

__all__ = ["OverlapExplorer"]


class OverlapExplorer(Explorer):
    """Sliders for the kernel size and the stride; the count map shows where stamps overlap unevenly.

    Parameters
    ----------
    input_size : int
        Side of the all-ones input.
    """

    def __init__(self, input_size=8):
        self.input_size = input_size
        self.controls = {
            "kernel_size": widgets.IntSlider(value=3, min=1, max=8, description="kernel size"),
            "stride": widgets.IntSlider(value=2, min=1, max=4, description="stride"),
        }

    def update(self, kernel_size, stride):
        """Draw the count map and its middle row; returns the count map."""
        counts = overlap_counts(kernel_size, stride, self.input_size)
        figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
        plot_count_map(kernel_size, stride, self.input_size, ax=left)
        middle = counts[counts.shape[0] // 2]
        right.bar(np.arange(len(middle)), middle, color="tab:blue")
        right.set_xlabel("output column (middle row)")
        right.set_ylabel("stamps adding up here")
        right.set_title(f"{kernel_size} % {stride} = {kernel_size % stride}", fontsize=9)
        figure.tight_layout()
        plt.show()
        return counts
