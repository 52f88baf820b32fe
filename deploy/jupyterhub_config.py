"""JupyterHub for the course on one machine (a lab server, or a set-up in the style of The Littlest JupyterHub).

Start it as root, from the environment the course is installed in (``pip install -e ".[lab,hub]"``
and ``npm install configurable-http-proxy``): ``jupyterhub -f deploy/jupyterhub_config.py``.
Each student logs in as their own system account; their server runs as that account (never as
root) in their home directory. tests/test_hub.py loads this very file and puts its test set-up on
top (a test login, temporary homes, free ports), so what is shipped here is what the test runs.
"""
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides get_config when it loads this file)

# One BLAS/OpenMP thread per student: on a shared machine, two threads per user made training several
# times slower (see README.md, "Dependencies and why"). Keep in step with deploy/Dockerfile and
# deploy/config.yaml: tests/test_deploy_files.py checks all three.
THREADS_PER_USER = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# The hub listens on this machine only: put a web server with HTTPS in front (nginx, Caddy, Apache),
# or give JupyterHub a certificate (c.JupyterHub.ssl_cert / ssl_key) and bind to "https://:443".
c.JupyterHub.bind_url = "http://127.0.0.1:8000"

# --- Who may log in: the administrator sets the real authenticator here. -----------------------------
# The default below is PAM: the machine's own accounts and passwords. For a university login use an
# OAuthenticator instead (pip install oauthenticator): set the authenticator class to "generic-oauth"
# (or "github", "google", "azuread", "cilogon") and give c.GenericOAuthenticator its client_id and
# client_secret. Or LDAP (pip install jupyterhub-ldapauthenticator): the authenticator class is
# "ldapauthenticator.LDAPAuthenticator".
c.JupyterHub.authenticator_class = "pam"
# The class list and the teachers: one name per line in these files, next to this one.
HERE = Path(__file__).resolve().parent
for setting, list_file in (("allowed_users", "students.txt"), ("admin_users", "teachers.txt")):
    names = (HERE / list_file).read_text().split() if (HERE / list_file).exists() else []
    if names:
        setattr(c.Authenticator, setting, set(names))
# Nobody runs a server as root, whatever the authenticator says.
c.Authenticator.blocked_users = {"root"}

# --- Each student's server. ---------------------------------------------------------------------------
# LocalProcessSpawner starts the server as the student's own account, in their home directory. For
# enforced CPU and memory limits on one machine, use systemdspawner (as The Littlest JupyterHub does):
# set the spawner class to "systemdspawner.SystemdSpawner".
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.default_url = "/lab"
c.Spawner.environment = dict(THREADS_PER_USER)
# Measured (deploy/README.md): a server with a kernel that trained Ex. 3.1 held about 320 MB, two notebooks
# open about 0.6 GB; one BLAS thread uses at most one core. Enforced by systemdspawner and KubeSpawner,
# not by LocalProcessSpawner (which only passes them on as MEM_LIMIT and CPU_LIMIT).
c.Spawner.mem_limit = "1G"
c.Spawner.cpu_limit = 1.0
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60

# --- The proxy: configurable-http-proxy, from `npm install configurable-http-proxy` (deploy/README.md).
local_proxy = HERE.parent / "build" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [str(local_proxy) if local_proxy.exists() else
                                   shutil.which("configurable-http-proxy") or "configurable-http-proxy"]

# --- Idle culling: stop servers nobody has used for an hour, so a class's memory comes back. -----------
c.JupyterHub.load_roles = [{
    "name": "jupyterhub-idle-culler-role",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["jupyterhub-idle-culler-service"],
}]
c.JupyterHub.services = [{
    "name": "jupyterhub-idle-culler-service",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600", "--cull-every=300"],
}]

# --- State: the hub's database, cookie secret and logs, kept together in the hub's own folder. --------
STATE = Path("/srv/jupyterhub")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
