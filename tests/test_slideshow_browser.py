"""Presenting live: every notebook with a widget as a RISE slideshow, in a real (headless) Chromium.

As docs/instructor-guide.md says: open ``/rise/notebooks/NN_name.ipynb`` and press Shift+Enter through
the cells; each runs in the notebook's kernel and the slideshow moves on. Then, on the slide of the
first slider, drag the slider's handle: its figure must change (the image's bytes differ). The test
fails when a widget shows as text (``VBox(children=...``: the widget manager did not load in RISE's
page; pyproject.toml's ``lab`` extra says why the versions are pinned), when a cell shows an error,
when the slide number RISE shows is not the one cnnlab/teaching/course.py gives the instructor, and
when the page asks for anything outside this machine or gets a 404 (``rise.css``, ``NN_name.css``).
It also opens the speaker view (T) and finds the notebook's notes there. Screenshots of each widget
slide go to ``build/screenshots/NN_name-slideshow.png``.

One JupyterLab server and one browser serve every notebook; each kernel is shut down after its
notebook. Skipped where Chromium or Playwright is missing (``make browser-deps``).
"""
import re
from urllib.parse import urlsplit

import nbformat
import pytest

from _jupyterlab import (CELL_STATES, NOTEBOOKS, SCREENSHOTS, WIDGETS_AS_TEXT,
                         check_the_slider_redraws, shut_down_kernels, uses_widgets)
from cnnlab.teaching.course import COURSE

pytestmark = pytest.mark.browser

WIDGET_NOTEBOOKS = [path for path in NOTEBOOKS if uses_widgets(nbformat.read(path, as_version=4))]
LESSONS = {lesson.notebook: lesson for lesson in COURSE}
RUN_TIMEOUT_MS = 180_000
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Every code cell ran in this page: their prompts count up ([1], [2], ...) in the notebook's order, none
# is waiting ([*]) - the stored prompts of the file need not - or a cell shows an error.
RAN_IN_ORDER = f"""() => {{
    const cells = ({CELL_STATES})();
    if (cells.some(c => c.error)) return true;
    const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
        .map(p => (p.textContent.match(/\\[(\\d+)\\]/) || [])[1]);
    return prompts.length > 0 && prompts.every((n, i) => n !== undefined && (i === 0 || +n > +prompts[i - 1]));
}}"""


def test_every_notebook_on_the_map_with_a_widget_slide_is_presented():
    """The course map promises a widget slide for these notebooks: each has a widget to present."""
    promised = {name for name, lesson in LESSONS.items() if lesson.widget_slides}
    assert promised == {path.name for path in WIDGET_NOTEBOOKS}


def _press(page, key, times):
    for _ in range(times):
        page.keyboard.press(key)
        # RISE moves to the next slide after some cells: a key pressed during the move is lost.
        page.wait_for_timeout(250)


def _show_the_slide_of(page, cell):
    """Go to the reveal.js slide that holds ``cell`` (through the URL's #/h/v, which reveal.js follows)."""
    h, v = cell.evaluate("""cell => {
        const section = cell.closest('.reveal .slides section');
        const top = section.parentElement.matches('.reveal .slides') ? section : section.parentElement;
        const stack = [...top.parentElement.children].filter(e => e.tagName === 'SECTION');
        const inner = [...top.children].filter(e => e.tagName === 'SECTION');
        return [stack.indexOf(top), Math.max(inner.indexOf(section), 0)];
    }""")
    page.evaluate(f"location.hash = '#/{h}/{v}'")
    page.wait_for_function("cell => cell.closest('section').classList.contains('present')", arg=cell.element_handle(),
                           timeout=10_000)
    page.wait_for_timeout(500)  # reveal.js's slide transition


@pytest.mark.parametrize("notebook", WIDGET_NOTEBOOKS, ids=lambda path: path.stem)
def test_the_slideshow_runs_with_live_widgets(lab, chromium, notebook):
    base, token = lab
    stored = nbformat.read(notebook, as_version=4)
    before = notebook.read_bytes()
    allowed_errors = {index for index, cell in enumerate(stored.cells)
                      if "raises-exception" in cell.metadata.get("tags", [])}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    requested, failed = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("response", lambda response: response.status >= 400 and failed.append(f"{response.status} {response.url}"))
    try:
        page.goto(f"{base}/rise/notebooks/{notebook.name}?token={token}")
        page.wait_for_selector(".reveal .slides section .jp-Cell", timeout=60_000)
        # RISE has its own small app: wait until its kernel is up before the first Shift+Enter.
        page.wait_for_function("() => !!document.querySelector('.reveal .jp-Notebook')", timeout=30_000)
        page.wait_for_timeout(2000)
        page.locator(".reveal .jp-Notebook").first.focus()
        page.keyboard.press("Escape")
        # Shift+Enter through every cell but the last (past the last one RISE adds a new empty cell).
        _press(page, "Shift+Enter", len(stored.cells) - 1)
        if stored.cells[-1].cell_type == "code":
            page.keyboard.press("Control+Enter")
        page.wait_for_function(RAN_IN_ORDER, timeout=RUN_TIMEOUT_MS, polling=500)
        states = page.evaluate(CELL_STATES)

        assert len(states) == len(stored.cells), "the slideshow shows another number of cells than the notebook holds"
        errors = [index for index, state in enumerate(states) if state["error"] and index not in allowed_errors]
        assert not errors, f"{notebook.name}: cells {errors} show an error in the slideshow"
        outputs = " ".join(page.locator(".reveal .jp-OutputArea").all_text_contents())
        as_text = WIDGETS_AS_TEXT.search(outputs)
        assert not as_text, (f"{notebook.name}: a widget shows as text in the slideshow ({as_text.group(0)}...): "
                             "the widget manager did not load in RISE's page")
        assert page.locator(".reveal .jupyter-widgets").count() > 0, f"{notebook.name}: no widget in the slideshow"

        slider_cell = page.locator(".reveal .jp-CodeCell", has=page.locator(".widget-slider")).first
        if slider_cell.count():
            _show_the_slide_of(page, slider_cell)
            shown = page.locator(".reveal .slide-number").inner_text().split("/")[0].strip()
            assert shown in LESSONS[notebook.name].widget_slides, (
                f"{notebook.name}: the first slider is on slide {shown}, the course map says "
                f"{LESSONS[notebook.name].widget_slides}: update cnnlab/teaching/course.py")
            check_the_slider_redraws(page, slider_cell, notebook, drag=True)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}-slideshow.png"))

        remote = [url for url in requested
                  if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname not in LOCAL_HOSTS]
        assert not remote, f"{notebook.name}: the slideshow asked the internet for {remote}"
        assert not failed, f"{notebook.name}: the slideshow's page got errors for {failed}"
    finally:
        page.close()
        shut_down_kernels(base, token)
    assert notebook.read_bytes() == before, f"{notebook.name} was changed on disk by the slideshow"
