"""nbgrader grades the course: every lesson is an assignment it accepts, and autograding one
lesson gives full, partial and zero scores, with the check's own message as the feedback.

The teacher's steps are nbgrader's own commands (``python -m nbgrader generate_assignment |
release_assignment | collect | autograde | generate_feedback``) run in a temporary course
folder made by ``classroom.grading.make_course`` (``classroom/nbgrader_config.py`` copied in);
the three learners fetch and submit through nbgrader's exchange (a temporary folder) with
the exchange classes their JupyterLab's Assignments tab uses. The gradebook is the course
folder's ``gradebook.db``.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeFactory
from nbgrader.utils import capture_log

from classroom.grading import (
    CONFIG_FILE,
    collect_from_hub,
    generate,
    load_config,
    make_course,
    nbgrader_env,
    tools_on_path,
)
from classroom.grading import main as grading_main
from minigrad.course.checks import CheckFailed
from minigrad.course.checks.lesson02 import check_chain_rule
from tools.notebooks import BEGIN, COURSE_DIR, END, lessons, read

# Lesson 02: four graded exercises, and it runs in seconds.
LESSON = COURSE_DIR / "02_the_graph.ipynb"
ASSIGNMENT = LESSON.stem
COURSE_ID = "minigrad"
# The wrong submission's slip: d(x·y²)/dy taken as x·y, the factor 2 of the power rule lost.
WRONG_EXERCISE = "l02-chain_rule"
RIGHT, SLIP = '"dz/dy": 2 * x * y', '"dz/dy": x * y'
STUDENTS = ("solved", "wrong", "untouched")
HUB_STUDENT = "wrong"  # hands in from a hub folder (collect_from_hub), not the exchange


def nbgrader(root: Path, *args: str) -> str:
    """Run one nbgrader command in the course folder, as a teacher does; its output."""
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}"
    return proc.stdout + proc.stderr


def without_markers(source: str) -> str:
    """A solution as a learner would type it: the lesson's code without nbgrader's markers."""
    return "\n".join(line for line in source.split("\n") if line.strip() not in (BEGIN, END))


def solved(released: nbformat.NotebookNode, wrong: str | None = None) -> nbformat.NotebookNode:
    """The released copy with every solution written in (``wrong``: that exercise's with the
    slip), as a learner hands it in."""
    nb = nbformat.from_dict(released)
    lesson = {
        c.metadata.nbgrader.grade_id: c for c in read(LESSON).cells if "nbgrader" in c.metadata
    }
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = without_markers(lesson[grade_id].source)
            if grade_id == wrong:
                assert RIGHT in cell.source
                cell.source = cell.source.replace(RIGHT, SLIP)
    return nb


def wrong_answer_message() -> str:
    """What check_chain_rule says about the slip, run here in-process."""
    namespace: dict = {}
    cell = next(
        c
        for c in read(LESSON).cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == WRONG_EXERCISE
    )
    exec(without_markers(cell.source).replace(RIGHT, SLIP), namespace)
    with pytest.raises(CheckFailed) as failed:
        check_chain_rule(namespace["chain_rule"])
    return str(failed.value)


def learner_step(home: Path, exchange: Path, student: str, step: str) -> None:
    """A learner fetches or submits the lesson from their own folder, in-process, as the
    Assignments tab of nbgrader's JupyterLab extension does it in their server."""
    config = load_config(
        home, **{"Exchange.root": str(exchange), "Exchange.assignment_dir": str(home)}
    )
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = ASSIGNMENT
    coursedir.student_id = student  # the hub's user name; the OS user here is the teacher's
    factory = ExchangeFactory(config=config)
    app = {"fetch": factory.FetchAssignment, "submit": factory.Submit}[step]
    result = capture_log(
        app(coursedir=coursedir, authenticator=Authenticator(config=config), config=config)
    )
    assert result["success"], result.get("log", "") + result.get("error", "")


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """Lesson 02 released through an exchange, fetched and handed in by three learners (one
    of them from a hub folder, ``collect_from_hub``), collected, autograded and given
    feedback; the teacher's course folder."""
    tmp = tmp_path_factory.mktemp("grading")
    root = make_course(tmp / "course", [LESSON])
    exchange = tmp / "exchange"
    exchange.mkdir()
    teacher = ("--Exchange.root", str(exchange))
    nbgrader(root, "generate_assignment", ASSIGNMENT)
    nbgrader(root, "release_assignment", ASSIGNMENT, *teacher)
    hub_learners = tmp / "hub" / "learners"  # as classroom/.state/learners/<name>/
    (hub_learners / HUB_STUDENT).mkdir(parents=True)
    (hub_learners / "absent").mkdir()  # a learner without this lesson hands in nothing
    for student in STUDENTS:
        home = tmp / "home" / student
        home.mkdir(parents=True)
        learner_step(home, exchange, student, "fetch")
        path = home / ASSIGNMENT / LESSON.name
        released = read(path)
        work = {
            "solved": solved(released),
            "wrong": solved(released, wrong=WRONG_EXERCISE),
            "untouched": released,
        }[student]
        if student == HUB_STUDENT:  # works in the trial hub's folder; no exchange there
            nbformat.write(work, str(hub_learners / student / LESSON.name))
            continue
        nbformat.write(work, str(path))
        learner_step(home, exchange, student, "submit")
    nbgrader(root, "collect", ASSIGNMENT, *teacher)
    assert collect_from_hub(root, ASSIGNMENT, hub_learners) == [HUB_STUDENT]
    nbgrader(root, "autograde", ASSIGNMENT, "--force")
    nbgrader(root, "generate_feedback", ASSIGNMENT, "--force")
    return root


def _gradebook(root: Path) -> Gradebook:
    return Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID)


def _points(nb: nbformat.NotebookNode) -> dict[str, float]:
    return {
        c.metadata.nbgrader.grade_id: c.metadata.nbgrader.points
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }


def test_scores_full_partial_zero(graded):
    points = _points(read(LESSON))
    total = sum(points.values())
    assert len(points) >= 3
    with tools_on_path(), _gradebook(graded) as gb:
        scores = {s: gb.find_submission(ASSIGNMENT, s) for s in STUDENTS}
        assert {s: sub.max_score for s, sub in scores.items()} == dict.fromkeys(STUDENTS, total)
        got = {s: sub.score for s, sub in scores.items()}
        failing = {
            s: sorted(
                g.name
                for g in gb.find_submission_notebook(LESSON.stem, ASSIGNMENT, s).grades
                if g.score < g.max_score
            )
            for s in STUDENTS
        }
    check = WRONG_EXERCISE + "-check"
    assert got == {"solved": total, "wrong": total - points[check], "untouched": 0}
    assert failing == {"solved": [], "wrong": [check], "untouched": sorted(points)}


def test_feedback_shows_the_checks_own_message(graded):
    message = wrong_answer_message()
    assert message.startswith("at x = ") and "your dz/dy = " in message
    pages = {s: graded / "feedback" / s / ASSIGNMENT / (LESSON.stem + ".html") for s in STUDENTS}
    # the page's text: tags (the traceback's colour spans too) and entities removed
    text = {
        s: html.unescape(re.sub(r"<[^>]+>", "", p.read_text(encoding="utf-8")))
        for s, p in pages.items()
    }
    assert "CheckFailed" in text["wrong"] and message in text["wrong"]
    assert "CheckFailed" not in text["solved"]
    assert text["untouched"].count("CheckFailed") >= len(_points(read(LESSON)))


def test_every_lesson_is_an_assignment_with_its_points(tmp_path):
    """nbgrader accepts all lessons into one gradebook (its validators run on the way in:
    unique grade ids, solution regions in solution cells), each with one graded cell per
    check cell and the lesson's points."""
    root = generate(make_course(tmp_path), database=True).parent
    with tools_on_path(), _gradebook(root) as gb:
        found = {
            a.name: {
                nb.name: (nb.max_score, sorted(c.name for c in nb.grade_cells))
                for nb in a.notebooks
            }
            for a in gb.assignments
        }
    want = {}
    for path in lessons():
        points = _points(read(path))
        want[path.stem] = {path.stem: (sum(points.values()), sorted(points))}
    assert found == want


def test_course_command_lays_out_every_lesson_as_an_assignment(tmp_path, capsys):
    assert grading_main(["course", str(tmp_path / "class")]) == 0
    root = tmp_path / "class"
    assert sorted(p.relative_to(root).as_posix() for p in root.glob("source/*/*.ipynb")) == [
        f"source/{p.stem}/{p.name}" for p in lessons()
    ]
    assert (root / "nbgrader_config.py").read_bytes() == CONFIG_FILE.read_bytes()
    assert f"cd {root} && nbgrader generate_assignment 00_start_here" in capsys.readouterr().out


def test_teachers_release_is_the_committed_learner_copy(graded):
    """`nbgrader generate_assignment` in a teacher's course folder releases byte for byte the
    learner copy `make learner` committed: one configuration, one result."""
    released = graded / "release" / ASSIGNMENT / LESSON.name
    assert released.read_bytes() == (COURSE_DIR / "learner" / LESSON.name).read_bytes()
