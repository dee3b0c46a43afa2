"""Grad modes: whether operations are recorded for backward.

``no_grad``, ``enable_grad`` and ``set_grad_enabled`` work as context managers and as
decorators, like torch's: ``@no_grad()``, ``@no_grad``, ``no_grad(fn)``. A decorated
generator runs in the mode only while it runs: the caller's mode is back at every ``yield``.

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
import inspect
import sys
import warnings
from collections.abc import Callable
from typing import Any

from .. import _errors

__all__ = [
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "set_multithreading_enabled",
    "is_multithreading_enabled",
]


class _State:
    # One flag for the whole process: minigrad is single-threaded.
    enabled = True
    # torch's multithreaded-backward switch: minigrad's engine always runs on the calling
    # thread, so the flag is only remembered.
    multithreading = True


_state = _State()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are recorded."""
    return _state.enabled


def _set_enabled(mode: bool) -> None:
    """torch's ``_set_grad_enabled``: a bool, nothing else."""
    if not isinstance(mode, bool):
        raise TypeError(_errors.SET_GRAD_ENABLED_TYPE.format(type(mode).__name__))
    _state.enabled = mode


def _wrap_generator(ctx_factory: Callable, func: Callable) -> Callable:
    """A generator function whose body runs in the mode: it is entered again at every
    resumption (``next``, ``send``, ``throw``, ``close``) and left at every ``yield``."""

    @functools.wraps(func)
    def generator_context(*args, **kwargs):
        gen = func(*args, **kwargs)
        try:
            with ctx_factory():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with ctx_factory():
                        gen.close()
                    raise
                except BaseException:
                    with ctx_factory():
                        response = gen.throw(*sys.exc_info())
                else:
                    with ctx_factory():
                        response = gen.send(request)
        except StopIteration as e:
            return e.value

    return generator_context


class _GradModeContext:
    """Base of the grad-mode managers: a context manager that is also a decorator."""

    def __call__(self, func: Callable) -> Callable:
        if inspect.isclass(func):
            warnings.warn(_errors.DECORATING_CLASS_WARNING, FutureWarning, stacklevel=2)
            cls = func

            def func(*args, **kwargs):
                return cls(*args, **kwargs)

        ctx_factory = self.clone
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(ctx_factory, func)

        @functools.wraps(func)
        def decorate_context(*args, **kwargs):
            with ctx_factory():
                return func(*args, **kwargs)

        return decorate_context

    def clone(self):
        return type(self)()


class _NoParamGradModeContext(_GradModeContext):
    """A manager that also decorates without parentheses: ``no_grad(fn)`` is ``no_grad()(fn)``."""

    def __new__(cls, orig_func: Callable | None = None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamGradModeContext):  # noqa: N801 - torch's name
    """Disable recording: results of operations do not require grad."""

    def __enter__(self) -> None:
        self._prev = _state.enabled
        _state.enabled = False

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self._prev


class enable_grad(_NoParamGradModeContext):  # noqa: N801 - torch's name
    """Enable recording, e.g. inside a ``no_grad`` block."""

    def __enter__(self) -> None:
        self._prev = _state.enabled
        _state.enabled = True

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self._prev


class set_grad_enabled(_GradModeContext):  # noqa: N801 - torch's name
    """Set recording on or off. Takes effect at once, like torch, and undoes on exit."""

    def __init__(self, mode: bool) -> None:
        self._prev = _state.enabled
        self._mode = mode
        _set_enabled(mode)

    def __enter__(self) -> None:
        _set_enabled(self._mode)

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self._prev

    def __call__(self, func: Callable) -> Callable:
        # Used as a decorator the mode must not stay switched after decoration.
        _state.enabled = self._prev
        return super().__call__(func)

    def __repr__(self) -> str:
        return f"{type(self).__module__}.{type(self).__name__}(mode={self._mode})"

    def clone(self):
        return type(self)(self._mode)


def is_multithreading_enabled() -> bool:
    """torch's switch for multithreaded backward (minigrad always runs on one thread)."""
    return _state.multithreading


class set_multithreading_enabled(_GradModeContext):  # noqa: N801 - torch's name
    """Set torch's multithreaded-backward flag; as ``set_grad_enabled``, at once."""

    def __init__(self, mode: bool) -> None:
        self._prev = _state.multithreading
        _state.multithreading = bool(mode)
        self._mode = mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _state.multithreading = self._prev

    def clone(self):
        return type(self)(self._mode)
