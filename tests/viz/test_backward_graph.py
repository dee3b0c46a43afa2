"""backward_graph: structure, flags, overlay, determinism, bad input and huge graphs.

Diagrams are checked on their text rendering and DOT source (no engine needed); the
structure is compared with the graph the engine really built (``next_functions``).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import minigrad as mg
from minigrad.viz import Diagram, Overlay, backward_graph


def q_example():
    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    return x, y, (x * x * y) ** 2


def node_lines(d: Diagram) -> list[str]:
    return [line for line in d.text.splitlines() if re.match(r"n\d+ \[", line)]


def edges(d: Diagram) -> list[tuple[str, str, str]]:
    """``(src, dst, attribute text)`` of every edge statement in the DOT."""
    return re.findall(r"^\t(n\d+) -> (n\d+)(.*)$", d.source, flags=re.M)


def ids_of(d: Diagram, kind: str) -> list[str]:
    return [m.group(1) for m in re.finditer(rf"^(n\d+) \[{kind}\]", d.text, flags=re.M)]


def test_nodes_follow_next_functions():
    x, y, Q = q_example()
    d = backward_graph(Q, params={"x": x, "y": y})
    assert isinstance(d, Diagram)
    names = [line.split("] ", 1)[1] for line in node_lines(d)]
    # The engine's graph: Pow -> Mul -> (Mul -> (acc x, acc x), acc y).
    assert names == [
        "output | ()",
        "PowBackward0",
        "MulBackward0",
        "MulBackward0",
        "AccumulateGrad",
        "x | ()",
        "AccumulateGrad",
        "y | ()",
    ]
    e = {(s, t) for s, t, _ in edges(d)}
    # The course's convention: arrows the way gradients flow, from a node to each entry of
    # its next_functions: output -> Pow -> Mul(p) -> Mul(m) -> acc(x) (twice: x*x), and
    # Mul(p) -> acc(y); each AccumulateGrad -> its leaf box.
    assert ("n0", "n1") in e and ("n1", "n2") in e and ("n2", "n3") in e
    assert [t for s, t, _ in edges(d) if s == "n3"] == ["n4", "n4"]
    assert ("n2", "n6") in e
    assert ("n4", "n5") in e and ("n6", "n7") in e
    # AccumulateGrad nodes on one row, the leaves on one row
    assert "{rank=same; n4; n6}" in d.source and "{rank=same; n5; n7}" in d.source


def test_torchviz_direction_reverses_every_edge():
    x, y, Q = q_example()
    ours = backward_graph(Q, params={"x": x, "y": y}, show_none=True, show_saved=True)
    tv = backward_graph(Q, params={"x": x, "y": y}, show_none=True, show_saved=True,
                        direction="torchviz")  # fmt: skip
    flipped = []
    for s, t, attrs in edges(ours):
        flipped.append((s, t, attrs) if "dir=" in attrs else (t, s, attrs))
    assert sorted(flipped) == sorted(edges(tv))
    assert "rank=same" not in tv.source  # torchviz leaves the layout to Graphviz
    with pytest.raises(ValueError, match="direction must be 'gradient'"):
        backward_graph(Q, direction="up")


def test_one_accumulate_grad_per_leaf_shared_by_paths():
    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    z = x * x * y * y
    d = backward_graph(z * z)
    assert len(ids_of(d, "acc")) == 2
    assert len(ids_of(d, "fn")) == 4  # w's node and z's three; z's node is drawn once


def test_edge_label_is_input_nr_when_not_zero():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    a, b = mg.unbind(x * 3)
    out = a * b
    (n0, nr0), (n1, nr1) = out.grad_fn.next_functions
    assert n0 is n1 and (nr0, nr1) == (0, 1)  # both outputs of the same UnbindBackward0
    d = backward_graph(out)
    labels = [attrs for _, _, attrs in edges(d) if "label" in attrs]
    assert labels == [" [label=<1>]"]  # b is output 1 of unbind; output 0 gets no label


def test_show_none_draws_the_none_entries():
    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0)
    out = x * y + y
    assert [n is None for n, _ in out.grad_fn.next_functions] == [False, True]
    plain = backward_graph(out)
    stubs = backward_graph(out, show_none=True)
    assert ids_of(plain, "none") == []
    # AddBackward0 (None for y) and MulBackward0 (None for y): two stubs
    assert len(ids_of(stubs, "none")) == 2
    assert "[none] None" in stubs.text


def test_show_saved_and_attrs():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    out = (x**3).sum()
    d = backward_graph(out, show_saved=True, show_attrs=True, show_values=True)
    assert "PowBackward0 | exponent: 3 | self: [saved tensor]" in d.text
    assert "[saved] self | (2,) | data: [1., 2.]" in d.text
    assert 'fillcolor="orange"' in d.source
    out.backward()
    freed = backward_graph(out, show_saved=True)
    assert "[saved] self | freed" in freed.text


def test_values_and_grads_use_the_library_printing():
    x, y, Q = q_example()
    Q.backward()
    d = backward_graph(Q, params={"x": x, "y": y}, show_values=True)
    assert "x | () | data: 2. | grad: 288." in d.text
    assert "y | () | data: 3. | grad: 96." in d.text
    assert "output | () | data: 144." in d.text


def test_big_arrays_are_summarised():
    x = mg.arange(100, dtype=mg.float32).requires_grad_()
    d = backward_graph(x.sum(), show_values=True)
    assert "data: [ 0.,  1.,  ..., 98., 99.]" in d.text


def test_names_from_params_from_name_and_generated():
    a = mg.tensor(1.0, requires_grad=True, name="alpha")
    b = mg.tensor(2.0, requires_grad=True)
    c = mg.tensor(3.0, requires_grad=True)
    d = backward_graph(a * b * c, params={"c": c})
    leaves = [line.split("] ")[1] for line in d.text.splitlines() if "[leaf]" in line]
    assert leaves == ["alpha | ()", "leaf0 | ()", "c | ()"]


def test_colours_and_legend():
    x, y, Q = q_example()
    d = backward_graph(Q, legend=True)
    assert d.source.count('fillcolor="lightblue"') == 2 + 1  # two leaves + legend
    assert d.source.count('fillcolor="darkolivegreen1"') == 1 + 1
    assert "cluster_legend" in d.source
    assert "cluster_legend" not in backward_graph(Q).source


def test_overlay_decorates_nodes_edges_and_leaves():
    x, y, Q = q_example()
    pow_node = Q.grad_fn
    mul_p = pow_node.next_functions[0][0]
    acc_y = mul_p.next_functions[1][0]
    ov = Overlay(
        node_state={pow_node: "done", mul_p: "current", acc_y: "ready"},
        node_notes={mul_p: "deps: 1"},
        edge_labels={(pow_node, 0): "24."},
        leaf_notes={acc_y: "grad: None → 96."},
        freed=(pow_node,),
        caption="step 2 of 5: MulBackward0",
    )
    d = backward_graph(Q, params={"x": x, "y": y}, overlay=ov)
    assert "step 2 of 5: MulBackward0" in d.text.splitlines()[1]
    assert re.search(r"PowBackward0<br[^>]*>\(saved tensors freed\).*fillcolor=\"palegreen\"",
                     d.source)  # fmt: skip
    assert re.search(r"MulBackward0<br[^>]*>deps: 1<br[^>]*>> fillcolor=\"gold\" penwidth=\"3\"",
                     d.source)  # fmt: skip
    assert 'fillcolor="lightyellow"' in d.source
    assert "y | () | grad: None → 96." in d.text
    assert "label=<24.>" in d.source
    # the drawing order is the traversal's, not the overlay's
    assert node_lines(d)[1].split("] ")[1].startswith("PowBackward0")


def test_overlay_rejects_unknown_states():
    x, y, Q = q_example()
    with pytest.raises(ValueError, match="node_state values must be one of"):
        backward_graph(Q, overlay=Overlay(node_state={Q.grad_fn: "finished"}))


def test_no_addresses_and_identical_across_processes():
    code = (
        "import minigrad as mg\n"
        "from minigrad.viz import backward_graph\n"
        "x = mg.tensor([1.0, 2.0], requires_grad=True)\n"
        "junk = [mg.tensor(1.0) * 2 for _ in range(7)]\n"  # shifts addresses between runs
        "y = (x * x).sum() + x.mean()\n"
        "d = backward_graph(y, show_saved=True, show_attrs=True, show_values=True, legend=True)\n"
        "print(d.source); print(d.text); print(repr(d))\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code.replace("7", n)], capture_output=True, text=True, check=True
        ).stdout  # fmt: skip
        for n in ("3", "11")
    ]
    assert runs[0] == runs[1]
    assert not re.search(r"0x[0-9a-f]{4,}", runs[0])
    assert "object at" not in runs[0]


def test_repr_and_mimebundle_text():
    x, y, Q = q_example()
    d = backward_graph(Q)
    assert repr(d) == "<Diagram " + d.text.splitlines()[0] + ">"
    assert d._repr_mimebundle_(include=["text/plain"]) == {"text/plain": d.text}


@pytest.mark.parametrize("bad", [3.0, "x", None, [1.0, 2.0], object()])
def test_non_tensor_arguments_raise_type_error(bad):
    with pytest.raises(TypeError, match="expects minigrad or torch tensors"):
        backward_graph(bad)


def test_params_must_be_a_dict_of_tensors():
    x, y, Q = q_example()
    with pytest.raises(TypeError, match="params must be a dict"):
        backward_graph(Q, params=[x])
    with pytest.raises(TypeError, match=r"params\['x'\] is float"):
        backward_graph(Q, params={"x": 2.0})


def test_output_without_graph_is_drawn_alone():
    t = mg.tensor([1.0, 2.0])
    d = backward_graph(t)
    assert "no grad_fn (requires_grad=False)" in d.text
    assert len(node_lines(d)) == 1


def chain(n: int):
    x = mg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0
    return x, y


def test_big_graphs_are_truncated_with_a_note():
    x, y = chain(1000)
    d = backward_graph(y, max_nodes=50)
    note = "… 951 more nodes not drawn; pass max_nodes=1001 to draw them"
    assert note in d.text
    assert "951 more nodes not drawn" in d.source
    assert len(ids_of(d, "fn")) == 50
    full = backward_graph(y, max_nodes=2000)
    assert len(ids_of(full, "fn")) + len(ids_of(full, "acc")) == 1001
    assert "more nodes" not in full.text


def test_a_100000_node_graph_does_not_hang_or_recurse():
    x, y = chain(100_000)
    d = backward_graph(y)  # iterative walk: no RecursionError
    assert "… 99701 more nodes not drawn; pass max_nodes=100001" in d.text
    assert len(d.source) < 100_000


def test_attribute_values_are_truncated_to_max_attr_chars():
    x = mg.ones(2, 3, 4, requires_grad=True)
    d = backward_graph(x.sum(), show_attrs=True, max_attr_chars=7)
    assert "SumBackward0 | self_sym_sizes: (2, ..." in d.text
    d = backward_graph(x.sum(), show_attrs=True)
    assert "SumBackward0 | self_sym_sizes: (2, 3, 4)" in d.text


def test_legend_is_the_key_to_the_convention():
    from minigrad.viz import legend

    d = legend()
    text = d.text
    assert "arrows point the way gradients flow:" in text
    assert "[output] y | the output (green)" in text and "[leaf] x | a leaf (light blue)" in text
    assert "  -- n2" in text  # a plain line to the saved tensor
    assert "  -> n3 [dashed]" in text  # the None input
    assert d.source == legend().source  # deterministic


def test_custom_function_saved_tensors_are_drawn_and_marked_freed():
    class Product(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x

    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    z = Product.apply(x, y)
    before = backward_graph(z, show_saved=True).text
    assert "[saved] saved_tensors[0] | ()" in before and "[saved] saved_tensors[1] | ()" in before
    z.backward()
    after = backward_graph(z, show_saved=True).text
    assert "[saved] saved_tensors | freed" in after


def test_stepper_frames_follow_the_direction():
    from minigrad.viz import trace_backward
    from minigrad.viz.frames import Frames

    x = mg.tensor(2.0, requires_grad=True)
    with trace_backward(params={"x": x}) as trace:
        (x * 3).backward()
    ours = Frames(trace.run).diagram(1)
    tv = Frames(trace.run, direction="torchviz").diagram(1)
    assert ("n0", "n1") in {(s, t) for s, t, _ in edges(ours)}
    assert ("n1", "n0") in {(s, t) for s, t, _ in edges(tv)}
    with pytest.raises(ValueError, match="direction must be"):
        Frames(trace.run, direction="sideways")
