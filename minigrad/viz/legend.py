"""``legend()``: the key to every backward picture of the course, as a small diagram.

One convention for all of them (``backward_graph``, the stepper's frames,
``double_backward_graph``, ``second_order_graph``): the output on top, arrows the way
gradients flow (from a node to the entries of its ``next_functions``), ``AccumulateGrad``
and the leaves at the bottom. Colours are torchviz's.

Example:
    >>> from minigrad.viz import legend
    >>> legend().text.splitlines()[0]
    'legend: 9 nodes, 5 edges'
"""

from __future__ import annotations

from ._sketch import Sketch
from ._text import sketch_text
from .diagram import Diagram
from .overlay import STATE_STYLE

__all__ = ["legend", "legend_cluster", "LEAF", "SAVED", "OUTPUT", "FN", "MEANINGS"]

LEAF = "lightblue"
SAVED = "orange"
OUTPUT = "darkolivegreen1"
FN = "lightgrey"  # Graphviz's default fill for style=filled: torchviz's gray nodes

# What each mark means, in the words the lessons use (also the legend's caption).
MEANINGS = [
    "arrows point the way gradients flow:",
    "  from a node to each entry of its next_functions",
    "dashed arrow: an input that needs no gradient (None)",
    "plain line: a tensor the node saved for backward",
    "edge label: in a stepper, the gradient the edge carried;",
    "  in a plain graph, which output of the node it points to",
    "  (shown only when it is not output 0)",
    "stepper colours: gold = running now, light yellow = ready,",
    "  pale green = done; dashed outline = saved tensors freed",
]


def legend() -> Diagram:
    """The key to the backward pictures: colours, arrows, lines and labels.

    Math: an arrow s → e carries ∂L/∂e's share from s, so reading down the arrows from the
    output to a leaf multiplies the local derivatives of the chain rule.

    Example:
        >>> legend()   # doctest: +SKIP
    """
    sk = Sketch("legend", rankdir="TB")
    sk.notes.extend(MEANINGS)
    out = sk.node("output", [("y", True), "the output (green)"], fillcolor=OUTPUT)
    fn = sk.node("fn", ["MulBackward0", "a grad_fn node (gray)"])
    saved = sk.node("saved", [("self", True), "a saved tensor (orange)"], fillcolor=SAVED)
    none = sk.node("none", ["None"], shape="plaintext", style="", fontsize="8")
    acc = sk.node("acc", ["AccumulateGrad", "adds into x.grad"])
    leaf = sk.node("leaf", [("x", True), "a leaf (light blue)"], fillcolor=LEAF)
    done = sk.node("fn", ["done"], **STATE_STYLE["done"])
    current = sk.node("fn", ["running now"], **STATE_STYLE["current"])
    ready = sk.node("fn", ["ready"], **STATE_STYLE["ready"])
    sk.edge(out, fn)
    sk.edge(fn, saved, dir="none")
    sk.edge(fn, none, style="dashed")
    sk.edge(fn, acc, "3.")
    sk.edge(acc, leaf)
    sk.same_rank([acc, done, current, ready])
    return Diagram(sk.to_digraph(), lambda: sketch_text(sk), "legend")


def legend_cluster() -> list[str]:
    """DOT lines of a small colour key that ``backward_graph(legend=True)`` adds beside a
    graph (fixed ids, so the DOT stays identical run to run)."""
    return [
        "\tsubgraph cluster_legend {",
        '\t\tlabel=<legend> style="rounded" fontname="Courier" fontsize="9"',
        "\t\tlegend_fn [label=<grad_fn node>]",
        f'\t\tlegend_leaf [label=<leaf tensor> fillcolor="{LEAF}"]',
        f'\t\tlegend_saved [label=<saved tensor> fillcolor="{SAVED}"]',
        f'\t\tlegend_out [label=<output tensor> fillcolor="{OUTPUT}"]',
        "\t\t{rank=same; legend_fn; legend_leaf; legend_saved; legend_out}",
        "\t}",
    ]
