"""Grad modes: whether operations are recorded for backward.

``no_grad``, ``enable_grad`` and ``set_grad_enabled`` work as context managers and as
decorators, like torch's.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor([1.0], requires_grad=True)
    >>> with mg.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]


class _State:
    # One flag for the whole process: minigrad is single-threaded.
    enabled = True


_state = _State()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are recorded."""
    return _state.enabled


class _GradModeContext:
    """Base of the grad-mode managers: a context manager that is also a decorator."""

    _mode: bool = True

    def __enter__(self) -> None:
        self._prev = _state.enabled
        _state.enabled = self._mode

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self._prev

    def __call__(self, func: Callable) -> Callable:
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            prev = _state.enabled
            _state.enabled = mode
            try:
                return func(*args, **kwargs)
            finally:
                _state.enabled = prev

        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_GradModeContext):  # noqa: N801 - torch's name
    """Disable recording: results of operations do not require grad."""

    _mode = False


class enable_grad(_GradModeContext):  # noqa: N801 - torch's name
    """Enable recording, e.g. inside a ``no_grad`` block."""

    _mode = True


class set_grad_enabled(_GradModeContext):  # noqa: N801 - torch's name
    """Set recording on or off. Takes effect at once, like torch, and undoes on exit."""

    def __init__(self, mode: bool) -> None:
        self._prev = _state.enabled
        self._mode = bool(mode)
        _state.enabled = self._mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self._prev

    def __call__(self, func: Callable) -> Callable:
        # Used as a decorator the mode must not stay switched after decoration.
        _state.enabled = self._prev
        return super().__call__(func)

    def clone(self):
        return type(self)(self._mode)
