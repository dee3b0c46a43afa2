"""The course as an nbgrader course: one assignment per lesson, and the learner copies.

nbgrader does the work; this module only lays out its course folder and runs its converters
with ``classroom/nbgrader_config.py``:

- :func:`make_course` writes an nbgrader course folder: ``source/<lesson>/<lesson>.ipynb``
  for each lesson and a copy of the config (``python -m classroom.grading course DIR``);
- :func:`generate` runs nbgrader's ``generate_assignment`` there (``release/<lesson>/``);
- :func:`learner_copies` / :func:`write_learner_copies` make ``course/learner/`` with it, in a
  temporary course folder and without a gradebook (``make learner``); the copies are exactly
  the files nbgrader releases, so :func:`learner_copies_current` compares bytes;
- :func:`collect_from_hub` hands in each learner's copy of a lesson from the trial hub's
  learners' folders (``classroom/.state/learners/<name>/``) as nbgrader's ``submitted/``
  expects it, for a hub without an exchange (``python -m classroom.grading collect``).

What nbgrader writes beyond our old stripper (solutions replaced by ``# YOUR CODE HERE`` +
``pass``, outputs and execution counts cleared) is cell metadata only: ``deletable: false`` on
solution and check cells, ``editable: false`` on the locked check cells, and a ``checksum`` and
``cell_type`` in each nbgrader entry, which autograding uses to see whether a learner changed
a check. It is all deterministic (an md5 of the cell), so generating twice gives the same bytes.

Example:
    >>> from classroom.grading import learner_copies
    >>> sorted(learner_copies())[:1]  # doctest: +SKIP
    ['00_start_here.ipynb']
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import capture_log
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from classroom.hub import state_dir as hub_state_dir
from tools.notebooks import COURSE_DIR, dumps, lessons

__all__ = [
    "CONFIG_FILE",
    "GradingError",
    "load_config",
    "make_course",
    "generate",
    "nbgrader_env",
    "tools_on_path",
    "learner_copy",
    "learner_copies",
    "write_learner_copies",
    "learner_copies_current",
    "collect_from_hub",
]

CONFIG_FILE = Path(__file__).resolve().with_name("nbgrader_config.py")


class GradingError(RuntimeError):
    """An nbgrader step failed. The message's first line is the first exception nbgrader
    logged (its reason, e.g. ``RuntimeError: no end solution statement found``), then its log.
    """

    @classmethod
    def from_log(cls, log: str) -> GradingError:
        # nbgrader wraps the reason in generic errors ("Notebook failed to validate"); the
        # first exception line of its log is the specific one
        reasons = _EXCEPTION_LINE.findall(log)
        return cls("\n".join([reasons[0].strip() if reasons else "nbgrader failed", log]))


_EXCEPTION_LINE = re.compile(r"^\s*[\w.]*(?:Error|Exception): .*$", re.MULTILINE)


def load_config(root: Path | str, **extra: object) -> Config:
    """``classroom/nbgrader_config.py`` with the course root set to ``root``; ``extra`` maps
    ``"Section.option"`` to a value, e.g. ``{"SaveCells.enabled": False}``."""
    config = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
    config.CourseDirectory.root = str(Path(root).resolve())
    for key, value in extra.items():
        section, option = key.split(".")
        config[section][option] = value
    return config


def make_course(root: Path | str, paths: list[Path] | None = None) -> Path:
    """An nbgrader course folder at ``root``: each lesson (default: all) as the assignment
    ``source/<stem>/<stem>.ipynb``, and ``nbgrader_config.py``. Returns ``root``."""
    root = Path(root)
    for path in lessons() if paths is None else paths:
        target = root / "source" / path.stem
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / path.name)
    shutil.copyfile(CONFIG_FILE, root / CONFIG_FILE.name)
    return root


def nbgrader_env() -> dict[str, str]:
    """This process's environment with the running Python's scripts folder first on ``PATH``:
    nbgrader's gradebook runs the ``alembic`` command it installs, which a venv that is not
    activated lacks (and ``nbgrader`` itself is found there)."""
    path = os.environ.get("PATH", "")
    return {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), path])}


@contextlib.contextmanager
def tools_on_path() -> Iterator[None]:
    """:func:`nbgrader_env`'s ``PATH`` for this process, for a while."""
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = nbgrader_env()["PATH"]
    try:
        yield
    finally:
        os.environ["PATH"] = old


def generate(root: Path | str, assignment: str = "*", database: bool = True) -> Path:
    """Run nbgrader's ``generate_assignment`` on ``assignment`` (a name or a glob) in the
    course folder ``root``; with ``database=False`` nothing is written to a gradebook (as
    ``--no-db``). Returns the ``release`` folder; raises :class:`GradingError` on failure."""
    extra = {} if database else {"SaveCells.enabled": False}
    config = load_config(root, **extra)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    app = GenerateAssignment(coursedir=coursedir, config=config)
    app.force = True  # the source is the truth: always rewrite the released copy
    app.no_database = not database
    with tools_on_path():
        result = capture_log(app)
    if not result["success"]:
        raise GradingError.from_log(result.get("log", "") + result.get("error", ""))
    return Path(root) / "release"


def learner_copies(paths: list[Path] | None = None) -> dict[str, str]:
    """``{file name: text}`` of the learner copy of each lesson (default: all), as nbgrader's
    ``generate_assignment`` writes it."""
    paths = lessons() if paths is None else paths
    with tempfile.TemporaryDirectory(prefix="minigrad-learner-") as tmp:
        release = generate(make_course(tmp, paths), database=False)
        return {p.name: (release / p.stem / p.name).read_text(encoding="utf-8") for p in paths}


def learner_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The learner copy of one notebook (for tests and tools that hold a notebook, not a file)."""
    with tempfile.TemporaryDirectory(prefix="minigrad-learner-") as tmp:
        path = Path(tmp) / "00_lesson.ipynb"
        path.write_text(dumps(nb), encoding="utf-8")
        (text,) = learner_copies([path]).values()
    return nbformat.reads(text, as_version=4)


def write_learner_copies(
    course_dir: Path | str = COURSE_DIR,
    out_dir: Path | str | None = None,
    names: list[str] | None = None,
) -> list[Path]:
    """Write the learner copies of the lessons (``names``: numbers or file names; default all)
    into ``out_dir`` (default ``<course_dir>/learner``)."""
    course_dir = Path(course_dir)
    out_dir = Path(out_dir) if out_dir is not None else course_dir / "learner"
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in learner_copies(lessons(course_dir, names)).items():
        (out_dir / name).write_text(text, encoding="utf-8")
        written.append(out_dir / name)
    return written


def learner_copies_current(course_dir: Path | str = COURSE_DIR) -> list[str]:
    """Problems with ``<course_dir>/learner``: missing, stale or extra copies (empty when
    current)."""
    course_dir = Path(course_dir)
    out_dir = course_dir / "learner"
    expected = learner_copies(lessons(course_dir))
    problems = []
    for name, text in expected.items():
        target = out_dir / name
        if not target.exists():
            problems.append(f"learner/{name} is missing: run `make learner`")
        elif target.read_text(encoding="utf-8") != text:
            problems.append(f"learner/{name} is stale: run `make learner`")
    for extra in sorted(out_dir.glob("*.ipynb")):
        if extra.name not in expected:
            problems.append(f"learner/{extra.name} has no lesson: delete it")
    return problems


def collect_from_hub(root: Path | str, assignment: str, learners: Path | str) -> list[str]:
    """Copy ``learners/<name>/<assignment>.ipynb`` of every learner who has one into
    ``root/submitted/<name>/<assignment>/``, where ``nbgrader autograde`` reads submissions
    (what ``nbgrader collect`` does from an exchange). Returns the learners' names.

    Example: ``collect_from_hub("~/grading", "02_the_graph", "classroom/.state/learners")``.
    """
    root, learners = Path(root), Path(learners)
    if not learners.is_dir():
        raise FileNotFoundError(f"no learners' folders in {learners}: has the hub run here?")
    names = []
    for home in sorted(p for p in learners.iterdir() if p.is_dir()):
        work = home / f"{assignment}.ipynb"
        if not work.is_file():
            continue
        target = root / "submitted" / home.name / assignment
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(work, target / work.name)
        names.append(home.name)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m classroom.grading",
        description="Make an nbgrader course folder for the minigrad lessons.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    course = sub.add_parser("course", help="write source/<lesson>/ and nbgrader_config.py")
    course.add_argument("root", type=Path, help="the course folder (created if missing)")
    collect = sub.add_parser("collect", help="hand in a lesson from the hub's learners' folders")
    collect.add_argument("root", type=Path, help="the course folder")
    collect.add_argument("lesson", help="the assignment, e.g. 02_the_graph")
    collect.add_argument("--learners", type=Path, default=None,
                         help="the learners' folders (default: the hub's, classroom/.state/learners)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.command == "collect":
        learners = args.learners or hub_state_dir() / "learners"
        names = collect_from_hub(args.root, args.lesson, learners)
        print(f"{len(names)} submissions of {args.lesson} in {args.root / 'submitted'}")
        print(f"next: cd {args.root} && nbgrader autograde {args.lesson}")
        return 0
    root = make_course(args.root)
    names = sorted(p.name for p in (root / "source").iterdir())
    print(f"nbgrader course in {root}: {len(names)} assignments ({names[0]} ... {names[-1]})")
    print(f"next: cd {root} && nbgrader generate_assignment {names[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
