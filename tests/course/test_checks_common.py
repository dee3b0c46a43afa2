"""What every lesson's checks share: one ✓ format, one tolerance convention, the learner-code
runner, and finite differences built on minigrad's one central-difference loop."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import minigrad as mg
import minigrad.course.checks as checks_pkg
from minigrad.course.checks._common import (
    CheckFailed,
    autograd_runs,
    call,
    close,
    numerical_grad,
    numerical_jacobian,
    passed,
)

LESSON_MODULES = sorted(
    m.name for m in pkgutil.iter_modules(checks_pkg.__path__) if m.name.startswith("lesson")
)


def test_one_module_per_lesson():
    assert LESSON_MODULES == [f"lesson{n:02d}" for n in range(13)]


def test_numerical_grad_and_jacobian_match_known_derivatives():
    (g,) = numerical_grad(lambda t: t**3, [np.array([1.0, 2.0])], np.array([1.0, 0.5]))
    np.testing.assert_allclose(g, [3.0, 6.0], rtol=1e-6)
    J = numerical_jacobian(lambda t: 3 * t**3, mg.tensor([2.0, 3.0]))
    np.testing.assert_allclose(J.numpy(), [[36.0, 0.0], [0.0, 81.0]], atol=1e-5)
    J = numerical_jacobian(lambda t: mg.stack([t[0] * t[1], t[1]]), mg.tensor([2.0, 3.0]))
    np.testing.assert_allclose(J.numpy(), [[3.0, 2.0], [0.0, 1.0]], atol=1e-6)


def test_there_is_one_finite_difference_loop():
    """The helpers call central_difference; no check module writes its own ε loop."""
    for name in ["_common", *LESSON_MODULES]:
        source = inspect.getsource(importlib.import_module(f"minigrad.course.checks.{name}"))
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "ndindex":
                pytest.fail(f"{name} loops over indices itself: use central_difference")
    assert "central_difference(" in inspect.getsource(numerical_grad)
    assert "central_difference(" in inspect.getsource(numerical_jacobian)


def test_one_pass_line_format(capsys):
    passed("slope", "the formula.")
    assert capsys.readouterr().out == "✓ slope: the formula.\n"
    for name in LESSON_MODULES:
        source = inspect.getsource(importlib.import_module(f"minigrad.course.checks.{name}"))
        assert "print(" not in source, f"{name} prints by itself: use passed()"


def test_tolerance_follows_the_dtype():
    assert close(mg.tensor([1.0], dtype=mg.float64), [1.0 + 5e-7])
    assert not close(mg.tensor([1.0], dtype=mg.float64), [1.0 + 5e-6])
    assert close(mg.tensor([1.0]), [1.0 + 5e-6])  # float32
    assert not close(mg.tensor([1.0, 2.0]), [1.0])  # shapes differ


def test_learner_code_errors_become_the_checks_message():
    def broken(x):
        return x.nonexistent

    with pytest.raises(CheckFailed, match="f\\(3\\) raised AttributeError"):
        call(broken, 3, what="f(3)")
    with pytest.raises(CheckFailed, match="not written yet"):
        call(lambda: (_ for _ in ()).throw(NotImplementedError), what="g()")
    with pytest.raises(CheckFailed, match="expected a function"):
        call(None, what="h")


def test_autograd_runs_counts_backward_passes():
    x = mg.tensor(2.0, requires_grad=True)
    with autograd_runs() as runs:
        (x * x).backward()
        mg.autograd.grad(x * 3, x)
    assert len(runs) == 2
    with autograd_runs() as runs:
        _ = x * 2
    assert runs == []
