"""The notebooks as a student sees them: JupyterLab in a real (headless) Chromium.

The ``lab`` fixture (tests/conftest.py, tests/_jupyterlab.py) starts a throw-away JupyterLab server on
localhost with autosave off, so the stored notebooks are never rewritten. For each
notebook the browser clears the outputs, runs Run → Run All Cells, waits until every cell has run,
and checks: no cell shows an error (apart from cells tagged ``raises-exception``), widgets render as
controls and not as text such as ``IntSlider(value=...)``, and pressing an arrow key on the first
slider redraws its figure. Screenshots go to ``build/screenshots/``. The server is stopped at the end.

Skipped, with the reason, where Chromium (Debian's /usr/bin/chromium) or Playwright is missing:
``make browser-deps`` installs both where it can. Run alone with ``make test-browser``.
"""
import re

import nbformat
import pytest

from _jupyterlab import (CELL_STATES, NOTEBOOKS, SCREENSHOTS, WIDGETS_AS_TEXT, check_the_slider_redraws,
                         shut_down_kernels, unexpected_errors, uses_widgets)

RUN_TIMEOUT_MS = 120_000

pytestmark = pytest.mark.browser


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


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
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
