"""Custom ``autograd.Function`` features, run on minigrad and on torch 2.13.

``mark_non_differentiable``, ``set_materialize_grads``, ``mark_dirty``, ``needs_input_grad``,
double backward through a backward written in tensor ops, and ``once_differentiable``.
"""

from __future__ import annotations

from tests.oracle import capture_error, compare_programs, graph_signature, strip_addresses

ONCE = "trying to differentiate twice a function that was marked with @once_differentiable"


def tolist(t):
    return None if t is None else t.detach().numpy().tolist()


def test_mark_non_differentiable_output():
    def prog(lib):
        seen = []

        class SortLike(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                idx = lib.argmax(x)
                out = x * 2
                ctx.mark_non_differentiable(idx)
                return out, idx

            @staticmethod
            def backward(ctx, g, g_idx):
                seen.append((tolist(g), tolist(g_idx)))
                return g * 2

        x = lib.tensor([1.0, 3.0, 2.0], requires_grad=True)
        out, idx = SortLike.apply(x)
        out.sum().backward()
        return {
            "idx": repr(idx),
            "idx requires_grad": idx.requires_grad,
            "idx grad_fn": idx.grad_fn,
            "out": repr(out),
            "seen": seen,
            "grad": x.grad,
        }

    compare_programs(prog)


def test_mark_non_differentiable_float_output_and_using_it():
    def prog(lib):
        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                a, b = x * 2, x * 3
                ctx.mark_non_differentiable(b)
                return a, b

            @staticmethod
            def backward(ctx, ga, gb):
                return ga * 2 + gb

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a, b = Two.apply(x)
        return {
            "b": repr(b),
            "b requires grad": b.requires_grad,
            "backward of b": capture_error(lambda: b.sum().backward()),
            "grad via a": lib.autograd.grad(a.sum(), x),
        }

    compare_programs(prog)


def test_set_materialize_grads():
    def prog(lib):
        obs = {}
        for materialize in (True, False):
            seen = []

            class Two(lib.autograd.Function):
                @staticmethod
                def forward(ctx, x, materialize=materialize):
                    ctx.set_materialize_grads(materialize)
                    return x * 2, x * 3

                @staticmethod
                def backward(ctx, ga, gb, seen=seen):
                    seen.append((tolist(ga), tolist(gb)))
                    out = ga * 2
                    if gb is not None:
                        out = out + gb * 3
                    return out

            x = lib.tensor([1.0, 2.0], requires_grad=True)
            a, b = Two.apply(x)
            a.sum().backward()  # b is unused: its gradient is None (or zeros)
            obs[materialize] = (seen, x.grad)
        return obs

    out = compare_programs(prog)
    assert out[False][0][0][1] is None
    assert out[True][0][0][1] == [0.0, 0.0]


def test_mark_dirty_in_place_custom_op():
    def prog(lib):
        class AddOneInPlace(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.add_(1)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 1

        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = a * 3
        v0 = b._version
        c = AddOneInPlace.apply(b)
        obs = {
            "same object": c is b,
            "c": repr(c),
            "b grad_fn name": b.grad_fn.name(),
            "version bump": b._version - v0,
            "sig": graph_signature(c.grad_fn),
        }
        (c * c).sum().backward()
        obs["grad"] = a.grad
        leaf = lib.tensor([1.0, 2.0], requires_grad=True)
        obs["dirty leaf"] = capture_error(lambda: AddOneInPlace.apply(leaf))
        return obs

    out = compare_programs(prog)
    assert out["same object"] is True


def test_needs_input_grad_and_non_tensor_arguments():
    def prog(lib):
        seen = []

        class Scale(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k, y):
                seen.append(ctx.needs_input_grad)
                ctx.k = k
                return x * k + y

            @staticmethod
            def backward(ctx, g):
                seen.append(ctx.needs_input_grad)
                return g * ctx.k, None, g if ctx.needs_input_grad[2] else None

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([1.0, 1.0])
        out = Scale.apply(x, 3.0, y)
        out.sum().backward()
        return {
            "seen": seen,
            "grad": x.grad,
            "sig": graph_signature(out.grad_fn),
            "node": strip_addresses(repr(out.grad_fn)),
        }

    compare_programs(prog)


def test_double_backward_through_a_backward_written_in_ops():
    def prog(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x**3

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * x**2 * g

        x = lib.tensor([1.0, -2.0], requires_grad=True)
        (g,) = lib.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x, create_graph=True)
        (ggg,) = lib.autograd.grad(gg.sum(), x)
        return {"g": repr(g), "gg": repr(gg), "ggg": ggg, "sig": graph_signature(g.grad_fn)}

    out = compare_programs(prog)
    assert out["ggg"][3] == [6.0, 6.0]


def test_once_differentiable_first_order_works_second_order_raises():
    def prog(lib):
        from importlib import import_module

        once_differentiable = import_module(lib.__name__ + ".autograd.function").once_differentiable

        class Sq(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @once_differentiable
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * x * g

        x = lib.tensor([3.0], requires_grad=True)
        first = lib.autograd.grad(Sq.apply(x), x, create_graph=True)
        z = (Sq.apply(x) ** 2).sum()
        (g,) = lib.autograd.grad(z, x, create_graph=True)
        return {
            "first order": repr(first),
            "g": repr(g),
            "g node": g.grad_fn.name(),
            "g next": [(None if n is None else n.name(), nr) for n, nr in g.grad_fn.next_functions],
            "backward twice": capture_error(lambda: g.backward(retain_graph=True)),
            "grad wrt x": capture_error(lambda: lib.autograd.grad(g, x)),
            "wrapped name": Sq.backward.__name__,
        }

    out = compare_programs(prog)
    assert out["backward twice"] == ("RuntimeError", ONCE)


def test_once_differentiable_with_several_outputs_and_none():
    def prog(lib):
        from importlib import import_module

        once_differentiable = import_module(lib.__name__ + ".autograd.function").once_differentiable

        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                return x * k, x + 1

            @staticmethod
            @once_differentiable
            def backward(ctx, a, b):
                return a * 2 + b, None

        x = lib.tensor([3.0], requires_grad=True)
        a, b = Two.apply(x, 2.0)
        (ga,) = lib.autograd.grad((a**2).sum() + b.sum(), x, create_graph=True)
        return {
            "ga": repr(ga),
            "next": [(None if n is None else n.name(), nr) for n, nr in ga.grad_fn.next_functions],
            "error": capture_error(ga.backward),
        }

    compare_programs(prog)
