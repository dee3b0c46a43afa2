"""In-place operations on views, run on minigrad and on torch 2.13 (issue 18).

A view shares storage and the version counter with its base. When an in-place op on a view
is recorded, torch rewrites the history of the *base*: the base's ``grad_fn`` becomes a
``CopySlices`` node that wraps the op's node, and the view's ``grad_fn`` is regenerated from
the base (an ``AsStridedBackward0``) the next time it is read. torch refuses the cases whose
gradient would be ambiguous: views of leaves that require grad, views made in ``no_grad``,
outputs of functions that return several views, views made inside a custom Function.

Each program below is written once as ``prog(lib)`` and run on both libraries; the name given
to ``programs.add`` is the test of PyTorch's ``test/test_autograd.py`` it comes from.
"""

from __future__ import annotations

from tests.oracle import (
    ProgramSet,
    capture_error,
    graph_signature,
    node_type,
)

programs = ProgramSet()


def square(lib):
    return lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)


# ------------------------------------------------------------------ the base takes history


@programs.add("test_inplace_on_view_backprop_view")
def view_of_plain_tensor_takes_grad(lib):
    """Issue 18, program 1: the base did not require grad; after the op it does."""
    b = lib.ones(2, requires_grad=True)
    x = lib.zeros(4)
    v = x.narrow(0, 1, 2)
    v.add_(b)
    obs = {
        "x.requires_grad": x.requires_grad,
        "x.is_leaf": x.is_leaf,
        "x.grad_fn": node_type(x.grad_fn),
        "x graph": graph_signature(x.grad_fn),
        "v graph": graph_signature(v.grad_fn),
        "repr(x)": repr(x),
        "versions": (x._version, v._version),
    }
    (x * lib.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    obs["b.grad"] = b.grad
    return obs


@programs.add("test_inplace_on_view_backprop_view")
def modified_view_backprops_to_other_operand(lib):
    a = lib.tensor([2.0, 5.0])
    b = lib.tensor([3.0], requires_grad=True)
    res = a.narrow(0, 1, 1).mul_(b)
    obs = {"res graph": graph_signature(res.grad_fn), "a": a, "a graph": graph_signature(a.grad_fn)}
    res.sum().backward()
    obs["b.grad"] = b.grad
    obs["a.grad"] = a.grad
    return obs


@programs.add("test_inplace_on_view_backprop_base")
def modify_view_backprop_through_base(lib):
    root = square(lib)
    x = root.clone()
    v1 = x.narrow(0, 0, 1)
    v1.mul_(2)
    obs = {"x graph": graph_signature(x.grad_fn), "x": x}
    x.sum().backward()
    obs["root.grad"] = root.grad
    return obs


@programs.add("test_inplace_on_view_backprop_view_of_view")
def modify_view_backprop_through_other_view(lib):
    root = square(lib)
    x = root.clone()
    v1 = x.narrow(0, 0, 1)
    v2 = x.narrow(0, 0, 1)
    v1.mul_(2)
    obs = {"v2 graph": graph_signature(v2.grad_fn), "v2": v2}
    v2.sum().backward()
    obs["root.grad"] = root.grad
    return obs


@programs.add("test_inplace_on_view_of_view")
def modify_view_of_view_backprop_through_base(lib):
    root = square(lib)
    x = root.clone()
    v1 = x.narrow(0, 0, 1)
    v2 = v1.narrow(1, 1, 1)
    v2.mul_(2)
    obs = {"v2._base is x": v2._base is x, "x graph": graph_signature(x.grad_fn)}
    x.sum().backward()
    obs["root.grad"] = root.grad
    return obs


@programs.add("test_inplace_on_view_non_contig")
def modify_view_of_non_contiguous_base(lib):
    root = lib.ones(2, 3, 2).select(2, 1).t().requires_grad_(True)
    x = root.clone()
    v1 = x.narrow(0, 0, 1)
    v2 = v1.narrow(1, 1, 1)
    v2.mul_(2)
    x.sum().backward()
    return {"root.grad": root.grad, "x": x}


@programs.add("test_inplace_on_view_backprop_base")
def view_grad_fn_is_regenerated(lib):
    """The view's grad_fn: SliceBackward0 before, AsStridedBackward0 after (no view replay)."""
    a = lib.tensor([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
    x = a.clone()
    v = x[1:3]
    before = node_type(v.grad_fn)
    v.mul_(2)
    return {
        "before": before,
        "after": node_type(v.grad_fn),
        "view graph": graph_signature(v.grad_fn),
        "base graph": graph_signature(x.grad_fn),
        "versions": (x._version, v._version),
        "repr(v)": repr(v),
        "repr(x)": repr(x),
    }


@programs.add("test_inplace_on_view_backprop_view_of_view")
def other_views_see_the_new_history(lib):
    """A second view of the base, read after the op, also hangs below CopySlices."""
    a = lib.tensor([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
    x = a.clone()
    w = x.view(2, 3)
    v = x[1:3]
    v.add_(1)
    obs = {"w graph": graph_signature(w.grad_fn), "w": w}
    (w * w).sum().backward()
    obs["a.grad"] = a.grad
    return obs


@programs.add("test_inplace_on_view_modify_base")
def in_place_on_base_makes_old_view_require_grad(lib):
    r = lib.ones(1, dtype=lib.float64, requires_grad=True)
    x = lib.ones(5, dtype=lib.float64)
    v = x.select(0, 1)
    obs = {"before": (v.requires_grad, node_type(v.grad_fn))}
    x.add_(r)
    obs["after"] = (v.requires_grad, node_type(v.grad_fn))
    obs["v graph"] = graph_signature(v.grad_fn)
    v.backward()
    obs["r.grad"] = r.grad
    return obs


@programs.add("test_inplace_on_view_makes_base_require_grad")
def view_op_with_operand_requiring_grad(lib):
    a = lib.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])
    b = lib.tensor([[2.0, 3.0], [4.0, 5.0]], requires_grad=True)
    x = a.clone()
    before = x.requires_grad
    x.narrow(1, 2, 2).mul_(b)
    obs = {"before": before, "after": x.requires_grad, "x": x}
    (x * x).sum().backward()
    obs["b.grad"] = b.grad
    return obs


@programs.add("test_inplace_on_view_gradcheck")
def gradcheck_of_in_place_on_views(lib):
    a = lib.tensor(
        [[1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0], [4.0, 5.0, 6.0, 7.0]],
        dtype=lib.float64,
        requires_grad=True,
    )
    b = lib.tensor([[0.5, 1.5], [2.5, 3.5]], dtype=lib.float64, requires_grad=True)

    def func(root, b):
        x = root.clone()
        x.narrow(1, 2, 2).narrow(0, 1, 2).mul_(b)
        x.narrow(1, 0, 2).narrow(0, 1, 2).mul_(b)
        return x

    first = lib.autograd.gradcheck(func, [a, b], raise_exception=True)
    second = lib.autograd.gradgradcheck(func, (a, b))
    out = func(a, b)
    ga, gb = lib.autograd.grad((out * out).sum(), (a, b), create_graph=True)
    gga, ggb = lib.autograd.grad((ga.sum() + gb.sum()), (a, b))
    return {"gradcheck": first, "gradgradcheck": second, "ga": ga, "gb": gb, "gga": gga, "ggb": ggb}


@programs.add("test_inplace_on_view_makes_base_require_grad")
def gradcheck_base_made_to_require_grad(lib):
    a = lib.ones(4, 4, dtype=lib.float64)
    b = lib.tensor(
        [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]], dtype=lib.float64, requires_grad=True
    )

    def func(root, b):
        x = root.clone()
        x.narrow(1, 2, 2).mul_(b)
        return x

    return {
        "gradcheck": lib.autograd.gradcheck(func, [a, b], raise_exception=True),
        "gradgradcheck": lib.autograd.gradgradcheck(func, (a, b)),
    }


@programs.add("test_inplace_on_view_then_no_grad")
def grad_fn_refreshed_under_no_grad(lib):
    a = lib.ones(3, 1, dtype=lib.float64, requires_grad=True)
    b = a * 2
    c = b.view_as(b)
    c[0][0] = 3
    with lib.no_grad():
        name = node_type(c.grad_fn)
    c.sum().backward()
    return {"c.grad_fn under no_grad": name, "a.grad": a.grad, "c": c}


@programs.add("test_copy_slices_graph_task_updates")
def copy_slices_does_not_run_the_view_node(lib):
    """A hook on the view's old history must not fire: CopySlices replaced it."""
    calls = []
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = lib.tensor([3.0, 4.0], requires_grad=True)
    out = x.clone().view(-1)
    out.register_hook(lambda g: calls.append("hook"))
    b = out + y
    out += y
    gb, gy = lib.autograd.grad((out + b).sum(), (b, y), retain_graph=True)
    gx = lib.autograd.grad((out * 3).sum(), x)
    return {"calls": calls, "gb": gb, "gy": gy, "gx": gx}


@programs.add("test_copy_slices_graph_task_updates")
def copy_slices_f1_f2(lib):
    obs = {}
    for k, keep in enumerate((False, True)):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0], requires_grad=True)
        out = x.clone().view(-1)
        b = out * 2 if keep else None
        out += y
        res = out + b if keep else out
        obs[f"f{k + 1}"] = lib.autograd.grad((res * res).sum(), (x, y))
    return obs


@programs.add("test_backward_twice_with_saved_values")
def copy_slices_frees_its_graph(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = a.clone()
    x[0:2].mul_(a[0:2])
    x.sum().backward()
    return {"a.grad": a.grad, "second": capture_error(lambda: x.sum().backward())}


@programs.add("test_inplace_on_view_python")
def copy_into_view_records_copy_slices(lib):
    w = lib.tensor([5.0, 6.0], requires_grad=True)
    y = lib.zeros(3, 2)
    y.select(0, 1).copy_(w)
    obs = {"y graph": graph_signature(y.grad_fn), "y": y}
    (y * lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
    obs["w.grad"] = w.grad
    return obs


@programs.add("test_inplace_on_view_backprop_base")
def several_in_place_ops_on_views(lib):
    a = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    x = a.clone()
    x[0].mul_(2)
    x[:, 1].add_(10)
    x.t()[2].div_(2)
    obs = {"x": x, "x graph": graph_signature(x.grad_fn)}
    (x * x).sum().backward()
    obs["a.grad"] = a.grad
    return obs


@programs.add("test_inplace_on_view_gradcheck")
def second_order_through_copy_slices(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = a * 1
    x[1:].mul_(a[1:])
    (g,) = lib.autograd.grad((x**2).sum(), a, create_graph=True)
    obs = {"g": g, "g graph": graph_signature(g.grad_fn)}
    g.sum().backward()
    obs["a.grad"] = a.grad
    return obs


@programs.add("test_version_counter")
def views_share_the_version_counter(lib):
    x = lib.ones(1, 2)
    versions = [x._version]
    x.add_(1).add_(1)
    versions.append(x._version)
    xz = x[:]
    versions.append((x._version, xz._version))
    xz.add_(1)
    versions.append((x._version, xz._version))
    x.data = lib.zeros(2, 3)
    versions.append((x._version, xz._version))
    x.add_(1)
    versions.append((x._version, xz._version))
    xz.add_(1)
    versions.append((x._version, xz._version))
    return {"versions": versions}


VIEW_OPS = {
    "view": lambda x: x.view(3, 2),
    "view_as": lambda x: x.view_as(x),
    "narrow": lambda x: x.narrow(1, 0, 2),
    "select": lambda x: x.select(0, 1),
    "int index": lambda x: x[1],
    "slice": lambda x: x[:, 1:],
    "ellipsis": lambda x: x[...],
    "none index": lambda x: x[None],
    "t": lambda x: x.t(),
    "transpose": lambda x: x.transpose(0, 1),
    "permute": lambda x: x.permute(1, 0),
    "unsqueeze": lambda x: x.unsqueeze(0),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(0),
    "expand": lambda x: x[:1].expand(4, 3),
    "reshape (a view)": lambda x: x.reshape(6),
    "flatten": lambda x: x.flatten(),
    "unbind": lambda x: x.unbind(0)[1],
    "T": lambda x: x.T,
}


@programs.add("test_version_counter", cases={k: (k,) for k in VIEW_OPS})
def view_ops_share_base_and_version(lib, op):
    a = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    x = a.clone()
    v = VIEW_OPS[op](x)
    x.mul_(1)
    return {
        "v._base is x": v._base is x,
        "same version": v._version == x._version,
        "a._base": a._base is None,
    }


NOT_VIEWS = {
    "clone": lambda x: x.clone(),
    "reshape (a copy)": lambda x: x.t().reshape(6),
    "contiguous (a copy)": lambda x: x.t().contiguous(),
    "advanced index": lambda x: x[[0, 1]],
    "bool mask": lambda x: x[x > 2],
    "detach": lambda x: x.detach(),
    "out-of-place op": lambda x: x * 1,
}


@programs.add("test_version_counter", cases={k: (k,) for k in NOT_VIEWS})
def non_views_have_no_base(lib, op):
    x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True).clone()
    out = NOT_VIEWS[op](x)
    return {"out._base is None": out._base is None, "detach shares version": op == "detach"}


@programs.add("test_view_func_replay")
def is_view_method(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x.clone()
    return {
        "leaf": x._is_view(),
        "clone": y._is_view(),
        "view": y.view(4)._is_view(),
        "narrow": y.narrow(0, 0, 1)._is_view(),
        "unbind": y.unbind()[0]._is_view(),
        "detach": y.detach()._is_view(),
        "view of view": y.t()[0]._is_view(),
        "advanced index": y[[0]]._is_view(),
    }


@programs.add("test_detach")
def detach_in_place_on_a_view_is_refused(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    view = x.narrow(0, 1, 2)
    return {"error": capture_error(lambda: view.detach_()), "view.grad_fn": node_type(view.grad_fn)}


@programs.add("test_detach_base")
def detaching_the_base_keeps_the_view(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    view = x.narrow(0, 1, 2)
    x.detach_()
    return {
        "x.requires_grad": x.requires_grad,
        "view.requires_grad": view.requires_grad,
        "view.grad_fn": node_type(view.grad_fn),
        "view._base is x": view._base is x,
    }


# ------------------------------------------------------------------ leaves and their views

LEAF_VIEW_OPS = {
    "view_as add_": lambda x: x.view_as(x).add_(1),
    "narrow mul_": lambda x: x.narrow(0, 0, 2).mul_(2),
    "select zero_": lambda x: x.select(0, 1).zero_(),
    "slice fill_": lambda x: x[1:].fill_(3.0),
    "t copy_": lambda x: x.unsqueeze(0).t().copy_(x.detach().unsqueeze(1)),
    "int index +=": lambda x: x[0].__iadd__(1),
    "setitem": lambda x: x.__setitem__(0, 1.0),
    "setitem slice": lambda x: x.__setitem__(slice(0, 2), 5.0),
    "setitem of a view": lambda x: x[1:].__setitem__(0, 7.0),
}


@programs.add(
    "test_inplace_on_view_leaf_errors",
    cases={k: (k,) for k in LEAF_VIEW_OPS},
)
def in_place_on_view_of_leaf_is_refused(lib, op):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    return {"error": capture_error(lambda: LEAF_VIEW_OPS[op](x)), "x": x, "version": x._version}


@programs.add("test_inplace_on_view_weak_grad_fn")
def in_place_on_view_of_clone_keeps_grad_fn(lib):
    a = lib.arange(10.0, requires_grad=True)
    b = a.narrow(0, 0, 2).clone().view(-1)
    b.mul_(2)
    c = b.clone()
    del b
    s = c.sum()
    s.backward()
    return {"s": s, "a.grad": a.grad}


@programs.add("test_no_requires_grad_inplace")
def in_place_before_requires_grad_is_fine(lib):
    a = lib.ones(2, 3)
    a.add_(5)
    a.requires_grad = True
    a.sum().backward()
    b = lib.ones(2, 3)
    v = b[:]
    v.add_(5)
    b.requires_grad = True
    b.sum().backward()
    return {"a.grad": a.grad, "b.grad": b.grad, "b": b}


@programs.add("test_no_requires_grad_inplace")
def view_taken_before_base_required_grad(lib):
    """Issue 18, program 3: the view must now count as a view of a leaf that requires grad."""
    a = lib.zeros(2, 3)
    v = a[:]
    a.requires_grad = True
    return {
        "base": capture_error(lambda: a.add_(5)),
        "view": capture_error(lambda: v.add_(5)),
        "a": a,
        "v.requires_grad": v.requires_grad,
        "v.grad_fn": node_type(v.grad_fn),
    }


# ------------------------------------------------------------------ views made in no_grad


@programs.add(
    "test_autograd_views_codegen",
    cases={
        "grad mode, plain": (True, False),
        "grad mode, requires grad": (True, True),
        "no_grad, requires grad": (False, True),
        "no_grad, plain": (False, False),
    },
)
def view_as_and_unbind_then_in_place(lib, grad_mode, requires_grad):
    obs = {}
    for what in ("view_as", "unbind 0", "unbind 1"):
        inp = lib.tensor([1.0, 2.0], requires_grad=requires_grad).clone()
        with lib.set_grad_enabled(grad_mode):
            out = inp.view_as(inp) if what == "view_as" else inp.unbind()[int(what[-1])]
        obs[what] = (out.requires_grad, capture_error(lambda out=out: out.add_(1)))
    return obs


@programs.add("test_autograd_print_tensor")
def view_made_and_modified_in_no_grad_prints_invalid(lib):
    a = lib.ones(1, requires_grad=True)
    a_clone = a.clone()
    with lib.no_grad():
        b = a[:]
        b *= 2
    return {
        "a": repr(a),
        "a_clone": repr(a_clone),
        "b": repr(b),
        "b.requires_grad": b.requires_grad,
        "b.grad_fn": capture_error(lambda: b.grad_fn),
        "backward": capture_error(lambda: (b * 1).sum().backward()),
    }


@programs.add("test_custom_function_return_view_in_nograd")
def view_from_no_grad_modified_with_grad(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = a.clone()
    with lib.no_grad():
        v = x[:2]
    return {
        "v.requires_grad": v.requires_grad,
        "v.grad_fn": node_type(v.grad_fn),
        "direct": capture_error(lambda: v.add_(1)),
        "x": x,
    }


@programs.add("test_inplace_on_view_then_no_grad")
def base_modified_after_no_grad_view(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = a.clone()
    with lib.no_grad():
        v = x[:2]
    x.mul_(2)
    return {"indirect": capture_error(lambda: v.grad_fn), "repr": repr(v)}


@programs.add("test_autograd_inplace_view_of_view")
def view_of_a_no_grad_view(lib):
    x = lib.zeros(2)
    with lib.no_grad():
        y = x.view(2)
    y.requires_grad_(True)
    z = y.view(2)
    return {"error": capture_error(lambda: z.div_(2)), "x": x}


@programs.add("test_no_grad_assignment")
def setitem_on_leaf_in_no_grad(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = lib.tensor([5.0, 6.0])
    with lib.no_grad():
        x[0] = y
    return {"x": x, "x.requires_grad": x.requires_grad, "x.grad_fn": node_type(x.grad_fn)}


@programs.add("test_no_grad_modifies_version")
def in_place_in_no_grad_bumps_the_version(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = lib.tensor([3.0, 4.0], requires_grad=True)
    z = (x * y).sum()
    with lib.no_grad():
        x *= 2
        x[0:1] += 1
    return {"error": capture_error(lambda: z.backward()), "version": x._version}


# ------------------------------------------------------------------ multi-output views

SPLITTERS = {
    "split": lambda t: t.split(1),
    "split_with_sizes": lambda t: t.split_with_sizes((1, 1, 1)),
    "chunk": lambda t: t.chunk(3),
    "unbind": lambda t: t.unbind(),
}


@programs.add(
    "test_inplace_on_view_multi_output_safe",
    cases={k: (k,) for k in SPLITTERS},
)
def outputs_of_multi_view_functions_refuse_in_place(lib, how):
    a = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], requires_grad=True)
    b = a + a
    s1, s2, s3 = SPLITTERS[how](b)
    return {"error": capture_error(lambda: s1.mul_(s2)), "b": b}


@programs.add("test_inplace_on_view_of_multiple_output_view")
def view_of_multi_view_output_refuses_in_place(lib):
    a = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True).clone()
    c = a.unbind(0)[0].view_as(a.unbind(0)[0])
    return {"error": capture_error(lambda: c.mul_(2))}


@programs.add("test_inplace_multiple_output_view_of_view")
def multi_view_of_a_view_refuses_in_place(lib):
    a = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True).clone()
    c = a.view_as(a).unbind(0)
    return {"error": capture_error(lambda: c[0].mul_(2))}


@programs.add("test_inplace_not_requires_grad")
def copy_into_multi_view_output_of_plain_tensor(lib):
    a = lib.tensor([[1.0, 2.0]])
    b = lib.tensor([5.0], requires_grad=True)
    view_a = a.unbind()[0]
    obs = {"unbind": capture_error(lambda: view_a.copy_(b))}
    c = lib.tensor([[1.0, 2.0]])
    c.select(1, 0).copy_(b)
    obs["select"] = (c, node_type(c.grad_fn))
    return obs


@programs.add("test_inplace_on_view_multiple_outputs")
def base_modified_after_unbind(lib):
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = a.clone()
    parts = x.unbind()
    x.mul_(2)
    return {"indirect": capture_error(lambda: parts[0].grad_fn), "repr": repr(parts[0])}


@programs.add("test_inplace_on_view_multi_output_unsafe")
def multi_view_outputs_are_fine_outside_autograd(lib):
    a = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
    s1, s2 = a.unbind()
    s1.mul_(s2)
    return {"a": a, "version": a._version}


# ------------------------------------------------------------------ custom Function views


@programs.add("test_inplace_not_requires_grad")
def in_place_on_view_returned_by_custom_function(lib):
    class MyFn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            return inp.view_as(inp)

        @staticmethod
        def backward(ctx, grad):
            return grad

    obs = {}
    for how in ("+=", "copy_"):
        a = lib.tensor([[1.0, 2.0]])
        b = lib.tensor([3.0], requires_grad=True)
        view_a = MyFn.apply(a)

        def modify(view_a=view_a, b=b, how=how):
            if how == "+=":
                view_a += b
            else:
                view_a.copy_(b)

        obs[how] = capture_error(modify)
    return obs


@programs.add("test_autograd_multiple_views_python")
def in_place_on_view_made_inside_custom_function(lib):
    calls = []

    class ComplexView(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, idx):
            res = a.narrow(0, idx, 1)
            res = a.select(0, idx)
            ctx.save_for_backward(a)
            ctx.idx = idx
            return res

        @staticmethod
        def backward(ctx, grad):
            calls.append("backward")
            (a,) = ctx.saved_tensors
            res = lib.zeros_like(a)
            res.select(0, ctx.idx).copy_(grad)
            return res, None

    a = lib.ones(2, requires_grad=True)
    out = ComplexView.apply(a.clone(), 1)
    out.sum().backward()
    obs = {"calls": list(calls), "a.grad": a.grad, "out._base": out._base is not None}
    out = ComplexView.apply(a.clone(), 1)

    def modify():
        nonlocal out
        out += 1

    obs["in place"] = capture_error(modify)
    return obs


# ------------------------------------------------------------------ t[i] = v


def _setitem_program(lib, size, index):
    x = lib.ones(*size, requires_grad=True)
    y = x + 2
    version = y._version
    y[index] = 2
    obs = {"version bumped": y._version != version, "y graph": graph_signature(y.grad_fn)}
    y.backward(lib.ones(*size))
    obs["x.grad"] = x.grad
    return obs


SETITEM_INDICES = {
    "row": ((5, 5), 1),
    "1d": ((5,), 1),
    "single": ((1,), 0),
    "list": ((10,), [0, 4, 2]),
    "two lists": ((5, 5), ([0, 4], [2, 2])),
    "last dim list": ((5, 5, 5), (slice(None), slice(None), [1, 3])),
    "middle list": ((5, 5, 5), (slice(None), [1, 3], slice(None))),
    "first list": ((5, 5, 5), ([1, 3], slice(None), slice(None))),
    "two lists after slice": ((5, 5, 5), (slice(None), [2, 4], [1, 3])),
    "two lists before slice": ((5, 5, 5), ([1, 3], [2, 4], slice(None))),
    "slice": ((4, 3), (slice(1, 3), 0)),
}


@programs.add("test_setitem", cases=SETITEM_INDICES)
def setitem_with_a_number(lib, size, index):
    return _setitem_program(lib, size, index)


def _index(lib, index):
    """Lists stay lists; ("t", [...]) becomes an index tensor of the library."""
    if isinstance(index, tuple) and index and index[0] == "t":
        return lib.tensor(index[1])
    if isinstance(index, tuple):
        return tuple(_index(lib, i) for i in index)
    return index


SETITEM_TENSOR_INDICES = {
    "row": ((5, 5), 3),
    "two lists": ((5, 5), ([0, 1], [1, 0])),
    "1d": ((5,), 3),
    "0-d index tensor": ((5,), ("t", 3)),
    "nested list": ((5,), [[0, 1, 2, 3]]),
    "last dim list": ((5, 5, 5), (slice(None), slice(None), [1, 3])),
    "middle list": ((5, 5, 5), (slice(None), [1, 3], slice(None))),
    "first list": ((5, 5, 5), ([1, 3], slice(None), slice(None))),
    "two lists after slice": ((5, 5, 5), (slice(None), [2, 4], [1, 3])),
    "two lists before slice": ((5, 5, 5), ([1, 3], [2, 4], slice(None))),
    "index tensor and list": ((5, 5, 5), (("t", [1, 3]), [2, 4], slice(None))),
}


@programs.add(
    "test_setitem",
    cases=SETITEM_TENSOR_INDICES,
)
def setitem_with_a_tensor_requiring_grad(lib, size, index):
    index = _index(lib, index)
    x = lib.ones(*size, requires_grad=True)
    y = x + 2
    version = y._version
    value = lib.full(tuple(x[index].shape), 7.0).requires_grad_()
    y[index] = value
    obs = {"version bumped": y._version != version, "y graph": graph_signature(y.grad_fn)}
    y.backward(lib.ones(*size))
    obs["x.grad"] = x.grad
    obs["value.grad"] = value.grad
    return obs


MASK_2D = [
    [True, False, True, False, False],
    [False, False, True, True, False],
    [True, True, False, False, True],
    [False, False, False, False, False],
    [True, False, False, True, True],
]


@programs.add(
    "test_setitem_mask",
    cases={
        "number, 2d": (True, False),
        "number, 1d": (False, False),
        "tensor value, 2d": (True, True),
        "tensor value, 1d": (False, True),
    },
)
def setitem_with_a_bool_mask(lib, two_d, tensor_value):
    mask = lib.tensor(MASK_2D if two_d else MASK_2D[0])
    size = (5, 5) if two_d else (5,)
    x = lib.ones(*size, requires_grad=True)
    y = x + 2
    value = lib.full((int(mask.sum()),), 7.0, requires_grad=True) if tensor_value else 2.0
    y[mask] = value
    obs = {"y graph": graph_signature(y.grad_fn)}
    y.backward(lib.ones(*size))
    obs["x.grad"] = x.grad
    if tensor_value:
        obs["value.grad"] = value.grad
    return obs


@programs.add("test_setitem")
def setitem_broadcasts_the_value(lib):
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = lib.zeros(2, 3, 4)
    y[1] = x
    obs = {"y.requires_grad": y.requires_grad, "y graph": graph_signature(y.grad_fn)}
    y.backward(lib.arange(24.0).view(2, 3, 4))
    obs["x.grad"] = x.grad
    return obs


@programs.add("test_leaf_assignment")
def setitem_makes_a_plain_tensor_require_grad(lib):
    x = lib.zeros(3, 2)
    y = lib.tensor([1.0, 2.0], requires_grad=True)
    z = lib.tensor([3.0, 4.0], requires_grad=True)
    x[0] = y
    x[1] = 2 * z
    obs = {
        "x.requires_grad": x.requires_grad,
        "x.grad_fn": node_type(x.grad_fn),
        "x graph": graph_signature(x.grad_fn),
    }
    x.sum().backward()
    obs["y.grad"] = y.grad
    obs["z.grad"] = z.grad
    return obs


@programs.add("test_backward_twice_with_saved_values")
def setitem_with_gathered_values_and_backward_twice(lib):
    b = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    c = lib.zeros(3, dtype=lib.float64)
    c[[1, 2]] = b[[1, 1]]
    c.backward(lib.tensor([1.0, 1.0, 1.0], dtype=lib.float64), retain_graph=True)
    obs = {"b.grad": b.grad, "c graph": graph_signature(c.grad_fn)}
    c.backward(lib.tensor([1.0, 1.0, 1.0], dtype=lib.float64))
    obs["b.grad twice"] = b.grad
    obs["third"] = capture_error(lambda: c.backward(lib.tensor([1.0, 1.0, 1.0], dtype=lib.float64)))
    return obs


@programs.add("test_index_backward_does_not_save_tensor")
def setitem_of_its_own_masked_values(lib):
    a = lib.tensor([1.0, 0.0, 0.0])
    b = lib.zeros(3, requires_grad=True)
    tensor = b + 0
    tensor[a != 0] = tensor[a != 0]
    tensor.backward(lib.zeros_like(tensor))
    return {"b.grad": b.grad, "graph": graph_signature(tensor.grad_fn)}


@programs.add("test_inplace_on_view_backprop_view")
def setitem_on_a_view_of_a_non_leaf(lib):
    a = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    w = lib.tensor(10.0, requires_grad=True)
    base = a.clone()
    row = base[0]
    row[1] = w
    obs = {"base": base, "base graph": graph_signature(base.grad_fn)}
    (base * base).sum().backward()
    obs["a.grad"] = a.grad
    obs["w.grad"] = w.grad
    return obs


# ------------------------------------------------------------------ hooks across the rebase


@programs.add("test_retain_grad_inplace")
def retain_grad_moves_to_copy_slices(lib):
    x = lib.tensor([1.0], requires_grad=True).clone()
    x.retain_grad()
    x_view = x[:]
    x_view *= 2
    x *= 2
    x.sum().backward()
    obs = {"x.grad": x.grad}
    p = lib.zeros(4)
    q = p.view(2, 2)
    q.add_(lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True))
    obs["p.requires_grad"] = p.requires_grad
    return obs


@programs.add("test_retain_grad_inplace_over_view")
def retain_grad_on_views_follows_the_rebase(lib):
    base = lib.tensor([1.0], requires_grad=True).clone()
    view = base[:]
    view2 = base[:]
    view.retain_grad()
    view2.retain_grad()
    view.mul_(2)
    (view + view2).sum().backward()
    return {"view.grad": view.grad, "view2.grad": view2.grad}


@programs.add("test_tensor_hooks_inplace_over_view")
def hooks_on_a_view_before_the_rebase_do_not_fire(lib):
    calls = []
    base = lib.tensor([1.0], requires_grad=True).clone()
    view = base[:]
    view2 = base[:]
    view.register_hook(lambda g: calls.append(("view", g.tolist())))
    view2.register_hook(lambda g: calls.append(("view2 old", g.tolist())))
    view.mul_(2)
    view2.grad_fn  # noqa: B018 - reading grad_fn regenerates it
    view2.register_hook(lambda g: calls.append(("view2 new", g.tolist())))
    (view + view2).sum().backward()
    return {"calls": calls}


@programs.add("test_inplace_on_view_undefined_grad_output")
def mark_dirty_on_a_view_with_unused_input(lib):
    a = lib.tensor([1.0], requires_grad=True)
    c = a.clone()
    v = c[:]
    b = lib.tensor(1.0, requires_grad=True)

    class InplaceFunc(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, other):
            ctx.mark_dirty(x)
            return x.mul_(2)

        @staticmethod
        def backward(ctx, grad):
            return grad * 2, None

    out = InplaceFunc.apply(v, b)
    out.backward()
    return {"b.grad": b.grad, "a.grad": a.grad, "c graph": graph_signature(c.grad_fn)}


# ------------------------------------------------------------------ view replay (private API)


@programs.add(
    "test_view_replay_enabled",
    missing=(
        "view replay (torch.autograd._force_original_view_tracking, a private switch): "
        "minigrad always regenerates a view's grad_fn as AsStridedBackward0, torch's default"
    ),
)
def view_replay_switch(lib):
    def f(x):
        out = x.clone().view(-1)
        out.add_(1)
        return out

    x = lib.ones(2, 2, requires_grad=True)
    obs = {"default": (node_type(f(x).grad_fn), lib.autograd.is_view_replay_enabled())}
    with lib.autograd._force_original_view_tracking(True):
        obs["replay"] = (node_type(f(x).grad_fn), lib.autograd.is_view_replay_enabled())
    obs["after"] = (node_type(f(x).grad_fn), lib.autograd.is_view_replay_enabled())
    return obs


# ------------------------------------------------------------------ in-place view functions

INPLACE_VIEW_OPS = {
    "t_": lambda v: v.t_(),
    "transpose_": lambda v: v.transpose_(0, 0),
    "squeeze_": lambda v: v.squeeze_(0),
    "unsqueeze_": lambda v: v.unsqueeze_(0),
    "swapdims_": lambda v: v.swapdims_(0, 0),
}


@programs.add(
    "test_autograd_inplace_views_creation_meta",
    cases={k: (k,) for k in INPLACE_VIEW_OPS},
)
def in_place_view_functions_keep_creation_meta(lib, op):
    obs = {}
    for kind in ("normal", "multi_view"):
        for grad_mode_view in (True, False):
            base = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True).clone()
            with lib.set_grad_enabled(grad_mode_view):
                inp = base.unbind()[0] if kind == "multi_view" else base.view_as(base)
            first = capture_error(lambda inp=inp: INPLACE_VIEW_OPS[op](inp))
            second = capture_error(lambda inp=inp: inp.add_(1)) if first is None else None
            obs[f"{kind}, view grad mode {grad_mode_view}"] = (first, second)
    return obs


test_matches_torch, test_program_runs_on_torch = programs.tests()
