"""Checks for lesson 11 · Inside the engine (syllabus 11.1–11.6).
(moved unchanged in substance; phase 2 rewrites them to test the skill).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import minigrad as mg
from minigrad.autograd.engine import _count_dependencies

from ._common import (
    CheckFailed,
    arr,
    call,
    close,
    expect_close,
    fail,
    passed,
    rng,
)

__all__ = ["check_count_dependencies", "check_my_backward", "check_numerical_grad"]


def _graphs() -> list:
    """Small graphs with shared nodes: (description, builder) pairs."""

    def square_of_product():  # w = z·z, z = x·x·y·y (syllabus 2.5)
        x = mg.tensor(2.0, requires_grad=True)
        y = mg.tensor(3.0, requires_grad=True)
        z = x * x * y * y
        return "w = z·z with z = x·x·y·y", z * z, (x, y)

    def diamond():
        x = mg.tensor(2.0, requires_grad=True)
        a = 3 * x
        b = a + a
        return "c = a·(a + a) with a = 3x", a * b, (x,)

    def chain_with_skip():
        x = mg.tensor(0.5, requires_grad=True)
        y = mg.tensor(-1.5, requires_grad=True)
        h = (x * y).exp()
        k = h * x + h.sin()
        return "k = h·x + sin(h) with h = exp(x·y)", k * k + h, (x, y)

    return [square_of_product, diamond, chain_with_skip]


def check_count_dependencies(count: Callable[[Any], dict]) -> None:
    """``count(root)``: {node: number of edges into it} for every node below ``root``."""
    for build in _graphs():
        what, out, _ = build()
        got = call(count, out.grad_fn, what="count_dependencies(root)")
        want = _count_dependencies([out.grad_fn])  # what the engine itself counts
        if not isinstance(got, dict):
            fail(f"count_dependencies should return a dict, got {type(got).__name__}")
        for node, n in want.items():
            if got.get(node, 0) != n:
                fail(
                    f"on {what}: {node.name()} has {n} incoming edge(s), you counted "
                    f"{got.get(node, 0)} — count every edge, also a second edge from a node "
                    "you have already visited"
                )
        extra = [k for k, v in got.items() if k not in want and v]
        if extra:
            fail(f"on {what}: counted nodes that no edge reaches: {[k.name() for k in extra]}")
    passed("count_dependencies", "dependency counts")


def check_my_backward(my_backward: Callable[[mg.Tensor], Any]) -> None:
    """``my_backward(out)`` fills the leaves' ``.grad`` like ``out.backward()`` does."""
    for build in _graphs():
        what, out, leaves = build()
        try:
            call(my_backward, out, what="my_backward(out)")
        except CheckFailed as exc:
            if "iteration over a 0-d tensor" in str(exc):
                fail(
                    f"{exc} — node(grad) returns a lone tensor when the node has one "
                    "gradient to pass on; call run_node(node, grad) to always get a tuple"
                )
            raise
        got = [None if t.grad is None else arr(t.grad).copy() for t in leaves]
        what2, ref_out, ref_leaves = build()
        ref_out.backward()
        for i, (g, t) in enumerate(zip(got, ref_leaves)):
            want = arr(t.grad)
            if g is None:
                fail(f"on {what}: leaf {i} has no .grad; run its AccumulateGrad node")
            if not close(g, want):
                ratio = float(g / want) if want != 0 else float("nan")
                hint = (
                    " — a node ran before all of its incoming gradients had arrived, so part "
                    "of the chain was counted again (wait until its dependency count is 0)"
                    if ratio > 1
                    else ""
                )
                fail(f"on {what}: leaf {i} got grad {g}, expected {want}{hint}")
    passed("my_backward", "backward with dependency counts and a ready queue")


def check_numerical_grad(numerical_grad: Callable[..., mg.Tensor]) -> None:
    """``numerical_grad(f, x, eps)``: central differences (f(x+εeᵢ) − f(x−εeᵢ)) / 2ε."""
    x_np = rng(11).uniform(-2, 2, size=(2, 3))

    def f(x):
        return (x.sin() * x).sum()

    x = mg.tensor(x_np, dtype=mg.float64)
    want = np.cos(x_np) * x_np + np.sin(x_np)
    # central differences have O(ε²) error; a one-sided difference (O(ε)) cannot pass this
    got = call(numerical_grad, f, x, 1e-3, what="numerical_grad(f, x, eps)")
    if got is None:
        fail("numerical_grad returned None: return a tensor shaped like x, one difference each")
    if not np.array_equal(arr(x), x_np):
        fail("numerical_grad changed x: perturb a copy (x.clone()) and leave x as it was")
    if not np.allclose(arr(got), want, rtol=0, atol=1e-1):  # a coarse first look
        expect_close(got, want, "numerical_grad with eps=1e-3")
    # the accuracy the central difference reaches with eps=1e-3 (error ~ eps²)
    if not np.allclose(arr(got), want, rtol=0, atol=1e-5):
        fail(
            "with eps=1e-3 the error is above 1e-5: use the central difference "
            "(f(x+ε) − f(x−ε)) / 2ε, not (f(x+ε) − f(x)) / ε"
        )
    got = call(numerical_grad, f, x, 1e-6, what="numerical_grad(f, x, eps)")
    expect_close(got, want, "numerical_grad with eps=1e-6")
    passed("numerical_grad", "finite-difference gradient")
