"""Shared test set-up: the course's command-line tools (``tools/*.py``) importable by their tests."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
