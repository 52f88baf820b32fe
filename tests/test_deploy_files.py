"""The deploy/ kit where it cannot run here (no Docker daemon, no Kubernetes): read and checked.

deploy/Dockerfile and deploy/config.yaml (Zero to JupyterHub values) are parsed; deploy/jupyterhub_config.py
is loaded as JupyterHub loads it. They must agree on the image, set one BLAS thread per user, open
JupyterLab, never turn authentication off and never run the students' servers as root.
"""
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
THREAD_SETTINGS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# Authenticators that let anyone in.
OPEN_DOORS = {"dummy", "null", "jupyterhub.auth.DummyAuthenticator", "jupyterhub.auth.NullAuthenticator"}
UNITS = {"K": 2**10, "M": 2**20, "G": 2**30}


def _values():
    return yaml.safe_load((DEPLOY / "config.yaml").read_text())


def _dockerfile():
    """Instructions of deploy/Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def _hub_config():
    """deploy/jupyterhub_config.py as JupyterHub loads it (``get_config`` provided)."""
    config = Config()
    source = (DEPLOY / "jupyterhub_config.py").read_text()
    exec(compile(source, str(DEPLOY / "jupyterhub_config.py"), "exec"),
         {"get_config": lambda: config, "__file__": str(DEPLOY / "jupyterhub_config.py")})
    return config


def _bytes(size):
    return float(size[:-1]) * UNITS[size[-1]]


def _version():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_the_image_is_named_alike_in_config_yaml_the_dockerfile_and_the_readme():
    image = _values()["singleuser"]["image"]
    reference = f"{image['name']}:{image['tag']}"
    assert image["tag"] == _version(), "tag the image with the course's version in pyproject.toml"
    build = f"docker build -f deploy/Dockerfile -t {reference} ."
    assert build in (DEPLOY / "Dockerfile").read_text()
    assert build in (DEPLOY / "README.md").read_text()
    assert f"docker push {reference}" in (DEPLOY / "README.md").read_text()


def test_the_dockerfile_builds_on_docker_stacks_with_the_course_and_one_thread():
    instructions = _dockerfile()
    arguments = dict(value.split("=", 1) for kind, value in instructions if kind == "ARG" and "=" in value)
    assert instructions[[kind for kind, _ in instructions].index("FROM")] == ("FROM", "${BASE_IMAGE}")
    assert re.fullmatch(r"quay\.io/jupyter/[a-z-]+-notebook:\d{4}-\d{2}-\d{2}", arguments["BASE_IMAGE"]), \
        "a Jupyter Docker Stacks image pinned by its date tag"
    environment = dict(re.findall(r"(\w+)=(\S+)", " ".join(value for kind, value in instructions if kind == "ENV")))
    assert THREAD_SETTINGS.items() <= environment.items()
    assert "lab" in arguments["COURSE_EXTRAS"].split(",")
    runs = " ".join(value for kind, value in instructions if kind == "RUN")
    assert 'pip install --no-cache-dir -e "/opt/cnnlab[${COURSE_EXTRAS}]"' in runs and "nbgitpuller" in runs
    assert "tools/quiet_jupyterlab.py" in runs


def test_the_image_ends_as_the_notebook_user_not_root():
    users = [value for kind, value in _dockerfile() if kind == "USER"]
    assert users and users[-1] == "${NB_UID}"
    assert _values()["singleuser"]["uid"] == 1000


def test_config_yaml_has_the_class_settings():
    singleuser = _values()["singleuser"]
    assert singleuser["defaultUrl"] == "/lab"
    assert singleuser["extraEnv"] == THREAD_SETTINGS
    for resource in ("cpu", "memory"):
        assert set(singleuser[resource]) == {"guarantee", "limit"}, resource
    assert 0 < singleuser["cpu"]["guarantee"] <= singleuser["cpu"]["limit"] == 1, "one BLAS thread uses one core"
    memory = singleuser["memory"]
    # tests/test_hub.py measured about 320 MB for a server whose kernel trained Ex. 3.1 (deploy/README.md).
    assert 320 * 2**20 < _bytes(memory["guarantee"]) <= _bytes(memory["limit"])
    cull = _values()["cull"]
    assert cull["enabled"] is True and 0 < cull["every"] < cull["timeout"]


def test_config_yaml_delivers_the_course_with_nbgitpuller_into_cnnlab_course():
    from nbgitpuller_link import COURSE_FOLDER

    command = _values()["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[0] == "gitpuller" and len(command) == 4
    assert command[1].startswith("https://") and command[3] == COURSE_FOLDER


def test_config_yaml_names_a_real_authenticator():
    hub_config = _values()["hub"]["config"]
    authenticator = hub_config["JupyterHub"]["authenticator_class"]
    assert authenticator not in OPEN_DOORS
    assert "GitHubOAuthenticator" in hub_config and hub_config["GitHubOAuthenticator"]["allowed_organizations"]


def test_the_single_machine_config_keeps_authentication_and_no_root_servers():
    config = _hub_config()
    assert config.JupyterHub.authenticator_class not in OPEN_DOORS
    assert config.JupyterHub.spawner_class in ("localprocess", "systemdspawner.SystemdSpawner"), \
        "each student's server runs as their own account"
    assert "root" in config.Authenticator.blocked_users
    assert config.JupyterHub.bind_url.startswith("http://127.0.0.1:"), "behind an HTTPS front end only"
    assert "--allow-root" not in config.Spawner.get("args", [])


def test_the_single_machine_config_opens_lab_with_one_thread_and_culls_idle_servers():
    config = _hub_config()
    assert config.Spawner.default_url == "/lab"
    assert config.Spawner.environment == THREAD_SETTINGS
    assert config.Spawner.cmd[0].endswith("jupyterhub-singleuser")
    assert _bytes(config.Spawner.mem_limit) == _bytes(_values()["singleuser"]["memory"]["limit"])
    assert config.Spawner.cpu_limit == _values()["singleuser"]["cpu"]["limit"]
    (culler,) = config.JupyterHub.services
    assert culler["command"][1:3] == ["-m", "jupyterhub_idle_culler"]
    (role,) = config.JupyterHub.load_roles
    assert role["services"] == [culler["name"]] and "delete:servers" in role["scopes"]


@pytest.mark.parametrize("section", ["Dockerfile", "config.yaml", "jupyterhub_config.py", "nbgitpuller link",
                                     "Binder", "Measured"])
def test_the_readme_has_a_section_per_part_of_the_kit(section):
    headings = re.findall(r"^##+ (.+)$", (DEPLOY / "README.md").read_text(), flags=re.MULTILINE)
    assert any(section in heading for heading in headings), f"deploy/README.md has no section on {section}"
