"""environment.yml (conda, Binder, JupyterHub) and pyproject.toml (pip) must list the same dependencies."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement):
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = project["dependencies"]
    test = project["optional-dependencies"]["test"]
    return {_name(r): r.replace(" ", "") for r in runtime + test}


def _conda_requirements():
    """The conda packages under ``dependencies:`` (not the channels, python or pip itself)."""
    names, in_dependencies = {}, False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if not line.startswith(" "):
            in_dependencies = line.startswith("dependencies:")
            continue
        match = re.match(r"^\s{2}- ([A-Za-z0-9_.\-]+[^:]*)$", line)
        if in_dependencies and match and _name(match.group(1)) not in ("python", "pip"):
            names[_name(match.group(1))] = match.group(1).replace(" ", "")
    return names


def test_the_same_packages_are_listed():
    pip, conda = _pyproject_requirements(), _conda_requirements()
    assert set(pip) == set(conda), (
        f"only in pyproject.toml: {sorted(set(pip) - set(conda))}; only in environment.yml: {sorted(set(conda) - set(pip))}")


def test_the_same_version_bounds_are_listed():
    pip, conda = _pyproject_requirements(), _conda_requirements()
    for name in pip:
        assert pip[name] == conda[name], f"{name}: pyproject.toml says {pip[name]!r}, environment.yml says {conda[name]!r}"


def test_pyproject_lists_the_course_dependencies():
    assert {"numpy", "matplotlib", "ipywidgets", "jupyterlab", "scikit-image"} <= set(_pyproject_requirements())


def _conda_pip_requirements():
    """The pip section of environment.yml, less the course itself (`-e .`)."""
    names = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        match = re.match(r"^\s{6}- ([A-Za-z0-9_.\-]+[^:]*)$", line)
        if match and not match.group(1).startswith("-e"):
            names[_name(match.group(1))] = match.group(1).replace(" ", "")
    return names


def test_the_lab_extra_is_in_the_pip_section():
    """`make lab` installs the `lab` extra (RISE); conda users get it from environment.yml's pip section."""
    lab = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["lab"]
    assert {_name(r): r.replace(" ", "") for r in lab} == _conda_pip_requirements()
