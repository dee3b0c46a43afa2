"""``inference_mode``: ``no_grad`` for code that will never need a gradient, made final.

Inside ``inference_mode()`` nothing is recorded, even under ``enable_grad``, and every
tensor an operation or a factory creates is an *inference tensor* (``t.is_inference()``):
it keeps no version counter, so it can never be checked by backward. Outside the mode, an
inference tensor cannot be saved for backward, changed in place or made to require grad;
``clone()`` it to get a normal tensor. Views of normal tensors stay normal, and normal
tensors may still be changed in place inside the mode.

Example:
    >>> import minigrad as mg
    >>> x = mg.ones(2, requires_grad=True)
    >>> with mg.inference_mode():
    ...     y = x * 2
    >>> y.requires_grad, y.is_inference()
    (False, True)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .grad_mode import _state as _grad

__all__ = ["inference_mode", "is_inference_mode_enabled"]


class _State:
    # One flag for the whole process, like grad mode's: minigrad is single-threaded.
    enabled = False


_state = _State()


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()``."""
    return _state.enabled


class inference_mode:  # noqa: N801 - torch's name
    """Context manager and decorator: run without recording, creating inference tensors.

    Args:
        mode: ``False`` switches inference mode off (and grad mode on) inside the block.

    Example:
        >>> @inference_mode()                             # doctest: +SKIP
        ... def predict(model, x):
        ...     return model(x)
    """

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        # torch's InferenceMode guard sets grad mode to the opposite of the inference flag.
        self.prev = (_state.enabled, _grad.enabled)
        _state.enabled, _grad.enabled = self.mode, not self.mode

    def __exit__(self, *exc: Any) -> None:
        _state.enabled, _grad.enabled = self.prev

    def __call__(self, func: Callable) -> Callable:
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return func(*args, **kwargs)

        return wrapper

    def clone(self) -> inference_mode:
        return type(self)(self.mode)
