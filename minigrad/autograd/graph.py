"""The backward graph: ``Node``, the class of every ``grad_fn``.

Every operation on tensors that require grad creates one ``Node``. Its ``next_functions``
is a tuple of ``(node or None, input_nr)`` pairs, one per input of the operation: the edge
along which that input's gradient travels. Leaves end in an ``AccumulateGrad`` node
(``accumulate_grad.py``), one per leaf, shared by every path. ``apply(grads)`` is the
node's backward formula: gradients of its outputs in, gradients of its inputs out.

Example:
    >>> import minigrad as mg
    >>> w = mg.tensor([1.0], requires_grad=True)
    >>> (w + 1).grad_fn.next_functions
    ((<AccumulateGrad object at 0x...>, 0), (None, 0))
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from .. import _errors
from .anomaly_mode import _state as _anomaly
from .anomaly_mode import remember as _remember_forward_stack
from .saved import SavedTensor, save_on_cpu, saved_tensors_hooks

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = [
    "Node",
    "RemovableHandle",
    "GradientEdge",
    "get_gradient_edge",
    "saved_tensors_hooks",
    "save_on_cpu",
    "register_multi_grad_hook",
]

# Creation order of nodes: the engine runs ready nodes with the highest number first,
# exactly like torch's ready queue (later operations before earlier ones).
_sequence = itertools.count()


class RemovableHandle:
    """Handle returned by ``register_hook``; ``remove()`` unregisters the hook."""

    __slots__ = ("_hooks", "id")
    _ids = itertools.count()

    def __init__(self, hooks: dict) -> None:
        self._hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


class Node:
    """A node of the backward graph: the ``grad_fn`` of a tensor.

    ``apply(grad_outputs)`` maps the gradients of the node's outputs to the gradients of
    its inputs (one per entry of ``next_functions``), using minigrad operations so that
    ``create_graph=True`` records them.
    """

    __slots__ = ("next_functions", "_seq", "_out_meta", "__weakref__", "__dict__")

    # Rarely set, so class-level defaults (an instance's own value lives in its __dict__,
    # created only then): creating a node costs five stores less.
    _metadata: dict | None = None
    _pre_hooks: OrderedDict | None = None
    _post_hooks: OrderedDict | None = None
    _tensor_pre_hooks: dict | None = None
    _retains_grad: dict | None = None
    # Whether the engine calls apply() even when every incoming gradient is None (custom
    # Functions do, so that their backward sees zeros; built-in nodes pass the Nones on).
    _always_call: bool = False

    def __init__(self, next_functions: tuple, out_meta: tuple = ()) -> None:
        self.next_functions = next_functions
        self._seq = next(_sequence)
        # ((shape, np dtype), ...) of each output: gradients arriving here are checked
        # against it, and summed down to it where broadcasting widened them.
        self._out_meta = out_meta
        if _anomaly.enabled:  # detect_anomaly(): remember the forward line that made this node
            _remember_forward_stack(self)

    # -- torch.autograd.graph.Node API -------------------------------------------------
    def name(self) -> str:
        """The node's class name, e.g. ``MulBackward0``."""
        return type(self).__name__

    @property
    def metadata(self) -> dict:
        """A dict for your own annotations, kept with the node."""
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    @property
    def requires_grad(self) -> bool:
        return True

    def register_hook(self, fn: Callable) -> RemovableHandle:
        """Call ``fn(grad_inputs, grad_outputs)`` after the node runs; it may return new grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = OrderedDict()
        handle = RemovableHandle(self._post_hooks)
        self._post_hooks[handle.id] = fn
        return handle

    def register_prehook(self, fn: Callable) -> RemovableHandle:
        """Call ``fn(grad_outputs)`` before the node runs; it may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = OrderedDict()
        handle = RemovableHandle(self._pre_hooks)
        self._pre_hooks[handle.id] = fn
        return handle

    def _sequence_nr(self) -> int:
        return self._seq

    def __call__(self, *grad_outputs: Tensor) -> Tensor | tuple:
        """Run the backward formula: one gradient per output in, the inputs' gradients out.

        As in torch, a node with one input returns its gradient itself, not a 1-tuple:
        ``(x * 3).grad_fn(g)`` is ``3 * g``; ``(x * y).grad_fn(g)`` is ``(g * y, g * x)``.
        """
        expected = len(self._out_meta) or 1
        if len(grad_outputs) != expected:
            raise TypeError(_errors.NODE_CALL_ARGS.format(expected, len(grad_outputs)))
        grads = tuple(self.apply(grad_outputs))
        return grads[0] if len(grads) == 1 else grads

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    # -- engine interface ---------------------------------------------------------------
    def apply(self, grad_outputs: tuple) -> tuple:  # pragma: no cover - abstract
        raise NotImplementedError

    # Names of the slots that hold SavedTensors, freed by release_variables().
    _saved: tuple = ()

    def release_variables(self) -> None:
        """Free saved tensors (after a backward without ``retain_graph``)."""
        for slot in self._saved:
            value = getattr(self, slot, None)
            if isinstance(value, SavedTensor):
                value.release()

    def _needs(self, i: int) -> bool:
        """Whether input ``i`` needs a gradient (its edge leads somewhere)."""
        return self.next_functions[i][0] is not None


class GradientEdge(NamedTuple):
    """An edge into the graph: ``node`` and the ``output_nr`` of its output."""

    node: Node
    output_nr: int
    ownership_token: Any = None

    def __repr__(self) -> str:
        return (
            f"GradientEdge(node={self.node!r}, output_nr={self.output_nr}, "
            f"ownership_token={self.ownership_token})"
        )


def get_gradient_edge(tensor: Tensor) -> GradientEdge:
    """The edge a tensor's gradient flows into: its ``grad_fn`` or its ``AccumulateGrad``."""
    if not tensor.requires_grad:
        raise RuntimeError(_errors.GRADIENT_EDGE_NO_GRAD)
    node, nr = tensor._edge()
    return GradientEdge(node, nr)


class _MultiHandle(RemovableHandle):
    __slots__ = ("_handles",)

    def __init__(self, handles: tuple) -> None:
        self._handles = handles

    def remove(self) -> None:
        for h in self._handles:
            h.remove()


# The backward passes running now, innermost last (a hook may run a nested backward): the
# engine pushes its graph task when a run starts and pops it when the run ends. Each task
# answers ``will_run(node)``: does this run execute (or capture) the node?
running_tasks: list = []


def _will_run(node) -> tuple:
    """``(whether the running backward executes node, a token of the running backward)``."""
    task = running_tasks[-1] if running_tasks else None
    if task is None or node is None:
        return False, task
    return task.will_run(node), task


def register_multi_grad_hook(tensors, fn: Callable, *, mode: str = "all") -> RemovableHandle:
    """Call ``fn`` once the gradients of ``tensors`` were computed in a backward pass.

    ``mode="all"``: ``fn(grads)`` with one entry per tensor (None for those the pass does not
    reach), after all of them are known. ``mode="any"``: ``fn(grad)`` for the first one.
    """
    if mode not in ("all", "any"):
        raise ValueError(_errors.MULTI_GRAD_HOOK_MODE.format(mode))
    tensors = tuple(tensors)
    state: dict = {"task": None, "grads": None, "count": 0}

    def make_hook(i: int):
        def hook(grad):
            task, token = _will_run(None)
            if state["task"] is not token:
                state["task"], state["grads"], state["count"] = token, [None] * len(tensors), 0
                state["expected"] = sum(
                    1 for t in tensors if _will_run(t.grad_fn or t._grad_accumulator())[0]
                )
            if mode == "any":
                if state["count"] == 0:
                    state["count"] = 1
                    fn(grad)
                return None
            state["grads"][i] = grad
            state["count"] += 1
            if state["count"] == state["expected"]:
                fn(state["grads"])
            return None

        return hook

    handles = tuple(t.register_hook(make_hook(i)) for i, t in enumerate(tensors) if t.requires_grad)
    return _MultiHandle(handles)
