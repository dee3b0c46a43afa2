"""Every exercise check is tested against wrong answers: for every ``check_*`` of
``minigrad.course.checks.lessonNN`` the lesson's test module has a ``Case`` with a right
answer, at least three wrong or shortcut answers, and the untouched learner copy's answer
(tests/course/checks_harness.py). Checks still tested the old way are listed in
course/known_gaps.json ("wrong_answers") until phase 2 converts them; the list only shrinks.
"""

from __future__ import annotations

import importlib

import pytest

from tests.course.checks_harness import Case
from tools.lesson_meta import known_gaps

LESSON_NUMBERS = [f"{n:02d}" for n in range(13)]


def _checks(n: str) -> list[str]:
    module = importlib.import_module(f"minigrad.course.checks.lesson{n}")
    return [
        name
        for name in module.__all__
        if name.startswith("check_") and getattr(module, name).__module__ == module.__name__
    ]


def _cases(n: str) -> dict:
    tests = importlib.import_module(f"tests.course.test_checks_lesson{n}")
    cases = [c for c in getattr(tests, "CASES", []) if isinstance(c, Case)]
    return {c.check.__name__: c for c in cases}


@pytest.mark.parametrize("n", LESSON_NUMBERS)
def test_every_check_has_wrong_answer_tests(n):
    known = set(known_gaps("wrong_answers"))
    cases = _cases(n)
    for name in _checks(n):
        key = f"lesson{n}.{name}"
        case = cases.get(name)
        complete = case is not None and len(case.wrong) >= 3 and case.learner is not None
        if key in known:
            assert not complete, f"{key} is now tested as a Case: remove it from known_gaps.json"
        else:
            assert complete, (
                f"{key}: add a Case with a right answer, at least three wrong or shortcut "
                "answers and the learner copy's answer to tests/course/test_checks_lesson"
                f"{n}.py (course/README.md, 'Checks')"
            )
