"""Tensor hooks: ``register_hook`` and ``register_post_accumulate_grad_hook``.

A hook on a non-leaf lives on its ``grad_fn`` (keyed by the tensor's output number) and
sees the gradient before the node runs; a hook on a leaf is read by its
``AccumulateGrad`` node before the gradient is accumulated. Both may return a
replacement gradient, as in torch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from .. import _errors
from ..tensor import Tensor
from .graph import RemovableHandle

__all__ = ["register_tensor_hook", "register_post_accumulate_grad_hook", "tensor_hooks"]


def register_tensor_hook(t: Tensor, hook: Callable) -> RemovableHandle:
    """Register ``hook(grad) -> grad or None`` on ``t``."""
    if not t._requires_grad:
        raise RuntimeError(_errors.HOOK_NO_GRAD)
    node = t.grad_fn
    if node is None:
        if t._hooks is None:
            t._hooks = OrderedDict()
        hooks = t._hooks
    else:
        if node._tensor_pre_hooks is None:
            node._tensor_pre_hooks = {}
        hooks = node._tensor_pre_hooks.setdefault(t._output_nr, OrderedDict())
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def register_post_accumulate_grad_hook(t: Tensor, hook: Callable) -> RemovableHandle:
    """Register ``hook(t)`` to run after a gradient was accumulated into ``t.grad``."""
    if not t._requires_grad:
        raise RuntimeError(_errors.HOOK_NO_GRAD)
    if t.grad_fn is not None:
        raise RuntimeError(_errors.POST_ACC_HOOK_NON_LEAF)
    hooks = t.__dict__.setdefault("_post_acc_hooks", OrderedDict())
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def tensor_hooks(t: Tensor):
    """The hooks ``register_hook`` put on ``t`` (an ordered dict), or None."""
    node = t.grad_fn
    if node is None:
        return t._hooks
    node_hooks = node._tensor_pre_hooks
    return None if node_hooks is None else node_hooks.get(t._output_nr)


def _hook_name(hook: Callable) -> str:
    return getattr(hook, "__name__", "<unknown>")


def check_hook_result(hook: Callable, original, result) -> None:
    """torch's checks on a gradient a hook returned: a tensor of the same dtype and shape."""
    if result is None:
        return
    if original is None:
        raise RuntimeError(_errors.HOOK_REPLACED_NONE)
    if not isinstance(result, Tensor):
        raise TypeError(_errors.HOOK_NOT_TENSOR.format(type(result).__name__))
    if result._data.dtype != original._data.dtype:
        raise RuntimeError(
            _errors.HOOK_CHANGED_TYPE.format(
                _hook_name(hook), original.dtype._legacy, result.dtype._legacy
            )
        )
    if result._data.shape != original._data.shape:
        raise RuntimeError(_errors.HOOK_CHANGED_SIZE.format(_hook_name(hook)))


def check_hook_tuple(hook: Callable, original: tuple, result) -> None:
    """torch's checks on the tuple a node pre-hook or post-hook returned."""
    if not isinstance(result, tuple):
        raise TypeError(_errors.HOOK_NOT_TUPLE.format(type(result).__name__))
    if len(result) != len(original):
        raise RuntimeError(
            _errors.HOOK_WRONG_COUNT.format(_hook_name(hook), len(result), len(original))
        )
    for old, new in zip(original, result):
        check_hook_result(hook, old, new)
