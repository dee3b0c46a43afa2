"""Checks for lesson 02 · The graph (syllabus 2.1–2.8).

- :func:`check_next_functions`: a prediction of ``tensor.grad_fn.next_functions``;
- :func:`check_chain_rule`: the factors of the chain rule for z = x·y², w = z³, computed
  by hand (autograd must not run inside);
- :func:`check_leaves`: ``leaves(t)`` walks ``next_functions`` to the leaves, each once;
- :func:`check_define_by_run`: predictions of the graph a Python loop records.

Example:
    >>> def chain_rule(x, y):
    ...     z = x * y * y
    ...     factors = {"dw/dz": 3 * z * z, "dz/dx": y * y, "dz/dy": 2 * x * y}
    ...     factors["dw/dx"] = factors["dw/dz"] * factors["dz/dx"]
    ...     factors["dw/dy"] = factors["dw/dz"] * factors["dz/dy"]
    ...     return factors
    >>> check_chain_rule(chain_rule)
    ✓ chain_rule: every factor exact at 5 points, dw/dx = dw/dz·dz/dx and dw/dy = dw/dz·dz/dy, no autograd inside.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import minigrad as mg

from ._common import arr, autograd_runs, call, fail, not_written, passed, rng

__all__ = [
    "check_next_functions",
    "check_chain_rule",
    "check_leaves",
    "check_define_by_run",
    "FACTORS",
]


# --------------------------------------------------------------------------- next_functions


def _entry_name(node: Any) -> str | None:
    # the type name, as next_functions prints it: "AccumulateGrad", not its name()
    return None if node is None else type(node).__name__


def _as_pair(entry: Any) -> tuple:
    if isinstance(entry, (tuple, list)) and len(entry) == 2:
        name, nr = entry
        if isinstance(name, type):
            name = name.__name__
        elif name is not None and not isinstance(name, str):
            name = type(name).__name__
        return name, nr
    return entry, None


def check_next_functions(tensor: Any, prediction: Sequence) -> None:
    """Your prediction of ``tensor.grad_fn.next_functions`` as ``(("MulBackward0", 0), ...)``."""
    if not isinstance(tensor, mg.Tensor):
        fail(f"the first argument should be the tensor, got {type(tensor).__name__}")
    if tensor.grad_fn is None:
        fail("this tensor has no grad_fn (it is a leaf or needs no grad): nothing to predict")
    if not_written(prediction) or not isinstance(prediction, (tuple, list)):
        fail("write the prediction as a tuple of pairs, e.g. (('MulBackward0', 0), (None, 0))")
    actual = tuple((_entry_name(n), nr) for n, nr in tensor.grad_fn.next_functions)
    if any(not (isinstance(e, (tuple, list)) and len(e) == 2) for e in prediction):
        fail("write each entry as a pair (type name or None, number), e.g. ('MulBackward0', 0)")
    pred = tuple(_as_pair(e) for e in prediction)
    if len(pred) != len(actual):
        fail(
            f"{tensor.grad_fn.name()} has {len(actual)} entries in next_functions (one per "
            f"input of the operation), your prediction has {len(pred)}"
        )
    for i, ((p_name, p_nr), (a_name, a_nr)) in enumerate(zip(pred, actual)):
        if p_name != a_name:
            why = {
                None: "that input does not require grad, so no gradient flows there",
                "AccumulateGrad": "that input is a leaf that requires grad",
            }.get(a_name, "that input was made by an operation, so its grad_fn comes next")
            fail(
                f"entry {i}: you predicted {p_name!r}, but it is {a_name!r} — {why}. "
                f"(next_functions[{i}] is the edge to input {i} of {tensor.grad_fn.name()}.)"
            )
        if p_nr != a_nr:
            fail(
                f"entry {i}: the node {a_name!r} is right but the number is {a_nr}, not "
                f"{p_nr!r} (it says which output of that node the input was; 0 for an "
                "operation with one output)"
            )
    passed("next_functions", "your prediction matches grad_fn.next_functions")


# --------------------------------------------------------------------------- chain rule

FACTORS = ("dw/dz", "dz/dx", "dz/dy", "dw/dx", "dw/dy")
_CHAIN_POINTS = ((2.0, 3.0), *((float(a), float(b)) for a, b in rng(2).uniform(-2, 2, (4, 2))))


def _truth(x0: float, y0: float) -> dict:
    """Every factor, from autograd in float64 (the check's oracle, not the learner's)."""
    x = mg.tensor(x0, dtype=mg.float64, requires_grad=True)
    y = mg.tensor(y0, dtype=mg.float64, requires_grad=True)
    z = x * y * y
    w = z * z * z
    dw_dz, dw_dx, dw_dy = mg.autograd.grad(w, (z, x, y), retain_graph=True)
    dz_dx, dz_dy = mg.autograd.grad(z, (x, y))
    values = (dw_dz, dz_dx, dz_dy, dw_dx, dw_dy)
    return {k: float(arr(v)) for k, v in zip(FACTORS, values)}


def check_chain_rule(chain_rule: Callable) -> None:
    """``chain_rule(x, y)`` returns the chain rule's factors for z = x·y², w = z³, computed
    by hand from plain floats: ``{"dw/dz", "dz/dx", "dz/dy", "dw/dx", "dw/dy"}``.

    Math: dw/dx = dw/dz · dz/dx, dw/dy = dw/dz · dz/dy.
    """
    if not_written(chain_rule):
        fail("chain_rule is not defined yet: write the function in the cell above")
    for x0, y0 in _CHAIN_POINTS:
        with autograd_runs() as runs:
            got = call(chain_rule, x0, y0, what=f"chain_rule({x0:.4g}, {y0:.4g})")
        if runs:
            fail(
                "chain_rule ran autograd (backward or autograd.grad) inside: compute each "
                "factor by hand with the derivative rules, then multiply them"
            )
        if not_written(got):
            fail("chain_rule returned None: return a dict with the five factors")
        if not isinstance(got, dict) or any(k not in got for k in FACTORS):
            fail(f"chain_rule should return a dict with the keys {list(FACTORS)}, got {got!r}")
        if any(isinstance(got[k], mg.Tensor) for k in FACTORS):
            fail("return plain numbers, computed by hand from x and y (no tensors)")
        want = _truth(x0, y0)
        for key in FACTORS:
            value = float(got[key])
            if math.isclose(value, want[key], rel_tol=1e-12, abs_tol=1e-12):
                continue
            near = math.isclose(value, want[key], rel_tol=1e-4, abs_tol=1e-6)
            hint = (
                " That is close but not exact: it looks like a finite-difference estimate; "
                "use the derivative rules, which are exact."
                if near
                else ""
            )
            fail(
                f"at x = {x0:.6g}, y = {y0:.6g}: your {key} = {value:.6g}, the right value is "
                f"{want[key]:.6g} (z = x·y², w = z³).{hint}"
            )
        for total, local in (("dw/dx", "dz/dx"), ("dw/dy", "dz/dy")):
            product = float(got["dw/dz"]) * float(got[local])
            if not math.isclose(float(got[total]), product, rel_tol=1e-12, abs_tol=1e-12):
                fail(f"{total} should be dw/dz · {local} (the chain rule): {product:.6g}")
    passed(
        "chain_rule",
        f"every factor exact at {len(_CHAIN_POINTS)} points, dw/dx = dw/dz·dz/dx and "
        "dw/dy = dw/dz·dz/dy, no autograd inside",
    )


# --------------------------------------------------------------------------- leaves


def _leaf_cases() -> list[tuple[str, mg.Tensor, list]]:
    gen = rng(3)
    a, b, d = (mg.tensor(float(v), requires_grad=True) for v in gen.uniform(1, 2, 3))
    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    z = x * x * y * y
    p = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([3.0, 4.0])  # needs no grad: not a leaf of the backward graph
    deep = p
    for _ in range(1500):
        deep = deep * 1.0
    return [
        ("e = (a*b)*d", (a * b) * d, [a, b, d]),
        ("w = z*z, z = x*x*y*y (x, y used twice)", z * z, [x, y]),
        ("(p*c + c).sum() (c needs no grad)", (p * c + c).sum(), [p]),
        ("1500 multiplications in a chain", deep, [p]),
    ]


def check_leaves(leaves: Callable) -> None:
    """``leaves(t)`` lists the leaf tensors the backward pass from ``t`` would fill, each once."""
    if not_written(leaves):
        fail("leaves is not defined yet: write the function in the cell above")
    for title, out, expected in _leaf_cases():
        got = call(leaves, out, what=f"leaves(t) for {title}")
        if not_written(got):
            fail("leaves returned None: return the list of leaf tensors you found")
        got = list(got)
        for t in got:
            if not isinstance(t, mg.Tensor):
                fail(
                    f"for {title}: leaves returned a {type(t).__name__}; return tensors "
                    "(node.variable of each AccumulateGrad)"
                )
        ids = [id(t) for t in got]
        if len(set(ids)) != len(ids):
            fail(
                f"for {title}: a leaf appears more than once. A leaf has ONE AccumulateGrad "
                "node shared by every path: remember the nodes you have already visited"
            )
        if set(ids) != {id(t) for t in expected}:
            fail(
                f"for {title}: expected {len(expected)} leaves, got {len(got)} with different "
                "tensors. Follow next_functions down to the AccumulateGrad nodes and return "
                "their .variable (skip None entries)"
            )
    passed("leaves", "every AccumulateGrad's .variable, once each, on 4 graphs (one 1500 deep)")


# --------------------------------------------------------------------------- define-by-run


def check_define_by_run(predictions: dict, power: Callable) -> None:
    """``predictions`` for the graph of ``power(t, 5)``: its number of ``MulBackward0``
    nodes and of arrows into t's ``AccumulateGrad``. The check records the graph by running
    the lesson's ``power`` and counts on it."""
    keys = ("MulBackward0 nodes", "arrows into t's AccumulateGrad")
    if not isinstance(predictions, dict) or any(not_written(predictions.get(k)) for k in keys):
        fail(f"write both counts as numbers: predictions = {{{keys[0]!r}: ..., {keys[1]!r}: ...}}")
    if any(isinstance(predictions[k], bool) or not isinstance(predictions[k], int) for k in keys):
        fail(f"write each count as a whole number, e.g. {keys[0]!r}: 3")
    t = mg.tensor(2.0, requires_grad=True)
    y = call(power, t, 5, what="power(t, 5)")
    if not isinstance(y, mg.Tensor) or y.grad_fn is None:
        fail("power(t, 5) did not return a tensor with a graph: run the cell that defines power")
    muls, into, seen, stack = 0, 0, set(), [y.grad_fn]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        muls += type(node).__name__ == "MulBackward0"
        for child, _ in node.next_functions:
            if child is None:
                continue
            if getattr(child, "variable", None) is t:
                into += 1
            stack.append(child)
    if predictions[keys[0]] != muls:
        fail(
            f"power(t, 5) records {muls} MulBackward0 nodes, not {predictions[keys[0]]}: one "
            "node per multiplication the loop runs (it runs n − 1 times)"
        )
    if predictions[keys[1]] != into:
        fail(
            f"{predictions[keys[1]]} is not the number of arrows into t's AccumulateGrad: the "
            "first multiplication uses t twice, every later one once"
        )
    passed("define-by-run", "the loop recorded one node per multiplication, as predicted")
