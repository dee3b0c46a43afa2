"""What the lessons declare about themselves, and the course's checked-in list of known gaps.

Every lesson's notebook metadata has a ``minigrad`` entry (the authoring guide,
``course/README.md``, explains each key):

- ``minutes``: the time estimate the opening states;
- ``concepts``: ``{"2.3": "EDSXT", ...}``, the syllabus concepts the lesson teaches and which
  teaching elements it provides for each (upper case: done; lower case: present but not yet
  to the standard);
- ``introduces``: the public minigrad API the lesson teaches (names as the API-order tracer
  records them, ``fnmatch`` patterns allowed).

Cells carry ``minigrad`` metadata too: ``teaches`` (concept ids the cell is evidence for),
``crosscheck`` (concept id -> fact keys of the torch cross-check) and ``diagram_facts``.

``course/known_gaps.json`` lists what phase 2 of the course work still has to do; every
test that reads it fails when an entry is obsolete, so the list can only shrink. With
``MINIGRAD_COURSE_STRICT=1`` the tests ignore the list (strict mode: every gap fails).

Example:
    >>> from tools.lesson_meta import lesson_meta, lessons
    >>> sorted(lesson_meta(lessons()[2]))[:2]
    ['concepts', 'introduces']
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

from tools.notebooks import COURSE_DIR, lessons, read

__all__ = [
    "COURSE_DIR",
    "lessons",
    "read",
    "number",
    "lesson_meta",
    "cell_meta",
    "known_gaps",
    "KNOWN_GAPS",
    "LETTERS",
    "map_lessons",
    "run_notebook",
]

KNOWN_GAPS = COURSE_DIR / "known_gaps.json"
LETTERS = "EDSXT"  # explanation, diagram, stepper, exercise, torch cross-check
_NUMBER = re.compile(r"^(\d\d)_")


def number(path: Path | str) -> str:
    """``"02"`` for ``course/02_the_graph.ipynb``."""
    m = _NUMBER.match(Path(path).name)
    if not m:
        raise ValueError(f"{path} is not a lesson file (NN_title.ipynb)")
    return m.group(1)


def lesson_meta(nb_or_path: Any) -> dict:
    """The lesson's ``metadata["minigrad"]`` (empty when it declares nothing)."""
    nb = read(nb_or_path) if isinstance(nb_or_path, (str, Path)) else nb_or_path
    return dict(nb.metadata.get("minigrad", {}))


def cell_meta(cell: Any) -> dict:
    """A cell's ``metadata["minigrad"]`` (empty when it has none)."""
    return dict(cell.metadata.get("minigrad", {}))


@cache
def _gaps(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def known_gaps(section: str, path: Path | str = KNOWN_GAPS) -> Any:
    """One section of ``course/known_gaps.json`` (what phase 2 still has to close); empty
    in strict mode (``MINIGRAD_COURSE_STRICT=1``)."""
    data = _gaps(str(path))
    if section not in data:
        raise KeyError(f"{Path(path).name} has no section {section!r}; sections: {sorted(data)}")
    if os.environ.get("MINIGRAD_COURSE_STRICT") == "1":
        return type(data[section])()
    return data[section]


def map_lessons(fn: Any, paths: list[Path], workers: int = 2) -> dict[str, Any]:
    """``{lesson number: fn(path)}``, two lessons at a time (each runs its own kernel).

    The workers are spawned, not forked: a fork copies whatever the calling process holds
    (threads, sockets, the hub tests' clients in a pytest run), and a kernel started from such
    a copy died before answering in CI."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
        results = pool.map(fn, paths)
        return {number(p): r for p, r in zip(paths, results)}


def run_notebook(nb: Any, where: Path, allow_errors: bool, timeout: int = 600) -> Any:
    """Execute ``nb`` in place in a fresh ``python3`` kernel whose working directory is
    ``where`` (the folder of the lesson it comes from); return it."""
    from nbclient import NotebookClient

    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(where)}},
        allow_errors=allow_errors,
    ).execute()
    return nb
