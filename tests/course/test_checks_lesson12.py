"""Lesson 12's checks accept right answers and reject wrong ones precisely.

Moved unchanged from the old per-part test files; phase 2 of the course work turns these into
``Case`` lists (tests/course/checks_harness.py) with three wrong answers and the learner
copy's answer for every check.
"""

from __future__ import annotations

import minigrad as mg
from minigrad.course.checks import lesson12 as C
from tests.course.checks_harness import legacy_accepts as accepts
from tests.course.checks_harness import legacy_rejects as rejects


class Softplus(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (1 + x.exp()).log()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.sigmoid()


class NumpySoftplus(Softplus):
    """The mistake: a backward outside minigrad, which cannot be differentiated again."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = 1 / (1 + mg.tensor(x.detach().numpy()).neg().exp())
        return g * s


class NoIncoming(Softplus):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return x.sigmoid()


def test_softplus(capsys):
    accepts(C.check_softplus, Softplus, capsys)
    rejects(C.check_softplus, NoIncoming, "ignores the incoming gradient g")
    rejects(C.check_softplus, object, "must be a subclass of mg.autograd.Function")

    class Wrong(Softplus):
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            s = x.sigmoid()
            return g * s * (1 - s)

    rejects(C.check_softplus, Wrong, "that is the second derivative")


def test_softplus_double_backward(capsys):
    accepts(C.check_softplus_double_backward, Softplus, capsys)
    rejects(C.check_softplus_double_backward, NumpySoftplus, "the first derivative has no grad_fn")
