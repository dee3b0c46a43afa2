"""nbgrader grades the course: every lesson is an assignment it accepts, and autograding one
lesson gives full, partial and zero scores, with the check's own message as the feedback.

The grading runs nbgrader's own commands (``python -m nbgrader ...``) in a temporary course
folder made by ``classroom.grading.make_course`` (``classroom/nbgrader_config.py`` copied in),
as a teacher would run them; the gradebook is that folder's ``gradebook.db``.
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

from classroom.grading import generate, make_course, nbgrader_env, tools_on_path
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


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """A course folder where lesson 02 was released, handed in by three learners, autograded
    and given feedback."""
    root = make_course(tmp_path_factory.mktemp("grading"), [LESSON])
    nbgrader(root, "generate_assignment", ASSIGNMENT)
    released = read(root / "release" / ASSIGNMENT / LESSON.name)
    submissions = {
        "solved": solved(released),
        "wrong": solved(released, wrong=WRONG_EXERCISE),
        "untouched": released,
    }
    for student, nb in submissions.items():
        # where `nbgrader collect` puts what a learner submitted
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / LESSON.name))
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
