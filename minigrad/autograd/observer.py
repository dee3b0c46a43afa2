"""Watching the engine run: the ``BackwardObserver`` protocol and ``observe_backward``.

The engine can report what it does to an observer, e.g. ``minigrad.viz.trace_backward``,
which records every step to draw it. Register one for a block of code:

    with observe_backward(my_observer):
        loss.backward()

Every run of the engine inside the block (``backward()``, ``autograd.grad``, a nested
backward started by a hook) calls the innermost observer, in this order:

- ``begin(task)``: once, before the first step, with the run's :class:`GraphTask`
  (``minigrad.autograd.engine``): its roots and seeds, dependency counts, ready queue,
  waiting gradients, and what ``inputs=`` restricts. Read it; never change it.
- ``received(node, grads)``: the engine popped ``node``; ``grads`` arrived for its outputs.
- ``hook(kind, node, input_nr, fn, before, after)``: a hook ``fn`` ran; ``kind`` is
  ``"tensor"``, ``"retain_grad"``, ``"pre"``, ``"post"`` or ``"post_accumulate_grad"``;
  ``after`` is what it returned (None: kept ``before``).
- ``step(node, grads, outputs)``: the node is done; ``grads`` after tensor hooks,
  ``outputs`` per ``next_functions`` edge, or None when the node did not run (only
  captured by ``autograd.grad``, or pruned by ``inputs=``).
- ``end(error)``: once, with the exception that stopped the run, or None.

With no observer registered the engine pays one ``is not None`` test per report.

Example:
    >>> import minigrad as mg
    >>> class Names:
    ...     def __init__(self): self.seen = []
    ...     def begin(self, task): pass
    ...     def received(self, node, grads): self.seen.append(node.name())
    ...     def hook(self, kind, node, input_nr, fn, before, after): pass
    ...     def step(self, node, grads, outputs): pass
    ...     def end(self, error): pass
    >>> x = mg.tensor(2.0, requires_grad=True)
    >>> with observe_backward(Names()) as names:
    ...     (x * x).backward()
    >>> names.seen
    ['MulBackward0', 'torch::autograd::AccumulateGrad']
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

__all__ = ["BackwardObserver", "observe_backward", "current_observer"]


class BackwardObserver(Protocol):
    """What the engine calls while it runs (see the module docstring for the order)."""

    def begin(self, task: Any) -> None: ...

    def received(self, node: Any, grads: list) -> None: ...

    def hook(
        self,
        kind: str,
        node: Any,
        input_nr: int | None,
        fn: Callable | None,
        before: Any,
        after: Any,
    ) -> None: ...

    def step(self, node: Any, grads: list, outputs: list | None) -> None: ...

    def end(self, error: BaseException | None) -> None: ...


# The registered observers, innermost last; only the innermost one is called.
_observers: list = []

O = TypeVar("O", bound=BackwardObserver)


@contextlib.contextmanager
def observe_backward(observer: O) -> Iterator[O]:
    """Report every backward run inside the block to ``observer`` (and yield it)."""
    _observers.append(observer)
    try:
        yield observer
    finally:
        _observers.remove(observer)


def current_observer() -> BackwardObserver | None:
    """The innermost registered observer, or None."""
    return _observers[-1] if _observers else None
