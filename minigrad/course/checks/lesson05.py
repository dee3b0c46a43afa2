"""Checks for lesson 05 · Accumulation and retain_graph (syllabus 5.1–5.6).
(moved unchanged in substance; phase 2 rewrites them to test the skill).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import minigrad as mg

from ._common import (
    arr,
    close,
    fail,
    fmt,
    numerical_grad,
    passed,
    rng,
)

__all__ = ["check_grad_over_batches"]


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


def check_grad_over_batches(grad_over_batches: Callable) -> None:
    """Lesson 05: accumulate one backward per batch into ``w.grad`` (after clearing it)."""
    gen = rng(5)
    for trial in range(3):
        w_np = gen.uniform(-1, 1, size=3)
        batches = [gen.uniform(-1, 1, size=(4, 3)) for _ in range(3)]
        expected = _grad_of_loss(w_np, batches)
        w = mg.tensor(w_np, dtype=mg.float64, requires_grad=True)
        stale = gen.uniform(5, 6, size=3)
        w.grad = mg.tensor(stale, dtype=mg.float64)  # left over from an earlier step
        loss_fn = _CountedLoss()
        try:
            got = grad_over_batches(w, [mg.tensor(b, dtype=mg.float64) for b in batches], loss_fn)
        except NotImplementedError:
            fail("grad_over_batches raised NotImplementedError: write its body.")
        if loss_fn.calls != len(batches):
            fail(f"loss_fn was called {loss_fn.calls} times for {len(batches)} batches: once each.")
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
    passed("grad_over_batches", "one backward per batch, gradients summed in w.grad")
