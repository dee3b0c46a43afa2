"""Lesson 10's checks accept the skill and reject wrong, shortcut and untouched answers."""

from __future__ import annotations

import pytest

import minigrad as mg
from minigrad.course.checks.lesson10 import (
    check_abs_grads,
    check_adam_first_step,
    check_mlp_module,
    check_sgd_step,
    check_train_step,
)
from tests.course.checks_harness import Case, Wrong, learner_stub, run_case

nn = mg.nn


class MLP(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.out = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.out(self.hidden(x).tanh())


class MLPRelu(MLP):
    def forward(self, x):
        return self.out(self.hidden(x).relu())


class MLPList(nn.Module):  # layers in a plain list are not registered
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.layers = [nn.Linear(n_in, n_hidden), nn.Linear(n_hidden, n_out)]

    def forward(self, x):
        return self.layers[1](self.layers[0](x).tanh())


class MLPSkipsHidden(nn.Module):  # registers both layers, uses one
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.out = nn.Linear(n_in, n_out)

    def forward(self, x):
        return self.out(x)


class MLPStub(nn.Module):  # the learner copy: the class body is only `pass`
    pass


def train_step(model, opt, batches):
    opt.zero_grad()
    total = 0.0
    for X, y in batches:
        loss = nn.MSELoss()(model(X), y) / len(batches)
        loss.backward()
        total += loss.item()
    opt.step()
    return total


def zero_inside(model, opt, batches):
    total = 0.0
    for X, y in batches:
        opt.zero_grad()
        loss = nn.MSELoss()(model(X), y) / len(batches)
        loss.backward()
        total += loss.item()
    opt.step()
    return total


def no_division(model, opt, batches):
    opt.zero_grad()
    total = 0.0
    for X, y in batches:
        loss = nn.MSELoss()(model(X), y)
        loss.backward()
        total += loss.item()
    opt.step()
    return total / len(batches)


def one_big_graph(model, opt, batches):
    opt.zero_grad()
    loss = sum(nn.MSELoss()(model(X), y) for X, y in batches) / len(batches)
    loss.backward()
    opt.step()
    return loss.item()


def step_per_batch(model, opt, batches):
    total = 0.0
    for X, y in batches:
        opt.zero_grad()
        loss = nn.MSELoss()(model(X), y) / len(batches)
        loss.backward()
        opt.step()
        total += loss.item()
    return total


def returns_tensor(model, opt, batches):
    opt.zero_grad()
    total = 0.0
    for X, y in batches:
        loss = nn.MSELoss()(model(X), y) / len(batches)
        loss.backward()
        total = total + loss.detach()
    opt.step()
    return total


def sgd_step(params, lr):
    with mg.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None


def sgd_rebind(params, lr):
    with mg.no_grad():
        for p in params:
            p = p - lr * p.grad  # noqa: PLW2901 - the mistake under test


def sgd_recorded(params, lr):
    for p in params:
        p -= lr * p.grad


def sgd_keeps_grad(params, lr):
    with mg.no_grad():
        for p in params:
            p -= lr * p.grad


def sgd_switch_off(params, lr):
    mg.set_grad_enabled(False)
    for p in params:
        p -= lr * p.grad
        p.grad = None


class AbsLinear(nn.Module):
    def __init__(self, a, b):
        super().__init__()
        self.a = nn.Parameter(mg.tensor(a))
        self.b = nn.Parameter(mg.tensor(b))

    def forward(self, x):
        return (x * self.a + self.b).abs().sum()


CASES = [
    Case(
        check_mlp_module,
        right=(MLP,),
        wrong=[
            Wrong("relu instead of tanh", (MLPRelu,), r"out\(tanh\(hidden\(x\)\)\)"),
            Wrong("layers in a list", (MLPList,), r"not registered"),
            Wrong("hidden layer unused", (MLPSkipsHidden,), r"parameter shapes"),
            Wrong("not a Module", (object,), r"subclasses nn.Module"),
        ],
        learner=(MLPStub,),
        learner_match=r"no __init__ of its own",
    ),
    Case(
        check_train_step,
        right=(train_step,),
        wrong=[
            Wrong("zero_grad inside the loop", (zero_inside,), r"zero the gradients once"),
            Wrong("no division by the number of batches", (no_division,), r"divide each"),
            Wrong("one graph for all batches", (one_big_graph,), r"ran backward 1 time"),
            Wrong("a step per batch", (step_per_batch,), r"opt.step\(\) once"),
            Wrong("returns a tensor", (returns_tensor,), r"Python float"),
        ],
        learner=(learner_stub("train_step"),),
        learner_match=r"returned None",
    ),
    Case(
        check_sgd_step,
        right=(sgd_step,),
        wrong=[
            Wrong("rebinding the loop variable", (sgd_rebind,), r"did not change"),
            Wrong("recorded update", (sgd_recorded,), r"in-place operation"),
            Wrong("grad left behind", (sgd_keeps_grad,), r"grad = None"),
            Wrong("recording left off", (sgd_switch_off,), r"still off"),
        ],
        learner=(learner_stub("sgd_step"),),
        learner_match=r"did not change",
    ),
    Case(
        check_adam_first_step,
        right=([0.99, -1.99, 0.5, 2.99],),
        wrong=[
            Wrong("SGD's step", ([0.997, -1.6, 0.5, 2.99999],), r"SGD's step"),
            Wrong("with the gradient", ([1.01, -2.01, 0.5, 3.01],), r"against the gradient"),
            Wrong("all moved down", ([0.99, -2.01, 0.49, 2.99],), r"sign of its own"),
            Wrong("zero gradient moves", ([0.99, -1.99, 0.51, 2.99],), r"Adam.s first step gives"),
        ],
        learner=([None, None, None, None],),
        learner_match=r"list of 4 numbers",
    ),
    Case(
        check_abs_grads,
        right=(AbsLinear, {"a": 6, "b": 1.0}),
        wrong=[
            Wrong("without the absolute value", (AbsLinear, {"a": 2.0, "b": 3.0}), r"sign\(v\)"),
            Wrong("b counted 3 times", (AbsLinear, {"a": 6.0, "b": 3.0}), r"signs are"),
            Wrong("|x| instead of sign", (AbsLinear, {"a": 2.0, "b": 1.0}), r"Σ x·sign"),
            Wrong("a tensor", (AbsLinear, {"a": mg.tensor(6.0), "b": 1.0}), r"plain numbers"),
        ],
        learner=(AbsLinear, {"a": None, "b": None}),
        learner_match=r"write your prediction",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check(case):
    run_case(case)


def test_checks_leave_the_notebook_random_stream_alone():
    mg.manual_seed(123)
    expected = mg.rand(3).tolist()
    mg.manual_seed(123)
    check_mlp_module(MLP)
    check_train_step(train_step)
    assert mg.rand(3).tolist() == expected
