"""Checks for lesson 05 · Accumulation and retain_graph (syllabus 5.1–5.5).

- :func:`check_grad_predictions`: predictions of ``.grad`` through backward passes,
  ``zero_()`` and ``= None``;
- :func:`check_grad_over_batches`: one backward per batch, observed as it runs;
- :func:`check_backward_twice`: two passes through one graph, keeping it only as long as needed;
- :func:`check_second_backward`: predictions of which graphs can run backward twice.

Example:
    >>> def backward_twice(y):
    ...     y.backward(retain_graph=True)
    ...     y.backward()
    >>> check_backward_twice(backward_twice)
    ✓ backward_twice: two passes through one graph, gradients added, graph freed after the second.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import minigrad as mg

from ._common import (
    arr,
    autograd_runs,
    call,
    close,
    fail,
    fmt,
    not_written,
    numerical_grad,
    passed,
    rng,
)

__all__ = [
    "check_grad_predictions",
    "GRAD_PROGRAM",
    "check_grad_over_batches",
    "check_backward_twice",
    "check_second_backward",
    "SECOND_BACKWARD_PROGRAMS",
]


# --------------------------------------------------------------------------- predictions

GRAD_PROGRAM = """q = mg.tensor(2.0, requires_grad=True)
for _ in range(3):
    (q * q).backward()
after_loop = q.grad.item()
g = q.grad
q.grad.zero_()
(q * 3).backward()
after_zero = q.grad.item()
same_after_zero = q.grad is g
q.grad = None
(q * q * q).backward()
after_none = q.grad.item()
same_after_none = q.grad is g
"""
_KEYS = {
    "after_loop": "each of the 3 passes adds d(q·q)/dq = 2q = 4",
    "after_zero": "zero_() fills .grad with 0, then the pass adds d(3q)/dq = 3",
    "same_after_zero": "zero_() works in place: .grad stays the same tensor object",
    "after_none": "= None drops the old gradient; the pass then makes a new .grad, 3q² = 12",
    "same_after_none": "after = None, backward creates a new tensor for .grad",
}


def check_grad_predictions(predictions: dict) -> None:
    """``predictions[name]`` is the value of ``name`` after ``GRAD_PROGRAM`` runs."""
    if not_written(predictions) or not isinstance(predictions, dict):
        fail("write the predictions as a dict {'after_loop': number, ...}")
    if all(predictions.get(k) is None for k in _KEYS):
        fail(f"no prediction yet: give a value for each of {', '.join(_KEYS)}")
    scope: dict = {"mg": mg}
    exec(GRAD_PROGRAM, scope)  # noqa: S102 - the check's own fixed program
    for key, why in _KEYS.items():
        got, want = predictions.get(key), scope[key]
        if isinstance(want, bool):
            if not isinstance(got, bool):
                fail(f"{key}: write True or False, got {got!r}")
        elif isinstance(got, bool) or not isinstance(got, (int, float)):
            fail(f"{key}: write a number, got {got!r}")
        if got != want:
            fail(f"{key}: you predicted {got!r}, but it is {want!r}: {why}")
    passed("grad_predictions", "every value of .grad and every 'is' predicted")


# --------------------------------------------------------------------------- batches


def _batch_loss(w: mg.Tensor, batch: mg.Tensor) -> mg.Tensor:
    return (mg.matmul(batch, w) ** 2).mean()


def _grad_of_loss(w_np: np.ndarray, batches: list[np.ndarray]) -> np.ndarray:
    """d/dw of Σ _batch_loss(w, batch) by finite differences."""

    def total(w: mg.Tensor) -> mg.Tensor:
        return sum(_batch_loss(w, mg.tensor(b, dtype=mg.float64)) for b in batches)

    return numerical_grad(total, [w_np], np.array(1.0))[0]


class _CountedLoss:
    """The loss function handed to the learner; counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, w: mg.Tensor, batch: mg.Tensor) -> mg.Tensor:
        self.calls += 1
        return _batch_loss(w, batch)


class _ObservedLoss:
    """The loss function handed to the learner: counts its calls and, at each call, how many
    backward passes had run before it."""

    def __init__(self, runs: list) -> None:
        self.runs = runs
        self.calls = 0
        self.runs_before: list[int] = []

    def __call__(self, w: mg.Tensor, batch: mg.Tensor) -> mg.Tensor:
        self.calls += 1
        self.runs_before.append(len(self.runs))
        return _batch_loss(w, batch)


def check_grad_over_batches(grad_over_batches: Callable) -> None:
    """Lesson 05: one backward per batch into ``w.grad`` (cleared once, at the start), each
    batch's graph built and run before the next is built."""
    gen = rng(5)
    for trial in range(3):
        w_np = gen.uniform(-1, 1, size=3)
        batches = [gen.uniform(-1, 1, size=(4, 3)) for _ in range(3)]
        expected = _grad_of_loss(w_np, batches)
        w = mg.tensor(w_np, dtype=mg.float64, requires_grad=True)
        stale = gen.uniform(5, 6, size=3)
        w.grad = mg.tensor(stale, dtype=mg.float64)  # left over from an earlier step
        with autograd_runs() as runs:
            loss_fn = _ObservedLoss(runs)
            got = call(
                grad_over_batches,
                w,
                [mg.tensor(b, dtype=mg.float64) for b in batches],
                loss_fn,
                what="grad_over_batches",
            )
        if not_written(got) and not runs:
            fail("grad_over_batches returned None: run one backward per batch, return w.grad.")
        if loss_fn.calls != len(batches):
            fail(f"loss_fn was called {loss_fn.calls} times for {len(batches)} batches: once each.")
        if len(runs) != len(batches):
            fail(
                f"backward ran {len(runs)} times for {len(batches)} batches: call "
                "loss_fn(w, batch).backward() once per batch, not once on a summed loss"
            )
        if loss_fn.runs_before != list(range(len(batches))):
            fail(
                "all the batches' losses were built before their backward passes ran: run "
                "each batch's backward before building the next, so only one graph is alive"
            )
        if got is None:
            fail("grad_over_batches returned None: return w.grad.")
        got = arr(got)
        if close(got, expected + stale):
            fail(
                "w.grad still contains the gradient of an earlier step (w arrived with a "
                "non-zero .grad): clear it first with w.grad = None or w.grad.zero_()."
            )
        if close(got, _grad_of_loss(w_np, batches[-1:])):
            fail("you returned the gradient of the last batch only: do not clear between batches.")
        if not close(got, expected):
            fail(
                f"trial {trial}: got {fmt(got)}, but the gradient of the summed loss is "
                f"{fmt(expected)} (finite differences)."
            )
    passed("grad_over_batches", "one backward per batch, each before the next batch's forward")


# --------------------------------------------------------------------------- retain_graph


def check_backward_twice(backward_twice: Callable) -> None:
    """``backward_twice(y)`` runs backward twice through y's graph (no new forward), keeping
    the saved tensors for the second pass but not after it."""
    gen = rng(50)
    for _ in range(2):
        a_np, b_np = gen.uniform(0.5, 2, 3), gen.uniform(0.5, 2, 3)
        a = mg.tensor(a_np, dtype=mg.float64, requires_grad=True)
        b = mg.tensor(b_np, dtype=mg.float64, requires_grad=True)
        y = (a * b * b).sum()
        with autograd_runs() as runs:
            call(backward_twice, y, what="backward_twice")
        if len(runs) != 2:
            fail(f"backward ran {len(runs)} times through y's graph: run it exactly twice")
        if a.grad is None or not close(a.grad, 2 * b_np**2):
            fail(
                "a.grad should be twice d y/d a after two passes (the passes add up); got "
                f"{fmt(a.grad) if a.grad is not None else None}"
            )
        try:
            y.backward()
        except RuntimeError:
            pass
        else:
            fail(
                "y's graph still holds its saved tensors after your second pass: "
                "retain_graph=True only on a pass that another backward follows"
            )
    passed(
        "backward_twice",
        "two passes through one graph, gradients added, graph freed after the second",
    )


# --------------------------------------------------------------------------- additions only

SECOND_BACKWARD_PROGRAMS = {
    "A": "w + x + 1",
    "B": "w * x",
    "C": "(w + x).sum()",
    "D": "w * 3",
    "E": "w.exp()",
    "F": "(w - x).sum() + 2",
}
_SECOND_WHY = {
    "ok": "its nodes saved no tensors (additions, subtractions and sums have constant local "
    "derivatives), so nothing was freed",
    "error": "one of its nodes saved a tensor for its backward, and the first pass freed it",
}


def _second(source: str) -> str:
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    x = mg.tensor([2.0, 0.5], requires_grad=True)
    y = eval(source, {"mg": mg, "w": w, "x": x})  # noqa: S307 - the check's own programs
    if y.numel() > 1:
        y = y.sum()
    y.backward()
    try:
        y.backward()
    except RuntimeError:
        return "error"
    return "ok"


def check_second_backward(predictions: dict) -> None:
    """``predictions[name]``: ``"ok"`` or ``"error"`` for a second ``backward()`` (no
    retain_graph) through the graph of ``SECOND_BACKWARD_PROGRAMS[name]``."""
    if not_written(predictions) or not isinstance(predictions, dict):
        fail("write the predictions as a dict {'A': 'ok' or 'error', ...}")
    if all(predictions.get(k) is None for k in SECOND_BACKWARD_PROGRAMS):
        fail("no prediction yet: give 'ok' or 'error' for A to F")
    for name, source in SECOND_BACKWARD_PROGRAMS.items():
        guess = predictions.get(name)
        if guess not in ("ok", "error"):
            fail(f"program {name}: the prediction should be 'ok' or 'error', got {guess!r}")
        actual = _second(source)
        if guess != actual:
            fail(f"program {name} ({source}): you predicted {guess!r}, but {_SECOND_WHY[actual]}")
    passed("second_backward", "which of the 6 graphs can run backward twice")
