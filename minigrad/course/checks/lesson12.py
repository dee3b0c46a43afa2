"""Checks for lesson 12 · Capstone: your own operation (syllabus 12.1–12.2).
(moved unchanged in substance; phase 2 rewrites them to test the skill).
"""

from __future__ import annotations

import numpy as np

import minigrad as mg

from ._common import (
    arr,
    call,
    close,
    expect_close,
    fail,
    passed,
    rng,
)

__all__ = ["check_softplus", "check_softplus_double_backward"]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _function_node_name(y: mg.Tensor, cls: type) -> None:
    want = f"{cls.__name__}Backward"
    if y.grad_fn is None:
        fail(f"{cls.__name__}.apply(x) has no grad_fn: x requires grad, so it should")
    if y.grad_fn.name() != want:
        fail(f"the node is {y.grad_fn.name()}, expected {want}: call {cls.__name__}.apply(x)")


def check_softplus(Softplus: type) -> None:
    """``Softplus.apply(x)`` = log(1 + eˣ) with backward g·σ(x)."""
    if not (isinstance(Softplus, type) and issubclass(Softplus, mg.autograd.Function)):
        fail("Softplus must be a subclass of mg.autograd.Function")
    x_np = rng(12).uniform(-4, 4, size=6)
    x = mg.tensor(x_np, requires_grad=True)
    y = call(Softplus.apply, x, what="Softplus.apply(x)")
    expect_close(y, np.log1p(np.exp(x_np)), "Softplus.apply(x)")
    _function_node_name(y, Softplus)
    w = rng(13).normal(size=6)
    call(lambda: (y * mg.tensor(w)).sum().backward(), what="backward")
    g = arr(x.grad)
    if close(g, w * np.exp(x_np) / (1 + np.exp(x_np)) ** 2):
        fail("x.grad is g·σ(x)·(1−σ(x)): that is the second derivative; softplus' is σ(x)")
    if close(g, _sigmoid(x_np)):
        fail("x.grad ignores the incoming gradient g: return g * sigmoid(x)")
    expect_close(x.grad, w * _sigmoid(x_np), "x.grad (= g·σ(x))")
    passed("Softplus", "forward and backward")


def check_softplus_double_backward(Softplus: type) -> None:
    """The backward of ``Softplus`` is written in minigrad ops, so it can be differentiated."""
    x_np = rng(14).uniform(-4, 4, size=5)
    x = mg.tensor(x_np, requires_grad=True)
    y = call(Softplus.apply, x, what="Softplus.apply(x)")
    (g1,) = call(
        lambda: mg.autograd.grad(y.sum(), x, create_graph=True), what="grad(create_graph=True)"
    )
    if g1.grad_fn is None:
        fail(
            "the first derivative has no grad_fn: the backward was computed outside minigrad "
            "(numpy, .item() or .detach()), so it cannot be differentiated again — write it "
            "with minigrad ops on the saved tensor"
        )
    expect_close(g1, _sigmoid(x_np), "first derivative")
    (g2,) = mg.autograd.grad(g1.sum(), x)
    s = _sigmoid(x_np)
    expect_close(g2, s * (1 - s), "second derivative σ(x)(1−σ(x))")
    passed("Softplus", "double backward")
