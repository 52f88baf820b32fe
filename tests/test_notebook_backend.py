"""Figures show whatever matplotlib backend the environment sets.

With ``MPLBACKEND=Agg`` (common on servers and in CI) ipykernel keeps Agg, ``plt.show()`` displays
nothing and a student sees no figure. Each notebook therefore chooses the inline backend itself, with
``%matplotlib inline`` before it first imports pyplot.
"""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MAGIC = "%matplotlib inline"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_the_inline_backend_is_chosen_before_pyplot_is_used(path):
    sources = [cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    first_plot = next(i for i, source in enumerate(sources) if "plt." in source or "import matplotlib.pyplot" in source)
    chosen = [i for i, source in enumerate(sources) if any(line.strip() == MAGIC for line in source.splitlines())]
    assert chosen and chosen[0] <= first_plot, f"{path.name}: put `{MAGIC}` in the cell that imports pyplot"
    cell = sources[chosen[0]].splitlines()
    assert cell.index(MAGIC) < cell.index("import matplotlib.pyplot as plt")


def test_a_plotting_notebook_passes_nbval_with_the_agg_backend_in_the_environment():
    """Notebook 09 draws six figures: under MPLBACKEND=Agg without the magic, nbval finds them missing."""
    notebook = ROOT / "notebooks" / "09_transposed_convolution.ipynb"
    environment = {**os.environ, "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "--nbval-sanitize-with",
               str(ROOT / "tests" / "nbval-sanitize.cfg"), "--nbval-cell-timeout", "120", "-q",
               "-p", "no:cacheprovider", str(notebook)]
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
