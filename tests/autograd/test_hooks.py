"""Hooks on tensors, nodes, saved tensors and modules, run on minigrad and on torch 2.13.

Every program is written once as ``prog(lib)``; :func:`compare_programs` runs it with both
libraries and asserts the observations (hook call logs, gradients, errors) are equal. The
programs are those behind section R of the recorded torch behaviour.
"""

from __future__ import annotations

import pytest

from tests.oracle import capture_error, capture_warnings, compare_programs, graph_signature


def tolist(t):
    return None if t is None else t.detach().numpy().tolist()


# ----------------------------------------------------------------------- tensor hooks


def test_firing_order_tensor_hooks_retain_grad_pre_node_post_leaf():
    def prog(lib):
        log = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = y.exp()
        y.register_hook(lambda g: (log.append(("tensor hook 1", tolist(g))), g * 2)[1])
        y.grad_fn.register_prehook(lambda go: log.append(("node pre", [tolist(g) for g in go])))
        y.retain_grad()
        y.register_hook(lambda g: log.append(("tensor hook 2", tolist(g))))
        y.grad_fn.register_hook(
            lambda gi, go: log.append(
                ("node post", [tolist(g) for g in gi], [tolist(g) for g in go])
            )
        )
        x.register_hook(lambda g: log.append(("leaf hook", tolist(g))))
        x.register_post_accumulate_grad_hook(lambda p: log.append(("post acc", tolist(p.grad))))
        z.sum().backward()
        return {"log": log, "y.grad": y.grad, "x.grad": x.grad}

    out = compare_programs(prog)
    # torch's order: tensor hooks, then retain_grad (sees the hooks' result), then node hooks.
    assert [e[0] for e in out["log"]] == [
        "tensor hook 1", "tensor hook 2", "node pre", "node post", "leaf hook", "post acc",
    ]  # fmt: skip


def test_node_prehook_result_is_seen_after_retain_grad():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.grad_fn.register_prehook(lambda go: (go[0] * 10,))
        y.sum().backward()
        return {"y.grad": y.grad, "x.grad": x.grad}

    compare_programs(prog)


def test_hook_on_non_leaf_and_retain_grad_before_or_after():
    def prog(lib):
        obs = {}
        for when in ("before", "after"):
            seen = []
            x = lib.tensor([1.0, 2.0], requires_grad=True)
            y = x * 2
            if when == "before":
                y.retain_grad()
            h = y.register_hook(lambda g, seen=seen: (seen.append(tolist(g)), g * 10)[1])
            if when == "after":
                y.retain_grad()
            (y**2).sum().backward()
            obs[when] = (seen, y.grad, x.grad)
            obs["handle type " + when] = type(h).__name__
            h.remove()
            x.grad = None
            (x * 2).pow(2).sum().backward()
            obs["after remove " + when] = x.grad
        return obs

    out = compare_programs(prog)
    assert out["before"][0] == [[4.0, 8.0]]


def test_leaf_hooks_see_and_replace_the_gradient():
    def prog(lib):
        seen = []
        x = lib.tensor([1.0, 1.0], requires_grad=True)
        x.register_hook(lambda g: seen.append(tolist(g)))
        (x * 3).sum().backward()
        obs = {"seen": seen, "grad": x.grad}
        w = lib.tensor([1.0, 1.0], requires_grad=True)
        w.register_hook(lambda g: g + 100)
        (w * 3).sum().backward()
        obs["replaced"] = w.grad
        p = lib.tensor([1.0, 1.0], requires_grad=True)
        post = []
        p.register_post_accumulate_grad_hook(lambda t: post.append(tolist(t.grad)))
        (p * 3).sum().backward()
        obs["post accumulate"] = post
        return obs

    compare_programs(prog)


def test_hook_errors():
    def prog(lib):
        return {
            "no grad": capture_error(lambda: lib.tensor([1.0]).register_hook(lambda g: g)),
            "post acc no grad": capture_error(
                lambda: lib.tensor([1.0]).register_post_accumulate_grad_hook(lambda t: None)
            ),
        }

    out = compare_programs(prog)
    assert out["no grad"] == (
        "RuntimeError",
        "cannot register a hook on a tensor that doesn't require gradient",
    )


def test_hooks_fire_for_autograd_grad_inputs():
    def prog(lib):
        seen = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        y.register_hook(lambda g: (seen.append(("y", tolist(g))), g * 3)[1])
        x.register_hook(lambda g: seen.append(("x", tolist(g))))
        (g,) = lib.autograd.grad(y.sum(), x)
        return {"seen": seen, "g": g, "x.grad": x.grad}

    compare_programs(prog)


def test_removing_a_hook_inside_backward_and_handle_context():
    def prog(lib):
        calls = []
        x = lib.tensor([1.0], requires_grad=True)
        with x.register_hook(lambda g: calls.append("ctx")):
            (x * 2).sum().backward()
        (x * 2).sum().backward()
        return {"calls": calls, "grad": x.grad}

    compare_programs(prog)


# ------------------------------------------------------------------------- node hooks


def test_node_pre_and_post_hooks_on_exp():
    def prog(lib):
        log = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        z = (x * 2).exp()
        node = z.grad_fn
        h1 = node.register_prehook(
            lambda go: (log.append(("pre", [tolist(g) for g in go])), (go[0] * 2,))[1]
        )
        h2 = node.register_hook(
            lambda gi, go: log.append(("post", [tolist(g) for g in gi], [tolist(g) for g in go]))
        )
        z.sum().backward()
        obs = {"log": log, "x.grad": x.grad, "types": (type(h1).__name__, type(h2).__name__)}
        x2 = lib.tensor([1.0, 2.0], requires_grad=True)
        z2 = (x2 * 2).exp()
        z2.grad_fn.register_hook(lambda gi, go: (lib.ones(2) * 7,))
        z2.sum().backward()
        obs["replaced grad_inputs"] = x2.grad
        return obs

    compare_programs(prog)


def test_accumulate_grad_node_hooks():
    def prog(lib):
        log = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        acc = y.grad_fn.next_functions[0][0]
        acc.register_prehook(lambda go: log.append(("pre", [tolist(g) for g in go])))
        acc.register_hook(lambda gi, go: log.append(("post", list(gi), [tolist(g) for g in go])))
        (y * 2).sum().backward()
        return {"log": log, "grad": x.grad}

    compare_programs(prog)


def test_gradient_edge_as_input_of_grad():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        z = (y * y).sum()
        edge = lib.autograd.graph.get_gradient_edge(y)
        leaf_edge = lib.autograd.graph.get_gradient_edge(x)
        return {
            "grad via edge": lib.autograd.grad(z, edge, retain_graph=True),
            "edge node is grad_fn": edge.node is y.grad_fn,
            "output_nr": edge.output_nr,
            "leaf edge name": leaf_edge.node.name(),
            "both": lib.autograd.grad(z, (leaf_edge, edge)),
            "fields": type(edge)._fields,
            "error": capture_error(lambda: lib.autograd.graph.get_gradient_edge(lib.tensor([1.0]))),
        }

    compare_programs(prog)


def test_multi_grad_hook_all_and_any():
    def prog(lib):
        log = []
        a = lib.tensor(1.0, requires_grad=True)
        b = lib.tensor(2.0, requires_grad=True)
        c = lib.tensor(3.0, requires_grad=True)
        h = lib.autograd.graph.register_multi_grad_hook(
            (a, b, c), lambda grads: log.append(("all", [tolist(g) for g in grads]))
        )
        (a * 2 + b).backward()  # c takes no part: its entry is None
        (a * c).backward()
        h.remove()
        (a * 2 + b).backward()
        lib.autograd.graph.register_multi_grad_hook(
            (a, b), lambda g: log.append(("any", tolist(g))), mode="any"
        )
        (a * 5 + b * 7).backward()
        return {"log": log}

    out = compare_programs(prog)
    assert out["log"][0] == ("all", [2.0, 1.0, None])


# ----------------------------------------------------------------- saved tensor hooks


def test_saved_tensors_hooks_pack_in_forward_unpack_in_backward():
    def prog(lib):
        log = []

        def pack(t):
            log.append(("pack", repr(t), lib.is_grad_enabled()))
            return t.detach()

        def unpack(p):
            log.append(("unpack", repr(p)))
            return p

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = x * x
            z = y.exp()
            w = x * 2.0  # the Python number is never packed; x is not saved
        log.append("backward")
        z.sum().backward()
        return {"log": log, "grad": x.grad, "w": w}

    out = compare_programs(prog)
    assert [e[0] if isinstance(e, tuple) else e for e in out["log"]] == [
        "pack", "pack", "pack", "backward", "unpack", "unpack", "unpack",
    ]  # fmt: skip


def test_saved_tensors_hooks_can_replace_saved_values():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: lib.ones(2) * 5, lambda p: p):
            y = x * x
        saved = y.grad_fn._saved_self
        y.sum().backward()
        return {"saved": repr(saved), "grad": x.grad, "y": y}

    out = compare_programs(prog)
    assert out["saved"] == "tensor([5., 5.], requires_grad=True)"


def test_saved_tensors_hooks_nest_and_save_on_cpu():
    def prog(lib):
        seen = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        outer = lib.autograd.graph.saved_tensors_hooks(
            lambda t: seen.append("outer") or t, lambda p: p
        )
        inner = lib.autograd.graph.saved_tensors_hooks(
            lambda t: seen.append("inner") or t, lambda p: p
        )
        with outer:
            with inner:
                a = x.exp()
            b = x.sin()
        (a + b).sum().backward()
        obs = {"seen": seen, "grad": x.grad}
        y = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.autograd.graph.save_on_cpu():
            s = y * y
        s.sum().backward()
        obs["save_on_cpu grad"] = y.grad
        return obs

    compare_programs(prog)


def test_saved_tensors_hooks_with_custom_function_and_double_backward():
    def prog(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x**3

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * x * x * g

        packed = []
        x = lib.tensor([1.5, -2.0], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(
            lambda t: packed.append(tuple(t.shape)) or t, lambda p: p
        ):
            y = Cube.apply(x)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return {"packed": packed, "g": g, "gg": gg}

    compare_programs(prog)


# ----------------------------------------------------------------------- module hooks


def copy_linear(lib, weight, bias):
    layer = lib.nn.Linear(len(weight[0]), len(weight))
    with lib.no_grad():
        layer.weight.copy_(lib.tensor(weight))
        layer.bias.copy_(lib.tensor(bias))
    return layer


def test_module_forward_hooks():
    def prog(lib):
        log = []
        layer = copy_linear(lib, [[1.0, -1.0]], [0.5])
        h1 = layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
        h2 = layer.register_forward_hook(
            lambda m, args, out: log.append((type(m).__name__, tolist(args[0]), out.grad_fn.name()))
        )
        out = layer(lib.tensor([[1.0, 3.0]]))
        h1.remove()
        h2.remove()
        return {"log": log, "out": out, "after remove": layer(lib.tensor([[1.0, 3.0]]))}

    compare_programs(prog)


@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_module_full_backward_hook(input_requires_grad):
    def prog(lib):
        log = []
        layer = copy_linear(lib, [[1.0, -1.0]], [0.5])

        def hook(module, grad_input, grad_output):
            log.append(
                (
                    [None if g is None else tolist(g) for g in grad_input],
                    [tolist(g) for g in grad_output],
                )
            )

        layer.register_full_backward_hook(hook)
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=input_requires_grad)
        out = layer(x)
        loss = (out * lib.tensor([[1.0], [2.0], [3.0]])).sum()
        _, warned = capture_warnings(loss.backward)
        return {
            "log": log,
            "warnings": warned,
            "weight grad": layer.weight.grad,
            "x grad": x.grad,
            "out": out.detach(),
        }

    compare_programs(prog)


def test_module_full_backward_hook_replaces_grad_input():
    def prog(lib):
        layer = copy_linear(lib, [[1.0, -1.0]], [0.5])
        layer.register_full_backward_hook(lambda m, gi, go: (gi[0] * 10,))
        x = lib.tensor([[1.0, 2.0]], requires_grad=True)
        layer(x).sum().backward()
        return {"x grad": x.grad, "w grad": layer.weight.grad}

    compare_programs(prog)


def test_graph_of_a_module_call_with_hooks_is_unchanged_without_hooks():
    def prog(lib):
        layer = copy_linear(lib, [[1.0, -1.0]], [0.5])
        layer.register_forward_hook(lambda m, a, o: None)
        return {"sig": graph_signature(layer(lib.tensor([[1.0, 2.0]])).grad_fn)}

    compare_programs(prog)


def test_what_a_hook_may_return():
    def prog(lib):
        def run(setup):
            x = lib.tensor([1.0, 2.0], requires_grad=True)
            y = x * 2
            setup(x, y)
            return capture_error(lambda: y.sum().backward()), x.grad

        return {
            "wrong shape": run(lambda x, y: y.register_hook(lambda g: lib.ones(3))),
            "not a tensor": run(lambda x, y: y.register_hook(lambda g: 3)),
            "other dtype": run(lambda x, y: y.register_hook(lambda g: g.double())),
            "leaf wrong shape": run(lambda x, y: x.register_hook(lambda g: lib.ones(3))),
            "named hook": run(lambda x, y: y.register_hook(named_bad_hook)),
            "pre wrong shape": run(
                lambda x, y: y.grad_fn.register_prehook(lambda go: (lib.ones(3),))
            ),
            "pre not tuple": run(lambda x, y: y.grad_fn.register_prehook(lambda go: go[0])),
            "pre wrong count": run(
                lambda x, y: y.grad_fn.register_prehook(lambda go: (go[0], go[0]))
            ),
            "post replaces None": run(
                lambda x, y: y.grad_fn.register_hook(lambda gi, go: (lib.ones(2), lib.ones(2)))
            ),
            "post wrong count": run(lambda x, y: y.grad_fn.register_hook(lambda gi, go: (gi[0],))),
            "post ok": run(lambda x, y: y.grad_fn.register_hook(lambda gi, go: (gi[0] * 5, None))),
            "post acc on non-leaf": capture_error(
                lambda: (
                    lib.tensor([1.0], requires_grad=True) * 2
                ).register_post_accumulate_grad_hook(lambda t: None)
            ),
        }

    compare_programs(prog)


def named_bad_hook(grad):
    return grad[:1]


def test_saved_tensors_hooks_keep_double_backward_working():
    def prog(lib):
        x = lib.tensor([1.5, -2.0], requires_grad=True)
        w = lib.tensor([0.5, 3.0], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda p: p):
            y = x**3 * w * x + (w * w).exp()
        (gx, gw) = lib.autograd.grad(y.sum(), (x, w), create_graph=True)
        (ggx,) = lib.autograd.grad((gx * gw).sum(), x)
        return {"g": (gx, gw), "gg": ggx, "sig": graph_signature(gx.grad_fn)}

    compare_programs(prog)


def test_unpack_hook_must_return_a_tensor():
    def prog(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: 3, lambda p: p):
            y = x * x
        return {"error": capture_error(lambda: y.sum().backward())}

    compare_programs(prog)
