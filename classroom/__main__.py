"""Start the class hub for a trial run: ``python -m classroom`` (``make classroom`` runs it).

JupyterHub with ``classroom/jupyterhub_config.py`` on 127.0.0.1; once it answers, prints the
URL and how to log in. Ctrl-C stops it (and with it every learner's server). Options set the
``MINIGRAD_HUB_*`` variables the config reads.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence

from classroom import hub
from tools.lab import run_in_foreground


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom", description=__doc__)
    parser.add_argument("--port", type=int, default=8000, help="the class URL's port (8000)")
    parser.add_argument(
        "--shared-password",
        action="store_true",
        help="one generated password for everyone (default: any password is accepted)",
    )
    args = parser.parse_args(argv)
    if not hub.PROXY_BIN.exists():
        print(f"error: {hub.PROXY_BIN} is missing: run `make classroom`", file=sys.stderr)
        return 2
    env = {**os.environ, "MINIGRAD_HUB_PORT": str(args.port)}
    if args.shared_password:
        env["MINIGRAD_HUB_SHARED_PASSWORD"] = "1"
    state = hub.state_dir()
    url = f"http://{hub.HOST}:{args.port}"
    cmd = [
        str(hub.venv_python()),
        "-m",
        "jupyterhub",
        "-f",
        str(hub.CLASSROOM / "jupyterhub_config.py"),
    ]
    # The hub writes nothing into the repository but its state folder.
    proc = subprocess.Popen(cmd, cwd=state, env=env)

    def on_ready() -> None:
        hub.wait_until_up(url, proc)
        password = (
            f"the class password: {(state / 'password').read_text().strip()}"
            if args.shared_password
            else "any password (trial only)"
        )
        bar = "=" * 72
        print(
            f"\n{bar}\nThe class hub is running at\n\n    {url}/\n\n"
            f"Log in with any name and {password}.\nJupyterLab opens on lesson 00. "
            f"Learners' folders: {state / 'learners'}/<name>\n"
            f"Stop it with Ctrl-C in this terminal.\n{bar}\n",
            flush=True,
        )

    return run_in_foreground(proc, on_ready, "the hub and the learners' servers", grace=60)


if __name__ == "__main__":
    sys.exit(main())
