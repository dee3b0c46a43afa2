"""Lesson 03's checks accept the skill and reject wrong, shortcut and untouched answers."""

from __future__ import annotations

import pytest

import minigrad as mg
from minigrad.course.checks.lesson03 import (
    check_errors,
    check_linear_nodes,
    check_only_a_grad,
    check_requires_grad,
    check_to_numpy,
)
from tests.course.checks_harness import Case, Wrong, learner_stub, run_case

U = mg.tensor([1.0, 2.0], requires_grad=True)
V = mg.tensor([3.0, 4.0])
TENSORS = {"u": U, "v": V, "u + v": U + V, "v * v": V * V, "(v * v).sum() * u": (V * V).sum() * U}
RIGHT = {"u": True, "v": False, "u + v": True, "v * v": False, "(v * v).sum() * u": True}


def only_a_grad(a_value, b_value):
    a = mg.tensor(a_value, requires_grad=True)
    b = mg.tensor(b_value)
    (a * b).backward()
    return a, b


def both_require(a_value, b_value):
    a = mg.tensor(a_value, requires_grad=True)
    b = mg.tensor(b_value, requires_grad=True)
    (a * b).backward()
    return a, b


def no_backward(a_value, b_value):
    return mg.tensor(a_value, requires_grad=True), mg.tensor(b_value)


def lesson_numbers(a_value, b_value):  # the lesson's a = 2, b = 3, not the arguments
    return only_a_grad(2.0, 3.0)


def computed_a(a_value, b_value):
    a = mg.tensor(a_value, requires_grad=True) * 1
    b = mg.tensor(b_value)
    (a * b).backward()
    return a, b


def twice(a_value, b_value):
    a = mg.tensor(a_value, requires_grad=True)
    b = mg.tensor(b_value)
    (a * b).backward()
    (a * b).backward()
    return a, b


RIGHT_ERRORS = {"A": "integer", "B": "ok", "C": "non-leaf", "D": "ok", "E": "no grad"}
RIGHT_LINEAR = {"grad_fn": "MmBackward0", "next_functions": ((None, 0), ("TBackward0", 0))}

CASES = [
    Case(
        check_requires_grad,
        right=(RIGHT, TENSORS),
        wrong=[
            Wrong("v * v recorded", ({**RIGHT, "v * v": True}, TENSORS), r"computed only from"),
            Wrong("leaf u off", ({**RIGHT, "u": False}, TENSORS), r"leaf created with"),
            Wrong("sum drops it", ({**RIGHT, "(v * v).sum() * u": False}, TENSORS), r"inputs"),
            Wrong("some missing", ({"u": True}, TENSORS), r"no prediction for v"),
            Wrong("words", ({**RIGHT, "u": "yes"}, TENSORS), r"True or False"),
        ],
        learner=({}, TENSORS),
        learner_match=r"no prediction yet",
    ),
    Case(
        check_only_a_grad,
        right=(only_a_grad,),
        wrong=[
            Wrong("both require grad", (both_require,), r"only a should require grad"),
            Wrong("no backward", (no_backward,), r"backward ran 0 times"),
            Wrong("the lesson's numbers", (lesson_numbers,), r"from the arguments"),
            Wrong("a computed, not a leaf", (computed_a,), r"must be a leaf"),
            Wrong("backward twice", (twice,), r"backward ran 2 times"),
            Wrong("returns a only", (lambda a, b: only_a_grad(a, b)[0],), r"the pair \(a, b\)"),
        ],
        learner=(learner_stub("only_a_grad"),),
        learner_match=r"only_a_grad returned None",
    ),
    Case(
        check_errors,
        right=(RIGHT_ERRORS,),
        wrong=[
            Wrong("u * 2 is no leaf", ({**RIGHT_ERRORS, "D": "non-leaf"},), r"program D.*runs"),
            Wrong("ints are fine", ({**RIGHT_ERRORS, "A": "ok"},), r"program A.*floating point"),
            Wrong("requires_grad_(False) is fine", ({**RIGHT_ERRORS, "C": "ok"},), r"program C"),
            Wrong("E is the integer error", ({**RIGHT_ERRORS, "E": "integer"},), r"element 0"),
            Wrong("another word", ({**RIGHT_ERRORS, "B": "fine"},), r"one of ok"),
        ],
        learner=({"A": None, "B": None, "C": None, "D": None, "E": None},),
        learner_match=r"no prediction yet",
    ),
    Case(
        check_linear_nodes,
        right=(RIGHT_LINEAR,),
        wrong=[
            Wrong("addmm", ({**RIGHT_LINEAR, "grad_fn": "AddmmBackward0"},), r"nothing to add"),
            Wrong(
                "weight as a leaf",
                ({**RIGHT_LINEAR, "next_functions": ((None, 0), ("AccumulateGrad", 0))},),
                r"next_functions: .*entry 1",
            ),
            Wrong(
                "a bias entry",
                (
                    {
                        **RIGHT_LINEAR,
                        "next_functions": (("AccumulateGrad", 0), (None, 0), ("TBackward0", 0)),
                    },
                ),  # fmt: skip
                r"has 2 entries",
            ),
            Wrong(
                "swapped",
                ({**RIGHT_LINEAR, "next_functions": (("TBackward0", 0), (None, 0))},),
                r"entry 0",
            ),
            Wrong("no next_functions", ({"grad_fn": "MmBackward0"},), r"under 'next_functions'"),
        ],
        learner=({"grad_fn": None, "next_functions": None},),
        learner_match=r"under 'grad_fn'",
    ),
    Case(
        check_to_numpy,
        right=(lambda t: t.detach().numpy(),),
        wrong=[
            Wrong("numpy() directly", (lambda t: t.numpy(),), r"detach\(\)\.numpy\(\)"),
            Wrong("a tensor", (lambda t: t.detach(),), r"returned a Tensor"),
            Wrong("a list", (lambda t: t.tolist(),), r"not a numpy array"),
            Wrong("item", (lambda t: t.item(),), r"raised"),
            Wrong(
                "switches the flag off",
                (lambda t: t.requires_grad_(False).numpy(),),
                r"changed the tensor|leaf variables",
            ),
        ],
        learner=(learner_stub("to_numpy"),),
        learner_match=r"to_numpy returned None",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check(case):
    run_case(case)


def test_data_also_passes(capsys):
    check_to_numpy(lambda t: t.data.numpy())
    assert capsys.readouterr().out.startswith("✓ to_numpy")
