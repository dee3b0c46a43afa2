"""How the engine adds two gradients for one input (torch's InputBuffer), against torch.

Without ``create_graph`` torch adds into the first gradient in place when nobody else holds
it, so the sum is a new version of that tensor; a stolen ``.grad`` shows it. Each program
returns the tensors to compare: values, strides and ``_version`` must all be torch's.
"""

from __future__ import annotations

import pytest

import minigrad
from tests.oracle import assert_close, require_torch


def _square(lib):
    x = lib.ones(2, 3, requires_grad=True)
    (x * x).sum().backward()
    return [x.grad]  # version 1: the second x-gradient was added into the first


def _cube(lib):
    x = lib.ones(2, 3, requires_grad=True)
    (x * x * x).sum().backward()
    return [x.grad]


def _three_paths(lib):
    x = lib.full((2, 3), 0.5, requires_grad=True)
    (x * 2 + x.sin() + x.cos()).sum().backward()
    return [x.grad]


def _sum_of_two(lib):
    x = lib.ones(2, 3, requires_grad=True)
    (x + x).sum().backward()  # AddBackward0 passes one tensor twice: torch copies
    return [x.grad]


def _two_views(lib):
    x = lib.ones(2, 3, requires_grad=True)
    (x.t() * x.t()).sum().backward()  # the first gradient is a view: its base is alive
    return [x.grad]


def _selects(lib):
    x = lib.ones(3, requires_grad=True)
    (x[0] * x[1]).backward()
    return [x.grad]


def _autograd_grad(lib):
    x = lib.ones(2, 3, requires_grad=True)
    return list(lib.autograd.grad((x * x).sum(), x))


def _create_graph(lib):
    x = lib.ones(2, 3, requires_grad=True)
    (x * x).sum().backward(create_graph=True)  # recorded: a new tensor, AddBackward0
    return [x.grad]


def _twice(lib):
    x = lib.ones(2, 3, requires_grad=True)
    for _ in range(2):
        (x * x).sum().backward()
    return [x.grad]


def _retained(lib):
    x = lib.ones(2, 2, requires_grad=True)
    y = x * 3
    y.retain_grad()  # a clone of the summed buffer
    (y * y * y).sum().backward()
    return [y.grad, x.grad]


def _hook_keeps_first(lib):
    x = lib.ones(2, 2, requires_grad=True)
    a, b = x * 2, x * 3
    kept = []
    a.grad_fn.register_hook(lambda grad_inputs, grad_outputs: kept.append(grad_inputs[0]))
    (a + b).sum().backward()  # the hook holds the first gradient: torch adds out of place
    return [x.grad, kept[0]]


def _tensor_hook(lib):
    x = lib.ones(2, 2, requires_grad=True)
    kept = []
    x.register_hook(kept.append)
    (x * x).sum().backward()
    return [x.grad, kept[0]]


def _custom_function_keeps_its_gradient(lib):
    class Five(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.five = lib.full((2, 2), 5.0)
            return a * 1

        @staticmethod
        def backward(ctx, grad):
            return ctx.five  # still held by ctx: torch adds out of place

    x = lib.ones(2, 2, requires_grad=True)
    (Five.apply(x) + x).sum().backward()
    return [x.grad]


def _broadcast(lib):
    x = lib.ones(3, requires_grad=True)
    (x * lib.ones(2, 3) + x).sum().backward()
    return [x.grad]


def _transposed(lib):
    x = lib.ones(2, 3, requires_grad=True)
    (x.t().sin().t() * x).sum().backward()
    return [x.grad]


def _matmul(lib):
    x = lib.ones(2, 2, requires_grad=True)
    (x @ x).sum().backward()
    return [x.grad]


def _slices(lib):
    x = lib.ones(4, requires_grad=True)
    (x[:2] * x[2:]).sum().backward()
    return [x.grad]


def _stack(lib):
    x = lib.ones(4, requires_grad=True)
    lib.stack([x, x]).sum().backward()
    return [x.grad]


PROGRAMS = {f.__name__.lstrip("_"): f for f in [
    _square, _cube, _three_paths, _sum_of_two, _two_views, _selects, _autograd_grad,
    _create_graph, _twice, _retained, _hook_keeps_first, _tensor_hook,
    _custom_function_keeps_its_gradient, _broadcast, _transposed, _matmul, _slices, _stack,
]}  # fmt: skip


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_accumulated_gradients_match_torch(name):
    torch = require_torch()
    ours, theirs = PROGRAMS[name](minigrad), PROGRAMS[name](torch)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert_close(a, b)
        assert a.stride() == b.stride()
        assert a._version == b._version, f"version: minigrad {a._version}, torch {b._version}"


def test_in_place_accumulation_shows_in_the_version_and_in_version_errors():
    """The stolen .grad of x·x was added into: version 1, so a graph that saved it and an
    in-place change after name versions 2 and 1, as torch does."""
    x = minigrad.ones(2, requires_grad=True)
    (x * x).sum().backward()
    assert x.grad._version == 1
    w = minigrad.ones(2, requires_grad=True)
    z = w * x.grad
    x.grad.add_(1)
    with pytest.raises(RuntimeError, match="is at version 2; expected version 1 instead"):
        z.sum().backward()
