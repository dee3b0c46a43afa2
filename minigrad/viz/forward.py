"""``forward_graph``: the computation as the learner wrote it — tensors as boxes with their
fields (data, grad, grad_fn, is_leaf, requires_grad), operations as ellipses between them.

Laid out like the backward pictures (output on top, leaves at the bottom), with the arrows
pointing up, the way values flow. An intermediate tensor the learner did not name is
labelled with its formula over the named leaves (``x·y``). ``detached=[(y, z)]`` draws
``z = y.detach()`` as a cut edge, and ``unrecorded=[(z, w, "z**2")]`` a computation that
made no graph (dotted), so the picture can show where a graph stops.

The graph is recovered from the outputs' ``grad_fn`` graph, so only operations that were
recorded appear. An intermediate tensor's value is shown when a tensor object for it is at
hand (an output, or a ``params`` entry) or when some node saved it for backward.

Example:
    >>> import minigrad as mg
    >>> from minigrad.viz import forward_graph
    >>> x = mg.tensor(2.0, requires_grad=True)
    >>> forward_graph(x * x, params={"x": x}).text.splitlines()[0]
    'forward graph: 3 nodes, 3 edges'
"""

from __future__ import annotations

from typing import Any

from ._sketch import Sketch
from ._text import sketch_text
from ._walk import (
    Names,
    Ref,
    check_tensors,
    expressions,
    fn_name,
    format_value,
    is_tensor,
    op_name,
    quiet_grad,
    saved_items,
    seq_of,
    shape_text,
    walk,
)
from .diagram import Diagram

__all__ = ["forward_graph"]


def _saved_values(nodes: list) -> dict:
    """``(grad_fn, output_nr) -> tensor`` for every saved tensor that is some node's output."""
    found: dict = {}
    for node in nodes:
        for _, value in saved_items(node):
            values = value if isinstance(value, tuple) else (value,)
            for v in values:
                if is_tensor(v) and v.grad_fn is not None:
                    found.setdefault((v.grad_fn, v.output_nr), v)
    return found


def _box_lines(name, t, node, show_values, show_grads, is_leaf) -> list:
    lines: list = [(name, True)]
    if t is not None:
        lines.append(shape_text(t))
        if show_values:
            lines.append("data: " + format_value(t))
        if show_grads:
            # a non-leaf's .grad is None unless it called retain_grad() (no warning here)
            g = quiet_grad(t)
            lines.append("grad: " + ("None" if g is None else format_value(g)))
    elif show_values:
        lines.append("data: (not saved)")
    lines.append("grad_fn: " + ("None" if node is None else fn_name(node)))
    lines.append(f"is_leaf: {is_leaf}")
    lines.append(f"requires_grad: {True if t is None else bool(t.requires_grad)}")
    return lines


def forward_graph(
    *outputs: Any,
    params: dict | None = None,
    show_values: bool = True,
    show_grads: bool = True,
    rankdir: str = "BT",
    upto: int | None = None,
    max_nodes: int = 300,
    detached: list | tuple = (),
    unrecorded: list | tuple = (),
) -> Diagram:
    """Draw the forward computation that produced ``outputs`` (minigrad or torch tensors).

    Each recorded operation y = f(a, b, ...) is an ellipse with arrows from its inputs'
    boxes to its result's box.

    Args:
        outputs: the final tensors (green).
        params: ``{name: tensor}`` naming leaves or intermediate tensors.
        show_values: print each tensor's data.
        show_grads: print each tensor's ``.grad``.
        rankdir: Graphviz direction: ``"BT"`` (default: leaves at the bottom, output on
            top, as in the backward pictures), ``"TB"``, ``"LR"`` or ``"RL"``.
        upto: draw only the first ``upto`` operations in creation order (forward stepper).
        max_nodes: draw at most this many operations; a note says how many were left out.
        detached: ``(source, result)`` pairs with ``result = source.detach()``: the result
            is drawn as a leaf joined to its source by a cut edge ("detach()"), the place
            where no gradient flows back.
        unrecorded: ``(input, result, label)`` triples for computations that recorded no
            graph (``w = z**2`` on a tensor that needs no grad), drawn dotted.

    Example:
        >>> forward_graph(w, params={"x": x, "y": y})   # doctest: +SKIP
    """
    outputs = check_tensors(outputs, "forward_graph")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    if upto is not None and (not isinstance(upto, int) or upto < 0):
        raise ValueError(f"upto must be None or an int >= 0, got {upto!r}")
    names = Names(params)
    w = walk([t.grad_fn for t in outputs])
    ops = sorted((n for n in w.order if not hasattr(n, "variable")), key=seq_of)
    total_ops = len(ops)
    shown = ops if upto is None else ops[:upto]
    truncated = len(shown) > max_nodes
    if truncated:
        shown = shown[:max_nodes]
    # Values of drawn results come from what the drawn ops or their consumers saved
    # (dir() on every node of a huge graph would be slow).
    shown_set = set(shown)
    readers = [
        op for op in ops if op in shown_set or any(c in shown_set for c, _ in op.next_functions)
    ]
    saved = _saved_values(readers)

    # Tensor objects we hold for non-leaf results: outputs, then params, then saved ones.
    result_tensor: dict = dict(saved)
    for t in list((params or {}).values()) + list(outputs):
        if t.grad_fn is not None:
            result_tensor[(t.grad_fn, t.output_nr)] = t
    output_keys = {}
    for i, t in enumerate(outputs):
        if t.grad_fn is not None:
            output_keys.setdefault((t.grad_fn, t.output_nr), i)

    formula = expressions(w.order, names)  # "x·y" for an unnamed x * y of named leaves
    sk = Sketch("forward graph", rankdir=rankdir)
    if upto is not None:
        sk.caption = f"operation {len(shown)} of {total_ops}"
    if truncated:
        sk.notes.append(
            f"… {total_ops - len(shown)} more operations not drawn; pass "
            f"max_nodes={total_ops} to draw them"
        )
    box: dict = {}  # leaf AccumulateGrad / (node, nr) / output leaf -> sketch id

    def out_name(i: int) -> str:
        return "output" if len(outputs) == 1 else f"output{i}"

    # Leaves first, in the order operations first use them.
    for op in ops:
        for child, _ in op.next_functions:
            if child is not None and hasattr(child, "variable") and child not in box:
                leaf = child.variable
                lines = _box_lines(names.get(leaf, "leaf"), leaf, None, show_values,
                                   show_grads, True)  # fmt: skip
                box[child] = box["tensor", Ref(leaf)] = sk.node(
                    "leaf", lines, fillcolor="lightblue"
                )
    # the leaves on one row, at the bottom (rankdir BT) as in the backward pictures
    sk.same_rank([box[n] for n in box if hasattr(n, "variable")])
    for i, t in enumerate(outputs):
        # tensors are keyed by identity (their == is elementwise)
        if t.grad_fn is None and ("tensor", Ref(t)) not in box:
            name = names.known(t) or out_name(i)
            lines = _box_lines(name, t, None, show_values, show_grads, True)
            box["tensor", Ref(t)] = sk.node("output", lines, fillcolor="darkolivegreen1")

    used: dict = {}  # node -> output numbers some consumer or output uses
    for op in ops:
        for child, nr in op.next_functions:
            if child is not None and not hasattr(child, "variable"):
                used.setdefault(child, set()).add(nr)
    for t in outputs:
        if t.grad_fn is not None:
            used.setdefault(t.grad_fn, set()).add(t.output_nr)

    for op in shown:
        oid = sk.node("op", [op_name(op)], shape="ellipse", fillcolor="lightgrey")
        for j, (child, nr) in enumerate(op.next_functions):
            label = str(j) if len(op.next_functions) > 1 else ""
            if child is None:
                cid = sk.node("const", ["constant"], shape="plaintext", style="", fontsize="8")
            elif child in box or (child, nr) in box:
                cid = box.get(child, box.get((child, nr)))
            else:  # produced by an operation not drawn (should not happen in order)
                continue
            sk.edge(cid, oid, label)
        for nr in sorted(used.get(op, {0})):
            key = (op, nr)
            t = result_tensor.get(key)
            if key in output_keys:
                name = names.known(outputs[output_keys[key]]) or out_name(output_keys[key])
                colour = "darkolivegreen1"
                kind = "output"
            else:
                name = names.for_edge(op, nr) or formula.get(key) or names.generate("t")
                colour = "white"
                kind = "tensor"
            lines = _box_lines(name, t, op, show_values, show_grads and t is not None, False)
            box[key] = sk.node(kind, lines, fillcolor=colour)
            sk.edge(oid, box[key], str(nr) if nr else "")

    def box_of(t: Any, role: str) -> str:
        """The id of ``t``'s box, drawing a box for a tensor without a graph if needed."""
        if not is_tensor(t):
            raise TypeError(f"forward_graph(): {role} must be a tensor, got {type(t).__name__}")
        key = ("tensor", Ref(t)) if t.grad_fn is None else (t.grad_fn, t.output_nr)
        if key not in box:
            if t.grad_fn is not None:
                raise ValueError(
                    f"forward_graph(): the {role} was made by an operation that is not in "
                    "this drawing; pass the output it leads to"
                )
            name = names.known(t) or names.generate("t")
            lines = _box_lines(name, t, None, show_values, show_grads, bool(t.is_leaf))
            box[key] = sk.node("tensor", lines, fillcolor="white")
        return box[key]

    for pair in detached:
        source, result = pair
        src = box_of(source, "tensor detached from")
        sk.edge(src, box_of(result, "detached tensor"), "detach()", style="dashed",
                color="red", arrowhead="tee")  # fmt: skip
    for triple in unrecorded:
        source, result, label = triple
        sk.edge(box_of(source, "input"), box_of(result, "result"), f"{label} (not recorded)",
                style="dotted", color="gray40")  # fmt: skip
    return Diagram(sk.to_digraph(), lambda: sketch_text(sk), "forward")
