"""The operations torch 2.13's autograd tests use that minigrad lacks (issue 18).

``var_mean``, ``var``, ``chunk``, ``split``, ``repeat``, ``argsort``, ``median``, ``diagonal``,
``relu_``, ``exp_``, ``allclose``, ``Tensor.all``, ``sum(axis=)``, ``//``, ``exp2``,
``randint(high, size)``, ``randn_like(device=)`` and ``set_warn_always``. For each: values,
dtype, the backward node's name and graph, gradients (second order where torch has them) and
the errors torch raises for bad arguments.
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

A = [[1.0, -2.0, 3.0, 0.5], [4.0, 0.0, -1.0, 2.5], [2.0, 2.0, -3.0, 1.0]]


def leaf(lib, rows=A, dtype=None):
    return lib.tensor(rows, dtype=dtype or lib.float32, requires_grad=True)


def grads_and_graph(lib, x, out, weight=None):
    """Backward of (out * weight).sum() twice-differentiated when possible."""
    obs = {"out": out, "graph": graph_signature(out.grad_fn), "repr": repr(out)}
    w = weight if weight is not None else lib.arange(1.0, 1.0 + out.numel()).view(out.shape)
    (g,) = lib.autograd.grad((out * w).sum(), x, create_graph=True)
    obs["grad"] = g
    if g.requires_grad:
        (gg,) = lib.autograd.grad((g * g).sum(), x, allow_unused=True)
        obs["grad of grad"] = gg
    return obs


# ------------------------------------------------------------------ var_mean and var


@programs.add(
    "test_var_mean_differentiable",
    cases={
        "all": ({},),
        "dim 0": ({"dim": 0},),
        "dim list keepdim": ({"dim": [0, 1], "keepdim": True},),
        "dim 1 correction 0": ({"dim": 1, "correction": 0},),
        "unbiased False": ({"dim": 1, "unbiased": False},),
    },
    missing=dict.fromkeys(
        ("all", "dim list keepdim"),
        "float32 summation order: one element of the second derivative differs from torch "
        "by one ulp (-0.48484847 vs -0.48484844), which flips the 6th significant digit "
        "(torch's vectorised sum adds in another order than numpy's pairwise sum)",
    ),
)
def var_mean_values_and_grads(lib, kwargs):
    x = leaf(lib)
    var, mean = lib.var_mean(x, **kwargs)
    obs = {
        "var": var,
        "mean": mean,
        "nodes": (node_type(var.grad_fn), node_type(mean.grad_fn), var.grad_fn is mean.grad_fn),
        "output_nr": (var.output_nr, mean.output_nr),
        "graph": graph_signature(var.grad_fn),
    }
    (g,) = lib.autograd.grad((var * 2 + mean * 3).sum(), x, create_graph=True)
    obs["grad"] = g
    obs["grad of grad"] = lib.autograd.grad((g * g).sum(), x)
    return obs


@programs.add("test_var_mean_differentiable")
def var_mean_of_one_element(lib):
    x = lib.tensor([2.0], requires_grad=True)
    var, mean = lib.var_mean(x)
    return {"var": var, "mean": mean, "dof warning": capture_warnings(lambda: lib.var_mean(x))[1]}


@programs.add("test_var_mean_differentiable", cases={"all": ({},), "dim": ({"dim": 1},)})
def var_values_and_grads(lib, kwargs):
    x = leaf(lib)
    return grads_and_graph(lib, x, x.var(**kwargs))


# ------------------------------------------------------------------ chunk and split


@programs.add(
    "test_unused_output",
    cases={
        "3 chunks": ((3,), {}),
        "2 chunks dim 1": ((2,), {"dim": 1}),
        "5 chunks of 3 rows": ((5,), {}),
    },
)
def chunk_values_views_and_grads(lib, args, kwargs):
    x = leaf(lib)
    parts = x.chunk(*args, **kwargs)
    obs = {
        "parts": parts,
        "nodes": [node_type(p.grad_fn) for p in parts],
        "output_nr": [p.output_nr for p in parts],
        "same node": all(p.grad_fn is parts[0].grad_fn for p in parts),
        "bases": [p._base is x for p in parts],
        "function form": lib.chunk(x, *args, **kwargs),
    }
    (parts[-1] * 3).sum().backward()
    obs["grad from last"] = x.grad
    return obs


SPLITS = {
    "size 2": ((2,), {}),
    "size 3 dim 1": ((3,), {"dim": 1}),
    "sizes [1, 2]": (([1, 2],), {}),
    "sizes [1, 3] dim 1": (([1, 3],), {"dim": 1}),
    "bad sizes": (([1, 1],), {}),
}


@programs.add("test_inplace_on_view_multi_output_safe", cases=SPLITS)
def split_values_nodes_and_grads(lib, args, kwargs):
    x = leaf(lib)

    def run():
        parts = x.split(*args, **kwargs)
        obs = {
            "parts": parts,
            "nodes": [node_type(p.grad_fn) for p in parts],
            "function form": lib.split(x, *args, **kwargs),
        }
        (parts[0] * 2).sum().backward()
        obs["grad from first"] = x.grad
        return obs

    err = capture_error(run)
    return {"error": err} if err else run()


@programs.add("test_custom_function_inplace_on_non_default_view")
def split_with_sizes_method(lib):
    x = leaf(lib)
    parts = x.split_with_sizes([2, 1], dim=0)
    return {"parts": parts, "node": node_type(parts[0].grad_fn)}


# ------------------------------------------------------------------ repeat


@programs.add(
    "test_isolated_node",
    cases={
        "(2, 1)": ((2, 1),),
        "(1, 2)": ((1, 2),),
        "new dim (2, 1, 3)": ((2, 1, 3),),
        "tuple arg": (((2, 2),),),
    },
)
def repeat_values_and_grads(lib, reps):
    x = leaf(lib)
    return grads_and_graph(lib, x, x.repeat(*reps))


@programs.add("test_isolated_node")
def repeat_with_too_few_dims(lib):
    x = leaf(lib)
    return {"error": capture_error(lambda: x.repeat(2)), "int": lib.tensor([[1, 2]]).repeat(2, 2)}


# ------------------------------------------------------------------ argsort and median


@programs.add(
    "test_integer_outputs",
    cases={"default": ({},), "dim 0": ({"dim": 0},), "descending": ({"descending": True},)},
)
def argsort_values(lib, kwargs):
    x = leaf(lib, [[3.0, 1.0, 2.0, 5.0], [0.0, -1.0, 4.0, 4.5]])
    out = x.argsort(**kwargs)
    return {
        "out": out,
        "dtype": str(out.dtype),
        "requires_grad": out.requires_grad,
        "function": lib.argsort(x, **kwargs),
    }


@programs.add(
    "test_min_max_median_backprops_to_all_values",
    cases={
        "odd": ([3.0, 1.0, 2.0],),
        "even (lower middle)": ([4.0, 1.0, 3.0, 2.0],),
        "ties": ([1.0, 2.0, 1.0, 1.0],),
    },
)
def median_of_all_values(lib, values):
    x = lib.tensor(values, requires_grad=True)
    return grads_and_graph(lib, x, lib.median(x), weight=lib.tensor(2.0))


@programs.add("test_min_max_median_backprops_to_all_values")
def median_along_a_dim(lib):
    x = leaf(lib)
    values, indices = x.median(dim=1)
    res = lib.median(x, 0, keepdim=True)
    obs = {
        "values": values,
        "indices": indices,
        "node": node_type(values.grad_fn),
        "keepdim": (res.values, res.indices),
        "namedtuple": type(res).__name__,
    }
    (values * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
    obs["grad"] = x.grad
    return obs


# ------------------------------------------------------------------ diagonal


@programs.add(
    "test_diagonal_expanded_v",
    cases={
        "main": ({},),
        "offset 1": ({"offset": 1},),
        "offset -1": ({"offset": -1},),
        "dims 1 0": ({"dim1": 1, "dim2": 0},),
    },
)
def diagonal_values_view_and_grads(lib, kwargs):
    x = leaf(lib)
    d = x.diagonal(**kwargs)
    obs = grads_and_graph(lib, x, d)
    obs["view"] = d._base is x
    obs["function"] = lib.diagonal(x, **kwargs)
    return obs


# ------------------------------------------------------------------ relu_ and exp_


@programs.add(
    "test_inplace_on_view_weak_grad_fn",
    cases={"relu_": ("relu_",), "exp_": ("exp_",)},
)
def in_place_unary_ops(lib, op):
    x = leaf(lib)
    y = x * 1
    version = y._version
    out = getattr(y, op)()
    obs = {
        "returns self": out is y,
        "version": y._version - version,
        "node": node_type(y.grad_fn),
        "graph": graph_signature(y.grad_fn),
        "y": y,
    }
    (y * y).sum().backward()
    obs["grad"] = x.grad
    obs["leaf"] = capture_error(lambda: getattr(x, op)())
    obs["no grad"] = getattr(lib.tensor([-1.0, 2.0]), op)()
    return obs


@programs.add("test_inplace_on_view_saved_output")
def relu_in_place_through_functional(lib):
    x = leaf(lib)
    y = x.clone()
    out = lib.nn.functional.relu(y, inplace=True)
    return {"same": out is y, "graph": graph_signature(y.grad_fn), "y": y}


# ------------------------------------------------------------------ allclose, all, sum(axis=)


@programs.add("test_accumulate_grad_posthooks_can_observe_tensor_prehook")
def allclose_values(lib):
    a = lib.tensor([1.0, 2.0, float("nan")])
    b = lib.tensor([1.0, 2.0 + 1e-6, float("nan")])
    return {
        "default": lib.allclose(a, b),
        "equal_nan": lib.allclose(a, b, equal_nan=True),
        "tight": lib.allclose(a[:2], b[:2], rtol=0.0, atol=1e-9),
        "method": a[:2].allclose(b[:2]),
        "broadcast": lib.allclose(lib.ones(2, 2), lib.ones(2)),
        "dtypes": capture_error(lambda: lib.allclose(lib.ones(2), lib.ones(2, dtype=lib.float64))),
        "requires grad": lib.allclose(lib.ones(2, requires_grad=True), lib.ones(2)),
    }


@programs.add("test_gradcheck_output_shape_or_dtype_depend_on_values")
def all_values(lib):
    x = lib.tensor([[1.0, 0.0], [2.0, 3.0]], requires_grad=True)
    return {
        "all": x.all(),
        "dim 1": x.all(dim=1),
        "keepdim": x.all(0, keepdim=True),
        "function": lib.all(x >= 0),
        "dtype": str(x.all().dtype),
        "bool": bool((x >= 0).all()),
    }


@programs.add("test_profiler_seq_nr")
def sum_with_axis(lib):
    x = leaf(lib)
    out = x.sum(axis=0)
    obs = grads_and_graph(lib, x, out)
    obs["function"] = lib.sum(x, axis=1, keepdim=True)
    return obs


# ------------------------------------------------------------------ //, exp2


@programs.add("test_pyscalar_conversions")
def floor_division(lib):
    x = lib.tensor([3.5, -2.5, 7.0])
    i = lib.tensor([7, -7, 9])
    y = lib.tensor([3.5, -2.5, 7.0], requires_grad=True)
    out = y // 2
    return {
        "tensor // number": x // 2,
        "tensor // tensor": x // lib.tensor([2.0, 2.0, -2.0]),
        "number // tensor": 10 // x,
        "ints": i // 2,
        "int dtype": str((i // 2).dtype),
        "requires grad": (out.requires_grad, out, node_type(out.grad_fn)),
        "backward": capture_error(lambda: out.sum().backward()),
        "floor_divide": lib.floor_divide(x, 2),
        "by zero (int)": capture_error(lambda: i // 0),
    }


@programs.add("test_once_differentiable")
def exp2_values_and_grads(lib):
    x = leaf(lib)
    obs = grads_and_graph(lib, x, lib.exp2(x))
    obs["method"] = x.exp2()
    obs["int"] = lib.exp2(lib.tensor([1, 2, 3]))
    return obs


# ------------------------------------------------------------------ creation and warnings


@programs.add("test_free_deep_graph_complicated")
def randint_with_high_and_size(lib):
    lib.manual_seed(0)
    a = lib.randint(2, [20, 2])
    b = lib.randint(3, 7, (50,))
    c = lib.randint(5, (3,), dtype=lib.float32)
    return {
        "a": (str(a.dtype), tuple(a.shape), bool(((a >= 0) & (a < 2)).all())),
        "b": (str(b.dtype), tuple(b.shape), bool(((b >= 3) & (b < 7)).all())),
        "c": (str(c.dtype), tuple(c.shape)),
        "no size": capture_error(lambda: lib.randint(5))[0],
    }


@programs.add("test_requires_grad_factory")
def like_factories_with_options(lib):
    x = lib.ones(2, 3)
    obs = {}
    for name in ("ones_like", "randn_like", "zeros_like", "rand_like"):
        fn = getattr(lib, name)
        for requires_grad in (True, False):
            out = fn(x, dtype=lib.float64, device="cpu", requires_grad=requires_grad)
            obs[f"{name} {requires_grad}"] = (
                out.requires_grad,
                str(out.dtype),
                tuple(out.shape),
                str(out.device),
            )
    return obs


@programs.add("test_backward_create_graph_warns")
def warn_always_repeats_once_warnings(lib):
    obs = {"default": lib.is_warn_always_enabled()}
    lib.set_warn_always(True)
    try:
        obs["enabled"] = lib.is_warn_always_enabled()
        b = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        c = b * b
        _, first = capture_warnings(lambda: c.backward(lib.ones_like(c), create_graph=True))
        b.grad = None
        _, second = capture_warnings(lambda: c.backward(lib.ones_like(c), create_graph=True))
        b.grad = None
        _, by_grad = capture_warnings(
            lambda: lib.autograd.grad(c, b, lib.ones_like(c), create_graph=True)
        )
        obs["warnings"] = ([w[0] for w in first], [w[0] for w in second], by_grad)
    finally:
        lib.set_warn_always(False)
    obs["after"] = lib.is_warn_always_enabled()
    return obs


test_matches_torch, test_program_runs_on_torch = programs.tests()
