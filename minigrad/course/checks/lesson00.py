"""Checks for lesson 00 · Start here (syllabus 0.1, 0.2, 2.1).

- :func:`check_first_graph`: the learner's ``first_graph(x_value, y_value)`` builds
  z = x·y + x from two new leaves that require grad and runs backward once;
- :func:`check_reading`: counts read off the backward picture of that z (the check counts
  them on the real graph).

Example:
    >>> import minigrad as mg
    >>> def first_graph(x_value, y_value):
    ...     x = mg.tensor(x_value, requires_grad=True)
    ...     y = mg.tensor(y_value, requires_grad=True)
    ...     z = x * y + x
    ...     z.backward()
    ...     return x, y, z
    >>> check_first_graph(first_graph)
    ✓ first_graph: z = x·y + x recorded from two new leaves at 4 points, backward run once (x.grad = y + 1, y.grad = x).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import minigrad as mg

from ._common import arr, autograd_runs, call, fail, fmt, not_written, passed

__all__ = ["check_first_graph", "check_reading", "FIRST_GRAPH_POINTS"]

# The exercise's own numbers first (x = -1.5, y = 4), then others: a fixed answer fails.
FIRST_GRAPH_POINTS = ((-1.5, 4.0), (2.0, 3.0), (0.5, -2.0), (3.0, 0.25))


def _leaves_of(node: Any) -> list:
    """The leaf tensors below ``node`` (through the public ``next_functions``)."""
    found, seen, stack = [], set(), [node]
    while stack:
        n = stack.pop()
        if n is None or n in seen:
            continue
        seen.add(n)
        if hasattr(n, "variable"):
            found.append(n.variable)
        stack.extend(child for child, _ in n.next_functions)
    return found


def check_first_graph(first_graph: Callable) -> None:
    """``first_graph(x_value, y_value)`` returns ``(x, y, z)``: x and y new leaves that
    require grad with those values, z = x·y + x recorded from them, after ``z.backward()``.

    Math: dz/dx = y + 1, dz/dy = x.
    """
    if not_written(first_graph):
        fail("first_graph is not defined yet: write the function in the cell above")
    for xv, yv in FIRST_GRAPH_POINTS:
        with autograd_runs() as runs:  # the engine's own record of each backward pass
            got = call(first_graph, xv, yv, what=f"first_graph({xv}, {yv})")
        if not_written(got):
            fail(
                "first_graph returned None: write its body (make x and y, compute z, run "
                "backward) and end with `return x, y, z`"
            )
        if not (isinstance(got, tuple) and len(got) == 3):
            fail(f"first_graph should return the three tensors (x, y, z), got {got!r}")
        x, y, z = got
        for name, t, value in (("x", x, xv), ("y", y, yv)):
            if not isinstance(t, mg.Tensor):
                fail(f"{name} should be a minigrad tensor (mg.tensor(...)), got {type(t).__name__}")
            if not t.requires_grad:
                fail(
                    f"{name} does not require grad: create it with mg.tensor(value, requires_grad=True)"
                )
            if not t.is_leaf:
                fail(f"{name} should be a leaf made by mg.tensor, but it has grad_fn={t.grad_fn}")
            if float(arr(t)) != value:
                fail(
                    f"first_graph({xv}, {yv}) returned {name} = {fmt(t)}: make {name} from the "
                    f"value passed in ({value}), not from a number of your own or a tensor "
                    "defined earlier in the lesson"
                )
        if not isinstance(z, mg.Tensor) or z.grad_fn is None:
            fail("z has no grad_fn: compute z from x and y with tensor operations (z = x * y + x)")
        leaves = _leaves_of(z.grad_fn)
        if not (any(t is x for t in leaves) and any(t is y for t in leaves)) or len(leaves) != 2:
            fail("z was not computed from the x and y you return: build z from exactly those two")
        if z.grad_fn.name() != "AddBackward0" or float(arr(z)) != xv * yv + xv:
            fail(
                f"z = {fmt(z)} with grad_fn {z.grad_fn.name()}: the exercise asks for "
                f"z = x·y + x = {xv * yv + xv:g} (an addition of x·y and x)"
            )
        if not runs:
            fail(
                "backward never ran: call z.backward() before returning (setting .grad by "
                "hand skips the engine this exercise is about)"
            )
        if len(runs) > 1:
            fail(
                f"backward ran {len(runs)} times: call z.backward() once (each run adds "
                "its gradients into .grad, lesson 05)"
            )
        if x.grad is None or y.grad is None:
            fail("x.grad or y.grad is None: run backward on the z you return")
        if float(arr(x.grad)) != yv + 1 or float(arr(y.grad)) != xv:
            fail(
                f"for x = {xv}, y = {yv}: x.grad = {fmt(x.grad)}, y.grad = {fmt(y.grad)}, but "
                f"backward of z = x·y + x gives x.grad = y + 1 = {yv + 1:g} and y.grad = x = "
                f"{xv:g}; set nothing by hand, let z.backward() fill .grad"
            )
    passed(
        "first_graph",
        f"z = x·y + x recorded from two new leaves at {len(FIRST_GRAPH_POINTS)} points, "
        "backward run once (x.grad = y + 1, y.grad = x)",
    )


def check_reading(answers: dict, first_graph: Callable) -> None:
    """``answers`` read off the backward picture of z = x·y + x from ``first_graph(-1.5, 4.0)``:
    the number of ``AccumulateGrad`` nodes, and of arrows into x's ``AccumulateGrad``. The
    check counts both on the graph that z really has."""
    keys = ("AccumulateGrad nodes", "arrows into x's AccumulateGrad")
    if not isinstance(answers, dict) or any(not_written(answers.get(k)) for k in keys):
        fail(f"write your two counts as numbers: answers = {{{keys[0]!r}: ..., {keys[1]!r}: ...}}")
    if any(isinstance(answers[k], bool) or not isinstance(answers[k], int) for k in keys):
        fail(f"write each count as a whole number, e.g. {keys[0]!r}: 3")
    got = call(first_graph, -1.5, 4.0, what="first_graph(-1.5, 4.0)")
    if not (isinstance(got, tuple) and len(got) == 3) or not isinstance(got[2], mg.Tensor):
        fail("first_graph (exercise 1) does not return x, y, z yet: finish exercise 1 first")
    x, _, z = got
    if z.grad_fn is None:
        fail("the z of first_graph has no grad_fn: finish exercise 1 first")
    nodes, seen, stack, into = [], set(), [z.grad_fn], {}
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        nodes.append(n)
        for child, _ in n.next_functions:
            if child is not None:
                into[child] = into.get(child, 0) + 1
                stack.append(child)
    accs = [n for n in nodes if hasattr(n, "variable")]
    acc_x = next((n for n in accs if n.variable is x), None)
    if acc_x is None:
        fail("x is not a leaf of z's graph: finish exercise 1 first")
    if answers[keys[0]] != len(accs):
        fail(
            f"{answers[keys[0]]} AccumulateGrad nodes is not what the picture shows: there is "
            "one per leaf that requires grad, however many times the leaf is used"
        )
    if answers[keys[1]] != into[acc_x]:
        fail(
            f"{answers[keys[1]]} is not the number of arrows that end at x's AccumulateGrad: "
            "count them on the picture; x is used twice in x·y + x"
        )
    passed("reading the picture", "one AccumulateGrad per leaf, and an arrow for every use of x")
