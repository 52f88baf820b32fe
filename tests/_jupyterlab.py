"""Shared by the browser tests: a throw-away JupyterLab server, and what they read in its pages.

``running_lab`` starts JupyterLab from the test interpreter on a free localhost port with a random
token, a throw-away settings and workspace folder (autosave off, so the stored notebooks are never
rewritten; every cell rendered, so the page can be read) and the repository as its root, and stops
it and its kernels afterwards. tests/conftest.py turns it into the ``lab`` fixture.
"""
import contextlib
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

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SCREENSHOTS = ROOT / "build" / "screenshots"
# What a widget looks like when no widget manager renders it: its repr, as text.
WIDGETS_AS_TEXT = re.compile(r"\b(?:Int|Float)(?:Range)?Slider\(value=|\binteractive\(children=|\bVBox\(children=")
# Lab settings for the run: keep the repository's notebooks as they are, render every cell
# (JupyterLab otherwise renders only the cells in view), no pop-up about news over the page.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"checkForUpdates": False, "fetchNews": "false"},
}

# In the page: for each cell, whether it is code, whether it has run ([n]:) and whether an output
# is a traceback (an error output renders as stderr text holding "Traceback" or "Error").
CELL_STATES = """() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(cell => ({
    code: cell.classList.contains('jp-CodeCell'),
    ran: /\\[\\d+\\]/.test(cell.querySelector('.jp-InputPrompt')?.textContent || ''),
    error: [...cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
        .some(output => /Traceback|^\\w*Error\\b/m.test(output.textContent)),
}))"""
# Every code cell has run, or one shows an error (then waiting longer would not help).
ALL_CELLS_RAN = f"""() => {{
    const cells = ({CELL_STATES})();
    return cells.length > 0 && (cells.some(c => c.error) || cells.every(c => !c.code || c.ran));
}}"""


def uses_widgets(notebook):
    """Whether any code cell of the notebook (an ``nbformat`` node) makes an ipywidgets control.

    Seen in the code (``interact``, ``ipywidgets``, ``widget(``) or in the stored outputs (a widget view):
    explorers such as ``activation_explorer()`` name no widget in the notebook itself.
    """
    return any(re.search(r"\binteract|ipywidgets|widgets?\(", cell.source)
               or any("application/vnd.jupyter.widget-view+json" in output.get("data", {}) for output in cell.outputs)
               for cell in notebook.cells if cell.cell_type == "code")


def unexpected_errors(notebook, states):
    """Indices of the cells whose page ``states`` (from ``CELL_STATES``) show an error, less those the
    notebook (an ``nbformat`` node) tags ``raises-exception``."""
    allowed = {index for index, cell in enumerate(notebook.cells)
               if "raises-exception" in cell.metadata.get("tags", [])}
    return [index for index, state in enumerate(states) if state["error"] and index not in allowed]


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


@contextlib.contextmanager
def running_lab(home):
    """A JupyterLab server with its settings in the folder ``home``: yields (base URL, token)."""
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
    environment = {**os.environ, "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
                   "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    with open(home / "server.log", "w") as log:
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


def shut_down_kernels(base, token):
    """One notebook's kernel at a time: the machine has 2 cores and every kernel holds its arrays."""
    with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=10) as response:
        kernels = json.load(response)
    for kernel in kernels:
        request = urllib.request.Request(f"{base}/api/kernels/{kernel['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()


def check_the_slider_redraws(page, cell, notebook, drag=False):
    """Press → on the cell's first slider (or, with ``drag``, drag its handle): the figure's image must change.

    In a slideshow reveal.js takes → for the next slide, so there the handle is dragged with the mouse.
    """
    cell.scroll_into_view_if_needed()
    figure = cell.locator(".jp-OutputArea-output .jupyter-widgets img, .jp-OutputArea-output .widget-output img").first
    figure.wait_for(timeout=20_000)
    before = figure.get_attribute("src")
    handle = cell.locator(".widget-slider .noUi-handle").first
    if drag:
        box = handle.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 + 15, box["y"] + box["height"] / 2, steps=5)
        page.mouse.up()
    else:
        handle.focus()
        handle.press("ArrowRight")
    deadline = time.monotonic() + 20
    # The locator looks the image up again each time: the redraw may replace the <img> element.
    while figure.count() == 0 or figure.get_attribute("src") == before:
        if time.monotonic() > deadline:
            pytest.fail(f"{notebook.name}: moving the first slider did not change its figure")
        page.wait_for_timeout(250)
