"""`make slides` (tools/build_slides.py): every notebook becomes a reveal.js deck that works offline.

The decks are built for every notebook (a fraction of a second each, plus one npm install of the
JavaScript on a fresh clone). Then: no script, style sheet or CSS import is fetched from the
internet, every local file a deck loads exists, and each slide-show cell metadata is present. Where
Chromium and Playwright are installed, the first deck is opened from disk with the network closed
and must start reveal.js and typeset its maths.
"""
import re
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

from build_slides import JavaScriptUnavailable, build

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
REMOTE = re.compile(r"^(https?:)?//", re.IGNORECASE)
LOADED = re.compile(r"<(?:script|link|img)\b[^>]*?\b(?:src|href)=[\"']([^\"']+)[\"']", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import\s+(?:url\()?[\"']?([^\"')\s;]+)", re.IGNORECASE)
MODULE_IMPORT = re.compile(r"\bimport\s+[\w{}\s,*]+\s+from\s+[\"']([^\"']+)[\"']")
REQUIRED = re.compile(r"require\(\s*\{[^}]*\}\s*,\s*\[([^\]]*)\]", re.DOTALL)


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    try:
        return build(NOTEBOOKS, out)
    except JavaScriptUnavailable as error:
        pytest.skip(f"the decks' JavaScript could not be fetched from the npm registry: {error}")


def _loaded(deck):
    """Every URL a deck loads: script and link tags, ES module imports, require.js modules, CSS @imports."""
    html = deck.read_text(encoding="utf-8")
    urls = LOADED.findall(html) + MODULE_IMPORT.findall(html)
    for block in REQUIRED.findall(html):
        urls += re.findall(r"[\"']([^\"']+)[\"']", block)
    for css in [u for u in urls if u.endswith(".css") and not REMOTE.match(u)]:
        sheet = deck.parent / urlsplit(css).path
        if sheet.exists():
            urls += [str(Path(css).parent / imported) if not REMOTE.match(imported) else imported
                     for imported in CSS_IMPORT.findall(sheet.read_text(encoding="utf-8"))]
    return urls


def test_every_cell_says_how_it_shows_as_a_slide():
    for path in NOTEBOOKS:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            kind = cell.metadata.get("slideshow", {}).get("slide_type")
            assert kind in SLIDE_TYPES, (
                f"{path.name}, cell {index}: metadata.slideshow.slide_type is {kind!r}; "
                "run tools/execute_notebooks.py on it, which sets the defaults")


def test_a_deck_is_written_for_every_notebook(decks):
    assert sorted(deck.name for deck in decks) == sorted(f"{path.stem}.slides.html" for path in NOTEBOOKS)
    for deck in decks:
        assert deck.read_text(encoding="utf-8").count("<section") >= 2, f"{deck.name} has no slides"


def test_decks_load_nothing_from_the_internet(decks):
    for deck in decks:
        remote = [url for url in _loaded(deck) if REMOTE.match(url)]
        assert not remote, f"{deck.name} would fetch {remote} from the internet"
        assert not re.search(r"<(script|link)\b[^>]*(src|href)=[\"'](https?:)?//", deck.read_text(encoding="utf-8"))


def test_every_local_file_a_deck_loads_exists(decks):
    for deck in decks:
        urls = _loaded(deck)
        assert any("reveal.js" in url for url in urls) and any("require.js" in url for url in urls)
        for url in urls:
            path = urlsplit(url).path
            if url.startswith(("#", "data:")):
                continue
            if not Path(path).suffix:  # require.js adds ".js" to module names
                path += ".js"
            assert (deck.parent / path).is_file(), f"{deck.name} loads {url}, which is not in {deck.parent}"


def test_links_between_notebooks_lead_to_decks(decks):
    start = next(deck for deck in decks if deck.name.startswith("00_"))
    links = re.findall(r"href=\"([^\"#]+)\"", start.read_text(encoding="utf-8"))
    assert not [link for link in links if link.endswith(".ipynb")]


@pytest.mark.browser
def test_a_deck_opens_offline_in_chromium(decks, chromium):
    deck = next(deck for deck in decks if deck.name.startswith("00_"))
    remote = []
    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.on("request", lambda request: remote.append(request.url)
                if not request.url.startswith(("file:", "data:", "blob:")) else None)
        page.goto(deck.as_uri())
        page.wait_for_selector(".reveal.ready", timeout=20_000)
        page.wait_for_selector(".MathJax_CHTML", timeout=20_000)
    finally:
        page.close()
    assert not remote, f"the deck asked the network for {remote}"
