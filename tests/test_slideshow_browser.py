"""Presenting live: every notebook with a widget as a RISE slideshow, in a real (headless) Chromium.

As docs/instructor-guide.md says: open ``/rise/notebooks/NN_name.ipynb`` and press Shift+Enter through
the cells; each runs in the notebook's kernel and the slideshow moves on. Then, on the slide of the
first slider, drag the slider's handle: its figure must change (the image's bytes differ). The test
fails when a widget shows as text (``VBox(children=...``: the widget manager did not load in RISE's
page; pyproject.toml's ``lab`` extra says why the versions are pinned), when a cell shows an error,
when the slide number RISE shows is not the one cnnlab/teaching/course.py gives the instructor, and
when the page asks for anything outside this machine or gets a 404 (``rise.css``, ``NN_name.css``),
and when a "For instructors" cell (slide type ``notes``) is not a hidden speaker note. Screenshots of
each widget slide go to ``build/screenshots/NN_name-slideshow.png``.

One JupyterLab server and one browser serve every notebook; each kernel is shut down after its
notebook. Skipped where Chromium or Playwright is missing (``make browser-deps``).
"""
import re
import time
from urllib.parse import urlsplit

import nbformat
import pytest

from _jupyterlab import (CELL_STATES, NOTEBOOKS, SCREENSHOTS, WIDGETS_AS_TEXT,
                         check_the_slider_redraws, shut_down_kernels, unexpected_errors, uses_widgets)
from cnnlab.teaching.course import COURSE

pytestmark = pytest.mark.browser

WIDGET_NOTEBOOKS = [path for path in NOTEBOOKS if uses_widgets(nbformat.read(path, as_version=4))]
LESSONS = {lesson.notebook: lesson for lesson in COURSE}
RUN_SECONDS = 180
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
PROMPTS = "() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent)"
ACTIVE_CELL = ("() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')]"
               ".findIndex(c => c.classList.contains('jp-mod-active'))")


def _ran_in_order(prompts):
    """Every code cell ran in this page: the prompts count up ([1], [2], ...) in the notebook's order and none
    waits ([*]). The prompts stored in the file need not count up, so they do not pass for a run."""
    numbers = [re.fullmatch(r"\s*\[(\d+)\]:?\s*", prompt) for prompt in prompts]
    return bool(numbers) and all(numbers) and all(int(a[1]) < int(b[1]) for a, b in zip(numbers, numbers[1:]))


def _wait_until_every_cell_ran(page, notebook, seconds):
    deadline = time.monotonic() + seconds
    while True:
        prompts = page.evaluate(PROMPTS)
        if _ran_in_order(prompts) or any(state["error"] for state in page.evaluate(CELL_STATES)):
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{notebook.name}: after Shift+Enter on every cell, the code cells' prompts are {prompts}")
        page.wait_for_timeout(1000)


def test_every_notebook_on_the_map_with_a_widget_slide_is_presented():
    """The course map promises a widget slide for these notebooks: each has a widget to present."""
    promised = {name for name, lesson in LESSONS.items() if lesson.widget_slides}
    assert promised == {path.name for path in WIDGET_NOTEBOOKS}


def _shift_enter_to_the_last_cell(page, cells):
    """Shift+Enter, as a presenter does, until the last cell is the active one (pressed on the last cell,
    RISE would add a new empty one). A key pressed while reveal.js moves to the next slide can be lost, so
    each press waits for the active cell to move on, and presses again if it did not."""
    for _ in range(3 * cells):
        active = page.evaluate(ACTIVE_CELL)
        if active >= cells - 1:
            return
        page.keyboard.press("Shift+Enter")
        for _ in range(40):  # up to 2 s, then the key counts as lost and is pressed again
            if page.evaluate(ACTIVE_CELL) != active:
                break
            page.wait_for_timeout(50)
    pytest.fail(f"Shift+Enter did not reach the last of {cells} cells")


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
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    requested, failed = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("response", lambda response: response.status >= 400 and failed.append(f"{response.status} {response.url}"))
    # A style sheet that 404s (RISE asks for rise.css and NN_name.css) is aborted by the browser, not answered.
    page.on("requestfailed", lambda request: failed.append(f"{request.failure} {request.url}"))
    try:
        page.goto(f"{base}/rise/notebooks/{notebook.name}?token={token}")
        page.wait_for_selector(".reveal .slides section .jp-Cell", timeout=60_000)
        # RISE has its own small app: wait until its kernel is up before the first Shift+Enter.
        page.wait_for_function("() => !!document.querySelector('.reveal .jp-Notebook')", timeout=30_000)
        page.wait_for_timeout(1000)
        page.locator(".reveal .jp-Notebook").first.focus()
        page.keyboard.press("Escape")
        _shift_enter_to_the_last_cell(page, len(stored.cells))
        if stored.cells[-1].cell_type == "code":
            page.keyboard.press("Control+Enter")
        _wait_until_every_cell_ran(page, notebook, RUN_SECONDS)
        states = page.evaluate(CELL_STATES)

        assert len(states) == len(stored.cells), "the slideshow shows another number of cells than the notebook holds"
        errors = unexpected_errors(stored, states)
        assert not errors, f"{notebook.name}: cells {errors} show an error in the slideshow"
        outputs = " ".join(page.locator(".reveal .jp-OutputArea").all_text_contents())
        as_text = WIDGETS_AS_TEXT.search(outputs)
        assert not as_text, (f"{notebook.name}: a widget shows as text in the slideshow ({as_text.group(0)}...): "
                             "the widget manager did not load in RISE's page")
        assert page.locator(".reveal .jupyter-widgets").count() > 0, f"{notebook.name}: no widget in the slideshow"

        # "For instructors" cells (slide type notes) go into reveal.js's speaker notes, off the projected slide.
        notes = sum(cell.metadata.get("slideshow", {}).get("slide_type") == "notes" for cell in stored.cells)
        asides = page.locator(".reveal aside.notes")
        assert asides.count() == notes, f"{notebook.name}: {notes} notes cells, {asides.count()} speaker notes"
        assert not any(aside.is_visible() for aside in asides.all()), f"{notebook.name}: a speaker note is on a slide"

        slider_cell = page.locator(".reveal .jp-CodeCell", has=page.locator(".widget-slider")).first
        if slider_cell.count():
            _show_the_slide_of(page, slider_cell)
            shown = page.locator(".reveal .slide-number").inner_text().split("/")[0].strip()
            assert shown in LESSONS[notebook.name].widget_slides, (
                f"{notebook.name}: the first slider is on slide {shown}, the course map says "
                f"{LESSONS[notebook.name].widget_slides}: update cnnlab/teaching/course.py")
            check_the_slider_redraws(page, slider_cell, notebook, drag=True)
            page.wait_for_timeout(500)  # the redrawn figure's layout settles
            page.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}-slideshow.png"))

        remote = [url for url in map(urlsplit, requested)
                  if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS]
        assert not remote, f"{notebook.name}: the slideshow asked the internet for {[u.geturl() for u in remote]}"
        assert not failed, f"{notebook.name}: the slideshow's page got errors for {failed}"
    finally:
        page.close()
        shut_down_kernels(base, token)
    assert notebook.read_bytes() == before, f"{notebook.name} was changed on disk by the slideshow"
