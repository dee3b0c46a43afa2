"""Checks for lesson 10 · Modules and training (syllabus 10.1–10.5).
(moved unchanged in substance; phase 2 rewrites them to test the skill).
"""

from __future__ import annotations

import copy
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
    private_random_stream,
    rng,
    small_net,
)

__all__ = ["check_mlp_module", "check_train_step", "check_sgd_step"]


def check_mlp_module(cls: type) -> None:
    """``cls(n_in, n_hidden, n_out)``: ``hidden`` Linear → tanh → ``out`` Linear."""
    nn = mg.nn
    with private_random_stream():
        model = call(cls, 2, 5, 3, what="MLP(2, 5, 3)")
    if not isinstance(model, nn.Module):
        fail("MLP must subclass mg.nn.Module (and call super().__init__())")
    names = [n for n, _ in model.named_parameters()]
    want = ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    if names != want:
        fail(
            f"parameters are {names}, expected {want}: assign self.hidden and self.out as "
            "nn.Linear layers in __init__"
        )
    shapes = [tuple(p.shape) for _, p in model.named_parameters()]
    if shapes != [(5, 2), (5,), (3, 5), (3,)]:
        fail(f"parameter shapes are {shapes}, expected [(5, 2), (5,), (3, 5), (3,)]")
    X_np = rng(10).normal(size=(4, 2)).astype(np.float32)
    out = call(model, mg.tensor(X_np), what="model(X)")
    p = {n: arr(t) for n, t in model.named_parameters()}
    h = np.tanh(X_np @ p["hidden.weight"].T + p["hidden.bias"])
    expect_close(out, h @ p["out.weight"].T + p["out.bias"], "model(X)")
    passed("MLP", "a two-layer Module")


def _reference_step(model, opt, X, y) -> float:
    opt.zero_grad()
    loss = mg.nn.MSELoss()(model(X), y)
    loss.backward()
    opt.step()
    return loss.item()


def check_train_step(train_step: Callable[..., float]) -> None:
    """``train_step(model, opt, X, y)``: zero_grad, MSE loss, backward, step; returns the loss."""
    X = mg.tensor(rng(101).normal(size=(8, 2)).astype(np.float32))
    y = mg.tensor(rng(102).normal(size=(8, 1)).astype(np.float32))
    ours = small_net()
    ref = copy.deepcopy(ours)
    opt = mg.optim.SGD(ours.parameters(), lr=0.1)
    ref_opt = mg.optim.SGD(ref.parameters(), lr=0.1)
    for step in range(3):
        got = call(train_step, ours, opt, X, y, what="train_step(model, opt, X, y)")
        want = _reference_step(ref, ref_opt, X, y)
        if isinstance(got, mg.Tensor):
            fail("train_step returned a Tensor: return loss.item(), a Python float")
        if not isinstance(got, float):
            fail(f"train_step should return a float, got {type(got).__name__}")
        if not close(got, want):
            fail(f"step {step}: loss {got:.6f}, expected {want:.6f} (loss before the update)")
        for (name, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
            if not close(arr(p), arr(q)):
                hint = (
                    " — gradients piled up across steps: call opt.zero_grad() before backward"
                    if step > 0
                    else " — did you call loss.backward() and opt.step()?"
                )
                fail(f"after step {step}, {name} differs from the reference update{hint}")
    passed("train_step", "one training step")


def check_sgd_step(sgd_step: Callable[..., Any]) -> None:
    """``sgd_step(params, lr)``: p ← p − lr·p.grad in place, then p.grad = None."""
    gen = rng(103)
    params = [
        mg.tensor(gen.normal(size=(2, 3)), requires_grad=True),
        mg.tensor(gen.normal(size=3), requires_grad=True),
    ]
    grads = [gen.normal(size=tuple(p.shape)) for p in params]
    for p, g in zip(params, grads):
        p.grad = mg.tensor(g)
    before = [arr(p).copy() for p in params]
    call(sgd_step, params, 0.5, what="sgd_step(params, lr)")
    if not mg.is_grad_enabled():
        mg.set_grad_enabled(True)
        fail("gradient recording was still off afterwards: use `with mg.no_grad():`")
    for i, (p, b, g) in enumerate(zip(params, before, grads)):
        if np.array_equal(arr(p), b):
            fail(
                f"params[{i}] did not change: update it in place (p -= lr * p.grad), "
                "rebinding the loop variable does not touch the list"
            )
        expect_close(p, b - 0.5 * g, f"params[{i}] after the step")
        if not p.is_leaf:
            fail(f"params[{i}] is no longer a leaf: do the update under mg.no_grad()")
        if p.grad is not None:
            fail(f"params[{i}].grad is not None: set p.grad = None after the update")
    passed("sgd_step", "SGD by hand")
