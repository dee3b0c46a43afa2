"""Checks for lesson 11 · Inside the engine (syllabus 11.1–11.6).
(moved unchanged in substance; phase 2 rewrites them to test the skill).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import minigrad as mg
from minigrad.autograd.engine import _count_dependencies

from ._common import (
    CheckFailed,
    arr,
    autograd_runs,
    call,
    close,
    expect_close,
    fail,
    passed,
    rng,
)

__all__ = [
    "check_count_dependencies",
    "check_my_backward",
    "check_naive_runs",
    "check_numerical_grad",
    "check_nan_source",
    "check_clip_hook",
]


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
    """``my_backward(out)`` fills the leaves' ``.grad`` like ``out.backward()`` does, calling
    each node once, itself: without the engine (``backward()``, ``autograd.grad``)."""
    for build in _graphs():
        what, out, leaves = build()
        # a post-accumulate hook runs each time a leaf's AccumulateGrad node is called
        runs = [0] * len(leaves)
        for i, leaf in enumerate(leaves):
            leaf.register_post_accumulate_grad_hook(
                lambda _t, i=i, runs=runs: runs.__setitem__(i, runs[i] + 1)
            )
        with autograd_runs() as engine_runs:
            try:
                call(my_backward, out, what="my_backward(out)")
            except CheckFailed as exc:
                if "iteration over a 0-d tensor" in str(exc):
                    fail(
                        f"{exc} — node(grad) returns a lone tensor when the node has one "
                        "gradient to pass on; call run_node(node, grad) to always get a tuple"
                    )
                raise
        if engine_runs:
            fail(
                "my_backward ran minigrad's engine (backward() or autograd.grad): call the "
                "nodes yourself, each once its dependency count is 0"
            )
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
        for i, n in enumerate(runs):
            if n > 1:
                fail(
                    f"on {what}: leaf {i}'s AccumulateGrad ran {n} times — the sums are right, "
                    "but a node must run once, after all of its incoming gradients have "
                    "arrived (wait until its dependency count is 0)"
                )
    passed("my_backward", "backward with dependency counts and a ready queue")


def _naive_graphs() -> list:
    """Graphs the lesson does not show, with shared nodes: (description, builder) pairs."""

    def diamond():
        x = mg.tensor(2.0, requires_grad=True)
        a = 3 * x
        return "c = a·(a + a) with a = 3x", a * (a + a)

    def chain_with_skip():
        x = mg.tensor(0.5, requires_grad=True)
        y = mg.tensor(-1.5, requires_grad=True)
        h = (x * y).exp()
        k = h * x + h.sin()
        return "k·k + h with k = h·x + sin(h), h = exp(x·y)", k * k + h

    def repeated_squares():
        x = mg.tensor(1.01, requires_grad=True)
        t = x
        for _ in range(10):
            t = t * t
        return "ten squarings t = t·t starting from x", t

    return [diamond, chain_with_skip, repeated_squares]


def _naive_counts(root) -> dict:
    """How often ``naive_backward`` runs each node: it visits a node once per path from root."""
    counts: dict = {}
    stack = [root]
    while stack:
        node = stack.pop()
        counts[node] = counts.get(node, 0) + 1
        stack.extend(child for child, _ in node.next_functions if child is not None)
    return counts


def check_naive_runs(naive_runs: Callable[[Any], dict]) -> None:
    """``naive_runs(root)``: {node: how many times the lesson's naive recursion runs it},
    for every node reachable from ``root`` (root included), without running any node."""
    for build in _naive_graphs():
        what, out = build()
        want = _naive_counts(out.grad_fn)
        out.backward()  # frees the saved tensors: running the nodes again fails
        try:
            got = call(naive_runs, out.grad_fn, what="naive_runs(root)")
        except CheckFailed as exc:
            if "second time" in str(exc):
                fail(
                    "naive_runs ran a node, and the check's graphs have already been through "
                    "backward: count the runs by walking next_functions, without calling nodes"
                )
            raise
        if not isinstance(got, dict):
            fail(f"naive_runs should return a dict, got {type(got).__name__}")
        if got.get(out.grad_fn) != 1:
            fail(
                f"on {what}: the root {out.grad_fn.name()} runs once (it gets one gradient), "
                f"you said {got.get(out.grad_fn)}"
            )
        for node, n in want.items():
            if got.get(node, 0) != n:
                hint = (
                    " — that is the number of edges into it; but a node that runs k times "
                    "sends k gradients along each of its edges"
                    if n > 1
                    else ""
                )
                fail(
                    f"on {what}: the naive recursion runs {node.name()} {n} time(s), you said "
                    f"{got.get(node, 0)}{hint}"
                )
        extra = [k for k, v in got.items() if k not in want and v]
        if extra:
            fail(f"on {what}: counted nodes that no edge reaches: {[k.name() for k in extra]}")
    passed("naive_runs", "a shared node runs once per path under the naive recursion")


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


def _nan_cases() -> list:
    """(description, loss function, x, the node whose backward first returns NaN).

    Each forward is finite; its backward multiplies a zero gradient by an infinite local
    derivative (0 · ∞ = NaN) in exactly one node.
    """
    return [
        ("sum(0·sqrt(x))", lambda x: (x.sqrt() * 0).sum(), [1.0, 0.0], "SqrtBackward0"),
        (
            "sum(clamp(log(x), min=-10))",
            lambda x: x.log().clamp(min=-10).sum(),
            [2.0, 0.0],
            "LogBackward0",
        ),
        ("sum(0·x**0.5 + x)", lambda x: (x**0.5 * 0 + x).sum(), [0.0, 4.0], "PowBackward0"),
    ]


def check_nan_source(nan_source: Callable[..., Any]) -> None:
    """``nan_source(loss_fn, x)``: the name of the node whose backward first returned NaN."""
    for what, loss_fn, values, want in _nan_cases():
        x = mg.tensor(values, requires_grad=True)
        with warnings.catch_warnings():  # detect_anomaly's own warnings: not the learner's output
            warnings.simplefilter("ignore")
            got = call(nan_source, loss_fn, x, what="nan_source(loss_fn, x)")
        if got is None:
            fail(
                f"nan_source returned None for {what}: return the failing node's name, e.g. 'MulBackward0'"
            )
        if not isinstance(got, str):
            fail(f"nan_source should return the node's name as a str, got {type(got).__name__}")
        if got != want:
            hint = (
                " — return only the node's name (the part between the quotes in the error)"
                if want in got
                else " — run backward under mg.autograd.detect_anomaly(): its error names the node"
            )
            fail(f"on {what}: you named {got!r}, but the NaN comes from {want}{hint}")
    passed("nan_source", "anomaly detection names the node whose backward made the NaN")


def check_clip_hook(attach_clip: Callable[[mg.Tensor], Any]) -> None:
    """``attach_clip(t)``: a hook on ``t`` that clamps its gradient to [−1, 1]; returns the handle.

    Math: with y = 3x and L = Σ y², dL/dy = 2y is clipped before it reaches x: x.grad = 3·clip(2y).
    """
    x_np = np.array([1.0, -2.0, 0.25])
    x = mg.tensor(x_np, requires_grad=True)
    y = x * 3
    handle = call(attach_clip, y, what="attach_clip(y)")
    (y * y).sum().backward(retain_graph=True)  # y's node runs again after handle.remove()
    free = 3 * (2 * 3 * x_np)  # x.grad without the hook
    want = 3 * np.clip(2 * 3 * x_np, -1, 1)
    if x.grad is None:
        fail("x has no .grad: the hook must return a tensor (the clamped gradient), not None")
    if close(arr(x.grad), free):
        fail(
            "the gradient reached x unchanged: register a hook on t with "
            "t.register_hook(fn), where fn returns the clamped gradient"
        )
    expect_close(x.grad, want, "x.grad with y's gradient clipped to [-1, 1]")
    if not hasattr(handle, "remove"):
        fail("return the handle that t.register_hook gives you, so the hook can be removed")
    handle.remove()
    x.grad = None
    (y * y).sum().backward()
    expect_close(
        x.grad,
        free,
        "x.grad after handle.remove()",
        " — removing the handle should stop the clipping",
    )
    passed("attach_clip", "a tensor hook that replaces the gradient, and its handle")
