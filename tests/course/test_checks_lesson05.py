"""Lesson 05's checks accept the skill and reject wrong, shortcut and untouched answers."""

from __future__ import annotations

import pytest

from minigrad.course.checks.lesson05 import (
    check_backward_twice,
    check_grad_over_batches,
    check_grad_predictions,
    check_second_backward,
)
from tests.course.checks_harness import Case, Wrong, learner_stub, run_case

PREDICTIONS = {
    "after_loop": 12.0,
    "after_zero": 3.0,
    "same_after_zero": True,
    "after_none": 12.0,
    "same_after_none": False,
}
SECOND = {"A": "ok", "B": "error", "C": "ok", "D": "error", "E": "error", "F": "ok"}


def grad_over_batches(w, batches, loss_fn):
    w.grad = None
    for batch in batches:
        loss_fn(w, batch).backward()
    return w.grad


def one_big_graph(w, batches, loss_fn):
    w.grad = None
    sum(loss_fn(w, batch) for batch in batches).backward()
    return w.grad


def all_losses_first(w, batches, loss_fn):
    w.grad = None
    losses = [loss_fn(w, batch) for batch in batches]
    for loss in losses:
        loss.backward()
    return w.grad


def keeps_stale(w, batches, loss_fn):
    for batch in batches:
        loss_fn(w, batch).backward()
    return w.grad


def zero_each_batch(w, batches, loss_fn):
    for batch in batches:
        w.grad = None
        loss_fn(w, batch).backward()
    return w.grad


def backward_twice(y):
    y.backward(retain_graph=True)
    y.backward()


def retain_both(y):
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)


def without_retain(y):
    y.backward()
    y.backward()


def once(y):
    y.backward()


def three_times(y):
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()


CASES = [
    Case(
        check_grad_predictions,
        right=(PREDICTIONS,),
        wrong=[
            Wrong("overwrites", ({**PREDICTIONS, "after_loop": 4.0},), r"each of the 3 passes"),
            Wrong(
                "zero_ is a new tensor", ({**PREDICTIONS, "same_after_zero": False},), r"in place"
            ),
            Wrong(
                "None keeps the object", ({**PREDICTIONS, "same_after_none": True},), r"new tensor"
            ),
            Wrong("zero_ ignored", ({**PREDICTIONS, "after_zero": 15.0},), r"fills .grad with 0"),
            Wrong("words", ({**PREDICTIONS, "after_none": "twelve"},), r"write a number"),
        ],
        learner=({k: None for k in PREDICTIONS},),
        learner_match=r"no prediction yet",
    ),
    Case(
        check_grad_over_batches,
        right=(grad_over_batches,),
        wrong=[
            Wrong("one big summed graph", (one_big_graph,), r"backward ran 1 times"),
            Wrong("all losses built first", (all_losses_first,), r"built before"),
            Wrong("old gradient kept", (keeps_stale,), r"earlier step"),
            Wrong("zeroed between batches", (zero_each_batch,), r"last batch only"),
        ],
        learner=(learner_stub("grad_over_batches"),),
        learner_match=r"returned None",
    ),
    Case(
        check_backward_twice,
        right=(backward_twice,),
        wrong=[
            Wrong("no retain_graph", (without_retain,), r"second time"),
            Wrong("retained after the last pass", (retain_both,), r"still holds"),
            Wrong("once", (once,), r"ran 1 times"),
            Wrong("three times", (three_times,), r"ran 3 times"),
        ],
        learner=(learner_stub("backward_twice"),),
        learner_match=r"ran 0 times",
    ),
    Case(
        check_second_backward,
        right=(SECOND,),
        wrong=[
            Wrong("w * 3 saves nothing", ({**SECOND, "D": "ok"},), r"program D.*saved a tensor"),
            Wrong("sums save", ({**SECOND, "C": "error"},), r"program C.*saved no tensors"),
            Wrong("exp saves nothing", ({**SECOND, "E": "ok"},), r"program E"),
            Wrong("other words", ({**SECOND, "A": "fine"},), r"'ok' or 'error'"),
        ],
        learner=({k: None for k in SECOND},),
        learner_match=r"no prediction yet",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check(case):
    run_case(case)
