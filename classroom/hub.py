"""What ``classroom/jupyterhub_config.py`` needs: paths, settings read from the environment,
generated secrets, and the first-start copy of the learner notebooks.

Kept out of the config file so that the tests can import and check each piece alone. Every
setting has an environment variable (``MINIGRAD_HUB_*``), so a test or a teacher can change it
without editing the config:

=====================================  ==========================================  =========
variable                               meaning                                     default
=====================================  ==========================================  =========
``MINIGRAD_HUB_STATE``                 state folder (database, secrets, learners)  ``classroom/.state``
``MINIGRAD_HUB_PORT``                  public port of the proxy (the class URL)    8000
``MINIGRAD_HUB_API_PORT``              the hub's own port, behind the proxy        8081
``MINIGRAD_HUB_PROXY_API_PORT``        the proxy's REST API port                   8001
``MINIGRAD_HUB_SHARED_PASSWORD``       ``1``: one generated password for everyone  unset: any password
``MINIGRAD_HUB_ACTIVE_SERVER_LIMIT``   learner servers running at once             60
``MINIGRAD_HUB_CONCURRENT_SPAWN_LIMIT``  servers starting at once                  2 per core
``MINIGRAD_HUB_CULL_IDLE``             seconds idle before a server is stopped     3600
``MINIGRAD_HUB_CULL_EVERY``            seconds between two looks of the culler     60
=====================================  ==========================================  =========
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from nbformat.sign import NotebookNotary

from tools.lab import wait_for_http
from tools.notebooks import read

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parents[1]
CLASSROOM = REPO / "classroom"
# What every learner gets on first start: the learner copies (solutions stripped).
LEARNER_SOURCE = REPO / "course" / "learner"
START_LESSON = "00_start_here.ipynb"
# The proxy, installed by `make classroom` / `make venv` with `npm ci` from package-lock.json.
PROXY_BIN = CLASSROOM / "node_modules" / ".bin" / "configurable-http-proxy"
# Where a learner's server keeps its notebook signatures (trust), inside the learner's folder.
TRUST_SUBDIR = Path(".local", "share", "jupyter")


def venv_python() -> Path:
    """The project's interpreter, by absolute path: learner servers and their kernels do not
    have ``.venv/bin`` on PATH, so they must be started with it explicitly."""
    candidate = REPO / ".venv" / "bin" / "python"
    # sys.executable, not its resolved target: a venv's python must keep its venv path.
    return candidate if candidate.exists() else Path(sys.executable)


def env_int(name: str, default: int) -> int:
    """An integer setting from the environment (``default`` when unset or empty)."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def spawn_limit_default() -> int:
    """Servers starting at once, by default: two per CPU core (4 on 2 cores)."""
    return 2 * (os.cpu_count() or 1)


def state_dir() -> Path:
    """The hub's state folder (created): database, secrets, learners' folders. Gitignored."""
    path = Path(os.environ.get("MINIGRAD_HUB_STATE") or CLASSROOM / ".state").resolve()
    # Owner-only: it holds the database of tokens and every learner's work.
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def secret(path: Path, nbytes: int = 32) -> str:
    """The secret stored in ``path``, generated (hex, owner-only file) on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two hubs started at once never overwrite each other's secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(nbytes))
    return path.read_text().strip()


def seed_learner(home: Path, source: Path = LEARNER_SOURCE) -> list[Path]:
    """Copy the learner notebooks missing from ``home`` into it, and trust the copies.

    A file that already exists is never touched, whatever it holds: the learner's work wins.
    Only the fresh copies are signed, in the signature store the learner's server reads
    (``home/.local/share/jupyter``), so that their stored diagrams show before anything runs.
    Returns the files copied.
    """
    home.mkdir(parents=True, exist_ok=True)
    copied = []
    for src in sorted(source.glob("*.ipynb")):
        dest = home / src.name
        try:
            # "xb": fails if the file exists, so even a race with the learner cannot overwrite.
            with open(dest, "xb") as f:
                f.write(src.read_bytes())
        except FileExistsError:
            continue
        copied.append(dest)
    if copied:
        trust_dir = home / TRUST_SUBDIR
        trust_dir.mkdir(parents=True, exist_ok=True)  # the notary does not create it
        with NotebookNotary(data_dir=str(trust_dir)) as notary:
            for path in copied:
                notary.sign(read(path))
    return copied


def pre_spawn_hook(spawner) -> None:
    """JupyterHub's ``Spawner.pre_spawn_hook``: the learner's folder gets its notebooks."""
    home = Path(spawner.home_dir)
    seed_learner(home)
    # The server must read the store seed_learner signed in, whatever the hub's own environment.
    spawner.environment = {
        **spawner.environment,
        "JUPYTER_DATA_DIR": str(home / TRUST_SUBDIR),
    }


def is_root() -> bool:
    """Whether the hub runs as root (containers, CI): JupyterLab then needs ``allow_root``."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Poll the hub's API through the proxy until it answers (bounded)."""
    wait_for_http(f"{url}/hub/api/", proc, "JupyterHub", timeout)
