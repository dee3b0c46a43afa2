"""The exercise checks of lessons 06–12 accept right answers and reject wrong ones precisely."""

from __future__ import annotations

import re

import pytest

import minigrad as mg
from minigrad.course import checks_part2 as C
from minigrad.course.checks import CheckFailed


def rejects(check, answer, message: str) -> None:
    """``check(answer)`` raises CheckFailed whose text contains ``message``."""
    with pytest.raises(CheckFailed, match=re.escape(message)):
        check(answer)


def accepts(check, answer, capsys) -> None:
    check(answer)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("✓ "), out


# -- 06 ---------------------------------------------------------------------------------


def _bump_ok(p):
    with mg.no_grad():
        p += 1


def _bump_rebind(p):
    p = p + 1  # noqa: F841 - the mistake under test


def _bump_recorded(p):
    p.data = (p + 1).data


def _bump_global_off(p):
    mg.set_grad_enabled(False)
    p += 1


def test_bump_leaf(capsys):
    accepts(C.check_bump_leaf, _bump_ok, capsys)
    rejects(C.check_bump_leaf, _bump_rebind, "did you write `p = p + 1`?")
    rejects(C.check_bump_leaf, _bump_global_off, "still switched off")
    assert mg.is_grad_enabled()  # the check switched it back on

    def plain_inplace(p):
        p += 1

    rejects(C.check_bump_leaf, plain_inplace, "raised RuntimeError: a leaf Variable")

    def adds_two(p):
        with mg.no_grad():
            p += 2

    rejects(C.check_bump_leaf, adds_two, "p should be [2.0, 3.0, 4.0]")


def _intermediate_ok(a, b, d):
    c = a * b
    c.retain_grad()
    (c * d).backward()
    return c.grad


def test_intermediate_grad(capsys):
    accepts(C.check_intermediate_grad, _intermediate_ok, capsys)

    def no_retain(a, b, d):
        c = a * b
        (c * d).backward()
        return c.grad

    rejects(C.check_intermediate_grad, no_retain, "c.retain_grad() before e.backward()")
    rejects(C.check_intermediate_grad, lambda a, b, d: d, "call e.backward() inside fn")

    def returns_b(a, b, d):
        _intermediate_ok(a, b, d)
        return b

    rejects(C.check_intermediate_grad, returns_b, "c.grad (de/dc = d)")


def test_softmax_out_of_place(capsys):
    accepts(C.check_softmax_out_of_place, lambda x: x.exp() / x.exp().sum(), capsys)

    def inplace(x):
        e = x.exp()
        e /= e.sum()
        return e

    rejects(C.check_softmax_out_of_place, inplace, "write `e / e.sum()`")
    rejects(C.check_softmax_out_of_place, lambda x: x.exp(), "softmax(x): got")
    rejects(
        C.check_softmax_out_of_place,
        lambda x: (x.exp() / x.exp().sum()).detach(),
        "has no grad_fn",
    )


# -- 07 ---------------------------------------------------------------------------------


def test_double_then_square_grad(capsys):
    accepts(C.check_double_then_square_grad, lambda x: 8 * x, capsys)
    rejects(C.check_double_then_square_grad, lambda x: 4 * x, "gradient of (x**2)*2")
    rejects(C.check_double_then_square_grad, lambda x: 2 * x, "the gradient of x²")
    rejects(C.check_double_then_square_grad, lambda x: 8 * x + 1, "d/dx Σ(2x)²: got")


def test_freeze(capsys):
    def ok(m):
        for p in m.parameters():
            p.requires_grad_(False)

    accepts(C.check_freeze, ok, capsys)
    rejects(C.check_freeze, lambda m: None, "0.weight still requires grad")

    def replaces(m):
        m.weight = mg.nn.Parameter(m.weight.detach().clone(), requires_grad=False)

    rejects(C.check_freeze, replaces, "0.weight was replaced by a new object")

    def only_weight(m):
        m.weight.requires_grad_(False)

    rejects(C.check_freeze, only_weight, "0.bias still requires grad")


def test_predict(capsys):
    def ok(model, X):
        with mg.no_grad():
            return model(X)

    accepts(C.check_predict, ok, capsys)
    rejects(C.check_predict, lambda model, X: model(X), "run the model inside `with mg.no_grad():`")

    def global_off(model, X):
        mg.set_grad_enabled(False)
        return model(X)

    rejects(C.check_predict, global_off, "gradient recording was still off")
    assert mg.is_grad_enabled()

    def wrong_rows(model, X):
        with mg.no_grad():
            return model(X * 2)

    rejects(C.check_predict, wrong_rows, "predict(model, X): got")


# -- 08 ---------------------------------------------------------------------------------


def test_per_sample_grads(capsys):
    accepts(C.check_per_sample_grads, lambda X: mg.autograd.grad((X.sin() * X).sum(), X)[0], capsys)

    def with_backward(X):
        (X.sin() * X).sum().backward()
        return X.grad

    rejects(C.check_per_sample_grads, with_backward, "X.grad was set")
    rejects(
        C.check_per_sample_grads,
        lambda X: mg.autograd.grad((X.sin() * X).sum(), X),
        "take its element [0]",
    )
    rejects(C.check_per_sample_grads, lambda X: mg.autograd.grad(X.sin().sum(), X)[0], "got")


def test_grads_or_zeros(capsys):
    def ok(loss, params):
        grads = mg.autograd.grad(loss, params, allow_unused=True)
        return [mg.zeros_like(p) if g is None else g for g, p in zip(grads, params)]

    accepts(C.check_grads_or_zeros, ok, capsys)
    rejects(
        C.check_grads_or_zeros,
        lambda loss, params: mg.autograd.grad(loss, params, allow_unused=True),
        "replace it by mg.zeros_like(p)",
    )
    rejects(
        C.check_grads_or_zeros,
        lambda loss, params: mg.autograd.grad(loss, params),
        "appears to not have been used in the graph",
    )

    def with_backward(loss, params):
        loss.backward()
        return [mg.zeros_like(p) if p.grad is None else p.grad for p in params]

    rejects(C.check_grads_or_zeros, with_backward, "a parameter's .grad was set")


def test_centre_detached(capsys):
    accepts(C.check_centre_detached, lambda X: X - X.mean().detach(), capsys)
    rejects(C.check_centre_detached, lambda X: X - X.mean(), "detach it (X.mean().detach())")
    rejects(C.check_centre_detached, lambda X: (X - X.mean()).detach(), "has no grad_fn")
    rejects(C.check_centre_detached, lambda X: X, "centre(X): got")


# -- 09 ---------------------------------------------------------------------------------


def _second_ok(f, x):
    (g,) = mg.autograd.grad(f(x).sum(), x, create_graph=True)
    return mg.autograd.grad(g.sum(), x)[0]


def test_second_derivative(capsys):
    accepts(C.check_second_derivative, _second_ok, capsys)

    def no_create_graph(f, x):
        (g,) = mg.autograd.grad(f(x).sum(), x)
        return mg.autograd.grad(g.sum(), x, allow_unused=True, materialize_grads=True)[0]

    rejects(C.check_second_derivative, no_create_graph, "needs create_graph=True")

    def no_create_graph_plain(f, x):
        (g,) = mg.autograd.grad(f(x).sum(), x)
        return mg.autograd.grad(g.sum(), x)[0]

    rejects(C.check_second_derivative, no_create_graph_plain, "needs create_graph=True")

    def first_only(f, x):
        return mg.autograd.grad(f(x).sum(), x)[0]

    rejects(C.check_second_derivative, first_only, "d²/dx² of sin")


def _hessian_ok(f, x):
    (g,) = mg.autograd.grad(f(x), x, create_graph=True)
    return mg.stack([mg.autograd.grad(g[i], x, retain_graph=True)[0] for i in range(x.shape[0])])


def test_hessian(capsys):
    accepts(C.check_hessian, _hessian_ok, capsys)
    rejects(C.check_hessian, lambda f, x: _hessian_ok(f, x) * 2, "Hessian of (x·x·y)² at (2, 3)")

    def transposed_quadratic(f, x):
        H = _hessian_ok(f, x)
        return H if x.shape[0] == 2 else H * 0.5

    rejects(C.check_hessian, transposed_quadratic, "Hessian of xᵀMx")


# -- 10 ---------------------------------------------------------------------------------


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


# -- 11 ---------------------------------------------------------------------------------


def _count_ok(root):
    counts, seen, stack = {}, {root}, [root]
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            counts[child] = counts.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return counts


def _count_once(root):
    """The mistake: count a child only on its first visit."""
    counts, stack = {}, [root]
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is not None and child not in counts:
                counts[child] = 1
                stack.append(child)
    return counts


def test_count_dependencies(capsys):
    accepts(C.check_count_dependencies, _count_ok, capsys)
    rejects(C.check_count_dependencies, _count_once, "you counted 1")
    rejects(C.check_count_dependencies, lambda root: [], "should return a dict, got list")
    rejects(
        C.check_count_dependencies,
        lambda root: {},
        "MulBackward0 has 2 incoming edge(s), you counted 0",
    )


def _my_backward_ok(out):
    counts = _count_ok(out.grad_fn)
    buffers = {out.grad_fn: mg.ones_like(out)}
    ready = [out.grad_fn]
    with mg.no_grad():
        while ready:
            node = ready.pop()
            for (child, _), g in zip(node.next_functions, node(buffers.pop(node))):
                if child is None:
                    continue
                buffers[child] = g if child not in buffers else buffers[child] + g
                counts[child] -= 1
                if counts[child] == 0:
                    ready.append(child)


def _eager(out):
    """The mistake: run a node whenever a gradient arrives, passing on all it has so far."""
    collected = {}
    stack = [(out.grad_fn, mg.ones_like(out))]
    with mg.no_grad():
        while stack:
            node, g = stack.pop()
            collected[node] = g if node not in collected else collected[node] + g
            for (child, _), cg in zip(node.next_functions, node(collected[node])):
                if child is not None:
                    stack.append((child, cg))


def test_my_backward(capsys):
    accepts(C.check_my_backward, _my_backward_ok, capsys)
    rejects(C.check_my_backward, _eager, "counted again")
    rejects(C.check_my_backward, lambda out: None, "has no .grad")


def _numerical_ok(f, x, eps):
    grad = mg.zeros_like(x).reshape(-1)
    for i in range(x.numel()):
        up, down = x.clone().reshape(-1), x.clone().reshape(-1)
        up[i] += eps
        down[i] -= eps
        grad[i] = (f(up.reshape(x.shape)) - f(down.reshape(x.shape))) / (2 * eps)
    return grad.reshape(x.shape)


def _forward_difference(f, x, eps):
    grad = mg.zeros_like(x).reshape(-1)
    for i in range(x.numel()):
        up = x.clone().reshape(-1)
        up[i] += eps
        grad[i] = (f(up.reshape(x.shape)) - f(x)) / eps
    return grad.reshape(x.shape)


def test_numerical_grad(capsys):
    accepts(C.check_numerical_grad, _numerical_ok, capsys)
    rejects(C.check_numerical_grad, _forward_difference, "use the central difference")

    def mutates(f, x, eps):
        g = _numerical_ok(f, x, eps)
        x.reshape(-1)[0] += 1.0
        return g

    rejects(C.check_numerical_grad, mutates, "numerical_grad changed x")


# -- 12 ---------------------------------------------------------------------------------


class Softplus(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (1 + x.exp()).log()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.sigmoid()


class NumpySoftplus(Softplus):
    """The mistake: a backward outside minigrad, which cannot be differentiated again."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = 1 / (1 + mg.tensor(x.detach().numpy()).neg().exp())
        return g * s


class NoIncoming(Softplus):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return x.sigmoid()


def test_softplus(capsys):
    accepts(C.check_softplus, Softplus, capsys)
    rejects(C.check_softplus, NoIncoming, "ignores the incoming gradient g")
    rejects(C.check_softplus, object, "must be a subclass of mg.autograd.Function")

    class Wrong(Softplus):
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            s = x.sigmoid()
            return g * s * (1 - s)

    rejects(C.check_softplus, Wrong, "that is the second derivative")


def test_softplus_double_backward(capsys):
    accepts(C.check_softplus_double_backward, Softplus, capsys)
    rejects(C.check_softplus_double_backward, NumpySoftplus, "the first derivative has no grad_fn")
