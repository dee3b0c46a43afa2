"""Lesson 06's checks accept the skill and reject wrong, shortcut and untouched answers."""

from __future__ import annotations

import pytest

import minigrad as mg
from minigrad.course.checks.lesson06 import (
    check_inplace_predictions,
    check_leaf_predictions,
    check_middle_grads,
    check_sgd_step,
    check_softmax_out_of_place,
)
from tests.course.checks_harness import Case, Wrong, learner_stub, run_case

LEAVES = {
    "w": (True, True),
    "x": (True, False),
    "s": (True, False),
    "h": (False, False),
    "L": (False, False),
}
UNWRITTEN_LEAVES = dict.fromkeys(LEAVES)


def middle_grads(a, b, d):
    h = a + b
    h.retain_grad()
    k = h * h
    k.retain_grad()
    L = k * d
    L.backward()
    return h, k


def no_retain(a, b, d):
    h = a + b
    k = h * h
    (k * d).backward()
    return h, k


def retain_after(a, b, d):
    h = a + b
    k = h * h
    (k * d).backward()
    h.retain_grad()
    k.retain_grad()
    return h, k


def returns_values(a, b, d):  # the shortcut: no intermediates at all
    middle_grads(a, b, d)
    return d, d


def grads_by_hand(a, b, d):
    h = a + b
    k = h * h
    (k * d).backward()
    with mg.no_grad():
        h.grad = 2 * h * d
        k.grad = d * 1.0
    return h, k


def backward_twice(a, b, d):
    h = a + b
    h.retain_grad()
    k = h * h
    k.retain_grad()
    L = k * d
    L.backward(retain_graph=True)
    L.backward()
    return h, k


def sgd_step(params, lr):
    with mg.no_grad():
        for p in params:
            p -= lr * p.grad


def sgd_rebind(params, lr):
    for p in params:
        p = p - lr * p.grad  # noqa: F841 - the mistake under test


def sgd_recorded(params, lr):
    for p in params:
        p -= lr * p.grad


def sgd_data(params, lr):
    for p in params:
        p.data = (p - lr * p.grad).data


def sgd_global_off(params, lr):
    mg.set_grad_enabled(False)
    for p in params:
        p -= lr * p.grad


def sgd_uphill(params, lr):
    with mg.no_grad():
        for p in params:
            p += lr * p.grad


def sgd_new_list(params, lr):
    with mg.no_grad():
        for i, p in enumerate(params):
            params[i] = p - lr * p.grad


def softmax(x):
    e = x.exp()
    return e / e.sum()


def softmax_inplace(x):
    e = x.exp()
    e /= e.sum()
    return e


CASES = [
    Case(
        check_leaf_predictions,
        right=(LEAVES,),
        wrong=[
            Wrong(
                "s is computed, so not a leaf", ({**LEAVES, "s": (False, False)},), r"s = x \* 2"
            ),
            Wrong("x gets a grad", ({**LEAVES, "x": (True, True)},), r"does not require grad"),
            Wrong("h gets a grad", ({**LEAVES, "h": (False, True)},), r"retain_grad"),
            Wrong("everything a leaf", (dict.fromkeys(LEAVES, (True, True)),), r"x: you predicted"),
            Wrong("words", ({**LEAVES, "w": ("leaf", "grad")},), r"pair of True/False"),
        ],
        learner=(UNWRITTEN_LEAVES,),
        learner_match=r"write a pair \(is_leaf, gets_grad\)",
    ),
    Case(
        check_middle_grads,
        right=(middle_grads,),
        wrong=[
            Wrong("no retain_grad", (no_retain,), r"h.retain_grad\(\) before L.backward"),
            Wrong("retain_grad after backward", (retain_after,), r"before L.backward"),
            Wrong("values, not tensors", (returns_values,), r"intermediate tensor"),
            Wrong("grads set by hand", (grads_by_hand,), r"set by hand"),
            Wrong("backward twice", (backward_twice,), r"backward ran 2 times"),
        ],
        learner=(learner_stub("middle_grads"),),
        learner_match=r"middle_grads returned None",
    ),
    Case(
        check_inplace_predictions,
        right=({"A": "error", "B": "new tensor", "C": "same tensor"},),
        wrong=[
            Wrong(
                "mul_ allowed",
                ({"A": "same tensor", "B": "new tensor", "C": "same tensor"},),
                r"a leaf Variable",
            ),
            Wrong(
                "rebinding is in place",
                ({"A": "error", "B": "same tensor", "C": "same tensor"},),
                r"rebinds",
            ),
            Wrong(
                "*= makes a copy",
                ({"A": "error", "B": "new tensor", "C": "new tensor"},),
                r"really is in place",
            ),
            Wrong(
                "free text",
                ({"A": "raises", "B": "new tensor", "C": "same tensor"},),
                r"should be one of",
            ),
        ],
        learner=({"A": None, "B": None, "C": None},),
        learner_match=r'write one of "error"',
    ),  # fmt: skip
    Case(
        check_sgd_step,
        right=(sgd_step,),
        wrong=[
            Wrong("rebinding", (sgd_rebind,), r"makes a new tensor"),
            Wrong("recorded in-place", (sgd_recorded,), r"a leaf Variable"),
            Wrong(".data assignment", (sgd_data,), r"version counter did not move"),
            Wrong("grad mode left off", (sgd_global_off,), r"still switched off"),
            Wrong("uphill", (sgd_uphill,), r"subtract lr"),
            Wrong("new tensors in the list", (sgd_new_list,), r"replaced tensors"),
        ],
        learner=(learner_stub("sgd_step"),),
        learner_match=r"unchanged",
    ),
    Case(
        check_softmax_out_of_place,
        right=(softmax,),
        wrong=[
            Wrong("in place", (softmax_inplace,), r"write `e / e.sum\(\)`"),
            Wrong("exp only", (lambda x: x.exp(),), r"softmax\(x\): got"),
            Wrong("detached", (lambda x: softmax(x).detach(),), r"has no grad_fn"),
        ],
        learner=(learner_stub("softmax"),),
        learner_match=r"softmax returned None",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check(case):
    run_case(case)
    assert mg.is_grad_enabled()
