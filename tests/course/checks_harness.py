"""Shared by the per-lesson check tests: run a check on a right answer, on wrong and shortcut
answers, and on what the untouched learner copy gives it.

A lesson's test module lists its exercises as :class:`Case` objects (``CASES``); the
parametrised tests in that module call :func:`run_case`, and
``tests/course/test_wrong_answer_coverage.py`` makes sure every ``check_*`` of the lesson has
a case with at least three wrong answers and a learner-copy answer.

Example:
    >>> Case(check_slope, right=(good,), wrong=[Wrong("one-sided", (one_sided,), "one-sided")],
    ...      learner=(stub,))                                     # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from minigrad.course.checks import CheckFailed

__all__ = ["Wrong", "Case", "run_case", "passes", "rejects", "learner_stub"]


@dataclass
class Wrong:
    """A wrong or shortcut answer: what it is, the check's arguments, and the words the
    rejection must contain (a regular expression)."""

    label: str
    args: tuple
    match: str


@dataclass
class Case:
    """One exercise: its check, a right answer, wrong answers, and the learner copy's."""

    check: Callable
    right: tuple
    wrong: list[Wrong] = field(default_factory=list)
    learner: tuple | None = None  # the arguments the untouched learner copy passes
    learner_match: str = "."

    @property
    def id(self) -> str:
        return self.check.__name__


def passes(check: Callable, *args) -> str:
    """The check accepts: it prints exactly one line, starting with ✓."""
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        check(*args)
    out = buf.getvalue()
    assert out.count("\n") == 1 and out.startswith("✓ "), out
    return out


def rejects(check: Callable, *args, match: str) -> str:
    """The check raises CheckFailed (nothing else) whose message matches ``match``."""
    with pytest.raises(CheckFailed) as info:
        check(*args)
    message = str(info.value)
    assert re.search(match, message), f"message {message!r} does not match {match!r}"
    # a message says what to fix: a sentence, not a bare repr or a traceback
    assert len(message) > 25 and "Traceback" not in message, message
    return message


def run_case(case: Case) -> None:
    passes(case.check, *case.right)
    for wrong in case.wrong:
        rejects(case.check, *wrong.args, match=wrong.match)
    if case.learner is not None:
        rejects(case.check, *case.learner, match=case.learner_match)


def learner_stub(*names: str) -> Callable:
    """A function whose body is the learner copy's stub (``...``): it returns None."""

    def stub(*args, **kwargs): ...

    stub.__name__ = names[0] if names else "stub"
    return stub


# -- the older style of lessons 03-12's tests (phase 2 turns them into Case lists) ----------


def legacy_rejects(check: Callable, answer, message: str) -> None:
    """``check(answer)`` raises CheckFailed whose text contains ``message``."""
    with pytest.raises(CheckFailed, match=re.escape(message)):
        check(answer)


def legacy_accepts(check: Callable, answer, capsys=None) -> None:
    passes(check, answer)


def legacy_passes(capsys, fn: Callable, *args) -> str:
    return passes(fn, *args)


def fails(fn: Callable, *args, match: str) -> str:
    """``fn(*args)`` raises CheckFailed matching the regular expression ``match``."""
    with pytest.raises(CheckFailed, match=match) as info:
        fn(*args)
    return str(info.value)
