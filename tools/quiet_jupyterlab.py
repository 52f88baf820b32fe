"""Turn off JupyterLab's news and update pop-ups, and RISE's web fonts, inside a virtual environment.

Students work offline: a pop-up asking to fetch news from the internet only distracts them,
and in front of a class it covers the slides. Usage: ``python tools/quiet_jupyterlab.py .venv``.
"""
import json
import sys
from pathlib import Path

settings = Path(sys.argv[1]) / "share" / "jupyter" / "lab" / "settings"
settings.mkdir(parents=True, exist_ok=True)
overrides = settings / "overrides.json"
current = json.loads(overrides.read_text()) if overrides.exists() else {}
current["@jupyterlab/apputils-extension:notification"] = {"checkForUpdates": False, "fetchNews": "false"}
# RISE's default theme loads Google Fonts; "white" uses the system's, so slides look the same offline.
# Slide numbers as "current/total": the instructor guide names the widget slides by these numbers.
# A slide taller than the screen (code, controls and figure) scrolls instead of being cut off.
current["jupyterlab-rise:plugin"] = {"theme": "white", "slideNumber": "c/t", "scroll": True}
overrides.write_text(json.dumps(current, indent=2) + "\n")
