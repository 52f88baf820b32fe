"""Re-execute notebooks in place and store them in the form the repository keeps.

Usage: ``python tools/execute_notebooks.py notebooks/*.ipynb``

Each notebook is run top to bottom in a fresh ``python3`` kernel from its own folder (so relative
paths work as they do for a student), then normalised so that it does not churn in git:

- the kernelspec is ``python3`` (nbval's ``--nbval-current-env`` then uses the test interpreter);
- ``metadata.widgets`` is removed (it holds widget state with new model ids on every run);
- every cell carries ``metadata.slideshow.slide_type``: cells that start with a ``#`` or ``##``
  heading open a new slide, the rest continue the current one, unless the author set it already.
"""
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HEADING = re.compile(r"^#{1,2} ")


def normalise(nb):
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata.setdefault("language_info", {"name": "python"})
    for cell in nb.cells:
        slideshow = cell.metadata.setdefault("slideshow", {})
        if "slide_type" not in slideshow:
            opens_slide = cell.cell_type == "markdown" and HEADING.match(cell.source.lstrip())
            slideshow["slide_type"] = "slide" if opens_slide else "-"
    return nb


def execute(path: Path, timeout: int = 600):
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    normalise(nb)
    nbformat.write(nb, path)
    print(f"{path}: executed in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for name in sys.argv[1:]:
        execute(Path(name))
