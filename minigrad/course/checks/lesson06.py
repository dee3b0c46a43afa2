"""Checks for lesson 06 · Leaves and in-place operations (syllabus 6.1–6.5).

Each check tests the skill its exercise names: predictions are compared with what the engine
does on a program the lesson never ran, ``retain_grad`` is read from the learner's own
intermediate tensors (``retains_grad``, one backward pass), and an in-place update must keep
the caller's leaf objects and bump their version counters.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import minigrad as mg

from ._common import (
    arr,
    autograd_runs,
    call,
    close,
    expect_close,
    fail,
    fmt,
    not_written,
    passed,
    rng,
)

__all__ = [
    "check_leaf_predictions",
    "check_middle_grads",
    "check_inplace_predictions",
    "check_sgd_step",
    "check_softmax_out_of_place",
]

# -- exercise 1: which tensors are leaves, and which get a .grad -------------------------------

LEAF_NAMES = ("w", "x", "s", "h", "L")

_LEAF_WHY = {
    "w": "w was created by you with requires_grad=True: a leaf, and backward fills its .grad",
    "x": "x was created by you (a leaf) but does not require grad, so backward leaves its "
    ".grad at None",
    "s": "s = x * 2 was computed from tensors that do not require grad: nothing was recorded, "
    "so s has no grad_fn and counts as a leaf; it does not require grad, so no .grad",
    "h": "h = w * s was recorded (grad_fn MulBackward0): not a leaf, so its .grad stays None "
    "without retain_grad()",
    "L": "L = h.sum() was recorded (grad_fn SumBackward0): not a leaf, so no .grad",
}


def leaf_program() -> dict:
    """The exercise's program, run after ``L.backward()``: the five tensors by name."""
    w = mg.tensor([1.0, -2.0], requires_grad=True)
    x = mg.tensor([3.0, 4.0])
    s = x * 2
    h = w * s
    L = h.sum()
    L.backward()
    return {"w": w, "x": x, "s": s, "h": h, "L": L}


def check_leaf_predictions(predictions: Any) -> None:
    """``predictions[name] = (is_leaf, gets_grad)`` for the five tensors of the program."""
    if not isinstance(predictions, dict) or any(
        not_written(predictions.get(n)) for n in LEAF_NAMES
    ):
        fail(
            "write a pair (is_leaf, gets_grad) of True/False for each of "
            + ", ".join(LEAF_NAMES)
            + ' in predictions, e.g. predictions["w"] = (True, True)'
        )
    tensors = leaf_program()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading a non-leaf's .grad warns
        truth = {n: (t.is_leaf, t.grad is not None) for n, t in tensors.items()}
    for name in LEAF_NAMES:
        given = predictions[name]
        if (
            not isinstance(given, tuple)
            or len(given) != 2
            or not all(isinstance(v, bool) for v in given)
        ):
            fail(f"predictions[{name!r}] should be a pair of True/False, got {given!r}")
        if given != truth[name]:
            fail(
                f"{name}: you predicted is_leaf={given[0]}, gets_grad={given[1]}; the engine "
                f"says is_leaf={truth[name][0]}, gets_grad={truth[name][1]}. {_LEAF_WHY[name]}."
            )
    passed("leaf predictions", "all five match is_leaf and .grad after backward")


# -- exercise 2: retain_grad on the learner's own intermediates -------------------------------


def check_middle_grads(middle_grads: Callable[..., Any]) -> None:
    """``middle_grads(a, b, d)`` computes h = a + b, k = h·h, L = k·d, runs ``L.backward()``
    once and returns ``(h, k)``, whose ``.grad`` the engine filled (dL/dh = 2h·d, dL/dk = d)."""
    gen = rng(62)
    for _ in range(3):
        va, vb, vd = (float(v) for v in gen.uniform(-3, 3, size=3).round(2))
        a, b, d = (mg.tensor(v, requires_grad=True) for v in (va, vb, vd))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with autograd_runs() as runs:
                got = call(middle_grads, a, b, d, what="middle_grads(a, b, d)")
            if got is None:
                fail("middle_grads returned None: return the pair (h, k) after L.backward()")
            if not (isinstance(got, tuple) and len(got) == 2):
                fail(f"middle_grads should return the pair (h, k), got {type(got).__name__}")
            h, k = got
            for name, t, node in (("h", h, "AddBackward0"), ("k", k, "MulBackward0")):
                if not isinstance(t, mg.Tensor) or t.grad_fn is None or t.grad_fn.name() != node:
                    fail(
                        f"{name} should be the intermediate tensor your function computed "
                        f"(a non-leaf with grad_fn {node}), not a value or a leaf"
                    )
            if h.grad_fn not in [n for n, _ in k.grad_fn.next_functions]:
                fail("k should be computed from h: k = h * h")
            if len(runs) != 1:
                fail(
                    f"backward ran {len(runs)} times: run L.backward() exactly once, and let "
                    "retain_grad() keep the intermediate gradients"
                )
            for name, t in (("h", h), ("k", k)):
                if t.grad is not None and not t.retains_grad:
                    fail(
                        f"{name}.grad was set by hand, not by the engine: call "
                        f"{name}.retain_grad() before L.backward() instead"
                    )
                if t.grad is None:
                    fail(
                        f"{name}.grad is None: {name} is not a leaf, so the engine keeps its "
                        f"gradient only if you call {name}.retain_grad() before L.backward()"
                    )
        if a.grad is None or d.grad is None:
            fail("a.grad or d.grad is None: call L.backward() inside middle_grads")
        expect_close(k.grad, np.float32(vd), "k.grad (dL/dk = d)")
        expect_close(h.grad, np.float32(2 * (va + vb) * vd), "h.grad (dL/dh = 2h·d)")
    passed("middle_grads", "the engine kept dL/dh and dL/dk through retain_grad()")


# -- exercise 3: in-place on a leaf, rebinding, in-place on a plain tensor ---------------------

INPLACE_OUTCOMES = ("error", "new tensor", "same tensor")


def _snippet_a() -> str:
    p = mg.tensor([0.5], requires_grad=True)
    try:
        p.mul_(2)
    except RuntimeError:
        return "error"
    return "same tensor"


def _snippet_b() -> str:
    p = mg.tensor([0.5], requires_grad=True)
    before = p
    p = p * 2
    return "same tensor" if p is before else "new tensor"


def _snippet_c() -> str:
    q = mg.tensor([0.5])
    before = id(q)
    q *= 2
    return "same tensor" if id(q) == before else "new tensor"


_INPLACE_WHY = {
    "A": "p.mul_(2) changes a leaf that requires grad in place: autograd refuses with "
    "'a leaf Variable that requires grad is being used in an in-place operation'",
    "B": "p = p * 2 computes a new tensor (a non-leaf with MulBackward0) and rebinds the name "
    "p; the old leaf is untouched",
    "C": "q does not require grad, so q *= 2 really is in place: the same object, same id",
}


def check_inplace_predictions(predictions: Any) -> None:
    """``predictions["A" | "B" | "C"]`` is one of ``"error"``, ``"new tensor"``,
    ``"same tensor"``; the check runs the three snippets."""
    if not isinstance(predictions, dict) or any(not_written(predictions.get(k)) for k in "ABC"):
        fail('write one of "error", "new tensor", "same tensor" for each of "A", "B" and "C"')
    truth = {"A": _snippet_a(), "B": _snippet_b(), "C": _snippet_c()}
    for key in "ABC":
        given = predictions[key]
        if given not in INPLACE_OUTCOMES:
            fail(f'predictions["{key}"] should be one of {INPLACE_OUTCOMES}, got {given!r}')
        if given != truth[key]:
            fail(
                f'{key}: you predicted "{given}", but it gives "{truth[key]}": {_INPLACE_WHY[key]}'
            )
    passed("in-place predictions", "the three snippets behave as you said")


# -- exercise 4: an optimizer step, in place, under no_grad ------------------------------------


def check_sgd_step(sgd_step: Callable[..., Any]) -> None:
    """``sgd_step(params, lr)`` does p ← p − lr·p.grad for every p, in place, under no_grad:
    the caller's objects change, stay leaves, and each version counter moves by one."""
    gen = rng(64)
    params = [
        mg.tensor(gen.normal(size=3).round(2), requires_grad=True),
        mg.tensor(gen.normal(size=(2, 2)).round(2), requires_grad=True),
    ]
    loss = (params[0] * params[0]).sum() + (params[1] * 3.0).sum()
    loss.backward()
    lr = 0.25
    before = [arr(p).copy() for p in params]
    grads = [arr(p.grad).copy() for p in params]
    versions = [p._version for p in params]
    ids = [id(p) for p in params]
    given = list(params)
    try:
        call(sgd_step, given, lr, what="sgd_step(params, lr)")
    finally:
        grad_was_on = mg.is_grad_enabled()
        mg.set_grad_enabled(True)
    if not grad_was_on:
        fail(
            "gradient recording was still switched off after sgd_step returned: use "
            "`with mg.no_grad():`, which switches it back on at the end of the block"
        )
    if [id(p) for p in given] != ids:
        fail("sgd_step replaced tensors in the list: change each parameter in place instead")
    for i, p in enumerate(params):
        want = before[i] - lr * grads[i]
        if np.array_equal(arr(p), before[i]):
            fail(
                f"parameter {i} is unchanged: `p = p - lr * p.grad` makes a new tensor and "
                "leaves the caller's parameter alone; write `p -= lr * p.grad` under mg.no_grad()"
            )
        if close(arr(p), before[i] + lr * grads[i]):
            fail(f"parameter {i} moved up the gradient: subtract lr · p.grad, do not add it")
        if not close(arr(p), want):
            fail(f"parameter {i} should be {fmt(want)}, got {fmt(p)}")
        if not (p.is_leaf and p.requires_grad and p.grad_fn is None):
            fail(
                f"parameter {i} is no longer a leaf that requires grad: do the update "
                "under mg.no_grad()"
            )
        if p._version == versions[i]:
            fail(
                f"parameter {i}'s version counter did not move, so it was not changed by an "
                "in-place operation (assigning .data bypasses autograd's bookkeeping): "
                "write `p -= lr * p.grad` under mg.no_grad()"
            )
    passed("sgd_step", "each parameter updated in place under no_grad, still a leaf")


# -- exercise 5: a softmax without in-place operations -----------------------------------------


def check_softmax_out_of_place(softmax: Callable[[mg.Tensor], mg.Tensor]) -> None:
    """``softmax(x)`` = exp(x) / Σ exp(x), written without in-place ops, so backward works."""
    gen = rng(61)
    x_np = gen.normal(size=5)
    w_np = gen.normal(size=5)
    x = mg.tensor(x_np, requires_grad=True)
    s = call(softmax, x, what="softmax(x)")
    if s is None:
        fail("softmax returned None: return exp(x) / exp(x).sum() as a new tensor")
    if not isinstance(s, mg.Tensor):
        fail(f"softmax should return a minigrad tensor, got {type(s).__name__}")
    e = np.exp(x_np)
    want = e / e.sum()
    expect_close(s, want, "softmax(x)")
    if s.grad_fn is None:
        fail("softmax(x) has no grad_fn: compute it with minigrad ops on x (no .detach/.numpy)")
    try:
        (s * mg.tensor(w_np)).sum().backward()
    except RuntimeError as exc:
        if "inplace" in str(exc):
            fail(
                "backward failed because a saved tensor was modified in place "
                "(e.g. `e /= e.sum()`): write `e / e.sum()`, which makes a new tensor"
            )
        fail(f"backward through softmax(x) raised RuntimeError: {exc}")
    # d(w·s)/dx = s ⊙ (w − w·s)
    expect_close(x.grad, want * (w_np - w_np @ want), "gradient of (w·softmax(x)).sum()")
    passed("softmax", "no in-place operations, so backward runs")
