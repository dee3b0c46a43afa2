"""Lesson 09's checks accept right answers and reject wrong ones precisely.

Moved unchanged from the old per-part test files; phase 2 of the course work turns these into
``Case`` lists (tests/course/checks_harness.py) with three wrong answers and the learner
copy's answer for every check.
"""

from __future__ import annotations

import minigrad as mg
from minigrad.course.checks import lesson09 as C
from tests.course.checks_harness import legacy_accepts as accepts
from tests.course.checks_harness import legacy_rejects as rejects


def _second_ok(f, x):
    (g,) = mg.autograd.grad(f(x).sum(), x, create_graph=True)
    return mg.autograd.grad(g.sum(), x)[0]


def test_second_derivative(capsys):
    accepts(C.check_second_derivative, _second_ok, capsys)

    def no_create_graph(f, x):
        (g,) = mg.autograd.grad(f(x).sum(), x)
        return mg.autograd.grad(g.sum(), x, allow_unused=True, materialize_grads=True)[0]

    rejects(C.check_second_derivative, no_create_graph, "needs create_graph=True")

    def no_create_graph_plain(f, x):
        (g,) = mg.autograd.grad(f(x).sum(), x)
        return mg.autograd.grad(g.sum(), x)[0]

    rejects(C.check_second_derivative, no_create_graph_plain, "needs create_graph=True")

    def first_only(f, x):
        return mg.autograd.grad(f(x).sum(), x)[0]

    rejects(C.check_second_derivative, first_only, "d²/dx² of sin")


def _hessian_ok(f, x):
    (g,) = mg.autograd.grad(f(x), x, create_graph=True)
    return mg.stack([mg.autograd.grad(g[i], x, retain_graph=True)[0] for i in range(x.shape[0])])


def test_hessian(capsys):
    accepts(C.check_hessian, _hessian_ok, capsys)
    rejects(C.check_hessian, lambda f, x: _hessian_ok(f, x) * 2, "Hessian of (x·x·y)² at (2, 3)")

    def transposed_quadratic(f, x):
        H = _hessian_ok(f, x)
        return H if x.shape[0] == 2 else H * 0.5

    rejects(C.check_hessian, transposed_quadratic, "Hessian of xᵀMx")
