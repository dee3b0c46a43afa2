"""The backward engine: dependency counts and a ready queue, like torch's.

1. Count, for every node reachable from the roots, how many edges point at it.
2. Start from the roots with their gradients. A node runs once every edge into it has
   delivered (its count reaches 0); gradients arriving on the same input are summed.
3. Among ready nodes the most recently created runs first (torch's priority order);
   ``AccumulateGrad`` nodes run as soon as they are ready.

Every walk is a loop over an explicit stack or heap: no recursion, whatever the depth.
"""

from __future__ import annotations

from heapq import heappop, heappush
from typing import TYPE_CHECKING

from .. import _errors
from .grad_mode import _state
from .graph import AccumulateGrad, Node
from .hooks import check_hook_result, check_hook_tuple

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["execute", "accumulate_grad"]

# The tracer installed by ``minigrad.viz.trace_backward`` (None otherwise). ``execute`` reports
# to it (or to its ``tracer`` argument): ``begin``, ``received``, ``hook``, ``step``, ``end``;
# see ``minigrad.viz.trace.Recorder``. Off, each report costs one ``is not None`` test.
_tracer = None


class _Identity(Node):
    """Stands for an input that no graph reaches (its gradient stays None)."""

    __slots__ = ()

    def apply(self, grads):
        return grads


def _count_dependencies(roots) -> dict:
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
            if node in targets or any(c in needed for c, _ in node.next_functions):
                needed.add(node)
    return needed


def _input_meta(node: Node, nr: int) -> tuple:
    if node._out_meta:
        return node._out_meta[nr]
    v = node.variable  # AccumulateGrad: the leaf itself
    return v._data.shape, v._data.dtype


def _validate(node: Node, grads: tuple) -> list:
    """Check each gradient against the input it flows to: sum broadcast dims, cast dtype."""
    out = list(grads)
    for i, (child, nr) in enumerate(node.next_functions):
        g = out[i]
        if g is None or child is None:
            continue
        shape, dt = _input_meta(child, nr)
        # The common case (same shape and dtype) stays free of the imports below.
        if g._data.shape != shape or g._data.dtype != dt:
            out[i] = _conform(node, i, g, shape, dt)
    return out


def _conform(node: Node, i: int, g: Tensor, shape: tuple, dt) -> Tensor:
    """Sum ``g`` down to ``shape`` (the adjoint of broadcasting) and cast it to ``dt``."""
    from .._dtype import to_dtype as dtype_of
    from ..ops._util import is_expandable_to, sum_to
    from ..ops.pointwise import to_dtype

    if g._data.shape != shape:
        if not is_expandable_to(shape, g._data.shape):
            raise RuntimeError(
                _errors.INVALID_GRAD_SHAPE.format(node.name(), i, list(g._data.shape), list(shape))
            )
        g = sum_to(g, shape)
    if g._data.dtype != dt:
        g = to_dtype(g, dtype_of(dt))
    return g


def _call_tensor_pre_hooks(node: Node, inputs: list, tracer=None) -> list:
    hooks = node._tensor_pre_hooks
    if hooks:
        for nr, fns in hooks.items():
            for fn in tuple(fns.values()):
                if inputs[nr] is None:
                    continue
                new = fn(inputs[nr])
                if tracer is not None:
                    tracer.hook("tensor", node, nr, fn, inputs[nr], new)
                if new is not None:
                    check_hook_result(fn, inputs[nr], new)
                    inputs[nr] = new
    if isinstance(node, AccumulateGrad):
        var_hooks = node.variable._hooks
        if var_hooks and inputs[0] is not None:
            for fn in tuple(var_hooks.values()):
                new = fn(inputs[0])
                if tracer is not None:
                    tracer.hook("tensor", node, 0, fn, inputs[0], new)
                if new is not None:
                    check_hook_result(fn, inputs[0], new)
                    inputs[0] = new
    retained = node._retains_grad
    if retained:
        for nr, ref in retained.items():
            t = ref()
            g = inputs[nr]
            if t is None or g is None:
                continue
            if tracer is not None:
                tracer.hook("retain_grad", node, nr, None, g, None)
            if t._grad is None:
                t._grad = _copy(g)
            else:
                from ..ops.pointwise import add

                t._grad = add(t._grad, g)
    return inputs


def _copy(g: Tensor) -> Tensor:
    # torch's retain_grad hook stores grad.clone(): recorded (CloneBackward0) under create_graph.
    from ..ops.shape import clone

    return clone(g)


def _call_function(node: Node, inputs: list, keep_graph: bool, tracer=None) -> list:
    if node._pre_hooks:
        for fn in tuple(node._pre_hooks.values()):
            new = fn(tuple(inputs))
            if tracer is not None:
                tracer.hook("pre", node, None, fn, tuple(inputs), new)
            if new is not None:
                check_hook_tuple(fn, tuple(inputs), new)
                inputs = list(new)
    for g in inputs:  # a plain loop: no generator (all()) and no == (list.count)
        if g is not None:
            outputs = node.apply(tuple(inputs))
            break
    else:
        if getattr(node, "_always_call", False):
            outputs = node.apply(tuple(inputs))
        else:
            outputs = [None] * len(node.next_functions)
    if not keep_graph:
        node.release_variables()
    outputs = _validate(node, tuple(outputs))
    if node._post_hooks:
        for fn in tuple(node._post_hooks.values()):
            new = fn(tuple(outputs), tuple(inputs))
            if tracer is not None:
                tracer.hook("post", node, None, fn, tuple(outputs), new)
            if new is not None:
                check_hook_tuple(fn, tuple(outputs), new)
                outputs = list(new)
    return outputs


def execute(
    root_edges: list,
    root_grads: list,
    keep_graph: bool,
    create_graph: bool,
    accumulate_grad: bool,
    output_edges: list | None = None,
    tracer=None,
) -> list | None:
    """Run backward from ``root_edges`` (``(node, nr)``) seeded with ``root_grads``.

    With ``output_edges`` and ``accumulate_grad=False`` (``autograd.grad``), returns the
    gradient arriving at each of those edges instead of touching ``.grad``; with
    ``accumulate_grad=True`` (``backward(inputs=...)``) only those leaves accumulate.
    """
    global _current_task
    prev, outer_task = _state.enabled, _current_task
    _state.enabled = create_graph
    if tracer is None:
        tracer = _tracer
    try:
        roots = []
        for node, _ in root_edges:
            if node not in roots:
                roots.append(node)
        deps = _count_dependencies(roots)
        needed = captures = None
        if output_edges is not None:
            targets = {n for n, _ in output_edges}
            on_path = _needed_nodes(roots, targets)
            if accumulate_grad:
                needed = on_path  # backward(inputs=...): the targets run
            else:
                # autograd.grad: a target is only captured, and runs only if it leads on
                # to another target.
                needed = {n for n in on_path if n not in targets or _leads_on(n, on_path)}
                captures = {}
                for idx, (n, nr) in enumerate(output_edges):
                    captures.setdefault(n, []).append((nr, idx))
        captured: list = [None] * (len(output_edges) if output_edges is not None else 0)
        _current_task = (set(roots), deps, needed, captures)

        buffers: dict = {}
        for (node, nr), g in zip(root_edges, root_grads):
            buf = buffers.get(node)
            if buf is None:
                buf = buffers[node] = [None] * (len(node._out_meta) or 1)
            buf[nr] = g if buf[nr] is None else _add(buf[nr], g)
        heap: list = []
        counter = 0
        for node in roots:
            if deps.get(node, 0) == 0:
                heappush(heap, (-node._seq, counter, node))
                counter += 1
        if tracer is not None:
            # The engine's own state objects: the tracer snapshots them after every step.
            tracer.begin(
                root_edges, root_grads, deps, heap, buffers, needed, captures, captured,
                keep_graph, create_graph, accumulate_grad,
            )  # fmt: skip
        while heap:
            _, _, node = heappop(heap)
            inputs = buffers.pop(node)
            if tracer is not None:
                tracer.received(node, inputs)
            if needed is not None:
                run = node in needed
                if captures and node in captures:
                    inputs = _call_tensor_pre_hooks(node, inputs, tracer)
                    for nr, idx in captures[node]:
                        captured[idx] = inputs[nr]
                    if not run:
                        if tracer is not None:
                            tracer.step(node, inputs, None)
                        continue
                    outputs = _call_function(node, inputs, keep_graph, tracer)
                elif not run:
                    if len(root_edges) == 1 and node is roots[0]:
                        # torch runs a lone root directly (no GraphRoot): its tensor
                        # pre-hooks (retain_grad) fire even when nothing below is needed.
                        inputs = _call_tensor_pre_hooks(node, inputs, tracer)
                    if tracer is not None:
                        tracer.step(node, inputs, None)
                    continue
                else:
                    inputs = _call_tensor_pre_hooks(node, inputs, tracer)
                    outputs = _call_function(node, inputs, keep_graph, tracer)
            else:
                inputs = _call_tensor_pre_hooks(node, inputs, tracer)
                outputs = _call_function(node, inputs, keep_graph, tracer)
            for i, (child, nr) in enumerate(node.next_functions):
                if child is None:
                    continue
                if (
                    needed is not None
                    and child not in needed
                    and not (captures and child in captures)
                ):
                    continue
                g = outputs[i]
                buf = buffers.get(child)
                if buf is None:
                    buf = buffers[child] = [None] * (len(child._out_meta) or 1)
                if g is not None:
                    buf[nr] = g if buf[nr] is None else _add(buf[nr], g)
                left = deps[child] - 1
                deps[child] = left
                if left == 0:
                    heappush(heap, (-child._seq, counter, child))
                    counter += 1
            if tracer is not None:
                tracer.step(node, inputs, outputs)
        if tracer is not None:
            tracer.end(None)
        return captured if output_edges is not None and not accumulate_grad else None
    except BaseException as exc:
        if tracer is not None:
            tracer.end(exc)
        raise
    finally:
        _state.enabled, _current_task = prev, outer_task


# The running backward pass (roots, dependency counts, needed nodes, captures), read by
# register_multi_grad_hook to know which tensors will receive a gradient.
_current_task = None


def _will_run(node) -> tuple:
    """``(whether the running backward executes node, a token of the running backward)``."""
    task = _current_task
    if task is None or node is None:
        return False, task
    roots, deps, needed, captures = task
    reached = node in deps or node in roots
    if needed is not None:
        reached = reached and (node in needed or bool(captures and node in captures))
    return reached, task


def _leads_on(node: Node, needed: set) -> bool:
    return any(c in needed for c, _ in node.next_functions if c is not None)


def _add(a: Tensor, b: Tensor) -> Tensor:
    """Sum two gradients arriving at the same input (recorded under create_graph)."""
    from ..ops.pointwise import add

    return add(a, b)


def _obeys_layout(grad, var) -> bool:
    """torch's ``obeys_layout_contract``: may ``grad`` (a numpy array) be stored as the
    ``.grad`` of a leaf with data ``var`` as it is? Same strides wherever a dim is not 1,
    and no 0 stride (a broadcast view) where it is."""
    for n, gs, vs in zip(grad.shape, grad.strides, var.strides):
        if (gs != vs) if n != 1 else (gs == 0):
            return False
    return True


def accumulate_grad(variable: Tensor, grad: Tensor) -> None:
    """``variable.grad += grad``: in place when not recording, so ``.grad`` keeps its identity."""
    from ..tensor import Tensor

    if variable._grad is None:
        if _state.enabled and grad._requires_grad:
            # torch records the copy into the new .grad (CopyBackwards).
            from ..ops._util import edge
            from ..ops.inplace import CopyBackwards

            node = CopyBackwards(((None, 0), edge(grad)), ((grad._data.shape, grad._data.dtype),))
            node.s_src_shape, node.s_src_dtype = grad._data.shape, grad._data.dtype
            variable._grad = Tensor._make(grad._data.copy(), True, node, 0)
        else:
            variable._grad = Tensor._make(grad._data.copy())
            if grad._zero and not _state.enabled and _obeys_layout(grad._data, variable._data):
                # torch steals the ZeroTensor as .grad; it stores a materialized clone when
                # grad mode is on (create_graph) or the layout differs from the leaf's
                variable._grad._zero = True
    elif _state.enabled:
        from ..ops.pointwise import add

        variable._grad = add(variable._grad, grad)
    else:
        if variable._grad._zero:
            # torch's in-place ``grad += new`` on a stolen ZeroTensor (sgn's gradient).
            raise RuntimeError(_errors.ZERO_INPLACE)
        variable._grad._data += grad._data
        variable._grad._vc[0] += 1
    hooks = getattr(variable, "_post_acc_hooks", None)
    if hooks:
        for fn in tuple(hooks.values()):
            fn(variable)
            if _tracer is not None:
                _tracer.hook("post_accumulate_grad", None, 0, fn, variable, None)
