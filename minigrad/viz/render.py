"""Finding a Graphviz engine and turning DOT text into SVG or PNG.

Order: the ``MINIGRAD_DOT`` environment variable (a path, or ``graphviz-pure`` / ``dot``),
then the ``graphviz-pure`` binary installed beside this Python (found by absolute path:
Jupyter kernels started by nbval do not have the venv's ``bin`` on ``PATH``), then a system
``dot``. With none, :class:`GraphvizNotFound` says what to install.

Example:
    >>> from minigrad.viz.render import pipe
    >>> pipe("digraph { a -> b }", "svg")[:5]
    b'<?xml'
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

__all__ = ["GraphvizNotFound", "find_dot", "pipe", "ENV_VAR"]

ENV_VAR = "MINIGRAD_DOT"
_BUNDLED = "graphviz-pure"
_FORMATS = ("svg", "png", "pdf", "dot", "plain", "json")


class GraphvizNotFound(RuntimeError):
    """No Graphviz engine could be found to render a diagram."""


def _bundled() -> str | None:
    names = [_BUNDLED, _BUNDLED + ".exe"]
    dirs = [Path(sys.executable).parent]
    scripts = sysconfig.get_path("scripts")
    if scripts:
        dirs.append(Path(scripts))
    for d in dirs:
        for name in names:
            p = d / name
            if p.is_file() and os.access(p, os.X_OK):
                return str(p.resolve())
    found = shutil.which(_BUNDLED)
    return str(Path(found).resolve()) if found else None


def find_dot() -> str:
    """The absolute path of the Graphviz executable minigrad renders with."""
    choice = os.environ.get(ENV_VAR, "").strip()
    if choice:
        if choice == _BUNDLED:
            path = _bundled()
        elif os.sep in choice or (os.altsep and os.altsep in choice):
            path = choice if Path(choice).is_file() else None
        else:
            path = shutil.which(choice)
        if path is None:
            raise GraphvizNotFound(
                f"{ENV_VAR}={choice!r} does not name a Graphviz executable; set it to the path "
                f"of a 'dot' binary, to 'graphviz-pure' or to 'dot', or unset it."
            )
        return path
    path = _bundled() or shutil.which("dot")
    if path is None:
        raise GraphvizNotFound(
            "No Graphviz engine found to render the diagram. Install the bundled engine with "
            "'pip install graphviz-pure' (no system package needed), or install Graphviz so "
            f"that 'dot' is on PATH, or set {ENV_VAR} to the path of a dot executable. "
            "The DOT text is available without an engine as diagram.source."
        )
    return path


def configure_graphviz_package() -> None:
    """Point the ``graphviz`` package at the same engine, so ``Digraph.render()`` works too."""
    import graphviz.backend.dot_command as dot_command

    dot_command.DOT_BINARY = Path(find_dot())


def pipe(source: str, format: str = "svg") -> bytes:  # noqa: A002 - graphviz's name
    """Render DOT ``source`` with the engine of :func:`find_dot`; return the output bytes."""
    if format not in _FORMATS:
        raise ValueError(f"format must be one of {', '.join(_FORMATS)}, got {format!r}")
    dot = find_dot()
    proc = subprocess.run(
        [dot, "-Kdot", f"-T{format}"],
        input=source.encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"{Path(dot).name} failed (exit {proc.returncode}): {err}")
    return proc.stdout
