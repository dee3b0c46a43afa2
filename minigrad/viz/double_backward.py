"""``double_backward_graph``: the graph ``create_graph=True`` really records for gradients.

With ``create_graph=True`` the backward pass runs its formulas as recorded operations, so a
gradient has a ``grad_fn`` of its own. Its graph mixes two kinds of nodes: nodes of the
first-order graph, recorded by the forward pass (reached through the values the backward
formulas used), and nodes created by the backward pass itself. They are drawn in two
labelled clusters, told apart by sequence number (creation order): the backward pass ran
after the forward. The picture keeps the course's convention: the gradients on top, arrows
the way gradients flow, ``AccumulateGrad`` and the leaves at the bottom.

Example:
    >>> import minigrad as mg
    >>> from minigrad.viz import double_backward_graph
    >>> x = mg.tensor(3.0, requires_grad=True)
    >>> y = x * x
    >>> (g,) = mg.autograd.grad(y, x, create_graph=True)
    >>> d = double_backward_graph(g, params={"x": x, "y": y}, output=y, inputs=x)
    >>> d.text.splitlines()[:3]
    ['double-backward graph: 6 nodes, 6 edges', "cluster <forward>: y's own graph (recorded by the forward pass)", 'cluster <backward pass>: recorded by the backward pass (create_graph=True)']
    >>> [line for line in d.text.splitlines() if "[output]" in line]
    ['n0 [output] <backward pass> dy/dx | ()']
"""

from __future__ import annotations

from typing import Any

from ._sketch import Sketch
from ._text import sketch_text
from ._walk import Names, Ref, check_tensors, node_kind, seq_of, walk
from .backward import check_direction, draw_backward
from .diagram import Diagram
from .overlay import Overlay

__all__ = ["double_backward_graph", "FORWARD_CLUSTER", "BACKWARD_CLUSTER"]

FORWARD_CLUSTER = "recorded by the forward pass"
BACKWARD_CLUSTER = "recorded by the backward pass (create_graph=True)"


def _backward_start(nodes: list) -> float:
    """The first sequence number of the backward pass, guessed from the graph alone.

    The backward pass creates its nodes in one burst, after the whole forward graph (and
    after the output's own node, which a gradient's graph rarely contains): so the newest
    nodes form a run of consecutive numbers, and older nodes lie below a gap. Ambiguous
    when the output's node is itself in the graph (e.g. ``exp``, which saves its result;
    custom Functions are handled): pass ``output=`` for an exact split."""
    fns = {seq_of(n): n for n in nodes if node_kind(n) == "fn"}
    seqs = sorted(fns, reverse=True)
    if not seqs:
        return 0
    start = seqs[0]
    for s in seqs[1:]:
        if start - s > 1:
            break
        start = s
    # A custom Function's node at the bottom of the run is the output's own node, reached
    # because its backward used the saved output (backward formulas rarely call one).
    while start < seqs[0] and _is_custom_function(fns[start]):
        start = min(s for s in seqs if s > start)
    return start


def _is_custom_function(node: Any) -> bool:
    return hasattr(node, "saved_tensors") and hasattr(node, "needs_input_grad")


def double_backward_graph(
    grads: Any,
    params: dict | None = None,
    *,
    output: Any = None,
    inputs: Any = None,
    show_saved: bool = False,
    show_values: bool = False,
    max_nodes: int = 300,
    direction: str = "gradient",
) -> Diagram:
    """Draw the graph recorded for ``grads`` (from ``grad(..., create_graph=True)``).

    d²Q/dx² is obtained by running backward again through this graph.

    Args:
        grads: a gradient tensor or a tuple of them (minigrad or torch).
        params: ``{name: tensor}`` naming leaves, and the gradients themselves if you like
            (``{"dQ/dx": gx}``).
        output: the tensor that was differentiated; its graph is exactly the first-order
            cluster. Without it (and without non-leaf tensors in ``params``, whose graphs
            count as forward too) the split is guessed from creation order.
        inputs: the tensors ``grads`` are gradients with respect to (one per gradient):
            with ``output`` and these named, an unnamed gradient is labelled ``dQ/dx``.
        show_saved, show_values, max_nodes, direction: as in :func:`backward_graph`.

    Example:
        >>> gx, gy = grad(Q, (x, y), create_graph=True)              # doctest: +SKIP
        >>> double_backward_graph((gx, gy), {"x": x, "y": y}, output=Q)  # doctest: +SKIP
    """
    grads = check_tensors(grads if isinstance(grads, (tuple, list)) else (grads,),
                          "double_backward_graph")  # fmt: skip
    if output is not None:
        (output,) = check_tensors((output,), "double_backward_graph")
    check_direction(direction)
    names = Names(params)
    if inputs is not None:
        inputs = check_tensors(inputs if isinstance(inputs, (tuple, list)) else (inputs,),
                               "double_backward_graph")  # fmt: skip
        if len(inputs) != len(grads):
            raise ValueError(
                f"inputs must give one tensor per gradient: {len(grads)} gradients, "
                f"{len(inputs)} inputs"
            )
    out_name = names.known(output) if output is not None else None
    extra = {}
    for i, g in enumerate(grads):
        if names.known(g) is None:
            wrt = names.known(inputs[i]) if inputs is not None else None
            extra[f"d{out_name}/d{wrt}" if out_name and wrt else f"grad{i}"] = g
    names = Names({**(params or {}), **extra})
    nodes = walk([g.grad_fn for g in grads]).order
    # The forward graph's outputs: ``output``, else non-leaf params that are not gradients.
    grad_refs = {Ref(g) for g in grads}
    roots = [output] if output is not None else []
    roots += [
        t for t in (params or {}).values() if t.grad_fn is not None and Ref(t) not in grad_refs
    ]
    if roots:
        forward_set = set(walk([t.grad_fn for t in roots]).order)

        def is_forward(n: Any) -> bool:
            return node_kind(n) == "acc" or n in forward_set
    else:
        start = _backward_start(nodes)

        def is_forward(n: Any) -> bool:
            return node_kind(n) == "acc" or seq_of(n) < start

    sk = Sketch("double-backward graph", rankdir="TB")
    sk.cluster(
        "forward", f"{out_name}'s own graph ({FORWARD_CLUSTER})" if out_name else FORWARD_CLUSTER
    )
    sk.cluster("backward pass", BACKWARD_CLUSTER)

    def cluster_of(n: Any) -> str:
        return "forward" if is_forward(n) else "backward pass"

    flags = (show_saved, False, show_values, False, 50)
    draw_backward(sk, grads, names, Overlay(), flags, max_nodes, cluster_of, direction)
    return Diagram(sk.to_digraph(), lambda: sketch_text(sk), "double_backward")
