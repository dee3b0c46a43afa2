"""``second_order_graph``: the edge-as-node picture of a gradient.

Every edge s → e of the first-order backward graph carries a local derivative q = ∂s/∂e.
Drawn as a node of its own between s and e, with its formula and value, the q nodes are
then joined by the chain rule: one product per path from the output to an input, and one
sum over the paths of each input, which is that input's gradient:

    dQ/dx = Σ over paths p from Q to x of Π over edges of p of q

Dashed edges show the forward values each q depends on: a gradient is itself a function
of the forward values, which is why it can be differentiated again.

Example (Q = (x·x·y)², x = 2, y = 3: dQ/dx = 288, dQ/dy = 96):
    >>> import minigrad as mg
    >>> from minigrad.viz import second_order_graph
    >>> x = mg.tensor(2.0, requires_grad=True); y = mg.tensor(3.0, requires_grad=True)
    >>> Q = (x * x * y) ** 2
    >>> "path 1 + path 2 = 288." in second_order_graph(Q, (x, y), params={"Q": Q, "x": x, "y": y}).text
    True
"""

from __future__ import annotations

from typing import Any

from ._local import local_derivative
from ._sketch import Sketch
from ._text import sketch_text
from ._walk import (
    Names,
    check_tensors,
    expressions,
    fn_name,
    format_value,
    is_tensor,
    lib_of,
    walk,
)
from .diagram import Diagram
from .forward import _saved_values

__all__ = ["second_order_graph"]

MAX_PATHS = 64
MAX_Q = 200


def _value_text(v: Any) -> str:
    if v is None:
        return "?"
    if is_tensor(v):
        return format_value(v, max_chars=60)
    return str(v)


def _is_scalar(v: Any) -> bool:
    return v is not None and (not is_tensor(v) or v.numel() == 1)


def _product(values: list) -> Any:
    out = values[0]
    for v in values[1:]:
        out = out * v
    return out


def second_order_graph(
    output: Any,
    inputs: Any,
    upto: int | None = None,
    params: dict | None = None,
    *,
    max_width: float | None = None,
) -> Diagram:
    """Draw the first-order backward graph of ``output`` with every edge as a node q.

    Args:
        output: the tensor differentiated (minigrad or torch; non-scalar means its sum).
        inputs: a tensor or a tuple of tensors to differentiate with respect to.
        upto: draw only the first ``upto`` q nodes (and the products and sums they
            complete) — for a slider.
        params: ``{name: tensor}`` naming the output, inputs and intermediate values.
        max_width: the widest the drawing may be, in inches (72 pt); a wider one is scaled
            down. By default up to 12 inches, as every diagram.

    Example:
        >>> second_order_graph(Q, (x, y), params={"Q": Q, "x": x, "y": y})  # doctest: +SKIP
    """
    (output,) = check_tensors((output,), "second_order_graph")
    inputs = check_tensors(inputs if isinstance(inputs, (tuple, list)) else (inputs,),
                           "second_order_graph")  # fmt: skip
    if output.grad_fn is None:
        raise RuntimeError(
            "second_order_graph() needs an output with a grad_fn: compute it from tensors "
            "with requires_grad=True (outside no_grad())"
        )
    if upto is not None and (not isinstance(upto, int) or upto < 0):
        raise ValueError(f"upto must be None or an int >= 0, got {upto!r}")
    if max_width is not None and not (isinstance(max_width, (int, float)) and max_width > 0):
        raise ValueError(f"max_width must be None or a number of inches > 0, got {max_width!r}")
    lib = lib_of(output)
    with lib.no_grad():
        return _build(lib, output, inputs, upto, Names(params), max_width)


def _build(lib, output, inputs, upto, names, max_width=None) -> Diagram:
    w = walk([output.grad_fn])
    order = w.order
    sk = Sketch("second-order (edge-as-node) graph", rankdir="TB")
    if max_width is not None:
        sk.size = f"{max_width:g},12"
    out_name = names.known(output) or "output"

    # Every edge s -> e of the first-order graph, in traversal order.
    edges = [
        (s, i, e) for s in order for i, (e, _nr) in enumerate(s.next_functions) if e is not None
    ]
    total_q = len(edges)
    limit = total_q if upto is None else min(upto, total_q)
    big = total_q > MAX_Q
    if big:
        sk.notes.append(
            f"… {total_q - min(limit, MAX_Q)} more edges not drawn; the chain rule's products "
            f"and sums are drawn for graphs of at most {MAX_Q} edges"
        )
        limit = min(limit, MAX_Q)
    if upto is not None:
        sk.caption = f"{limit} of {total_q} local derivatives"
    # q nodes: local derivatives are computed for the drawn edges only.
    qs = []  # (k, s, i, e, local or None)
    for k, (s, i, e) in enumerate(edges, start=1):
        qs.append((k, s, i, e, local_derivative(s, i, output) if k <= limit else None))

    # Forward values: one box per backward node (its output) and per leaf; for a big
    # graph only those the drawn q nodes touch.
    touched = None
    if big:
        touched = set()
        for _, s, _i, e, loc in qs[:limit]:
            touched.update((s, e))
            touched.update(_dep_nodes(s, loc))
    values = _saved_values(order)
    values[(output.grad_fn, output.output_nr)] = output
    ent: dict = {}  # backward node -> sketch id of its value box
    ent_name: dict = {}
    formula = expressions(order, names)  # "x·x" for an unnamed x*x over named leaves
    for node in order:
        if touched is not None and node not in touched:
            continue
        if hasattr(node, "variable"):
            t = node.variable
            name = names.get(t, "leaf")
            lines = [(name, True), "= " + format_value(t, 60)]
            ent[node] = sk.node("value", lines, fillcolor="lightblue")
        else:
            t = values.get((node, 0))
            if node is output.grad_fn:
                name = out_name
            else:
                name = names.for_edge(node, 0) or formula.get((node, 0)) or names.generate("t")
            lines = [(name, True), fn_name(node)]
            lines.append("= " + (format_value(t, 60) if t is not None else "?"))
            colour = "darkolivegreen1" if node is output.grad_fn else "lightgrey"
            ent[node] = sk.node("value", lines, fillcolor=colour)
        ent_name[node] = name

    # the leaves on the bottom row of the first-order graph
    sk.same_rank([ent[n] for n in order if hasattr(n, "variable") and n in ent])
    q_id: dict = {}
    for k, s, _i, e, loc in qs[:limit]:
        lines = [(f"q{k}: {ent_name[s]} → {ent_name[e]}", True)]
        value = _value_text(loc.value)
        if "\n" in value:
            lines += [loc.formula, "= " + value]
        else:
            lines.append(f"{loc.formula} = {value}")
        qid = sk.node("q", lines, fillcolor="lavender", style="filled,rounded")
        q_id[k] = qid
        sk.edge(ent[s], qid, "", arrowhead="none")
        sk.edge(qid, ent[e])
        for src in _dep_nodes(s, loc):
            if src in ent:
                sk.edge(ent[src], qid, "", style="dashed", color="gray40", constraint="false")
    if big:
        return Diagram(sk.to_digraph(), lambda: sketch_text(sk), "second_order")

    # Chain rule: products along paths, sums over paths.
    targets = []
    for t in inputs:
        if t.grad_fn is not None:
            targets.append(((t.grad_fn, t.output_nr), t))
        else:
            acc = next((n for n in order if getattr(n, "variable", None) is t), None)
            targets.append(((acc, None), t))
    by_src: dict = {}
    for q in qs:
        by_src.setdefault(q[1], []).append(q)
    grads = _true_grads(lib, output, inputs)
    for (target, nr), t, g in zip(((tg, nr) for (tg, nr), _ in targets), inputs, grads):
        in_name = names.get(t, "leaf")
        paths, more = _paths(output.grad_fn, target, nr, by_src)
        prod_ids, prod_vals, complete = [], [], True
        for p, path in enumerate(paths):
            ks = [q[0] for q in path]
            if any(k not in q_id for k in ks):
                complete = False
                continue
            vals = [q[4].value for q in path]
            text = "·".join(f"q{k}" for k in ks)
            if all(_is_scalar(v) for v in vals):
                val = _product(vals)
                prod_vals.append(val)
                text += " = " + _value_text(val)
            else:
                prod_vals.append(None)
            pid = sk.node(
                "product", [(f"path {p + 1} to {in_name}", True), text], fillcolor="thistle"
            )
            prod_ids.append(pid)
            for k in ks:
                sk.edge(q_id[k], pid, "", color="purple")
        if not complete or (not paths and upto is not None and limit < total_q):
            continue
        head = f"d{out_name}/d{in_name}"
        if not paths:
            body = "no path: not used"
        else:
            body = " + ".join(f"path {p + 1}" for p in range(len(paths)))
            if more:
                body += f" + … ({more} more paths not drawn)"
            if not more and all(_is_scalar(v) for v in prod_vals) and prod_vals:
                body += " = " + _value_text(_product_sum(prod_vals))
        lines = [(head, True), body, "autograd: " + ("None" if g is None else _value_text(g))]
        sid = sk.node("grad", lines, fillcolor="gold", style="filled,bold")
        for pid in prod_ids:
            sk.edge(pid, sid)
    return Diagram(sk.to_digraph(), lambda: sketch_text(sk), "second_order")


def _dep_nodes(s: Any, loc: Any) -> list:
    """The graph nodes holding the forward values a local derivative depends on."""
    out = []
    for dep in loc.deps:
        src = s if dep == "out" else s.next_functions[int(dep[2:])][0]
        if src is not None:
            out.append(src)
    return out


def _product_sum(values: list) -> Any:
    out = values[0]
    for v in values[1:]:
        out = out + v
    return out


def _paths(root, target, nr, by_src) -> tuple[list, int]:
    """Edge lists of the paths from ``root`` to ``target`` (at most MAX_PATHS), and how many
    more there are. Iterative depth first, in ``next_functions`` order."""
    found, more = [], 0
    stack = [(root, [])]
    while stack:
        node, path = stack.pop()
        for q in reversed(by_src.get(node, [])):
            _, s, i, e, _ = q
            if e is target and (nr is None or s.next_functions[i][1] == nr):
                if len(found) < MAX_PATHS:
                    found.append(path + [q])
                else:
                    more += 1
            elif len(path) < 10_000:
                stack.append((e, path + [q]))
        if more > 10 * MAX_PATHS:  # counting further would take exponential time
            break
    found.sort(key=lambda p: [q[0] for q in p])
    return found, more


def _true_grads(lib, output, inputs) -> list:
    """The gradients autograd computes, as the check printed under each sum."""
    with lib.enable_grad():
        ones = lib.ones_like(output)
        return list(
            lib.autograd.grad(
                output, tuple(inputs), grad_outputs=ones, retain_graph=True, allow_unused=True
            )
        )
