"""Checks for lesson 09 · Higher-order derivatives (syllabus 9.1–9.5).

- :func:`check_second_derivative`: ``second(f, x)`` differentiates twice with autograd;
- :func:`check_hessian`: ``hessian(f, x)`` differentiates each entry of a recorded gradient;
- :func:`check_mixed_batch`: ``mixed(f, X)`` takes ∂²f/∂x∂y per row of a batch, by
  differentiating with respect to the whole X;
- :func:`check_paths`: the path products of the edge-as-node picture of R = (a·b)·(a + b),
  predicted by hand;
- :func:`check_recorded`: which node ends each gradient that ``create_graph=True`` records
  for S = (a·b)·b, and its value, predicted by hand.

Example:
    >>> def second(f, x):
    ...     (g,) = mg.autograd.grad(f(x).sum(), x, create_graph=True)
    ...     (h,) = mg.autograd.grad(g.sum(), x)
    ...     return h
    >>> check_second_derivative(second)
    ✓ second: second derivatives of sin, x³ and x·exp(x) by differentiating twice with autograd.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

import minigrad as mg
from minigrad.autograd.observer import observe_backward

from ._common import (
    _RunCounter,
    arr,
    autograd_runs,
    call,
    expect_close,
    fail,
    not_written,
    passed,
    rng,
)

__all__ = [
    "check_second_derivative",
    "check_hessian",
    "check_mixed_batch",
    "check_paths",
    "check_recorded",
]

_NO_GRAPH = (
    "the first grad call needs create_graph=True: without it the gradient it returns has no "
    "grad_fn, so it cannot be differentiated again"
)


def _call_graded(fn: Callable, *args: Any, what: str) -> Any:
    """``call``, with the two errors of this lesson explained."""
    try:
        return fn(*args)
    except RuntimeError as exc:
        text = str(exc)
        if "does not require grad" in text:
            fail(f"{what} raised '{text}': {_NO_GRAPH}")
        if "appears to not have been used in the graph" in text:
            fail(
                f"{what} raised '{text}': a fresh slice such as X[:, 0] is a new tensor the "
                "output never used; differentiate with respect to the whole X, then take columns"
            )
        if "backward through the graph a second time" in text:
            fail(
                f"{what} raised '{text}': the graph of the gradient is walked once per entry, "
                "so every grad call but the last needs retain_graph=True"
            )
        return call(fn, *args, what=what)
    except Exception:
        return call(fn, *args, what=what)


class _GraphRuns(_RunCounter):
    """One entry per engine run: whether it recorded its own graph (create_graph=True)."""

    def begin(self, task: Any) -> None:
        self.runs.append(bool(task.create_graph))


# --------------------------------------------------------------------------- second derivative


def check_second_derivative(second: Callable[[Callable, mg.Tensor], mg.Tensor]) -> None:
    """``second(f, x)``: elementwise d²f/dx² of an elementwise ``f``, by grad of grad."""
    if not_written(second):
        fail("second is not defined yet: write the function in the cell above")
    x_np = rng(9).uniform(-2, 2, size=5)
    cases = (
        ("sin", lambda x: x.sin(), -np.sin(x_np)),
        ("x³", lambda x: x**3, 6 * x_np),
        ("x·exp(x)", lambda x: x * x.exp(), (2 + x_np) * np.exp(x_np)),
    )
    for name, f, want in cases:
        x = mg.tensor(x_np, dtype=mg.float64, requires_grad=True)
        with autograd_runs() as runs:
            got = _call_graded(second, f, x, what=f"second(f, x) for f = {name}")
        if not_written(got):
            fail(f"second(f, x) returned None for f = {name}: return the second derivative")
        if len(runs) < 2:
            fail(
                f"second(f, x) ran autograd {len(runs)} time(s) for f = {name}: call "
                "mg.autograd.grad twice, the first time with create_graph=True"
            )
        g = arr(got)
        if g.shape == want.shape and np.allclose(g, 0) and not np.allclose(want, 0):
            fail(f"for f = {name} you got all zeros: {_NO_GRAPH}")
        expect_close(got, want, f"d²/dx² of {name}")
    passed(
        "second",
        "second derivatives of sin, x³ and x·exp(x) by differentiating twice with autograd",
    )


# --------------------------------------------------------------------------- Hessian


def check_hessian(hessian: Callable[[Callable, mg.Tensor], mg.Tensor]) -> None:
    """``hessian(f, x)``: H[i, j] = ∂²f/∂xᵢ∂xⱼ of a scalar ``f`` at a 1-D ``x``."""
    if not_written(hessian):
        fail("hessian is not defined yet: write the function in the cell above")

    def cubic(v):
        return v[0] * v[1] * v[2] + v[0] ** 3

    M = rng(91).normal(size=(3, 3))
    Mt = mg.tensor(M)

    def quad(v):
        return v @ (Mt @ v)

    p = rng(92).normal(size=3)
    cases = (
        (
            "x·y·z + x³",
            cubic,
            p,
            np.array([[6 * p[0], p[2], p[1]], [p[2], 0, p[0]], [p[1], p[0], 0]]),
        ),
        ("xᵀMx (= M + Mᵀ)", quad, rng(93).normal(size=3), M + M.T),
    )
    for name, f, at, want in cases:
        x = mg.tensor(at, dtype=mg.float64, requires_grad=True)
        with observe_backward(_GraphRuns()) as counter:
            H = _call_graded(hessian, f, x, what=f"hessian(f, x) for f = {name}")
        runs = counter.runs
        if not_written(H):
            fail("hessian returned None: return the n×n matrix (mg.stack of its rows)")
        if True not in runs or len(runs) - runs.index(True) < 2:
            fail(
                f"for f = {name}, hessian never differentiated a gradient recorded with "
                "create_graph=True: take the gradient with create_graph=True, then "
                "differentiate each of its entries with autograd (no finite differences)"
            )
        g = arr(H)
        if g.shape == want.shape and np.allclose(g, 0) and not np.allclose(want, 0):
            fail(f"for f = {name} the Hessian is all zeros: {_NO_GRAPH}")
        expect_close(H, want, f"Hessian of {name}")
    passed("hessian", "Hessians of x·y·z + x³ and xᵀMx, one autograd.grad per gradient entry")


# --------------------------------------------------------------------------- batched mixed


def check_mixed_batch(mixed: Callable[[Callable, mg.Tensor], mg.Tensor]) -> None:
    """``mixed(f, X)``: per row of X [n, 2] (columns x, y), ∂²f/∂x∂y of ``f(x, y)``."""
    if not_written(mixed):
        fail("mixed is not defined yet: write the function in the cell above")
    X_np = rng(94).uniform(0.5, 2, size=(6, 2))
    x0, y0 = X_np[:, 0], X_np[:, 1]
    cases = (
        ("x·y²", lambda x, y: x * y * y, 2 * y0, 0 * x0),
        ("sin(x)·y³", lambda x, y: x.sin() * y**3, 3 * np.cos(x0) * y0**2, -np.sin(x0) * y0**3),
        ("x²·exp(y)", lambda x, y: x * x * y.exp(), 2 * x0 * np.exp(y0), 2 * np.exp(y0)),
    )
    for name, f, want, d2x in cases:
        X = mg.tensor(X_np, dtype=mg.float64, requires_grad=True)
        got = _call_graded(mixed, f, X, what=f"mixed(f, X) for f = {name}")
        if not_written(got):
            fail("mixed returned None: return a tensor with one ∂²f/∂x∂y per row")
        if isinstance(got, mg.Tensor) and arr(got).shape == (6, 2):
            fail(
                f"for f = {name} you returned the whole [6, 2] result: ∂²f/∂x∂y is one of its "
                "columns (the derivative of ∂f/∂x with respect to y)"
            )
        g = arr(got)
        if g.shape == want.shape and np.allclose(g, d2x):
            fail(
                f"for f = {name} you got ∂²f/∂x², not ∂²f/∂x∂y: differentiate the x column of "
                "the first gradient, then take the y column of the result"
            )
        expect_close(
            got,
            want,
            f"∂²f/∂x∂y per row for f = {name}",
            " (differentiate the x column of the first gradient; the mixed derivative is the "
            "y column of the second)",
        )
    passed("mixed", "∂²f/∂x∂y per row for 3 functions of a [6, 2] batch, through the whole X")


# --------------------------------------------------------------------------- edge-as-node


PATHS = {"a": [15.0, 6.0], "b": [10.0, 6.0]}  # R = (a·b)·(a + b) at a = 2, b = 3


def _number_list(value: Any, name: str) -> list[float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple)):
        fail(f'paths["{name}"] should be a list of numbers, one product per path')
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            fail(f'paths["{name}"] should hold plain numbers, got {v!r}')
        out.append(float(v))
    return out


def check_paths(paths: Any) -> None:
    """``paths``: for R = (a·b)·(a + b) at a = 2, b = 3, each input's path products
    (the product of the q on the edges of one path from R to it), one number per path."""
    if not_written(paths) or not isinstance(paths, dict) or not paths:
        fail('write paths as a dict {"a": [...], "b": [...]}, one product per path')
    if any(paths.get(k) is None for k in ("a", "b")):
        fail('write both lists: paths = {"a": [...], "b": [...]}')
    for name in ("a", "b"):
        got = sorted(_number_list(paths[name], name), reverse=True)
        want = PATHS[name]
        if len(got) == 1 and math.isclose(got[0], sum(want)):
            fail(
                f"{got[0]:g} is dR/d{name}, the sum over paths: {name} reaches R along "
                f"{len(want)} paths (through a·b and through a + b); list each path's product"
            )
        if len(got) != len(want):
            fail(
                f"{name} reaches R along {len(want)} paths (through a·b and through a + b), "
                f"you listed {len(got)}"
            )
        if not all(math.isclose(g, w) for g, w in zip(got, want)):
            fail(
                f'paths["{name}"] = {got}: each path\'s product multiplies the q of every edge '
                "on it (q of R → a·b is a + b = 5, q of R → a + b is a·b = 6, q of a·b → a is "
                "b, q of a·b → b is a, q of a + b → a or b is 1)"
            )
    passed("paths", "two paths to each of a and b: 15 + 6 = 21 = dR/da and 10 + 6 = 16 = dR/db")


# --------------------------------------------------------------------------- recorded graph


def _recorded_truth() -> dict:
    a = mg.tensor(2.0, dtype=mg.float64, requires_grad=True)
    b = mg.tensor(3.0, dtype=mg.float64, requires_grad=True)
    S = (a * b) * b
    ga, gb = mg.autograd.grad(S, (a, b), create_graph=True)
    return {
        "dS/da": (ga.grad_fn.name(), float(arr(ga))),
        "dS/db": (gb.grad_fn.name(), float(arr(gb))),
    }


def check_recorded(prediction: Any) -> None:
    """``prediction``: for S = (a·b)·b at a = 2, b = 3 and
    ``grad(S, (a, b), create_graph=True)``, each gradient's ``grad_fn`` name and value:
    ``{"dS/da": ("SomeBackward0", value), "dS/db": (...)}``."""
    if not_written(prediction) or not isinstance(prediction, dict):
        fail('write the prediction as a dict {"dS/da": (name, value), "dS/db": (name, value)}')
    truth = _recorded_truth()
    for key, (name, value) in truth.items():
        entry = prediction.get(key)
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2):
            fail(
                f'write prediction["{key}"] as a pair (grad_fn name, value), e.g. ("MulBackward0", 1.0)'
            )
        p_name, p_value = entry
        if p_name is None or p_value is None:
            fail(f'fill in both parts of prediction["{key}"]: the node name and the value')
        if not isinstance(p_name, str):
            fail(
                f'prediction["{key}"][0] should be the node\'s name as a string, e.g. "AddBackward0"'
            )
        n_paths = 1 if key == "dS/da" else 2
        if p_name != name:
            why = (
                "one path reaches a (S → a·b → a), so its gradient ends with the "
                "multiplication by that path's last q"
                if n_paths == 1
                else "two paths reach b (through a·b, and directly), and the engine adds "
                "their gradients: with create_graph=True that addition is recorded"
            )
            fail(f"{key}: you predicted {p_name!r}, but its grad_fn is {name!r} — {why}")
        if isinstance(p_value, bool) or not isinstance(p_value, (int, float)):
            fail(f'prediction["{key}"][1] should be a number')
        if not math.isclose(float(p_value), value):
            fail(
                f"{key}: you predicted {p_value!r}; S = a·b² gives {key} = "
                + ("b² = 9" if key == "dS/da" else "2ab = 12")
            )
    passed("recorded", "dS/da ends in MulBackward0 (one path), dS/db in AddBackward0 (two paths)")
