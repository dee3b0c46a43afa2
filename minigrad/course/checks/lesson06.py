"""Checks for lesson 06 · Leaves and in-place operations (syllabus 6.1–6.5).
(moved unchanged in substance; phase 2 rewrites them to test the skill).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import minigrad as mg

from ._common import (
    arr,
    call,
    close,
    expect_close,
    fail,
    passed,
    rng,
)

__all__ = ["check_bump_leaf", "check_intermediate_grad", "check_softmax_out_of_place"]


def check_bump_leaf(bump: Callable[[mg.Tensor], Any]) -> None:
    """``bump(p)`` adds 1 to the leaf parameter ``p`` in place; ``p`` stays a leaf."""
    p = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    before = arr(p).copy()
    call(bump, p, what="bump(p)")
    if not mg.is_grad_enabled():
        mg.set_grad_enabled(True)
        fail(
            "gradient recording was still switched off after bump(p) returned: use "
            "`with mg.no_grad():` so it switches back on"
        )
    if np.array_equal(arr(p), before):
        fail(
            "p is unchanged: did you write `p = p + 1`? That makes a new tensor and leaves "
            "the caller's p alone; add in place (`p += 1` or `p.add_(1)`) under mg.no_grad()"
        )
    if not close(arr(p), before + 1):
        fail(f"p should be {(before + 1).tolist()}, got {arr(p).tolist()}")
    if not (p.is_leaf and p.requires_grad and p.grad_fn is None):
        fail(
            "p is no longer a leaf that requires grad (its grad_fn is "
            f"{p.grad_fn.name() if p.grad_fn else None}): do the update under mg.no_grad()"
        )
    passed("bump", "in-place update of a leaf under no_grad")


def check_intermediate_grad(fn: Callable[..., Any]) -> None:
    """``fn(a, b, d)`` builds c = a·b, e = c·d, runs ``e.backward()`` and returns ``c.grad``."""
    gen = rng(6)
    for _ in range(3):
        va, vb, vd = gen.uniform(-3, 3, size=3).round(2)
        a, b, d = (mg.tensor(float(v), requires_grad=True) for v in (va, vb, vd))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = call(fn, a, b, d, what="fn(a, b, d)")
        if got is None:
            fail(
                "fn returned None: c is not a leaf, so its .grad is only kept if you call "
                "c.retain_grad() before e.backward()"
            )
        if a.grad is None or b.grad is None or d.grad is None:
            fail("a.grad, b.grad or d.grad is None: call e.backward() inside fn")
        expect_close(got, np.float32(vd), "c.grad (de/dc = d)")
        expect_close(a.grad, np.float32(vb * vd), "a.grad (= b·d)")
    passed("intermediate_grad", "retain_grad on an intermediate tensor")


def check_softmax_out_of_place(softmax: Callable[[mg.Tensor], mg.Tensor]) -> None:
    """``softmax(x)`` = exp(x) / Σ exp(x), written without in-place ops, so backward works."""
    gen = rng(61)
    x_np = gen.normal(size=5)
    w_np = gen.normal(size=5)
    x = mg.tensor(x_np, requires_grad=True)
    s = call(softmax, x, what="softmax(x)")
    e = np.exp(x_np)
    want = e / e.sum()
    expect_close(s, want, "softmax(x)")
    if s.grad_fn is None:
        fail("softmax(x) has no grad_fn: compute it with minigrad ops on x (no .detach/.numpy)")
    try:
        (s * mg.tensor(w_np)).sum().backward()
    except RuntimeError as exc:
        if "inplace" in str(exc):
            fail(
                "backward failed because a saved tensor was modified in place "
                "(e.g. `e /= e.sum()`): write `e / e.sum()`, which makes a new tensor"
            )
        raise
    # d(w·s)/dx = s ⊙ (w − w·s)
    expect_close(x.grad, want * (w_np - w_np @ want), "gradient of (w·softmax(x)).sum()")
    passed("softmax", "no in-place operations, so backward runs")
