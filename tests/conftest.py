"""Shared test set-up: the course's tools importable by their tests, a headless Chromium and a JupyterLab."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from _jupyterlab import running_lab  # noqa: E402  (tests/ is on sys.path: pytest puts it there)

CHROMIUM = Path("/usr/bin/chromium")
# Chromium as root needs --no-sandbox; the rest stop it calling home, which this offline machine refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# The slowest modules and notebooks first (seconds measured in one process on this 2-core machine): `make test`
# runs two pytest-xdist workers, each takes a whole module or notebook, and the short ones then fill in beside
# the long ones instead of one long one starting last.
SLOWEST_FIRST = [
    "tests/test_slideshow_browser.py",      # 270 s: every notebook presented in RISE
    "tests/test_student_version.py",        # 100 s: every student version executed
    "notebooks/08_problem_types.ipynb",     # 36 s
    "tests/test_browser.py",                # 70 s: five notebooks in JupyterLab
    "tests/test_grading_course.py",         # 35 s: nbgrader on notebook 03
    "tests/test_grading.py",                # 25 s
    "notebooks/05_three_layer_cnn.ipynb",   # 16 s
    "notebooks/07_batchnorm_dropout.ipynb",  # 16 s
]


def pytest_collection_modifyitems(config, items):
    """Put the modules and notebooks of :data:`SLOWEST_FIRST` first, in its order; the rest keep theirs."""
    rank = {path: index for index, path in enumerate(SLOWEST_FIRST)}
    root = Path(config.rootpath)
    items.sort(key=lambda item: rank.get(Path(item.path).relative_to(root).as_posix(), len(rank)))


# Module scope: Playwright's sync API holds an event loop while it runs, so it is closed before
# other modules (nbclient, nbval) start their own.
@pytest.fixture(scope="module")
def chromium():
    """Debian's headless Chromium driven by Playwright; skips where either is missing (never downloads one)."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed ({CHROMIUM}): `make browser-deps` installs it where apt works")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed: `make browser-deps` installs the browser extra")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory, chromium):
    """A running JupyterLab (after ``chromium``, so it skips first): yields (base URL, token), then stops it."""
    with running_lab(tmp_path_factory.mktemp("jupyterlab")) as base_and_token:
        yield base_and_token
