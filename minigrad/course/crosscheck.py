"""The last cell of every lesson: the key example again, in real torch when it is installed.

A lesson writes its key example once, as ``program(lib)`` for ``lib`` = ``minigrad`` or
``torch``, returning a dict of facts (tensors, nodes, ``next_functions``, error texts).
:func:`crosscheck` prints minigrad's facts, runs the same program in torch when torch is
importable, raises :class:`CrossCheckFailed` on any disagreement, and says in its last line
whether torch really ran:

- torch installed: ``✓ torch 2.13.0 ran the same program: all 2 facts agree.``
- no torch: ``torch is not installed, so only minigrad ran: pip install torch==2.13.0 to
  compare.``

The committed lesson outputs are the first kind (CI installs torch and sets
``MINIGRAD_REQUIRE_TORCH=1``, which makes a missing torch an error); a learner without torch
sees the second line instead, which strict nbval on that machine would report as a change.

Example:
    >>> from minigrad.course.crosscheck import crosscheck
    >>> def program(lib):
    ...     x = lib.tensor(2.0, requires_grad=True)
    ...     z = x * 3
    ...     z.backward()
    ...     return {"z": z, "x.grad": x.grad}
    >>> crosscheck(program, torch=None)
    z = tensor(6., grad_fn=<MulBackward0>)
    x.grad = tensor(3.)
    torch is not installed, so only minigrad ran: pip install torch==2.13.0 to compare.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

__all__ = ["CrossCheckFailed", "crosscheck", "show", "error_of", "import_torch", "NO_TORCH"]

NO_TORCH = "torch is not installed, so only minigrad ran: pip install torch==2.13.0 to compare."


class CrossCheckFailed(AssertionError):
    """minigrad and torch disagree on a lesson's key example."""


def import_torch():
    """torch, or None when it is not installed (an error if ``MINIGRAD_REQUIRE_TORCH=1``)."""
    try:
        import torch
    except ImportError:
        if os.environ.get("MINIGRAD_REQUIRE_TORCH") == "1":
            raise RuntimeError(
                "MINIGRAD_REQUIRE_TORCH=1 but torch is not installed: pip install torch==2.13.0"
            ) from None
        return None
    torch.set_num_threads(1)
    return torch


def _is_node(v: Any) -> bool:
    return hasattr(v, "next_functions") and callable(getattr(v, "name", None))


def _is_edges(v: Any) -> bool:
    return (
        isinstance(v, tuple)
        and len(v) > 0
        and all(
            isinstance(e, tuple) and len(e) == 2 and (e[0] is None or _is_node(e[0])) for e in v
        )
    )


def show(value: Any) -> str:
    """A library-independent text for a fact.

    Tensors print as their repr (same in minigrad and torch); nodes as their type name;
    ``next_functions`` as ``((MulBackward0, 0), (None, 0))``; tuples and lists element-wise.
    """
    if _is_node(value):
        return type(value).__name__
    if _is_edges(value):
        parts = [f"({'None' if n is None else type(n).__name__}, {nr})" for n, nr in value]
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    if isinstance(value, tuple):
        inner = ", ".join(show(v) for v in value)
        return "(" + inner + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return re.sub(r"0x[0-9a-fA-F]+", "0x...", str(value) if isinstance(value, str) else repr(value))


def error_of(fn: Callable[[], Any]) -> str:
    """``"TypeName: message"`` of the exception ``fn()`` raises, or ``"no error"``."""
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - any error is a fact to compare
        return f"{type(exc).__name__}: {exc}"
    return "no error"


def _values_close(a: Any, b: Any) -> bool:
    import numpy as np

    if hasattr(a, "detach") and hasattr(b, "detach"):
        x, y = np.asarray(a.detach().numpy()), np.asarray(b.detach().numpy())
        return x.shape == y.shape and bool(np.allclose(x, y, rtol=1e-5, atol=1e-6, equal_nan=True))
    return True


def crosscheck(program: Callable[[Any], dict], torch: Any = "auto") -> None:
    """Print minigrad's facts of ``program``; when torch is installed, assert torch agrees,
    and end with a line saying whether torch ran.

    ``torch`` is the module to compare with (default: import it if installed; None: do not).
    Raises :class:`CrossCheckFailed` listing every fact that differs.
    """
    import minigrad

    ours = program(minigrad)
    lines = [f"{key} = {show(value)}" for key, value in ours.items()]
    if torch == "auto":
        torch = import_torch()
    if torch is not None:
        theirs = program(torch)
        if list(theirs) != list(ours):
            raise CrossCheckFailed(f"different facts: minigrad {list(ours)}, torch {list(theirs)}")
        diffs = []
        for key in ours:
            a, b = ours[key], theirs[key]
            if show(a) != show(b) or not _values_close(a, b):
                diffs.append(f"  {key}:\n    minigrad: {show(a)}\n    torch:    {show(b)}")
        if diffs:
            raise CrossCheckFailed("minigrad and torch disagree:\n" + "\n".join(diffs))
    print("\n".join(lines))
    if torch is None:
        print(NO_TORCH)
    else:
        version = str(getattr(torch, "__version__", "")).split("+")[0] or "(version unknown)"
        print(f"✓ torch {version} ran the same program: all {len(ours)} facts agree.")
