"""Tensor hooks: ``register_hook`` and ``register_post_accumulate_grad_hook``.

A hook on a non-leaf lives on its ``grad_fn`` (keyed by the tensor's output number) and
sees the gradient before the node runs; a hook on a leaf is read by its
``AccumulateGrad`` node before the gradient is accumulated. Both may return a
replacement gradient, as in torch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from .. import _errors
from .graph import RemovableHandle

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["register_tensor_hook", "register_post_accumulate_grad_hook"]


def register_tensor_hook(t: Tensor, hook: Callable) -> RemovableHandle:
    """Register ``hook(grad) -> grad or None`` on ``t``."""
    if not t._requires_grad:
        raise RuntimeError(_errors.HOOK_NO_GRAD)
    if t._grad_fn is None:
        if t._hooks is None:
            t._hooks = OrderedDict()
        hooks = t._hooks
    else:
        node = t._grad_fn
        if node._tensor_pre_hooks is None:
            node._tensor_pre_hooks = {}
        hooks = node._tensor_pre_hooks.setdefault(t._output_nr, OrderedDict())
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def register_post_accumulate_grad_hook(t: Tensor, hook: Callable) -> RemovableHandle:
    """Register ``hook(t)`` to run after a gradient was accumulated into ``t.grad``."""
    if not t._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if t._grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    hooks = t.__dict__.setdefault("_post_acc_hooks", OrderedDict())
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def _hook_name(hook: Callable) -> str:
    return getattr(hook, "__name__", "<unknown>")


def check_hook_result(hook: Callable, original, result) -> None:
    """torch's checks on a gradient a hook returned: a tensor of the same dtype and shape."""
    from ..tensor import Tensor

    if result is None:
        return
    if original is None:
        raise RuntimeError("can't replace a None gradient with a non-None value")
    if not isinstance(result, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")
    if result._data.dtype != original._data.dtype:
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has changed the type of value (was "
            f"{original.dtype._legacy} got {result.dtype._legacy})"
        )
    if result._data.shape != original._data.shape:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")


def check_hook_tuple(hook: Callable, original: tuple, result) -> None:
    """torch's checks on the tuple a node pre-hook or post-hook returned."""
    if not isinstance(result, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(result).__name__}'")
    if len(result) != len(original):
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has returned an incorrect number of values (got "
            f"{len(result)}, but expected {len(original)})"
        )
    for old, new in zip(original, result):
        check_hook_result(hook, old, new)
