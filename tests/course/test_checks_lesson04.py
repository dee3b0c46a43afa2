"""Lesson 04's checks accept right answers and reject wrong ones precisely.

Moved unchanged from the old per-part test files; phase 2 of the course work turns these into
``Case`` lists (tests/course/checks_harness.py) with three wrong answers and the learner
copy's answer for every check.
"""

from __future__ import annotations

import minigrad as mg
from minigrad.course.checks import lesson04 as C
from tests.course.checks_harness import fails
from tests.course.checks_harness import legacy_passes as passes


def _jacobian(zero=True, retain=True, transpose=False):
    def jacobian(f, x):
        rows = []
        y = f(x).reshape(-1)
        for i in range(y.numel()):
            if zero:
                x.grad = None
            v = mg.zeros_like(y)
            v[i] = 1.0
            if not retain:
                y = f(x).reshape(-1)
            y.backward(gradient=v, retain_graph=retain)
            rows.append(x.grad.reshape(-1).clone())
        J = mg.stack(rows)
        return J.t() if transpose else J

    return jacobian


def test_check_jacobian(capsys):
    passes(capsys, C.check_jacobian, _jacobian())
    passes(capsys, C.check_jacobian, _jacobian(retain=False))
    fails(C.check_jacobian, _jacobian(zero=False), match="row i is the SUM of rows 0..i")
    fails(C.check_jacobian, _jacobian(transpose=True), match="you built the transpose")

    def no_retain(f, x):
        y = f(x)
        rows = []
        for i in range(y.numel()):
            v = mg.zeros_like(y)
            v[i] = 1.0
            y.backward(gradient=v)
            rows.append(x.grad)
        return mg.stack(rows)

    fails(C.check_jacobian, no_retain, match="retain_graph=True")
    fails(C.check_jacobian, lambda f, x: f(x), match="expected \\(m, n\\)")
