"""Checks for lesson 08 · autograd.grad (syllabus 8.1–8.6).

Each check observes how the answer ran, through the engine's own trace (``autograd_runs``):
per-sample gradients must come from exactly one ``autograd.grad`` call (not a formula, not a
loop, not ``backward``); a weighted gradient must start at the output itself with the weights
as its seed (``grad_outputs``), not at a weighted sum the learner built; a detached
normaliser is differentiated output by output on a batch the learner never saw.
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
    "check_per_sample_grads",
    "check_weighted_grad",
    "check_grads_or_zeros",
    "check_normalise_detached",
    "check_grad_predictions",
]


# -- exercise 1: input gradients of a batch, one call ------------------------------------------


def check_per_sample_grads(per_sample: Callable[[mg.Tensor], Any]) -> None:
    """``per_sample(X)``: d/dxᵢ of sin(xᵢ)·xᵢ for every sample, from ONE ``autograd.grad``."""
    gen = rng(8)
    x_np = gen.uniform(-3, 3, size=6)
    X = mg.tensor(x_np, dtype=mg.float64, requires_grad=True)
    with autograd_runs() as runs:
        got = call(per_sample, X, what="per_sample(X)")
    if got is None:
        fail("per_sample returned None: return the tensor of per-sample gradients")
    if isinstance(got, tuple):
        fail("per_sample returned a tuple: mg.autograd.grad returns one; take its element [0]")
    if not runs:
        fail(
            "per_sample ran no autograd: the exercise is to let mg.autograd.grad compute the "
            "gradients (one call on the sum), not to write the derivative by hand"
        )
    if len(runs) > 1:
        fail(
            f"per_sample ran {len(runs)} backward passes: because each term of the sum depends "
            "on its own sample only, ONE grad call on the sum gives them all"
        )
    if X.grad is not None:
        fail("X.grad was set: use mg.autograd.grad, which returns the gradient and leaves .grad")
    expect_close(got, np.cos(x_np) * x_np + np.sin(x_np), "per-sample gradients")
    passed("per_sample", "every sample's input gradient from one grad call")


# -- exercise 2: grad_outputs as weights on the outputs ----------------------------------------


class _Outputs:
    """The function handed to the learner: remembers every output it returned."""

    def __init__(self) -> None:
        self.made: list[mg.Tensor] = []

    def __call__(self, x: mg.Tensor) -> mg.Tensor:
        y = x**3 - 2 * x
        self.made.append(y)
        return y


def check_weighted_grad(weighted_grad: Callable[..., Any]) -> None:
    """``weighted_grad(f, x, weights)`` = d(Σ weightsᵢ·f(x)ᵢ)/dx from one ``autograd.grad``
    call on f(x) itself, with ``grad_outputs=weights``."""
    gen = rng(82)
    x_np = gen.uniform(-2, 2, size=4).round(2)
    w_np = gen.normal(size=4).round(2)
    x = mg.tensor(x_np, dtype=mg.float64, requires_grad=True)
    weights = mg.tensor(w_np, dtype=mg.float64)
    f = _Outputs()
    with autograd_runs() as runs:
        got = call(weighted_grad, f, x, weights, what="weighted_grad(f, x, weights)")
    if got is None:
        fail("weighted_grad returned None: return the gradient (a tensor shaped like x)")
    if isinstance(got, tuple):
        fail("weighted_grad returned a tuple: return its element [0], a tensor shaped like x")
    if len(runs) != 1:
        fail(f"weighted_grad ran {len(runs)} backward passes: one autograd.grad call is enough")
    if x.grad is not None:
        fail("x.grad was set: use mg.autograd.grad, which leaves .grad alone")
    roots = [node for node, _ in runs[0]]
    outputs = [y.grad_fn for y in f.made]
    if not any(r in outputs for r in roots):
        fail(
            "the backward pass did not start at f(x): you built the weighted sum yourself. "
            "Pass f(x) as the output and the weights as grad_outputs=, so the engine starts "
            "at f(x) with the weights as its incoming gradient"
        )
    want = w_np * (3 * x_np**2 - 2)
    if close(got, 3 * x_np**2 - 2):
        fail("you got the unweighted gradient: pass grad_outputs=weights, not ones")
    expect_close(got, want, "the weighted gradient")
    passed("weighted_grad", "the weights entered as grad_outputs at f(x)")


# -- exercise 3: every parameter, zeros for the unused -----------------------------------------


def check_grads_or_zeros(fn: Callable[..., Any]) -> None:
    """``fn(loss, params)``: d loss/d p for every p, zeros for parameters the loss never used."""
    gen = rng(81)
    w = mg.tensor(gen.normal(size=3), requires_grad=True)
    b = mg.tensor(gen.normal(size=()), requires_grad=True)
    unused = mg.tensor(gen.normal(size=(2, 2)), requires_grad=True)
    x = mg.tensor(gen.normal(size=3))
    loss = ((w * x).sum() + b) ** 2
    with autograd_runs() as runs:
        got = call(fn, loss, [w, unused, b], what="fn(loss, params)")
    if got is None:
        fail("grads_or_zeros returned None: return a list with one gradient per parameter")
    if not isinstance(got, list | tuple) or len(got) != 3:
        fail("grads_or_zeros should return one gradient per parameter (3 here)")
    if any(p.grad is not None for p in (w, b, unused)):
        fail("a parameter's .grad was set: use mg.autograd.grad, which leaves .grad alone")
    if len(runs) != 1:
        fail(
            f"{len(runs)} backward passes: one mg.autograd.grad call with all the parameters "
            "and allow_unused=True does it"
        )
    if got[1] is None:
        fail(
            "the unused parameter got None (what allow_unused=True returns): replace it by "
            "mg.zeros_like(p)"
        )
    s = float((arr(w) * arr(x)).sum() + arr(b))
    expect_close(got[0], 2 * s * arr(x), "gradient of the first parameter")
    expect_close(got[1], np.zeros((2, 2)), "gradient of the unused parameter")
    expect_close(got[2], np.array(2 * s), "gradient of the last parameter")
    passed("grads_or_zeros", "gradients with zeros for unused parameters")


# -- exercise 4: a normaliser that does not mix the samples ------------------------------------


def check_normalise_detached(normalise: Callable[[mg.Tensor], mg.Tensor]) -> None:
    """``normalise(X)`` = X / Σ X with the sum a constant: d out[i]/dX is 1/s at i, 0 elsewhere."""
    gen = rng(83)
    x_np = gen.uniform(0.5, 3, size=5).round(2)
    X = mg.tensor(x_np, dtype=mg.float64, requires_grad=True)
    out = call(normalise, X, what="normalise(X)")
    if out is None:
        fail("normalise returned None: return X divided by its sum")
    if not isinstance(out, mg.Tensor):
        fail(f"normalise should return a minigrad tensor, got {type(out).__name__}")
    s = x_np.sum()
    expect_close(out, x_np / s, "normalise(X)", " (X divided by the sum of X)")
    if out.grad_fn is None:
        fail("normalise(X) has no grad_fn: detach only the sum, not the result")
    for i in (0, 3):
        (g,) = mg.autograd.grad(out[i], X, retain_graph=True)
        want = np.zeros_like(x_np)
        want[i] = 1 / s
        if not close(g, want):
            if close(g, want - x_np[i] / s**2):
                fail(
                    f"the gradient of out[{i}] is spread over the whole batch: the sum still "
                    "carries gradient; divide by X.sum().detach()"
                )
            expect_close(g, want, f"d out[{i}] / dX")
    passed("normalise", "each output's gradient reaches only its own sample")


# -- exercise 5: the shape of a gradient, and an input that does not require grad ------------

GRAD_KEYS = ("shape for W", "shape for b", "grad for c")


def grad_prediction_truth() -> dict:
    """What the exercise's three questions give, run live."""
    W = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    b = mg.tensor([0.5, -0.5, 1.0], requires_grad=True)
    c = mg.tensor(2.0)
    loss = ((W + b) * c).sum()
    gW, gb = mg.autograd.grad(loss, (W, b), retain_graph=True)
    try:
        mg.autograd.grad(loss, c)
        third = "a tensor"
    except RuntimeError:
        third = "error"
    return {"shape for W": tuple(gW.shape), "shape for b": tuple(gb.shape), "grad for c": third}


def check_grad_predictions(predictions: Any) -> None:
    """``predictions``: the gradient's shape for W (2×3) and b (3,), and whether
    ``grad(loss, c)`` for a c that does not require grad gives ``"a tensor"`` or ``"error"``."""
    if not isinstance(predictions, dict) or any(not_written(predictions.get(k)) for k in GRAD_KEYS):
        fail(
            'fill in all three predictions: "shape for W" and "shape for b" as tuples, '
            '"grad for c" as "a tensor" or "error"'
        )
    truth = grad_prediction_truth()
    for key in ("shape for W", "shape for b"):
        given = predictions[key]
        if not isinstance(given, tuple):
            fail(f'write "{key}" as a tuple of numbers, e.g. (4, 5)')
        if given != truth[key]:
            fail(
                f"{key}: you predicted {given}, it is {truth[key]}: a gradient always has "
                "the shape of the input it is taken with respect to (one number per entry), "
                "whatever the output's shape"
            )
    given = predictions["grad for c"]
    if given not in ("a tensor", "error"):
        fail(f'"grad for c" should be "a tensor" or "error", got {given!r}')
    if given != truth["grad for c"]:
        fail(
            "grad for c: c does not require grad, so nothing recorded how the loss depends on "
            "it, and autograd.grad raises 'One of the differentiated Tensors does not require "
            "grad'"
        )
    passed("grad predictions", "gradient shapes and the error for c predicted right")
