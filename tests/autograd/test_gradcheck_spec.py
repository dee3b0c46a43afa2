"""``gradcheck`` strictness as torch 2.13's own tests pin it down (issue 18).

A wrong backward must make gradcheck raise ``GradcheckError`` (a ``RuntimeError``) or, with
``raise_exception=False``, return False; a backward that gives different results on two runs
is "not reentrant"; inputs that do not require grad, that are not float64, or that have a
stride-0 dimension are reported before any checking; errors that are not gradcheck's own
always propagate. Messages are compared on their first line: the Jacobians torch prints
after it are formatted by each library's own tensor repr.

Programs run with ``fast_mode`` False and True (torch's two algorithms: minigrad must give
the same verdicts and the same first lines).
"""

from __future__ import annotations

from tests.oracle import (
    ProgramSet,
    capture_error,
    capture_warnings,
)

programs = ProgramSet()

FAST = {"slow": (False,), "fast": (True,)}


def first_line(err):
    """``(type name, first line)`` of a captured error; None stays None."""
    return None if err is None else (err[0], err[1].split("\n")[0])


def f64(lib, values, requires_grad=True):
    return lib.tensor(values, dtype=lib.float64, requires_grad=requires_grad)


def with_wrong_hook(lib, delta=1e-2):
    """x ↦ x whose backward adds ``delta`` to every gradient (a wrong backward)."""

    def fn(x):
        y = x.clone()
        y.register_hook(lambda g: g + delta)
        return y

    return fn


# ------------------------------------------------------------------ wrong backward


@programs.add("test_gradcheck_jacobian_mismatch", cases=FAST)
def wrong_backward_is_reported(lib, fast_mode):
    x = f64(lib, [[1.0, 1.0], [1.0, 1.0]])
    fn = with_wrong_hook(lib)
    raised = capture_error(lambda: lib.autograd.gradcheck(fn, (x,), fast_mode=fast_mode))
    return {
        "raised": first_line(raised),
        "returned": lib.autograd.gradcheck(fn, (x,), raise_exception=False, fast_mode=fast_mode),
    }


@programs.add("test_gradcheck_custom_error", cases=FAST)
def gradcheck_error_is_a_runtime_error(lib, fast_mode):
    from importlib import import_module

    error_class = import_module(lib.__name__ + ".autograd.gradcheck").GradcheckError
    x = f64(lib, [[1.0, 1.0], [1.0, 1.0]])
    kinds = []
    try:
        lib.autograd.gradcheck(with_wrong_hook(lib), (x,), fast_mode=fast_mode)
    except RuntimeError as e:
        kinds.append((type(e).__name__, isinstance(e, error_class)))

    def boom(x):
        raise RuntimeError("Not a GradcheckError!")

    return {
        "kinds": kinds,
        "other errors propagate": capture_error(
            lambda: lib.autograd.gradcheck(boom, (x,), fast_mode=fast_mode, raise_exception=False)
        ),
    }


def _wrong_function(lib, factor):
    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x * factor

    return Scale.apply


@programs.add("test_gradcheck_jacobian_mismatch", cases=FAST)
def wrong_custom_backward_for_second_input(lib, fast_mode):
    x = f64(lib, [1.0, 2.0, 3.0])
    y = f64(lib, [4.0, 5.0, 6.0])
    obs = {}
    for factor in (1.0, 1.0001, 3.0):
        fn = _wrong_function(lib, factor)
        obs[factor] = (
            lib.autograd.gradcheck(fn, (x, y), raise_exception=False, fast_mode=fast_mode),
            first_line(
                capture_error(lambda fn=fn: lib.autograd.gradcheck(fn, (x, y), fast_mode=fast_mode))
            ),
        )
    return obs


@programs.add("test_gradcheck_jacobian_mismatch", cases=FAST)
def tolerances_decide(lib, fast_mode):
    def fn(x):
        y = x.clone()
        # 1e-4 too large, relative (torch's undefined-grad check passes None)
        y.register_hook(lambda g: None if g is None else g * (1 + 1e-4))
        return y

    x = f64(lib, [1.0, 2.0])
    return {
        "default": lib.autograd.gradcheck(fn, (x,), raise_exception=False, fast_mode=fast_mode),
        "atol 1e-3": lib.autograd.gradcheck(
            fn, (x,), atol=1e-3, raise_exception=False, fast_mode=fast_mode
        ),
        "atol 1e-6": lib.autograd.gradcheck(
            fn, (x,), atol=1e-6, raise_exception=False, fast_mode=fast_mode
        ),
        "rtol only": lib.autograd.gradcheck(
            fn, (x,), atol=0.0, rtol=1e-3, raise_exception=False, fast_mode=fast_mode
        ),
    }


@programs.add("test_gradcheck_jacobian_mismatch", cases=FAST)
def wrong_double_backward_fails_gradgradcheck(lib, fast_mode):
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x.detach() ** 2  # detach: the second derivative is lost

    x = f64(lib, [0.5, 1.5])
    go = f64(lib, [1.0, -2.0])
    return {
        "gradcheck": lib.autograd.gradcheck(Cube.apply, (x,), fast_mode=fast_mode),
        "gradgradcheck": lib.autograd.gradgradcheck(
            Cube.apply, (x,), (go,), raise_exception=False, fast_mode=fast_mode
        ),
        "message": first_line(
            capture_error(
                lambda: lib.autograd.gradgradcheck(Cube.apply, (x,), (go,), fast_mode=fast_mode)
            )
        ),
    }


# ------------------------------------------------------------------ backward that is not reentrant


def _non_det(lib):
    class NonDetFunc(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, jitter=0.0):
            ctx._jitter = jitter
            return x

        @staticmethod
        def backward(ctx, g):
            ctx._calls = getattr(ctx, "_calls", 0) + 1
            # Deterministic "noise": the second call differs from the first by the jitter.
            return NonDetFunc.apply(g, ctx._jitter) * (1 + ctx._calls * ctx._jitter), None

    return NonDetFunc.apply


@programs.add("test_gradcheck_nondeterministic", cases=FAST)
def backward_that_is_not_reentrant(lib, fast_mode):
    fn = _non_det(lib)
    inp = f64(lib, [[1.0, 2.0], [3.0, 4.0]])
    return {
        "deterministic": lib.autograd.gradcheck(lambda x: fn(x, 0.0), inp, fast_mode=fast_mode),
        "jitter": first_line(
            capture_error(
                lambda: lib.autograd.gradcheck(lambda x: fn(x, 1e-6), inp, fast_mode=fast_mode)
            )
        ),
        "jitter, no raise": lib.autograd.gradcheck(
            lambda x: fn(x, 1e-6), inp, raise_exception=False, fast_mode=fast_mode
        ),
        "within nondet_tol": lib.autograd.gradcheck(
            lambda x: fn(x, 1e-6), inp, nondet_tol=1e-5, fast_mode=fast_mode
        ),
        "gradgradcheck jitter": first_line(
            capture_error(
                lambda: lib.autograd.gradgradcheck(lambda x: fn(x, 1e-12), inp, fast_mode=fast_mode)
            )
        ),
        "gradgradcheck within nondet_tol": lib.autograd.gradgradcheck(
            lambda x: fn(x, 1e-12), inp, nondet_tol=1e-5, fast_mode=fast_mode
        ),
    }


# ------------------------------------------------------------------ inputs


@programs.add("test_gradcheck_validates_inputs", cases=FAST)
def inputs_that_do_not_require_grad(lib, fast_mode):
    x = lib.tensor([1.0, 2.0], dtype=lib.float64)
    return {
        "error": capture_error(
            lambda: lib.autograd.gradcheck(
                lambda x: x, (x,), raise_exception=False, fast_mode=fast_mode
            )
        )
    }


@programs.add("test_gradcheck_validates_inputs", cases=FAST)
def float32_inputs_warn(lib, fast_mode):
    x = lib.ones(1, dtype=lib.float32, requires_grad=True)
    result, warned = capture_warnings(
        lambda: lib.autograd.gradcheck(lambda x: x, (x,), atol=1e-1, fast_mode=fast_mode)
    )
    return {"result": result, "warnings": warned}


@programs.add("test_gradcheck_validates_inputs", cases=FAST)
def stride_zero_inputs_are_refused(lib, fast_mode):
    x = lib.ones(1, dtype=lib.float64, requires_grad=True).expand(2, 2)
    return {
        "error": capture_error(
            lambda: lib.autograd.gradcheck(
                lambda x: x, (x,), raise_exception=False, fast_mode=fast_mode
            )
        )
    }


@programs.add("test_mv_grad_stride_0", cases=FAST)
def expanding_inside_the_function_is_fine(lib, fast_mode):
    mat = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64)
    vec = f64(lib, [0.5])

    def fn(vec):
        return (mat @ vec.expand(2)).sum()

    return {
        "gradcheck": lib.autograd.gradcheck(fn, (vec,), fast_mode=fast_mode),
        "gradgradcheck": lib.autograd.gradgradcheck(fn, (vec,), fast_mode=fast_mode),
    }


@programs.add("test_gradcheck_single_input", cases=FAST)
def a_single_tensor_instead_of_a_tuple(lib, fast_mode):
    return {
        "gradcheck": lib.autograd.gradcheck(
            lambda t: t.mul(5), f64(lib, [0.1, 0.2]), fast_mode=fast_mode
        ),
        "gradgradcheck": lib.autograd.gradgradcheck(
            lambda t: t * t, f64(lib, [0.1, 0.2]), fast_mode=fast_mode
        ),
    }


@programs.add("test_unrelated_inputs", cases=FAST)
def an_input_the_function_does_not_use(lib, fast_mode):
    x = f64(lib, [1.0, 2.0])
    y = f64(lib, [3.0, 4.0])
    return {
        "gradcheck": lib.autograd.gradcheck(lambda x, y: x * x, (x, y), fast_mode=fast_mode),
        "gradgradcheck": lib.autograd.gradgradcheck(
            lambda x, y: x * x, (x, y), fast_mode=fast_mode
        ),
    }


@programs.add("test_custom_function_non_tensor_inputs_outputs", cases=FAST)
def non_tensor_inputs_are_passed_through(lib, fast_mode):
    x = f64(lib, [1.0, 2.0])
    return {"gradcheck": lib.autograd.gradcheck(lambda x, k: x * k, (x, 3), fast_mode=fast_mode)}


# ------------------------------------------------------------------ outputs


@programs.add("test_gradcheck_check_no_differentiable_outputs", cases=FAST)
def outputs_that_do_not_require_grad(lib, fast_mode):
    x = lib.ones(1, dtype=lib.float64, requires_grad=True)

    def detached(x):
        return x.detach() * 2

    return {
        "raises": first_line(
            capture_error(lambda: lib.autograd.gradcheck(detached, x, fast_mode=fast_mode))
        ),
        "returns": lib.autograd.gradcheck(detached, x, raise_exception=False, fast_mode=fast_mode),
        "no outputs": lib.autograd.gradcheck(lambda x: (), (x,), fast_mode=fast_mode),
        "constant output": lib.autograd.gradcheck(
            lambda x: (x * 2, lib.ones(2, dtype=lib.float64)), (x,), fast_mode=fast_mode
        ),
    }


@programs.add("test_gradcheck_backward_mul_by_grad_output", cases=FAST)
def backward_not_multiplied_by_grad_output(lib, fast_mode):
    x = lib.ones(1, dtype=lib.float64, requires_grad=True)
    fn = with_wrong_hook(lib)
    return {
        "raises": first_line(
            capture_error(lambda: lib.autograd.gradcheck(fn, (x,), atol=1e-1, fast_mode=fast_mode))
        ),
        "returns": lib.autograd.gradcheck(
            fn, (x,), atol=1e-1, raise_exception=False, fast_mode=fast_mode
        ),
    }


@programs.add("test_gradcheck_undefined_grad", cases=FAST)
def backward_that_cannot_take_an_undefined_grad(lib, fast_mode):
    def fn(x):
        def hook(g):
            if g is None:
                raise RuntimeError("x is undefined")

        y = x.clone()
        y.register_hook(hook)
        return y

    x = lib.ones(1, dtype=lib.float64, requires_grad=True)
    raised, warned = capture_warnings(
        lambda: first_line(
            capture_error(lambda: lib.autograd.gradcheck(fn, (x,), fast_mode=fast_mode))
        )
    )
    return {
        "raises": raised,
        "warnings": [w[0] for w in warned],
        "returns": capture_warnings(
            lambda: lib.autograd.gradcheck(fn, (x,), raise_exception=False, fast_mode=fast_mode)
        )[0],
        "check off": lib.autograd.gradcheck(
            fn, (x,), check_undefined_grad=False, fast_mode=fast_mode
        ),
    }


@programs.add("test_gradcheck_output_shape_or_dtype_depend_on_values", cases=FAST)
def outputs_that_change_under_perturbation(lib, fast_mode):
    a = lib.ones(1, dtype=lib.float64, requires_grad=True)

    def shape_changes(x):
        return lib.cat([x, x]) if bool((x >= 1).all()) else x

    def dtype_changes(x):
        return x.to(lib.float32) if bool((x >= 1).all()) else x

    return {
        "shape": first_line(
            capture_error(lambda: lib.autograd.gradcheck(shape_changes, (a,), fast_mode=fast_mode))
        ),
        "dtype": first_line(
            capture_error(lambda: lib.autograd.gradcheck(dtype_changes, (a,), fast_mode=fast_mode))
        ),
    }


# ------------------------------------------------------------------ the deprecated helpers


@programs.add("test_gradcheck_get_numerical_jacobian")
def get_numerical_jacobian(lib):
    from importlib import import_module

    gc = import_module(lib.__name__ + ".autograd.gradcheck")

    def fn(inputs):
        x, y = inputs
        return 2 * x + y, x + 2 * y

    a = f64(lib, [[1.0, 2.0], [3.0, 4.0]])
    b = f64(lib, [[5.0, 6.0], [7.0, 8.0]])
    jac, warned = capture_warnings(
        lambda: gc.get_numerical_jacobian(fn, (a, b), target=a, eps=1e-6)
    )
    jac2 = gc.get_numerical_jacobian(fn, (a, b), eps=1e-6)
    return {
        "target a": jac,
        "all": jac2,
        "warnings": [w[0] for w in warned],
        "grad_out": capture_error(
            lambda: gc.get_numerical_jacobian(fn, (a, b), eps=1e-6, grad_out=2.0)
        ),
    }


@programs.add("test_gradcheck_get_analytical_jacobian")
def get_analytical_jacobian(lib):
    from importlib import import_module

    gc = import_module(lib.__name__ + ".autograd.gradcheck")
    a = f64(lib, [[1.0, 2.0], [3.0, 4.0]])
    b = f64(lib, [[5.0, 6.0], [7.0, 8.0]])
    out = 2 * a + b
    result, warned = capture_warnings(lambda: gc.get_analytical_jacobian((a, b), out))
    jacobians, reentrant, sizes_ok, types_ok = result
    return {
        "jacobians": jacobians,
        "flags": (reentrant, sizes_ok, types_ok),
        "warnings": [w[0] for w in warned],
        "grad_out": capture_error(lambda: gc.get_analytical_jacobian((a,), 2 * a, grad_out=2.0)),
    }


test_matches_torch, test_program_runs_on_torch = programs.tests()
