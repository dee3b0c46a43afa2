"""The torch cross-check: what it prints with and without torch, and its failures."""

from __future__ import annotations

import types

import pytest

import minigrad as mg
from minigrad.course.crosscheck import CrossCheckFailed, crosscheck, error_of, show
from tests.oracle import require_torch


def _program(lib):
    x = lib.tensor(2.0, requires_grad=True)
    y = x * x
    y.backward()
    return {
        "y": y,
        "y.grad_fn": y.grad_fn,
        "next": y.grad_fn.next_functions,
        "x.grad": x.grad,
        "again": error_of(y.backward),
    }


def test_show_is_library_independent():
    x = mg.tensor(2.0, requires_grad=True)
    y = x * 3
    assert show(y.grad_fn) == "MulBackward0"
    assert show(y.grad_fn.next_functions) == "((AccumulateGrad, 0), (None, 0))"
    assert show((x, [1, "a"])) == "(tensor(2., requires_grad=True), [1, a])"
    assert error_of(lambda: 1 / 0) == "ZeroDivisionError: division by zero"
    assert error_of(lambda: None) == "no error"


def test_crosscheck_says_whether_torch_ran(capsys):
    torch = require_torch()
    crosscheck(_program, torch=None)
    without = capsys.readouterr().out
    crosscheck(_program, torch=torch)
    with_torch = capsys.readouterr().out
    # the facts are the same; only the last line says what ran
    assert without.splitlines()[:-1] == with_torch.splitlines()[:-1]
    assert "y = tensor(4., grad_fn=<MulBackward0>)" in without
    assert "next = ((AccumulateGrad, 0), (AccumulateGrad, 0))" in without
    assert without.splitlines()[-1] == (
        "torch is not installed, so only minigrad ran: pip install torch==2.13.0 to compare."
    )
    assert with_torch.splitlines()[-1] == "✓ torch 2.13.0 ran the same program: all 5 facts agree."
    assert "✓" not in without


def test_crosscheck_fails_when_the_other_library_disagrees():
    # A stand-in "torch" whose multiplication is off: the check must notice.
    fake = types.SimpleNamespace(
        tensor=lambda v, requires_grad=False: mg.tensor(v + 1.0, requires_grad=requires_grad)
    )
    with pytest.raises(
        CrossCheckFailed, match="y:\n    minigrad: tensor\\(4\\..*\n    torch:    tensor\\(9\\."
    ):
        crosscheck(_program, torch=fake)


def test_crosscheck_requires_torch_in_ci(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch":
            raise ImportError("no torch here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    monkeypatch.setenv("MINIGRAD_REQUIRE_TORCH", "1")
    with pytest.raises(RuntimeError, match="MINIGRAD_REQUIRE_TORCH=1 but torch is not installed"):
        crosscheck(_program)
    monkeypatch.setenv("MINIGRAD_REQUIRE_TORCH", "0")
    crosscheck(_program)  # a learner without torch: minigrad's facts only
