"""The notebooks as a student sees them: JupyterLab in a real (headless) Chromium.

A JupyterLab server from the test interpreter starts on a free localhost port with a random token,
a throw-away settings and workspace folder (autosave off, so the stored notebooks are never
rewritten; every cell rendered, so the page can be read) and the repository as its root. For each
notebook the browser clears the outputs, runs Run → Run All Cells, waits until every cell has run,
and checks: no cell shows an error (apart from cells tagged ``raises-exception``), widgets render as
controls and not as text such as ``IntSlider(value=...)``, and pressing an arrow key on the first
slider redraws its figure. Screenshots go to ``build/screenshots/``. The server is stopped at the end.

Skipped, with the reason, where Chromium (Debian's /usr/bin/chromium) or Playwright is missing:
``make browser-deps`` installs both where it can. Run alone with ``make test-browser``.
"""
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SCREENSHOTS = ROOT / "build" / "screenshots"
WIDGETS_AS_TEXT = re.compile(r"\b(?:Int|Float)(?:Range)?Slider\(value=|\binteractive\(children=|\bVBox\(children=")
# Lab settings for the run: keep the repository's notebooks as they are, render every cell
# (JupyterLab otherwise renders only the cells in view), no pop-up about news over the page.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"checkForUpdates": False, "fetchNews": "false"},
}
RUN_TIMEOUT_MS = 120_000

pytestmark = pytest.mark.browser


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_ready(url, server, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer {url} within {seconds} s")


@pytest.fixture(scope="module")
def lab(tmp_path_factory, chromium):
    """A running JupyterLab: yields (base URL, token); stops it and its kernels afterwards."""
    home = tmp_path_factory.mktemp("jupyterlab")
    for plugin, values in LAB_SETTINGS.items():
        path = home / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    token, port = secrets.token_hex(16), _free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--ServerApp.token={token}",
               f"--LabApp.user_settings_dir={home / 'settings'}", f"--LabApp.workspaces_dir={home / 'workspaces'}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    environment = {**os.environ, "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    log = open(home / "server.log", "w")
    server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(f"{base}/api/status?token={token}", server)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _shut_down_kernels(base, token):
    """One notebook's kernel at a time: the machine has 2 cores and every kernel holds its arrays."""
    with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=10) as response:
        kernels = json.load(response)
    for kernel in kernels:
        request = urllib.request.Request(f"{base}/api/kernels/{kernel['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()


def _menu(page, menu, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).first.click()


# In the page: for each cell, whether it is code, whether it has run ([n]:) and whether an output
# is a traceback (an error output renders as stderr text holding "Traceback" or "Error").
CELL_STATES = """() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(cell => ({
    code: cell.classList.contains('jp-CodeCell'),
    ran: /\\[\\d+\\]/.test(cell.querySelector('.jp-InputPrompt')?.textContent || ''),
    error: [...cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
        .some(output => /Traceback|^\\w*Error\\b/m.test(output.textContent)),
}))"""
IDLE = "() => /\\| Idle/.test(document.querySelector('#jp-main-statusbar')?.textContent || '')"
FINISHED = f"""() => {{
    const cells = ({CELL_STATES})();
    const status = document.querySelector('#jp-main-statusbar')?.textContent || '';
    return cells.length > 0 && /\\| Idle/.test(status) && (cells.some(c => c.error) || cells.every(c => !c.code || c.ran));
}}"""


def _wait_until_idle(page, timeout_ms):
    page.wait_for_function(IDLE, timeout=timeout_ms)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_in_jupyterlab_with_live_widgets(lab, chromium, notebook):
    base, token = lab
    stored = nbformat.read(notebook, as_version=4)
    before = notebook.read_bytes()
    allowed_errors = {index for index, cell in enumerate(stored.cells)
                      if "raises-exception" in cell.metadata.get("tags", [])}
    uses_widgets = any(re.search(r"\binteract|ipywidgets|widgets?\(", cell.source)
                       for cell in stored.cells if cell.cell_type == "code")
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
        errors = [index for index, state in enumerate(states) if state["error"] and index not in allowed_errors]
        assert not errors, f"{notebook.name}: cells {errors} show an error in JupyterLab"
        not_run = [index for index, state in enumerate(states) if state["code"] and not state["ran"]]
        assert not not_run, f"{notebook.name}: cells {not_run} did not run"

        outputs = " ".join(page.locator(".jp-OutputArea").all_text_contents())
        assert not WIDGETS_AS_TEXT.search(outputs), (
            f"{notebook.name}: a widget shows as text ({WIDGETS_AS_TEXT.search(outputs).group(0)}...) after running")
        if uses_widgets:
            assert page.locator(".jupyter-widgets").count() > 0, f"{notebook.name}: no widget rendered as a control"
        slider_cell = page.locator(".jp-CodeCell", has=page.locator(".widget-slider")).first
        if uses_widgets and slider_cell.count():
            _check_the_slider_redraws(page, slider_cell, notebook)
    finally:
        page.close()
        _shut_down_kernels(base, token)
    assert notebook.read_bytes() == before, f"{notebook.name} was changed on disk by the browser run"


def _check_the_slider_redraws(page, cell, notebook):
    """Press → on the cell's first slider: the figure's image must change."""
    cell.scroll_into_view_if_needed()
    figure = cell.locator(".jp-OutputArea-output .jupyter-widgets img, .jp-OutputArea-output .widget-output img").first
    figure.wait_for(timeout=20_000)
    before = figure.get_attribute("src")
    handle = cell.locator(".widget-slider .noUi-handle").first
    handle.focus()
    handle.press("ArrowRight")
    deadline = time.monotonic() + 20
    # The locator looks the image up again each time: the redraw may replace the <img> element.
    while figure.count() == 0 or figure.get_attribute("src") == before:
        if time.monotonic() > deadline:
            pytest.fail(f"{notebook.name}: pressing → on the first slider did not change its figure")
        page.wait_for_timeout(250)
    _wait_until_idle(page, 30_000)
    cell.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}-widget.png"))
