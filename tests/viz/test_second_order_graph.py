"""second_order_graph (edge-as-node) and double_backward_graph (what create_graph records).

The worked example of the course: Q = (x·x·y)², x = 2, y = 3, dQ/dx = 288, dQ/dy = 96. The
q values are checked against derivatives computed independently (by hand and by autograd).
"""

from __future__ import annotations

import re

import pytest

import minigrad as mg
from minigrad.viz import double_backward_graph, second_order_graph
from tests.oracle import require_torch


def q_example(lib=mg):
    x = lib.tensor(2.0, requires_grad=True)
    y = lib.tensor(3.0, requires_grad=True)
    Q = (x * x * y) ** 2
    return x, y, Q


def lines_of(d, kind: str) -> list[str]:
    return [
        line.split("] ", 1)[1]
        for line in d.text.splitlines()
        if re.match(rf"n\d+ \[{kind}\]", line)
    ]


def test_worked_example_q_nodes_products_and_sums():
    x, y, Q = q_example()
    d = second_order_graph(Q, (x, y), params={"Q": Q, "x": x, "y": y})
    # five edges of the first-order graph: Pow->Mul, Mul->Mul, Mul->y, Mul->x (twice)
    assert lines_of(d, "q") == [
        "q1: Q → x·x·y | ∂(aⁿ)/∂a = n·aⁿ⁻¹ = 24.",  # 2·(x·x·y) = 2·12
        "q2: x·x·y → x·x | ∂(a·b)/∂a = b = 3.",  # b = y
        "q3: x·x·y → y | ∂(a·b)/∂b = a = 4.",  # a = x·x
        "q4: x·x → x | ∂(a·b)/∂a = b = 2.",  # b = x
        "q5: x·x → x | ∂(a·b)/∂b = a = 2.",  # a = x
    ]
    # a named intermediate keeps its name; no generated t0/leaf0 once names are given
    u = x * x * y
    named = second_order_graph(u**2, (x, y), params={"Q": Q, "x": x, "y": y, "u": u})
    assert lines_of(named, "q")[0].startswith("q1: output → u |")
    assert not re.search(r"\b(t|leaf)\d\b", named.text)
    assert lines_of(d, "product") == [
        "path 1 to x | q1·q2·q4 = 144.",
        "path 2 to x | q1·q2·q5 = 144.",
        "path 1 to y | q1·q3 = 96.",
    ]
    assert lines_of(d, "grad") == [
        "dQ/dx | path 1 + path 2 = 288. | autograd: 288.",
        "dQ/dy | path 1 = 96. | autograd: 96.",
    ]


def test_dashed_edges_go_to_the_values_each_q_depends_on():
    x, y, Q = q_example()
    d = second_order_graph(Q, (x, y), params={"Q": Q, "x": x, "y": y})
    ids = {line.split(" [")[0]: line for line in d.text.splitlines() if re.match(r"n\d+ \[", line)}
    dashed = re.findall(r"^\t(n\d+) -> (n\d+) \[.*style=\"dashed\"", d.source, flags=re.M)
    deps = sorted(
        (ids[q].split("] ")[1].split(" |")[0], ids[v].split("] ")[1].split(" |")[0])
        for v, q in dashed
    )
    # q1 = 2·(x·x·y) needs x·x·y; q2 = y; q3 = x·x; q4 and q5 = x
    assert deps == [("q1: Q → x·x·y", "x·x·y"), ("q2: x·x·y → x·x", "y"),
                    ("q3: x·x·y → y", "x·x"), ("q4: x·x → x", "x"),
                    ("q5: x·x → x", "x")]  # fmt: skip


def test_q_values_match_hand_derivatives():
    x = mg.tensor(0.5, requires_grad=True)
    cases = {
        "ExpBackward0": (mg.exp(x), 1.6487),
        "LogBackward0": (mg.log(x), 2.0),
        "TanhBackward0": (mg.tanh(x), 0.7864),
        "SigmoidBackward0": (mg.sigmoid(x), 0.2350),
        "NegBackward0": (-x, -1),
        "ReluBackward0": (mg.relu(x), 1.0),
    }
    for name, (out, expected) in cases.items():
        assert out.grad_fn.name() == name
        (q,) = lines_of(second_order_graph(out, x), "q")
        value = float(q.rsplit("= ", 1)[1])
        assert value == pytest.approx(expected, abs=1e-4), (name, q)
        (g,) = mg.autograd.grad(out, x)
        assert value == pytest.approx(g.item(), abs=1e-4)


def test_ops_without_a_formula_get_a_generic_label_and_numeric_value():
    x = mg.tensor(0.5, requires_grad=True)
    (q,) = lines_of(second_order_graph(mg.sin(x), x), "q")
    assert q.startswith("q1: output → leaf0 | ∂Sin/∂input0 (Jᵀ·1) = 0.8776")


def test_upto_shows_the_first_q_nodes_and_completes_products_later():
    x, y, Q = q_example()
    counts = []
    for k in range(6):
        d = second_order_graph(Q, (x, y), upto=k)
        counts.append(
            (len(lines_of(d, "q")), len(lines_of(d, "product")), len(lines_of(d, "grad")))
        )
        assert f"{k} of 5 local derivatives" in d.text
    # path 1 to y needs q1, q3; the x paths need q4 / q5
    assert counts == [(0, 0, 0), (1, 0, 0), (2, 0, 0), (3, 1, 1), (4, 2, 1), (5, 3, 2)]


def test_non_scalar_output_differentiates_its_sum():
    a = mg.tensor([2.0, 3.0], requires_grad=True)
    out = 3 * a**3
    d = second_order_graph(out, a, params={"a": a})
    (g,) = lines_of(d, "grad")
    assert g.endswith("autograd: [36., 81.]")


def test_errors():
    x, y, Q = q_example()
    with pytest.raises(TypeError, match="expects minigrad or torch tensors"):
        second_order_graph(Q, (x, 3.0))
    with pytest.raises(RuntimeError, match="needs an output with a grad_fn"):
        second_order_graph(mg.tensor(1.0), x)
    Q.backward()
    with pytest.raises(RuntimeError, match="draw it before calling backward"):
        second_order_graph(Q, (x, y))


def test_many_paths_are_capped():
    x = mg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(8):  # each step doubles the number of paths: 2**8 = 256
        y = y * y
    d = second_order_graph(y, x)
    (g,) = lines_of(d, "grad")
    assert "(192 more paths not drawn)" in g
    assert len(lines_of(d, "product")) == 64


def test_double_backward_clusters_split_forward_and_backward_nodes():
    x, y, Q = q_example()
    gx, gy = mg.autograd.grad(Q, (x, y), create_graph=True)
    d = double_backward_graph((gx, gy), {"x": x, "y": y}, output=Q)
    forward_nodes = {id(n) for n in _nodes(Q.grad_fn)}
    by_cluster = {"forward": [], "backward pass": []}
    for line in d.text.splitlines():
        m = re.match(r"n\d+ \[(fn|acc)\] <([a-z ]+)> (\S+)", line)
        if m:
            by_cluster[m.group(2)].append(m.group(3))
    # the first-order graph's multiplications that the formulas used, and the leaves
    assert sorted(by_cluster["forward"]) == ["AccumulateGrad", "AccumulateGrad",
                                             "MulBackward0", "MulBackward0"]  # fmt: skip
    assert by_cluster["backward pass"][:2] == ["AddBackward0", "MulBackward0"]
    assert "PowBackward0" in by_cluster["backward pass"]  # d(a²) = 2a·g, recorded as a pow
    n_forward = sum(1 for n in _nodes(gx.grad_fn, gy.grad_fn) if id(n) in forward_nodes)
    assert n_forward == 4
    # the guess from creation order agrees with the exact split here
    assert double_backward_graph((gx, gy), {"x": x, "y": y}).source == d.source
    # cluster titles say what they hold; gradients are named after what they differentiate
    named = double_backward_graph((gx, gy), {"x": x, "y": y, "Q": Q}, output=Q, inputs=(x, y))
    assert named.text.splitlines()[1:3] == [
        "cluster <forward>: Q's own graph (recorded by the forward pass)",
        "cluster <backward pass>: recorded by the backward pass (create_graph=True)",
    ]
    assert [line.split("> ")[1] for line in named.text.splitlines() if "[output]" in line] == [
        "dQ/dx | ()", "dQ/dy | ()"]  # fmt: skip
    assert "grad0" not in named.text and "grad0" in d.text
    with pytest.raises(ValueError, match="one tensor per gradient"):
        double_backward_graph((gx, gy), output=Q, inputs=x)


def test_double_backward_node_names_match_torch():
    torch = require_torch()
    texts = []
    for lib in (mg, torch):
        x, y, Q = q_example(lib)
        gx, gy = lib.autograd.grad(Q, (x, y), create_graph=True)
        texts.append(double_backward_graph((gx, gy), {"x": x, "y": y}, output=Q).text)
    assert texts[0] == texts[1]


def _nodes(*roots):
    seen, out, stack = set(), [], list(roots)
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        out.append(n)
        stack.extend(c for c, _ in n.next_functions)
    return out


def _custom_functions(lib):
    class Hypot(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            h = (x * x + y * y).sqrt()
            ctx.save_for_backward(x, y, h)
            return h

        @staticmethod
        def backward(ctx, g):
            x, y, h = ctx.saved_tensors
            return g * x / h, g * y / h

    class Softplus(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return (1 + x.exp()).log()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.sigmoid()

    return Hypot, Softplus


def _programs(lib):
    """``(output, inputs)`` of programs whose gradients are drawn in the course."""
    hypot, softplus = _custom_functions(lib)
    x = lib.tensor([3.0], requires_grad=True)
    yield (x**2).sum(), (x,)
    a = lib.tensor(2.0, requires_grad=True)
    b = lib.tensor(3.0, requires_grad=True)
    yield (a * a * b) ** 2, (a, b)
    yield a * a * b + lib.tanh(a * b), (a, b)
    yield hypot.apply(a, b), (a, b)
    v = lib.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    yield softplus.apply(v).sum(), (v,)
    yield (softplus.apply(v) ** 2).sum(), (v,)


@pytest.mark.parametrize("lib_name", ["minigrad", "torch"])
def test_split_without_output_matches_the_exact_split(lib_name):
    lib = mg if lib_name == "minigrad" else require_torch()
    for out, inputs in _programs(lib):
        grads = lib.autograd.grad(out, inputs, create_graph=True)
        params = {f"in{i}": t for i, t in enumerate(inputs)}
        exact = double_backward_graph(grads, params, output=out)
        assert double_backward_graph(grads, params).text == exact.text
        # a non-leaf in params counts as a forward output too
        assert double_backward_graph(grads, {**params, "out": out}).text == exact.text


def test_big_graph_draws_the_first_edges_with_a_note():
    x = mg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(1000):
        y = y * 1.0001
    d = second_order_graph(y, x)
    assert "… 800 more edges not drawn; the chain rule's products" in d.text
    assert len(lines_of(d, "q")) == 200
    assert len(lines_of(d, "value")) == 201  # only the nodes the drawn edges touch
    assert lines_of(d, "product") == [] and lines_of(d, "grad") == []
