"""Checks for lesson 01 · Forward and backward of one operation (syllabus 1.1–1.7).

- :func:`check_slope`: ``slope(f, x, h)`` is the central difference (f(x+h) − f(x−h)) / 2h,
  computed without autograd;
- :func:`check_cube`: ``Cube`` is a ``Function`` with forward x³ and backward 3·x²·g;
- :func:`check_saved_predictions`: predictions of which uses of saved tensors raise, compared
  with what the engine does;
- :func:`check_scale`: ``Scale.apply(x, factor)`` returns one gradient per forward input, with
  ``None`` for the Python number ``factor``.

Example:
    >>> check_slope(lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h))
    ✓ slope: the central difference with the h given, at 4 points, without autograd.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

import minigrad as mg

from ._common import (
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

__all__ = ["check_slope", "check_cube", "check_saved_predictions", "check_scale", "STATEMENTS"]


# --------------------------------------------------------------------------- the slope

_SLOPE_CASES = (
    # (description, f, x, h): h is large on purpose, so the formula shows, not the limit
    ("f(x) = x³ at x = 1, h = 0.5", lambda x: x**3, 1.0, 0.5),
    ("f(x) = x² at x = 3, h = 0.1", lambda x: x * x, 3.0, 0.1),
    ("f(x) = sin(x) at x = 1, h = 0.001", math.sin, 1.0, 1e-3),
    ("f(x) = 1/x at x = 2, h = 0.25", lambda x: 1 / x, 2.0, 0.25),
)


def check_slope(slope: Callable) -> None:
    """``slope(f, x, h)`` returns (f(x + h) − f(x − h)) / 2h for a Python function ``f`` of a
    float, with the ``h`` it is given (no autograd, no exact derivative)."""
    if not_written(slope):
        fail("slope is not defined yet: write the function in the cell above")
    for what, f, x, h in _SLOPE_CASES:
        with autograd_runs() as runs:
            got = call(slope, f, x, h, what=f"slope(f, {x}, {h}) for {what}")
        if runs:
            fail(
                "slope ran autograd (backward or autograd.grad): measure the slope from two "
                "values of f only, (f(x + h) − f(x − h)) / 2h"
            )
        if not_written(got):
            fail("slope returned None: end it with `return (f(x + h) - f(x - h)) / (2 * h)`")
        if isinstance(got, mg.Tensor) or not isinstance(got, (int, float, np.floating)):
            fail(f"slope should return a Python number, got {type(got).__name__}")
        central = (f(x + h) - f(x - h)) / (2 * h)
        if math.isclose(got, central, rel_tol=1e-12, abs_tol=1e-12):
            continue
        forward = (f(x + h) - f(x)) / h
        backward = (f(x) - f(x - h)) / h
        if math.isclose(got, forward, rel_tol=1e-9) or math.isclose(got, backward, rel_tol=1e-9):
            fail(
                f"for {what} you returned the one-sided slope {got:.6g}: use both sides, "
                f"(f(x + h) − f(x − h)) / 2h = {central:.6g}; it is far more accurate"
            )
        if math.isclose(got, (f(x + h) - f(x - h)) / h, rel_tol=1e-9):
            fail(f"for {what}: divide by 2h (the two points are 2h apart), not by h")
        fail(
            f"for {what}: slope returned {got:.6g}, but (f(x + h) − f(x − h)) / 2h with this "
            f"h is {central:.6g}; use the f, x and h you are given (not an exact derivative)"
        )
    passed("slope", "the central difference with the h given, at 4 points, without autograd")


# --------------------------------------------------------------------------- Cube


def check_cube(Cube: Any) -> None:
    """``Cube`` is a Function with forward x³ (saving x) and backward 3·x²·g."""
    name = "Cube"
    if not (isinstance(Cube, type) and issubclass(Cube, mg.autograd.Function)):
        fail(f"{name} should be a class deriving from mg.autograd.Function, got {Cube!r}")
    gen = rng(1)
    for shape in ((), (4,), (2, 3)):
        x_np = gen.uniform(-2.0, 2.0, size=shape)
        x = mg.tensor(x_np, dtype=mg.float64, requires_grad=True)
        out = call(Cube.apply, x, what=f"{name}.apply(x) for x of shape {shape}")
        if not_written(out):
            fail(f"{name}.forward returned None: write forward, ending with `return x * x * x`")
        if not isinstance(out, mg.Tensor):
            fail(f"{name}.forward must return a tensor, it returned {type(out).__name__}")
        if tuple(out.shape) != shape or not close(out, x_np**3):
            fail(
                f"forward is wrong: for x = {fmt(x_np)}, {name}.apply(x) = {fmt(out)}, "
                f"expected x³ = {fmt(x_np**3)}"
            )
        if out.grad_fn is None or out.grad_fn.name() != "CubeBackward":
            got = None if out.grad_fn is None else out.grad_fn.name()
            fail(f"the node is {got}, expected CubeBackward: call it as {name}.apply(x)")
        if len(out.grad_fn.saved_tensors) == 0:
            fail(
                f"{name}.forward saved nothing: call ctx.save_for_backward(x) so that "
                "backward can read x from ctx.saved_tensors"
            )
        g_np = gen.uniform(-1.5, 1.5, size=shape)
        call(out.backward, mg.tensor(g_np, dtype=mg.float64), what=f"{name}'s backward")
        if x.grad is None:
            fail(f"x.grad is None after backward: {name}.backward must return x's gradient")
        (num,) = numerical_grad(Cube.apply, [x_np], g_np)
        if not close(x.grad, num):
            hint = ""
            if close(x.grad, 3 * x_np**2):
                hint = (
                    " It equals the local derivative 3·x² alone: multiply by the incoming "
                    "gradient g (the chain rule)."
                )
            elif close(x.grad, 2 * x_np * g_np):
                hint = " That is the derivative of x², not of x³."
            fail(
                f"backward is wrong: for x = {fmt(x_np)} and incoming gradient g = "
                f"{fmt(g_np)}, x.grad = {fmt(x.grad)}, but finite differences give "
                f"{fmt(num)}.{hint}"
            )
    passed("Cube", "forward x³, node CubeBackward, backward 3·x²·g matches finite differences")


# --------------------------------------------------------------------------- saved tensors


class _Product(mg.autograd.Function):
    """z = x·y, saving both inputs (the lesson's MyFunction, simplified)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * y, g * x


def _fresh() -> tuple:
    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    return x, y, _Product.apply(x, y)


def _read_saved_before() -> None:
    x, y, z = _fresh()
    _ = z.grad_fn.saved_tensors


def _read_saved_after() -> None:
    x, y, z = _fresh()
    z.backward()
    _ = z.grad_fn.saved_tensors


def _backward_twice() -> None:
    x, y, z = _fresh()
    z.backward()
    z.backward()


def _read_grad_after() -> None:
    x, y, z = _fresh()
    z.backward()
    _ = x.grad


def _new_graph_after() -> None:
    x, y, z = _fresh()
    z.backward()
    z2 = _Product.apply(x, y)
    _ = z2.grad_fn.saved_tensors


def _grad_fn_after() -> None:
    x, y, z = _fresh()
    z.backward()
    z.grad_fn.name()


# Each statement runs on fresh tensors: x = 2, y = 3, z = MyFunction.apply(x, y).
STATEMENTS = {
    "read z.grad_fn.saved_tensors before backward": _read_saved_before,
    "read z.grad_fn.saved_tensors after z.backward()": _read_saved_after,
    "call z.backward() a second time": _backward_twice,
    "read x.grad after z.backward()": _read_grad_after,
    "read z.grad_fn after z.backward()": _grad_fn_after,
    "after z.backward(), make z2 = MyFunction.apply(x, y) and read its saved_tensors": (
        _new_graph_after
    ),
}


def _raises(fn: Callable) -> bool:
    try:
        fn()
    except RuntimeError:
        return True
    return False


def check_saved_predictions(predictions: dict) -> None:
    """``predictions[statement]`` is True when you predict the statement raises an error.
    The check runs every statement on the real engine and compares."""
    if not isinstance(predictions, dict):
        fail("write the predictions as a dict {statement: True or False}")
    missing = [s for s in STATEMENTS if not isinstance(predictions.get(s), bool)]
    if missing:
        fail(f"give True (raises) or False (works) for: {missing[0]!r}")
    wrong = []
    for statement, fn in STATEMENTS.items():
        if predictions[statement] != _raises(fn):
            wrong.append(statement)
    if wrong:
        s = wrong[0]
        truth = _raises(STATEMENTS[s])
        why = (
            "backward frees what the graph saved, so it can no longer be read or used"
            if truth
            else "only the saved tensors are freed: the node, .grad and any new graph are fine"
        )
        fail(
            f"{len(wrong)} prediction(s) wrong, e.g. {s!r}: it "
            f"{'raises' if truth else 'works'} ({why})"
        )
    passed("saved tensors", f"all {len(STATEMENTS)} predictions match the engine")


# --------------------------------------------------------------------------- Scale


def check_scale(Scale: Any) -> None:
    """``Scale.apply(x, factor)`` = x·factor for a Python number ``factor``; its backward
    returns one gradient per forward input: g·factor for x, ``None`` for ``factor``."""
    if not (isinstance(Scale, type) and issubclass(Scale, mg.autograd.Function)):
        fail(f"Scale should be a class deriving from mg.autograd.Function, got {Scale!r}")
    gen = rng(11)
    for factor in (2.5, -0.5, 3.0):
        x_np = gen.uniform(-2, 2, size=3)
        x = mg.tensor(x_np, dtype=mg.float64, requires_grad=True)
        out = call(Scale.apply, x, factor, what=f"Scale.apply(x, {factor})")
        if not isinstance(out, mg.Tensor) or not close(out, x_np * factor):
            fail(f"forward is wrong: Scale.apply(x, {factor}) = {out!r}, expected x·{factor}")
        if out.grad_fn is None or out.grad_fn.name() != "ScaleBackward":
            fail("the node should be ScaleBackward: call it as Scale.apply(x, factor)")
        g_np = gen.uniform(-1, 1, size=3)
        try:
            out.backward(mg.tensor(g_np, dtype=mg.float64))
        except RuntimeError as exc:
            text = str(exc)
            if "incorrect number of gradients" in text:
                fail(
                    "backward must return one gradient per input of forward — two here, for "
                    f"x and for factor (the engine says: {text}); return None for factor"
                )
            if "different than None" in text:
                fail(
                    "factor is a Python number, not a tensor: no gradient can flow to it, so "
                    f"its gradient must be None (the engine says: {text})"
                )
            fail(f"Scale's backward raised RuntimeError: {text}")
        except Exception as exc:
            fail(f"Scale's backward raised {type(exc).__name__}: {exc}")
        if x.grad is None or not close(x.grad, g_np * factor):
            fail(
                f"x.grad = {None if x.grad is None else fmt(x.grad)}, expected g·factor = "
                f"{fmt(g_np * factor)}: multiply the incoming g by the factor saved in forward"
            )
    passed("Scale", "one gradient per forward input (g·factor and None) for 3 factors")
