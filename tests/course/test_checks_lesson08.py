"""Lesson 08's checks accept right answers and reject wrong ones precisely.

Moved unchanged from the old per-part test files; phase 2 of the course work turns these into
``Case`` lists (tests/course/checks_harness.py) with three wrong answers and the learner
copy's answer for every check.
"""

from __future__ import annotations

import minigrad as mg
from minigrad.course.checks import lesson08 as C
from tests.course.checks_harness import legacy_accepts as accepts
from tests.course.checks_harness import legacy_rejects as rejects


def test_per_sample_grads(capsys):
    accepts(C.check_per_sample_grads, lambda X: mg.autograd.grad((X.sin() * X).sum(), X)[0], capsys)

    def with_backward(X):
        (X.sin() * X).sum().backward()
        return X.grad

    rejects(C.check_per_sample_grads, with_backward, "X.grad was set")
    rejects(
        C.check_per_sample_grads,
        lambda X: mg.autograd.grad((X.sin() * X).sum(), X),
        "take its element [0]",
    )
    rejects(C.check_per_sample_grads, lambda X: mg.autograd.grad(X.sin().sum(), X)[0], "got")


def test_grads_or_zeros(capsys):
    def ok(loss, params):
        grads = mg.autograd.grad(loss, params, allow_unused=True)
        return [mg.zeros_like(p) if g is None else g for g, p in zip(grads, params)]

    accepts(C.check_grads_or_zeros, ok, capsys)
    rejects(
        C.check_grads_or_zeros,
        lambda loss, params: mg.autograd.grad(loss, params, allow_unused=True),
        "replace it by mg.zeros_like(p)",
    )
    rejects(
        C.check_grads_or_zeros,
        lambda loss, params: mg.autograd.grad(loss, params),
        "appears to not have been used in the graph",
    )

    def with_backward(loss, params):
        loss.backward()
        return [mg.zeros_like(p) if p.grad is None else p.grad for p in params]

    rejects(C.check_grads_or_zeros, with_backward, "a parameter's .grad was set")


def test_centre_detached(capsys):
    accepts(C.check_centre_detached, lambda X: X - X.mean().detach(), capsys)
    rejects(C.check_centre_detached, lambda X: X - X.mean(), "detach it (X.mean().detach())")
    rejects(C.check_centre_detached, lambda X: (X - X.mean()).detach(), "has no grad_fn")
    rejects(C.check_centre_detached, lambda X: X, "centre(X): got")
