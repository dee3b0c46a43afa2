"""Open the course in JupyterLab: ``python -m minigrad.course.lab`` (``make course`` runs it).

The server binds the loopback interface, uses a free port (or ``--port``), a fresh random token,
the ``course/`` folder as its root, and opens ``00_start_here.ipynb``. Nothing is installed or
created here: ``make course`` makes the virtualenv first. On a machine with no screen (no
``DISPLAY``) no browser is started; the URL to paste is printed either way.

Example::

    python -m minigrad.course.lab --port 8888
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from minigrad.course.notebooks import COURSE_DIR

START_LESSON = "00_start_here.ipynb"
HOST = "127.0.0.1"

# No requests to the internet from the learner's JupyterLab: no news feed, no update check,
# no extension search (the course needs no extension: ipywidgets 8 ships its own).
QUIET_LAB = (
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
)


def free_port(host: str = HOST) -> int:
    """A TCP port that is free on ``host`` right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def has_display() -> bool:
    """Whether a browser can open a window here (always on macOS and Windows)."""
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def lab_command(
    root: Path,
    *,
    port: int,
    token: str,
    host: str = HOST,
    lesson: str = START_LESSON,
    open_browser: bool = False,
    extra: Sequence[str] = (),
) -> list[str]:
    """The ``jupyter lab`` command line, run with this interpreter (so the kernel is this venv's).

    ``--ServerApp.answer_yes`` makes one Ctrl-C stop the server without a y/n question.
    """
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.ip={host}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.open_browser={open_browser}",
        "--ServerApp.answer_yes=True",
        f"--LabApp.default_url=/lab/tree/{lesson}",
        *QUIET_LAB,
        # Containers (and CI) often run as root, which JupyterLab refuses unless told.
        *(["--ServerApp.allow_root=True"] if _is_root() else []),
        *extra,
    ]


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def lesson_url(host: str, port: int, token: str, lesson: str = START_LESSON) -> str:
    """The URL that opens ``lesson`` and logs in with ``token``."""
    return f"http://{host}:{port}/lab/tree/{lesson}?token={token}"


def wait_until_ready(
    host: str, port: int, token: str, proc: subprocess.Popen, timeout: float = 120.0
) -> None:
    """Poll the server's status API until it answers; raise if the process dies or times out."""
    url = f"http://{host}:{port}/api/status?token={token}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise TimeoutError(f"JupyterLab did not answer on {host}:{port} within {timeout:.0f} s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m minigrad.course.lab",
        description="Open the minigrad course in JupyterLab (loopback only, with a token).",
        epilog="Other options (e.g. --ServerApp.xxx=...) are passed on to JupyterLab.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to use (default: a free one)")
    parser.add_argument("--ip", default=HOST, help=f"interface to bind (default: {HOST})")
    parser.add_argument("--lesson", default=START_LESSON, help="notebook to open first")
    parser.add_argument("--no-browser", action="store_true", help="only print the URL")
    parser.add_argument("--course-dir", type=Path, default=None, help="folder of the notebooks")
    args, extra = parser.parse_known_args(argv)

    root = (args.course_dir or COURSE_DIR).resolve()
    if not (root / args.lesson).is_file():
        print(
            f"error: {root / args.lesson} not found (run from a clone of the repository)",
            file=sys.stderr,
        )
        return 2
    port = args.port or free_port(args.ip)
    token = secrets.token_hex(24)
    open_browser = has_display() and not args.no_browser
    cmd = lab_command(
        root,
        port=port,
        token=token,
        host=args.ip,
        lesson=args.lesson,
        open_browser=open_browser,
        extra=extra,
    )
    proc = subprocess.Popen(cmd)
    # A plain `kill` of this launcher stops JupyterLab too instead of orphaning it.
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        wait_until_ready(args.ip, port, token, proc)
        url = lesson_url(args.ip, port, token, args.lesson)
        bar = "=" * 72
        print(f"\n{bar}\nThe minigrad course is running in JupyterLab.", flush=True)
        if not open_browser:
            print("No browser was opened (no display); open this URL in one:")
        else:
            print("If no browser window opened, open this URL:")
        print(f"\n    {url}\n\nStop JupyterLab with Ctrl-C in this terminal.\n{bar}\n", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        # A terminal's Ctrl-C reaches JupyterLab too; a SIGINT sent to this launcher alone does
        # not, so pass it on. JupyterLab then shuts its kernels down (answer_yes: no question).
        print("\nStopping JupyterLab...", flush=True)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            return proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()
    except (RuntimeError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
        return 1


if __name__ == "__main__":
    sys.exit(main())
