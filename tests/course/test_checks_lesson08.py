"""Lesson 08's checks accept the skill and reject wrong, shortcut and untouched answers."""

from __future__ import annotations

import pytest

import minigrad as mg
from minigrad.course.checks.lesson08 import (
    check_grad_predictions,
    check_grads_or_zeros,
    check_normalise_detached,
    check_per_sample_grads,
    check_weighted_grad,
)
from tests.course.checks_harness import Case, Wrong, learner_stub, run_case


def per_sample(X):
    (g,) = mg.autograd.grad((X.sin() * X).sum(), X)
    return g


def per_sample_formula(X):  # closed form, no autograd
    with mg.no_grad():
        return X.cos() * X + X.sin()


def per_sample_loop(X):
    return mg.stack([mg.autograd.grad((X.sin() * X)[i], X)[0][i] for i in range(X.shape[0])])


def per_sample_backward(X):
    (X.sin() * X).sum().backward()
    return X.grad


def weighted_grad(f, x, weights):
    (g,) = mg.autograd.grad(f(x), x, grad_outputs=weights)
    return g


def weighted_by_sum(f, x, weights):
    (g,) = mg.autograd.grad((weights * f(x)).sum(), x)
    return g


def weighted_ones(f, x, weights):
    y = f(x)
    (g,) = mg.autograd.grad(y, x, grad_outputs=mg.ones_like(y))
    return g


def weighted_backward(f, x, weights):
    f(x).backward(weights)
    return x.grad


def grads_or_zeros(loss, params):
    grads = mg.autograd.grad(loss, params, allow_unused=True)
    return [mg.zeros_like(p) if g is None else g for g, p in zip(grads, params)]


def grads_with_none(loss, params):
    return list(mg.autograd.grad(loss, params, allow_unused=True))


def grads_by_backward(loss, params):
    loss.backward()
    return [mg.zeros_like(p) if p.grad is None else p.grad for p in params]


def grads_one_by_one(loss, params):
    out = []
    for p in params:
        (g,) = mg.autograd.grad(loss, p, retain_graph=True, allow_unused=True)
        out.append(mg.zeros_like(p) if g is None else g)
    return out


def normalise(X):
    return X / X.sum().detach()


PREDICTIONS = {"shape for W": (2, 3), "shape for b": (3,), "grad for c": "error"}

CASES = [
    Case(
        check_per_sample_grads,
        right=(per_sample,),
        wrong=[
            Wrong("closed form", (per_sample_formula,), r"ran no autograd"),
            Wrong("one call per sample", (per_sample_loop,), r"ran 6 backward passes"),
            Wrong("backward", (per_sample_backward,), r"X.grad was set"),
            Wrong("the tuple", (lambda X: mg.autograd.grad((X.sin() * X).sum(), X),), r"tuple"),
        ],
        learner=(learner_stub("per_sample"),),
        learner_match=r"per_sample returned None",
    ),
    Case(
        check_weighted_grad,
        right=(weighted_grad,),
        wrong=[
            Wrong("the weighted sum built by hand", (weighted_by_sum,), r"did not start at f\(x\)"),
            Wrong("ones instead of the weights", (weighted_ones,), r"unweighted gradient"),
            Wrong("backward", (weighted_backward,), r"x.grad was set"),
        ],
        learner=(learner_stub("weighted_grad"),),
        learner_match=r"weighted_grad returned None",
    ),
    Case(
        check_grads_or_zeros,
        right=(grads_or_zeros,),
        wrong=[
            Wrong("None left in", (grads_with_none,), r"mg.zeros_like\(p\)"),
            Wrong("backward", (grads_by_backward,), r".grad was set"),
            Wrong("one call per parameter", (grads_one_by_one,), r"3 backward passes"),
            Wrong("all zeros", (lambda loss, ps: [mg.zeros_like(p) for p in ps],), r"1 backward|0 backward"),
        ],
        learner=(learner_stub("grads_or_zeros"),),
        learner_match=r"grads_or_zeros returned None",
    ),
    Case(
        check_normalise_detached,
        right=(normalise,),
        wrong=[
            Wrong("sum not detached", (lambda X: X / X.sum(),), r"spread over the whole batch"),
            Wrong("all detached", (lambda X: normalise(X).detach(),), r"no grad_fn"),
            Wrong("the lesson's centring", (lambda X: X - X.mean().detach(),), r"divided by the sum"),
        ],
        learner=(learner_stub("normalise"),),
        learner_match=r"normalise returned None",
    ),
    Case(
        check_grad_predictions,
        right=(PREDICTIONS,),
        wrong=[
            Wrong("output's shape", ({**PREDICTIONS, "shape for W": ()},), r"shape of the input"),
            Wrong("b broadcast to W", ({**PREDICTIONS, "shape for b": (2, 3)},), r"shape for b"),
            Wrong("c gives zeros", ({**PREDICTIONS, "grad for c": "a tensor"},), r"does not require grad"),
            Wrong("a list", ({**PREDICTIONS, "shape for W": [2, 3]},), r"as a tuple"),
        ],
        learner=(dict.fromkeys(PREDICTIONS),),
        learner_match=r"fill in all three predictions",
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check(case):
    run_case(case)
