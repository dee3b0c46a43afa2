"""The exercise checks accept right answers (one ✓ line) and reject wrong ones precisely.

Also the torch cross-check helper: same output with and without torch, and a failure when
torch disagrees.
"""

from __future__ import annotations

import types

import pytest

import minigrad as mg
from minigrad.course import checks
from minigrad.course.checks import CheckFailed
from minigrad.course.crosscheck import CrossCheckFailed, crosscheck, error_of, show
from tests.oracle import require_torch


def passes(capsys, fn, *args) -> str:
    fn(*args)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("✓ "), out
    return out


def fails(fn, *args, match: str) -> str:
    with pytest.raises(CheckFailed, match=match) as info:
        fn(*args)
    return str(info.value)


# --------------------------------------------------------------------------- numerical helpers


def test_numerical_grad_and_jacobian_match_known_derivatives():
    import numpy as np

    (g,) = checks.numerical_grad(lambda t: t**3, [np.array([1.0, 2.0])], np.array([1.0, 0.5]))
    np.testing.assert_allclose(g, [3.0, 6.0], rtol=1e-6)
    J = checks.numerical_jacobian(lambda t: 3 * t**3, mg.tensor([2.0, 3.0]))
    np.testing.assert_allclose(J.numpy(), [[36.0, 0.0], [0.0, 81.0]], atol=1e-5)


# --------------------------------------------------------------------------- lesson 00


def _first(xv=2.0, yv=3.0, backward=1, rg=True):
    x = mg.tensor(xv, requires_grad=rg)
    y = mg.tensor(yv, requires_grad=True)
    z = x * y
    for _ in range(backward):
        z.backward(retain_graph=True)
    return x, y, z


def test_first_graph(capsys):
    passes(capsys, checks.check_first_graph, *_first(-1.5, 4.0))
    fails(checks.check_first_graph, *_first(backward=0), match="call z.backward")
    fails(checks.check_first_graph, *_first(backward=2), match="more than once")
    fails(checks.check_first_graph, *_first(rg=False), match="x.requires_grad is False")
    x, y, _ = _first()
    fails(checks.check_first_graph, x, y, x + y, match="MulBackward0")
    fails(checks.check_first_graph, x, y, 6.0, match="z should be a minigrad tensor")


# --------------------------------------------------------------------------- lesson 01


def _function(name, forward, backward, save=True):
    def fwd(ctx, x):
        if save:
            ctx.save_for_backward(x)
        return forward(x)

    def bwd(ctx, g):
        (x,) = ctx.saved_tensors if save else (None,)
        return backward(x, g)

    return type(
        name, (mg.autograd.Function,), {"forward": staticmethod(fwd), "backward": staticmethod(bwd)}
    )


def test_check_square(capsys):
    passes(
        capsys, checks.check_square, _function("Square", lambda x: x * x, lambda x, g: 2 * x * g)
    )
    fails(
        checks.check_square,
        _function("Square", lambda x: x * x, lambda x, g: 2 * x),
        match="backward is wrong.*multiply by the incoming g",
    )
    fails(
        checks.check_square,
        _function("Square", lambda x: x * 2, lambda x, g: 2 * g),
        match="forward is wrong.*expected x²",
    )
    fails(
        checks.check_square,
        _function("Square", lambda x: x * x, lambda x, g: 2 * g, save=False),
        match="saved nothing",
    )
    fails(
        checks.check_square,
        _function("Sq", lambda x: x * x, lambda x, g: 2 * x * g),
        match="expected SquareBackward",
    )
    fails(checks.check_square, lambda x: x * x, match="deriving from mg.autograd.Function")

    class Square(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            raise NotImplementedError

    fails(checks.check_square, Square, match="NotImplementedError: write forward")


def test_check_cube(capsys):
    passes(capsys, checks.check_cube, _function("Cube", lambda x: x**3, lambda x, g: 3 * x**2 * g))
    fails(
        checks.check_cube,
        _function("Cube", lambda x: x**3, lambda x, g: 2 * x * g),
        match="finite differences give",
    )


# --------------------------------------------------------------------------- lessons 02/03


def _e():
    a = mg.tensor(2.0, requires_grad=True)
    b = mg.tensor(3.0, requires_grad=True)
    d = mg.tensor(4.0, requires_grad=True)
    return (a * b) * d


def test_check_next_functions(capsys):
    passes(capsys, checks.check_next_functions, _e(), (("MulBackward0", 0), ("AccumulateGrad", 0)))
    fails(
        checks.check_next_functions,
        _e(),
        (("MulBackward0", 0), ("MulBackward0", 0)),
        match=r"entry 1: you predicted 'MulBackward0', but it is 'AccumulateGrad' — that input is a leaf",
    )
    fails(checks.check_next_functions, _e(), (("MulBackward0", 0),), match="has 2 entries")
    fails(
        checks.check_next_functions,
        _e(),
        (("MulBackward0", 1), ("AccumulateGrad", 0)),
        match="the number is 0, not 1",
    )
    x = mg.tensor(2.0, requires_grad=True)
    c = x * mg.tensor(3.0) + mg.tensor(3.0)
    fails(
        checks.check_next_functions,
        c,
        (("MulBackward0", 0), ("AccumulateGrad", 0)),
        match="it is None — that input does not require grad",
    )
    fails(checks.check_next_functions, x, (), match="no grad_fn")
    fails(checks.check_next_functions, _e(), None, match="write the prediction as a tuple")


def test_check_chain_rule(capsys):
    def right(x, y):
        z = x * x * y * y
        return 2 * z * 2 * x * y * y, 2 * z * 2 * x * x * y

    passes(capsys, checks.check_chain_rule, right)
    fails(
        checks.check_chain_rule,
        lambda x, y: (2 * x * y * y, 2 * x * x * y),
        match="at x = 2, y = 3: your dw/dx = 36",
    )
    fails(checks.check_chain_rule, lambda x, y: 1.0, match="should return a pair")


def _leaves_right(t):
    found, seen, stack = [], set(), [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if type(node).__name__ == "AccumulateGrad":
            found.append(node.variable)
        stack.extend(c for c, _ in node.next_functions)
    return found


def test_check_leaves(capsys):
    passes(capsys, checks.check_leaves, _leaves_right)

    def no_seen(t):
        found, stack = [], [t.grad_fn]
        while stack:
            node = stack.pop()
            if node is None:
                continue
            if type(node).__name__ == "AccumulateGrad":
                found.append(node.variable)
            stack.extend(c for c, _ in node.next_functions)
        return found

    fails(checks.check_leaves, no_seen, match="appears more than once")

    def recursive(t, node=None, found=None):
        node = t.grad_fn if node is None else node
        found = [] if found is None else found
        for child, _ in node.next_functions:
            if child is None:
                continue
            if type(child).__name__ == "AccumulateGrad":
                if all(child.variable is not f for f in found):
                    found.append(child.variable)
            else:
                recursive(t, child, found)
        return found

    fails(checks.check_leaves, recursive, match="RecursionError on 1500 multiplications")
    fails(checks.check_leaves, lambda t: [], match="expected 3 leaves, got 0")


def test_check_requires_grad(capsys):
    u = mg.tensor([1.0], requires_grad=True)
    v = mg.tensor([2.0])
    tensors = {"u": u, "v": v, "u + v": u + v, "v * v": v * v}
    right = {"u": True, "v": False, "u + v": True, "v * v": False}
    passes(capsys, checks.check_requires_grad, right, tensors)
    fails(
        checks.check_requires_grad,
        {**right, "v * v": True},
        tensors,
        match="v \\* v: you predicted True.*computed only from tensors that do not require grad",
    )
    fails(
        checks.check_requires_grad,
        {**right, "u": False},
        tensors,
        match="it is a leaf created with requires_grad=True",
    )
    fails(
        checks.check_requires_grad,
        {"u": True},
        tensors,
        match="no prediction for v, u \\+ v, v \\* v",
    )
    fails(checks.check_requires_grad, {}, tensors, match="no prediction for u, v")
    fails(checks.check_requires_grad, None, tensors, match="as a dict")
    fails(
        checks.check_requires_grad, {**right, "u": "yes"}, tensors, match="should be True or False"
    )


# --------------------------------------------------------------------------- lesson 04


def _jacobian(zero=True, retain=True, transpose=False):
    def jacobian(f, x):
        rows = []
        y = f(x).reshape(-1)
        for i in range(y.numel()):
            if zero:
                x.grad = None
            v = mg.zeros_like(y)
            v[i] = 1.0
            if not retain:
                y = f(x).reshape(-1)
            y.backward(gradient=v, retain_graph=retain)
            rows.append(x.grad.reshape(-1).clone())
        J = mg.stack(rows)
        return J.t() if transpose else J

    return jacobian


def test_check_jacobian(capsys):
    passes(capsys, checks.check_jacobian, _jacobian())
    passes(capsys, checks.check_jacobian, _jacobian(retain=False))
    fails(checks.check_jacobian, _jacobian(zero=False), match="row i is the SUM of rows 0..i")
    fails(checks.check_jacobian, _jacobian(transpose=True), match="you built the transpose")

    def no_retain(f, x):
        y = f(x)
        rows = []
        for i in range(y.numel()):
            v = mg.zeros_like(y)
            v[i] = 1.0
            y.backward(gradient=v)
            rows.append(x.grad)
        return mg.stack(rows)

    fails(checks.check_jacobian, no_retain, match="retain_graph=True")
    fails(checks.check_jacobian, lambda f, x: f(x), match="expected \\(m, n\\)")


# --------------------------------------------------------------------------- lesson 05


def test_check_grad_over_batches(capsys):
    def right(w, batches, loss_fn):
        w.grad = None
        for b in batches:
            loss_fn(w, b).backward()
        return w.grad

    passes(capsys, checks.check_grad_over_batches, right)

    def stale(w, batches, loss_fn):
        for b in batches:
            loss_fn(w, b).backward()
        return w.grad

    fails(checks.check_grad_over_batches, stale, match="gradient of an earlier step")

    def last_only(w, batches, loss_fn):
        for b in batches:
            w.grad = None
            loss_fn(w, b).backward()
        return w.grad

    fails(checks.check_grad_over_batches, last_only, match="last batch only")

    def one_graph(w, batches, loss_fn):
        w.grad = None
        sum(loss_fn(w, b) for b in batches[:1]).backward()
        return w.grad

    fails(checks.check_grad_over_batches, one_graph, match="called 1 times for 3 batches")


# --------------------------------------------------------------------------- crosscheck


def _program(lib):
    x = lib.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward()
    return {
        "y": y,
        "y.grad_fn": y.grad_fn,
        "next": y.grad_fn.next_functions,
        "x.grad": x.grad,
        "again": error_of(y.backward),
    }


def test_show_is_library_independent():
    x = mg.tensor(2.0, requires_grad=True)
    y = x * 3
    assert show(y.grad_fn) == "MulBackward0"
    assert show(y.grad_fn.next_functions) == "((AccumulateGrad, 0), (None, 0))"
    assert show((x, [1, "a"])) == "(tensor(2., requires_grad=True), [1, a])"
    assert error_of(lambda: 1 / 0) == "ZeroDivisionError: division by zero"
    assert error_of(lambda: None) == "no error"


def test_crosscheck_output_is_the_same_with_and_without_torch(capsys):
    torch = require_torch()
    crosscheck(_program, torch=None)
    without = capsys.readouterr().out
    crosscheck(_program, torch=torch)
    assert capsys.readouterr().out == without
    assert "y = tensor(4., grad_fn=<MulBackward0>)" in without
    assert "next = ((AccumulateGrad, 0), (AccumulateGrad, 0))" in without
    assert without.rstrip().endswith("and must agree.")


def test_crosscheck_fails_when_the_other_library_disagrees():
    # A stand-in "torch" whose multiplication is off: the check must notice.
    fake = types.SimpleNamespace(
        tensor=lambda v, requires_grad=False: mg.tensor(v + 1.0, requires_grad=requires_grad)
    )
    with pytest.raises(
        CrossCheckFailed, match="y:\n    minigrad: tensor\\(4\\..*\n    torch:    tensor\\(9\\."
    ):
        crosscheck(_program, torch=fake)


def test_crosscheck_requires_torch_in_ci(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch":
            raise ImportError("no torch here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    monkeypatch.setenv("MINIGRAD_REQUIRE_TORCH", "1")
    with pytest.raises(RuntimeError, match="MINIGRAD_REQUIRE_TORCH=1 but torch is not installed"):
        crosscheck(_program)
    monkeypatch.setenv("MINIGRAD_REQUIRE_TORCH", "0")
    crosscheck(_program)  # a learner without torch: minigrad's facts only
