"""Checks for lesson 12 · Capstone: your own operation (syllabus 12.1–12.2).

Each check runs the learner's code on inputs of its own: the op on fresh values (and on
values where e^x overflows float32), the proof function on ops whose first or second
derivative is known to be wrong.
"""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad.autograd.gradcheck import GradcheckError

from ._common import (
    arr,
    call,
    close,
    expect_close,
    fail,
    fmt,
    passed,
    rng,
)

__all__ = [
    "check_softplus",
    "check_softplus_double_backward",
    "check_prove",
    "check_stable_softplus",
]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -x))


def _is_function(cls: object, name: str) -> None:
    if not (isinstance(cls, type) and issubclass(cls, mg.autograd.Function)):
        fail(
            f"{name} must be a subclass of mg.autograd.Function (class {name}(mg.autograd.Function))"
        )


def _function_node_name(y: mg.Tensor, cls: type) -> None:
    want = f"{cls.__name__}Backward"
    if y.grad_fn is None:
        fail(f"{cls.__name__}.apply(x) has no grad_fn: x requires grad, so it should")
    if y.grad_fn.name() != want:
        fail(
            f"the node is {y.grad_fn.name()}, expected {want}: compute the output in forward "
            f"and call {cls.__name__}.apply(x)"
        )


def check_softplus(Softplus: type) -> None:
    """``Softplus.apply(x)`` = log(1 + eˣ) with backward g·σ(x)."""
    _is_function(Softplus, "Softplus")
    x_np = rng(12).uniform(-4, 4, size=6)
    x = mg.tensor(x_np, requires_grad=True)
    y = call(Softplus.apply, x, what="Softplus.apply(x)")
    if not isinstance(y, mg.Tensor):
        fail(f"Softplus.apply(x) returned {type(y).__name__}: forward must return a tensor")
    expect_close(y, np.log1p(np.exp(x_np)), "Softplus.apply(x)")
    _function_node_name(y, Softplus)
    w = rng(13).normal(size=6)
    call(lambda: (y * mg.tensor(w)).sum().backward(), what="backward")
    g = arr(x.grad)
    s = _sigmoid(x_np)
    if close(g, w * s * (1 - s)):
        fail("x.grad is g·σ(x)·(1−σ(x)): that is the second derivative; softplus' is σ(x)")
    if close(g, s):
        fail("x.grad ignores the incoming gradient g: return g * sigmoid(x)")
    expect_close(x.grad, w * s, "x.grad (= g·σ(x))")
    passed("Softplus", "forward and backward")


def check_softplus_double_backward(Softplus: type) -> None:
    """The backward of ``Softplus`` is written in minigrad ops, so it can be differentiated."""
    _is_function(Softplus, "Softplus")
    x_np = rng(14).uniform(-4, 4, size=5)
    x = mg.tensor(x_np, requires_grad=True)
    y = call(Softplus.apply, x, what="Softplus.apply(x)")
    (g1,) = call(
        lambda: mg.autograd.grad(y.sum(), x, create_graph=True), what="grad(create_graph=True)"
    )
    if g1.grad_fn is None:
        fail(
            "the first derivative has no grad_fn: the backward was computed outside minigrad "
            "(numpy, .tolist() or .detach()), so it cannot be differentiated again — write it "
            "with minigrad ops on the saved tensor"
        )
    s = _sigmoid(x_np)
    expect_close(g1, s, "first derivative")
    (g2,) = call(
        lambda: mg.autograd.grad(g1.sum(), x, allow_unused=True, materialize_grads=True),
        what="the second grad",
    )
    if close(g2, np.zeros_like(x_np)):
        fail(
            "the second derivative is 0: part of your backward is detached, so the recorded "
            "graph does not depend on x — compute σ(x) from the saved x with minigrad ops"
        )
    expect_close(g2, s * (1 - s), "second derivative σ(x)(1−σ(x))")
    passed("Softplus", "double backward")


# -- exercise 2: a proof that tells a wrong first derivative from a wrong double backward ---


class _Right(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (1 + x.exp()).log()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.sigmoid()


class _WrongFirst(_Right):
    """Backward 10% too large: the first derivative is wrong, its own derivative consistent."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.sigmoid() * 1.1


class _WrongSecond(_Right):
    """Right first derivative computed off the graph: the double backward is wrong."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.detach().sigmoid() + 0 * x)


_OPS = (
    ("the right softplus", _Right, (True, True)),
    ("a softplus whose backward is 10% too large", _WrongFirst, (False, True)),
    (
        "a softplus whose backward is detached (right first, wrong second derivative)",
        _WrongSecond,
        (True, False),
    ),
)


def check_prove(prove) -> None:
    """``prove(op, inputs)`` returns ``(gradcheck result, gradgradcheck result)`` and reports a
    failure as False instead of raising; the check runs it on three ops whose derivatives are
    known: right, wrong at first order only, wrong at second order only."""
    x = mg.tensor(rng(15).uniform(-3, 3, size=4), dtype=mg.float64, requires_grad=True)
    for label, op, want in _OPS:
        try:
            got = prove(op.apply, (x,))
        except GradcheckError:
            fail(
                f"prove raised GradcheckError on {label}: a proof reports the failure as False "
                "instead of stopping — pass raise_exception=False to both checks"
            )
        except Exception as exc:  # the learner's bug, reported as the check's message
            fail(f"prove on {label} raised {type(exc).__name__}: {exc}")
        if got is None:
            fail("prove returned None: return (first_order, second_order), two booleans")
        if not (isinstance(got, tuple) and len(got) == 2):
            fail(f"prove returned {got!r}: return a pair (first_order, second_order)")
        if not all(isinstance(v, (bool, np.bool_)) for v in got):
            fail(
                f"prove returned {got!r}: both parts must be what the checks return, True or False"
            )
        got = (bool(got[0]), bool(got[1]))
        if got != want:
            which = (
                "first_order (gradcheck)" if got[0] != want[0] else "second_order (gradgradcheck)"
            )
            fail(
                f"on {label}, prove returned {got}, but gradcheck and gradgradcheck give {want}: "
                f"{which} is not what that check says. Run gradcheck for the first and "
                "gradgradcheck for the second, on op and inputs, each with raise_exception=False"
            )
    passed("prove", "it tells a wrong first derivative from a wrong double backward")


# -- exercise 4: a softplus that does not overflow -----------------------------------------

_LARGE = np.array([-100.0, -20.0, -1.5, 0.0, 2.0, 20.0, 88.0, 89.0, 100.0, 1000.0], np.float32)


def check_stable_softplus(StableSoftplus: type) -> None:
    """``StableSoftplus.apply(x)`` is softplus for every float32 x, with no inf or nan in the
    value or in the first and second derivatives."""
    _is_function(StableSoftplus, "StableSoftplus")
    name = "StableSoftplus.apply(x)"
    x = mg.tensor(_LARGE.tolist(), requires_grad=True)
    y = call(StableSoftplus.apply, x, what=name)
    if not isinstance(y, mg.Tensor):
        fail(f"{name} returned {type(y).__name__}: forward must return a tensor")
    want = np.logaddexp(0.0, _LARGE.astype(np.float64))
    got = arr(y).astype(np.float64)
    if got.shape != want.shape:
        fail(f"{name} has shape {got.shape}, expected {want.shape}")
    bad = ~np.isfinite(got)
    if bad.any():
        at = fmt(_LARGE[bad])
        fail(
            f"{name} is {fmt(got[bad])} at x = {at}: e^x overflows float32 past x ≈ 88.7. "
            "Rewrite log(1 + eˣ) so that e is only raised to −|x|: max(x, 0) + log(1 + e^(−|x|))"
        )
    if not np.allclose(got, want, rtol=1e-5, atol=1e-6):
        i = int(np.argmax(np.abs(got - want)))
        fail(
            f"{name} at x = {fmt(_LARGE[i])} is {fmt(got[i])}, softplus is {fmt(want[i])}: "
            "the stable form must still equal log(1 + eˣ) everywhere (max(x, 0) + "
            "log(1 + e^(−|x|)))"
        )
    _function_node_name(y, StableSoftplus)
    w = rng(16).normal(size=_LARGE.size).astype(np.float32)
    call(lambda: (y * mg.tensor(w.tolist())).sum().backward(), what="backward")
    g = arr(x.grad).astype(np.float64)
    s = _sigmoid(_LARGE.astype(np.float64))
    if not np.isfinite(g).all():
        fail(
            f"x.grad is {fmt(g)}: the backward overflows too (eˣ/(1 + eˣ) is inf/inf = nan "
            "for large x); σ(x) = x.sigmoid() does not overflow"
        )
    expect_close(g, w * s, "x.grad (= g·σ(x))")
    x2 = mg.tensor(_LARGE.tolist(), requires_grad=True)
    (g1,) = call(
        lambda: mg.autograd.grad(StableSoftplus.apply(x2).sum(), x2, create_graph=True),
        what="grad(create_graph=True)",
    )
    if g1.grad_fn is None:
        fail("the first derivative has no grad_fn: write the backward with minigrad ops")
    (g2,) = call(lambda: mg.autograd.grad(g1.sum(), x2), what="the second grad")
    expect_close(g2, s * (1 - s), "second derivative σ(x)(1−σ(x))")
    passed("StableSoftplus", "finite and right from x = −100 to 1000, to second order")
