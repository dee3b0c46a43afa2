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

    __slots__ = (
        "next_functions",
        "_seq",
        "_out_meta",
        "_metadata",
        "_pre_hooks",
        "_post_hooks",
        "_tensor_pre_hooks",
        "_retains_grad",
        "__weakref__",
    )

    def __init__(self, next_functions: tuple, out_meta: tuple = ()) -> None:
        self.next_functions = next_functions
        self._seq = next(_sequence)
        # ((shape, np dtype), ...) of each output: gradients arriving here are checked
        # against it, and summed down to it where broadcasting widened them.
        self._out_meta = out_meta
        self._metadata = None
        self._pre_hooks = None
        self._post_hooks = None
        self._tensor_pre_hooks = None
        self._retains_grad = None

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


_BACKWARD_SUFFIX = re.compile(r"Backward\d*$")


class SavedTensor:
    """A tensor saved for backward, checked against its version counter when unpacked.

    A node's own output is saved without a strong reference to the node (the output's
    ``grad_fn`` *is* the node: a strong one would be a cycle); unpacking rebuilds a tensor
    with that ``grad_fn``, which is why a saved output is not the original object.
    """

    __slots__ = ("_tensor", "_data", "_vc", "_version", "_node", "_output_nr", "_orig", "_released")

    def __init__(self, tensor: Tensor, is_output: bool = False) -> None:
        self._vc = tensor._vc
        self._version = tensor._vc[0]
        self._released = False
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

    def release(self) -> None:
        self._released = True
        self._tensor = None
        self._data = None

    def unpack(self) -> Tensor:
        """The saved tensor; raises torch's errors if it was freed or modified in place."""
        if self._released:
            raise RuntimeError(_errors.BACKWARD_TWICE)
        if self._vc[0] != self._version:
            raise RuntimeError(self._modified_message())
        if self._tensor is not None:
            return self._tensor
        from ..tensor import Tensor

        out = Tensor._make(self._data, True, self._node(), self._output_nr)
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
