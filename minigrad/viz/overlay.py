"""``Overlay``: decorations the backward stepper draws on top of a backward graph.

All mappings are keyed by the graph's node objects (``grad_fn`` / ``AccumulateGrad``
instances) and only looked up, never iterated, so the drawing order always comes from the
graph's deterministic traversal.

Example:
    >>> ov = Overlay(caption="step 1 of 3: MulBackward0")
    >>> ov.node_state
    {}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Overlay", "STATE_STYLE"]

# Fill colours of node_state values ("pending" keeps the default).
STATE_STYLE: dict[str, dict[str, str]] = {
    "done": {"fillcolor": "palegreen"},
    "current": {"fillcolor": "gold", "penwidth": "3", "style": "filled,bold"},
    "ready": {"fillcolor": "lightyellow"},
    "pending": {},
}


@dataclass
class Overlay:
    """What to add to a backward graph: node states, notes, edge labels, leaf notes,
    freed nodes and a caption."""

    node_state: dict[Any, str] = field(default_factory=dict)
    node_notes: dict[Any, str] = field(default_factory=dict)
    edge_labels: dict[tuple[Any, int], str] = field(default_factory=dict)
    leaf_notes: dict[Any, str] = field(default_factory=dict)
    freed: tuple = ()
    caption: str = ""

    def style_of(self, node: Any) -> dict[str, str]:
        if not self.node_state:
            return {}
        state = self.node_state.get(node, "pending")
        if state not in STATE_STYLE:
            raise ValueError(
                f"Overlay.node_state values must be one of {', '.join(STATE_STYLE)}, got {state!r}"
            )
        return dict(STATE_STYLE[state])

    def is_freed(self, node: Any) -> bool:
        return bool(self.freed) and any(n is node for n in self.freed)
