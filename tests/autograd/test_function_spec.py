"""Custom ``autograd.Function``: what torch 2.13's own tests pin down (issue 18).

Non-tensor outputs (their gradients arrive as None), ``setup_context``, ``mark_dirty`` (on
inputs, on views, with several outputs), ``mark_non_differentiable``, ``once_differentiable``,
``vjp`` next to ``backward``, the errors for malformed Functions, and what ``grad_fn`` looks
like. Each program runs on minigrad and on torch; the name given to ``programs.add`` is the
test of PyTorch's ``test/test_autograd.py`` it comes from.
"""

from __future__ import annotations

from tests.oracle import (
    ProgramSet,
    capture_error,
    capture_warnings,
    graph_signature,
    node_type,
)

programs = ProgramSet()


def grads_seen(grads) -> list:
    return [None if g is None else g.tolist() for g in grads]


# ------------------------------------------------------------------ outputs that are not tensors


@programs.add("test_custom_function_non_tensor_inputs_outputs")
def non_tensor_outputs_get_none_gradients(lib):
    seen = {}

    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, t1, t2, scale, t3):
            t4 = t1 + t2 * t3
            t5 = t1 * t2 + t3
            t4 *= scale
            t5 *= scale
            ctx.scale = scale
            ctx.save_for_backward(t1, t2, t3)
            return scale, t4, None, True, t5, "bar", t1

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, *grads):
            seen["grads"] = grads_seen(grads)
            scale = ctx.scale
            var1, var2, var3 = ctx.saved_tensors
            return (
                grads[1] * scale + grads[4] * var2 * scale + grads[6],
                grads[1] * var3 * scale + grads[4] * var1 * scale,
                None,
                grads[1] * var2 * scale + grads[4] * scale,
            )

    t1 = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    t2 = lib.tensor([3.0, 4.0], dtype=lib.float64, requires_grad=True)
    t3 = lib.tensor([5.0, 6.0], dtype=lib.float64)
    res = MyFunction.apply(t1, t2, 3, t3)
    obs = {"res": res, "res[6] is t1": res[6] is t1}
    lib.autograd.backward([res[1].sum(), res[4].sum(), res[6].sum()])
    obs.update(seen=seen["grads"], t1=t1.grad, t2=t2.grad, t3=t3.grad)

    def foo(t1, t2, t3):
        res = MyFunction.apply(t1, t2, 3, t3)
        return res[1], res[4], res[6]

    obs["gradcheck"] = lib.autograd.gradcheck(foo, (t1, t2, t3))
    return obs


@programs.add("test_custom_function_no_tensors")
def function_of_python_numbers_only(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, t1, t2, scale, t3):
            t4 = t1 + t2 * t3
            t5 = t1 * t2 + t3
            t4 *= scale
            t5 *= scale
            return scale, t4, None, True, t5, "bar", t1

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, *args):
            return (args[0], args[1], None, args[2])

    return {"res": MyFunction.apply(0.5, 0.25, 3, 2.0)}


@programs.add("test_custom_function_non_tensor_inputs_outputs")
def non_tensor_output_next_to_tensor_output(lib):
    seen = []

    class WithCount(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, 7

        @staticmethod
        def backward(ctx, g, g_count):
            seen.append((g.tolist(), g_count))
            return g * 2

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    out, count = WithCount.apply(x)
    out.sum().backward()
    return {"count": count, "seen": seen, "x.grad": x.grad, "out": repr(out)}


@programs.add("test_custom_function_forward_mode_non_tensor_before_tensor_args")
def non_tensor_arguments_before_tensors(lib):
    class MyFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, nt, x, nt2, y):
            return x * 2 + y * 3

        @staticmethod
        def backward(ctx, g):
            return None, g * 2, None, g * 3

    x = lib.tensor(1.0, dtype=lib.float64, requires_grad=True)
    y = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
    out = MyFn.apply(1, x, 1, y)
    out.backward()
    return {"out": out, "x.grad": x.grad, "y.grad": y.grad}


# ------------------------------------------------------------------ setup_context


@programs.add("test_custom_function_setup_context_simple")
def setup_context_simple(lib):
    class MySquare(lib.autograd.Function):
        @staticmethod
        def forward(x):
            return x**2

        @staticmethod
        def setup_context(ctx, inputs, output):
            (x,) = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x

    x = lib.tensor(3.0, requires_grad=True)
    y = MySquare.apply(x)
    return {"y": repr(y), "grad": lib.autograd.grad(y, x)}


@programs.add("test_custom_function_setup_context_multi_output")
def setup_context_multi_output(lib):
    class MySquare(lib.autograd.Function):
        @staticmethod
        def forward(x):
            two_x = x.item() * 2
            return x**2, two_x

        @staticmethod
        def setup_context(ctx, inputs, output):
            _, two_x = output
            ctx.two_x = two_x

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g, _):
            return g * ctx.two_x

    x = lib.tensor(3.0, requires_grad=True)
    y, two_x = MySquare.apply(x)
    return {"two_x": two_x, "grad": lib.autograd.grad(y, x)}


@programs.add("test_custom_function_setup_context_multi_input")
def setup_context_multi_input(lib):
    class MyReshape(lib.autograd.Function):
        @staticmethod
        def forward(x, shape, scale_forward, scale_backward):
            return x.reshape(shape) * scale_forward

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, shape, scale_forward, scale_backward = inputs
            ctx.scale_backward = scale_backward
            ctx.x_shape = x.shape

        @staticmethod
        def backward(ctx, g):
            return g.reshape(ctx.x_shape) * ctx.scale_backward, None, None, None

    x = lib.arange(24.0, requires_grad=True)
    y = MyReshape.apply(x, (3, 8), 7, 11).sum()
    return {"y": y, "grad": lib.autograd.grad(y, x)}


@programs.add("test_setup_context_when_forward_has_default_args")
def setup_context_default_args_and_classmethods(lib):
    class PowFunction(lib.autograd.Function):
        @staticmethod
        def forward(x, y=3):
            return lib.pow(x, y)

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, y = inputs
            ctx.save_for_backward(x)
            ctx.y = y

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * ctx.y * lib.pow(x, ctx.y - 1), None

    class PowFunctionWithClassmethod(lib.autograd.Function):
        @classmethod
        def forward(cls, x, y=3):
            return lib.pow(x, y)

        @classmethod
        def setup_context(cls, ctx, inputs, output):
            x, y = inputs
            ctx.save_for_backward(x)
            ctx.y = y

        @classmethod
        def backward(cls, ctx, g):
            (x,) = ctx.saved_tensors
            return g * ctx.y * lib.pow(x, ctx.y - 1), None

    x = lib.tensor(2.0, requires_grad=True)
    y1 = PowFunction.apply(x)
    y2 = PowFunctionWithClassmethod.apply(x)
    return {"y1": y1, "y2": y2, "g1": lib.autograd.grad(y1, x), "g2": lib.autograd.grad(y2, x)}


@programs.add("test_custom_function_vmap_defaults")
def vmap_defaults(lib):
    class MySquare(lib.autograd.Function):
        @staticmethod
        def forward(x):
            return x**2

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x

    return {
        "generate_vmap_rule": MySquare.generate_vmap_rule,
        "has vmap": hasattr(MySquare, "vmap"),
    }


# ------------------------------------------------------------------ backward, vjp and their errors


@programs.add("test_custom_function_error")
def vjp_instead_of_backward(lib):
    class Double(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def vjp(ctx, g):
            return g * 2

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    Double.apply(x).sum().backward()
    return {"x.grad": x.grad}


@programs.add("test_custom_function_error")
def malformed_functions_raise(lib):
    class BadFw(lib.autograd.Function):
        @staticmethod
        def backward(ctx, foo):
            return foo

    class BadBw(lib.autograd.Function):
        @staticmethod
        def forward(ctx, foo):
            return foo.clone()

    class BadBw2(lib.autograd.Function):
        @staticmethod
        def forward(ctx, foo):
            return foo.clone()

        @staticmethod
        def backward(ctx, foo):
            return foo

        @staticmethod
        def vjp(ctx, foo):
            return foo

    inp = lib.tensor([1.0], requires_grad=True)
    return {
        "no forward": capture_error(lambda: BadFw.apply(inp)),
        "no backward": capture_error(lambda: BadBw.apply(inp).sum().backward()),
        "both": capture_error(lambda: BadBw2.apply(inp).sum().backward()),
    }


@programs.add("test_legacy_function_deprecation_exception")
def legacy_non_static_forward(lib):
    class MyFunction(lib.autograd.Function):
        def forward(self, x):
            return x

        def backward(self, grad_output):
            return grad_output

    return {"error": capture_error(lambda: MyFunction()(lib.ones(3, 4)))}


@programs.add("test_naughty_autograd_function_attribute_access")
def instantiating_a_function_warns(lib):
    class Id(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    f, warned = capture_warnings(lambda: Id())
    x = lib.zeros(1, requires_grad=True)
    return {
        "warnings": [w for w in warned if w[0] == "DeprecationWarning"],
        "is instance": isinstance(f, Id),
        "call": capture_error(lambda: f(x)),
        "name": Id.apply(x).grad_fn.name(),
    }


@programs.add("test_invalid_gradients")
def backward_returning_the_wrong_shape(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return lib.ones(10)

    x = lib.ones(5, 5, requires_grad=True)
    return {"error": capture_error(lambda: MyFunction.apply(x).sum().backward())}


@programs.add("test_too_many_grads")
def backward_returning_extra_nones(lib):
    class MyFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g, None, None

    x = lib.ones(2, 2, requires_grad=True)
    MyFn.apply(x).sum().backward()
    return {"x.grad": x.grad}


@programs.add("test_too_many_grads")
def backward_returning_too_many_or_too_few(lib):
    class TooMany(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g, g

    class TooFew(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = lib.ones(2, requires_grad=True)
    return {
        "too many": capture_error(lambda: TooMany.apply(x).sum().backward()),
        "too few": capture_error(lambda: TooFew.apply(x, x).sum().backward()),
    }


@programs.add("test_custom_function_exception")
def exception_in_backward_propagates(lib):
    class SimulateBackwardError(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            raise Exception("Simulate error on backward pass")  # noqa: TRY002

    t1 = lib.ones(3, 3, requires_grad=True)
    t3 = SimulateBackwardError.apply((t1 + t1) * (t1 + t1))
    return {"error": capture_error(lambda: t3.sum().backward()), "t1.grad": t1.grad}


@programs.add("test_function_returns_input")
def function_returning_its_input(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    obs = {}
    for shape in ((1,), ()):
        v = lib.ones(shape, requires_grad=True)
        out = MyFunction.apply(v)
        obs[f"{shape} out is v"] = out is v
        obs[f"{shape} out.grad_fn"] = node_type(out.grad_fn)
        out.backward()
        obs[f"{shape} grad"] = v.grad
        with lib.no_grad():
            v.grad.zero_()
        MyFunction.apply(v.clone()).backward()
        obs[f"{shape} grad via clone"] = v.grad
    return obs


@programs.add("test_function_returns_undefined_tensor")
def backward_returning_none(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return None

    x = lib.ones(1, requires_grad=True)
    MyFunction.apply(x).backward()
    obs = {"after 1": x.grad}
    MyFunction.apply(x**2).backward()
    obs["after 2"] = x.grad
    MyFunction.apply(x).sum().backward()
    obs["after 3"] = x.grad
    obs["grad"] = lib.autograd.grad(MyFunction.apply(x), x, allow_unused=True)
    return obs


@programs.add("test_save_none_for_backward")
def saving_none_for_backward(lib):
    seen = []

    class MyFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(None, x, None)
            return x * x

        @staticmethod
        def backward(ctx, g):
            n1, x, n2 = ctx.saved_tensors
            seen.append((n1, n2))
            return 2 * x * g

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    MyFn.apply(x).sum().backward()
    return {"seen": seen, "x.grad": x.grad}


@programs.add("test_custom_function_saved_tensors")
def saved_tensors_of_the_node(lib):
    def get_fn(save):
        class MyFn(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                if save:
                    ctx.save_for_backward(x, None)
                return x

            @staticmethod
            def backward(ctx, g):
                return g

        return MyFn

    a = lib.tensor([1.0, 2.0], requires_grad=True)
    y = get_fn(True).apply(a)
    saved = y.grad_fn.saved_tensors
    obs = {"saved is (a, None)": (saved[0] is a, saved[1])}
    y.sum().backward()
    obs["after backward"] = capture_error(lambda: y.grad_fn.saved_tensors)
    obs["nothing saved"] = get_fn(False).apply(a).grad_fn.saved_tensors
    return obs


@programs.add("test_naughty_autograd_function_stashing_ctx")
def stashed_ctx_after_the_graph_is_freed(lib):
    saved_ctx = []

    class Id(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x

        @staticmethod
        def backward(ctx, g):
            saved_ctx.append(ctx)
            return ctx.saved_tensors

    p = lib.zeros(1, requires_grad=True)
    loss = Id.apply(p)
    loss.backward(retain_graph=True)
    del loss
    return {"error": capture_error(lambda: saved_ctx[0].saved_tensors)}


@programs.add("test_save_output_nr")
def output_nr_of_outputs_and_saved_tensors(lib):
    seen = []

    class MultiOutputFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x[:5], x[5:]

        @staticmethod
        def backward(ctx, *grad):
            return lib.cat(grad)

    class TestFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, b):
            ctx.save_for_backward(b)
            return b * 2

        @staticmethod
        def backward(ctx, g):
            (b,) = ctx.saved_tensors
            seen.append(b.output_nr)
            return g * 2

    x = lib.arange(10.0, requires_grad=True)
    a, b = MultiOutputFn.apply(x)
    TestFn.apply(b).sum().backward()
    return {"output_nr": (a.output_nr, b.output_nr), "seen": seen, "x.grad": x.grad}


@programs.add("test_dep_nograd")
def non_differentiable_output_fed_back(lib):
    class F1(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = lib.ones(x.size())
            ctx.mark_non_differentiable(out)
            return x, out

        @staticmethod
        def backward(ctx, g, ignored):
            return g

    class F2(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, ignored):
            return x

        @staticmethod
        def backward(ctx, g):
            return g, None

    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a, b = F1.apply(x)
    b = b + 1
    c = F2.apply(a, b)
    c.backward(lib.ones(c.size()))
    return {
        "a.requires_grad": a.requires_grad,
        "b.requires_grad": b.requires_grad,
        "x.grad": x.grad,
    }


@programs.add("test_mark_non_differentiable")
def non_differentiable_mask(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x > 0
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx, g):
            return (g * 0).to(lib.float64)

    x = lib.tensor([[-1.0, 2.0], [3.0, -4.0]], requires_grad=True)
    mask = MyFunction.apply(x)
    y = x.masked_fill(mask, 0)
    y.sum().backward()
    return {"mask": mask, "mask.requires_grad": mask.requires_grad, "x.grad": x.grad}


@programs.add("test_mark_non_differentiable_mixed")
def non_differentiable_mixed_outputs(lib):
    seen = []

    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            a = x + 1
            b = x + 2
            ctx.mark_non_differentiable(a)
            return a, b

        @staticmethod
        def backward(ctx, ga, gb):
            seen.append((ga.tolist(), gb.tolist()))
            return gb

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    a, b = MyFunction.apply(x)
    b.sum().backward()
    return {"requires_grad": (a.requires_grad, b.requires_grad), "seen": seen, "x.grad": x.grad}


@programs.add("test_mark_non_differentiable_none")
def non_differentiable_output_used_later(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x.clone()
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx, g):
            return None

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    r = MyFunction.apply(x * x)
    (r * x).sum().backward()
    return {"x.grad": x.grad}


@programs.add("test_set_materialize_non_diff_grads")
def non_differentiable_grads_not_materialized(lib):
    seen = []

    class Func(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out0 = x.clone()
            out1 = x.clone()
            ctx.mark_non_differentiable(out1)
            ctx._materialize_non_diff_grads = False
            return out0, out1

        @staticmethod
        def backward(ctx, g0, g1):
            seen.append(g1)
            return g0

    a = lib.tensor(1.0, requires_grad=True)
    Func.apply(a)[0].backward()
    return {"seen": seen, "a.grad": a.grad}


@programs.add("test_no_grad_python_function")
def function_under_no_grad(lib):
    class MyOp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x + 1

        @staticmethod
        def backward(ctx, g):
            return g

    x = lib.ones(2, 2, requires_grad=True)
    with lib.no_grad():
        y = MyOp.apply(x)
    return {
        "requires_grad": y.requires_grad,
        "grad_fn": node_type(y.grad_fn),
        "x.rg": x.requires_grad,
    }


@programs.add("test_return_leaf")
def returning_a_leaf_input(lib):
    seen = []

    class Identity(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a, a + b

        @staticmethod
        def backward(ctx, ga, gb):
            return ga + gb, gb

    x = lib.ones(2, 2, requires_grad=True)
    y = lib.ones(2, 2, requires_grad=True)
    q, p = Identity.apply(x, y)
    q.register_hook(lambda g: seen.append(g.tolist()))
    (q + p + x).sum().backward()
    return {"seen": seen, "x.grad": x.grad, "y.grad": y.grad, "q is x": q is x}


@programs.add("test_hook_none")
def needs_input_grad_and_none_gradient(lib):
    seen = []

    class NoneGradientFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            seen.append(("needs", ctx.needs_input_grad))
            return x, y

        @staticmethod
        def backward(ctx, gx, gy):
            return gx, None

    x = lib.ones(2, 2, requires_grad=True)
    y = lib.ones(2, 2)
    rx, ry = NoneGradientFunction.apply(x, y)
    rx.register_hook(lambda g: seen.append(("rx hook", g is None)))
    ry_hook = capture_error(lambda: ry.register_hook(lambda g: seen.append("ry hook")))
    (rx + ry).sum().backward()
    return {"seen": seen, "ry.requires_grad": ry.requires_grad, "ry hook": ry_hook}


@programs.add("test_custom_function_local_inplace")
def in_place_on_local_view_inside_forward(lib):
    class MyFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, inp, inplace):
            view = inp.clone()[:3]
            if inplace:
                view += 2
            return view

        @staticmethod
        def backward(ctx, grad):
            return grad, None

    base = lib.arange(10.0, requires_grad=True)
    return {
        "out of place": node_type(MyFn.apply(base, False).grad_fn),
        "in place": node_type(MyFn.apply(base, True).grad_fn),
    }


@programs.add("test_autograd_node_isinstance")
def nodes_are_instances_of_node(lib):
    seen = []
    Node = lib.autograd.graph.Node

    class Func(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(("forward ctx", isinstance(ctx, Node)))
            return x

        @staticmethod
        def backward(ctx, g):
            seen.append(("backward ctx", isinstance(ctx, Node)))
            return g

    a = lib.ones(3, 3, requires_grad=True)
    b = a.exp()
    out = Func.apply(a)
    out.sum().backward()
    return {
        "builtin": isinstance(b.grad_fn, Node),
        "accumulate": isinstance(b.grad_fn.next_functions[0][0], Node),
        "custom": isinstance(out.grad_fn, Node),
        "none": isinstance(None, Node),
        "seen": seen,
    }


@programs.add("test_autograd_print_tensor")
def repr_of_a_custom_function_output(lib):
    class Func(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    a = lib.ones(1, requires_grad=True)
    c = Func.apply(a)
    return {"c": repr(c), "name": c.grad_fn.name(), "type": node_type(c.grad_fn)}


# ------------------------------------------------------------------ once_differentiable


@programs.add("test_once_differentiable")
def once_differentiable_graph(lib):
    seen = []

    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, t1, pyscalar, t2):
            ctx.pyscalar = pyscalar
            ctx.save_for_backward(t1, t2)
            return t1 + pyscalar * t2 + t1 * t2

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            seen.append(lib.is_grad_enabled())
            t1, t2 = ctx.saved_tensors
            return g + g * t2, None, g * ctx.pyscalar + g * t1

    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = lib.tensor([[5.0, 6.0], [7.0, 8.0]], requires_grad=True)
    result = MyFunction.apply(x, 2, y)
    go = lib.ones((), requires_grad=True)
    result.sum().backward(go, create_graph=True)
    return {
        "grad enabled in backward": seen,
        "x.grad": x.grad,
        "x.grad graph": graph_signature(x.grad.grad_fn),
        "y.grad graph": graph_signature(y.grad.grad_fn),
        "differentiate again": capture_error(lambda: x.grad.sum().backward()),
    }


@programs.add("test_function")
def differentiable_backward_graph(lib):
    class MyFunction(lib.autograd.Function):
        @staticmethod
        def forward(ctx, t1, pyscalar, t2):
            ctx.pyscalar = pyscalar
            ctx.save_for_backward(t1, t2)
            return t1 + pyscalar * t2 + t1 * t2

        @staticmethod
        def backward(ctx, g):
            t1, t2 = ctx.saved_tensors
            return g + g * t2, None, g * ctx.pyscalar + g * t1

    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = lib.tensor([[5.0, 6.0], [7.0, 8.0]], requires_grad=True)
    result = MyFunction.apply(x, 2, y)
    go = lib.ones((), requires_grad=True)
    result.sum().backward(go, create_graph=True)
    return {
        "x.grad": x.grad,
        "y.grad": y.grad,
        "x.grad graph": graph_signature(x.grad.grad_fn),
        "y.grad graph": graph_signature(y.grad.grad_fn),
    }


@programs.add("test_custom_autograd_no_early_free")
def saved_output_used_in_backward(lib):
    class Double(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x**2
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, g):
            x, _ = ctx.saved_tensors
            return g * 2 * x

    class Double2(Double):
        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * 2 * y / x

    x = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
    obs = {}
    for fn in (Double, Double2):
        obs[fn.__name__] = (
            lib.autograd.gradcheck(fn.apply, x),
            lib.autograd.gradgradcheck(fn.apply, x),
        )
        y = fn.apply(x)
        lib.autograd.grad(y, x, create_graph=True)
        obs[fn.__name__ + " grad"] = lib.autograd.grad(y, x)
    return obs


@programs.add("test_custom_autograd_repeated_grad_grad")
def repeated_double_backward(lib):
    class Mult(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.prod(dim=-1).prod(dim=-1)
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return (g * y)[:, None, None] / x

    x = (lib.arange(1.0, 17.0).view(2, 2, 4) / 4).requires_grad_()
    obs = {}
    for name, fn in (("plain", lambda t: t.prod(dim=-1).prod(dim=-1)), ("custom", Mult.apply)):
        y = fn(x)
        (gy,) = lib.autograd.grad(y[0], x, create_graph=True)
        (ggy_1,) = lib.autograd.grad(gy[0, 0, 0], x, retain_graph=True)
        (gy,) = lib.autograd.grad(y[0], x, create_graph=True)
        (ggy_2,) = lib.autograd.grad(gy[0, 0, 0], x, retain_graph=True)
        obs[name] = (ggy_1, ggy_2)
    return obs


# ------------------------------------------------------------------ mark_dirty


@programs.add("test_return_leaf_inplace")
def mark_dirty_on_input_not_requiring_grad(lib):
    class Inplace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.mark_dirty(a)
            return a.add_(b), b + 2

        @staticmethod
        def backward(ctx, ga, gb):
            return ga, ga + gb

    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
    y = lib.tensor([[5.0, 6.0], [7.0, 8.0]], requires_grad=True)
    q, p = Inplace.apply(x, y)
    q.sum().backward()
    return {
        "q is x": q is x,
        "grad_fn class": q.grad_fn.__class__ is Inplace._backward_cls,
        "q.requires_grad": q.requires_grad,
        "y.grad": y.grad,
        "x": x,
    }


@programs.add("test_inplace_on_view_python")
def mark_dirty_on_a_view(lib):
    """Issue 18, program 2: the base of the dirty view takes the history (CopySlices)."""

    class PyAdd(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.mark_dirty(x)
            x.add_(y)
            return x

        @staticmethod
        def backward(ctx, g):
            return g, g

    a = lib.zeros(4, requires_grad=True)
    b = lib.ones(2, requires_grad=True)
    x = a.clone()
    out = PyAdd.apply(x.narrow(0, 1, 2), b)
    obs = {"x graph": graph_signature(x.grad_fn), "out graph": graph_signature(out.grad_fn), "x": x}
    x.sum().backward()
    obs["b.grad"] = b.grad
    obs["a.grad"] = a.grad
    return obs


@programs.add("test_inplace_on_view_python")
def mark_dirty_on_views_gradcheck(lib):
    a = lib.tensor(
        [[1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0], [4.0, 5.0, 6.0, 7.0]],
        dtype=lib.float64,
        requires_grad=True,
    )
    b = lib.tensor([[0.5, 1.5], [2.5, 3.5]], dtype=lib.float64, requires_grad=True)

    class PyAdd(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.mark_dirty(x)
            x.add_(y)
            return x

        @staticmethod
        def backward(ctx, g):
            return g, g

    def func(root, b):
        x = root.clone()
        PyAdd.apply(x.narrow(1, 2, 2).narrow(0, 1, 2), b)
        PyAdd.apply(x.narrow(1, 0, 2).narrow(0, 1, 2), b)
        return x

    return {
        "gradcheck": lib.autograd.gradcheck(func, [a, b], raise_exception=True),
        "gradgradcheck": lib.autograd.gradgradcheck(func, (a, b)),
    }


@programs.add(
    "test_autograd_python_custom_function_inplace",
    cases={"clone": ("clone",), "extra in place": ("extra",), "view input": ("view",)},
)
def mark_dirty_single_output(lib, how):
    calls = []

    class MyAdder(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            a.add_(b)
            ctx.mark_dirty(a)
            return a

        @staticmethod
        def backward(ctx, g):
            calls.append("backward")
            return g, g

    a = lib.ones(2, requires_grad=True)
    b = lib.ones(2, requires_grad=True)
    inp = a.clone().view_as(a) if how == "view" else a.clone()
    c = MyAdder.apply(inp, b)
    if how == "extra":
        c += 2
    c.sum().backward()
    return {"calls": calls, "a.grad": a.grad, "b.grad": b.grad, "c": c}


@programs.add("test_autograd_python_custom_function_inplace")
def mark_dirty_on_a_tensor_that_is_not_an_input(lib):
    class MyAdderBad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            c = 3 * a
            c.add_(b)
            ctx.mark_dirty(c)
            return c

        @staticmethod
        def backward(ctx, g):
            g = 3 * g
            return g, g

    a = lib.ones(2, requires_grad=True)
    b = lib.ones(2, requires_grad=True)
    out, warned = capture_warnings(lambda: MyAdderBad.apply(a.clone(), b))
    return {"warnings": warned, "out": out}


@programs.add(
    "test_autograd_python_custom_function_inplace",
    cases={"clone": ("clone",), "extra in place": ("extra",), "view input": ("view",)},
)
def mark_dirty_with_two_outputs(lib, how):
    calls = []

    class MyBadAdder(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            a.add_(b)
            ctx.mark_dirty(a)
            return a, a + b

        @staticmethod
        def backward(ctx, ga, gab):
            calls.append("backward")
            return ga + gab, ga + gab

    a = lib.ones(2, requires_grad=True)
    b = lib.ones(2, requires_grad=True)

    def run():
        inp = a.clone().view_as(a) if how == "view" else a.clone()
        c, d = MyBadAdder.apply(inp, b)
        if how == "extra":
            c += 2
        (c * d).sum().backward()

    return {"error": capture_error(run), "calls": calls, "a.grad": a.grad, "b.grad": b.grad}


@programs.add("test_autograd_python_custom_function_inplace")
def dirty_input_not_returned(lib):
    class MyOutPlaceAdder(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            a.add_(b)
            ctx.mark_dirty(a)
            return a.clone(), a + b

        @staticmethod
        def backward(ctx, ga, gab):
            return ga + gab, ga + 2 * gab

    a = lib.ones(2, requires_grad=True)
    b = lib.ones(2, requires_grad=True)

    def fn():
        orig_a = a.clone().view_as(a)
        c, d = MyOutPlaceAdder.apply(orig_a, b)
        return (c * d).sum()

    return {"error": capture_error(fn)}


@programs.add("test_custom_function_mark_output_view_of_intermediate")
def mark_dirty_on_a_view_of_an_intermediate(lib):
    class Func(lib.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            out = inp.clone().view_as(inp)
            ctx.mark_dirty(out)
            return out

        @staticmethod
        def backward(ctx, g):
            return g

    a = lib.tensor([1.0], requires_grad=True)
    return {"error": capture_error(lambda: Func.apply(a.clone()))}


@programs.add("test_custom_function_inplace_on_non_default_view")
def mark_dirty_on_output_of_split(lib):
    class Func(lib.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            inp.add_(1)
            ctx.mark_dirty(inp)
            return inp

        @staticmethod
        def backward(ctx, g):
            return g

    a = lib.tensor([1.0, 2.0], requires_grad=True).clone()
    b, c = a.split_with_sizes([1, 1], dim=0)
    return {"error": capture_error(lambda: Func.apply(b))}


@programs.add("test_custom_function_inplace_on_view_of_leaf")
def mark_dirty_on_view_of_leaf(lib):
    class Func(lib.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            inp.add_(1)
            ctx.mark_dirty(inp)
            return inp

        @staticmethod
        def backward(ctx, g):
            return g

    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = a.view_as(a)
    return {"error": capture_error(lambda: Func.apply(b)), "a": a}


@programs.add("test_custom_function_mark_dirty_not_differentiable")
def mark_dirty_returns_the_same_tensor(lib):
    class InplaceMul(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            result = x.mul_(2)
            ctx.mark_dirty(result)
            return result

        @staticmethod
        def backward(ctx, g):
            pass

    obs = {}
    for requires_grad in (True, False):
        z = lib.tensor(1.0, requires_grad=requires_grad)
        x = z.clone()
        y = InplaceMul.apply(x)
        obs[str(requires_grad)] = (x is y, x, node_type(y.grad_fn))
    return obs


@programs.add("test_return_duplicate")
def returning_the_same_output_twice(lib):
    class DoubleDuplicate(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            output = x * 2
            return output, output

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 2

    def fn(x):
        a, b = DoubleDuplicate.apply(x)
        return a + b, a is b

    x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    return {
        "a is b": fn(x)[1],
        "gradcheck": lib.autograd.gradcheck(lambda x: fn(x)[0], [x]),
        "gradgradcheck": lib.autograd.gradgradcheck(lambda x: fn(x)[0], [x]),
    }


@programs.add("test_return_duplicate_inplace")
def returning_a_dirty_input_twice(lib):
    class DoubleInplace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x, x

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 2

    def inplace_fn(x):
        a, b = DoubleInplace.apply(x.clone())
        return a + b

    x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    return {
        "gradcheck": lib.autograd.gradcheck(inplace_fn, [x]),
        "gradgradcheck": lib.autograd.gradgradcheck(inplace_fn, [x]),
        "leaf": capture_error(lambda: DoubleInplace.apply(x)),
        "view": capture_error(lambda: DoubleInplace.apply(x.clone()[0])),
    }


# ------------------------------------------------------------------ custom Functions and views


def _views_program(lib, fn_id, inplace, make_view):
    calls = []

    class IdOneOutput(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, make_view):
            return a.narrow(0, 0, 2) if make_view else a.clone()

        @staticmethod
        def backward(ctx, ga):
            calls.append("backward")
            return ga, None

    class IdTwoOutput(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, make_view):
            a = a.narrow(0, 0, 2) if make_view else a.clone()
            return a, a + b

        @staticmethod
        def backward(ctx, ga, gab):
            calls.append("backward")
            return ga + gab, gab, None

    class ViewOfTemp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, make_view):
            ctx.save_for_backward(a)
            a = a.narrow(0, 0, 2) if make_view else a.clone()
            b = a.clone()
            return b.select(0, 0)

        @staticmethod
        def backward(ctx, grad):
            calls.append("backward")
            (a,) = ctx.saved_tensors
            res = lib.zeros_like(a)
            res.select(0, 0).copy_(grad)
            return res, None

    def fn(a, b):
        a = a.clone()
        b = b.clone()
        if fn_id == "two_output":
            tmp1, tmp2 = IdTwoOutput.apply(a, b, make_view)
            if inplace:
                tmp1 += 3
                tmp2 += 3
            else:
                tmp1 = tmp1 + 3
                tmp2 = tmp2 + 3
            tmp = tmp1 * tmp2
        else:
            if fn_id == "one_output":
                tmp = IdOneOutput.apply(a, make_view)
            else:
                tmp = ViewOfTemp.apply(a + b, make_view)
            if inplace:
                tmp += 3
            else:
                tmp = tmp + 3
        return tmp.sum()

    a = lib.ones(2, dtype=lib.float64, requires_grad=True)
    b = lib.ones(2, dtype=lib.float64, requires_grad=True)

    def run():
        fn(a, b).abs().backward()
        return a.grad, b.grad

    return {"run": capture_error(run), "grads": (a.grad, b.grad), "calls": calls}


VIEW_CASES = {
    f"{fn_id}, {'in place' if inplace else 'out of place'}, {'view' if view else 'clone'}": (
        fn_id,
        inplace,
        view,
    )
    for fn_id in ("one_output", "two_output", "view_of_temp")
    for inplace in (True, False)
    for view in (True, False)
}


@programs.add(
    "test_autograd_simple_views_python",
    cases=VIEW_CASES,
)
def custom_function_outputs_that_are_views(lib, fn_id, inplace, make_view):
    return _views_program(lib, fn_id, inplace, make_view)


test_matches_torch, test_program_runs_on_torch = programs.tests()
