"""Anomaly detection: when backward fails, say which line of the forward pass made the node.

Inside ``detect_anomaly()`` every node created remembers the Python stack of the line that
created it (``node.metadata["traceback_"]``). If a node's backward then raises, or returns
NaN (with ``check_nan``, the default), the engine warns "Error detected in <node>" with that
stack before the error propagates. A node made by a backward pass run with
``create_graph=True`` also remembers the node whose backward made it (``"parent_"``), and
the warning follows that chain. It costs time and memory: use it to debug, then switch it off.

Example:
    >>> import warnings
    >>> import minigrad as mg
    >>> x = mg.tensor([0.0], requires_grad=True)
    >>> with warnings.catch_warnings(record=True), mg.autograd.detect_anomaly():
    ...     y = (x.sqrt() * 0).sum()     # 0 · ∞ = NaN in SqrtBackward0's output
    ...     y.backward()
    Traceback (most recent call last):
    RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _errors

__all__ = [
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class _State:
    enabled = False
    check_nan = True
    running: Any = None  # the node whose backward is running (the parent of nodes it creates)


_state = _State()


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` (or after ``set_detect_anomaly(True)``)."""
    return _state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """True when anomaly mode also turns NaN gradients into errors."""
    return _state.check_nan


class detect_anomaly:  # noqa: N801 - torch's name
    """Context manager: record forward stacks, and report the one behind a failing backward.

    Args:
        check_nan: also raise when a node's backward returns NaN (default True).

    Example:
        >>> with detect_anomaly():                        # doctest: +SKIP
        ...     loss = model(x).sum()
        ...     loss.backward()
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = _state.enabled
        self.check_nan = check_nan
        self.prev_check_nan = _state.check_nan
        warnings.warn(_errors.ANOMALY_ENABLED, UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        _state.enabled, _state.check_nan = True, self.check_nan

    def __exit__(self, *exc: Any) -> None:
        _state.enabled, _state.check_nan = self.prev, self.prev_check_nan


class set_detect_anomaly:  # noqa: N801 - torch's name
    """Switch anomaly detection on or off at once; as a context manager, undone on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        if not isinstance(mode, bool):
            raise TypeError(_errors.ANOMALY_MODE_TYPE.format(type(mode).__name__))
        self.prev, self.prev_check_nan = _state.enabled, _state.check_nan
        _state.enabled, _state.check_nan = mode, check_nan

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        _state.enabled, _state.check_nan = self.prev, self.prev_check_nan


def _forward_stack() -> list:
    """``traceback.format_stack()`` of the caller, without minigrad's own frames."""
    frames = [f for f in traceback.extract_stack() if not f.filename.startswith(_PACKAGE)]
    return traceback.format_list(frames)


def remember(node: Any) -> None:
    """Called for each new node while anomaly mode is on: keep the stack that made it."""
    node.metadata["traceback_"] = _forward_stack()
    if _state.running is not None:
        node.metadata["parent_"] = _state.running


def watch(call: Callable, node: Any, *args: Any) -> list:
    """Run ``call(node, *args)`` (one step of the engine); on an error or, with check_nan,
    a NaN output, warn with the forward stacks of ``node`` and its parents, then raise."""
    parent, _state.running = _state.running, node
    try:
        outputs = call(node, *args)
        if _state.check_nan:
            for i, g in enumerate(outputs):
                if g is not None and g._data.dtype.kind == "f" and np.isnan(g._data).any():
                    raise RuntimeError(_errors.ANOMALY_NAN.format(node.name(), i))
    except Exception:
        _warn_stacks(node)
        raise
    finally:
        _state.running = parent
    return outputs


def _warn_stacks(node: Any) -> None:
    """One warning for the failing node's stack, then one per parent (torch's wording)."""
    meta = node._metadata or {}
    level = _user_stacklevel()
    stack = meta.get("traceback_")
    if stack is None:
        warnings.warn(_errors.ANOMALY_NO_FORWARD.format(node.name()), UserWarning, level)
        return
    warnings.warn(_errors.ANOMALY_ERROR.format(node.name(), "".join(stack)), UserWarning, level)
    parent = meta.get("parent_")
    while parent is not None:  # a loop, not recursion: chains can be long
        pmeta = parent._metadata or {}
        pstack = pmeta.get("traceback_")
        if pstack is None:
            text = _errors.ANOMALY_NO_FORWARD.format(parent.name())
        else:
            text = _errors.ANOMALY_PARENT.format(parent.name(), "".join(pstack))
        warnings.warn(text, UserWarning, level)
        parent = pmeta.get("parent_")


def _user_stacklevel() -> int:
    """The ``stacklevel`` that attributes a warning to the first caller outside minigrad
    (the learner's ``backward()`` line)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level
