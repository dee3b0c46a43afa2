"""Lesson 00's checks accept the skill and reject wrong, shortcut and untouched answers."""

from __future__ import annotations

import pytest

import minigrad as mg
from minigrad.course.checks.lesson00 import check_first_graph, check_reading
from tests.course.checks_harness import Case, Wrong, learner_stub, run_case


def right(x_value, y_value):
    x = mg.tensor(x_value, requires_grad=True)
    y = mg.tensor(y_value, requires_grad=True)
    z = x * y + x
    z.backward()
    return x, y, z


# The lesson's own x = 2, y = 3 are defined before the exercise: an answer that reuses
# them (or any fixed numbers) is the classic leftover the check must catch.
LESSON_X = mg.tensor(2.0, requires_grad=True)
LESSON_Y = mg.tensor(3.0, requires_grad=True)


def leftovers(x_value, y_value):
    z = LESSON_X * LESSON_Y + LESSON_X
    return LESSON_X, LESSON_Y, z


def twice(x_value, y_value):
    x, y, z = right(x_value, y_value)
    z2 = x * y + x
    z2.backward()
    return x, y, z


def grads_by_hand(x_value, y_value):
    x = mg.tensor(x_value, requires_grad=True)
    y = mg.tensor(y_value, requires_grad=True)
    z = x * y + x
    x.grad = y.detach() + 1
    y.grad = x.detach() * 1
    return x, y, z


def product_only(x_value, y_value):
    x = mg.tensor(x_value, requires_grad=True)
    y = mg.tensor(y_value, requires_grad=True)
    z = x * y
    z.backward()
    return x, y, z


def no_backward(x_value, y_value):
    x = mg.tensor(x_value, requires_grad=True)
    y = mg.tensor(y_value, requires_grad=True)
    return x, y, x * y + x


def plain_numbers(x_value, y_value):
    return x_value, y_value, x_value * y_value + x_value


def no_grad_leaves(x_value, y_value):
    x = mg.tensor(x_value)
    y = mg.tensor(y_value, requires_grad=True)
    z = x * y + x
    z.backward()
    return x, y, z


CASES = [
    Case(
        check_first_graph,
        right=(right,),
        wrong=[
            Wrong("the lesson's x and y, left over", (leftovers,), r"value passed in"),
            Wrong("backward twice", (twice,), r"backward ran 2 times"),
            Wrong("grads set by hand", (grads_by_hand,), r"backward never ran"),
            Wrong("z = x·y only", (product_only,), r"z = x·y \+ x"),
            Wrong("no backward", (no_backward,), r"call z.backward\(\) before returning"),
            Wrong("plain numbers", (plain_numbers,), r"minigrad tensor"),
            Wrong("x without requires_grad", (no_grad_leaves,), r"x does not require grad"),
        ],
        learner=(learner_stub("first_graph"),),
        learner_match=r"returned None: write its body",
    ),
    Case(
        check_reading,
        right=({"AccumulateGrad nodes": 2, "arrows into x's AccumulateGrad": 2}, right),
        wrong=[
            Wrong(
                "one AccumulateGrad per use",
                ({"AccumulateGrad nodes": 3, "arrows into x's AccumulateGrad": 2}, right),
                r"one per leaf",
            ),
            Wrong(
                "one arrow per leaf",
                ({"AccumulateGrad nodes": 2, "arrows into x's AccumulateGrad": 1}, right),
                r"x is used twice",
            ),
            Wrong("strings", ({"AccumulateGrad nodes": "two"}, right), r"as numbers"),
            Wrong(
                "counts of another graph",
                ({"AccumulateGrad nodes": 2, "arrows into x's AccumulateGrad": 2}, product_only),
                r"arrows that end at x's AccumulateGrad",
            ),
            Wrong(
                "exercise 1 not done",
                (
                    {"AccumulateGrad nodes": 2, "arrows into x's AccumulateGrad": 2},
                    learner_stub("first_graph"),
                ),
                r"finish exercise 1 first",
            ),  # fmt: skip
        ],
        learner=(
            {"AccumulateGrad nodes": ..., "arrows into x's AccumulateGrad": ...},
            learner_stub("first_graph"),
        ),
        learner_match=r"write your two counts",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check(case):
    run_case(case)
