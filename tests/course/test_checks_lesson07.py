"""Lesson 07's checks accept the skill and reject wrong, shortcut and untouched answers."""

from __future__ import annotations

import pytest

import minigrad as mg
from minigrad.course.checks.lesson07 import (
    check_batch_losses,
    check_scale_square_grads,
    check_three_ways,
    check_train_output_only,
    check_value_and_half_grad,
    net_forward,
)
from tests.course.checks_harness import Case, Wrong, learner_stub, run_case


def by_hand(x):
    return 18 * x, 6 * x


def by_autograd(x):
    t = x.detach().clone()
    t.requires_grad = True
    ((3 * t) ** 2).sum().backward()
    return t.grad, 6 * x


def half(x):
    return x * x.detach()


def train(params, X, Y, lr, steps):
    params["W1"].requires_grad_(False)
    params["b1"].requires_grad_(False)
    losses = []
    for _ in range(steps):
        loss = ((net_forward(params, X) - Y) ** 2).mean()
        loss.backward()
        losses.append(loss.item())
        with mg.no_grad():
            for name in ("W2", "b2"):
                params[name] -= lr * params[name].grad
                params[name].grad = None
    return losses


def train_skip_update(params, X, Y, lr, steps):  # not frozen: W1 still gets a gradient
    losses = []
    for _ in range(steps):
        loss = ((net_forward(params, X) - Y) ** 2).mean()
        loss.backward()
        losses.append(loss.item())
        with mg.no_grad():
            for name in ("W2", "b2"):
                params[name] -= lr * params[name].grad
                params[name].grad = None
    return losses


def train_no_reset(params, X, Y, lr, steps):
    params["W1"].requires_grad_(False)
    params["b1"].requires_grad_(False)
    losses = []
    for _ in range(steps):
        loss = ((net_forward(params, X) - Y) ** 2).mean()
        loss.backward()
        losses.append(loss.item())
        with mg.no_grad():
            for name in ("W2", "b2"):
                params[name] -= lr * params[name].grad
    return losses


def train_no_update(params, X, Y, lr, steps):
    params["W1"].requires_grad_(False)
    params["b1"].requires_grad_(False)
    losses = []
    for _ in range(steps):
        loss = ((net_forward(params, X) - Y) ** 2).mean()
        loss.backward()
        losses.append(loss.item())
    return losses


def batch_losses(model, batches):
    with mg.no_grad():
        return [((model(X) - Y) ** 2).mean().item() for X, Y in batches]


def batch_losses_detach(model, batches):
    return [((model(X).detach() - Y) ** 2).mean().item() for X, Y in batches]


def batch_losses_global_off(model, batches):
    mg.set_grad_enabled(False)
    return [((model(X) - Y) ** 2).mean().item() for X, Y in batches]


def batch_losses_tensors(model, batches):
    with mg.no_grad():
        return [((model(X) - Y) ** 2).mean() for X, Y in batches]


def batch_losses_sum(model, batches):
    with mg.no_grad():
        return [((model(X) - Y) ** 2).sum().item() for X, Y in batches]


THREE = {
    "detach": {"requires_grad": False, "is_inference": False, "backward": "runs"},
    "no_grad": {"requires_grad": False, "is_inference": False, "backward": "runs"},
    "inference_mode": {"requires_grad": False, "is_inference": True, "backward": "error"},
}


def three_with(way, fact, value):
    out = {w: dict(f) for w, f in THREE.items()}
    out[way][fact] = value
    return out


UNWRITTEN_THREE = {w: dict.fromkeys(f) for w, f in THREE.items()}

CASES = [
    Case(
        check_scale_square_grads,
        right=(by_hand,),
        wrong=[
            Wrong("autograd inside", (by_autograd,), r"ran autograd"),
            Wrong("3 not squared", (lambda x: (6 * x, 6 * x),), r"the 3 is squared"),
            Wrong("both 18x", (lambda x: (18 * x, 18 * x),), r"only x is squared"),
            Wrong("the lesson's numbers", (lambda x: (8 * x, 4 * x),), r"Σ\(3x\)²: got"),
            Wrong("one value", (lambda x: 18 * x,), r"return a pair"),
        ],
        learner=(learner_stub("by_hand"),),
        learner_match=r"by_hand returned None",
    ),
    Case(
        check_value_and_half_grad,
        right=(half,),
        wrong=[
            Wrong("nothing detached", (lambda x: x * x,), r"the gradient is 2x"),
            Wrong("all detached", (lambda x: (x * x).detach(),), r"no grad_fn"),
            Wrong("half the square", (lambda x: 0.5 * x * x,), r"it should be x²"),
            Wrong("x itself", (lambda x: x,), r"it should be x²"),
        ],
        learner=(learner_stub("half"),),
        learner_match=r"half returned None",
    ),
    Case(
        check_train_output_only,
        right=(train,),
        wrong=[
            Wrong("skip the update, no freeze", (train_skip_update,), r"W1 still requires grad"),
            Wrong("grads never reset", (train_no_reset,), r"reset .grad to None"),
            Wrong("no update", (train_no_update,), r"the loss never changed"),
        ],
        learner=(learner_stub("train"),),
        learner_match=r"train returned None",
    ),
    Case(
        check_batch_losses,
        right=(batch_losses,),
        wrong=[
            Wrong("detach the result", (batch_losses_detach,), r"built a graph"),
            Wrong("switched off for good", (batch_losses_global_off,), r"still switched off"),
            Wrong("tensors, not floats", (batch_losses_tensors,), r"Python float"),
            Wrong("sum, not mean", (batch_losses_sum,), r"the losses: got"),
        ],
        learner=(learner_stub("batch_losses"),),
        learner_match=r"batch_losses returned None",
    ),
    Case(
        check_three_ways,
        right=(THREE,),
        wrong=[
            Wrong(
                "inference like no_grad",
                (three_with("inference_mode", "backward", "runs"),),
                r"may not be saved",
            ),
            Wrong(
                "detach breaks w too",
                (three_with("detach", "backward", "error"),),
                r"w is still recorded",
            ),
            Wrong(
                "no_grad marks inference",
                (three_with("no_grad", "is_inference", True),),
                r"no_grad, is_inference",
            ),
            Wrong("words", (three_with("detach", "backward", "raises"),), r"should be one of"),
        ],
        learner=(UNWRITTEN_THREE,),
        learner_match=r"fill in every prediction",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check(case):
    run_case(case)
    assert mg.is_grad_enabled()
