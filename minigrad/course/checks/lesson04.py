"""Checks for lesson 04 · backward() and vector-Jacobian products (syllabus 4.1–4.10).
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
    numerical_jacobian,
    passed,
    rng,
)

__all__ = ["check_jacobian", "numerical_jacobian"]


def _jacobian_cases() -> list[tuple[str, Callable, np.ndarray]]:
    gen = rng(4)
    A = gen.uniform(-1, 1, size=(3, 2))
    return [
        ("f(x) = 3·x³ (elementwise)", lambda x: 3 * x**3, gen.uniform(-1, 1, 3)),
        ("f(x) = x · x.sum()", lambda x: x * x.sum(), gen.uniform(-1, 1, 3)),
        (
            "f(x) = A @ x with A of shape (3, 2)",
            lambda x: mg.matmul(mg.tensor(A, dtype=mg.float64), x),
            gen.uniform(-1, 1, 2),
        ),
        (
            "f(x) = [x0·x1, x1², x0 + x2, x2]",
            lambda x: mg.stack([x[0] * x[1], x[1] ** 2, x[0] + x[2], x[2]]),
            gen.uniform(-1, 1, 3),
        ),
    ]


def check_jacobian(jacobian: Callable) -> None:
    """Lesson 04: ``jacobian(f, x)`` builds J (m×n) row by row with ``backward(gradient=eᵢ)``."""
    for title, f, x_np in _jacobian_cases():
        m = int(np.asarray(arr(f(mg.tensor(x_np, dtype=mg.float64)))).size)
        n = x_np.size
        expected = np.stack([numerical_grad(f, [x_np], np.eye(m)[i])[0] for i in range(m)]).reshape(
            m, n
        )
        x = mg.tensor(x_np, dtype=mg.float64, requires_grad=True)
        try:
            J = jacobian(f, x)
        except NotImplementedError:
            fail("jacobian raised NotImplementedError: write its body.")
        except RuntimeError as exc:
            fail(
                f"for {title}: jacobian raised RuntimeError: {exc}. Hint: call f(x) again "
                "for each row, or pass retain_graph=True."
            )
        J = arr(J)
        if J.shape != (m, n):
            fail(
                f"for {title}: the Jacobian has shape {J.shape}, expected (m, n) = ({m}, {n}): "
                "row i holds the gradient of output i."
            )
        if not close(J, expected):
            if close(J, np.cumsum(expected, axis=0)):
                fail(
                    f"for {title}: row i is the SUM of rows 0..i. .grad accumulates: set "
                    "x.grad = None (or x.grad.zero_()) before each backward."
                )
            if m == n and close(J, expected.T):
                fail(f"for {title}: you built the transpose; row i = ∂f_i/∂x.")
            row = int(np.argmax(np.abs(J - expected).max(axis=1)))
            fail(
                f"for {title}: row {row} is {fmt(J[row])}, finite differences give "
                f"{fmt(expected[row])}. Row i = x.grad after f(x).backward(gradient=e_i)."
            )
    passed("jacobian", "each row is a vector-Jacobian product with a one-hot v")
