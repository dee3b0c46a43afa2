"""Lesson 04's checks accept the skill and reject wrong, shortcut and untouched answers."""

from __future__ import annotations

import pytest

import minigrad as mg
from minigrad.course.checks.lesson04 import (
    check_backward_outcomes,
    check_jacobian,
    check_mean_abs_loss,
    check_path_predictions,
    check_two_outputs,
    check_vjp,
    numerical_jacobian,
)
from tests.course.checks_harness import Case, Wrong, learner_stub, run_case

OUTCOMES = {"A": "ok", "B": "scalar", "C": "ok", "D": "shape", "E": "ok", "F": "ok"}
PATHS = {"u.grad": 9.0, "v.grad": 5.0, "None entries of (u + 2)": 1, "u.grad through cat": 11.0}


def vjp(f, x, v):
    x = x.detach().requires_grad_()
    f(x).backward(gradient=v)
    return x.grad


def vjp_ones(f, x, v):
    x = x.detach().requires_grad_()
    f(x).backward(gradient=mg.ones_like(v))
    return x.grad


def vjp_numerical(f, x, v):
    return v @ numerical_jacobian(f, x)


def vjp_twice(f, x, v):
    x1 = x.detach().requires_grad_()
    f(x1).backward(gradient=v)
    x2 = x.detach().requires_grad_()
    f(x2).backward(gradient=v)
    return x2.grad


def two_outputs(w, x):
    y1 = w * x
    y2 = w**2 + x
    mg.autograd.backward([y1, y2], grad_tensors=[mg.ones_like(y1), 3 * mg.ones_like(y2)])


def two_calls(w, x):
    (w * x).backward(gradient=mg.ones_like(w))
    (w**2 + x).backward(gradient=3 * mg.ones_like(w))


def unweighted(w, x):
    y1 = w * x
    y2 = w**2 + x
    mg.autograd.backward([y1, y2], grad_tensors=[mg.ones_like(y1), mg.ones_like(y2)])


def only_y1(w, x):
    y1 = w * x
    mg.autograd.backward([y1], grad_tensors=[mg.ones_like(y1)])


def jacobian(f, x):
    rows = []
    for i in range(f(x).numel()):
        xi = x.detach().requires_grad_()
        y = f(xi).reshape(-1)
        v = mg.zeros_like(y)
        v[i] = 1.0
        y.backward(gradient=v)
        rows.append(xi.grad)
    return mg.stack(rows)


def jacobian_accumulating(f, x):  # one leaf for all rows: .grad adds up
    rows = []
    for i in range(f(x).numel()):
        y = f(x).reshape(-1)
        v = mg.zeros_like(y)
        v[i] = 1.0
        y.backward(gradient=v)
        rows.append(x.grad.clone())
    return mg.stack(rows)


def jacobian_transposed(f, x):
    return jacobian(f, x).t()


def jacobian_one_backward(f, x):  # v = ones: every row is the column sums
    rows = []
    for _ in range(f(x).numel()):
        xi = x.detach().requires_grad_()
        y = f(xi).reshape(-1)
        y.backward(gradient=mg.ones_like(y))
        rows.append(xi.grad)
    return mg.stack(rows)


CASES = [
    Case(
        check_backward_outcomes,
        right=(OUTCOMES,),
        wrong=[
            Wrong("[1] is not a scalar", ({**OUTCOMES, "A": "scalar"},), r"program A.*numel"),
            Wrong("[[3.]] is not a scalar", ({**OUTCOMES, "E": "scalar"},), r"program E"),
            Wrong("v broadcasts", ({**OUTCOMES, "D": "ok"},), r"program D.*Mismatch in shape"),
            Wrong("backward sums", ({**OUTCOMES, "B": "ok"},), r"program B.*scalar outputs"),
            Wrong("other words", ({**OUTCOMES, "C": "fine"},), r"one of ok"),
        ],
        learner=({k: None for k in OUTCOMES},),
        learner_match=r"no prediction yet",
    ),
    Case(
        check_mean_abs_loss,
        right=(lambda p, t: (p - t).abs().mean(),),
        wrong=[
            Wrong("sum", (lambda p, t: (p - t).abs().sum(),), r"sum of \|pred − target\|"),
            Wrong("no reduction", (lambda p, t: (p - t).abs(),), r"elements: reduce"),
            Wrong("squared", (lambda p, t: ((p - t) ** 2).mean(),), r"the loss: got"),
            Wrong("a float", (lambda p, t: (p - t).abs().mean().item(),), r"returned a float"),
            Wrong("detached", (lambda p, t: (p - t).abs().mean().detach(),), r"no grad_fn"),
        ],
        learner=(learner_stub("mean_abs_loss"),),
        learner_match=r"mean_abs_loss returned None",
    ),
    Case(
        check_path_predictions,
        right=(PATHS,),
        wrong=[
            Wrong("one path only", ({**PATHS, "u.grad": 5.0},), r"u.grad: .*two paths"),
            Wrong("v's own value", ({**PATHS, "v.grad": 1.0},), r"v.grad"),
            Wrong("no None entry", ({**PATHS, "None entries of (u + 2)": 0},), r"constant 2"),
            Wrong("cat ignores v", ({**PATHS, "u.grad through cat": 10.0},), r"cat splits"),
            Wrong("text", ({**PATHS, "u.grad": "9"},), r"write a number"),
        ],
        learner=({k: None for k in PATHS},),
        learner_match=r"no prediction yet",
    ),
    Case(
        check_vjp,
        right=(vjp,),
        wrong=[
            Wrong("v = ones", (vjp_ones,), r"v = ones"),
            Wrong("finite differences", (vjp_numerical,), r"ran no backward"),
            Wrong("two backwards", (vjp_twice,), r"2 times"),
            Wrong("returns v", (lambda f, x, v: (f(x).backward(gradient=v), v)[1],), r"vjp for"),
        ],
        learner=(learner_stub("vjp"),),
        learner_match=r"vjp returned None",
    ),
    Case(
        check_two_outputs,
        right=(two_outputs,),
        wrong=[
            Wrong("two calls", (two_calls,), r"ran 2 times"),
            Wrong("weights 1 and 1", (unweighted,), r"should be 3"),
            Wrong("only y1", (only_y1,), r"w.grad: got"),
            Wrong("nothing", (lambda w, x: None,), r"still None"),
        ],
        learner=(learner_stub("two_outputs"),),
        learner_match=r"still None",
    ),
    Case(
        check_jacobian,
        right=(jacobian,),
        wrong=[
            Wrong("finite differences", (numerical_jacobian,), r"backward ran 0 times"),
            Wrong("one leaf for all rows", (jacobian_accumulating,), r"SUM of rows"),
            Wrong("transposed", (jacobian_transposed,), r"shape|transpose"),
            Wrong("v = ones", (jacobian_one_backward,), r"row \d is"),
        ],
        learner=(learner_stub("jacobian"),),
        learner_match=r"jacobian returned None",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check(case):
    run_case(case)
