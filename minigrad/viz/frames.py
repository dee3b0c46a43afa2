"""Frames of a recorded backward pass: the diagram after step k and a paragraph saying why.

Frame 0 is the graph before backward (the engine's dependency counts, the root ready);
frame k colours the nodes already run (green), the node of step k (gold), the ready ones
(yellow), writes on every edge the gradient that travelled it, shows each leaf's ``.grad``
growing and marks nodes whose saved tensors were freed. The last frame holds the final
``.grad`` values. Everything is drawn from a :class:`~minigrad.viz.trace.Run`, so the values
are the engine's own.

Math: after step k, leaf.grad = Σ over the accumulations so far of the gradient received.

Example:
    >>> import minigrad as mg
    >>> from minigrad.viz import trace_backward
    >>> from minigrad.viz.frames import Frames
    >>> a = mg.tensor(2.0, requires_grad=True)
    >>> with trace_backward(params={"a": a}) as trace:
    ...     (a * 3).backward()
    >>> print(Frames(trace.run).explain(1))
    Step 1 of 2: `MulBackward0` received 1.; it sends 3. to `AccumulateGrad` (a) and nothing to input 1 (None). Its saved tensors (_saved_other) are freed (retain_graph is False). Ready now: [AccumulateGrad (a)].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.accumulate_grad import AccumulateGrad
from ..autograd.engine import _input_meta
from .backward import backward_graph, check_direction
from .diagram import Diagram
from .overlay import Overlay
from .trace import Run, format_grad, node_title

__all__ = ["Frames", "frame", "frame_overlay", "explain", "inline_svg"]


def _check_step(run: Run, k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"step must be an int, got {type(k).__name__}")
    k = int(k)
    if not 0 <= k <= len(run.steps):
        raise IndexError(f"step {k} is out of range: this backward has steps 0 to {len(run.steps)}")
    return k


def _ref(run: Run, node: Any) -> str:
    """How the explanation names a node: `MulBackward0` #2, `AccumulateGrad` (a)."""
    text = f"`{node_title(node)}`"
    if isinstance(node, AccumulateGrad):
        return f"{text} ({run.leaf_name(node)})"
    number = run.number(node)
    return f"{text} {number}" if number else text


def _values_text(values: tuple) -> str:
    if len(values) == 1:
        return format_grad(values[0])
    return "(" + ", ".join(format_grad(v) for v in values) + ")"


def _list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _sentence(text: str) -> str:
    """End a sentence with a period, unless it ends with a value like ``3.`` already."""
    return text if text.endswith(".") else text + "."


def _queue(run: Run, nodes: tuple) -> str:
    return "[" + ", ".join(run.label(n) for n in nodes) + "]"


def _got(waiting: tuple) -> dict:
    return {n: gs for n, gs in waiting}


def frame_overlay(run: Run, k: int) -> Overlay:
    """The decorations of frame ``k``: node states, notes, edge gradients, leaf ``.grad``."""
    k = _check_step(run, k)
    steps = run.steps[:k]
    deps, ready, waiting = run.state(k)
    state: dict = {}
    notes: dict = {}
    edges: dict = {}
    received: dict = {}
    freed: list = []
    for s in steps:
        state[s.node] = "done"
        received[s.node] = s
        if s.freed:
            freed.append(s.node)
        if not s.ran:
            continue
        for i, ((child, _), value) in enumerate(zip(s.node.next_functions, s.sent)):
            if child is not None and s.delivered[i]:
                edges[(s.node, i)] = format_grad(value)
    for n in ready:
        state[n] = "ready"
    if k:
        state[steps[-1].node] = "current"
    failed = run.failed if k == len(run.steps) and run.error else None
    if failed is not None:  # the node that raised is what the last frame is about
        state[failed] = "current"
    dep_of = dict(deps)
    pruned = set(run.pruned)
    got = _got(waiting)
    for node in run.nodes:
        parts = []
        number = run.number(node)
        if number:
            parts.append(number)
        s = received.get(node)
        if s is not None:
            parts.append("received " + _values_text(s.received))
            if s.captured:
                parts.append("captured")
            elif not s.ran:
                parts.append("skipped")
        elif node in pruned:
            parts.append("not needed: never runs")
        else:
            if node in dep_of:
                parts.append(f"deps: {dep_of[node]}")
            elif state.get(node) == "ready":
                parts.append("ready")
            if node in got:
                parts.append("got " + _values_text(got[node]))
        if node is failed:
            parts.append("raised " + run.error.split(":")[0])
        if parts:
            notes[node] = " · ".join(parts)
    leaf_notes: dict = {}
    for node in run.nodes:
        if not isinstance(node, AccumulateGrad):
            continue
        if run.kind == "grad":
            s = received.get(node)
            if s is not None and s.captured:
                leaf_notes[node] = "captured: " + ", ".join(format_grad(v) for _, v in s.captured)
            continue
        now = run.grad_at(node, k)
        if k and steps[-1].node is node and steps[-1].accumulated:
            before = format_grad(steps[-1].grad_before)
            leaf_notes[node] = f"grad: {before} → {format_grad(now)}"
        else:
            leaf_notes[node] = f"grad: {format_grad(now)}"
    if k == 0:
        caption = f"step 0 of {len(run.steps)}: before backward"
    else:
        caption = f"step {k} of {len(run.steps)}: {run.label(steps[-1].node)}"
    return Overlay(
        node_state=state,
        node_notes=notes,
        edge_labels=edges,
        leaf_notes=leaf_notes,
        freed=tuple(freed),
        caption=caption,
    )


def explain(run: Run, k: int) -> str:
    """One paragraph saying what the engine did at step ``k`` (0: what it set up)."""
    k = _check_step(run, k)
    n = len(run.steps)
    if k == 0:
        return _explain_start(run) + (" " + _explain_end(run) if n == 0 and run.error else "")
    s = run.steps[k - 1]
    who = _ref(run, s.node)
    text = f"Step {k} of {n}: {who} received {_values_text(s.received)}"
    hooks = [_hook_text(run, h) for h in s.hooks]
    if hooks:
        text += "; " + "; ".join(hooks)
    if s.captured:
        idx = ", ".join(str(i) for i, _ in s.captured)
        text += f"; autograd.grad keeps it as the result for input {idx}"
        if not s.ran:
            text += " and does not run the node (.grad is untouched)"
    if s.ran and isinstance(s.node, AccumulateGrad):
        leaf = run.leaf_name(s.node)
        if s.accumulated:
            text += (
                f"; it adds it into {leaf}.grad: {format_grad(s.grad_before)} → "
                f"{format_grad(s.grad_after)}"
            )
        else:
            text += f"; nothing to add, {leaf}.grad stays {format_grad(s.grad_after)}"
    elif s.ran:
        sends = []
        for i, ((child, _), value) in enumerate(zip(s.node.next_functions, s.sent)):
            if child is None:
                sends.append(f"nothing to input {i} (None)")
            elif not s.delivered[i]:
                sends.append(f"nothing to {_ref(run, child)} (not on a path to the inputs)")
            else:
                sends.append(f"{format_grad(value)} to {_ref(run, child)}")
        if sends:
            text += "; it sends " + _list(sends)
    elif not s.captured:
        text += "; it leads to none of the inputs, so it does not run"
    text = _sentence(text)
    if s.freed:
        text += f" Its saved tensors ({', '.join(s.freed)}) are freed (retain_graph is False)."
    if k < n or s.ready:
        text += f" Ready now: {_queue(run, s.ready)}."
    if k == n:
        text += " " + _explain_end(run)
    return text


def _hook_text(run: Run, h) -> str:
    kinds = {
        "tensor": "tensor hook",
        "pre": "node pre-hook",
        "post": "node hook",
        "post_accumulate_grad": "post-accumulate-grad hook",
    }
    if h.kind == "retain_grad":
        return "retain_grad stores it in the tensor's .grad"
    what = f"{kinds.get(h.kind, h.kind)} `{h.name}` fired"
    if h.changed:
        what += f" and returned {_values_text(_as_tuple(h.after))}"
    return what


def _as_tuple(v: Any) -> tuple:
    return v if isinstance(v, tuple) else (v,)


def _explain_start(run: Run) -> str:
    n = len(run.steps)
    seeds = []
    for (node, _), g in zip(run.roots, run.seeds):
        seeds.append(f"{_ref(run, node)} with {format_grad(g)}")
    call = "autograd.grad" if run.kind == "grad" else "backward"
    text = f"Before {call} ({n} steps): the engine seeds {_list(seeds)}"
    text += " (the gradient of the output with respect to itself, or the one you passed)."
    if run.deps:
        counts = ", ".join(f"{run.label(node)}: {c}" for node, c in run.deps)
        text += f" It counts the edges into each node — {counts} — and runs a node once all "
        text += "of them have delivered."
    text += f" Ready: {_queue(run, run.ready)}."
    if run.kind == "grad":
        targets = ", ".join(_ref(run, node) for node, _ in run.captures if node is not None)
        text += f" The results are captured at {targets}; .grad is not touched."
    return text


def _explain_end(run: Run) -> str:
    if run.error:
        where = f" when {_ref(run, run.failed)} ran" if run.failed is not None else ""
        return _sentence(f"The engine stopped{where}: {run.error}")
    if run.kind == "grad":
        return "autograd.grad returns (" + ", ".join(format_grad(g) for g in run.results) + ",)."
    grads = [
        f"{run.leaf_name(node)}.grad = {format_grad(run.grad_at(node, len(run.steps)))}"
        for node in run.nodes
        if isinstance(node, AccumulateGrad)
    ]
    return _sentence("Backward is done: " + ", ".join(grads)) if grads else "Backward is done."


def placeholder_outputs(run: Run) -> tuple:
    """Tensors standing for the run's roots (the engine sees nodes, diagrams want tensors)."""
    from ..tensor import Tensor

    out = []
    seen = []
    for node, nr in run.roots:
        if node in seen:
            continue
        seen.append(node)
        if isinstance(node, AccumulateGrad):
            out.append(node.variable)
            continue
        shape, dtype = _input_meta(node, nr)
        out.append(Tensor._make(np.zeros(shape, dtype=dtype), True, node, nr))
    return tuple(out)


def frame(
    run: Run,
    k: int,
    outputs: tuple | None = None,
    params: dict | None = None,
    direction: str = "gradient",
) -> Diagram:
    """The backward diagram after step ``k`` (0: before backward) with the step's overlay,
    drawn with the course's convention (``direction`` as in ``backward_graph``)."""
    outs = outputs if outputs is not None else placeholder_outputs(run)
    return backward_graph(
        *outs,
        params=params if params is not None else run.params,
        overlay=frame_overlay(run, k),
        direction=direction,
    )


def inline_svg(svg: str) -> str:
    """An SVG document without its XML prolog, doctype and comments, to embed in HTML."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


class Frames:
    """Every frame of a run, built on demand and cached (DOT, text and SVG per step).

    Example:
        >>> frames = Frames(trace.run)        # doctest: +SKIP
        >>> frames.svg(3)                     # doctest: +SKIP
    """

    def __init__(
        self,
        run: Run,
        outputs: tuple | None = None,
        params: dict | None = None,
        direction: str = "gradient",
    ):
        self.run = run
        self.outputs = tuple(outputs) if outputs is not None else placeholder_outputs(run)
        self.params = params if params is not None else run.params
        self.direction = check_direction(direction)
        self._diagrams: dict[int, Diagram] = {}
        self._svgs: dict[int, str] = {}

    def __len__(self) -> int:
        """The number of frames: steps + 1."""
        return len(self.run.steps) + 1

    def diagram(self, k: int) -> Diagram:
        k = _check_step(self.run, k)
        d = self._diagrams.get(k)
        if d is None:
            d = self._diagrams[k] = frame(self.run, k, self.outputs, self.params, self.direction)
        return d

    def svg(self, k: int) -> str:
        """Frame ``k`` as inline SVG (the Graphviz subprocess runs once per frame)."""
        k = _check_step(self.run, k)
        s = self._svgs.get(k)
        if s is None:
            s = self._svgs[k] = inline_svg(self.diagram(k).svg())
        return s

    def explain(self, k: int) -> str:
        return explain(self.run, k)

    def text(self, k: int) -> str:
        """The explanation, then the diagram as text (works without a frontend)."""
        return self.explain(k) + "\n\n" + self.diagram(k).text
