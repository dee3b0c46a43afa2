"""Helpers for checking minigrad against torch, the oracle.

``torch`` is imported lazily through :func:`require_torch`, which skips the calling
test when torch is missing (and fails when ``MINIGRAD_REQUIRE_TORCH=1``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest


def require_torch():
    """Return the torch module, or skip (fail in CI) when it is not installed."""
    try:
        import torch
    except ImportError:
        if os.environ.get("MINIGRAD_REQUIRE_TORCH") == "1":
            pytest.fail("torch is required (MINIGRAD_REQUIRE_TORCH=1) but not installed")
        pytest.skip("torch is not installed")
    torch.set_num_threads(1)
    return torch


def to_numpy(t: Any) -> np.ndarray | None:
    """A tensor of either library (or None) as a numpy array, detached."""
    if t is None:
        return None
    return np.asarray(t.detach().numpy(force=True))  # force: torch's ZeroTensors too


def assert_close(ours: Any, theirs: Any, rtol: float | None = None, atol: float | None = None):
    """Values equal within the dtype's tolerance; NaN and inf positions must match."""
    a, b = to_numpy(ours), to_numpy(theirs)
    if a is None or b is None:
        assert a is None and b is None, f"one side is None: minigrad={a!r} torch={b!r}"
        return
    assert a.shape == b.shape, f"shape: minigrad {a.shape} vs torch {b.shape}"
    assert str(a.dtype) == str(b.dtype), f"dtype: minigrad {a.dtype} vs torch {b.dtype}"
    if rtol is None:
        rtol = 1e-10 if a.dtype == np.float64 else 1e-5
    if atol is None:
        atol = 1e-10 if a.dtype == np.float64 else 1e-6
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def graph_signature(fn: Any) -> tuple:
    """A library-independent description of the backward graph below ``fn``.

    Nodes are numbered in first-visit (depth-first, input order) order; each entry is
    ``(number, name, ((child_number or None, input_nr), ...))``. Shared nodes keep one
    number, so the signature shows sharing exactly as ``next_functions`` does.
    Iterative: no recursion limit on deep graphs.
    """
    if fn is None:
        return ()
    numbers: dict[int, int] = {}
    keep = []  # keep nodes alive so id() stays unique during the walk
    order = []
    stack = [fn]
    while stack:
        node = stack.pop()
        if id(node) in numbers:
            continue
        numbers[id(node)] = len(numbers)
        keep.append(node)
        order.append(node)
        children = [n for n, _ in node.next_functions if n is not None]
        stack.extend(reversed(children))
    out = []
    for node in order:
        edges = tuple((None if n is None else numbers[id(n)], nr) for n, nr in node.next_functions)
        out.append((numbers[id(node)], node.name(), edges))
    return tuple(out)


def run_both(program: Callable[[Any], Any]):
    """Run ``program(lib)`` with minigrad and with torch; return both results."""
    import minigrad

    torch = require_torch()
    return program(minigrad), program(torch)


def capture_error(fn: Callable[[], Any]) -> tuple[str, str] | None:
    """``(exception type name, message)`` raised by ``fn()``, or None."""
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - we compare any exception with torch's
        return type(exc).__name__, str(exc)
    return None


# --- helpers shared by the torch-comparison tests (course/test_syllabus_examples.py, autograd/test_errors.py, tensor/test_tensor_api.py, ...) ---


def strip_addresses(text: str) -> str:
    """``text`` with memory addresses (``0x7f...``) replaced by ``0x...``."""
    import re

    return re.sub(r"0x[0-9a-fA-F]+", "0x...", text)


def _plain_number(v: Any) -> Any:
    if isinstance(v, float):
        if v != v:
            return "nan"
        return float(f"{v:.6g}")  # float32 results may differ in the last bit
    return v


def _plain_nested(v: Any) -> Any:
    if isinstance(v, list):
        return [_plain_nested(e) for e in v]
    return _plain_number(v)


def observe(value: Any) -> Any:
    """A plain-Python observation of ``value`` that compares with ``==`` across libraries.

    Tensors (of either library) become ``("tensor", numpy dtype, shape, values)`` with
    floats rounded to 6 significant digits and NaN as ``"nan"``; tuples, lists and dicts
    are observed element-wise; everything else is returned unchanged.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return _plain_number(value)
    if isinstance(value, tuple):
        return tuple(observe(v) for v in value)
    if isinstance(value, list):
        return [observe(v) for v in value]
    if isinstance(value, dict):
        return {k: observe(v) for k, v in value.items()}
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        a = np.asarray(value.detach().numpy())
        return ("tensor", str(a.dtype), tuple(a.shape), _plain_nested(a.tolist()))
    return value


def capture_warnings(fn: Callable[[], Any]) -> tuple[Any, list[tuple[str, str]]]:
    """``(fn(), [(warning category name, message text), ...])``, every warning recorded."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category.__name__, str(w.message)) for w in caught]


def compare_programs(program: Callable[[Any], dict]) -> dict:
    """Run ``program(lib)`` (which returns a dict of observations) on both libraries.

    Asserts that every observation is equal (after :func:`observe`) and fails with
    ``{key: (minigrad, torch)}`` for the ones that differ; returns minigrad's observed dict
    so the caller can also check the literal values the course quotes.
    """
    ours, theirs = run_both(program)
    ours, theirs = observe(ours), observe(theirs)
    assert set(ours) == set(theirs), (sorted(ours), sorted(theirs))
    diff = {k: (ours[k], theirs[k]) for k in theirs if ours[k] != theirs[k]}
    assert not diff, "minigrad vs torch differ (key: (minigrad, torch)):\n" + "\n".join(
        f"  {k}: {a!r}\n  {' ' * len(k)}  {b!r}" for k, (a, b) in diff.items()
    )
    return ours


class ProgramSet:
    """A module's ``prog(lib)`` programs, each run on minigrad and on torch by one test.

    Register a program with ``@programs.add("test_name_in_torch")``; the name is the test in
    PyTorch's ``test/test_autograd.py`` whose behaviour it pins down. ``missing="..."`` marks a
    program minigrad does not match yet: the test is a strict xfail, so the day it passes
    the mark must go. ``cases={"id": args}`` registers ``prog(lib, *args)`` once per case;
    ``missing`` may then be a dict giving the reason per case id.

    ``tests()`` makes the module's two tests: ``test_matches_torch`` runs every program on
    both libraries; ``test_program_runs_on_torch`` runs each xfail program on torch alone,
    which proves it fails because of minigrad, not because the program is wrong.
    """

    def __init__(self) -> None:
        self.entries: list[tuple[str, Callable[[Any], dict], str, str | None]] = []

    def add(self, torch_test: str, missing: str | dict | None = None, cases: dict | None = None):
        def register(fn: Callable) -> Callable:
            if cases is None:
                self.entries.append((fn.__name__, fn, torch_test, missing))
                return fn
            for case, args in cases.items():
                args = args if isinstance(args, tuple) else (args,)
                why = missing.get(case) if isinstance(missing, dict) else missing
                prog = _bind(fn, args)
                self.entries.append((f"{fn.__name__}[{case}]", prog, torch_test, why))
            return fn

        return register

    def params(self) -> list:
        return [
            pytest.param(
                prog,
                id=name,
                marks=()
                if why is None
                else pytest.mark.xfail(strict=True, reason=f"issue 18: {why}"),
            )
            for name, prog, _, why in self.entries
        ]

    def xfail_params(self) -> list:
        return [pytest.param(prog, id=name) for name, prog, _, why in self.entries if why]

    def tests(self) -> tuple[Callable, Callable]:
        """The module's two tests: ``test_matches_torch, test_program_runs_on_torch = ...``."""

        @pytest.mark.parametrize("program", self.params())
        def test_matches_torch(program):
            check_program(program)

        @pytest.mark.parametrize("program", self.xfail_params())
        def test_program_runs_on_torch(program):
            run_on_torch(program)

        return test_matches_torch, test_program_runs_on_torch


def _bind(fn: Callable, args: tuple) -> Callable[[Any], dict]:
    def prog(lib):
        return fn(lib, *args)

    prog.__wrapped__ = fn  # inspect.getsource() shows the shared program
    return prog


def check_program(program: Callable[[Any], dict]) -> None:
    """``compare_programs`` for a :class:`ProgramSet` entry; it must observe something."""
    assert compare_programs(program), "a program must return at least one observation"


def run_on_torch(program: Callable[[Any], dict]) -> None:
    """Run ``program`` on torch alone: an xfail is only honest if the oracle side works."""
    observed = observe(program(require_torch()))
    assert observed, "a program must return at least one observation"


def node_type(fn: Any) -> str | None:
    """The class name a ``grad_fn`` prints with (``MulBackward0``, ``CopySlices``), or None."""
    return None if fn is None else type(fn).__name__
