"""Open the course in JupyterLab: ``python -m tools.lab`` (``make course`` runs it).

The server binds the loopback interface, uses a free port (or ``--port``), a fresh random token,
the ``course/`` folder as its root, and opens ``00_start_here.ipynb``. ``make course`` makes
the virtualenv first; here, before the server starts:

- every notebook under ``course/`` (lessons and learner copies) is *trusted*: signed in a
  signature store of this environment (``<sys.prefix>/share/jupyter/minigrad-trust``, created
  on first use), which the server is told to use. JupyterLab shows stored SVG and HTML outputs
  only in trusted notebooks, so the diagrams and flipbooks show before anything runs;
- JupyterLab gets settings that keep it quiet: no news prompt, no update check (written to a
  temporary settings folder; the learner's own settings are not touched);
- the server saves a stepper's output as its flipbook (:func:`keep_flipbooks`): a lesson the
  learner ran and saved shows the flipbook when reopened, not "Error displaying widget".

On a machine with no screen (no ``DISPLAY``) no browser is started; the URL to paste is
printed either way.

Example::

    python -m tools.lab --port 8888
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nbformat.sign import NotebookNotary

from .notebooks import COURSE_DIR, read

START_LESSON = "00_start_here.ipynb"
HOST = "127.0.0.1"
# The repository: the server runs from here, so that it can import keep_flipbooks.
REPO = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# The course's own signature store, in this environment: a fresh machine gets one on first use.
TRUST_DIR = Path(sys.prefix) / "share" / "jupyter" / "minigrad-trust"

# No requests to the internet from the learner's JupyterLab: no news feed, no update check,
# no extension search (the course needs no extension: ipywidgets 8 ships its own).
QUIET_LAB = (
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
)
# ... and no prompt about them in the page: the server options above do not stop JupyterLab's
# frontend from asking "Would you like to receive official Jupyter news?"; these settings do.
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def trust_notebooks(root: Path, trust_dir: Path = TRUST_DIR) -> list[Path]:
    """Sign every notebook under ``root`` (lessons and learner copies) in ``trust_dir``'s store.

    A server started with ``--NotebookNotary.data_dir=<trust_dir>`` (see :func:`lab_command`)
    then opens them trusted. Checkpoints are skipped; the files themselves are not changed.
    """
    trust_dir.mkdir(parents=True, exist_ok=True)
    signed = []
    with NotebookNotary(data_dir=str(trust_dir)) as notary:
        for path in sorted(root.rglob("*.ipynb")):
            if ".ipynb_checkpoints" in path.parts:
                continue
            nb = read(path)
            if not notary.check_signature(nb):
                notary.sign(nb)
            signed.append(path)
    return signed


def keep_flipbooks(model: dict, **_: Any) -> None:
    """The server's pre-save hook: a stepper's output is saved without its widget view.

    Its widget state is not saved, so when the notebook is opened again without a kernel
    JupyterLab would show "Error displaying widget: model not found" where the stepper was;
    without the view it shows the stepper's flipbook (its ``text/html``) until the cell runs.
    The page keeps the live widget while it is open. Other widgets are left alone.
    """
    if model.get("type") != "notebook":
        return
    for cell in model["content"].get("cells", []):
        for out in cell.get("outputs") or []:
            data = out.get("data") or {}
            html = data.get("text/html", "")
            if WIDGET_VIEW in data and 'class="mg-flipbook"' in "".join(html):
                del data[WIDGET_VIEW]


def lab_settings(folder: Path, extra: dict | None = None) -> Path:
    """A JupyterLab application-settings folder: this environment's own settings (if any)
    with :data:`QUIET_SETTINGS` (and ``extra``) laid over them in ``overrides.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    overrides: dict = {}
    # JupyterLab's application folder (``jupyter lab path``); its settings/ rarely exists.
    app_dir = os.environ.get("JUPYTERLAB_DIR") or Path(sys.prefix) / "share" / "jupyter" / "lab"
    existing = Path(app_dir) / "settings"
    if existing.is_dir():
        for item in existing.iterdir():
            if item.is_file():
                (folder / item.name).write_bytes(item.read_bytes())
        if (existing / "overrides.json").is_file():
            overrides = json.loads((existing / "overrides.json").read_text(encoding="utf-8"))
    for plugin, values in {**QUIET_SETTINGS, **(extra or {})}.items():
        overrides[plugin] = {**overrides.get(plugin, {}), **values}
    (folder / "overrides.json").write_text(json.dumps(overrides, indent=2), encoding="utf-8")
    return folder


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
    settings: Path | None = None,
    trust_dir: Path = TRUST_DIR,
    extra: Sequence[str] = (),
) -> list[str]:
    """The ``jupyter lab`` command line, run with this interpreter (so the kernel is this venv's),
    from :data:`REPO` (the server imports :func:`keep_flipbooks` from there).

    ``settings`` is a folder from :func:`lab_settings`; ``trust_dir`` the signature store of
    :func:`trust_notebooks`. ``--ServerApp.answer_yes`` makes one Ctrl-C stop the server
    without a y/n question.
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
        f"--NotebookNotary.data_dir={trust_dir}",
        "--ContentsManager.pre_save_hook=tools.lab.keep_flipbooks",
        *QUIET_LAB,
        *([f"--LabApp.app_settings_dir={settings}"] if settings is not None else []),
        # Containers (and CI) often run as root, which JupyterLab refuses unless told.
        *(["--ServerApp.allow_root=True"] if _is_root() else []),
        *extra,
    ]


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def lesson_url(host: str, port: int, token: str, lesson: str = START_LESSON) -> str:
    """The URL that opens ``lesson`` and logs in with ``token``."""
    return f"http://{host}:{port}/lab/tree/{lesson}?token={token}"


def wait_for_http(url: str, proc: subprocess.Popen, name: str, timeout: float = 120.0) -> None:
    """Poll ``url`` until it answers 200; raise if ``proc`` (called ``name`` in the
    messages) exits first, or when ``timeout`` seconds pass: the loop is bounded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with code {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{name} did not answer at {url.split('?')[0]} within {timeout:.0f} s")


def wait_until_ready(
    host: str, port: int, token: str, proc: subprocess.Popen, timeout: float = 120.0
) -> None:
    """Poll the server's status API until it answers; raise if the process dies or times out."""
    wait_for_http(f"http://{host}:{port}/api/status?token={token}", proc, "JupyterLab", timeout)


def run_in_foreground(
    proc: subprocess.Popen, on_ready: Callable[[], None], name: str, grace: float
) -> int:
    """Wait for ``proc`` until it exits or Ctrl-C, after ``on_ready()`` (which waits for it
    to answer and prints how to reach it); stop it cleanly on Ctrl-C or an error.

    A terminal's Ctrl-C reaches the child too; a SIGINT or SIGTERM sent to this launcher
    alone does not, so pass it on: the server then shuts its kernels (or servers) down,
    given ``grace`` seconds before it is killed. Returns the exit code.
    """
    # A plain `kill` of this launcher stops the server too instead of orphaning it.
    signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    try:
        on_ready()
        return proc.wait()
    except KeyboardInterrupt:
        print(f"\nStopping {name}...", flush=True)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            return proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()
    except (RuntimeError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=grace)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.lab",
        description="Open the minigrad course in JupyterLab (loopback only, with a token).",
        epilog="Other options (e.g. --ServerApp.xxx=...) are passed on to JupyterLab.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to use (default: a free one)")
    parser.add_argument("--ip", default=HOST, help=f"interface to bind (default: {HOST})")
    parser.add_argument("--lesson", default=START_LESSON, help="notebook to open first")
    parser.add_argument("--no-browser", action="store_true", help="only print the URL")
    parser.add_argument("--course-dir", type=Path, default=None, help="folder of the notebooks")
    parser.add_argument(
        "--trust-dir", type=Path, default=TRUST_DIR, help=f"signature store (default {TRUST_DIR})"
    )
    args, extra = parser.parse_known_args(argv)

    root = (args.course_dir or COURSE_DIR).resolve()
    if not (root / args.lesson).is_file():
        print(
            f"error: {root / args.lesson} not found (run from a clone of the repository)",
            file=sys.stderr,
        )
        return 2
    trust_notebooks(root, args.trust_dir)
    with tempfile.TemporaryDirectory(prefix="minigrad-lab-settings-") as tmp:
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
            settings=lab_settings(Path(tmp)),
            trust_dir=args.trust_dir,
            extra=extra,
        )
        return _serve(cmd, args.ip, port, token, args.lesson, open_browser)


def _serve(
    cmd: list[str], host: str, port: int, token: str, lesson: str, open_browser: bool
) -> int:
    """Run JupyterLab until it exits or Ctrl-C; print the lesson URL once it answers."""
    proc = subprocess.Popen(cmd, cwd=REPO)

    def on_ready() -> None:
        wait_until_ready(host, port, token, proc)
        url = lesson_url(host, port, token, lesson)
        bar = "=" * 72
        print(f"\n{bar}\nThe minigrad course is running in JupyterLab.", flush=True)
        if not open_browser:
            print("No browser was opened (no display); open this URL in one:")
        else:
            print("If no browser window opened, open this URL:")
        print(f"\n    {url}\n\nStop JupyterLab with Ctrl-C in this terminal.\n{bar}\n", flush=True)

    return run_in_foreground(proc, on_ready, "JupyterLab", grace=20)


if __name__ == "__main__":
    sys.exit(main())
