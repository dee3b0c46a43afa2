"""The checks torch 2.13 makes when a tensor's autograd fields are assigned (issue 18).

``.grad = g`` (type, shape, dtype, the tensor itself), ``.data = d`` (type, dtype of a tensor
that requires grad, the version counter), ``del`` on autograd attributes, ``requires_grad``
on integer tensors and non-leaves, and ``numpy()`` of a tensor that requires grad (refused,
except under ``no_grad``). Each failed assignment must also leave the tensor as it was.
"""

from __future__ import annotations

import pickle

from tests.oracle import (
    ProgramSet,
    capture_error,
    capture_warnings,
    node_type,
)

programs = ProgramSet()


def leaf(lib):
    return lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)


# ------------------------------------------------------------------ .grad =

GRAD_VALUES = {
    "int": lambda lib, x: 0,
    "list": lambda lib, x: [[1.0, 1.0], [1.0, 1.0]],
    "wrong shape": lambda lib, x: lib.ones(3),
    "wrong dtype": lambda lib, x: lib.ones(2, 2, dtype=lib.int64),
    "float64 for float32": lambda lib, x: lib.ones(2, 2, dtype=lib.float64),
    "itself": lambda lib, x: x,
    "a view of itself": lambda lib, x: x.view(2, 2),
    "bool": lambda lib, x: lib.ones(2, 2, dtype=lib.bool),
    "right": lambda lib, x: lib.full((2, 2), 3.0),
    "requires grad": lambda lib, x: lib.ones(2, 2, requires_grad=True),
    "None": lambda lib, x: None,
}


@programs.add(
    "test_grad_assignment",
    cases={k: (k,) for k in GRAD_VALUES},
)
def assigning_grad(lib, what):
    x = leaf(lib)
    x.grad = lib.zeros(2, 2)
    value = GRAD_VALUES[what](lib, x)

    def assign():
        x.grad = value

    return {"error": capture_error(assign), "grad": x.grad, "x": x}


@programs.add("test_tensor_grad_warnings")
def assigning_grad_of_a_non_leaf(lib):
    x = leaf(lib)
    y = x * 2

    def assign():
        y.grad = lib.ones(2, 2)

    err, warned = capture_warnings(lambda: capture_error(assign))
    read, warned2 = capture_warnings(lambda: y.grad)
    return {"error": err, "warnings": warned, "read": read, "read warnings": warned2}


@programs.add("test_tensor_grad_warnings")
def reading_grad_warns_only_for_non_leaves(lib):
    dummy = lib.empty(1)
    obs = {}
    dummy.requires_grad_()
    obs["leaf"] = len(capture_warnings(lambda: dummy.grad)[1])
    dummy = dummy.clone()
    obs["non-leaf"] = capture_warnings(lambda: dummy.grad)[1]
    dummy.retain_grad()
    obs["retains grad"] = len(capture_warnings(lambda: dummy.grad)[1])
    return obs


@programs.add("test_accumulate_grad_tensor_reference")
def assigned_grad_is_accumulated_in_place(lib):
    obs = {}
    for create_graph in (False, True):
        params = lib.tensor([1.5, 1.5]).requires_grad_()
        params.grad = lib.tensor([1.5, 1.5])
        grad_saved = params.grad
        params.backward(lib.tensor([1.5, 1.5]), create_graph=create_graph)
        obs[create_graph] = (params.grad is grad_saved, params.grad, grad_saved)
    return obs


@programs.add("test_accumulate_grad")
def accumulation_in_and_out_of_place(lib):
    obs = {}
    for create_graph in (False, True):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x + 2
        y.backward(lib.ones(2, 2), retain_graph=True)
        x_grad = x.grad
        x_grad_clone = x.grad.clone()
        y.backward(lib.ones(2, 2), create_graph=create_graph)
        obs[create_graph] = (x_grad, x_grad_clone, x.grad is x_grad)
    return obs


# ------------------------------------------------------------------ .data =

DATA_VALUES = {
    "None": lambda lib: None,
    "int": lambda lib: 3,
    "same shape": lambda lib: lib.tensor([[5.0, 6.0], [7.0, 8.0]]),
    "other shape": lambda lib: lib.zeros(3),
    "float64": lambda lib: lib.zeros(2, 2, dtype=lib.float64),
    "int64": lambda lib: lib.zeros(2, 2, dtype=lib.int64),
    "requires grad": lambda lib: lib.ones(2, 2, requires_grad=True),
}


@programs.add(
    "test_set_data_self_requires_grad",
    cases={k: (k,) for k in DATA_VALUES},
)
def assigning_data(lib, what):
    x = leaf(lib)
    value = DATA_VALUES[what](lib)

    def assign():
        x.data = value

    return {
        "error": capture_error(assign),
        "x": x,
        "dtype": str(x.dtype),
        "shape": tuple(x.shape),
        "requires_grad": x.requires_grad,
    }


@programs.add("test_set_data_self_requires_grad")
def assigning_int_data_to_a_plain_tensor(lib):
    a = lib.tensor(1.0)
    c = lib.tensor(3, dtype=lib.int64)
    a.data = c
    return {"a": a, "dtype": str(a.dtype)}


@programs.add("test_set_data_preserve_pyobj")
def assigning_data_keeps_the_object(lib):
    a = lib.tensor([[1.0, 2.0]])
    b = lib.tensor([[3.0, 4.0]])
    b_id = id(b)
    b.data = a
    a.add_(1)
    return {"same object": id(b) == b_id, "shares storage": b, "versions": (a._version, b._version)}


@programs.add("test_version_counter")
def assigning_data_keeps_the_version_counter(lib):
    x = lib.ones(1, 2)
    xz = x[:]
    x.add_(1)
    before = x._version
    x.data = lib.zeros(2, 3)
    after = x._version
    x.add_(1)
    return {"versions": (before, after, x._version, xz._version), "xz": xz}


@programs.add("test_detach")
def data_is_a_new_leaf(lib):
    x = leaf(lib)
    y = x * 2
    d = y.data
    return {
        "requires_grad": d.requires_grad,
        "grad_fn": node_type(d.grad_fn),
        "is_leaf": d.is_leaf,
        "version": d._version,
    }


# ------------------------------------------------------------------ del


@programs.add(
    "test_attribute_deletion",
    missing=(
        "del t._grad_fn is not refused: minigrad's _grad_fn is a slot that every operation "
        "reads; torch's refusing deleter needs a property or __delattr__ on Tensor, and "
        "either costs every operation (__delattr__: +15% instructions in the 10k-op chain)"
    ),
)
def deleting_autograd_attributes(lib):
    x = leaf(lib)
    x.grad = lib.ones(2, 2)
    obs = {}

    def deleter(name):
        def run():
            delattr(x, name)

        return run

    del x.grad
    obs["grad"] = x.grad
    for name in ("data", "requires_grad", "_grad_fn", "_backward_hooks"):
        obs[name] = capture_error(deleter(name))
    obs["x"] = x
    obs["data = None"] = capture_error(lambda: setattr(x, "data", None))
    return obs


# ------------------------------------------------------------------ requires_grad


@programs.add(
    "test_set_requires_grad_only_for_floats",
    cases={
        "float32": ("float32",),
        "float64": ("float64",),
        "int64": ("int64",),
        "int32": ("int32",),
    },
)
def requires_grad_only_for_floats(lib, dtype_name):
    dtype = getattr(lib, dtype_name)
    a = lib.ones(1, dtype=dtype)

    def f1():
        lib.ones(1, dtype=dtype).requires_grad_()

    def f2():
        lib.ones(1, dtype=dtype).requires_grad = True

    def f3():
        lib.ones(1, dtype=dtype, requires_grad=True)

    a.requires_grad = False
    a.requires_grad_(False)
    return {"f1": capture_error(f1), "f2": capture_error(f2), "f3": capture_error(f3)}


@programs.add("test_requires_grad_")
def requires_grad_underscore(lib):
    x = lib.ones(2, 2)
    y = lib.ones(2, 2, requires_grad=True)
    obs = {
        "x returns itself": x.requires_grad_() is x,
        "x": x.requires_grad,
        "y returns itself": y.requires_grad_(True) is y,
    }
    z = x * y
    obs["z False"] = capture_error(lambda: z.requires_grad_(False))
    obs["z True"] = z.requires_grad_() is z
    obs["z set False"] = capture_error(lambda: setattr(z, "requires_grad", False))
    obs["z set True"] = capture_error(lambda: setattr(z, "requires_grad", True))
    obs["x False"] = (x.requires_grad_(False) is x, x.requires_grad)
    return obs


@programs.add("test_requires_grad")
def requires_grad_propagates(lib):
    x = lib.ones(2, 2)
    y = lib.ones(2, 2)
    z = lib.ones(2, 2, requires_grad=True)
    a = x + y
    b = a + z
    b.backward(lib.ones(2, 2))
    return {"a": a.requires_grad, "b": b.requires_grad, "z.grad": z.grad, "x.grad": x.grad}


@programs.add("test_requires_grad_inplace")
def in_place_with_an_operand_requiring_grad(lib):
    obs = {}
    for kind in ("leaf", "non-leaf"):
        a = lib.ones(2, 2) if kind == "leaf" else lib.ones(2, 2) + 0
        b = lib.ones(2, 2, requires_grad=True)
        a += b
        obs[kind] = (a.requires_grad, a.is_leaf, node_type(a.grad_fn))
    return obs


@programs.add("test_copy_")
def copy_from_a_tensor_requiring_grad(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    obs = {}
    for dtype_name in ("float32", "float64"):
        y = lib.empty(3, dtype=getattr(lib, dtype_name))
        y.copy_(x)
        obs[dtype_name] = (y.requires_grad, node_type(y.grad_fn), y)
    return obs


# ------------------------------------------------------------------ numpy() and friends


@programs.add(
    "test_numpy_requires_grad",
)
def numpy_of_a_tensor_requiring_grad(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    obs = {"grad mode": capture_error(lambda: x.numpy())}
    with lib.no_grad():
        obs["no_grad"] = capture_error(lambda: x.numpy())
        obs["no_grad values"] = x.numpy().tolist() if obs["no_grad"] is None else None
    y = lib.tensor([[1.0, 2.0]])
    obs["plain"] = y.numpy().tolist()
    with lib.no_grad():
        obs["plain no_grad"] = y.numpy().tolist()
    obs["detach"] = x.detach().numpy().tolist()
    return obs


@programs.add("test_volatile_deprecated")
def volatile_is_gone(lib):
    v = lib.ones(3, 3)
    value, warned = capture_warnings(lambda: v.volatile)
    return {"value": value, "warnings": warned}


@programs.add("test_pickle")
def pickling_keeps_requires_grad(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = lib.tensor([[5.0, 6.0]])
    obs = {}
    for protocol in range(3):
        xc, yc = pickle.loads(pickle.dumps([x, y], protocol=protocol))
        obs[protocol] = (xc, xc.requires_grad, yc, yc.requires_grad, type(xc).__name__)
    return obs


@programs.add("test_pyscalar_conversions")
def python_scalar_conversions(lib):
    obs = {}
    ln = lib.zeros(1, 1, 1, dtype=lib.int64)
    ln[0] = -12345
    obs["int"] = int(ln)
    f = lib.zeros(1, 1, dtype=lib.float64)
    f[0] = -12345.1
    obs["float"] = float(f)
    f[0] = float("nan")
    obs["nan"] = str(float(f))
    f[0] = float("inf")
    obs["inf"] = float(f)
    f[0] = float("nan")
    obs["int(nan)"] = capture_error(lambda: int(f[0]))
    f[0] = float("inf")
    obs["int(inf)"] = capture_error(lambda: int(f[0]))
    for value in (0.0, -2.0, 1e-300):
        f[0] = value
        obs[f"bool {value}"] = bool(f)
    obs["bool of two"] = capture_error(lambda: bool(lib.ones(2)))
    obs["float of two"] = capture_error(lambda: float(lib.ones(2)))
    return obs


@programs.add("test_shape")
def shape_and_len(lib):
    x = lib.ones(3, 4)
    return {
        "len": len(x.shape),
        "dims": (x.shape[0], x.shape[1]),
        "len(x)": len(x),
        "size": x.size(1),
    }


test_matches_torch, test_program_runs_on_torch = programs.tests()
