"""Lesson 11's checks accept right answers and reject wrong, shortcut and untouched ones
precisely: one ``Case`` per exercise (tests/course/checks_harness.py)."""

from __future__ import annotations

import pytest

import minigrad as mg
from minigrad.course.checks import lesson11 as C
from minigrad.course.nodes import run_node
from tests.course.checks_harness import Case, Wrong, learner_stub, run_case


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


def _per_edge(out):
    """The shortcut: recurse along every edge with that edge's gradient, no dependency counts
    (right sums, but a shared node runs once per path)."""
    stack = [(out.grad_fn, mg.ones_like(out))]
    with mg.no_grad():
        while stack:
            node, g = stack.pop()
            for (child, _), cg in zip(node.next_functions, run_node(node, g)):
                if child is not None:
                    stack.append((child, cg))


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


def _naive_runs_ok(root):
    deps = _count_ok(root)
    runs, ready = {root: 1}, [root]
    while ready:
        node = ready.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            runs[child] = runs.get(child, 0) + runs[node]
            deps[child] -= 1
            if deps[child] == 0:
                ready.append(child)
    return runs


def _naive_copied(root):
    """The shortcut: run the lesson's naive recursion and count (it calls the nodes)."""
    runs = {}

    def visit(node, grad):
        runs[node] = runs.get(node, 0) + 1
        for (child, _), g in zip(node.next_functions, run_node(node, grad)):
            if child is not None:
                visit(child, g)

    with mg.no_grad():
        visit(root, mg.tensor(1.0))
    return runs


def _in_degree(root):
    """The mistake: one run per incoming edge (the dependency count), root once."""
    return {root: 1, **_count_ok(root)}


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


def _nan_source_ok(loss_fn, x):
    with mg.autograd.detect_anomaly():
        try:
            loss_fn(x).backward()
        except RuntimeError as err:
            return str(err).split("'")[1]
    return None


def _last_forward_op(loss_fn, x):
    """The guess: the loss's own node, read without running backward."""
    return loss_fn(x).grad_fn.name()


def _whole_message(loss_fn, x):
    with mg.autograd.detect_anomaly():
        try:
            loss_fn(x).backward()
        except RuntimeError as err:
            return str(err)


def _clip_ok(t):
    return t.register_hook(lambda g: g.clamp(-1, 1))


def _clip_leaf_grad(t):
    """The mistake: clamp the gradient after it reached the leaf (a post-accumulate hook)."""
    leaf = t.grad_fn.next_functions[0][0].variable

    def clamp(tensor):
        tensor.grad.clamp_(-1, 1)

    return leaf.register_post_accumulate_grad_hook(clamp)


def _mutates(f, x, eps):
    """The mistake: perturb x itself and leave it changed."""
    g = _numerical_ok(f, x, eps)
    x.reshape(-1)[0] += 1.0
    return g


def _clip_no_handle(t):
    t.register_hook(lambda g: g.clamp(-1, 1))


CASES = [
    Case(
        C.check_count_dependencies,
        right=(_count_ok,),
        wrong=[
            Wrong("counts a child on its first visit only", (_count_once,), "you counted 1"),
            Wrong("a list, not a dict", (lambda root: [],), "should return a dict, got list"),
            Wrong("no counts", (lambda root: {},), "MulBackward0 has 2 incoming edge"),
        ],
        learner=(learner_stub("count_dependencies"),),
        learner_match="should return a dict, got NoneType",
    ),
    Case(
        C.check_my_backward,
        right=(_my_backward_ok,),
        wrong=[
            Wrong("runs a node whenever a gradient arrives", (_eager,), "counted again"),
            Wrong("calls the engine", (lambda out: out.backward(),), "ran minigrad's engine"),
            Wrong("recursion per edge, no counts", (_per_edge,), "AccumulateGrad ran 4 times"),
            Wrong("zips node(g) as a tuple", (_unwrapped,), r"call run_node\(node, grad\)"),
        ],
        learner=(learner_stub("my_backward"),),
        learner_match="has no .grad",
    ),
    Case(
        C.check_naive_runs,
        right=(_naive_runs_ok,),
        wrong=[
            Wrong("one run per incoming edge", (_in_degree,), "sends k gradients"),
            Wrong("runs the nodes", (_naive_copied,), "without calling nodes"),
            Wrong("no root", (_count_ok,), "runs once"),
            Wrong(
                "every node once", (lambda root: dict.fromkeys(_count_ok(root), 1),), "runs once"
            ),
        ],
        learner=(learner_stub("naive_runs"),),
        learner_match="should return a dict, got NoneType",
    ),
    Case(
        C.check_numerical_grad,
        right=(_numerical_ok,),
        wrong=[
            Wrong("one-sided difference", (_forward_difference,), "use the central difference"),
            Wrong("changes x", (_mutates,), "numerical_grad changed x"),
            Wrong("returns a number", (lambda f, x, eps: 0.0,), "shape"),
        ],
        learner=(learner_stub("numerical_grad"),),
        learner_match="numerical_grad returned None",
    ),
    Case(
        C.check_clip_hook,
        right=(_clip_ok,),
        wrong=[
            Wrong("clamps the leaf's .grad afterwards", (_clip_leaf_grad,), "clipped to"),
            Wrong(
                "a hook that returns None",
                (lambda t: t.register_hook(lambda g: None),),
                "unchanged",
            ),
            Wrong("no handle returned", (_clip_no_handle,), "return the handle"),
        ],
        learner=(learner_stub("attach_clip"),),
        learner_match="the gradient reached x unchanged",
    ),
    Case(
        C.check_nan_source,
        right=(_nan_source_ok,),
        wrong=[
            Wrong(
                "hard-coded name", (lambda loss_fn, x: "SqrtBackward0",), "comes from LogBackward0"
            ),
            Wrong("the loss's own node", (_last_forward_op,), r"detect_anomaly\(\)"),
            Wrong("the whole error message", (_whole_message,), "return only the node's name"),
            Wrong("not a string", (lambda loss_fn, x: 3,), "as a str, got int"),
        ],
        learner=(learner_stub("nan_source"),),
        learner_match="nan_source returned None",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check(case):
    run_case(case)
