"""Lesson 07's checks accept right answers and reject wrong ones precisely.

Moved unchanged from the old per-part test files; phase 2 of the course work turns these into
``Case`` lists (tests/course/checks_harness.py) with three wrong answers and the learner
copy's answer for every check.
"""

from __future__ import annotations

import minigrad as mg
from minigrad.course.checks import lesson07 as C
from tests.course.checks_harness import legacy_accepts as accepts
from tests.course.checks_harness import legacy_rejects as rejects


def test_double_then_square_grad(capsys):
    accepts(C.check_double_then_square_grad, lambda x: 8 * x, capsys)
    rejects(C.check_double_then_square_grad, lambda x: 4 * x, "gradient of (x**2)*2")
    rejects(C.check_double_then_square_grad, lambda x: 2 * x, "the gradient of x²")
    rejects(C.check_double_then_square_grad, lambda x: 8 * x + 1, "d/dx Σ(2x)²: got")


def test_freeze(capsys):
    def ok(m):
        for p in m.parameters():
            p.requires_grad_(False)

    accepts(C.check_freeze, ok, capsys)
    rejects(C.check_freeze, lambda m: None, "0.weight still requires grad")

    def replaces(m):
        m.weight = mg.nn.Parameter(m.weight.detach().clone(), requires_grad=False)

    rejects(C.check_freeze, replaces, "0.weight was replaced by a new object")

    def only_weight(m):
        m.weight.requires_grad_(False)

    rejects(C.check_freeze, only_weight, "0.bias still requires grad")


def test_predict(capsys):
    def ok(model, X):
        with mg.no_grad():
            return model(X)

    accepts(C.check_predict, ok, capsys)
    rejects(C.check_predict, lambda model, X: model(X), "run the model inside `with mg.no_grad():`")

    def global_off(model, X):
        mg.set_grad_enabled(False)
        return model(X)

    rejects(C.check_predict, global_off, "gradient recording was still off")
    assert mg.is_grad_enabled()

    def wrong_rows(model, X):
        with mg.no_grad():
            return model(X * 2)

    rejects(C.check_predict, wrong_rows, "predict(model, X): got")
