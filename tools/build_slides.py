"""Render every notebook as a reveal.js slide deck that works offline, into ``build/slides/``.

Usage: ``python tools/build_slides.py [--out build/slides] notebooks/*.ipynb``

``jupyter nbconvert --to slides`` loads reveal.js, require.js, jQuery and MathJax from CDNs by
default, so in a classroom without internet a deck shows as one long plain page. Here the same
exporter points at local copies, fetched once with npm from the npm registry into
``build/slides-js/`` (nothing is vendored in the repository) and copied beside the decks into
``build/slides/lib/``, so the folder can be zipped, put on a USB stick and opened from disk.
Each cell's ``metadata.slideshow.slide_type`` (set by tools/execute_notebooks.py) decides the slides.
"""
import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

from nbconvert import SlidesExporter

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "slides" / "offline.html.j2"
#: npm packages and the versions the decks were checked with (MathJax 2: nbconvert's template calls MathJax.Hub).
PACKAGES = {"reveal.js": "5.2.1", "requirejs": "2.3.8", "jquery": "3.7.1", "mathjax": "2.7.9"}
#: The exporter's settings: URLs as the decks see them, relative to build/slides/, and a theme whose
#: fonts ship with reveal.js ("simple", nbconvert's default, imports its fonts from Google).
SETTINGS = {
    "reveal_theme": "white",
    "reveal_url_prefix": "lib/reveal.js",
    "require_js_url": "lib/require.js",
    "jquery_url": "lib/jquery.min.js",
    "mathjax_url": "lib/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
}


NOTEBOOK_LINK = re.compile(r'href="(\d\d_[A-Za-z0-9_]+)\.ipynb')


class JavaScriptUnavailable(RuntimeError):
    """npm is missing or the registry cannot be reached, so the decks cannot be made offline."""


def fetch_javascript(cache):
    """Install the pinned npm packages into ``cache`` (once) and return its node_modules folder."""
    modules = cache / "node_modules"
    if all((modules / name / "package.json").exists() for name in PACKAGES):
        return modules
    npm = shutil.which("npm")
    if npm is None:
        raise JavaScriptUnavailable("npm is not installed: install Node.js and npm (Debian: apt-get install npm)")
    cache.mkdir(parents=True, exist_ok=True)
    specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
    done = subprocess.run([npm, "install", "--prefix", str(cache), "--no-save", "--no-package-lock",
                           "--no-audit", "--no-fund", "--loglevel=error", *specs],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise JavaScriptUnavailable(f"npm install {' '.join(specs)} failed:\n{done.stderr.strip()[-1500:]}")
    return modules


def _mathjax_ignore(folder, names):
    """Keep what the decks load: the TeX-AMS_CHTML-full configuration, CommonHTML output, TeX fonts as woff."""
    folder = Path(folder)
    skip = {"unpacked", "test", "docs", "localization", "a11y"}
    if folder.name == "config":
        skip |= {name for name in names if name not in ("TeX-AMS_CHTML-full.js", "Safe.js", "local")}
    if folder.name == "HTML-CSS" and folder.parent.name == "fonts":
        skip |= {name for name in names if name != "TeX"}
    if folder.name == "TeX" and folder.parent.name == "HTML-CSS":
        skip |= {name for name in names if name != "woff"}
    if folder.name == "output" and folder.parent.name == "jax":
        skip |= {name for name in names if name != "CommonHTML"}
    return skip & set(names)


def copy_mathjax(modules, destination):
    """Copy MathJax 2 from ``modules`` into ``destination``, trimmed to what nbconvert's pages load."""
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(modules / "mathjax", destination, ignore=_mathjax_ignore)


def copy_javascript(modules, lib):
    """Copy what the decks load from ``modules`` into ``lib`` (build/slides/lib)."""
    if lib.exists():
        shutil.rmtree(lib)
    lib.mkdir(parents=True)
    reveal = lib / "reveal.js"
    shutil.copytree(modules / "reveal.js" / "dist", reveal / "dist")
    shutil.copytree(modules / "reveal.js" / "plugin" / "notes", reveal / "plugin" / "notes")
    shutil.copy(modules / "requirejs" / "require.js", lib / "require.js")
    shutil.copy(modules / "jquery" / "dist" / "jquery.min.js", lib / "jquery.min.js")
    copy_mathjax(modules, lib / "mathjax")


def exporter():
    slides = SlidesExporter(template_file=str(TEMPLATE))
    for name, value in SETTINGS.items():
        setattr(slides, name, value)
    return slides


def build(notebooks, out, cache=ROOT / "build" / "slides-js"):
    """Write ``out/NAME.slides.html`` for each notebook, with the JavaScript in ``out/lib``.

    The JavaScript comes from npm and is kept in ``cache``.
    """
    modules = fetch_javascript(cache)
    copy_javascript(modules, out / "lib")
    slides = exporter()
    written = []
    for notebook in notebooks:
        html, _ = slides.from_filename(str(notebook))
        # A link to another notebook of the course opens that notebook's deck.
        html = NOTEBOOK_LINK.sub(r'href="\1.slides.html', html)
        deck = out / f"{Path(notebook).stem}.slides.html"
        deck.write_text(html, encoding="utf-8")
        written.append(deck)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "slides")
    args = parser.parse_args(argv)
    try:
        for deck in build(args.notebooks, args.out):
            print(f"{deck}")
    except JavaScriptUnavailable as error:
        sys.exit(f"make slides: {error}")


if __name__ == "__main__":
    main()
