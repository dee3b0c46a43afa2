"""Checks for lesson 08 · autograd.grad (syllabus 8.1–8.6).
(moved unchanged in substance; phase 2 rewrites them to test the skill).
"""

from __future__ import annotations

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

__all__ = ["check_per_sample_grads", "check_grads_or_zeros", "check_centre_detached"]


def check_per_sample_grads(fn: Callable[[mg.Tensor], mg.Tensor]) -> None:
    """``fn(X)`` returns d/dxᵢ [sin(xᵢ)·xᵢ] for every entry with one ``autograd.grad`` call."""
    x_np = rng(8).uniform(-2, 2, size=6)
    X = mg.tensor(x_np, requires_grad=True)
    got = call(fn, X, what="fn(X)")
    if isinstance(got, tuple):
        fail("fn returned a tuple: mg.autograd.grad returns one; take its element [0]")
    if X.grad is not None:
        fail(
            "X.grad was set: fn must use mg.autograd.grad, which returns the gradient "
            "instead of accumulating it into .grad"
        )
    expect_close(got, np.cos(x_np) * x_np + np.sin(x_np), "per-sample gradients")
    passed("per_sample", "per-sample gradients from one grad call")


def check_grads_or_zeros(fn: Callable[..., Any]) -> None:
    """``fn(loss, params)``: d loss/d p for every p, zeros for parameters the loss never used."""
    gen = rng(81)
    w = mg.tensor(gen.normal(size=3), requires_grad=True)
    b = mg.tensor(gen.normal(size=()), requires_grad=True)
    unused = mg.tensor(gen.normal(size=(2, 2)), requires_grad=True)
    x = mg.tensor(gen.normal(size=3))
    loss = ((w * x).sum() + b) ** 2
    got = call(fn, loss, [w, unused, b], what="fn(loss, params)")
    if got is None or len(got) != 3:
        fail("fn should return one gradient per parameter (3 here)")
    if any(p.grad is not None for p in (w, b, unused)):
        fail("a parameter's .grad was set: use mg.autograd.grad, which leaves .grad alone")
    if got[1] is None:
        fail(
            "the unused parameter got None (what allow_unused=True returns): replace it by "
            "mg.zeros_like(p)"
        )
    s = float((arr(w) * arr(x)).sum() + arr(b))
    expect_close(got[0], 2 * s * arr(x), "gradient of the first parameter")
    expect_close(got[1], np.zeros((2, 2)), "gradient of the unused parameter")
    expect_close(got[2], np.array(2 * s), "gradient of the last parameter")
    passed("grads_or_zeros", "gradients with zeros for unused parameters")


def check_centre_detached(centre: Callable[[mg.Tensor], mg.Tensor]) -> None:
    """``centre(X)`` = X − mean(X) with the mean treated as a constant (no mixing of samples)."""
    x_np = rng(82).normal(size=5)
    X = mg.tensor(x_np, requires_grad=True)
    out = call(centre, X, what="centre(X)")
    expect_close(out, x_np - x_np.mean(), "centre(X)")
    if out.grad_fn is None:
        fail("centre(X) has no grad_fn: only the mean should be detached, not X itself")
    (g,) = mg.autograd.grad(out[0], X)
    gv = arr(g)
    if close(gv, np.eye(5)[0] - 0.2):
        fail(
            "d out[0]/dX is [0.8, -0.2, -0.2, -0.2, -0.2]: the mean still passes gradients to "
            "every sample; detach it (X.mean().detach())"
        )
    expect_close(g, np.eye(5)[0], "d out[0]/dX")
    passed("centre", "centring with a detached mean")
