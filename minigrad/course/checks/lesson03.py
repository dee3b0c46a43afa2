"""Checks for lesson 03 · requires_grad (syllabus 3.1–3.7).

- :func:`check_requires_grad`: predictions of ``requires_grad`` for the lesson's tensors;
- :func:`check_next_functions` (lesson 02's): a prediction of ``next_functions``;
- :func:`check_only_a_grad`: ``only_a_grad(a_value, b_value)`` makes a and b so that the
  backward of a·b fills ``a.grad`` only, and runs it;
- :func:`check_errors`: predictions of which programs raise, and which error;
- :func:`check_linear_nodes`: a prediction of the nodes of a ``Linear`` without a bias;
- :func:`check_to_numpy`: ``to_numpy(t)`` gets a tensor's values out as a numpy array.

Example:
    >>> import minigrad as mg
    >>> def only_a_grad(a_value, b_value):
    ...     a = mg.tensor(a_value, requires_grad=True)
    ...     b = mg.tensor(b_value)
    ...     (a * b).backward()
    ...     return a, b
    >>> check_only_a_grad(only_a_grad)
    ✓ only_a_grad: a.grad = b and b.grad = None at 3 pairs of values, one backward each.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable

import numpy as np

import minigrad as mg

from ._common import (
    arr,
    autograd_runs,
    call,
    check_predicted_outcomes,
    fail,
    fmt,
    not_written,
    passed,
    private_random_stream,
)
from .lesson02 import check_next_functions

__all__ = [
    "check_requires_grad",
    "check_next_functions",
    "check_only_a_grad",
    "check_errors",
    "ERROR_PROGRAMS",
    "check_linear_nodes",
    "check_to_numpy",
]


# --------------------------------------------------------------------------- requires_grad


def check_requires_grad(predictions: dict, tensors: dict) -> None:
    """Lesson 03: ``predictions[name]`` is your guess of ``tensors[name].requires_grad``."""
    if not_written(predictions) or not isinstance(predictions, dict):
        fail("write the predictions as a dict {name: True or False}.")
    if not predictions:
        fail(f"no prediction yet: give True or False for each of {', '.join(tensors)}.")
    missing = [k for k in tensors if k not in predictions]
    if missing:
        fail(f"no prediction for {', '.join(missing)}: give True or False for every name.")
    for name, t in tensors.items():
        guess = predictions[name]
        if not isinstance(guess, bool):
            fail(f"{name}: the prediction should be True or False, got {guess!r}.")
        if guess != t.requires_grad:
            if t.requires_grad:
                why = (
                    "it is a leaf created with requires_grad=True"
                    if t.is_leaf
                    else "at least one of the inputs it was computed from requires grad"
                )
            else:
                why = (
                    "it was created without requires_grad=True, or computed only from "
                    "tensors that do not require grad"
                )
            fail(
                f"{name}: you predicted {guess}, but {name}.requires_grad is {t.requires_grad}: {why}."
            )
    passed("predictions", "every requires_grad prediction is right")


# --------------------------------------------------------------------------- only a's gradient

_PAIRS = ((1.5, -4.0), (-2.0, 0.5), (7.0, 3.25))


def check_only_a_grad(only_a_grad: Callable) -> None:
    """``only_a_grad(a_value, b_value)`` returns ``(a, b)`` after the backward of a·b, with
    ``a.grad`` filled (= b) and ``b`` needing no gradient."""
    for a_value, b_value in _PAIRS:
        with autograd_runs() as runs:
            out = call(only_a_grad, a_value, b_value, what="only_a_grad")
        if not_written(out):
            fail(
                "only_a_grad returned None: make a and b, run the backward of a * b, return (a, b)"
            )
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            fail("only_a_grad should return the pair (a, b) of tensors")
        a, b = out
        if not (isinstance(a, mg.Tensor) and isinstance(b, mg.Tensor)):
            fail("only_a_grad should return two tensors (a, b), made from the values it was given")
        if a.numel() != 1 or b.numel() != 1 or float(arr(a)) != a_value or float(arr(b)) != b_value:
            fail(
                f"with a_value = {a_value} and b_value = {b_value} you returned a = {fmt(a)}, "
                f"b = {fmt(b)}: make the tensors from the arguments, not from fixed numbers"
            )
        if b.requires_grad:
            fail(
                "b requires grad, so backward fills b.grad too: only a should require grad "
                "(make b without requires_grad=True)"
            )
        if not a.requires_grad or not a.is_leaf:
            fail(
                "a must be a leaf that requires grad: mg.tensor(a_value, requires_grad=True) "
                "(a tensor computed from others is not a leaf, and its .grad stays None)"
            )
        if len(runs) != 1:
            fail(
                f"backward ran {len(runs)} times in only_a_grad: run the backward of a * b "
                "exactly once"
            )
        if a.grad is None:
            fail("a.grad is None: run backward on a * b inside only_a_grad")
        if float(arr(a.grad)) != b_value:
            fail(
                f"a.grad = {fmt(a.grad)}, expected d(a·b)/da = b = {b_value}: run backward on "
                "a * b, once, on fresh tensors"
            )
    passed("only_a_grad", "a.grad = b and b.grad = None at 3 pairs of values, one backward each")


# --------------------------------------------------------------------------- which error

# The programs of the "which error?" exercise: name -> source. The check runs them itself.
ERROR_PROGRAMS = {
    "A": "mg.tensor([0, 1, 2], requires_grad=True)",
    "B": "mg.tensor([0.0, 1.0, 2.0], requires_grad=True)",
    "C": "w = mg.tensor(1.0, requires_grad=True)\n(w * 2).requires_grad_(False)",
    "D": "u = mg.tensor(1.0)\n(u * 2).requires_grad_()",
    "E": "(mg.tensor(2.0) ** 2).backward()",
}
_MESSAGES = {
    "integer": "Only Tensors of floating point",
    "non-leaf": "you can only change requires_grad flags of leaf variables",
    "no grad": "element 0 of tensors does not require grad",
}
_WHY = {
    "ok": "it runs without an error",
    "integer": "it raises 'Only Tensors of floating point and complex dtype can require gradients'",
    "non-leaf": "it raises 'you can only change requires_grad flags of leaf variables'",
    "no grad": "it raises 'element 0 of tensors does not require grad and does not have a grad_fn'",
}


def check_errors(predictions: dict) -> None:
    """``predictions[name]`` is ``"ok"``, ``"integer"``, ``"non-leaf"`` or ``"no grad"``:
    what program ``ERROR_PROGRAMS[name]`` does."""
    check_predicted_outcomes(
        predictions,
        ERROR_PROGRAMS,
        _MESSAGES,
        _WHY,
        example="{'A': 'ok' or the error's name, ...}",
        rule="Look at what it makes: a leaf or a computed tensor, an integer or a float, with or without a graph",
    )
    passed("errors", "every outcome of the 5 programs predicted")


# --------------------------------------------------------------------------- Linear's nodes


def check_linear_nodes(prediction: dict) -> None:
    """``prediction`` for ``Linear(3, 1, bias=False)(inputs)`` with plain 2-D inputs:
    ``{"grad_fn": name, "next_functions": ((name or None, number), ...)}``."""
    if not_written(prediction) or not isinstance(prediction, dict):
        fail("write the prediction as a dict {'grad_fn': ..., 'next_functions': ...}")
    with private_random_stream(3):
        layer = mg.nn.Linear(3, 1, bias=False)
        out = layer(mg.randn(5, 3))
    name = type(out.grad_fn).__name__
    guess = prediction.get("grad_fn")
    if guess is None:
        fail("write the name of out.grad_fn's type under 'grad_fn', e.g. 'SomeBackward0'")
    if guess != name:
        hint = (
            "without a bias there is nothing to add: the layer computes inputs @ weightᵀ, a "
            "matrix product (mm)"
            if guess == "AddmmBackward0"
            else "the layer computes inputs @ weightᵀ, a product of two matrices"
        )
        fail(f"grad_fn: you predicted {guess!r}, but it is {name}: {hint}")
    entries = prediction.get("next_functions")
    if entries is None:
        fail("write your prediction of next_functions under 'next_functions'")
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # its own ✓ line is not this check's
            check_next_functions(out, entries)
    except AssertionError as exc:
        fail(f"next_functions: {exc}")
    passed("linear_nodes", f"{name} and its next_functions predicted")


# --------------------------------------------------------------------------- numbers out


def check_to_numpy(to_numpy: Callable) -> None:
    """``to_numpy(t)`` returns ``t``'s values as a numpy array, also when ``t`` requires grad
    or was computed, without touching the graph."""
    gen = np.random.default_rng(30)
    x = mg.tensor(gen.normal(size=(2, 3)), requires_grad=True)
    y = x * 2 + 1
    cases = {"a leaf that requires grad": x, "a computed tensor": y, "a plain tensor": y.detach()}
    for what, t in cases.items():
        with autograd_runs() as runs:
            got = call(to_numpy, t, what="to_numpy")
        if not_written(got):
            fail("to_numpy returned None: return the tensor's values as a numpy array")
        if isinstance(got, mg.Tensor):
            fail("to_numpy returned a Tensor: go on to a numpy array with .numpy()")
        if not isinstance(got, np.ndarray):
            fail(f"to_numpy returned a {type(got).__name__}, not a numpy array (np.ndarray)")
        if runs:
            fail("to_numpy ran backward: reading values needs no gradient")
        if got.shape != tuple(t.shape) or not np.array_equal(got, arr(t)):
            fail(f"to_numpy({what}) has the wrong values or shape: return all of t's values")
    if y.grad_fn is None or not x.requires_grad:
        fail("to_numpy changed the tensor it was given: detach() gives a new tensor instead")
    passed("to_numpy", "values out of a leaf, a computed and a plain tensor, graph untouched")
