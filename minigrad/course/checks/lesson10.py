"""Checks for lesson 10 · Modules and training (syllabus 10.1–10.5).

- :func:`check_mlp_module`: ``MLP(n_in, n_hidden, n_out)``, a Module with registered layers
  whose backward reaches every parameter;
- :func:`check_train_step`: ``train_step(model, opt, batches)``, one optimizer step from
  gradients accumulated over several batches (one backward per batch);
- :func:`check_sgd_step`: ``sgd_step(params, lr)``, p ← p − lr·p.grad in place, unrecorded;
- :func:`check_adam_first_step`: a prediction of the parameters after Adam's first step;
- :func:`check_abs_grads`: a prediction of the gradients of Σ|x·a + b| as a module.

Example:
    >>> check_adam_first_step([0.99, -1.99, 0.5, 2.99])
    ✓ adam: the first Adam step moves each parameter by lr against the sign of its gradient (0 where it is 0).
"""

from __future__ import annotations

import copy
import math
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
    private_random_stream,
    rng,
    small_net,
)

__all__ = [
    "check_mlp_module",
    "check_train_step",
    "check_sgd_step",
    "check_adam_first_step",
    "check_abs_grads",
    "ADAM_START",
    "ADAM_GRAD",
]


# --------------------------------------------------------------------------- MLP


def check_mlp_module(cls: type) -> None:
    """``cls(n_in, n_hidden, n_out)``: ``hidden`` Linear → tanh → ``out`` Linear."""
    nn = mg.nn
    if not isinstance(cls, type) or not issubclass(cls, nn.Module):
        fail("MLP must be a class that subclasses nn.Module")
    if cls.__init__ is nn.Module.__init__:
        fail(
            "MLP has no __init__ of its own yet: write __init__(self, n_in, n_hidden, n_out) "
            "that calls super().__init__() and assigns self.hidden and self.out"
        )
    for sizes in ((2, 5, 3), (4, 7, 1)):
        n_in, n_hidden, n_out = sizes
        with private_random_stream():
            model = call(cls, *sizes, what=f"MLP{sizes}")
        names = [n for n, _ in model.named_parameters()]
        want = ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]
        if names != want:
            fail(
                f"MLP{sizes} registers the parameters {names}, expected {want}: assign "
                "self.hidden and self.out as nn.Linear layers in __init__ (a layer kept in a "
                "list or a local variable is not registered)"
            )
        shapes = [tuple(p.shape) for _, p in model.named_parameters()]
        want_shapes = [(n_hidden, n_in), (n_hidden,), (n_out, n_hidden), (n_out,)]
        if shapes != want_shapes:
            fail(f"MLP{sizes}: parameter shapes {shapes}, expected {want_shapes}")
        X_np = rng(10 + n_in).normal(size=(6, n_in)).astype(np.float32)
        out = call(model, mg.tensor(X_np), what=f"MLP{sizes}(X)")
        if not isinstance(out, mg.Tensor):
            fail("forward must return the output tensor")
        p = {n: arr(t) for n, t in model.named_parameters()}
        h = np.tanh(X_np @ p["hidden.weight"].T + p["hidden.bias"])
        expect_close(out, h @ p["out.weight"].T + p["out.bias"], f"MLP{sizes}(X)",
                     " (forward(x) = out(tanh(hidden(x))))")  # fmt: skip
        out.sum().backward()
        missing = [n for n, t in model.named_parameters() if t.grad is None]
        if missing:
            fail(f"after backward, {missing} have no .grad: forward must use every layer")
    passed(
        "MLP",
        "two sizes: hidden and out registered, out(tanh(hidden(x))), backward reaches all 4 parameters",
    )


# --------------------------------------------------------------------------- train_step


def _reference_step(model, opt, batches) -> float:
    opt.zero_grad()
    total = 0.0
    for X, y in batches:
        loss = mg.nn.MSELoss()(model(X), y) / len(batches)
        loss.backward()
        total += loss.item()
    opt.step()
    return total


def _batches(seed: int, k: int) -> list:
    gen = rng(seed)
    return [
        (mg.tensor(gen.normal(size=(4, 2)).astype(np.float32)),
         mg.tensor(gen.normal(size=(4, 1)).astype(np.float32)))
        for _ in range(k)
    ]  # fmt: skip


def check_train_step(train_step: Callable[..., float]) -> None:
    """``train_step(model, opt, batches)``: zero the gradients once, one backward per batch
    of the mean loss divided by the number of batches, one ``opt.step()``; returns the
    loss of the whole data (the sum of those terms) as a float."""
    if not_written(train_step):
        fail("train_step is not defined yet: write the function in the cell above")
    for k, seed in ((3, 101), (2, 102)):
        ours = small_net()
        ref = copy.deepcopy(ours)
        opt = mg.optim.SGD(ours.parameters(), lr=0.1)
        ref_opt = mg.optim.SGD(ref.parameters(), lr=0.1)
        batches = _batches(seed, k)
        for step in range(2):
            with autograd_runs() as runs:
                got = call(train_step, ours, opt, batches, what="train_step(model, opt, batches)")
            want = _reference_step(ref, ref_opt, batches)
            if got is None:
                fail("train_step returned None: return the loss as a Python float")
            if len(runs) != k:
                fail(
                    f"with {k} batches, train_step ran backward {len(runs)} time(s): run it once "
                    "per batch, so each batch's graph is freed before the next is built"
                )
            if isinstance(got, mg.Tensor):
                fail("train_step returned a Tensor: return a Python float (.item())")
            if not isinstance(got, float):
                fail(f"train_step should return a float, got {type(got).__name__}")
            for (name, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
                if not close(arr(p), arr(q)):
                    fail(
                        f"with {k} batches, after step {step} {name} differs from one SGD step "
                        "on the whole data: zero the gradients once before the batches (not "
                        "inside the loop), divide each batch's loss by the number of batches, "
                        "and call opt.step() once, after the last backward"
                    )
            if not math.isclose(got, want, rel_tol=1e-5, abs_tol=1e-6):
                fail(
                    f"with {k} batches, step {step}: you returned {got:.6f}, the loss of the "
                    f"whole data before the update is {want:.6f} (the sum of the batches' terms)"
                )
    passed(
        "train_step",
        "one SGD step from gradients accumulated over 3 and over 2 batches, one backward each",
    )


# --------------------------------------------------------------------------- sgd_step


def check_sgd_step(sgd_step: Callable[..., Any]) -> None:
    """``sgd_step(params, lr)``: p ← p − lr·p.grad in place, then p.grad = None."""
    if not_written(sgd_step):
        fail("sgd_step is not defined yet: write the function in the cell above")
    gen = rng(103)
    params = [
        mg.tensor(gen.normal(size=(2, 3)), requires_grad=True),
        mg.tensor(gen.normal(size=3), requires_grad=True),
    ]
    grads = [gen.normal(size=tuple(p.shape)) for p in params]
    for p, g in zip(params, grads):
        p.grad = mg.tensor(g)
    before = [arr(p).copy() for p in params]
    listed = list(params)
    result = call(sgd_step, params, 0.25, what="sgd_step(params, lr)")
    if not mg.is_grad_enabled():
        mg.set_grad_enabled(True)
        fail("gradient recording was still off afterwards: use `with mg.no_grad():`")
    if any(p is not q for p, q in zip(params, listed)) or len(params) != len(listed):
        fail("sgd_step replaced the tensors in the list: update each one in place (p -= ...)")
    for i, (p, b, g) in enumerate(zip(params, before, grads)):
        if np.array_equal(arr(p), b):
            fail(
                f"params[{i}] did not change: update it in place (p -= lr * p.grad); "
                "p = p - lr * p.grad only rebinds the loop variable"
                + (
                    " (you returned new tensors; an optimizer changes the ones it holds)"
                    if result is not None
                    else ""
                )  # fmt: skip
            )
        expect_close(p, b - 0.25 * g, f"params[{i}] after the step")
        if not p.is_leaf or p.grad_fn is not None:
            fail(f"params[{i}] is no longer a leaf: do the update under mg.no_grad()")
        if p.grad is not None:
            fail(f"params[{i}].grad is not None: set p.grad = None after the update")
    passed(
        "sgd_step", "each parameter updated in place by lr·grad, still a leaf, .grad set to None"
    )


# --------------------------------------------------------------------------- Adam


ADAM_START = [1.0, -2.0, 0.5, 3.0]
ADAM_GRAD = [0.3, -40.0, 0.0, 0.001]


def _adam_truth(lr: float = 0.01) -> np.ndarray:
    p = mg.tensor(ADAM_START, requires_grad=True)
    opt = mg.optim.Adam([p], lr=lr)
    p.grad = mg.tensor(ADAM_GRAD)
    opt.step()
    return arr(p).astype(np.float64)


def check_adam_first_step(prediction: Any) -> None:
    """``prediction``: the parameters ``ADAM_START`` after one ``optim.Adam(lr=0.01)`` step
    with gradients ``ADAM_GRAD``, as a list of 4 numbers."""
    if not_written(prediction) or (
        isinstance(prediction, (list, tuple)) and any(v is None for v in prediction)
    ):
        fail("write your prediction as a list of 4 numbers, one per parameter")
    if not isinstance(prediction, (list, tuple)) or len(prediction) != 4:
        fail(f"write your prediction as a list of 4 numbers, got {prediction!r}")
    if isinstance(prediction, mg.Tensor) or any(isinstance(v, mg.Tensor) for v in prediction):
        fail("predict with plain numbers: do not run the optimizer")
    got = np.asarray([float(v) for v in prediction])
    want = _adam_truth()
    start, grad = np.asarray(ADAM_START), np.asarray(ADAM_GRAD)
    if np.allclose(got, start - 0.01 * grad, atol=1e-6):
        fail(
            "that is SGD's step, p − lr·grad. Adam divides the (averaged) gradient by the root "
            "of its (averaged) square: on the first step that is g / |g|, so each parameter "
            "moves by lr whatever the size of its gradient"
        )
    if np.allclose(got, start + 0.01 * np.sign(grad), atol=1e-6):
        fail("the step goes against the gradient (p − lr·sign(g)), like every descent step")
    if np.allclose(got, start - 0.01, atol=1e-6) or np.allclose(
        got, start - 0.01 * np.sign(start), atol=1e-6
    ):
        fail(
            "each parameter moves against the sign of its own gradient, and one whose "
            "gradient is 0 does not move (0 / (0 + eps) = 0)"
        )
    if not np.allclose(got, want, atol=1e-5):
        fail(f"Adam's first step gives {fmt(want)}, you predicted {fmt(got)}: lr = 0.01 moves "
             "each parameter by lr·g / (|g| + eps)")  # fmt: skip
    passed(
        "adam",
        "the first Adam step moves each parameter by lr against the sign of its gradient (0 where it is 0)",
    )


# --------------------------------------------------------------------------- abs module


def check_abs_grads(module_class: type, prediction: Any) -> None:
    """``prediction``: ``{"a": a.grad, "b": b.grad}`` for the lesson's ``AbsLinear(a=2, b=1)``
    applied to x = [1, −2, 3] and backward, predicted by hand."""
    if (
        not_written(prediction)
        or not isinstance(prediction, dict)
        or any(prediction.get(k) is None for k in ("a", "b"))
    ):
        fail('write your prediction as {"a": number, "b": number}')
    if any(isinstance(prediction[k], mg.Tensor) for k in ("a", "b")):
        fail("predict with plain numbers, worked out by hand (then compare with backward)")
    module = call(module_class, 2.0, 1.0, what="AbsLinear(2.0, 1.0)")
    x = mg.tensor([1.0, -2.0, 3.0])
    out = call(module, x, what="AbsLinear(2.0, 1.0)(x)")
    out.backward()
    want_a, want_b = float(arr(module.a.grad)), float(arr(module.b.grad))
    pa, pb = float(prediction["a"]), float(prediction["b"])
    if math.isclose(pa, 2.0) and math.isclose(pb, 3.0):
        fail(
            "those are the gradients of Σ(x·a + b) without the absolute value: |v| has "
            "derivative sign(v), so each term counts with the sign of x·a + b"
        )
    if not math.isclose(pb, want_b):
        fail(
            f"b.grad = Σ sign(x·a + b): x·a + b = [3, −3, 7] here, so the signs are "
            f"[1, −1, 1]; you predicted {pb:g}"
        )
    if not math.isclose(pa, want_a):
        fail(f"a.grad = Σ x·sign(x·a + b) = 1·1 + (−2)·(−1) + 3·1; you predicted {pa:g}")
    passed("abs_grads", "a.grad = Σ x·sign(x·a + b) = 6 and b.grad = Σ sign(x·a + b) = 1")
