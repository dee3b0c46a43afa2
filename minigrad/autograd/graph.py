"""The backward graph: ``Node`` (a ``grad_fn``), ``AccumulateGrad`` and saved tensors.

Every operation on tensors that require grad creates one ``Node``. Its ``next_functions``
is a tuple of ``(node or None, input_nr)`` pairs, one per input of the operation: the edge
along which that input's gradient travels. Leaves end in an ``AccumulateGrad`` node, one per
leaf, shared by every path.

Example:
    >>> import minigrad as mg
    >>> w = mg.tensor([1.0], requires_grad=True)
    >>> (w + 1).grad_fn.next_functions
    ((<AccumulateGrad object at 0x...>, 0), (None, 0))
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from .. import _errors

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = [
    "Node",
    "AccumulateGrad",
    "SavedTensor",
    "RemovableHandle",
    "GradientEdge",
    "get_gradient_edge",
    "saved_tensors_hooks",
    "save_on_cpu",
    "register_multi_grad_hook",
]

# minigrad.tensor.Tensor, set by that module once the class exists (it imports this one):
# unpacking a saved output rebuilds a tensor on every backward, without an import there.
_Tensor: Any = None

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

    def __init__(self, next_functions: tuple, out_meta: tuple = ()) -> None:
        self.next_functions = next_functions
        self._seq = next(_sequence)
        # ((shape, np dtype), ...) of each output: gradients arriving here are checked
        # against it, and summed down to it where broadcasting widened them.
        self._out_meta = out_meta

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

    def __call__(self, *grad_outputs: Tensor) -> tuple:
        return self.apply(grad_outputs)

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


class AccumulateGrad(Node):
    """The node that adds a gradient into a leaf's ``.grad``; ``variable`` is the leaf."""

    __slots__ = ("variable", "_post_acc_hooks")

    def __init__(self, variable: Tensor) -> None:
        Node.__init__(self, ())
        self.variable = variable
        self._post_acc_hooks = None
        # Run before any other ready node, like torch (its sequence number is the maximum).
        self._seq = float("inf")

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def apply(self, grad_outputs: tuple) -> tuple:
        from .engine import accumulate_grad

        grad = grad_outputs[0]
        if grad is not None:
            accumulate_grad(self.variable, grad)
        return ()


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
        raise RuntimeError(
            "It is not possible to get the gradient edge for a Tensor that does not "
            "require gradients"
        )
    node, nr = tensor._edge()
    return GradientEdge(node, nr)


# torch names the op in its "modified by an inplace operation" error as ExpBackward0 -> "Exp",
# MaxBackward1 -> "Max1": "Backward0" goes, any other number stays.
_BACKWARD_SUFFIX = re.compile(r"Backward(?:0$|(?=\d*$))")


class SavedTensor:
    """A tensor saved for backward, checked against its version counter when unpacked.

    A node's own output is saved without a strong reference to the node (the output's
    ``grad_fn`` *is* the node: a strong one would be a cycle); unpacking rebuilds a tensor
    with that ``grad_fn``, which is why a saved output is not the original object.
    """

    __slots__ = ("_tensor", "_data", "_vc", "_version", "_node", "_output_nr", "_orig", "_released",
                 "_hooks", "_packed", "_leaf_acc", "_requires_grad")  # fmt: skip

    def __init__(self, tensor: Tensor, is_output: bool = False) -> None:
        self._vc = tensor._vc
        self._version = tensor._vc[0]
        self._released = False
        self._hooks = None
        # Python numbers wrapped as tensors are never shown to hooks (as in torch).
        if _saved_hooks_stack and type(tensor).__name__ != "WrappedNumber":
            self._pack(tensor, is_output)
            return
        if is_output:
            self._tensor = None
            self._data = tensor._data
            self._node = weakref.ref(tensor._grad_fn)
            self._output_nr = tensor._output_nr
            self._orig = weakref.ref(tensor)
        else:
            self._tensor = tensor
            self._data = None
            self._node = None
            self._output_nr = 0
            self._orig = None

    def _pack(self, tensor: Tensor, is_output: bool) -> None:
        # torch's SavedVariable with hooks: keep only what pack_hook returned, plus the
        # edge the unpacked tensor will need (its grad_fn, or its leaf's AccumulateGrad).
        pack, unpack = _saved_hooks_stack[-1]
        self._hooks = unpack
        self._tensor = self._data = self._orig = None
        self._output_nr = tensor._output_nr
        self._requires_grad = tensor._requires_grad
        self._leaf_acc = None
        if is_output:
            self._node = weakref.ref(tensor._grad_fn)
        elif tensor._grad_fn is not None:
            self._node = tensor._grad_fn
        else:
            self._node = None
            if tensor._requires_grad:
                self._leaf_acc = tensor._grad_accumulator()
        from .grad_mode import _state

        prev = _state.enabled
        _state.enabled = False  # torch calls pack_hook with grad mode off
        try:
            self._packed = pack(tensor)
        finally:
            _state.enabled = prev

    def _unpack_hooked(self) -> Tensor:
        from ..tensor import Tensor

        data = self._hooks(self._packed)
        if not isinstance(data, Tensor):
            raise TypeError(
                "Output of saved tensor unpack_hook expected to be a Tensor but got result of "
                f"type {type(data).__name__}"
            )
        node = self._node() if isinstance(self._node, weakref.ref) else self._node
        if node is not None:
            return Tensor._make(data._data, True, node, self._output_nr)
        out = Tensor._make(data._data, self._requires_grad)
        if self._leaf_acc is not None:
            out._grad_acc = weakref.ref(self._leaf_acc)
        return out

    def release(self) -> None:
        self._released = True
        self._tensor = None
        self._data = None
        if self._hooks is not None:
            self._packed = None

    def unpack(self) -> Tensor:
        """The saved tensor; raises torch's errors if it was freed or modified in place."""
        if self._released:
            raise RuntimeError(_errors.BACKWARD_TWICE)
        if self._hooks is not None:
            return self._unpack_hooked()  # torch skips the version check with hooks
        if self._vc[0] != self._version:
            raise RuntimeError(self._modified_message())
        if self._tensor is not None:
            return self._tensor
        out = _Tensor._make(self._data, True, self._node(), self._output_nr)
        out._vc = self._vc
        return out

    def _modified_message(self) -> str:
        if self._tensor is not None:
            current = self._tensor
        else:
            current = self._orig()
        if current is not None:
            data, grad_fn, nr = current._data, current._grad_fn, current._output_nr
        else:
            data, grad_fn, nr = self._data, self._node(), self._output_nr
        if isinstance(self._node, weakref.ref):
            # A saved output names the node that saved it (torch's saved_for), not the
            # grad_fn an in-place op gave the tensor afterwards.
            grad_fn, nr = self._node(), self._output_nr
        which = ""
        if grad_fn is not None:
            op = _BACKWARD_SUFFIX.sub("", grad_fn.name())
            which = f", which is output {nr} of {op},"
        from .._dtype import to_dtype

        return _errors.MODIFIED_SAVED.format(
            type=to_dtype(data.dtype)._legacy,
            sizes=list(data.shape),
            which=which,
            now=self._vc[0],
            saved=self._version,
        )


# The active (pack_hook, unpack_hook) pairs, innermost last: SavedTensor uses the last one.
_saved_hooks_stack: list = []


class saved_tensors_hooks:  # noqa: N801 - torch's name
    """Context manager: ``pack_hook(t)`` runs when an operation saves ``t`` for backward,
    ``unpack_hook(packed)`` when backward reads it (and must return a tensor).

    Math: backward sees unpack_hook(pack_hook(t)) wherever it would have used t.

    Example:
        >>> import minigrad as mg
        >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
        >>> with mg.autograd.graph.saved_tensors_hooks(lambda t: t * 0 + 5, lambda p: p):
        ...     y = x * x
        >>> y.sum().backward(); x.grad
        tensor([10., 10.])
    """

    def __init__(self, pack_hook: Callable[[Tensor], Any], unpack_hook: Callable[[Any], Tensor]):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> None:
        _saved_hooks_stack.append((self.pack_hook, self.unpack_hook))

    def __exit__(self, *args: object) -> None:
        _saved_hooks_stack.pop()


class save_on_cpu(saved_tensors_hooks):  # noqa: N801 - torch's name
    """Saved tensors are kept as copies "on the CPU" (minigrad has only the CPU: a copy)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack_to_cpu(tensor: Tensor):
            from ..tensor import Tensor as _T

            return ("cpu", _T._make(tensor._data.copy()))

        def unpack_from_cpu(packed):
            return packed[1]

        super().__init__(pack_to_cpu, unpack_from_cpu)


class _MultiHandle(RemovableHandle):
    __slots__ = ("_handles",)

    def __init__(self, handles: tuple) -> None:
        self._handles = handles

    def remove(self) -> None:
        for h in self._handles:
            h.remove()


def register_multi_grad_hook(tensors, fn: Callable, *, mode: str = "all") -> RemovableHandle:
    """Call ``fn`` once the gradients of ``tensors`` were computed in a backward pass.

    ``mode="all"``: ``fn(grads)`` with one entry per tensor (None for those the pass does not
    reach), after all of them are known. ``mode="any"``: ``fn(grad)`` for the first one.
    """
    from .engine import _will_run

    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
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
