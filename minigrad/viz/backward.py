"""``backward_graph``: the graph ``backward()`` walks, drawn the way backward runs.

The course's one convention for every backward picture: the output (green) at the top; an
arrow from each ``grad_fn`` node (gray) to every entry of its ``next_functions``, so arrows
point the way gradients flow; one ``AccumulateGrad`` per leaf, all on one row, with the leaf
tensors (light blue) on the bottom row. An edge is labelled with the output number of the
node it points to when that is not 0. Optionally the saved tensors (orange, joined by a
plain line) and the ``None`` entries (dashed stubs). ``direction="torchviz"`` draws
torchviz's orientation instead: leaves at the top, arrows pointing the way values flowed
forward. ``minigrad.viz.legend()`` draws the key.

Example:
    >>> import minigrad as mg
    >>> from minigrad.viz import backward_graph
    >>> x = mg.tensor(2.0, requires_grad=True)
    >>> print(backward_graph(x * x, params={"x": x}).text, end="")
    backward graph: 4 nodes, 4 edges
    n0 [output] output | ()
      -> n1
    n1 [fn] MulBackward0
      -> n2
      -> n2
    n2 [acc] AccumulateGrad
      -> n3
    n3 [leaf] x | ()
"""

from __future__ import annotations

from typing import Any

from ._sketch import Sketch
from ._text import sketch_text
from ._walk import (
    Names,
    check_tensors,
    fn_name,
    format_value,
    is_tensor,
    node_kind,
    quiet_grad,
    saved_items,
    shape_text,
    walk,
)
from .diagram import Diagram
from .legend import LEAF, OUTPUT, SAVED, legend_cluster
from .overlay import Overlay

__all__ = ["backward_graph", "tensor_lines", "DIRECTIONS", "check_direction"]

# "gradient": arrows from a node to its next_functions (the way gradients flow), output on
# top, leaves at the bottom. "torchviz": torchviz's make_dot (leaves on top, arrows the way
# values flowed forward).
DIRECTIONS = ("gradient", "torchviz")


def check_direction(direction: str) -> str:
    if direction not in DIRECTIONS:
        raise ValueError(
            f"direction must be 'gradient' (arrows the way gradients flow, output on top) or "
            f"'torchviz' (torchviz's orientation, leaves on top), got {direction!r}"
        )
    return direction


def tensor_lines(name: str, t: Any, show_values: bool, show_grad: bool = False) -> list:
    """Label lines of a tensor box: name (bold), shape, and optionally value and grad."""
    lines: list = [(name, True), shape_text(t)]
    if show_values:
        lines.append("data: " + format_value(t))
        if show_grad:
            g = quiet_grad(t)
            lines.append("grad: " + ("None" if g is None else format_value(g)))
    return lines


def _attr_value(value: Any, max_chars: int) -> str:
    if is_tensor(value):
        return "[saved tensor]"
    if isinstance(value, tuple) and any(is_tensor(v) for v in value):
        return "[saved tensors]"
    if isinstance(value, RuntimeError):
        return "[freed]"
    text = str(value)
    if len(text) > max_chars:
        text = text[: max_chars - 3] + "..."
    return text


def backward_graph(
    *outputs: Any,
    params: dict | None = None,
    show_saved: bool = False,
    show_attrs: bool = False,
    show_values: bool = False,
    show_none: bool = False,
    max_attr_chars: int = 50,
    legend: bool = False,
    max_nodes: int = 300,
    overlay: Overlay | None = None,
    direction: str = "gradient",
) -> Diagram:
    """Draw the backward graph below ``outputs`` (minigrad or torch tensors).

    The graph is ``y.grad_fn`` and, recursively, ``next_functions``: backward computes
    dy/dx = sum over paths of the product of local derivatives along the path.

    Args:
        outputs: tensors (usually one loss) whose ``grad_fn`` graphs are drawn.
        params: ``{name: tensor}`` naming leaves (and other tensors) in the drawing.
        show_saved: draw the tensors each node saved for backward (orange).
        show_attrs: list each node's saved non-tensor attributes in its label.
        show_values: print values (and leaves' ``.grad``) in the tensor boxes.
        show_none: draw the ``(None, 0)`` entries of ``next_functions`` as stubs.
        max_attr_chars: truncate attribute values to this length.
        legend: add a small colour legend.
        max_nodes: draw at most this many graph nodes; a note says how many were left out.
        overlay: decorations from the backward stepper (node states, notes, edge labels).
        direction: ``"gradient"`` (default: output on top, arrows from each node to its
            ``next_functions``, leaves at the bottom) or ``"torchviz"`` (torchviz's
            orientation: leaves on top, arrows the way values flowed forward).

    Example:
        >>> d = backward_graph(loss, params={"w": w})   # doctest: +SKIP
        >>> d                                            # doctest: +SKIP
    """
    outputs = check_tensors(outputs, "backward_graph")
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
    check_direction(direction)
    ov = overlay if overlay is not None else Overlay()
    sk = Sketch("backward graph", rankdir="TB")
    sk.caption = ov.caption
    if legend:
        sk.extra = legend_cluster()
    flags = (show_saved, show_attrs, show_values, show_none, max_attr_chars)
    draw_backward(sk, outputs, Names(params), ov, flags, max_nodes, direction=direction)
    return Diagram(sk.to_digraph(), lambda: sketch_text(sk), "backward")


def draw_backward(
    sk, outputs, names, ov, flags, max_nodes, cluster_of=None, direction="gradient"
) -> None:
    """Add the backward graph below ``outputs`` to ``sk``; ``cluster_of(node)`` may put
    each node (with its leaf and saved boxes) in a named cluster."""
    show_saved, show_attrs, show_values, show_none, max_attr_chars = flags
    flow = direction == "gradient"

    def arrow(parent: str, child: str, label: str = "", **attrs: str) -> None:
        # the gradient flows from parent (nearer the output) to child
        if flow:
            sk.edge(parent, child, label, **attrs)
        else:
            sk.edge(child, parent, label, **attrs)

    out_ids = []
    for i, t in enumerate(outputs):
        default = "output" if len(outputs) == 1 else f"output{i}"
        name = names.known(t) or default
        lines = tensor_lines(name, t, show_values, show_grad=t.grad_fn is None)
        if t.grad_fn is None:
            lines.append("no grad_fn" + ("" if t.requires_grad else " (requires_grad=False)"))
        where = cluster_of(t.grad_fn) if cluster_of and t.grad_fn is not None else None
        out_ids.append(sk.node("output", lines, cluster=where, fillcolor=OUTPUT))

    w = walk([t.grad_fn for t in outputs], limit=max_nodes)
    ids = {}
    leaves: dict = {}  # AccumulateGrad -> the leaf box's id
    for node in w.order:
        where = cluster_of(node) if cluster_of else None
        ids[node] = _draw_node(sk, node, names, ov, show_saved, show_attrs, show_values,
                               max_attr_chars, where, arrow, leaves)  # fmt: skip
    if flow:
        # every AccumulateGrad on one row, the leaves on the row below it
        for where in dict.fromkeys(cluster_of(n) if cluster_of else None for n in leaves):
            in_it = [n for n in leaves if (cluster_of(n) if cluster_of else None) == where]
            sk.same_rank([ids[n] for n in in_it], cluster=where)
            sk.same_rank([leaves[n] for n in in_it], cluster=where)

    more_id = None
    if w.total > len(w.order):
        hidden = w.total - len(w.order)
        sk.notes.append(f"… {hidden} more nodes not drawn; pass max_nodes={w.total} to draw them")
        more_id = sk.node("more", [f"… {hidden} more nodes"], shape="plaintext", style="")

    for t, oid in zip(outputs, out_ids):
        if t.grad_fn is not None:
            arrow(oid, ids[t.grad_fn])

    for node in w.order:
        for i, (child, nr) in enumerate(node.next_functions):
            note = ov.edge_labels.get((node, i), "")
            label = "\n".join(p for p in (str(nr) if nr else "", note) if p)
            if child is None:
                if show_none:
                    stub = sk.node("none", ["None"], shape="plaintext", style="", fontsize="8")
                    arrow(ids[node], stub, label, style="dashed")
                continue
            if child in ids:
                arrow(ids[node], ids[child], label)
            elif more_id is not None:
                arrow(ids[node], more_id, label, style="dotted")


def _draw_node(
    sk, node, names, ov, show_saved, show_attrs, show_values, max_attr_chars, where, arrow, leaves
) -> str:
    """Add ``node`` (and its leaf box or saved-tensor boxes) to ``sk``; return its id."""
    freed = ov.is_freed(node)
    saved = saved_items(node) if (show_saved or show_attrs) else []
    lines: list = [fn_name(node)]
    if show_attrs:
        lines += [f"{k}: {_attr_value(v, max_attr_chars)}" for k, v in saved]
    note = ov.node_notes.get(node)
    if note:
        lines.append(note)
    attrs = ov.style_of(node)
    if freed:
        lines.append("(saved tensors freed)")
        attrs["style"] = attrs.get("style", "filled") + ",dashed"
    nid = sk.node(node_kind(node), lines, cluster=where, **attrs)

    if node_kind(node) == "acc":
        leaf = node.variable
        leaf_lines = tensor_lines(names.get(leaf, "leaf"), leaf, show_values, show_grad=True)
        leaf_note = ov.leaf_notes.get(node)
        if leaf_note:
            leaf_lines.append(leaf_note)
        lid = sk.node("leaf", leaf_lines, cluster=where, fillcolor=LEAF)
        arrow(nid, lid)  # AccumulateGrad writes into the leaf's .grad
        leaves[node] = lid

    if show_saved:
        for key, value in saved:
            items = []
            if is_tensor(value) or isinstance(value, RuntimeError):
                items = [(key, value)]
            elif isinstance(value, tuple):
                items = [(f"{key}[{j}]", v) for j, v in enumerate(value) if is_tensor(v)]
            for label, v in items:
                if isinstance(v, RuntimeError) or freed:
                    # unpacking fails both when freed and when modified in place since saved
                    state = "modified in place" if "inplace" in str(v) and not freed else "freed"
                    sid = sk.node("saved", [(label, True), state], cluster=where,
                                  fillcolor="white", style="filled,dashed")  # fmt: skip
                else:
                    lines = tensor_lines(label, v, show_values)
                    sid = sk.node("saved", lines, cluster=where, fillcolor=SAVED)
                sk.edge(nid, sid, dir="none")
    return nid
