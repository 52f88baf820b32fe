"""Progress display: a live widget in a notebook, a line per epoch in a terminal, or nothing.

In a notebook the widget is a bar plus a label (loss and accuracy so far) that update in place.
Its stored output is a widget view, which nbval does not compare, so a re-executed notebook still
matches. In a terminal one rounded line per epoch is printed.
"""
import sys
import time

__all__ = ["make_progress"]


def _in_notebook():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def make_progress(mode, epochs, iterations_per_epoch):
    """``mode``: 'auto' (widget in a notebook, text elsewhere), 'widget', 'text', or None/False (silent)."""
    if mode in (None, False, "none"):
        return _Silent()
    if mode not in ("auto", "widget", "text"):
        raise ValueError(f"progress must be 'auto', 'widget', 'text' or None, got {mode!r}")
    if mode == "widget" or (mode == "auto" and _in_notebook()):
        try:
            return _Widget(epochs, iterations_per_epoch)
        except ImportError:
            pass
    return _Text(epochs, iterations_per_epoch)


class _Silent:
    def update(self, epoch, iteration, loss, accuracy):
        pass

    def end_epoch(self, epoch, values, seconds):
        pass

    def close(self):
        pass


def _describe(values):
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        parts.append(f"{key} {value:.1%}" if key.endswith("accuracy") else f"{key} {value:.4f}")
    return ", ".join(parts)


class _Text(_Silent):
    def __init__(self, epochs, iterations_per_epoch):
        self.epochs = epochs

    def end_epoch(self, epoch, values, seconds):
        print(f"epoch {epoch}/{self.epochs}: {_describe(values)} ({seconds:.1f} s)", file=sys.stdout, flush=True)


class _Widget(_Silent):
    # Updating a widget sends a message to the browser: a few per second look live and cost nothing.
    INTERVAL = 0.2

    def __init__(self, epochs, iterations_per_epoch):
        import ipywidgets as widgets
        from IPython.display import display
        self.epochs, self.per_epoch = epochs, iterations_per_epoch
        self.bar = widgets.IntProgress(value=0, min=0, max=epochs * iterations_per_epoch, description="training",
                                       layout=widgets.Layout(width="40%"))
        self.label = widgets.Label(value="")
        self.lines = widgets.HTML(value="")
        display(widgets.VBox([widgets.HBox([self.bar, self.label]), self.lines]))
        self._last = 0.0

    def update(self, epoch, iteration, loss, accuracy):
        now = time.perf_counter()
        if now - self._last < self.INTERVAL:
            return
        self._last = now
        self.bar.value = (epoch - 1) * self.per_epoch + iteration
        text = f"epoch {epoch}/{self.epochs}, iteration {iteration}/{self.per_epoch}: loss {loss:.4f}"
        if accuracy is not None:
            text += f", accuracy {accuracy:.1%}"
        self.label.value = text

    def end_epoch(self, epoch, values, seconds):
        self.bar.value = epoch * self.per_epoch
        line = f"epoch {epoch}/{self.epochs}: {_describe(values)} ({seconds:.1f} s)"
        self.label.value = line
        self.lines.value += f"<div style='font-family:monospace'>{line}</div>"

    def close(self):
        self.bar.bar_style = "success"
