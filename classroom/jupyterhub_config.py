"""JupyterHub for a class taking the minigrad course: ``make classroom`` starts it for a trial.

One OS user runs everything: each learner gets a JupyterLab server of the project's ``.venv``
in their own folder, ``<state>/learners/<name>``, which holds a copy of the learner notebooks
made on first start (never overwriting what is there). Only 127.0.0.1 is bound; the cookie
secret, the proxy's token and the optional shared password are generated into the state
folder on first start and never committed. Settings come from ``MINIGRAD_HUB_*`` environment
variables (see ``classroom/hub.py``).

    .venv/bin/python -m jupyterhub -f classroom/jupyterhub_config.py
"""

import sys
from pathlib import Path

# The repository, so that `classroom.hub` and `tools` import from the hub process.
REPO = str(Path(__file__).resolve().parents[1])
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from classroom import hub  # noqa: E402
from tools.lab import QUIET_LAB, lab_settings  # noqa: E402

c = get_config()  # noqa: F821 (JupyterHub defines it when it loads this file)

STATE = hub.state_dir()
# Server extensions off in learners' servers, each costing every start CPU and memory:
# language servers (for code files, not notebooks), and nbgrader's pages, for the teacher
# (formgrader, course list) and for learners (assignment list, validate), which need an
# nbgrader exchange this hub does not set up: the teacher collects from the learners' folders.
# Without them a server starts with 2.3 s of CPU instead of 3.0 s, and holds 82 MB, not 118.
LEARNER_OFF = (
    "jupyter_lsp",
    *(
        f"nbgrader.server_extensions.{ext}"
        for ext in ("formgrader", "course_list", "assignment_list", "validate_assignment")
    ),
)
PYTHON = str(hub.venv_python())

# --- network: loopback only -------------------------------------------------------------------
c.JupyterHub.ip = hub.HOST
c.JupyterHub.port = hub.env_int("MINIGRAD_HUB_PORT", 8000)
c.JupyterHub.hub_ip = hub.HOST
c.JupyterHub.hub_port = hub.env_int("MINIGRAD_HUB_API_PORT", 8081)
c.ConfigurableHTTPProxy.api_url = (
    f"http://{hub.HOST}:{hub.env_int('MINIGRAD_HUB_PROXY_API_PORT', 8001)}"
)
c.ConfigurableHTTPProxy.command = [str(hub.PROXY_BIN)]
c.Spawner.ip = hub.HOST  # the learners' servers too (JupyterHub's default, said explicitly)
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")

# --- state and secrets: generated here, in the (gitignored) state folder ----------------------
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "cookie_secret")
hub.secret(STATE / "cookie_secret")  # written owner-only before JupyterHub reads it
c.ConfigurableHTTPProxy.auth_token = hub.secret(STATE / "proxy_token")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")

# --- who may log in: a trial authenticator ----------------------------------------------------
if hub.env_int("MINIGRAD_HUB_SHARED_PASSWORD", 0):
    # Any name, one generated password for the whole class (JupyterHub's successor of
    # DummyAuthenticator's password).
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = hub.secret(STATE / "password", 8)
else:
    c.JupyterHub.authenticator_class = "dummy"  # any name, any password: trial only
c.Authenticator.allow_all = True

# --- the learners' servers --------------------------------------------------------------------
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "learners" / "{username}")
c.Spawner.pre_spawn_hook = hub.pre_spawn_hook
# The venv's python by absolute path: its kernels run the same interpreter (the default
# kernel is the server's own sys.executable), with minigrad and the course installed.
c.Spawner.cmd = [PYTHON, "-m", "classroom.singleuser"]  # jupyterhub.singleuser, faster
c.Spawner.default_url = f"/lab/tree/{hub.START_LESSON}"
c.Spawner.environment = {
    # tools.lab.keep_flipbooks (the pre-save hook) imports from the repository.
    "PYTHONPATH": REPO,
    "PATH": f"{Path(PYTHON).parent}:/usr/local/bin:/usr/bin:/bin",
    # labconfig/page_config.json there hides nbgrader's JupyterLab menus, whose server side is
    # off (LEARNER_OFF).
    "JUPYTER_CONFIG_PATH": str(hub.CLASSROOM / "learner-config"),
}
c.Spawner.args = [
    *QUIET_LAB,
    f"--LabApp.app_settings_dir={lab_settings(STATE / 'lab-settings')}",
    "--ContentsManager.pre_save_hook=tools.lab.keep_flipbooks",
    *(f"--ServerApp.jpserver_extensions={ext}=False" for ext in LEARNER_OFF),
    *(["--ServerApp.allow_root=True"] if hub.is_root() else []),
]
# A loaded machine starts servers slowly; JupyterHub's 30 s/60 s defaults fail them.
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 180

# --- how many at once -------------------------------------------------------------------------
c.JupyterHub.active_server_limit = hub.env_int("MINIGRAD_HUB_ACTIVE_SERVER_LIMIT", 60)
# Servers starting at once: a start is CPU work, so a few at a time finish sooner than many
# sharing the cores, and too few leave cores idle while refused learners wait to retry.
# Measured with 20 learners on 2 cores (tests/classroom/test_load.py), login -> first cell
# p50/p95: 2 at once 34/60 s; 4 at once 24/41, 29/44, 24/40 s (three runs); 8 at once 32/45 s.
c.JupyterHub.concurrent_spawn_limit = hub.env_int(
    "MINIGRAD_HUB_CONCURRENT_SPAWN_LIMIT", hub.spawn_limit_default()
)
# Refused learners are told to retry soon (Retry-After): a spawn here takes seconds, not the
# 30-60 s JupyterHub suggests by default. The trait is not configurable in JupyterHub 6.1, but
# tornado_settings override the value it hands its handlers.
c.JupyterHub.tornado_settings = {"spawn_throttle_retry_range": (2, 6)}

# --- idle servers are stopped by jupyterhub-idle-culler, a hub service ------------------------
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            PYTHON,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={hub.env_int('MINIGRAD_HUB_CULL_IDLE', 3600)}",
            f"--cull-every={hub.env_int('MINIGRAD_HUB_CULL_EVERY', 60)}",
        ],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "description": "Stop learners' servers that have been idle",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
