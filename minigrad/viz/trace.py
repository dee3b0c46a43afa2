"""Recording the real backward engine, step by step: ``trace_backward``.

While the context manager is active, every run of the engine (``backward()``,
``autograd.grad``, ``autograd.backward``, the backward of a ``create_graph=True`` gradient)
reports to a :class:`Recorder`, which copies what the engine holds at each step: the node it
popped from the ready queue, the gradients that node received, what it sent along each
``next_functions`` edge, the dependency counters, the ready queue and the gradients still
waiting, every hook that fired, the leaf ``.grad`` before and after accumulation, and the
saved tensors freed. Nothing is re-simulated: the values are the engine's own.

Math: a node with incoming gradient g sends g·∂out/∂inputᵢ along edge i; a node runs once
every edge into it has delivered (its dependency count reaches 0).

Example:
    >>> import minigrad as mg
    >>> from minigrad.viz import trace_backward
    >>> a = mg.tensor(2.0, requires_grad=True)
    >>> b = mg.tensor(3.0, requires_grad=True)
    >>> with trace_backward(params={"a": a, "b": b}) as trace:
    ...     (a * b).backward()
    >>> [trace.run.label(s.node) for s in trace.run.steps]
    ['MulBackward0', 'AccumulateGrad (a)', 'AccumulateGrad (b)']
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd.accumulate_grad import AccumulateGrad
from ..autograd.observer import observe_backward
from ..autograd.saved import SavedAttr, SavedTensor
from ..tensor import Tensor
from ._walk import Names, format_value, walk

__all__ = [
    "trace_backward",
    "Trace",
    "Run",
    "Step",
    "HookCall",
    "Recorder",
    "format_grad",
    "node_title",
]

Value = np.ndarray | None


def format_grad(value: Any) -> str:
    """A gradient as one short line, as torch prints it: ``3.``, ``[36., 81.]``, ``None``.

    Arrays of more than 8 elements are summarised (``[2., 2., ..., 2., 2.]``) by the same
    print options the diagrams use, so edge labels and explanations agree.
    """
    if value is None:
        return "None"
    t = value if isinstance(value, Tensor) else Tensor._make(np.asarray(value))
    return " ".join(line.strip() for line in format_value(t).split("\n"))


def node_title(node: Any) -> str:
    """A node's name as diagrams show it: ``MulBackward0``, ``AccumulateGrad``."""
    return type(node).__name__


@dataclass(frozen=True)
class HookCall:
    """One hook the engine called during a step.

    ``kind``: ``"tensor"`` (``Tensor.register_hook``), ``"retain_grad"``, ``"pre"`` /
    ``"post"`` (``Node.register_prehook`` / ``register_hook``) or ``"post_accumulate_grad"``.
    ``before`` is what the hook saw, ``after`` what it returned (``None``: kept as it was).
    """

    kind: str
    name: str
    input_nr: int | None
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return self.after is not None


@dataclass(frozen=True)
class Step:
    """One node the engine popped from its ready queue (``index`` counts from 1).

    Gradients are numpy copies taken at the time (``None`` where no gradient flowed).
    ``received``: per output of the node, the sum that arrived (before any hook);
    ``inputs``: the same after tensor hooks (what the node's function was given);
    ``sent``: per ``next_functions`` edge, what the node returned (after post hooks);
    ``delivered``: whether edge i passed its gradient on (``autograd.grad`` prunes edges
    that lead to no input); ``ran``: False when the engine only captured or skipped it.
    ``ready``: the engine's ready queue after the step; ``deps_changed`` and
    ``waiting_changed``: the dependency counts and waiting gradients of the node's children
    after the step (``Run.state(k)`` puts the whole state together).
    """

    index: int
    node: Any
    received: tuple
    inputs: tuple
    ran: bool
    sent: tuple
    delivered: tuple
    captured: tuple  # ((index into autograd.grad's inputs, value), ...)
    grad_before: Value
    grad_after: Value
    accumulated: bool
    hooks: tuple
    freed: tuple  # names of the saved tensors freed by this step
    ready: tuple  # nodes in the order the engine will pop them
    deps_changed: tuple  # ((child, count), ...)
    waiting_changed: tuple  # ((child, (gradient per output, ...) or None), ...)


@dataclass
class Run:
    """One run of the engine: its roots, the graph, the state before, and its steps."""

    roots: tuple  # ((node, input_nr), ...)
    seeds: tuple  # the gradient of each root (the ``gradient`` / ``grad_outputs``)
    keep_graph: bool
    create_graph: bool
    accumulate_grad: bool
    nodes: tuple  # every reachable node, in the diagrams' walk order
    deps: tuple  # before the first step
    ready: tuple
    waiting: tuple
    leaf_grads: tuple  # ((AccumulateGrad node, .grad before the run), ...)
    captures: tuple  # ((node, input_nr), ...) autograd.grad's inputs, else ()
    pruned: tuple = ()  # nodes on no path to the inputs (backward(inputs=...), grad): never run
    params: dict | None = None
    steps: list = field(default_factory=list)
    results: tuple = ()  # what autograd.grad returned (numpy copies)
    error: str | None = None  # "RuntimeError: ..." if the run raised
    failed: Any = None  # the node that was running when it raised
    failed_received: tuple = ()  # what that node had received

    def __post_init__(self) -> None:
        self._labels = _labels(self.nodes, self.params)

    @property
    def kind(self) -> str:
        """``"grad"`` for ``autograd.grad``, else ``"backward"``."""
        return "grad" if self.captures and not self.accumulate_grad else "backward"

    def __len__(self) -> int:
        return len(self.steps)

    def label(self, node: Any) -> str:
        """The node's name, with the leaf's name (``AccumulateGrad (a)``) or ``#k`` when
        several nodes share a name (``MulBackward0 #2``, numbered in graph order)."""
        return self._labels.get(node, node_title(node))

    def number(self, node: Any) -> str:
        """The ``#k`` of a node whose name is shared, else ``""``."""
        label = self.label(node)
        return label.rsplit(" ", 1)[1] if " #" in label else ""

    def leaf_name(self, node: Any) -> str:
        """The leaf tensor's name for an ``AccumulateGrad`` node (``a``, ``leaf0``)."""
        return self._labels.get(("leaf", node), "")

    def state(self, k: int) -> tuple:
        """``(deps, ready, waiting)`` after step ``k`` (0: before the first step); the state
        before step k is ``state(k - 1)``.

        ``deps``: ``((node, count), ...)`` for the nodes still waiting for an edge, in graph
        order; ``ready``: the queue in pop order; ``waiting``: ``((node, gradients), ...)``
        summed so far for nodes that have not run. Rebuilt from the steps' changes (a step
        records only its children, so tracing stays linear in the graph's size).
        """
        if k == 0:
            return self.deps, self.ready, self.waiting
        deps = dict(self.deps)
        waiting = dict(self.waiting)
        for s in self.steps[:k]:
            deps.pop(s.node, None)
            waiting.pop(s.node, None)
            for child, count in s.deps_changed:
                deps[child] = count
            for child, grads in s.waiting_changed:
                if grads is None:
                    waiting.pop(child, None)
                else:
                    waiting[child] = grads
        order = [n for n in self.nodes if n in deps or n in waiting]
        return (
            tuple((n, deps[n]) for n in order if deps.get(n, 0) > 0),
            self.steps[k - 1].ready,
            tuple((n, waiting[n]) for n in order if n in waiting),
        )

    def grad_at(self, node: Any, k: int) -> Value:
        """The leaf's ``.grad`` after step ``k`` (0: before the run)."""
        value = dict(self.leaf_grads).get(node)
        for s in self.steps[:k]:
            if s.node is node and s.accumulated:
                value = s.grad_after
        return value

    def text(self) -> str:
        """The whole run as a table: one line per step (node, received, sent, queue)."""
        head = f"{self.kind} run: {len(self.steps)} steps"
        if self.error:
            where = f" in {self.label(self.failed)}" if self.failed is not None else ""
            head += f", stopped{where} by {self.error.splitlines()[0]}"
        lines = [head]
        seeds = ", ".join(format_grad(s) for s in self.seeds)
        lines.append(f"  0  seed {seeds}; ready: {self._names(self.ready)}")
        for s in self.steps:
            got = _tuple_text(s.received)
            line = f"{s.index:>3}  {self.label(s.node)} received {got}"
            if s.ran and s.sent:
                line += " → " + _tuple_text(s.sent)
            if s.accumulated:
                line += f"; .grad {format_grad(s.grad_before)} → {format_grad(s.grad_after)}"
            if s.captured:
                line += "; captured " + ", ".join(format_grad(v) for _, v in s.captured)
            if not s.ran and not s.captured:
                line += "; skipped"
            line += f"; ready: {self._names(s.ready)}"
            lines.append(line)
        return "\n".join(lines) + "\n"

    def _names(self, nodes: tuple) -> str:
        return "[" + ", ".join(self.label(n) for n in nodes) + "]"


def _tuple_text(values: tuple) -> str:
    if len(values) == 1:
        return format_grad(values[0])
    return "(" + ", ".join(format_grad(v) for v in values) + ")"


def _labels(nodes: tuple, params: dict | None) -> dict:
    """Labels in graph order: leaves named as ``backward_graph`` names them."""
    names = Names(params)
    labels: dict = {}
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node_title(node)] = counts.get(node_title(node), 0) + 1
    seen: dict[str, int] = {}
    for node in nodes:
        title = node_title(node)
        if isinstance(node, AccumulateGrad):
            leaf = names.get(node.variable, "leaf")
            labels[("leaf", node)] = leaf
            labels[node] = f"{title} ({leaf})"
        elif counts[title] > 1:
            seen[title] = seen.get(title, 0) + 1
            labels[node] = f"{title} #{seen[title]}"
        else:
            labels[node] = title
    return labels


class Trace:
    """The runs recorded by :func:`trace_backward`, in the order they started."""

    def __init__(self, params: dict | None = None) -> None:
        self.params = params
        self.runs: list[Run] = []

    @property
    def run(self) -> Run:
        """The last run (the usual case: one ``backward()`` under the trace)."""
        if not self.runs:
            raise ValueError(
                "the trace recorded no backward pass; call backward() or autograd.grad() "
                "inside the 'with trace_backward() as trace:' block"
            )
        return self.runs[-1]

    def __len__(self) -> int:
        return len(self.runs)

    def __getitem__(self, i: int) -> Run:
        return self.runs[i]

    def __iter__(self) -> Iterator[Run]:
        return iter(self.runs)

    def text(self) -> str:
        """Every run's table, one after the other."""
        return "".join(r.text() for r in self.runs)

    def __repr__(self) -> str:
        steps = ", ".join(str(len(r)) for r in self.runs)
        return f"Trace({len(self.runs)} runs, steps: [{steps}])"


# --- copying the engine's values --------------------------------------------------------


def _copy(t: Any) -> Value:
    if t is None:
        return None
    data = t._data if hasattr(t, "_data") else np.asarray(t)
    out = np.array(data, copy=True)
    out.setflags(write=False)  # a trace is a record: nobody changes it afterwards
    return out


@functools.cache
def _public_names(klass: type) -> dict:
    """Slot -> torch's attribute name (``s_self`` -> ``_saved_self``) for a node class."""
    public: dict = {}
    for k in klass.__mro__:
        for name, attr in vars(k).items():
            if isinstance(attr, SavedAttr):
                public.setdefault(attr.slot, name)
    return public


def _saved_slots(node: Any) -> tuple:
    """``(public name, SavedTensor)`` of the saved tensors a node holds."""
    out = []
    slots = getattr(type(node), "_saved", ())
    if slots:
        public = _public_names(type(node))
        for slot in slots:
            value = getattr(node, slot, None)
            if isinstance(value, SavedTensor):
                out.append((public.get(slot, slot), value))
    custom = getattr(node, "_saved_tensors", None)
    if isinstance(custom, tuple):
        out.extend((f"saved_tensors[{i}]", s) for i, s in enumerate(custom) if s is not None)
    return tuple(out)


def _live_saved(node: Any) -> tuple:
    return tuple(name for name, s in _saved_slots(node) if not s._released)


class _Builder:
    """Collects one run's events (the engine's objects are read, never changed)."""

    def __init__(self, params: dict | None, task: Any) -> None:
        self.task = task  # the engine's GraphTask
        self.deps, self.buffers = task.deps, task.buffers
        self.needed, self.captures, self.captured = task.needed, task.captures, task.captured
        needed, captures, captured, deps = self.needed, self.captures, self.captured, self.deps
        nodes = tuple(walk(task.root_nodes).order)
        cap_edges = [None] * len(captured)
        for node, pairs in (captures or {}).items():
            for nr, idx in pairs:
                cap_edges[idx] = (node, nr)
        self.run = Run(
            roots=tuple(task.roots),
            seeds=tuple(_copy(g) for g in task.seeds),
            keep_graph=task.keep_graph,
            create_graph=task.create_graph,
            accumulate_grad=task.accumulate,
            nodes=nodes,
            deps=(),
            ready=(),
            waiting=(),
            leaf_grads=tuple(
                (n, _copy(n.variable._grad)) for n in nodes if isinstance(n, AccumulateGrad)
            ),
            captures=tuple(cap_edges),
            pruned=tuple(
                n
                for n in nodes
                if needed is not None and n not in needed and not (captures and n in captures)
            ),
            params=params,
        )
        self.run.deps = tuple((n, deps[n]) for n in nodes if deps.get(n, 0) > 0)
        self.run.ready = task.ready_nodes()
        self.run.waiting = tuple(
            (n, tuple(_copy(g) for g in self.buffers[n])) for n in nodes if n in self.buffers
        )
        self.current: dict | None = None

    def received(self, node, inputs) -> None:
        self.current = {
            "node": node,
            "received": tuple(_copy(g) for g in inputs),
            "saved": _live_saved(node),
            "grad": _copy(node.variable._grad) if isinstance(node, AccumulateGrad) else None,
            "hooks": [],
        }

    def hook(self, kind, node, nr, fn, before, after) -> None:
        if self.current is None:
            return
        if kind == "post_accumulate_grad":
            before = before._grad  # the hook is given the leaf; show its new .grad
        name = "retain_grad" if fn is None else getattr(fn, "__qualname__", type(fn).__name__)
        self.current["hooks"].append(HookCall(kind, name, nr, _copy_any(before), _copy_any(after)))

    def step(self, node, inputs, outputs) -> None:
        cur = self.current
        self.current = None
        ran = outputs is not None
        delivered = tuple(
            ran
            and child is not None
            and (
                self.needed is None
                or child in self.needed
                or bool(self.captures and child in self.captures)
            )
            for child, _ in node.next_functions
        )
        captured = ()
        if self.captures and node in self.captures:
            captured = tuple((idx, _copy(self.captured[idx])) for _, idx in self.captures[node])
        is_acc = isinstance(node, AccumulateGrad)
        after = _copy(node.variable._grad) if is_acc else None
        accumulated = bool(is_acc and ran and cur["received"][0] is not None)
        still = set(_live_saved(node))
        children = []
        for child, _ in node.next_functions:
            if child is not None and child not in children:
                children.append(child)
        deps_changed = tuple((c, self.deps[c]) for c in children if c in self.deps)
        waiting_changed = tuple(
            (c, tuple(_copy(g) for g in self.buffers[c]) if c in self.buffers else None)
            for c in children
        )
        self.run.steps.append(
            Step(
                index=len(self.run.steps) + 1,
                node=node,
                received=cur["received"],
                inputs=tuple(_copy(g) for g in inputs),
                ran=ran,
                sent=tuple(_copy(g) for g in outputs) if ran else (),
                delivered=delivered,
                captured=captured,
                grad_before=cur["grad"],
                grad_after=after,
                accumulated=accumulated,
                hooks=tuple(cur["hooks"]),
                freed=tuple(n for n in cur["saved"] if n not in still),
                ready=self.task.ready_nodes(),
                deps_changed=deps_changed,
                waiting_changed=waiting_changed,
            )
        )

    def end(self, exc: BaseException | None) -> Run:
        if exc is not None:
            self.run.error = f"{type(exc).__name__}: {exc}"
            if self.current is not None:
                self.run.failed = self.current["node"]
                self.run.failed_received = self.current["received"]
        elif self.captures is not None and not self.run.accumulate_grad:
            self.run.results = tuple(_copy(g) for g in self.captured)
        return self.run


def _copy_any(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (tuple, list)):
        return tuple(_copy(v) for v in value)
    return _copy(value)


class Recorder:
    """A ``BackwardObserver`` (``minigrad.autograd.observer``) that turns the engine's reports
    into :class:`Run` records: ``begin(task)`` once with the engine's ``GraphTask``, then per
    popped node ``received(node, grads)``, any number of ``hook(kind, node, input_nr, fn,
    before, after)``, ``step(node, grads, outputs)`` (``outputs`` None when the node did
    not run), and ``end(exception or None)``.
    """

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self._active: list[tuple[int, _Builder]] = []  # a hook may run a nested backward

    def begin(self, task: Any) -> None:
        self.trace.runs.append(None)  # placeholder: runs are listed in the order they start
        self._active.append((len(self.trace.runs) - 1, _Builder(self.trace.params, task)))

    def received(self, node, inputs) -> None:
        self._active[-1][1].received(node, inputs)

    def hook(self, kind, node, nr, fn, before, after) -> None:
        if self._active:
            self._active[-1][1].hook(kind, node, nr, fn, before, after)

    def step(self, node, inputs, outputs) -> None:
        self._active[-1][1].step(node, inputs, outputs)

    def end(self, exc) -> None:
        i, builder = self._active.pop()
        self.trace.runs[i] = builder.end(exc)


@contextlib.contextmanager
def trace_backward(params: dict | None = None) -> Iterator[Trace]:
    """Record every backward pass run inside the block into the returned :class:`Trace`.

    Args:
        params: ``{name: tensor}`` naming leaves, as for ``backward_graph``.

    Example:
        >>> with trace_backward(params={"x": x}) as trace:   # doctest: +SKIP
        ...     loss.backward()
        >>> print(trace.run.text())                           # doctest: +SKIP
    """
    if params is not None and not isinstance(params, dict):
        raise TypeError(f"params must be a dict of name -> tensor, got {type(params).__name__}")
    trace = Trace(params)
    with observe_backward(Recorder(trace)):
        yield trace
