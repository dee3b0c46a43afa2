"""minigrad.viz draws the same DOT and text for minigrad and for real torch.

Every syllabus example (concepts 1.x-9.x of course/SYLLABUS.md) is written once as ``prog(lib)`` returning what to
draw; each diagram function (with several flag sets) must give byte-identical DOT and text
for both libraries. This is the issue's promise that diagrams work on torch tensors too.
"""

from __future__ import annotations

import pytest

from minigrad.viz import backward_graph, double_backward_graph, forward_graph, second_order_graph
from tests.oracle import run_both

FLAG_SETS = [
    {},
    {"show_saved": True, "show_values": True},
    {"show_attrs": True, "show_none": True, "legend": True},
    {"show_saved": True, "show_none": True, "direction": "torchviz"},
]


def _custom(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return (x * y) ** 2

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return 2 * x * y**2 * g, 2 * x**2 * y * g

    x = lib.tensor(2.0, requires_grad=True)
    y = lib.tensor(3.0, requires_grad=True)
    return (MyFunction.apply(x, y),), {"x": x, "y": y}


def _w_equals_z_squared(lib):  # syllabus 2.5
    x = lib.tensor(2.0, requires_grad=True)
    y = lib.tensor(3.0, requires_grad=True)
    z = x * x * y * y
    w = z * z
    return (w,), {"x": x, "y": y, "z": z}


def _e_abd(lib):  # syllabus 2.6
    a, b, d = (lib.tensor(v, requires_grad=True) for v in (2.0, 3.0, 4.0))
    return ((a * b) * d,), {"a": a, "b": b, "d": d}


def _partial_requires_grad(lib):  # syllabus 3.2: x*y+y with y not requiring grad
    x = lib.tensor(2.0, requires_grad=True)
    y = lib.tensor(3.0)
    return (x * y + y,), {"x": x}


def _linear(lib):  # syllabus 3.4: a Linear(3, 2) layer as torch computes it (addmm with W.t())
    W = lib.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], requires_grad=True)
    b = lib.tensor([0.01, -0.02], requires_grad=True)
    x = lib.tensor([[1.0, 2.0, 3.0]])
    return (lib.addmm(b, x, W.t()),), {"weight": W, "bias": b}


def _z_x2_plus_y(lib):  # syllabus 4.3
    x = lib.tensor(1.0, requires_grad=True)
    y = lib.tensor(2.0, requires_grad=True)
    z = x**2 + y
    return (2 * z + x,), {"x": x, "y": y}


def _abs_sum(lib):  # syllabus 4.4
    A = lib.ones(3, 3, requires_grad=True)
    return (lib.sum(lib.abs(-2 * A + 1)),), {"A": A}


def _q_vector(lib):  # syllabus 4.5
    a = lib.tensor([2.0, 3.0], requires_grad=True)
    b = lib.tensor([6.0, 4.0], requires_grad=True)
    return (3 * a**3 - b**2,), {"a": a, "b": b}


def _w_plus_one(lib):  # syllabus 4.7 and 5.1
    w = lib.tensor([1.0], requires_grad=True)
    x = lib.tensor([2.0], requires_grad=True)
    a = w + x
    b = w + 1
    return (a * b,), {"w": w, "x": x}


def _cat(lib):  # syllabus 4.8
    w = lib.tensor([1.0], requires_grad=True)
    x = lib.tensor([2.0], requires_grad=True)
    a = w + x
    b = w + 1
    return (lib.cat([a * b, a + b]),), {"w": w, "x": x}


def _retain_grad(lib):  # syllabus 6.2: a non-leaf in the middle, retain_grad
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = a * 2
    b.retain_grad()
    c = (b * b).sum()
    c.backward(retain_graph=True)
    return (c,), {"a": a, "b": b}


def _detach(lib):  # syllabus 7.3: without detach, x.grad = [8, 16, 24]
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = 2 * x
    w = y**2
    return (w.sum(),), {"x": x}


def _relu_mlp(lib):  # syllabus 7.4: a tiny regression model, relu between two layers
    W1 = lib.tensor([[0.5], [-0.3]], requires_grad=True)
    b1 = lib.tensor([0.1, 0.2], requires_grad=True)
    W2 = lib.tensor([[0.7, -0.4]], requires_grad=True)
    x = lib.tensor([[1.0], [2.0]])
    h = lib.relu(lib.addmm(b1, x, W1.t()))
    out = lib.mm(h, W2.t())
    return (((out - 1.0) ** 2).mean(),), {"W1": W1, "b1": b1, "W2": W2}


def _grad_outputs(lib):  # syllabus 8.3: batch mean mixing samples
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = (x - x.mean()) ** 2
    return (y,), {"x": x}


def _x_squared(lib):  # syllabus 9.1
    x = lib.tensor([3.0], requires_grad=True)
    return (x**2,), {"x": x}


def _q_second_order(lib):  # syllabus 9.2
    x = lib.tensor(2.0, requires_grad=True)
    y = lib.tensor(3.0, requires_grad=True)
    return ((x * x * y) ** 2,), {"x": x, "y": y}


def _batched_slices(lib):  # syllabus 9.3
    X = lib.tensor([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]], requires_grad=True)
    x, y = X[:, 0], X[:, 1]
    return ((x * x * y * y).sum(),), {"X": X}


def _tanh_sigmoid_exp_log(lib):  # ops the course's exercises use
    x = lib.tensor([0.5, 1.5], requires_grad=True)
    return ((lib.tanh(x) * lib.sigmoid(x) + lib.exp(x) / lib.log(x + 2)).sum(),), {"x": x}


EXAMPLES = {
    "1 custom Function": _custom,
    "2 w = z*z": _w_equals_z_squared,
    "2 e = (a*b)*d": _e_abd,
    "3 x*y+y": _partial_requires_grad,
    "3 linear": _linear,
    "4 p = 2z + x": _z_x2_plus_y,
    "4 sum |−2A+1|": _abs_sum,
    "4 Q = 3a³ − b²": _q_vector,
    "4 y = (w+x)(w+1)": _w_plus_one,
    "4 cat": _cat,
    "6 retain_grad": _retain_grad,
    "7 2x squared": _detach,
    "7 relu regression": _relu_mlp,
    "8 batch mean": _grad_outputs,
    "9 x**2": _x_squared,
    "9 Q = (x·x·y)²": _q_second_order,
    "9 batched slices": _batched_slices,
    "ops": _tanh_sigmoid_exp_log,
}


def _assert_same(ours, theirs, what: str) -> None:
    assert ours.source == theirs.source, f"{what}: DOT differs\n{ours.source}\n---\n{theirs.source}"
    assert ours.text == theirs.text, f"{what}: text differs\n{ours.text}\n---\n{theirs.text}"


def _draw(fn, lib, name, **flags):
    outputs, params = EXAMPLES[name](lib)
    return fn(*outputs, params=params, **flags)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_backward_graph_is_identical_for_torch(name):
    for flags in FLAG_SETS:
        ours, theirs = run_both(lambda lib, f=flags: _draw(backward_graph, lib, name, **f))
        _assert_same(ours, theirs, f"{name} {flags}")


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_forward_graph_is_identical_for_torch(name):
    for upto in (None, 1):
        ours, theirs = run_both(lambda lib, u=upto: _draw(forward_graph, lib, name, upto=u))
        _assert_same(ours, theirs, f"{name} upto={upto}")


SECOND_ORDER = ["2 w = z*z", "2 e = (a*b)*d", "4 p = 2z + x", "9 x**2", "9 Q = (x·x·y)²", "ops"]


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_order_graph_is_identical_for_torch(name):
    def draw(lib, upto=None):
        outputs, params = EXAMPLES[name](lib)
        inputs = tuple(t for t in params.values() if t.grad_fn is None)
        return second_order_graph(outputs[0].sum(), inputs, upto=upto, params=params)

    for upto in (None, 2):
        ours, theirs = run_both(lambda lib, upto=upto: draw(lib, upto))
        _assert_same(ours, theirs, f"{name} upto={upto}")


@pytest.mark.parametrize("name", ["2 w = z*z", "9 x**2", "9 Q = (x·x·y)²", "9 batched slices"])
def test_double_backward_graph_is_identical_for_torch(name):
    def draw(lib, with_output):
        outputs, params = EXAMPLES[name](lib)
        out = outputs[0].sum()
        inputs = tuple(t for t in params.values() if t.grad_fn is None)
        grads = lib.autograd.grad(out, inputs, create_graph=True)
        return double_backward_graph(grads, params, output=out if with_output else None)

    for with_output in (True, False):
        ours, theirs = run_both(lambda lib, w=with_output: draw(lib, w))
        _assert_same(ours, theirs, f"{name} output given={with_output}")


def test_forward_graph_with_a_detach_cut_is_identical_for_torch():
    def draw(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = 2 * x
        z = y.detach()
        w = z**2
        params = {"x": x, "y": y, "z": z, "w": w}
        return forward_graph(y, w, params=params, detached=[(y, z)], unrecorded=[(z, w, "z**2")])

    ours, theirs = run_both(draw)
    _assert_same(ours, theirs, "detach cut")
