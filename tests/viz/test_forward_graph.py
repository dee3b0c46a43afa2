"""forward_graph: tensors as boxes with their fields, operations between them, stepping."""

from __future__ import annotations

import re

import pytest

import minigrad as mg
from minigrad.viz import forward_graph


def example():
    x = mg.tensor(2.0, requires_grad=True, name="x")
    y = mg.tensor(3.0, requires_grad=True, name="y")
    z = x * x * y * y
    w = z * z
    return x, y, z, w


def boxes(d) -> list[str]:
    return [line.split("] ", 1)[1] for line in d.text.splitlines() if re.match(r"n\d+ \[", line)]


def test_boxes_show_every_field():
    x, y, z, w = example()
    w.backward(retain_graph=True)
    d = forward_graph(w, params={"z": z})
    got = boxes(d)
    assert got[0] == (
        "x | () | data: 2. | grad: 2592. | grad_fn: None | is_leaf: True | requires_grad: True"
    )
    assert got[1].startswith("y | () | data: 3. | grad: 1728.")
    assert got.count("Mul") == 4  # four multiplications, in creation order
    assert "z | () | data: 36. | grad: None | grad_fn: MulBackward0 | is_leaf: False" in d.text
    assert got[-1] == (
        "output | () | data: 1296. | grad: None | grad_fn: MulBackward0 | is_leaf: False "
        "| requires_grad: True"
    )


def test_intermediate_values_come_from_saved_tensors():
    x, y, z, w = example()
    d = forward_graph(w)
    # x*x = 4 and x*x*y = 12 were saved by the next multiplication; unnamed intermediates
    # are labelled with their formula over the named leaves
    assert "x·x | () | data: 4." in d.text and "x·x·y | () | data: 12." in d.text


def test_unnamed_intermediates_get_formulas_or_counter_names():
    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    out = ((x * y).sin() + 2 * x) ** 2 - (-y).exp() / x
    named = boxes(forward_graph(out, params={"x": x, "y": y}))
    assert [b.split(" |")[0] for b in named if not b.startswith(("x ", "y ", "output"))
            and "|" in b] == ["x·y", "sin(x·y)", "x·2", "sin(x·y) + x·2",
                              "(sin(x·y) + x·2)²", "−y", "exp(−y)", "exp(−y)/x"]  # fmt: skip
    # without names for the leaves there is no formula to write: counter names
    unnamed = boxes(forward_graph(out))
    assert [b.split(" |")[0] for b in unnamed if b.startswith("t")][:2] == ["t0", "t1"]
    # long formulas fall back to counter names too
    z = x
    for _ in range(12):
        z = z * y
    assert "t" + "0 |" in forward_graph(z, params={"x": x, "y": y}).text


def test_detached_and_unrecorded_draw_where_the_graph_stops():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = 2 * x
    z = y.detach()
    w = z**2
    d = forward_graph(y, w, params={"x": x, "y": y, "z": z, "w": w},
                      detached=[(y, z)], unrecorded=[(z, w, "z**2")])  # fmt: skip
    text = d.text
    assert (
        "[tensor] z | (3,) | data: [2., 4., 6.] | grad: None | grad_fn: None | is_leaf: True"
        in text
    )
    cut = re.search(r"^\t(n\d+) -> (n\d+) \[label=<detach\(\)> style=\"dashed\" color=\"red\" "
                    r"arrowhead=\"tee\"\]$", d.source, flags=re.M)  # fmt: skip
    ids = {line.split(" [")[0]: line for line in text.splitlines() if re.match(r"n\d+ \[", line)}
    assert cut and "] y |" in ids[cut.group(1)] and "] z |" in ids[cut.group(2)]
    assert "(z**2 (not recorded)) [dotted]" in text
    with pytest.raises(ValueError, match="not in this drawing"):
        forward_graph(w, detached=[(y, z)])
    with pytest.raises(TypeError, match="must be a tensor"):
        forward_graph(y, detached=[(y, 3.0)])


def test_value_not_saved_is_said_so():
    x = mg.tensor(2.0, requires_grad=True)
    out = (x + 1) + 1  # additions save nothing
    assert "data: (not saved)" in forward_graph(out).text


def test_constants_and_argument_order():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    out = 10 - x
    d = forward_graph(out)
    assert "[const] constant" not in d.text  # rsub with a number has one input
    out = x / mg.tensor([2.0, 4.0])
    d = forward_graph(out)
    assert "[const] constant" in d.text
    assert re.search(r"-> n\d+ \(1\)", d.text)  # the divisor is argument 1


def test_upto_steps_through_operations_in_creation_order():
    x, y, z, w = example()
    counts = []
    for k in range(5):
        d = forward_graph(w, upto=k)
        counts.append(boxes(d).count("Mul"))
        assert f"operation {min(k, 4)} of 4" in d.text
    assert counts == [0, 1, 2, 3, 4]
    # before the first operation, only the leaves are drawn
    first = boxes(forward_graph(w, upto=0))
    assert [b.split(" | ")[0] for b in first] == ["x", "y"]


def test_show_flags_and_rankdir():
    x, y, z, w = example()
    d = forward_graph(w, show_values=False, show_grads=False, rankdir="TB")
    assert "| data:" not in d.text and "| grad:" not in d.text
    assert "rankdir=TB" in d.source
    with pytest.raises(ValueError, match="rankdir"):
        forward_graph(w, rankdir="sideways")
    with pytest.raises(ValueError, match="upto"):
        forward_graph(w, upto=-1)
    with pytest.raises(TypeError, match="expects minigrad or torch tensors"):
        forward_graph(1.0)


def test_large_forward_graph_is_truncated():
    x = mg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(1000):
        y = y + 1.0
    d = forward_graph(y, max_nodes=20)
    assert "… 980 more operations not drawn; pass max_nodes=1000 to draw them" in d.text
    assert boxes(d).count("Add") == 20


def test_a_leaf_given_as_output_is_drawn_once():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    d = forward_graph(x, x * 2)
    assert [b.split(" | ")[0] for b in boxes(d)] == ["leaf0", "Mul", "constant", "output1"]
