"""The drawing model shared by every diagram: numbered nodes, edges and clusters.

A ``Sketch`` is filled in traversal order, then written out twice from the same data: as
DOT (``to_digraph``) and as plain text (``minigrad.viz._text``). Node ids are counters
(``n0``, ``n1``, ...) in the order nodes are added, so the output never depends on memory
addresses and is identical run to run.

Example:
    >>> s = Sketch("backward")
    >>> a = s.node("fn", ["MulBackward0"])
    >>> b = s.node("leaf", ["x", "()"], fillcolor="lightblue")
    >>> s.edge(b, a)
    >>> s.to_digraph().source.splitlines()[-1]
    '}'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import graphviz

from ._escape import html_lines, html_text

__all__ = ["Sketch", "SNode", "SEdge"]

# Attribute values are minigrad's own (colours, shapes, numbers): never user text.
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.,:# -]*$")

# torchviz's node style, with a font the bundled engine has metrics for.
NODE_ATTR = {
    "style": "filled",
    "shape": "box",
    "align": "left",
    "fontsize": "10",
    "ranksep": "0.1",
    "height": "0.2",
    "fontname": "Courier",
}
EDGE_ATTR = {"fontsize": "9", "fontname": "Courier"}


@dataclass
class SNode:
    id: str
    kind: str
    lines: list  # str or (str, bold)
    attrs: dict
    cluster: str | None = None


@dataclass
class SEdge:
    src: str
    dst: str
    label: str = ""
    attrs: dict = field(default_factory=dict)


def _attr_text(attrs: dict) -> str:
    parts = []
    for key, value in attrs.items():
        value = str(value)
        if not _SAFE_VALUE.match(value):  # pragma: no cover - programming error
            raise ValueError(f"unsafe attribute value {value!r}")
        parts.append(f'{key}="{value}"')
    return " ".join(parts)


class Sketch:
    """Nodes and edges of one diagram, in the order they were found."""

    def __init__(self, title: str, rankdir: str = "TB") -> None:
        self.title = title
        self.rankdir = rankdir
        self.nodes: list[SNode] = []
        self.edges: list[SEdge] = []
        self.clusters: dict[str, str] = {}  # name -> label, in order of creation
        self.notes: list[str] = []  # e.g. the truncation note
        self.caption = ""
        self.extra: list[str] = []  # DOT lines added at the end (the legend cluster)
        self.ranks: list[tuple[str | None, list[str]]] = []  # (cluster, ids) on one row
        self.size = "12,12"  # Graphviz's largest drawing, in inches: bigger ones are scaled down

    def node(self, kind: str, lines: list, cluster: str | None = None, **attrs: str) -> str:
        nid = f"n{len(self.nodes)}"
        self.nodes.append(SNode(nid, kind, list(lines), attrs, cluster))
        return nid

    def edge(self, src: str, dst: str, label: str = "", **attrs: str) -> None:
        self.edges.append(SEdge(src, dst, str(label), attrs))

    def cluster(self, name: str, label: str) -> str:
        self.clusters.setdefault(name, label)
        return name

    def same_rank(self, ids: list[str], cluster: str | None = None) -> None:
        """Draw the nodes ``ids`` (all in ``cluster``) on one row."""
        if len(ids) > 1:
            self.ranks.append((cluster, list(ids)))

    def _rank_lines(self, cluster: str | None, indent: str) -> list[str]:
        return [
            f"{indent}{{rank=same; {'; '.join(ids)}}}\n" for c, ids in self.ranks if c == cluster
        ]

    # -- DOT -----------------------------------------------------------------------------
    def _node_line(self, n: SNode) -> str:
        label = html_lines(n.lines)
        extra = _attr_text(n.attrs)
        return f"\t{n.id} [label=<{label}>{' ' + extra if extra else ''}]\n"

    def _edge_line(self, e: SEdge) -> str:
        attrs = _attr_text(e.attrs)
        label = f"label=<{html_text(e.label)}>" if e.label else ""
        inner = " ".join(p for p in (label, attrs) if p)
        return f"\t{e.src} -> {e.dst}{' [' + inner + ']' if inner else ''}\n"

    def to_digraph(self) -> graphviz.Digraph:
        """A ``graphviz.Digraph`` whose body holds pre-escaped lines (fast for big graphs)."""
        graph_attr = {"rankdir": self.rankdir, "size": self.size}
        dot = graphviz.Digraph(node_attr=NODE_ATTR, edge_attr=EDGE_ATTR, graph_attr=graph_attr)
        caption_lines = ([self.caption] if self.caption else []) + self.notes
        if caption_lines:
            dot.body.append(
                f'\tlabel=<{html_lines(caption_lines)}> labelloc="t" labeljust="l" '
                'fontname="Courier" fontsize="10"\n'
            )
        by_cluster: dict[str | None, list[SNode]] = {}
        for n in self.nodes:
            by_cluster.setdefault(n.cluster, []).append(n)
        for n in by_cluster.get(None, []):
            dot.body.append(self._node_line(n))
        dot.body.extend(self._rank_lines(None, "\t"))
        for i, (name, label) in enumerate(self.clusters.items()):
            dot.body.append(f"\tsubgraph cluster_{i} {{\n")
            dot.body.append(
                f'\t\tlabel=<{html_text(label)}> style="rounded,dashed" fontname="Courier" '
                'fontsize="10"\n'
            )
            for n in by_cluster.get(name, []):
                dot.body.append("\t" + self._node_line(n))
            dot.body.extend(self._rank_lines(name, "\t\t"))
            dot.body.append("\t}\n")
        for e in self.edges:
            dot.body.append(self._edge_line(e))
        dot.body.extend(line + "\n" for line in self.extra)
        return dot
