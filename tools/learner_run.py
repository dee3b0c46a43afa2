"""Run an untouched learner copy headless and say how every cell ended.

The standard: a learner copy runs from top to bottom; every cell that calls a ``check_*``
function fails with :class:`~minigrad.course.checks.CheckFailed` (the check's own message
about what is missing); every other cell runs without error, except the cells the lesson
itself marks ``raises-exception``, which raise the same error as in the lesson.

``python -m tools.learner_run [lessons]`` prints each lesson's problems.

Example:
    >>> problems(run(LEARNER_DIR / "02_the_graph.ipynb"), read(COURSE_DIR / "02_the_graph.ipynb"))  # doctest: +SKIP
    []
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import nbformat

from tools.lesson_meta import COURSE_DIR, lessons, number, read, run_notebook

__all__ = ["run", "problems", "is_check_cell", "LEARNER_DIR"]

LEARNER_DIR = COURSE_DIR / "learner"
_CHECK = re.compile(r"^\s*check_\w+\(", re.MULTILINE)


def is_check_cell(cell: Any) -> bool:
    """A code cell that calls a ``check_*`` function at its top level."""
    return cell.cell_type == "code" and bool(_CHECK.search(cell.source))


def run(path: Path | str, timeout: int = 600) -> nbformat.NotebookNode:
    """Execute a learner copy in a fresh kernel, going on after errors; return it."""
    nb = nbformat.read(str(path), as_version=4)
    return run_notebook(nb, Path(path).parent, allow_errors=True, timeout=timeout)


def _error(cell: Any) -> Any:
    return next((o for o in cell.get("outputs", []) if o.output_type == "error"), None)


def problems(executed: Any, lesson: Any) -> list[str]:
    """What the executed learner copy does that the standard does not allow."""
    out = []
    lesson_code = [c for c in lesson.cells if c.cell_type == "code"]
    learner_code = [c for c in executed.cells if c.cell_type == "code"]
    for i, (cell, original) in enumerate(zip(learner_code, lesson_code)):
        err = _error(cell)
        expected = _error(original) if "raises-exception" in cell.metadata.get("tags", []) else None
        if is_check_cell(cell):
            if err is None:
                out.append(f"code cell {i}: the check passes on the untouched copy")
            elif err.ename != "CheckFailed":
                out.append(
                    f"code cell {i}: the check cell fails with {err.ename}: {err.evalue[:120]} "
                    "(not the check's own message)"
                )
        elif expected is not None:
            if err is None or err.ename != expected.ename:
                got = "no error" if err is None else err.ename
                out.append(
                    f"code cell {i}: should raise {expected.ename} as in the lesson, got {got}"
                )
        elif err is not None:
            out.append(f"code cell {i}: raises {err.ename}: {err.evalue[:120]}")
    return out


def main(argv: list[str] | None = None) -> int:
    chosen = sys.argv[1:] if argv is None else argv
    found = 0
    for path in lessons():
        if chosen and number(path) not in chosen:
            continue
        got = problems(run(LEARNER_DIR / path.name), read(path))
        found += len(got)
        print(f"{path.name}: {'ok' if not got else ''}")
        for p in got:
            print("  " + p)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
