"""The notebooks as a student sees them: JupyterLab in a real (headless) Chromium.

The ``lab`` fixture (tests/conftest.py, tests/_jupyterlab.py) starts a throw-away JupyterLab server on
localhost with autosave off, so the stored notebooks are never rewritten. For each
notebook the browser clears the outputs, runs Run → Run All Cells, waits until every cell has run,
and checks: no cell shows an error (apart from cells tagged ``raises-exception``), widgets render as
controls and not as text such as ``IntSlider(value=...)``, and pressing an arrow key on the first
slider redraws its figure. Screenshots go to ``build/screenshots/``. The server is stopped at the end.

Skipped, with the reason, where Chromium (Debian's /usr/bin/chromium) or Playwright is missing:
``make browser-deps`` installs both where it can. Run alone with ``make test-browser``.

Which notebooks: the slideshow test (tests/test_slideshow_browser.py) runs every notebook's widgets live in
RISE's page, the stricter of the two (it shares fewer packages with the widget manager). Here, in
JupyterLab's own page, run the notebook ``make lab`` opens (00) and the notebooks that between them make
every kind of control the course uses: a Play button and Dropdowns (01), SelectMultiple, ToggleButtons and
a FloatRangeSlider (02), the pooling explorer of docs/course-map.md's screenshot (04), ``interact``, a
FloatLogSlider and the training progress bar (06). Each notebook runs in full, in its own kernel, as a student's does.
``test_every_kind_of_control_is_run_in_jupyterlab`` holds the list to that promise.
"""
import re

import ipywidgets
import nbformat
import pytest

from _jupyterlab import (CELL_STATES, NOTEBOOKS, ROOT, SCREENSHOTS, WIDGETS_AS_TEXT, check_the_slider_redraws,
                         shut_down_kernels, unexpected_errors, uses_widgets)

RUN_TIMEOUT_MS = 120_000
IN_JUPYTERLAB = ["00_start_here", "01_convolution", "02_activations", "04_pooling_upsampling_flattening",
                 "06_initialisation"]
LAB_NOTEBOOKS = [path for path in NOTEBOOKS if path.stem in IN_JUPYTERLAB]

pytestmark = pytest.mark.browser


# Every control class ipywidgets offers, and the course's own modules, to see which a notebook makes.
CONTROLS = sorted(name for name, value in vars(ipywidgets).items()
                  if isinstance(value, type) and issubclass(value, ipywidgets.DOMWidget) and name[0].isupper())
MAKES_A_CONTROL = re.compile(r"\b(interact|" + "|".join(CONTROLS) + r")\(")
COURSE_MODULE = re.compile(r"^\s*from (cnnlab(?:\.\w+)*) import", re.MULTILINE)
CNNLAB = ROOT / "cnnlab"


def _controls_of(notebook):
    """The control classes (and ``interact``) named in the notebook's code or in a cnnlab package it imports
    from (every module of that package: an explorer is built in its lesson's widgets.py)."""
    code = "\n".join(cell.source for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "code")
    sources = [code]
    for module in set(COURSE_MODULE.findall(code)) - {"cnnlab"}:
        folder = CNNLAB.joinpath(*module.split(".")[1:])
        files = sorted(folder.glob("*.py")) if folder.is_dir() else [folder.with_suffix(".py")]
        sources += [path.read_text() for path in files]
    return set(MAKES_A_CONTROL.findall("\n".join(sources)))


def test_every_kind_of_control_is_run_in_jupyterlab():
    """The notebooks run here make between them every control the whole course makes."""
    everywhere = set().union(*map(_controls_of, NOTEBOOKS))
    here = set().union(*map(_controls_of, LAB_NOTEBOOKS))
    assert {"interact", "IntSlider", "Dropdown", "IntProgress"} <= everywhere, "the control finder finds nothing"
    assert everywhere - here == set(), f"no notebook run in JupyterLab makes {sorted(everywhere - here)}: add one"


def _menu(page, menu, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).first.click()


IDLE = "() => /\\| Idle/.test(document.querySelector('#jp-main-statusbar')?.textContent || '')"
FINISHED = f"""() => {{
    const cells = ({CELL_STATES})();
    const status = document.querySelector('#jp-main-statusbar')?.textContent || '';
    return cells.length > 0 && /\\| Idle/.test(status)
        && (cells.some(c => c.error) || cells.every(c => !c.code || c.ran));
}}"""


def _wait_until_idle(page, timeout_ms):
    page.wait_for_function(IDLE, timeout=timeout_ms)


@pytest.mark.parametrize("notebook", LAB_NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_in_jupyterlab_with_live_widgets(lab, chromium, notebook):
    base, token = lab
    stored = nbformat.read(notebook, as_version=4)
    before = notebook.read_bytes()
    widgets = uses_widgets(stored)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{base}/lab/tree/notebooks/{notebook.name}?token={token}&reset")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        _wait_until_idle(page, 60_000)
        _menu(page, "Edit", "Clear Outputs of All Cells")
        _menu(page, "Run", "Run All Cells")
        page.wait_for_function(FINISHED, timeout=RUN_TIMEOUT_MS, polling=500)
        states = page.evaluate(CELL_STATES)
        page.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}.png"))

        assert len(states) == len(stored.cells), "the page shows another number of cells than the notebook holds"
        errors = unexpected_errors(stored, states)
        assert not errors, f"{notebook.name}: cells {errors} show an error in JupyterLab"
        not_run = [index for index, state in enumerate(states) if state["code"] and not state["ran"]]
        assert not not_run, f"{notebook.name}: cells {not_run} did not run"

        outputs = " ".join(page.locator(".jp-OutputArea").all_text_contents())
        assert not WIDGETS_AS_TEXT.search(outputs), (
            f"{notebook.name}: a widget shows as text ({WIDGETS_AS_TEXT.search(outputs).group(0)}...) after running")
        if widgets:
            assert page.locator(".jupyter-widgets").count() > 0, f"{notebook.name}: no widget rendered as a control"
        slider_cell = page.locator(".jp-CodeCell", has=page.locator(".widget-slider")).first
        if widgets and slider_cell.count():
            check_the_slider_redraws(page, slider_cell, notebook)
            _wait_until_idle(page, 30_000)
            slider_cell.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}-widget.png"))
    finally:
        page.close()
        shut_down_kernels(base, token)
    assert notebook.read_bytes() == before, f"{notebook.name} was changed on disk by the browser run"
