"""``autograd.Variable``: torch's legacy name for a tensor, and the engine's handle.

``Variable(t)`` is a tensor (every tensor is a ``Variable`` for ``isinstance``). The one
part still in use is ``Variable._execution_engine.queue_callback(fn)``: call ``fn()`` once
the running backward pass has finished (after its last node), in the order queued.

Example:
    >>> import minigrad as mg
    >>> done = []
    >>> x = mg.tensor(2.0, requires_grad=True)
    >>> h = x.register_hook(
    ...     lambda g: mg.autograd.Variable._execution_engine.queue_callback(
    ...         lambda: done.append(x.grad)))
    >>> (x * x).backward(); done
    [tensor(4.)]
"""

from __future__ import annotations

from collections.abc import Callable

from .. import _errors
from ..tensor import Tensor
from .graph import running_tasks

__all__ = ["Variable"]


class _ExecutionEngine:
    """torch's ``Variable._execution_engine``: the engine, as far as Python code sees it."""

    def queue_callback(self, callback: Callable[[], None]) -> None:
        """Run ``callback()`` when the innermost running backward pass ends."""
        if not running_tasks:
            raise RuntimeError(_errors.CALLBACK_OUTSIDE_BACKWARD)
        running_tasks[-1].final_callbacks.append(callback)


class _VariableMeta(type):
    def __instancecheck__(cls, other) -> bool:
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False)``: a tensor sharing ``data``'s values."""

    _execution_engine = _ExecutionEngine()

    def __new__(cls, data: Tensor, requires_grad: bool = False) -> Tensor:  # type: ignore[misc]
        return data.detach().requires_grad_(requires_grad)
