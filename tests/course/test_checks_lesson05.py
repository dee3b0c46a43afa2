"""Lesson 05's checks accept right answers and reject wrong ones precisely.

Moved unchanged from the old per-part test files; phase 2 of the course work turns these into
``Case`` lists (tests/course/checks_harness.py) with three wrong answers and the learner
copy's answer for every check.
"""

from __future__ import annotations

from minigrad.course.checks import lesson05 as C
from tests.course.checks_harness import fails
from tests.course.checks_harness import legacy_passes as passes


def test_check_grad_over_batches(capsys):
    def right(w, batches, loss_fn):
        w.grad = None
        for b in batches:
            loss_fn(w, b).backward()
        return w.grad

    passes(capsys, C.check_grad_over_batches, right)

    def stale(w, batches, loss_fn):
        for b in batches:
            loss_fn(w, b).backward()
        return w.grad

    fails(C.check_grad_over_batches, stale, match="gradient of an earlier step")

    def last_only(w, batches, loss_fn):
        for b in batches:
            w.grad = None
            loss_fn(w, b).backward()
        return w.grad

    fails(C.check_grad_over_batches, last_only, match="last batch only")

    def one_graph(w, batches, loss_fn):
        w.grad = None
        sum(loss_fn(w, b) for b in batches[:1]).backward()
        return w.grad

    fails(C.check_grad_over_batches, one_graph, match="called 1 times for 3 batches")
