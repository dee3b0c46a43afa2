"""Lesson 10's checks accept right answers and reject wrong ones precisely.

Moved unchanged from the old per-part test files; phase 2 of the course work turns these into
``Case`` lists (tests/course/checks_harness.py) with three wrong answers and the learner
copy's answer for every check.
"""

from __future__ import annotations

import minigrad as mg
from minigrad.course.checks import lesson10 as C
from tests.course.checks_harness import legacy_accepts as accepts
from tests.course.checks_harness import legacy_rejects as rejects


class _MLP(mg.nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.hidden = mg.nn.Linear(n_in, n_hidden)
        self.out = mg.nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.out(self.hidden(x).tanh())


def test_checks_leave_the_notebook_random_stream_alone(capsys):
    mg.manual_seed(123)
    expected = mg.rand(3).tolist()
    mg.manual_seed(123)
    C.check_mlp_module(_MLP)
    C.check_train_step(_train_ok)
    assert mg.rand(3).tolist() == expected


def test_mlp_module(capsys):
    accepts(C.check_mlp_module, _MLP, capsys)

    class Relu(_MLP):
        def forward(self, x):
            return self.out(self.hidden(x).relu())

    rejects(C.check_mlp_module, Relu, "model(X): got")

    class Names(mg.nn.Module):
        def __init__(self, n_in, n_hidden, n_out):
            super().__init__()
            self.a = mg.nn.Linear(n_in, n_hidden)
            self.b = mg.nn.Linear(n_hidden, n_out)

    rejects(C.check_mlp_module, Names, "expected ['hidden.weight'")

    class NotModule:
        def __init__(self, *args):
            pass

    rejects(C.check_mlp_module, NotModule, "must subclass mg.nn.Module")


def _train_ok(model, opt, X, y):
    opt.zero_grad()
    loss = mg.nn.MSELoss()(model(X), y)
    loss.backward()
    opt.step()
    return loss.item()


def test_train_step(capsys):
    accepts(C.check_train_step, _train_ok, capsys)

    def no_zero(model, opt, X, y):
        loss = mg.nn.MSELoss()(model(X), y)
        loss.backward()
        opt.step()
        return loss.item()

    rejects(C.check_train_step, no_zero, "call opt.zero_grad() before backward")

    def returns_tensor(model, opt, X, y):
        _train_ok(model, opt, X, y)
        return mg.tensor(0.0)

    rejects(C.check_train_step, returns_tensor, "return loss.item()")

    def no_step(model, opt, X, y):
        opt.zero_grad()
        loss = mg.nn.MSELoss()(model(X), y)
        loss.backward()
        return loss.item()

    rejects(C.check_train_step, no_step, "did you call loss.backward() and opt.step()?")


def test_sgd_step(capsys):
    def ok(params, lr):
        with mg.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None

    accepts(C.check_sgd_step, ok, capsys)

    def rebinds(params, lr):
        for p in params:
            p = p - lr * p.grad  # the mistake under test

    rejects(C.check_sgd_step, rebinds, "did not change")

    def keeps_grad(params, lr):
        with mg.no_grad():
            for p in params:
                p -= lr * p.grad

    rejects(C.check_sgd_step, keeps_grad, "set p.grad = None")

    def wrong_sign(params, lr):
        with mg.no_grad():
            for p in params:
                p += lr * p.grad
                p.grad = None

    rejects(C.check_sgd_step, wrong_sign, "params[0] after the step")
