"""Lesson 06's checks accept right answers and reject wrong ones precisely.

Moved unchanged from the old per-part test files; phase 2 of the course work turns these into
``Case`` lists (tests/course/checks_harness.py) with three wrong answers and the learner
copy's answer for every check.
"""

from __future__ import annotations

import minigrad as mg
from minigrad.course.checks import lesson06 as C
from tests.course.checks_harness import legacy_accepts as accepts
from tests.course.checks_harness import legacy_rejects as rejects


def _bump_ok(p):
    with mg.no_grad():
        p += 1


def _bump_rebind(p):
    p = p + 1  # noqa: F841 - the mistake under test


def _bump_recorded(p):
    p.data = (p + 1).data


def _bump_global_off(p):
    mg.set_grad_enabled(False)
    p += 1


def test_bump_leaf(capsys):
    accepts(C.check_bump_leaf, _bump_ok, capsys)
    rejects(C.check_bump_leaf, _bump_rebind, "did you write `p = p + 1`?")
    rejects(C.check_bump_leaf, _bump_global_off, "still switched off")
    assert mg.is_grad_enabled()  # the check switched it back on

    def plain_inplace(p):
        p += 1

    rejects(C.check_bump_leaf, plain_inplace, "raised RuntimeError: a leaf Variable")

    def adds_two(p):
        with mg.no_grad():
            p += 2

    rejects(C.check_bump_leaf, adds_two, "p should be [2.0, 3.0, 4.0]")


def _intermediate_ok(a, b, d):
    c = a * b
    c.retain_grad()
    (c * d).backward()
    return c.grad


def test_intermediate_grad(capsys):
    accepts(C.check_intermediate_grad, _intermediate_ok, capsys)

    def no_retain(a, b, d):
        c = a * b
        (c * d).backward()
        return c.grad

    rejects(C.check_intermediate_grad, no_retain, "c.retain_grad() before e.backward()")
    rejects(C.check_intermediate_grad, lambda a, b, d: d, "call e.backward() inside fn")

    def returns_b(a, b, d):
        _intermediate_ok(a, b, d)
        return b

    rejects(C.check_intermediate_grad, returns_b, "c.grad (de/dc = d)")


def test_softmax_out_of_place(capsys):
    accepts(C.check_softmax_out_of_place, lambda x: x.exp() / x.exp().sum(), capsys)

    def inplace(x):
        e = x.exp()
        e /= e.sum()
        return e

    rejects(C.check_softmax_out_of_place, inplace, "write `e / e.sum()`")
    rejects(C.check_softmax_out_of_place, lambda x: x.exp(), "softmax(x): got")
    rejects(
        C.check_softmax_out_of_place,
        lambda x: (x.exp() / x.exp().sum()).detach(),
        "has no grad_fn",
    )
