"""Checks for lesson 07 · Stopping gradients (syllabus 7.1–7.6).

Each check observes the skill: a by-hand gradient runs no autograd; a half-detached product
is differentiated on inputs the learner never saw; frozen parameters must have left the graph
(``requires_grad`` False, no ``.grad``) rather than merely not been updated; a graph-free
evaluation is watched from inside the model, so cutting the result with ``detach`` is seen
to have recorded a graph all the same.
"""

from __future__ import annotations

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
    not_written,
    passed,
    rng,
)

__all__ = [
    "check_scale_square_grads",
    "check_value_and_half_grad",
    "check_train_output_only",
    "check_batch_losses",
    "check_three_ways",
    "frozen_net",
    "net_forward",
]

# -- exercise 1: where the scaling sits, by hand -----------------------------------------------


def check_scale_square_grads(by_hand: Callable[[mg.Tensor], Any]) -> None:
    """``by_hand(x)`` returns, without autograd, the gradients of Σ(3x)² and of Σ3x²: 18x, 6x."""
    gen = rng(71)
    x_np = gen.uniform(-3, 3, size=4).round(2)
    x = mg.tensor(x_np)
    with autograd_runs() as runs:
        got = call(by_hand, x, what="by_hand(x)")
    if got is None:
        fail("by_hand returned None: return the pair (gradient of Σ(3x)², gradient of Σ3x²)")
    if runs:
        fail(
            "by_hand ran autograd: work the derivatives out by hand (Σ(3x)² = Σ9x²) and "
            "return tensor expressions in x"
        )
    if not (isinstance(got, tuple) and len(got) == 2):
        fail("return a pair: (gradient of Σ(3x)², gradient of Σ3x²)")
    first, second = (arr(g) for g in got)
    if close(first, 6 * x_np):
        fail(
            "your first gradient is 6x, the gradient of 3x²; in (3x)² the 3 is squared "
            "too: (3x)² = 9x², so the gradient is 18x"
        )
    expect_close(first, 18 * x_np, "gradient of Σ(3x)²")
    if close(second, 18 * x_np):
        fail("your second gradient is 18x; in 3x² only x is squared: the gradient is 6x")
    expect_close(second, 6 * x_np, "gradient of Σ3x²")
    passed("by_hand", "d/dx Σ(3x)² = 18x and d/dx Σ3x² = 6x, with no autograd")


# -- exercise 2: a value of x², a gradient of x ------------------------------------------------


def check_value_and_half_grad(half: Callable[[mg.Tensor], mg.Tensor]) -> None:
    """``half(x)`` has the value x² but the gradient of x·c with c = x held constant: x."""
    gen = rng(72)
    for _ in range(2):
        x_np = gen.uniform(-3, 3, size=5).round(2)
        v_np = gen.normal(size=5)
        x = mg.tensor(x_np, requires_grad=True)
        out = call(half, x, what="half(x)")
        if out is None:
            fail("half returned None: return a tensor computed from x")
        if not isinstance(out, mg.Tensor):
            fail(f"half should return a minigrad tensor, got {type(out).__name__}")
        expect_close(out, x_np * x_np, "the value of half(x)", " (it should be x²)")
        if out.grad_fn is None:
            fail(
                "half(x) has no grad_fn: you cut the whole result off the graph; detach only "
                "one of the two factors, so the gradient still flows through the other"
            )
        (out * mg.tensor(v_np, dtype=out.dtype)).sum().backward()
        if x.grad is not None and close(x.grad, 2 * v_np * x_np):
            fail(
                "the gradient is 2x: both factors of x·x carry gradient; detach one of them "
                "(x * x.detach()) so it counts as a constant"
            )
        expect_close(x.grad, v_np * x_np, "the gradient of half(x)", " (it should be x)")
    passed("half", "value x², gradient x: one factor detached")


# -- exercise 3: freeze the first layer, train the rest ---------------------------------------


def net_forward(params: dict, X: mg.Tensor) -> mg.Tensor:
    """The lesson's two-layer network on plain tensors: relu(X·W1 + b1)·W2 + b2."""
    hidden = (X @ params["W1"] + params["b1"]).relu()
    return hidden @ params["W2"] + params["b2"]


def frozen_net(seed: int) -> dict:
    """Fresh parameters (1 → 3 → 1) that require grad, from a private generator."""
    gen = rng(seed)
    shapes = {"W1": (1, 3), "b1": (3,), "W2": (3, 1), "b2": (1,)}
    return {
        name: mg.tensor(gen.normal(size=shape).round(2), dtype=mg.float32, requires_grad=True)
        for name, shape in shapes.items()
    }


def _reference(params: dict, X: np.ndarray, Y: np.ndarray, lr: float, steps: int) -> tuple:
    W1, b1, W2, b2 = (arr(params[n]).astype(np.float64) for n in ("W1", "b1", "W2", "b2"))
    hidden = np.maximum(X @ W1 + b1, 0.0)
    losses = []
    for _ in range(steps):
        err = hidden @ W2 + b2 - Y
        losses.append(float(np.mean(err**2)))
        g = 2 * err / err.size
        W2 = W2 - lr * hidden.T @ g
        b2 = b2 - lr * g.sum(axis=0)
    return losses, W2, b2


def check_train_output_only(train: Callable[..., Any]) -> None:
    """``train(params, X, Y, lr, steps)`` freezes W1 and b1 with ``requires_grad_(False)``,
    runs ``steps`` steps of gradient descent on the mean squared error of the others, and
    returns the list of losses (one per step, before the update)."""
    params = frozen_net(73)
    X_np = np.linspace(-1, 1, 8).reshape(8, 1)
    Y_np = 0.5 * X_np**2 - 0.2
    X = mg.tensor(X_np, dtype=mg.float32)
    Y = mg.tensor(Y_np, dtype=mg.float32)
    lr, steps = 0.1, 5
    before = {n: arr(p).copy() for n, p in params.items()}
    objects = dict(params)
    want_losses, want_W2, want_b2 = _reference(params, X_np, Y_np, lr, steps)
    with autograd_runs() as runs:
        losses = call(train, params, X, Y, lr, steps, what="train(params, X, Y, lr, steps)")
    if losses is None:
        fail("train returned None: return the list of the losses, one per step")
    if any(params[n] is not objects[n] for n in objects):
        fail("train replaced tensors in params: freeze and update the tensors you were given")
    for name in ("W1", "b1"):
        p = params[name]
        if p.requires_grad:
            fail(
                f"{name} still requires grad: freezing is {name}.requires_grad_(False), which "
                "takes it out of the graph (skipping its update, or detaching the hidden "
                "layer, leaves autograd computing or tracking it)"
            )
        if p.grad is not None:
            fail(f"{name}.grad is not None: freeze {name} before the first backward")
        if not np.array_equal(arr(p), before[name]):
            fail(f"{name} changed: a frozen parameter must keep its values")
    if len(runs) != steps:
        fail(f"backward ran {len(runs)} times for {steps} steps: run it once per step")
    if not (isinstance(losses, list | tuple) and len(losses) == steps):
        fail(f"return a list of {steps} losses, one per step")
    values = [float(arr(v)) for v in losses]
    if len(values) > 1 and close(np.array(values[1:]), np.array(values[:-1])):
        fail("the loss never changed: update W2 and b2 under mg.no_grad() each step")
    if close(arr(params["W2"]), before["W2"]):
        fail("W2 did not change: update W2 and b2 in place under mg.no_grad()")
    expect_close(
        np.array(values, dtype=np.float32),
        np.array(want_losses, dtype=np.float32),
        "the losses",
        " (reset .grad to None after each update, or the gradients add up across steps)",
    )
    expect_close(params["W2"], want_W2.astype(np.float32), "W2 after training")
    expect_close(params["b2"], want_b2.astype(np.float32), "b2 after training")
    passed("train", "W1 and b1 frozen (out of the graph), W2 and b2 trained")


# -- exercise 4: evaluating with no graph anywhere -----------------------------------------


class _WatchedModel:
    """A model y = x·w + b that notes, on every call, whether recording was on."""

    def __init__(self) -> None:
        self.w = mg.tensor([[1.5], [-0.5]], requires_grad=True)
        self.b = mg.tensor([0.25], requires_grad=True)
        self.recording: list[bool] = []

    def __call__(self, X: mg.Tensor) -> mg.Tensor:
        self.recording.append(mg.is_grad_enabled())
        return X @ self.w + self.b


def check_batch_losses(batch_losses: Callable[..., Any]) -> None:
    """``batch_losses(model, batches)`` returns one float per ``(X, Y)`` batch, the mean of
    (model(X) − Y)², with no graph recorded anywhere — not even inside the model."""
    gen = rng(74)
    batches = [
        (
            mg.tensor(gen.normal(size=(4, 2)).round(2), dtype=mg.float32),
            mg.tensor(gen.normal(size=(4, 1)).round(2), dtype=mg.float32),
        )
        for _ in range(3)
    ]
    model = _WatchedModel()
    want = [
        float(np.mean((arr(X) @ arr(model.w) + arr(model.b) - arr(Y)) ** 2)) for X, Y in batches
    ]
    try:
        got = call(batch_losses, model, batches, what="batch_losses(model, batches)")
    finally:
        was_on = mg.is_grad_enabled()
        mg.set_grad_enabled(True)
    if not was_on:
        fail(
            "recording was still switched off after batch_losses returned: use "
            "`with mg.no_grad():` (or the @mg.no_grad() decorator), which switches it back on"
        )
    if got is None:
        fail("batch_losses returned None: return a list with one loss per batch")
    if len(model.recording) != len(batches):
        fail(f"call the model once per batch ({len(batches)} batches)")
    if any(model.recording):
        fail(
            "the model ran with recording on, so it built a graph (detach() only cuts the "
            "result off afterwards): run it inside mg.no_grad()"
        )
    if not (isinstance(got, list) and len(got) == len(batches)):
        fail(f"return a list of {len(batches)} losses")
    if not all(isinstance(v, float) for v in got):
        fail("return each loss as a Python float: loss.item()")
    expect_close(np.array(got), np.array(want), "the losses", " (the mean of (model(X) − Y)²)")
    passed("batch_losses", "one loss per batch, and the model never recorded a graph")


# -- exercise 5: detach, no_grad, inference_mode side by side ---------------------------------

THREE_WAYS = ("detach", "no_grad", "inference_mode")
THREE_FACTS = ("requires_grad", "is_inference", "backward")


def three_ways_truth() -> dict:
    """What each way gives for y from w = [1, 2] (requires grad): y.requires_grad,
    y.is_inference(), and whether (y * w).sum().backward() "runs" or raises ("error")."""
    out = {}
    for way in THREE_WAYS:
        w = mg.tensor([1.0, 2.0], requires_grad=True)
        if way == "detach":
            y = (w * 2).detach()
        elif way == "no_grad":
            with mg.no_grad():
                y = w * 2
        else:
            with mg.inference_mode():
                y = w * 2
        try:
            (y * w).sum().backward()
            result = "runs"
        except RuntimeError:
            result = "error"
        out[way] = {
            "requires_grad": y.requires_grad,
            "is_inference": y.is_inference(),
            "backward": result,
        }
    return out


_THREE_WHY = {
    ("detach", "backward"): "the detached y is a constant to backward; w is still recorded, "
    "so (y * w).sum().backward() runs and gives w.grad = y",
    ("no_grad", "backward"): "y made under no_grad is an ordinary tensor with no history; "
    "multiplying it by w outside the block is recorded, and backward runs",
    ("inference_mode", "backward"): "an inference tensor may not be saved for backward, and "
    "y * w would save it: recording it raises",
    ("inference_mode", "is_inference"): "inference_mode marks what it makes as inference "
    "tensors; that is the difference from no_grad",
}


def check_three_ways(predictions: Any) -> None:
    """``predictions[way][fact]`` for the three ways of getting a graph-free y."""
    if not isinstance(predictions, dict) or any(
        not isinstance(predictions.get(way), dict)
        or any(not_written(predictions[way].get(f)) for f in THREE_FACTS)
        for way in THREE_WAYS
    ):
        fail(
            "fill in every prediction: for each of "
            + ", ".join(THREE_WAYS)
            + ' give "requires_grad" and "is_inference" (True/False) and "backward" '
            '("runs" or "error")'
        )
    truth = three_ways_truth()
    for way in THREE_WAYS:
        for fact in THREE_FACTS:
            given, want = predictions[way][fact], truth[way][fact]
            allowed = ("runs", "error") if fact == "backward" else (True, False)
            if given not in allowed or type(given) is not type(want):
                fail(f'predictions["{way}"]["{fact}"] should be one of {allowed}, got {given!r}')
            if given != want:
                why = _THREE_WHY.get((way, fact), f"y does not require grad after {way}")
                fail(f"{way}, {fact}: you predicted {given!r}, it is {want!r}: {why}")
    passed("three ways", "detach, no_grad and inference_mode predicted right")
