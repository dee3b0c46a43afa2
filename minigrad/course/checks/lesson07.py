"""Checks for lesson 07 · Stopping gradients (syllabus 7.1–7.6).
(moved unchanged in substance; phase 2 rewrites them to test the skill).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
    small_net,
)

__all__ = ["check_double_then_square_grad", "check_freeze", "check_predict"]


def check_double_then_square_grad(formula: Callable[[mg.Tensor], mg.Tensor]) -> None:
    """``formula(x)`` gives, by hand, d/dx of ((2x)²).sum(): 8x."""
    gen = rng(7)
    x_np = gen.uniform(-3, 3, size=4).round(2)
    x = mg.tensor(x_np)
    got = call(formula, x, what="formula(x)")
    g = arr(got)
    if g.shape == x_np.shape:
        if close(g, 4 * x_np):
            fail(
                "you returned 4·x, which is the gradient of (x**2)*2; here x is doubled "
                "first and then squared: w = (2x)² = 4x², so dw/dx = 8x"
            )
        if close(g, 2 * x_np):
            fail("you returned 2·x, the gradient of x²; the doubling multiplies it by 4")
    expect_close(got, 8 * x_np, "d/dx Σ(2x)²")
    xr = mg.tensor(x_np, requires_grad=True)
    ((2 * xr) ** 2).sum().backward()
    expect_close(got, arr(xr.grad), "d/dx Σ(2x)² against autograd")
    passed("formula", "d/dx Σ(2x)² = 8x")


def check_freeze(freeze: Callable[[Any], Any]) -> None:
    """``freeze(module)`` stops gradients for every parameter of ``module``, in place."""
    net = small_net()
    params = dict(net.named_parameters())
    values = {k: arr(p).copy() for k, p in params.items()}
    call(freeze, net[0], what="freeze(module)")
    after = dict(net.named_parameters())
    for name, p in params.items():
        if after[name] is not p:
            fail(
                f"{name} was replaced by a new object: change the existing parameter with "
                "p.requires_grad_(False) instead of assigning a detached copy"
            )
        if not np.array_equal(arr(p), values[name]):
            fail(f"{name} changed value: freezing must not touch the numbers")
    for name in ("0.weight", "0.bias"):
        if after[name].requires_grad:
            fail(f"{name} still requires grad: call p.requires_grad_(False) on each parameter")
    for name in ("2.weight", "2.bias"):
        if not after[name].requires_grad:
            fail(f"{name} was frozen too: freeze only the module you were given")
    out = net(mg.ones(4, 2)).sum()
    out.backward()
    if net[0].weight.grad is not None:
        fail("the frozen layer still received a gradient")
    if net[2].weight.grad is None:
        fail("the last layer received no gradient: it must stay trainable")
    passed("freeze", "freezing a sub-module")


def check_predict(predict: Callable[[Any, mg.Tensor], mg.Tensor]) -> None:
    """``predict(model, X)`` returns ``model(X)`` without recording a graph."""
    net = small_net()
    X = mg.tensor(rng(71).normal(size=(5, 2)).astype(np.float32))
    out = call(predict, net, X, what="predict(model, X)")
    if not mg.is_grad_enabled():
        mg.set_grad_enabled(True)
        fail(
            "gradient recording was still off after predict returned: use `with mg.no_grad():` "
            "(or the @mg.no_grad() decorator), which switches it back on"
        )
    if not isinstance(out, mg.Tensor):
        fail(f"predict should return a Tensor, got {type(out).__name__}")
    if out.grad_fn is not None or out.requires_grad:
        fail(
            f"the output has grad_fn={out.grad_fn.name() if out.grad_fn else None} and "
            f"requires_grad={out.requires_grad}: run the model inside `with mg.no_grad():`"
        )
    expect_close(out, arr(net(X)), "predict(model, X)")
    passed("predict", "inference without a graph")
