"""Re-entrant backward: a backward called while a backward runs, nested without limit.

A custom Function's ``backward`` (or a hook) may itself call ``backward()``: the engine
runs that inner pass to the end, with the same machinery (a new ``GraphTask`` on the same
``_run`` loop), while the outer pass waits inside the node that called it. The waiting is
the one part that cannot be a loop: the outer ``backward`` is your Python code, stopped
in the middle of a line until the inner pass returns, so each level of nesting keeps a
few Python frames. Python limits how many (``sys.getrecursionlimit()``), and torch's C++
stack is limited too; torch's answer is to hand a deeply nested pass to a fresh worker
thread, whose stack starts empty, while the caller waits. minigrad does the same, once
half of Python's recursion budget is used: 2,000 nested backward calls run on a few dozen
threads, one after the other (never two at once), and finish as in torch.

Example:
    >>> import minigrad as mg
    >>> class Deep(mg.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         with mg.enable_grad():
    ...             ctx.x = x.detach().requires_grad_() - 1
    ...         return ctx.x.detach()
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         if ctx.x >= 0:  # one nested backward per level
    ...             with mg.enable_grad():
    ...                 Deep.apply(ctx.x).sum().backward()
    ...         return g
    >>> v = mg.tensor(2000.0, requires_grad=True)
    >>> Deep.apply(v).backward(); v.grad
    tensor(1.)
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

__all__ = ["stack_is_deep", "run_on_fresh_thread"]


def stack_is_deep() -> bool:
    """Has this thread used half of Python's recursion budget?"""
    try:
        sys._getframe(sys.getrecursionlimit() // 2)
    except ValueError:  # fewer frames than that on the stack
        return False
    return True


def run_on_fresh_thread(fn: Callable, *args) -> None:
    """``fn(*args)`` on a new thread while this one waits; its exception is raised here."""
    failure: list = []

    def target() -> None:
        try:
            fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
            failure.append(exc)

    worker = threading.Thread(target=target, name="minigrad-reentrant-backward")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
