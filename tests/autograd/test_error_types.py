"""Exception types and texts of the autograd API, as torch 2.13 raises them (issue 18).

A learner who writes ``except RuntimeError`` (or ``except TypeError``) around a torch program
must see the same exception from minigrad. Also: ``(-2.0) ** x`` is NaN in the gradient,
not a Python error, and ``0 ** b`` has torch's -inf/0 gradients.
"""

from __future__ import annotations

from tests.oracle import ProgramSet, capture_error

programs = ProgramSet()


@programs.add("test_grad_fn_badcalls")
def calling_a_node_with_wrong_arguments(lib):
    x = lib.ones(1, requires_grad=True)
    y = x**2
    return {
        "too many": capture_error(lambda: y.grad_fn(x.detach(), x.detach())),
        "too few": capture_error(lambda: y.grad_fn()),
        "right": y.grad_fn(x.detach()),
    }


@programs.add("test_grad_empty_inputs")
def grad_with_no_inputs(lib):
    x = lib.tensor([1.0], requires_grad=True)
    return {
        "error": capture_error(lambda: lib.autograd.grad(2 * x, [], grad_outputs=lib.tensor([1.0])))
    }


@programs.add("test_backward_badcalls")
def backward_of_a_tensor_without_history(lib):
    x = lib.ones(1)
    return {"error": capture_error(lambda: x.backward())}


@programs.add("test_grad_badcalls")
def grad_of_tensors_without_history(lib):
    x = lib.ones(1)
    y = x**2
    z = lib.ones(1, requires_grad=True)
    return {
        "grad(x, y)": capture_error(lambda: lib.autograd.grad(x, y)),
        "grad(y, x)": capture_error(lambda: lib.autograd.grad(y, x)),
        "fine": lib.autograd.grad(z**2, z),
    }


@programs.add("test_multi_backward_no_grad")
def backward_of_several_roots_one_without_grad(lib):
    x = lib.ones(2, 2, requires_grad=True)
    y = lib.ones(2, 2)
    z = x + y
    q = y * 2
    return {
        "error": capture_error(
            lambda: lib.autograd.backward([z, q], [lib.ones(2, 2), lib.ones(2, 2)])
        ),
        "x.grad": x.grad,
    }


@programs.add("test_backward_no_grad")
def backward_with_a_none_gradient(lib):
    a = lib.ones(2, 2, requires_grad=True)
    b = a + 2
    return {"error": capture_error(lambda: lib.autograd.backward([b], [None]))}


@programs.add("test_grad_unreachable")
def inputs_that_are_not_reached(lib):
    x = lib.ones(1, requires_grad=True)
    y = lib.ones(1, requires_grad=True)
    z = x * 2  # noqa: F841 - x gets a grad accumulator
    w = y * 2  # noqa: F841
    obs = {"allow_unused": lib.autograd.grad(x * 2, [x, y], allow_unused=True)}
    z2 = lib.ones(1, requires_grad=True)
    obs["fresh leaf"] = lib.autograd.grad(x * 2, [x, z2], allow_unused=True)
    obs["error"] = capture_error(lambda: lib.autograd.grad(x * 2, [x, y], allow_unused=False))
    return obs


@programs.add("test_grad_materialize_grads")
def materialize_grads_needs_allow_unused(lib):
    x = lib.tensor(0.5, requires_grad=True)
    a = lib.tensor(1.0, requires_grad=True)
    y = x * a
    dydx = lib.autograd.grad(y, x, create_graph=True)
    d2_none = lib.autograd.grad(dydx, x, create_graph=True, allow_unused=True)
    d2 = lib.autograd.grad(dydx, x, create_graph=True, allow_unused=True, materialize_grads=True)
    d3 = lib.autograd.grad(d2, x, materialize_grads=True)
    return {
        "d2 none": d2_none,
        "d2": d2,
        "d3": d3,
        "error": capture_error(
            lambda: lib.autograd.grad(y, x, allow_unused=False, materialize_grads=True)
        ),
    }


@programs.add("test_unused_grad_requires_grad_with_materialize")
def materialized_grads_do_not_require_grad(lib):
    x = lib.ones(3, requires_grad=True)
    y = lib.ones(3, requires_grad=True)
    g = lib.autograd.grad((x**2).sum(), (x, y), allow_unused=True, materialize_grads=True)
    return {"g": g, "requires_grad": [t.requires_grad for t in g]}


@programs.add("test_backward_with_inputs")
def backward_with_empty_inputs(lib):
    x = lib.ones(2, 2, requires_grad=True)
    return {"error": capture_error(lambda: lib.autograd.backward((x * x).sum(), inputs=[]))}


@programs.add("test_grad")
def grad_outputs_of_the_wrong_shape(lib):
    x = lib.ones(2, 2, requires_grad=True)
    y = x * 3
    return {
        "error": capture_error(
            lambda: lib.autograd.grad(
                outputs=[y], grad_outputs=[lib.ones(2)], inputs=[x], create_graph=True
            )
        )
    }


@programs.add("test_backward_twice_without_saved_values")
def backward_twice_needs_retain_graph_only_when_values_are_saved(lib):
    b = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    c = b + 1
    c.backward(lib.ones(3, dtype=lib.float64))
    c.backward(lib.ones(3, dtype=lib.float64))
    d = b * b
    d.backward(lib.ones(3, dtype=lib.float64))
    return {
        "b.grad": b.grad,
        "again": capture_error(lambda: d.backward(lib.ones(3, dtype=lib.float64))),
    }


@programs.add("test_out_variant_raises_when_inputs_require_grad")
def out_argument_with_inputs_requiring_grad(lib):
    a = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = lib.tensor([[5.0, 6.0], [7.0, 8.0]], requires_grad=True)
    x = lib.zeros(2, 2)
    obs = {"error": capture_error(lambda: lib.mul(a, b, out=x))}
    with lib.no_grad():
        lib.mul(a, b, out=x)
    obs["no_grad"] = x
    y = lib.zeros(2, 2, requires_grad=True)
    obs["output requires grad"] = capture_error(lambda: lib.mul(a.detach(), b.detach(), out=y))
    return obs


@programs.add("test_not_implemented_grad")
def derivative_not_implemented(lib):
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    y = lib.nextafter(a, a).sum()
    return {"error": capture_error(lambda: y.backward())}


@programs.add("test_detach_then_inplace_raises_in_autograd")
def in_place_through_detach_is_seen_by_backward(lib):
    x = lib.tensor(2.0, requires_grad=True)
    y = x**2
    z = x.detach()
    z.zero_()
    return {"error": capture_error(lambda: y.backward()), "x": x}


@programs.add("test_inplace")
def in_place_on_saved_values(lib):
    x = lib.ones(2, 2, requires_grad=True)
    y = lib.full((2, 2), 4.0, requires_grad=True)
    z = x * y
    q = z + y
    w = z * y
    z.add_(2)
    q.backward(lib.ones(2, 2), retain_graph=True)
    obs = {"mul saved z": capture_error(lambda: w.backward(lib.ones(2, 2)))}
    z = x * y
    q = z * y
    r = z + y
    w = z.add_(y)
    w.backward(lib.ones(2, 2), retain_graph=True)
    r.backward(lib.ones(2, 2), retain_graph=True)
    obs["q uses dirty z"] = capture_error(lambda: q.backward(lib.ones(2, 2)))
    obs["x.grad"] = x.grad
    return obs


@programs.add("test_inplace")
def exp_in_place_and_saved_result(lib):
    x = lib.ones(2, 2, requires_grad=True)
    y = lib.full((2, 2), 4.0, requires_grad=True)
    m = x / 2
    z = m + y / 8
    q = z * y
    r = z + y
    version = z._version
    w = z.exp_()
    obs = {"version changed": z._version != version, "w is z": w is z}
    r.backward(lib.ones(2, 2), retain_graph=True)
    obs["after r"] = x.grad.clone()
    w.backward(lib.ones(2, 2), retain_graph=True)
    obs["after w"] = x.grad
    obs["q"] = capture_error(lambda: q.backward(lib.ones(2, 2)))
    leaf = lib.ones(2, 2, requires_grad=True)
    x = leaf.clone()
    x.add_(10)
    y = x + 2
    y.backward(lib.ones(2, 2))
    z = x * y
    x.add_(2)
    obs["leaf.grad"] = leaf.grad
    obs["z"] = capture_error(lambda: z.backward(lib.ones(2, 2)))
    return obs


@programs.add("test_power_function")
def zero_to_a_tensor_power(lib):
    a = lib.tensor([0.0, 0.0, 0.0])
    b = lib.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    lib.sum(a**b).backward()
    obs = {"tensor base": b.grad}
    b2 = lib.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    lib.sum(0**b2).backward()
    obs["python zero base"] = b2.grad
    return obs


@programs.add("test_pow_zero_tensor_gradient")
def zero_to_a_zero_power(lib):
    obs = {}
    for name, exponent in (("zeros", lib.zeros(3)), ("0", 0), ("0.0", 0.0)):
        inp = lib.zeros(3, requires_grad=True)
        inp.pow(exponent).sum().backward()
        obs[name] = inp.grad
    return obs


@programs.add("test_power_function")
def negative_python_base(lib):
    x = lib.tensor([0.5, 1.0, 2.0, 3.0], requires_grad=True)
    y = (-2.0) ** x
    obs = {"y": y, "grad_fn": y.grad_fn.name()}
    y.sum().backward()
    obs["x.grad"] = x.grad
    x2 = lib.tensor([0.5, 2.0], requires_grad=True)
    lib.pow(-2.0, x2).sum().backward()
    obs["pow(-2.0, x)"] = x2.grad
    return obs


@programs.add("test_power_function")
def negative_tensor_base(lib):
    base = lib.tensor([-2.0, -2.0, 4.0], requires_grad=True)
    x = lib.tensor([0.5, 2.0, 0.5], requires_grad=True)
    y = base**x
    y.sum().backward()
    return {"y": y, "base.grad": base.grad, "x.grad": x.grad}


@programs.add("test_preserve_backtrace")
def errors_raised_by_hooks_keep_their_type(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: (_ for _ in ()).throw(KeyError("from a hook")))
    z = x * 3
    z.register_hook(lambda g: 1)
    return {
        "raising hook": capture_error(lambda: y.sum().backward()),
        "hook returning an int": capture_error(lambda: z.sum().backward()),
    }


@programs.add("test_grad_fn_badcalls")
def gradient_argument_of_the_wrong_type(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    return {
        "backward(1)": capture_error(lambda: y.backward(1)),
        "grad_outputs=[1]": capture_error(lambda: lib.autograd.grad([y], [x], grad_outputs=[1])),
        "backward list": capture_error(lambda: y.backward([1.0, 1.0])),
    }


@programs.add("test_grad_badcalls")
def item_and_scalar_conversions_of_big_tensors(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    return {
        "item": capture_error(lambda: x.item()),
        "float": capture_error(lambda: float(x)),
        "int": capture_error(lambda: int(x)),
        "bool": capture_error(lambda: bool(x)),
        "index": capture_error(lambda: [1, 2, 3][x]),
    }


test_matches_torch, test_program_runs_on_torch = programs.tests()
