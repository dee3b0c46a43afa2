"""Lesson 02's checks accept the skill and reject wrong, shortcut and untouched answers."""

from __future__ import annotations

import pytest

import minigrad as mg
from minigrad.course.checks.lesson02 import (
    check_chain_rule,
    check_define_by_run,
    check_leaves,
    check_next_functions,
)
from tests.course.checks_harness import Case, Wrong, learner_stub, run_case


def exercise_tensor():
    """The exercise's f = (a + b) · (a · d)."""
    a, b, d = (mg.tensor(v, requires_grad=True) for v in (2.0, 3.0, 4.0))
    return (a + b) * (a * d)


F = exercise_tensor()
RIGHT_PREDICTION = (("AddBackward0", 0), ("MulBackward0", 0))


def chain_rule(x, y):
    z = x * y * y
    factors = {"dw/dz": 3 * z * z, "dz/dx": y * y, "dz/dy": 2 * x * y}
    factors["dw/dx"] = factors["dw/dz"] * factors["dz/dx"]
    factors["dw/dy"] = factors["dw/dz"] * factors["dz/dy"]
    return factors


def with_autograd(x, y):
    tx = mg.tensor(x, dtype=mg.float64, requires_grad=True)
    ty = mg.tensor(y, dtype=mg.float64, requires_grad=True)
    z = tx * ty * ty
    w = z * z * z
    w.backward()
    return {**chain_rule(x, y), "dw/dx": float(tx.grad), "dw/dy": float(ty.grad)}


def finite_differences(x, y):
    def w(a, b):
        return (a * b * b) ** 3

    h = 1e-5
    out = chain_rule(x, y)
    out["dw/dx"] = (w(x + h, y) - w(x - h, y)) / (2 * h)
    return out


def wrong_dw_dz(x, y):
    z = x * y * y
    out = chain_rule(x, y)
    out["dw/dz"] = 2 * z  # the lesson's w = z², not this exercise's z³
    return out


def inconsistent(x, y):
    out = chain_rule(x, y)
    out["dz/dx"] = out["dz/dx"] * 2  # factors that do not multiply to the totals
    return out


def only_totals(x, y):
    out = chain_rule(x, y)
    return {"dw/dx": out["dw/dx"], "dw/dy": out["dw/dy"]}


def leaves(t):
    found, seen, stack = [], set(), [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if type(node).__name__ == "AccumulateGrad":
            found.append(node.variable)
        stack.extend(c for c, _ in node.next_functions)
    return found


def no_seen(t):
    found, stack = [], [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if type(node).__name__ == "AccumulateGrad":
            found.append(node.variable)
        stack.extend(c for c, _ in node.next_functions)
    return found


def recursive(t, node=None, found=None):
    node = t.grad_fn if node is None else node
    found = [] if found is None else found
    for child, _ in node.next_functions:
        if child is None:
            continue
        if type(child).__name__ == "AccumulateGrad":
            if all(child.variable is not f for f in found):
                found.append(child.variable)
        else:
            recursive(t, child, found)
    return found


def nodes_not_tensors(t):
    found, seen, stack = [], set(), [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if type(node).__name__ == "AccumulateGrad":
            found.append(node)  # forgot .variable
        stack.extend(c for c, _ in node.next_functions)
    return found


def first_level_only(t):
    return [n.variable for n, _ in t.grad_fn.next_functions if hasattr(n, "variable")]


def power(x, n):
    y = x
    for _ in range(n - 1):
        y = y * x
    return y


def power_by_squaring(x, n):  # a different program: a different graph
    return x**n


CASES = [
    Case(
        check_next_functions,
        right=(F, RIGHT_PREDICTION),
        wrong=[
            Wrong(
                "leaves, not nodes",
                (F, (("AccumulateGrad", 0), ("AccumulateGrad", 0))),
                r"made by an operation",
            ),  # fmt: skip
            Wrong("swapped", (F, (("MulBackward0", 0), ("AddBackward0", 0))), r"entry 0"),
            Wrong("one entry", (F, (("MulBackward0", 0),)), r"has 2 entries"),
            Wrong(
                "output numbers",
                (F, (("AddBackward0", 1), ("MulBackward0", 0))),
                r"the number is 0, not 1",
            ),  # fmt: skip
            Wrong("names only", (F, ("AddBackward0", "MulBackward0")), r"pair"),
        ],
        learner=(F, None),
        learner_match=r"write the prediction as a tuple",
    ),
    Case(
        check_chain_rule,
        right=(chain_rule,),
        wrong=[
            Wrong("autograd inside", (with_autograd,), r"ran autograd"),
            Wrong("finite differences", (finite_differences,), r"finite-difference estimate"),
            Wrong("the lesson's w = z²", (wrong_dw_dz,), r"your dw/dz"),
            Wrong("factors that do not multiply", (inconsistent,), r"your dz/dx"),
            Wrong("only the totals", (only_totals,), r"with the keys"),
        ],
        learner=(learner_stub("chain_rule"),),
        learner_match=r"chain_rule returned None",
    ),
    Case(
        check_leaves,
        right=(leaves,),
        wrong=[
            Wrong("no visited set", (no_seen,), r"appears more than once"),
            Wrong("recursion", (recursive,), r"recursion"),
            Wrong("nodes, not tensors", (nodes_not_tensors,), r"node.variable"),
            Wrong("first level only", (first_level_only,), r"expected 3 leaves, got 1"),
            Wrong("nothing", (lambda t: [],), r"expected 3 leaves, got 0"),
        ],
        learner=(learner_stub("leaves"),),
        learner_match=r"leaves returned None",
    ),
    Case(
        check_define_by_run,
        right=({"MulBackward0 nodes": 4, "arrows into t's AccumulateGrad": 5}, power),
        wrong=[
            Wrong(
                "one node per power",
                ({"MulBackward0 nodes": 5, "arrows into t's AccumulateGrad": 5}, power),
                r"n − 1 times",
            ),
            Wrong(
                "one arrow per node",
                ({"MulBackward0 nodes": 4, "arrows into t's AccumulateGrad": 4}, power),
                r"uses t twice",
            ),
            Wrong(
                "one arrow in all",
                ({"MulBackward0 nodes": 4, "arrows into t's AccumulateGrad": 1}, power),
                r"arrows into t's",
            ),
            Wrong(
                "another program",
                ({"MulBackward0 nodes": 4, "arrows into t's AccumulateGrad": 5}, power_by_squaring),
                r"records 0 MulBackward0",
            ),
            Wrong(
                "text",
                ({"MulBackward0 nodes": "four", "arrows into t's AccumulateGrad": 5}, power),
                r"whole number",
            ),
        ],
        learner=({"MulBackward0 nodes": None, "arrows into t's AccumulateGrad": None}, power),
        learner_match=r"write both counts",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check(case):
    run_case(case)
