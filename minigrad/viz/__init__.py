"""minigrad.viz: Graphviz diagrams of autograd graphs (minigrad or torch tensors).

Every function returns a :class:`Diagram` (DOT in ``.source``, text in ``.text``; a notebook
shows its SVG). Nothing is displayed or rendered until asked.

Example:
    >>> import minigrad as mg
    >>> from minigrad.viz import backward_graph
    >>> x = mg.tensor(2.0, requires_grad=True)
    >>> backward_graph(x * x)
    <Diagram backward graph: 4 nodes, 4 edges>
"""

from __future__ import annotations

from .backward import backward_graph
from .diagram import Diagram
from .double_backward import double_backward_graph
from .forward import forward_graph
from .legend import legend
from .overlay import Overlay
from .render import GraphvizNotFound, find_dot
from .second_order import second_order_graph
from .stepper import BackwardStepper, ForwardStepper, SecondOrderStepper, step_backward
from .trace import Trace, trace_backward

__all__ = [
    "Diagram",
    "Overlay",
    "GraphvizNotFound",
    "find_dot",
    "backward_graph",
    "forward_graph",
    "second_order_graph",
    "double_backward_graph",
    "legend",
    "trace_backward",
    "Trace",
    "step_backward",
    "BackwardStepper",
    "ForwardStepper",
    "SecondOrderStepper",
]
