"""Lesson 03's checks accept right answers and reject wrong ones precisely.

Moved unchanged from the old per-part test files; phase 2 of the course work turns these into
``Case`` lists (tests/course/checks_harness.py) with three wrong answers and the learner
copy's answer for every check.
"""

from __future__ import annotations

import minigrad as mg
from minigrad.course.checks import lesson03 as C
from tests.course.checks_harness import fails
from tests.course.checks_harness import legacy_passes as passes


def test_check_requires_grad(capsys):
    u = mg.tensor([1.0], requires_grad=True)
    v = mg.tensor([2.0])
    tensors = {"u": u, "v": v, "u + v": u + v, "v * v": v * v}
    right = {"u": True, "v": False, "u + v": True, "v * v": False}
    passes(capsys, C.check_requires_grad, right, tensors)
    fails(
        C.check_requires_grad,
        {**right, "v * v": True},
        tensors,
        match="v \\* v: you predicted True.*computed only from tensors that do not require grad",
    )
    fails(
        C.check_requires_grad,
        {**right, "u": False},
        tensors,
        match="it is a leaf created with requires_grad=True",
    )
    fails(
        C.check_requires_grad,
        {"u": True},
        tensors,
        match="no prediction for v, u \\+ v, v \\* v",
    )
    fails(C.check_requires_grad, {}, tensors, match="no prediction for u, v")
    fails(C.check_requires_grad, None, tensors, match="as a dict")
    fails(C.check_requires_grad, {**right, "u": "yes"}, tensors, match="should be True or False")
