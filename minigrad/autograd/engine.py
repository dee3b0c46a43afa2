"""The backward engine: how ``loss.backward()`` visits the graph, node by node.

``backward()`` gives the engine the *roots*, the edges out of the tensors being
differentiated, and their *seeds*, the gradients to start from (1 for a scalar loss).
The engine then works as torch's does:

1. Count, for every node reachable from the roots, how many edges point at it: its
   *dependencies* (``_count_dependencies``).
2. Put the roots on the *ready queue*. Pop a node, call it with the gradients it received
   (``node.apply``, its backward formula) and pass each output along its edge in
   ``next_functions``: the gradient is added to what that child received so far, and the
   child's count goes down by one. A child whose count reaches 0 has heard from every
   path into it: it is ready. Repeat until the queue is empty (``_run``).
3. Among ready nodes the one created last runs first (torch's priority order), and
   ``AccumulateGrad`` nodes, which write the leaves' ``.grad``, run as soon as they are ready.

So each node runs once, after all of its gradient has arrived: w = z·z with z used twice
gets dw/dz = 2z before z's node runs. Every walk is a loop over an explicit stack or heap:
no recursion, whatever the depth of the graph.

Three things ride along, each in its own small piece below:

- hooks (``_call_tensor_pre_hooks``, ``_call_function``): functions registered on tensors
  and nodes, which may read or replace gradients;
- ``backward(inputs=...)`` and ``autograd.grad``: only nodes on a path to the wanted
  inputs run (``GraphTask.needed``); ``autograd.grad`` *captures* the gradient arriving at
  each input instead of accumulating it (``GraphTask.captures``);
- an observer (``observer.py``), such as ``minigrad.viz.trace_backward``, told about every
  step; without one, each report costs one ``is not None`` test.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor(3.0, requires_grad=True)
    >>> z = x * x
    >>> w = z * z                   # z feeds both inputs of w's node: MulBackward0 twice
    >>> roots, seeds = [w._edge()], [mg.tensor(1.0)]
    >>> execute(roots, seeds, keep_graph=False, create_graph=False)
    >>> x.grad                      # dw/dx = 4x³
    tensor(108.)
"""

from __future__ import annotations

from heapq import heappop, heappush
from typing import TYPE_CHECKING

from .. import _errors
from .._dtype import to_dtype as dtype_of
from ..ops._sizes import is_expandable_to
from ..ops.arithmetic import add
from ..ops.cast import to_dtype
from ..ops.reduction import sum_to
from ..ops.shape import clone
from .accumulate_grad import AccumulateGrad
from .anomaly_mode import _state as _anomaly
from .anomaly_mode import watch as _watch_for_anomalies
from .grad_mode import _state
from .graph import Node, running_tasks
from .hooks import check_hook_result, check_hook_tuple
from .input_buffer import add_to_buffer
from .observer import current_observer
from .reentrant import run_on_fresh_thread, stack_is_deep

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["execute", "GraphTask"]


def execute(
    roots: list,
    seeds: list,
    *,
    keep_graph: bool,
    create_graph: bool,
    inputs: list | None = None,
    capture: list | None = None,
) -> list | None:
    """Run backward from the ``roots`` edges (``(node, input_nr)``), seeded with ``seeds``.

    ``keep_graph`` keeps the saved tensors (``retain_graph``); ``create_graph`` records the
    backward formulas, so the gradients can be differentiated again. Every leaf reached
    accumulates into ``.grad``; with ``inputs`` (edges, as ``backward(inputs=...)``) only
    those leaves do. With ``capture`` (edges, as ``autograd.grad``) no ``.grad`` changes:
    the gradient arriving at each edge is returned, in order.
    """
    if inputs is not None and capture is not None:
        raise ValueError(_errors.EXECUTE_INPUTS_AND_CAPTURE)
    prev = _state.enabled
    _state.enabled = create_graph  # backward formulas are recorded only under create_graph
    try:
        targets = capture if capture is not None else inputs
        task = GraphTask(roots, seeds, keep_graph, create_graph, targets, capture is None)
        if running_tasks and stack_is_deep():
            # A backward called from inside a backward (by a hook or a custom Function),
            # nested deep: like torch, continue on a fresh thread with a fresh stack.
            run_on_fresh_thread(_run_task, task)
        else:
            _run_task(task)
    finally:
        _state.enabled = prev
    return task.captured if capture is not None else None


def _run_task(task: GraphTask) -> None:
    running_tasks.append(task)  # register_multi_grad_hook asks it what will run
    try:
        _run_observed(task, current_observer())
        task.run_final_callbacks()
    finally:
        running_tasks.pop()


class GraphTask:
    """What one run of the engine keeps track of (torch's ``GraphTask``).

    ``deps``: node → edges into it that have not delivered yet. ``buffers``: node → the
    gradients received so far, one per output of the node. ``ready``: the ready queue, a
    heap of ``(-sequence number, push order, node)``. With ``inputs=``/``capture``:
    ``needed``, the nodes that run; ``captures``, node → ``[(input_nr, index)]`` whose
    gradient lands in ``captured[index]``.
    """

    def __init__(
        self,
        roots: list,
        seeds: list,
        keep_graph: bool,
        create_graph: bool,
        targets: list | None = None,
        accumulate: bool = True,
    ) -> None:
        self.roots, self.seeds = roots, seeds
        self.keep_graph, self.create_graph, self.accumulate = keep_graph, create_graph, accumulate
        self.root_nodes = list(dict.fromkeys(node for node, _ in roots))
        # torch calls a lone root directly (no GraphRoot node): its tensor pre-hooks
        # (retain_grad) fire even when nothing below it is needed.
        self.lone_root = self.root_nodes[0] if len(roots) == 1 else None
        self.deps = _count_dependencies(self.root_nodes)
        self.needed = self.captures = self.reached = None
        self.captured: list = [None] * (len(targets) if targets is not None else 0)
        if targets is not None:
            self._restrict_to(targets)
        self.buffers: dict = {}
        for (node, nr), g in zip(roots, seeds):
            buf = self.buffers.get(node)
            if buf is None:
                buf = self.buffers[node] = [None] * (len(node._out_meta) or 1)
            buf[nr] = g if buf[nr] is None else add(buf[nr], g)
        self.ready: list = []
        self.pushed = 0  # how many nodes were pushed: ties (AccumulateGrad nodes) stay FIFO
        self.final_callbacks: list = []  # queue_callback(): run once the graph is done
        for node in self.root_nodes:
            if self.deps.get(node, 0) == 0:
                heappush(self.ready, (-node._seq, self.pushed, node))
                self.pushed += 1

    def _restrict_to(self, targets: list) -> None:
        """Run only the nodes on some path to the ``targets`` edges."""
        wanted = {node for node, _ in targets}
        on_path = _needed_nodes(self.root_nodes, wanted)
        if self.accumulate:
            self.needed = on_path  # backward(inputs=...): the wanted leaves accumulate
        else:
            # autograd.grad: a wanted node is only captured, and runs only if it leads on
            # to another wanted node.
            self.needed = {n for n in on_path if n not in wanted or _leads_on(n, on_path)}
            self.captures = {}
            for index, (node, nr) in enumerate(targets):
                self.captures.setdefault(node, []).append((nr, index))
        self.reached = self.needed | self.captures.keys() if self.captures else self.needed

    def capture(self, node: Node, grads: list) -> None:
        """Keep the gradients arriving at ``node`` for ``autograd.grad``'s result."""
        for nr, index in self.captures[node]:
            self.captured[index] = grads[nr]

    def will_run(self, node: Node) -> bool:
        """Does this run execute (or capture) ``node``?"""
        if node not in self.deps and node not in self.root_nodes:
            return False
        return self.reached is None or node in self.reached

    def run_final_callbacks(self) -> None:
        """The callbacks queued during the run, in order, including any they queue."""
        i = 0
        while i < len(self.final_callbacks):
            self.final_callbacks[i]()
            i += 1

    def ready_nodes(self) -> tuple:
        """The ready queue's nodes, in the order the engine will pop them."""
        return tuple(entry[2] for entry in sorted(self.ready, key=lambda e: (e[0], e[1])))


def _run_observed(task: GraphTask, observer) -> None:
    """``_run``, reported to the observer (if any) from ``begin`` to ``end``."""
    if observer is None:
        _run(task, None)
        return
    observer.begin(task)
    try:
        _run(task, observer)
    except BaseException as exc:
        observer.end(exc)
        raise
    observer.end(None)


def _run(task: GraphTask, observer) -> None:
    """Step 2: pop a ready node, call it, pass its outputs on; until the queue is empty."""
    ready, buffers, deps, reached = task.ready, task.buffers, task.deps, task.reached
    needed, captures, keep_graph, pushed = task.needed, task.captures, task.keep_graph, task.pushed
    while ready:
        node = heappop(ready)[2]
        grads = buffers.pop(node)
        if observer is not None:
            observer.received(node, grads)
        if needed is not None and node not in needed:
            grads = _skip(task, node, grads, observer)
            if observer is not None:
                observer.step(node, grads, None)
            continue
        grads = _call_tensor_pre_hooks(node, grads, observer)
        if captures and node in captures:
            task.capture(node, grads)
        if _anomaly.enabled:  # detect_anomaly(): on failure, name the forward line
            outputs = _watch_for_anomalies(_call_function, node, grads, keep_graph, observer)
        else:
            outputs = _call_function(node, grads, keep_graph, observer)
        # Pass each output along its edge: add it to what the child received so far, and
        # count the edge as delivered; the child is ready once all its edges delivered.
        edges = node.next_functions
        for i in range(len(edges)):  # indexed: no iterator keeps a reference to a gradient
            child, nr = edges[i]
            g = outputs[i]
            if child is None or (reached is not None and child not in reached):
                continue
            buf = buffers.get(child)
            if buf is None:  # one slot per output of the child
                buf = buffers[child] = [None] * (len(child._out_meta) or 1)
            if g is not None:
                if buf[nr] is None:
                    buf[nr] = g
                else:
                    add_to_buffer(buf, nr, g, outputs, i, observer)  # buf[nr] += g
            left = deps[child] - 1
            deps[child] = left
            if left == 0:
                heappush(ready, (-child._seq, pushed, child))
                pushed += 1
        if observer is not None:
            observer.step(node, grads, outputs)
        # The engine lets go of the gradients it passed on (torch moves them): a gradient
        # that nobody else holds may become a leaf's .grad without a copy (_leaf_grad.py).
        outputs = g = None


def _skip(task: GraphTask, node: Node, grads: list, observer) -> list:
    """A node that does not run: it leads to no wanted input. A captured input's node gives
    its gradient to ``autograd.grad``'s result (after the tensor's hooks)."""
    if task.captures and node in task.captures:
        grads = _call_tensor_pre_hooks(node, grads, observer)
        task.capture(node, grads)
    elif node is task.lone_root:
        grads = _call_tensor_pre_hooks(node, grads, observer)
    return grads


# -- step 1: dependencies, and the nodes that lead to the wanted inputs --------------------
def _count_dependencies(roots) -> dict:
    """node → the number of edges into it, for every node reachable from ``roots``."""
    deps: dict = {}
    seen = set(roots)
    stack = list(roots)
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return deps


def _needed_nodes(roots, targets: set) -> set:
    """Nodes on some path from the roots to a target (targets included), iteratively."""
    needed: set = set()
    visited: set = set()
    for root in roots:
        if root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(root.next_functions))]
        while stack:
            node, it = stack[-1]
            advanced = False
            for child, _ in it:
                if child is None:
                    continue
                if child not in visited:
                    visited.add(child)
                    stack.append((child, iter(child.next_functions)))
                    advanced = True
                    break
            if advanced:
                continue
            stack.pop()
            if node in targets or _leads_on(node, needed):
                needed.add(node)
    return needed


def _leads_on(node: Node, needed: set) -> bool:
    return any(c in needed for c, _ in node.next_functions if c is not None)


# -- calling a node: hooks, its backward formula, and checks on what it returned ----------
def _call_tensor_pre_hooks(node: Node, grads: list, observer=None) -> list:
    """Hooks on the tensors whose gradient arrives here (``register_hook``,
    ``retain_grad``), called before the node; a hook may return a replacement."""
    hooks = node._tensor_pre_hooks
    if hooks:  # (a hook sees None for an output of the node that received no gradient)
        for nr, fns in hooks.items():
            for fn in tuple(fns.values()):
                grads[nr] = _call_tensor_hook("tensor", node, nr, fn, grads[nr], observer)
    if isinstance(node, AccumulateGrad):
        leaf_hooks = node.variable._hooks
        if leaf_hooks:
            for fn in tuple(leaf_hooks.values()):
                grads[0] = _call_tensor_hook("tensor", node, 0, fn, grads[0], observer)
    retained = node._retains_grad
    if retained:
        for nr, ref in retained.items():
            t = ref()
            g = grads[nr]
            if t is None or g is None:
                continue
            if observer is not None:
                observer.hook("retain_grad", node, nr, None, g, None)
            # torch's retain_grad hook stores grad.clone(): recorded under create_graph.
            t._grad = clone(g) if t._grad is None else add(t._grad, g)
    return grads


def _call_tensor_hook(kind: str, node: Node, nr: int, fn, grad: Tensor, observer) -> Tensor:
    new = fn(grad)
    if observer is not None:
        observer.hook(kind, node, nr, fn, grad, new)
    if new is None:
        return grad
    check_hook_result(fn, grad, new)
    return new


def _call_function(node: Node, grads: list, keep_graph: bool, observer=None) -> list:
    """Node pre-hooks, the node's backward formula, then its post-hooks (torch's
    ``call_function``); frees the saved tensors unless the graph is kept."""
    if node._pre_hooks:
        grads = _call_pre_hooks(node, grads, observer)
    for g in grads:  # a plain loop: no generator (all()) and no == (list.count)
        if g is not None:
            outputs = node.apply(tuple(grads))
            break
    else:  # no gradient arrived: built-in nodes pass the Nones on without running
        outputs = (
            node.apply(tuple(grads)) if node._always_call else [None] * len(node.next_functions)
        )
    if not keep_graph:
        node.release_variables()
    outputs = _validate(node, tuple(outputs))
    if node._post_hooks:
        for fn in tuple(node._post_hooks.values()):
            new = fn(tuple(outputs), tuple(grads))
            if observer is not None:
                observer.hook("post", node, None, fn, tuple(outputs), new)
            if new is not None:
                check_hook_tuple(fn, tuple(outputs), new)
                outputs = list(new)
    return outputs


def _call_pre_hooks(node: Node, grads: list, observer) -> list:
    for fn in tuple(node._pre_hooks.values()):
        new = fn(tuple(grads))
        if observer is not None:
            observer.hook("pre", node, None, fn, tuple(grads), new)
        if new is not None:
            check_hook_tuple(fn, tuple(grads), new)
            grads = list(new)
    return grads


def _validate(node: Node, grads: tuple) -> list:
    """Check each gradient against the input it flows to: sum broadcast dims, cast dtype."""
    out = list(grads)
    for i, (child, nr) in enumerate(node.next_functions):
        g = out[i]
        if g is None or child is None:
            continue
        shape, dt = _input_meta(child, nr)
        if g._data.shape != shape or g._data.dtype != dt:
            out[i] = _conform(node, i, g, shape, dt)
    return out


def _input_meta(node: Node, nr: int) -> tuple:
    """``(shape, numpy dtype)`` of the gradient that edge ``(node, nr)`` expects."""
    if node._out_meta:
        return node._out_meta[nr]
    v = node.variable  # AccumulateGrad: the leaf itself
    return v._data.shape, v._data.dtype


def _conform(node: Node, i: int, g: Tensor, shape: tuple, dt) -> Tensor:
    """Sum ``g`` down to ``shape`` (the adjoint of broadcasting) and cast it to ``dt``."""
    if g._data.shape != shape:
        if not is_expandable_to(shape, g._data.shape):
            raise RuntimeError(
                _errors.INVALID_GRAD_SHAPE.format(node.name(), i, list(g._data.shape), list(shape))
            )
        g = sum_to(g, shape)
    if g._data.dtype != dt:
        g = to_dtype(g, dtype_of(dt))
    return g
