"""environment.yml (conda, Binder, JupyterHub) and pyproject.toml (pip) must list the same dependencies;
Binder reads its Python pin and runs postBuild."""
import json
import os
import re
import subprocess
import tomllib
import venv
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
        f"only in pyproject.toml: {sorted(set(pip) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(pip))}")


def test_the_same_version_bounds_are_listed():
    pip, conda = _pyproject_requirements(), _conda_requirements()
    for name in pip:
        assert pip[name] == conda[name], (
            f"{name}: pyproject.toml says {pip[name]!r}, environment.yml says {conda[name]!r}")


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


def test_python_is_pinned_in_the_form_binder_reads():
    """repo2docker takes the Python version only from `python=X.Y`; it must satisfy requires-python."""
    pins = re.findall(r"^\s{2}- python\s*(\S*)\s*$", (ROOT / "environment.yml").read_text(), flags=re.MULTILINE)
    assert len(pins) == 1 and re.fullmatch(r"=3\.\d+", pins[0]), f"environment.yml pins python as {pins}"
    minimum = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert minimum.startswith(">=")
    pinned, lowest = (tuple(int(part) for part in version.split(".")) for version in (pins[0][1:], minimum[2:]))
    assert pinned >= lowest, f"environment.yml pins python{pins[0]}, below requires-python {minimum}"


def test_binders_post_build_quiets_jupyterlab_in_the_environment_it_runs_in(tmp_path):
    """postBuild runs tools/quiet_jupyterlab.py for the prefix of the `python` on PATH, as in a Binder image."""
    prefix = tmp_path / "env"
    venv.create(prefix, with_pip=False, symlinks=True)
    path = f"{prefix / 'bin'}{os.pathsep}{os.environ['PATH']}"
    subprocess.run(["bash", str(ROOT / "postBuild")], cwd=ROOT, check=True, timeout=60,
                   env={**os.environ, "PATH": path})
    overrides = json.loads((prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"] == {"checkForUpdates": False, "fetchNews": "false"}
