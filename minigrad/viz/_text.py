"""The plain-text rendering of a diagram (``text/plain``): one line per node, its edges
indented below it. Deterministic and free of addresses, so nbval can compare it.

Example output::

    backward graph: 3 nodes
    n0 [output] out  shape ()
    n1 [fn] MulBackward0
      -> n0
"""

from __future__ import annotations

from ._escape import plain_text
from ._sketch import Sketch

__all__ = ["sketch_text"]


def _line_text(line) -> str:
    text = line if isinstance(line, str) else line[0]
    return plain_text(text)


def sketch_text(sketch: Sketch) -> str:
    """``sketch`` as indented text: header, caption/notes, then each node with its edges."""
    out_edges: dict[str, list] = {}
    for e in sketch.edges:
        out_edges.setdefault(e.src, []).append(e)
    lines = [f"{sketch.title}: {len(sketch.nodes)} nodes, {len(sketch.edges)} edges"]
    if sketch.caption:
        lines.append(plain_text(sketch.caption))
    lines.extend(plain_text(n) for n in sketch.notes)
    cluster_names = {name: plain_text(name) for name in sketch.clusters}
    for name, label in sketch.clusters.items():
        lines.append(f"cluster <{plain_text(name)}>: {plain_text(label)}")
    for n in sketch.nodes:
        where = f" <{cluster_names[n.cluster]}>" if n.cluster in cluster_names else ""
        body = " | ".join(_line_text(x) for x in n.lines)
        lines.append(f"{n.id} [{n.kind}]{where} {body}")
        for e in out_edges.get(n.id, ()):
            style = e.attrs.get("style", "")
            extra = f" ({plain_text(e.label)})" if e.label else ""
            extra += f" [{style}]" if style and style != "solid" else ""
            arrow = "--" if e.attrs.get("dir") == "none" else "->"
            lines.append(f"  {arrow} {e.dst}{extra}")
    return "\n".join(lines) + "\n"
