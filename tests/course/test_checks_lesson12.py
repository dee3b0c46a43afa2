"""Lesson 12's checks accept the skill and reject wrong, shortcut and untouched answers."""

from __future__ import annotations

import pytest

import minigrad as mg
from minigrad.course.checks.lesson12 import (
    check_prove,
    check_softplus,
    check_softplus_double_backward,
    check_stable_softplus,
)
from tests.course.checks_harness import Case, Wrong, learner_stub, run_case


class Softplus(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (1 + x.exp()).log()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.sigmoid()


class Untouched(mg.autograd.Function):
    """The learner copy: the class body is ``# YOUR CODE HERE`` and ``pass``."""


class NoIncoming(Softplus):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return x.sigmoid()


class SecondDerivative(Softplus):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = x.sigmoid()
        return g * s * (1 - s)


class ForwardExp(Softplus):  # forgot the log
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 1 + x.exp()


class ThroughNumbers(Softplus):
    """The mistake: a backward outside minigrad, which cannot be differentiated again."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * mg.tensor(x.sigmoid().tolist(), dtype=x.dtype)


class UnderNoGrad(Softplus):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with mg.no_grad():
            return g * x.sigmoid()


class HalfDetached(Softplus):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.detach().sigmoid() + 0 * x)


def prove(op, inputs):
    return (
        mg.autograd.gradcheck(op, inputs, raise_exception=False),
        mg.autograd.gradgradcheck(op, inputs, raise_exception=False),
    )


def prove_constant(op, inputs):  # copies the printed answer instead of checking
    return True, True


def prove_raising(op, inputs):
    return mg.autograd.gradcheck(op, inputs), mg.autograd.gradgradcheck(op, inputs)


def prove_gradcheck_twice(op, inputs):
    first = mg.autograd.gradcheck(op, inputs, raise_exception=False)
    return first, first


def prove_swapped(op, inputs):
    a, b = prove(op, inputs)
    return b, a


class StableSoftplus(Softplus):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.relu() + (1 + (-x.abs()).exp()).log()


class StableWhere(Softplus):  # torch's own threshold: x itself above 20
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return mg.where(x > 20, x, (1 + x.clamp(max=20).exp()).log())


class ReluOnly(Softplus):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.relu()


class Clamped(Softplus):  # no overflow, but softplus(100) becomes 80
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (1 + x.clamp(max=80).exp()).log()


class StableForwardExpBackward(StableSoftplus):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.exp() / (1 + x.exp())


CASES = [
    Case(
        check_softplus,
        right=(Softplus,),
        wrong=[
            Wrong("no incoming gradient", (NoIncoming,), r"ignores the incoming gradient g"),
            Wrong("second derivative", (SecondDerivative,), r"that is the second derivative"),
            Wrong("forward without log", (ForwardExp,), r"Softplus.apply\(x\)"),
            Wrong("not a Function", (object,), r"subclass of mg.autograd.Function"),
        ],
        learner=(Untouched,),
        learner_match=r"not written yet|raised",
    ),
    Case(
        check_softplus_double_backward,
        right=(Softplus,),
        wrong=[
            Wrong("through Python numbers", (ThroughNumbers,), r"no grad_fn"),
            Wrong("under no_grad", (UnderNoGrad,), r"no grad_fn"),
            Wrong("half detached", (HalfDetached,), r"second derivative is 0"),
            Wrong("wrong first derivative", (SecondDerivative,), r"first derivative"),
        ],
        learner=(Untouched,),
        learner_match=r"not written yet|raised",
    ),
    Case(
        check_prove,
        right=(prove,),
        wrong=[
            Wrong("constant answer", (prove_constant,), r"10% too large.*first_order"),
            Wrong("raises", (prove_raising,), r"raise_exception=False"),
            Wrong("gradcheck twice", (prove_gradcheck_twice,), r"second_order \(gradgradcheck\)"),
            Wrong("swapped", (prove_swapped,), r"10% too large"),
        ],
        learner=(learner_stub("prove"),),
        learner_match=r"returned None",
    ),
    Case(
        check_stable_softplus,
        right=(StableSoftplus,),
        wrong=[
            Wrong("naive", (Softplus,), r"is \[inf, inf, inf\] at x = .*overflows float32"),
            Wrong("relu only", (ReluOnly,), r"at x = 0 is 0.*0\.69"),
            Wrong("clamped input", (Clamped,), r"at x = 1000 is 80"),
            Wrong("overflowing backward", (StableForwardExpBackward,), r"backward overflows"),
        ],
        learner=(Untouched,),
        learner_match=r"not written yet|raised",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check(case):
    run_case(case)


def test_threshold_form_is_accepted_too():
    """torch's own stable form (x itself above a threshold) is a right answer."""
    from tests.course.checks_harness import passes

    passes(check_stable_softplus, StableWhere)
