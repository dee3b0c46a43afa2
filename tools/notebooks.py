"""The lessons as files: find, read, write, execute in place.

- :func:`execute` re-runs lessons with nbclient (kernel ``python3``, cwd ``course/``) and
  normalises what varies between runs (timings, widget model ids, kernel versions), so that
  executing twice gives byte-identical files. It is the only way outputs should change.
- The learner copies (``course/learner``) are nbgrader's: ``classroom.grading`` runs its
  ``generate_assignment``, which replaces each ``### BEGIN SOLUTION`` … ``### END SOLUTION``
  region by ``# YOUR CODE HERE`` + ``pass`` and clears the outputs. It lives outside this
  module because nbgrader is in the test/classroom extras, and ``make course`` and
  ``make html`` import this module with the course extra only.
- :func:`tools.conventions.problems` lists every convention a lesson breaks.

``python -m tools execute|learner|check`` runs them (``make execute``, ``make learner``).

Example:
    >>> from tools.notebooks import lessons
    >>> [p.name for p in lessons()][:1]
    ['00_start_here.ipynb']
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

__all__ = [
    "COURSE_DIR",
    "LEARNER_DIR",
    "LESSON_RE",
    "lessons",
    "read",
    "write",
    "execute",
    "normalise",
    "BEGIN",
    "END",
]

# The repository's course/ folder: these tools live beside it and are not installed.
COURSE_DIR = Path(__file__).resolve().parents[1] / "course"
LEARNER_DIR = COURSE_DIR / "learner"
LESSON_RE = re.compile(r"^(\d\d)_([a-z0-9]+(?:_[a-z0-9]+)*)\.ipynb$")

# nbgrader's solution markers, as the lessons write them
BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"

# Fixed notebook metadata: the kernel's version numbers must not leak into the files.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def lessons(course_dir: Path | str = COURSE_DIR, names: list[str] | None = None) -> list[Path]:
    """Lesson files ``NN_title.ipynb`` in order; ``names`` selects by number or file name."""
    course_dir = Path(course_dir)
    found = sorted(p for p in course_dir.glob("*.ipynb") if LESSON_RE.match(p.name))
    if not names:
        return found
    chosen = []
    for name in names:
        key = Path(name).name
        match = [p for p in found if p.name == key or p.name.startswith(key.zfill(2) + "_")]
        if not match:
            raise SystemExit(f"no lesson matches {name!r}; lessons: {[p.name for p in found]}")
        chosen.extend(match)
    return chosen


def read(path: Path | str) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def dumps(nb: nbformat.NotebookNode) -> str:
    """The exact text a notebook is stored as (nbformat's layout plus a final newline)."""
    return nbformat.writes(nb) + "\n"


def write(nb: nbformat.NotebookNode, path: Path | str) -> None:
    Path(path).write_text(dumps(nb), encoding="utf-8")


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove what changes from run to run: timings, widget ids and state, kernel versions."""
    nb.metadata = nbformat.from_dict(
        {
            **{k: v for k, v in nb.metadata.items() if k not in ("widgets", "kernelspec")},
            "kernelspec": KERNELSPEC,
            "language_info": LANGUAGE_INFO,
        }
    )
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type != "code":
            continue
        cell.outputs = _coalesce_streams(cell.outputs)
        for out in cell.outputs:
            if out.output_type == "stream":
                out.text = _no_address(out.text)
            elif out.output_type == "error":
                out.evalue = _no_address(out.evalue)
                out.traceback = [_relative(_no_address(line)) for line in out.traceback]
            data = out.get("data")
            if data is None:
                continue
            if WIDGET_VIEW in data:
                # A widget's model id is random and its state is not stored: keep the
                # deterministic rest (a stepper's repr and flipbook). Without a view to
                # restore, JupyterLab shows the flipbook, not "Error displaying widget",
                # until the cell runs and the kernel makes the live widget.
                del data[WIDGET_VIEW]
            if "text/plain" in data:
                data["text/plain"] = _no_address(data["text/plain"])
    return nb


# Memory addresses (``<MulBackward0 object at 0x7f...>``) change on every run; nbval's
# sanitize file ignores them when comparing, and the stored files show them as ``0x...``.
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


def _no_address(text: str) -> str:
    return _ADDRESS.sub("0x...", text)


def _relative(text: str) -> str:
    """Traceback paths relative to the repository, the same on every machine."""
    return text.replace(str(COURSE_DIR.parent) + "/", "")


def _coalesce_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same name (how they split depends on timing)."""
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            out.output_type == "stream"
            and prev is not None
            and prev.output_type == "stream"
            and prev.name == out.name
        ):
            prev.text += out.text
        else:
            merged.append(out)
    return merged


def execute(path: Path | str, timeout: int = 300) -> nbformat.NotebookNode:
    """Run every cell of a lesson in a fresh ``python3`` kernel (cwd: the course directory)."""
    path = Path(path)
    nb = read(path)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        store_widget_state=False,
        allow_errors=False,  # only cells tagged raises-exception may fail
    )
    client.execute()
    normalise(nb)
    write(nb, path)
    return nb
