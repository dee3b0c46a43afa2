"""Saved tensors: what a node keeps from the forward pass for its backward formula.

``mul`` saves both inputs (d(a·b)/da = b), ``exp`` its own output (d eᵃ/da = eᵃ). A saved
tensor remembers the version counter it had when saved, so that backward can refuse a
value an in-place operation changed since; ``retain_graph=False`` frees it after use.
``saved_tensors_hooks`` lets you replace what is kept (pack) and restored (unpack).

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x.exp()
    >>> y.grad_fn._saved_result                    # exp saved its output
    tensor([2.7183, 7.3891], grad_fn=<ExpBackward0>)
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import Any

from .. import _errors
from .._dtype import to_dtype
from ..tensor import Tensor
from .grad_mode import _state

__all__ = [
    "SavedTensor",
    "SavedResultOfInplaceOnView",
    "SavedAttr",
    "save",
    "save_result",
    "saved_tensors_hooks",
    "save_on_cpu",
]

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
                 "_hooks", "_packed", "_leaf_acc", "_requires_grad", "_had_grad_fn")  # fmt: skip

    def __init__(self, tensor: Tensor, is_output: bool = False) -> None:
        if tensor._inference:
            raise RuntimeError(_errors.INFERENCE_SAVED)
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
            self._had_grad_fn = tensor._grad_fn is not None

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
        prev = _state.enabled
        _state.enabled = False  # torch calls pack_hook with grad mode off
        try:
            self._packed = pack(tensor)
        finally:
            _state.enabled = prev

    def _unpack_hooked(self) -> Tensor:
        data = self._hooks(self._packed)
        if not isinstance(data, Tensor):
            raise TypeError(_errors.UNPACK_HOOK_TYPE.format(type(data).__name__))
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
            if self._had_grad_fn and self._tensor._grad_fn is None:
                raise RuntimeError(_errors.SAVED_DETACHED_INPLACE)  # detach_() since saved
            return self._tensor
        out = Tensor._make(self._data, True, self._node(), self._output_nr)
        out._vc = self._vc
        return out

    def _saved_for(self) -> tuple:
        return self._node(), self._output_nr

    def _modified_message(self) -> str:
        if self._tensor is not None:
            current = self._tensor
        else:
            current = self._orig()
        if current is not None:
            # (grad_fn: a view whose base changed in place names its regenerated node)
            data, grad_fn, nr = current._data, current.grad_fn, current._output_nr
        else:
            data, grad_fn, nr = self._data, self._node(), self._output_nr
        if isinstance(self._node, weakref.ref):
            # A saved output names the node that saved it (torch's saved_for), not the
            # grad_fn an in-place op gave the tensor afterwards.
            grad_fn, nr = self._saved_for()
        which = ""
        if grad_fn is not None:
            op = _BACKWARD_SUFFIX.sub("", grad_fn.name())
            which = _errors.MODIFIED_SAVED_WHICH.format(nr, op)
        return _errors.MODIFIED_SAVED.format(
            type=to_dtype(data.dtype)._legacy,
            sizes=list(data.shape),
            which=which,
            now=self._vc[0],
            saved=self._version,
        )


class SavedResultOfInplaceOnView(SavedTensor):
    """The result saved by an in-place op on a view (``relu_``, ``exp_``): torch keeps a
    weak reference to the view's ``grad_fn`` after the op (an ``AsStridedBackward0``) and
    unpacks with it while it lives, with the op's own node otherwise."""

    __slots__ = ("_view_fn",)

    def _saved_for(self) -> tuple:
        fn = self._view_fn()
        return (fn, 0) if fn is not None else SavedTensor._saved_for(self)

    def unpack(self) -> Tensor:
        out = SavedTensor.unpack(self)
        out._grad_fn, out._output_nr = self._saved_for()
        return out


def save(t) -> SavedTensor | None:
    """Save an input for backward (None stays None; Python scalars stay as they are)."""
    if isinstance(t, Tensor):
        return SavedTensor(t)
    return t


def save_result(out: Tensor) -> SavedTensor:
    """Save an operation's own output for backward."""
    return SavedTensor(out, is_output=True)


class SavedAttr:
    """Exposes a node's saved value as torch does (``_saved_self``), unpacking tensors.

    Example: ``MulBackward0`` keeps ``a`` in its slot ``s_self``; ``node._saved_self``
    unpacks it (checking its version), as torch's attribute of that name does.
    """

    __slots__ = ("slot",)

    def __init__(self, slot: str) -> None:
        self.slot = slot

    def __get__(self, node, owner=None):
        if node is None:
            return self
        value = getattr(node, self.slot)
        if isinstance(value, SavedTensor):
            return value.unpack()
        return value


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
            return ("cpu", Tensor._make(tensor._data.copy()))

        def unpack_from_cpu(packed):
            return packed[1]

        super().__init__(pack_to_cpu, unpack_from_cpu)
