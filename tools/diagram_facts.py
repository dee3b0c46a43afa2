"""Diagram facts: the positional claims a lesson's text makes about a picture, checked on
the picture's SVG.

A markdown cell that says something about a diagram ("``MulBackward0`` at the top", "the
arrows point the way gradients flow") carries the same claims as data, in its metadata::

    "minigrad": {"diagram_facts": {"diagram": "next", "facts": ["MulBackward0 top",
                                                                 "arrows down"]}}

``diagram`` names the cell whose output is the picture: ``"next"`` / ``"previous"`` (the
nearest code cell after / before with an SVG output) or a cell id; ``output`` picks among
that cell's SVG outputs (default 0). ``diagram_facts`` may also be a list of such entries.

The picture is the stored output: its SVG gives positions and arrowheads, its text/plain
rendering (``n3 [leaf] x | ()``) gives every node's kind and label. Strict nbval proves the
stored output is what the lesson produces.

Node selectors: ``[kind]`` (``[fn]``, ``[acc]``, ``[leaf]``, ``[output]``, ``[op]``, ...),
a name (the first label line: ``MulBackward0``, ``x``), both (``[fn] MulBackward0``),
``acc(x)`` (the AccumulateGrad joined to leaf x), ``name#k`` (the k-th such node in the
text rendering, i.e. in the order the graph is walked from the output: ``MulBackward0#1``
is w's node in w = z·z) and ``~text`` (a label line containing text) after any of them:
``MulBackward0 ~received 72.``.

Facts (A, B selectors; every node A matches must satisfy it)::

    A above B      A below B      A left of B      A right of B
    A top          A bottom       (above / below every other node of the graph)
    A -> B         A -> B x2      (an arrow drawn from A to B: once or more, exactly twice)
    A count 3      (how many nodes A matches)
    A inside "cluster title text"
    arrows down    arrows up      (every arrow with a head points that way)

Example:
    >>> pic = Picture.from_outputs(svg, text)                    # doctest: +SKIP
    >>> pic.check("MulBackward0 top")                            # doctest: +SKIP
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from tools.lesson_meta import cell_meta

__all__ = [
    "Box",
    "Picture",
    "FactError",
    "svg_outputs",
    "fact_entries",
    "resolve",
    "lesson_problems",
    "diagrams_without_facts",
    "POSITIONAL",
]

SVG = "{http://www.w3.org/2000/svg}"
_NODE_LINE = re.compile(r"^(n\d+) \[(\w+)\](?: <([^>]*)>)? (.*)$")
_EDGE_LINE = re.compile(r"^  (->|--) (n\d+)")
# Words in a markdown cell that describe a picture's layout: such a cell needs facts.
POSITIONAL = re.compile(
    r"\b(at the top|on top|at the bottom|top of|bottom of|arrows?|points? (?:up|down)|"
    r"upwards?|downwards?)\b",
    re.IGNORECASE,
)


class FactError(ValueError):
    """A fact that cannot be read (bad syntax, or a selector that matches nothing)."""


@dataclass
class Box:
    """A node's bounding box in SVG coordinates (y grows downwards on screen)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def distance(self, x: float, y: float) -> float:
        dx = max(self.x0 - x, 0.0, x - self.x1)
        dy = max(self.y0 - y, 0.0, y - self.y1)
        return (dx * dx + dy * dy) ** 0.5


@dataclass
class Node:
    id: str
    kind: str
    lines: list[str]
    box: Box
    cluster: str | None = None

    @property
    def name(self) -> str:
        return self.lines[0] if self.lines else ""


@dataclass
class Edge:
    src: str
    dst: str
    head: tuple[float, float] | None  # the arrowhead's centre; None for a plain line
    style: str = ""


def _points(text: str) -> list[tuple[float, float]]:
    out = []
    for pair in text.split():
        x, y = pair.split(",")
        out.append((float(x), float(y)))
    return out


def _box_of(group: ET.Element) -> Box | None:
    xs: list[float] = []
    ys: list[float] = []
    for el in group:
        tag = el.tag.replace(SVG, "")
        if tag == "polygon":
            for x, y in _points(el.get("points", "")):
                xs.append(x)
                ys.append(y)
        elif tag == "ellipse":
            cx, cy = float(el.get("cx")), float(el.get("cy"))
            rx, ry = float(el.get("rx")), float(el.get("ry"))
            xs += [cx - rx, cx + rx]
            ys += [cy - ry, cy + ry]
    if not xs:
        return None
    return Box(min(xs), min(ys), max(xs), max(ys))


def _parse_text(text: str) -> tuple[dict, list]:
    """Node kinds/labels and the edges' styles from a diagram's text rendering."""
    nodes: dict[str, tuple[str, str | None, list[str]]] = {}
    edges: list[tuple[str, str, str]] = []
    current = None
    for line in text.splitlines():
        m = _NODE_LINE.match(line)
        if m:
            current = m.group(1)
            nodes[current] = (m.group(2), m.group(3), m.group(4).split(" | "))
            continue
        e = _EDGE_LINE.match(line)
        if e and current is not None:
            style = "none" if e.group(1) == "--" else ""
            styles = re.findall(r"\[(\w+)\]$", line)
            edges.append((current, e.group(2), style or (styles[0] if styles else "")))
    return nodes, edges


class Picture:
    """A rendered diagram: nodes with kinds, labels and boxes; arrows with their heads."""

    def __init__(self, nodes: dict[str, Node], edges: list[Edge], clusters: list) -> None:
        self.nodes = nodes
        self.edges = edges
        self.clusters = clusters  # (title, Box)

    @classmethod
    def from_outputs(cls, svg: str, text: str) -> Picture:
        """Build from an output's ``image/svg+xml`` and ``text/plain``."""
        kinds, text_edges = _parse_text(text)
        root = ET.fromstring(svg.encode("utf-8") if isinstance(svg, str) else svg)
        nodes: dict[str, Node] = {}
        edges: list[Edge] = []
        clusters = []
        for group in root.iter(f"{SVG}g"):
            cls_ = group.get("class")
            title_el = group.find(f"{SVG}title")
            title = html.unescape(title_el.text or "") if title_el is not None else ""
            if cls_ == "node" and title in kinds:
                box = _box_of(group)
                if box is not None:
                    kind, cluster, lines = kinds[title]
                    nodes[title] = Node(title, kind, lines, box, cluster)
            elif cls_ == "edge" and "->" in title:
                src, dst = title.split("->", 1)
                heads = [el for el in group if el.tag == f"{SVG}polygon"]
                head = None
                if heads:
                    pts = _points(heads[-1].get("points", ""))
                    head = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
                edges.append(Edge(src, dst, head))
            elif cls_ == "cluster":
                label = " ".join(t.text or "" for t in group.iter(f"{SVG}text"))
                box = _box_of(group)
                if box is not None:
                    clusters.append((html.unescape(label), box))
        # styles (dashed, plain line) come from the text rendering, in the same order
        styles = {}
        for src, dst, style in text_edges:
            styles.setdefault((src, dst), style)
        for e in edges:
            e.style = styles.get((e.src, e.dst), "")
            if e.style == "none":
                e.head = None
        return cls(nodes, edges, clusters)

    # -- selectors --------------------------------------------------------------------
    def select(self, selector: str) -> list[Node]:
        """The nodes a selector matches; FactError when none does."""
        text = selector.strip()
        contains = None
        if "~" in text:
            text, contains = (p.strip() for p in text.split("~", 1))
        kind = None
        m = re.match(r"^\[(\w+)\]\s*(.*)$", text)
        if m:
            kind, text = m.group(1), m.group(2).strip()
        acc_of = None
        m = re.fullmatch(r"acc\((.+)\)", text)
        if m:
            acc_of, text = m.group(1), ""
        nth = None
        m = re.fullmatch(r"(.+)#(\d+)", text)
        if m:
            text, nth = m.group(1), int(m.group(2))
        found = []
        for node in self.nodes.values():
            if kind and node.kind != kind:
                continue
            if text and node.name != text:
                continue
            if contains and not any(contains in line for line in node.lines):
                continue
            if acc_of is not None and not self._is_acc_of(node, acc_of):
                continue
            found.append(node)
        if nth is not None:
            found = found[nth - 1 : nth] if nth >= 1 else []
        if not found:
            names = sorted({f"[{n.kind}] {n.name}" for n in self.nodes.values()})
            raise FactError(f"{selector!r} matches no node; the picture has {names}")
        return found

    def _is_acc_of(self, node: Node, leaf_name: str) -> bool:
        if node.kind != "acc":
            return False
        for e in self.edges:
            other = e.dst if e.src == node.id else e.src if e.dst == node.id else None
            if other and self.nodes.get(other) and self.nodes[other].kind == "leaf":
                if self.nodes[other].name == leaf_name:
                    return True
        return False

    def arrows(self, a: list[Node], b: list[Node]) -> list[Edge]:
        """Arrows drawn from a node of ``a`` to a node of ``b`` (head at the b end)."""
        ids_a, ids_b = {n.id for n in a}, {n.id for n in b}
        out = []
        for e in self.edges:
            if e.head is None:
                continue
            for tail, head in ((e.src, e.dst), (e.dst, e.src)):
                if tail in ids_a and head in ids_b:
                    hx, hy = e.head
                    if self.nodes[head].box.distance(hx, hy) < self.nodes[tail].box.distance(
                        hx, hy
                    ):
                        out.append(e)
                        break
        return out

    # -- facts ------------------------------------------------------------------------
    def check(self, fact: str) -> str | None:
        """None when ``fact`` holds; otherwise what is wrong (FactError for bad facts)."""
        f = fact.strip()
        m = re.fullmatch(r"arrows (up|down)", f)
        if m:
            return self._arrows_point(m.group(1), fact)
        m = re.fullmatch(r"(.+?) (above|below|left of|right of) (.+)", f)
        if m:
            return self._relation(m.group(1), m.group(2), m.group(3), fact)
        m = re.fullmatch(r"(.+?) (top|bottom)", f)
        if m:
            a = self.select(m.group(1))
            ids = {n.id for n in a}
            rest = [n for n in self.nodes.values() if n.id not in ids]
            if not rest:
                return None
            rel = "above" if m.group(2) == "top" else "below"
            return self._compare(a, rest, rel, fact)
        m = re.fullmatch(r"(.+?) -> (.+?)(?: x(\d+))?", f)
        if m:
            a, b = self.select(m.group(1)), self.select(m.group(2))
            got = len(self.arrows(a, b))
            want = int(m.group(3)) if m.group(3) else None
            if (want is None and got == 0) or (want is not None and got != want):
                return f"{fact!r}: {got} arrow(s) drawn from {m.group(1)} to {m.group(2)}"
            return None
        m = re.fullmatch(r"(.+?) count (\d+)", f)
        if m:
            got = len(self.select(m.group(1)))
            return None if got == int(m.group(2)) else f"{fact!r}: {got} such nodes"
        m = re.fullmatch(r'(.+?) inside "(.+)"', f)
        if m:
            a = self.select(m.group(1))
            boxes = [box for title, box in self.clusters if m.group(2) in title]
            if not boxes:
                raise FactError(f"{fact!r}: no cluster titled {m.group(2)!r}")
            outside = [n.name for n in a if not any(_within(n.box, b) for b in boxes)]
            return f"{fact!r}: outside the cluster: {outside}" if outside else None
        raise FactError(
            f"cannot read the fact {fact!r}: write 'A above B', 'A below B', 'A left of B', "
            "'A right of B', 'A top', 'A bottom', 'A -> B', 'A -> B x2', 'A count N', "
            "'A inside \"cluster title\"', 'arrows down' or 'arrows up'"
        )

    def _relation(self, sa: str, rel: str, sb: str, fact: str) -> str | None:
        return self._compare(self.select(sa), self.select(sb), rel, fact)

    def _compare(self, a: list[Node], b: list[Node], rel: str, fact: str) -> str | None:
        bad = []
        for na in a:
            for nb in b:
                ok = {
                    "above": na.box.cy < nb.box.cy - 0.5,
                    "below": na.box.cy > nb.box.cy + 0.5,
                    "left of": na.box.cx < nb.box.cx - 0.5,
                    "right of": na.box.cx > nb.box.cx + 0.5,
                }[rel]
                if not ok:
                    bad.append(f"{na.name} ({na.id}) is not {rel} {nb.name} ({nb.id})")
        return f"{fact!r}: " + "; ".join(bad[:3]) if bad else None

    def _arrows_point(self, way: str, fact: str) -> str | None:
        bad = []
        for e in self.edges:
            if e.head is None or e.src not in self.nodes or e.dst not in self.nodes:
                continue
            tail = self.nodes[e.src] if self._head_is(e, e.dst) else self.nodes[e.dst]
            hy = e.head[1]
            points_down = hy > tail.box.cy
            if points_down != (way == "down"):
                bad.append(f"{e.src}->{e.dst}")
        return f"{fact!r}: these arrows point the other way: {bad[:5]}" if bad else None

    def _head_is(self, e: Edge, node_id: str) -> bool:
        other = e.src if node_id == e.dst else e.dst
        hx, hy = e.head
        return self.nodes[node_id].box.distance(hx, hy) <= self.nodes[other].box.distance(hx, hy)


def _within(inner: Box, outer: Box) -> bool:
    return (
        inner.x0 >= outer.x0 - 0.5
        and inner.x1 <= outer.x1 + 0.5
        and inner.y0 >= outer.y0 - 0.5
        and inner.y1 <= outer.y1 + 0.5
    )


# -- notebooks ---------------------------------------------------------------------------


def svg_outputs(cell: Any) -> list[tuple[str, str]]:
    """``(svg, text)`` of every diagram a code cell displays."""
    out = []
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        if "image/svg+xml" in data and "text/plain" in data:
            out.append((_joined(data["image/svg+xml"]), _joined(data["text/plain"])))
    return out


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def fact_entries(nb: Any) -> list[tuple[int, dict]]:
    """``(markdown cell index, entry)`` for every diagram-facts entry of the lesson."""
    out = []
    for i, cell in enumerate(nb.cells):
        spec = cell_meta(cell).get("diagram_facts")
        if spec is None:
            continue
        for entry in spec if isinstance(spec, list) else [spec]:
            out.append((i, dict(entry)))
    return out


def resolve(nb: Any, index: int, entry: dict) -> tuple[int, int]:
    """``(code cell index, svg output index)`` of the picture an entry talks about."""
    where = entry.get("diagram", "next")
    k = int(entry.get("output", 0))
    cells = nb.cells
    if where in ("next", "previous"):
        step = 1 if where == "next" else -1
        j = index + step
        while 0 <= j < len(cells):
            if cells[j].cell_type == "code" and svg_outputs(cells[j]):
                break
            j += step
        else:
            raise FactError(f"cell {index}: no code cell with a diagram {where} to it")
    else:
        found = [j for j, c in enumerate(cells) if c.get("id") == where]
        if not found:
            raise FactError(f"cell {index}: no cell has the id {where!r}")
        j = found[0]
    if k >= len(svg_outputs(cells[j])):
        raise FactError(f"cell {index}: cell {j} has no diagram output number {k}")
    return j, k


def lesson_problems(nb: Any) -> list[str]:
    """Every fact of the lesson that does not hold (or cannot be read)."""
    problems = []
    for index, entry in fact_entries(nb):
        try:
            j, k = resolve(nb, index, entry)
            svg, text = svg_outputs(nb.cells[j])[k]
            pic = Picture.from_outputs(svg, text)
            facts = entry.get("facts", [])
            if not facts:
                problems.append(f"cell {index}: a diagram_facts entry with no facts")
            for fact in facts:
                wrong = pic.check(fact)
                if wrong:
                    problems.append(f"cell {index} about cell {j}: {wrong}")
        except FactError as exc:
            problems.append(f"cell {index}: {exc}")
    return problems


def diagrams_without_facts(nb: Any) -> list[str]:
    """Diagram outputs no fact talks about, and markdown cells that describe a layout
    (top, bottom, arrows...) without facts — each as a short description."""
    covered = set()
    for index, entry in fact_entries(nb):
        try:
            covered.add(resolve(nb, index, entry))
        except FactError:
            continue
    out = []
    for j, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for k in range(len(svg_outputs(cell))):
                if (j, k) not in covered:
                    out.append(f"cell {j}: diagram {k} has no facts")
        elif cell.cell_type == "markdown":
            meta = cell_meta(cell)
            if "diagram_facts" in meta or "no_diagram_facts" in meta:
                continue
            m = POSITIONAL.search(cell.source)
            if m:
                out.append(
                    f"cell {j}: says {m.group(0)!r} but has no diagram_facts (or a "
                    "no_diagram_facts reason)"
                )
    return out
