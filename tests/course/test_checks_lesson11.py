"""Lesson 11's checks accept right answers and reject wrong ones precisely.

Moved unchanged from the old per-part test files; phase 2 of the course work turns these into
``Case`` lists (tests/course/checks_harness.py) with three wrong answers and the learner
copy's answer for every check.
"""

from __future__ import annotations

import minigrad as mg
from minigrad.course.checks import lesson11 as C
from minigrad.course.nodes import run_node
from tests.course.checks_harness import legacy_accepts as accepts
from tests.course.checks_harness import legacy_rejects as rejects


def _count_ok(root):
    counts, seen, stack = {}, {root}, [root]
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            counts[child] = counts.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return counts


def _count_once(root):
    """The mistake: count a child only on its first visit."""
    counts, stack = {}, [root]
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is not None and child not in counts:
                counts[child] = 1
                stack.append(child)
    return counts


def test_count_dependencies(capsys):
    accepts(C.check_count_dependencies, _count_ok, capsys)
    rejects(C.check_count_dependencies, _count_once, "you counted 1")
    rejects(C.check_count_dependencies, lambda root: [], "should return a dict, got list")
    rejects(
        C.check_count_dependencies,
        lambda root: {},
        "MulBackward0 has 2 incoming edge(s), you counted 0",
    )


def _my_backward_ok(out):
    counts = _count_ok(out.grad_fn)
    buffers = {out.grad_fn: mg.ones_like(out)}
    ready = [out.grad_fn]
    with mg.no_grad():
        while ready:
            node = ready.pop()
            for (child, _), g in zip(node.next_functions, run_node(node, buffers.pop(node))):
                if child is None:
                    continue
                buffers[child] = g if child not in buffers else buffers[child] + g
                counts[child] -= 1
                if counts[child] == 0:
                    ready.append(child)


def _eager(out):
    """The mistake: run a node whenever a gradient arrives, passing on all it has so far."""
    collected = {}
    stack = [(out.grad_fn, mg.ones_like(out))]
    with mg.no_grad():
        while stack:
            node, g = stack.pop()
            collected[node] = g if node not in collected else collected[node] + g
            for (child, _), cg in zip(node.next_functions, run_node(node, collected[node])):
                if child is not None:
                    stack.append((child, cg))


def test_my_backward(capsys):
    accepts(C.check_my_backward, _my_backward_ok, capsys)
    rejects(C.check_my_backward, _eager, "counted again")
    rejects(C.check_my_backward, lambda out: None, "has no .grad")
    rejects(C.check_my_backward, _unwrapped, "call run_node(node, grad)")


def _unwrapped(out):
    """The mistake: zip a node's result with next_functions as if it were always a tuple."""
    counts = _count_ok(out.grad_fn)
    buffers = {out.grad_fn: mg.ones_like(out)}
    ready = [out.grad_fn]
    with mg.no_grad():
        while ready:
            node = ready.pop()
            for (child, _), g in zip(node.next_functions, node(buffers.pop(node))):
                if child is not None:
                    buffers[child] = g if child not in buffers else buffers[child] + g
                    counts[child] -= 1
                    if counts[child] == 0:
                        ready.append(child)


def _numerical_ok(f, x, eps):
    grad = mg.zeros_like(x).reshape(-1)
    for i in range(x.numel()):
        up, down = x.clone().reshape(-1), x.clone().reshape(-1)
        up[i] += eps
        down[i] -= eps
        grad[i] = (f(up.reshape(x.shape)) - f(down.reshape(x.shape))) / (2 * eps)
    return grad.reshape(x.shape)


def _forward_difference(f, x, eps):
    grad = mg.zeros_like(x).reshape(-1)
    for i in range(x.numel()):
        up = x.clone().reshape(-1)
        up[i] += eps
        grad[i] = (f(up.reshape(x.shape)) - f(x)) / eps
    return grad.reshape(x.shape)


def test_numerical_grad(capsys):
    accepts(C.check_numerical_grad, _numerical_ok, capsys)
    rejects(C.check_numerical_grad, _forward_difference, "use the central difference")
    rejects(C.check_numerical_grad, lambda f, x, eps: None, "numerical_grad returned None")

    def mutates(f, x, eps):
        g = _numerical_ok(f, x, eps)
        x.reshape(-1)[0] += 1.0
        return g

    rejects(C.check_numerical_grad, mutates, "numerical_grad changed x")
