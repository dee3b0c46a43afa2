"""``gradcheck`` and ``gradgradcheck``: same verdicts and messages as torch 2.13.

torch's message is ``Jacobian mismatch for output i with respect to input j,`` followed by
the numerical and analytical Jacobians (rows: input elements, columns: output elements);
minigrad prints exactly that, then one more paragraph naming the worst element.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.oracle import capture_error, capture_warnings, compare_programs, require_torch


def inputs(lib, *arrays):
    return tuple(lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays)


GOOD = {
    "mul": (lambda lib: lambda a, b: a * b, [[1.0, 2.0, 3.0], [4.0, -5.0, 6.0]]),
    "matmul": (lambda lib: lambda a, b: a @ b, [[[1.0, 2.0], [3.0, 4.0]], [[0.5], [-1.5]]]),
    "tanh sum": (lambda lib: lambda a: a.tanh().sum(), [[0.1, -0.7, 2.0]]),
    "sigmoid*exp": (lambda lib: lambda a: a.sigmoid() * a.exp(), [[0.3, -1.2]]),
    "div broadcast": (lambda lib: lambda a, b: a / b, [[[1.0, 2.0], [3.0, 4.0]], [2.0, -3.0]]),
    "pow scalar out": (lambda lib: lambda a: (a**3).mean(), [[1.5]]),
    "two outputs": (lambda lib: lambda a: (a * 2, a.sin()), [[0.25, 1.0]]),
    "mse_loss": (
        lambda lib: lambda a, b: lib.nn.functional.mse_loss(a, b),
        [[1.0, 2.0, 3.0], [0.5, 2.5, -1.0]],
    ),
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_gradcheck_and_gradgradcheck_pass_where_torch_passes(name):
    make, arrays = GOOD[name]

    def prog(lib):
        fn = make(lib)
        return {
            "gradcheck": lib.autograd.gradcheck(fn, inputs(lib, *arrays)),
            "gradgradcheck": lib.autograd.gradgradcheck(fn, inputs(lib, *arrays)),
        }

    out = compare_programs(prog)
    assert out == {"gradcheck": True, "gradgradcheck": True}


def bad_function(lib):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y, x + y

        @staticmethod
        def backward(ctx, a, b):
            x, y = ctx.saved_tensors
            return a * y * 1.5 + b, a * x + b  # d(x*y)/dx is y, not 1.5·y

    return Bad.apply


def test_failure_message_starts_with_torch_text_and_names_the_worst_element():
    def prog(lib):
        fn = bad_function(lib)
        return {
            "error": capture_error(
                lambda: lib.autograd.gradcheck(fn, inputs(lib, [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]))
            ),
            "no raise": lib.autograd.gradcheck(
                fn, inputs(lib, [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]), raise_exception=False
            ),
        }

    import minigrad

    torch = require_torch()
    ours, theirs = prog(minigrad), prog(torch)
    assert ours["no raise"] is False and theirs["no raise"] is False
    assert ours["error"][0] == theirs["error"][0] == "GradcheckError"
    assert ours["error"][1].startswith(theirs["error"][1])
    extra = ours["error"][1][len(theirs["error"][1]) :]
    assert "d(output 0)[2] / d(input 0)[2]: numerical 6, analytical 9" in extra
    assert issubclass(minigrad.autograd.gradcheck.__globals__["GradcheckError"], RuntimeError)


def test_failure_on_second_input_and_second_output():
    def prog(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                ctx.save_for_backward(x, y)
                return x * 2, x * y

            @staticmethod
            def backward(ctx, a, b):
                x, y = ctx.saved_tensors
                return a * 2 + b * y, b * 3  # wrong for y: should be b * x

        return capture_error(
            lambda: lib.autograd.gradcheck(Bad.apply, inputs(lib, [1.0, 2.0], [3.0, 4.0]))
        )

    import minigrad

    torch = require_torch()
    ours, theirs = prog(minigrad), prog(torch)
    assert ours[1].startswith(theirs[1])
    assert theirs[1].startswith("Jacobian mismatch for output 1 with respect to input 1,")


def test_errors_and_warnings_of_gradcheck():
    def prog(lib):
        return {
            "no input requires grad": capture_error(
                lambda: lib.autograd.gradcheck(lambda a: a * 2, (lib.ones(2, dtype=lib.float64),))
            ),
            "float32 input": capture_warnings(
                lambda: lib.autograd.gradcheck(
                    lambda a: a * 2, (lib.ones(2, requires_grad=True),), raise_exception=False
                )
            ),
            "output detached": capture_error(
                lambda: lib.autograd.gradcheck(lambda a: (a * 2).detach(), inputs(lib, [1.0, 2.0]))
            ),
            "single tensor input": lib.autograd.gradcheck(
                lambda a: a.sum(), lib.ones(2, dtype=lib.float64, requires_grad=True)
            ),
        }

    compare_programs(prog)


@pytest.mark.filterwarnings("ignore:Input #0 requires gradient")
def test_float32_numerical_jacobian_is_computed_in_float32_like_torch():
    def prog(lib):
        return capture_error(
            lambda: lib.autograd.gradcheck(lambda a: a * 2, (lib.ones(2, requires_grad=True),))
        )

    import minigrad

    torch = require_torch()
    ours, theirs = prog(minigrad), prog(torch)
    assert ours[1].startswith(theirs[1])  # numerical 1.9670, as torch's


def test_gradgradcheck_catches_a_wrong_double_backward():
    def prog(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x**3

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                # right values, but x is detached: the second derivative is lost
                return 3 * x.detach() ** 2 * g

        x = inputs(lib, [1.0, -2.0])
        go = (lib.tensor([1.0, 0.5], dtype=lib.float64, requires_grad=True),)
        return {
            "first order": lib.autograd.gradcheck(Cube.apply, x),
            "second order": lib.autograd.gradgradcheck(Cube.apply, x, go, raise_exception=False),
            "message": capture_error(lambda: lib.autograd.gradgradcheck(Cube.apply, x, go)),
        }

    import minigrad

    torch = require_torch()
    ours, theirs = prog(minigrad), prog(torch)
    assert ours["first order"] is True and theirs["first order"] is True
    assert ours["second order"] is False and theirs["second order"] is False
    assert ours["message"][1].startswith(theirs["message"][1])


def test_gradcheck_does_not_change_the_inputs():
    import minigrad as mg

    a = mg.tensor([[0.3, -1.0], [2.0, 0.5]], dtype=mg.float64, requires_grad=True)
    before = a.detach().numpy().copy()
    assert mg.autograd.gradcheck(lambda t: (t * t.exp()).sum(), (a,))
    np.testing.assert_array_equal(a.detach().numpy(), before)
    assert a.grad is None


def test_non_contiguous_input_is_perturbed_in_place():
    def prog(lib):
        base = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64)
        a = base.t().detach().requires_grad_()  # non-contiguous leaf
        return lib.autograd.gradcheck(lambda t: t @ t, (a,))

    assert compare_programs(lambda lib: {"ok": prog(lib)}) == {"ok": True}
