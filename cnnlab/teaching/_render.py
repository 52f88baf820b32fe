"""Fast display of a live widget's figure: render once with Agg and send a JPEG.

The inline backend renders a figure twice (``bbox_inches="tight"``) and encodes a large PNG; for a
figure of photographs that redraws on every slider move, one Agg render at a modest resolution and a
JPEG are several times quicker, and look the same on a slide.
"""
import io
import time

import numpy as np
from IPython.display import Image, display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image as PILImage

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


def show_figure(figure):
    """Display ``figure`` as a JPEG image (inside a widget's output area)."""
    display(Image(data=figure_to_jpeg(figure), format="jpeg"))


def _best_redraw_seconds(update, figure, state, repeats):
    """Seconds for the fastest of ``repeats`` calls of ``update(**state)`` plus encoding ``figure``.

    The best run, not the mean, so that other programs busy on the machine do not count.
    """
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        update(**state)
        figure_to_jpeg(figure)
        times.append(time.perf_counter() - start)
    return min(times)
