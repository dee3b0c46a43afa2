"""Checks for lesson 09 · Higher-order derivatives (syllabus 9.1–9.6).
(moved unchanged in substance; phase 2 rewrites them to test the skill).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import minigrad as mg

from ._common import (
    arr,
    call,
    expect_close,
    fail,
    passed,
    rng,
)

__all__ = ["check_second_derivative", "check_hessian"]


def check_second_derivative(second: Callable[[Callable, mg.Tensor], mg.Tensor]) -> None:
    """``second(f, x)``: elementwise d²f/dx² of an elementwise ``f``, by grad of grad."""
    x_np = rng(9).uniform(-2, 2, size=5)
    cases = (
        ("sin", lambda x: x.sin(), -np.sin(x_np)),
        ("x³", lambda x: x**3, 6 * x_np),
        ("x·exp(x)", lambda x: x * x.exp(), (2 + x_np) * np.exp(x_np)),
    )
    for name, f, want in cases:
        x = mg.tensor(x_np, requires_grad=True)
        try:
            got = second(f, x)
        except RuntimeError as exc:
            if "does not require grad" in str(exc):
                fail(
                    f"for f = {name}, the second grad call raised '{exc}': the first grad "
                    "call needs create_graph=True, otherwise its result has no grad_fn"
                )
            got = call(second, f, x, what=f"second(f, x) for f = {name}")
        if got is None:
            fail(f"second(f, x) returned None for f = {name}")
        g = arr(got)
        if g.shape == want.shape and np.allclose(g, 0) and not np.allclose(want, 0):
            fail(
                f"for f = {name} you got all zeros: the first grad call needs "
                "create_graph=True, otherwise its result is a constant"
            )
        expect_close(got, want, f"d²/dx² of {name}")
    passed("second", "second derivatives by differentiating twice")


def check_hessian(hessian: Callable[[Callable, mg.Tensor], mg.Tensor]) -> None:
    """``hessian(f, x)``: H[i, j] = ∂²f/∂xᵢ∂xⱼ of a scalar ``f`` at a 1-D ``x``."""

    def q(v):
        return (v[0] * v[0] * v[1]) ** 2

    x = mg.tensor([2.0, 3.0], requires_grad=True)
    H = call(hessian, q, x, what="hessian(f, x)")
    expect_close(H, np.array([[432.0, 192.0], [192.0, 32.0]]), "Hessian of (x·x·y)² at (2, 3)")
    M = rng(91).normal(size=(3, 3))
    Mt = mg.tensor(M)

    def quad(v):
        return v @ (Mt @ v)

    v = mg.tensor(rng(92).normal(size=3), requires_grad=True)
    H2 = call(hessian, quad, v, what="hessian(f, x)")
    expect_close(H2, M + M.T, "Hessian of xᵀMx (= M + Mᵀ)")
    passed("hessian", "Hessian by differentiating each gradient entry")
