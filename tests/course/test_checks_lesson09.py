"""Lesson 09's checks accept the skill and reject wrong, shortcut and untouched answers."""

from __future__ import annotations

import pytest

import minigrad as mg
from minigrad.course.checks._common import numerical_jacobian
from minigrad.course.checks.lesson09 import (
    check_hessian,
    check_mixed_batch,
    check_paths,
    check_recorded,
    check_second_derivative,
)
from tests.course.checks_harness import Case, Wrong, learner_stub, run_case


def second(f, x):
    (g,) = mg.autograd.grad(f(x).sum(), x, create_graph=True)
    return mg.autograd.grad(g.sum(), x)[0]


def second_no_create_graph(f, x):
    (g,) = mg.autograd.grad(f(x).sum(), x)
    return mg.autograd.grad(g.sum(), x)[0]


def second_zeros(f, x):
    (g,) = mg.autograd.grad(f(x).sum(), x)
    return mg.autograd.grad(g.sum(), x, allow_unused=True, materialize_grads=True)[0]


def first_only(f, x):
    return mg.autograd.grad(f(x).sum(), x)[0]


def second_by_differences(f, x):  # no autograd at all: a numerical estimate
    h = 1e-4
    with mg.no_grad():
        return (f(x + h) - 2 * f(x) + f(x - h)) / (h * h)


def hessian(f, x):
    (g,) = mg.autograd.grad(f(x), x, create_graph=True)
    return mg.stack([mg.autograd.grad(g[i], x, retain_graph=True)[0] for i in range(x.shape[0])])


def hessian_no_retain(f, x):
    (g,) = mg.autograd.grad(f(x), x, create_graph=True)
    return mg.stack([mg.autograd.grad(g[i], x)[0] for i in range(x.shape[0])])


def hessian_numerical(f, x):  # finite differences of the gradient: no second autograd
    def grad_of(v):
        with mg.enable_grad():
            v = v.detach().requires_grad_(True)
            return mg.autograd.grad(f(v), v)[0]

    return numerical_jacobian(grad_of, x)


def hessian_first_row(f, x):
    (g,) = mg.autograd.grad(f(x), x, create_graph=True)
    row = mg.autograd.grad(g[0], x)[0]
    return mg.stack([row] * x.shape[0])


def mixed(f, X):
    x, y = X[:, 0], X[:, 1]
    (G,) = mg.autograd.grad(f(x, y).sum(), X, create_graph=True)
    (H,) = mg.autograd.grad(G[:, 0].sum(), X)
    return H[:, 1]


def mixed_fresh_slice(f, X):
    x, y = X[:, 0], X[:, 1]
    (gx,) = mg.autograd.grad(f(x, y).sum(), X[:, 0], create_graph=True)
    return mg.autograd.grad(gx.sum(), X[:, 1])[0]


def mixed_d2x(f, X):
    x, y = X[:, 0], X[:, 1]
    (G,) = mg.autograd.grad(f(x, y).sum(), X, create_graph=True)
    (H,) = mg.autograd.grad(G[:, 0].sum(), X)
    return H[:, 0]


def mixed_whole(f, X):
    x, y = X[:, 0], X[:, 1]
    (G,) = mg.autograd.grad(f(x, y).sum(), X, create_graph=True)
    return mg.autograd.grad(G[:, 0].sum(), X)[0]


def mixed_no_create_graph(f, X):
    x, y = X[:, 0], X[:, 1]
    (G,) = mg.autograd.grad(f(x, y).sum(), X)
    return mg.autograd.grad(G[:, 0].sum(), X)[0][:, 1]


RECORDED = {"dS/da": ("MulBackward0", 9.0), "dS/db": ("AddBackward0", 12.0)}

CASES = [
    Case(
        check_second_derivative,
        right=(second,),
        wrong=[
            Wrong("no create_graph", (second_no_create_graph,), r"create_graph=True"),
            Wrong("zeros without create_graph", (second_zeros,), r"create_graph=True"),
            Wrong("first derivative only", (first_only,), r"ran autograd 1 time"),
            Wrong("finite differences", (second_by_differences,), r"ran autograd 0 time"),
        ],
        learner=(learner_stub("second"),),
        learner_match=r"returned None",
    ),
    Case(
        check_hessian,
        right=(hessian,),
        wrong=[
            Wrong("twice the Hessian", (lambda f, x: hessian(f, x) * 2,), r"Hessian of x·y·z"),
            Wrong("no retain_graph", (hessian_no_retain,), r"retain_graph=True"),
            Wrong("numerical Jacobian of the gradient", (hessian_numerical,), r"no finite"),
            Wrong("first row repeated", (hessian_first_row,), r"Hessian of x·y·z"),
        ],
        learner=(learner_stub("hessian"),),
        learner_match=r"returned None",
    ),
    Case(
        check_mixed_batch,
        right=(mixed,),
        wrong=[
            Wrong("fresh slices", (mixed_fresh_slice,), r"whole X"),
            Wrong("∂²f/∂x² column", (mixed_d2x,), r"not ∂²f/∂x∂y"),
            Wrong("both columns", (mixed_whole,), r"whole \[6, 2\] result"),
            Wrong("no create_graph", (mixed_no_create_graph,), r"create_graph=True"),
        ],
        learner=(learner_stub("mixed"),),
        learner_match=r"returned None",
    ),
    Case(
        check_paths,
        right=({"a": [6, 15], "b": [10.0, 6.0]},),
        wrong=[
            Wrong("totals only", ({"a": [21], "b": [16]},), r"sum over paths"),
            Wrong("a factor missing", ({"a": [5, 6], "b": [5, 6]},), r"multiplies the q"),
            Wrong("sums along paths", ({"a": [8, 7], "b": [7, 7]},), r"multiplies the q"),
            Wrong("one path", ({"a": [15], "b": [10]},), r"along 2 paths"),
        ],
        learner=({"a": None, "b": None},),
        learner_match=r"write both lists",
    ),
    Case(
        check_recorded,
        right=(RECORDED,),
        wrong=[
            Wrong(
                "both added",
                ({"dS/da": ("AddBackward0", 9.0), "dS/db": ("AddBackward0", 12.0)},),
                r"one path reaches a",
            ),
            Wrong(
                "both multiplied",
                ({"dS/da": ("MulBackward0", 9.0), "dS/db": ("MulBackward0", 12.0)},),
                r"engine adds",
            ),
            Wrong(
                "values swapped",
                ({"dS/da": ("MulBackward0", 12.0), "dS/db": ("AddBackward0", 9.0)},),
                r"b² = 9",
            ),
            Wrong(
                "the forward node",
                ({"dS/da": ("PowBackward0", 9.0), "dS/db": ("AddBackward0", 12.0)},),
                r"one path reaches a",
            ),
        ],
        learner=({"dS/da": (None, None), "dS/db": (None, None)},),
        learner_match=r"fill in both parts",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check(case):
    run_case(case)
