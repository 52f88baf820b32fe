"""The base class of the course's explorers: controls wired to a picture that redraws as they move.

An explorer holds its controls in ``self.controls`` (name to ipywidget), draws in ``update(**state)``
and lays the controls out in rows above the live picture. Two ways to draw:

- a fixed figure (``self.figure``, a bare :class:`matplotlib.figure.Figure`): ``update`` only swaps pixels
  and titles, and the picture is sent as a JPEG rendered once with Agg. The inline backend renders a
  figure twice (``bbox_inches="tight"``) and encodes a large PNG; for photographs that redraw on every
  slider move, one Agg render at a modest resolution is several times quicker and looks the same on a
  slide. ``time_update`` measures that path (``benchmarks/`` holds the claim about how fast it is).
- a new pyplot figure on each move (``self.figure`` is None): ``update`` draws and calls ``plt.show()``.
"""
import io
import time

import ipywidgets as widgets
import numpy as np
from IPython.display import Image, display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image as PILImage

__all__ = ["DPI", "figure_to_jpeg", "display_figure", "Explorer"]

DPI = 80


def figure_to_jpeg(figure, dpi=DPI, quality=90):
    """Render ``figure`` with Agg and return the JPEG bytes."""
    canvas = FigureCanvasAgg(figure)
    figure.set_dpi(dpi)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3]
    buffer = io.BytesIO()
    PILImage.fromarray(pixels).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def display_figure(figure):
    """Display ``figure`` as a JPEG image (inside a widget's output area)."""
    display(Image(data=figure_to_jpeg(figure), format="jpeg"))


class Explorer:
    """Controls above a picture that ``update`` redraws; subclasses set ``controls`` and ``rows``.

    Attributes
    ----------
    controls : dict of str to ipywidgets.Widget
        Their names are ``update``'s keyword arguments.
    rows : sequence of sequence of str
        The controls' names, one inner sequence per row above the picture; by default one row.
    figure : matplotlib.figure.Figure or None
        The fixed figure that ``update`` changes in place, or None when ``update`` draws a new one.
    """

    rows = None
    figure = None

    def state(self):
        """The controls' current values, as keyword arguments for :meth:`update`."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self, **state):
        """Redraw the picture for ``state``; returns what it computed (the output map, say)."""
        raise NotImplementedError(f"{type(self).__name__} must define update(**state)")

    def _show(self, **state):
        self.update(**state)
        if self.figure is not None:
            display_figure(self.figure)

    def widget(self):
        """The controls and the live picture, ready to display."""
        rows = self.rows if self.rows is not None else [list(self.controls)]
        picture = widgets.interactive_output(self._show, self.controls)
        return widgets.VBox([widgets.HBox([self.controls[name] for name in row]) for row in rows] + [picture])

    def show(self):
        """Display :meth:`widget` (the last line of a notebook cell)."""
        display(self.widget())

    def time_update(self, repeats=5, **state):
        """Seconds for one update of the fixed figure: compute, redraw and encode the picture the widget shows.

        The best of ``repeats`` runs, not the mean, so that other programs busy on the machine do not count.
        """
        if self.figure is None:
            raise TypeError(f"{type(self).__name__} draws a new figure on each move: time_update needs a fixed figure")
        state = {**self.state(), **state}
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            self.update(**state)
            figure_to_jpeg(self.figure)
            times.append(time.perf_counter() - start)
        return min(times)
