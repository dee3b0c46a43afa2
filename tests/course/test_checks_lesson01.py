"""Lesson 01's checks accept the skill and reject wrong, shortcut and untouched answers."""

from __future__ import annotations

import math

import pytest

import minigrad as mg
from minigrad.course.checks.lesson01 import (
    STATEMENTS,
    check_cube,
    check_saved_predictions,
    check_scale,
    check_slope,
)
from tests.course.checks_harness import Case, Wrong, learner_stub, run_case


def slope(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def one_sided(f, x, h):
    return (f(x + h) - f(x)) / h


def by_h_only(f, x, h):
    return (f(x + h) - f(x - h)) / h


def fixed_h(f, x, h):
    h = 1e-6
    return (f(x + h) - f(x - h)) / (2 * h)


def with_autograd(f, x, h):
    t = mg.tensor(x, dtype=mg.float64, requires_grad=True)
    try:
        y = f(t)
    except TypeError:  # math.sin on a tensor: fall back to the formula for this case
        return slope(f, x, h)
    y.backward()
    return float(t.grad)


def returns_tensor(f, x, h):
    return mg.tensor(slope(f, x, h))


def _function(name, forward, backward, save=True):
    def fwd(ctx, x):
        if save:
            ctx.save_for_backward(x)
        return forward(x)

    def bwd(ctx, g):
        (x,) = ctx.saved_tensors if save else (None,)
        return backward(x, g)

    return type(
        name, (mg.autograd.Function,), {"forward": staticmethod(fwd), "backward": staticmethod(bwd)}
    )


Cube = _function("Cube", lambda x: x * x * x, lambda x, g: 3 * x * x * g)


class CubeStub(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x): ...

    @staticmethod
    def backward(ctx, g): ...


CubeStub.__name__ = "Cube"

TRUTH = {
    "read z.grad_fn.saved_tensors before backward": False,
    "read z.grad_fn.saved_tensors after z.backward()": True,
    "call z.backward() a second time": True,
    "read x.grad after z.backward()": False,
    "read z.grad_fn after z.backward()": False,
    "after z.backward(), make z2 = MyFunction.apply(x, y) and read its saved_tensors": False,
}


class Scale(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x, factor):
        ctx.factor = factor
        return x * factor

    @staticmethod
    def backward(ctx, g):
        return g * ctx.factor, None


def _scale(backward):
    return type(
        "Scale",
        (mg.autograd.Function,),
        {"forward": Scale.forward, "backward": staticmethod(backward)},
    )


class ScaleStub(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x, factor): ...

    @staticmethod
    def backward(ctx, g): ...


ScaleStub.__name__ = "Scale"

CASES = [
    Case(
        check_slope,
        right=(slope,),
        wrong=[
            Wrong("one-sided difference", (one_sided,), r"one-sided slope"),
            Wrong("divides by h", (by_h_only,), r"divide by 2h"),
            Wrong("ignores the h given", (fixed_h,), r"use the f, x and h you are given"),
            Wrong("autograd inside", (with_autograd,), r"ran autograd"),
            Wrong("a tensor", (returns_tensor,), r"Python number"),
            Wrong("the exact derivative", (lambda f, x, h: 3 * x * x,), r"not an exact derivative"),
        ],
        learner=(learner_stub("slope"),),
        learner_match=r"slope returned None",
    ),
    Case(
        check_cube,
        right=(Cube,),
        wrong=[
            Wrong(
                "forgets g",
                (_function("Cube", lambda x: x * x * x, lambda x, g: 3 * x * x),),
                r"multiply by the incoming gradient g",
            ),
            Wrong(
                "derivative of x²",
                (_function("Cube", lambda x: x * x * x, lambda x, g: 2 * x * g),),
                r"derivative of x², not of x³",
            ),
            Wrong(
                "forward x²",
                (_function("Cube", lambda x: x * x, lambda x, g: 3 * x * x * g),),
                r"forward is wrong",
            ),
            Wrong(
                "saves nothing",
                (_function("Cube", lambda x: x * x * x, lambda x, g: 3 * g, save=False),),
                r"saved nothing",
            ),
            Wrong(
                "another name",
                (_function("Cubed", lambda x: x * x * x, lambda x, g: 3 * x * x * g),),
                r"expected CubeBackward",
            ),
            Wrong("a plain function", (lambda x: x**3,), r"deriving from mg.autograd.Function"),
        ],
        learner=(CubeStub,),
        learner_match=r"Cube.forward returned None",
    ),
    Case(
        check_saved_predictions,
        right=(TRUTH,),
        wrong=[
            Wrong(
                "backward clears the node",
                ({**TRUTH, "read z.grad_fn after z.backward()": True},),
                r"only the saved tensors are freed",
            ),
            Wrong(
                "saved tensors survive",
                ({**TRUTH, "read z.grad_fn.saved_tensors after z.backward()": False},),
                r"backward frees what the graph saved",
            ),
            Wrong(
                "a new forward is broken too",
                ({**TRUTH, list(TRUTH)[-1]: True},),
                r"any new graph are fine",
            ),
            Wrong("strings", ({k: "yes" for k in TRUTH},), r"give True \(raises\) or False"),
            Wrong("not a dict", ([True, False],), r"as a dict"),
        ],
        learner=({},),
        learner_match=r"give True \(raises\) or False",
    ),
    Case(
        check_scale,
        right=(Scale,),
        wrong=[
            Wrong(
                "one gradient", (_scale(lambda ctx, g: g * ctx.factor),), r"one gradient per input"
            ),
            Wrong(
                "a gradient for the number",
                (_scale(lambda ctx, g: (g * ctx.factor, g)),),
                r"its gradient must be None",
            ),
            Wrong(
                "forgets the factor",
                (_scale(lambda ctx, g: (g, None)),),
                r"multiply the incoming g",
            ),
            Wrong("not a Function", (lambda x, f: x * f,), r"deriving from mg.autograd.Function"),
        ],
        learner=(ScaleStub,),
        learner_match=r"forward is wrong",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check(case):
    run_case(case)


def test_the_statements_are_run_not_assumed():
    """The truth comes from the engine: every statement is run on fresh tensors."""
    from minigrad.course.checks.lesson01 import _raises

    assert {s: _raises(fn) for s, fn in STATEMENTS.items()} == TRUTH
    assert math.isclose(slope(lambda x: x**3, 1.0, 0.5), 3.25)  # the formula, not the limit
