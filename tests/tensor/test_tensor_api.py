"""The tensor API the lessons use, compared with torch 2.13: creation, dtypes, shapes,
conversions, indexing, in-place operations and reprs.

Each test writes its program once as ``prog(lib)``; :func:`compare_programs` runs it on minigrad
and on torch and asserts the observations are equal. Random values are only compared within
minigrad (``manual_seed`` reproducibility), never against torch's generator.
"""

from __future__ import annotations

import pytest

from tests.oracle import capture_error, compare_programs, graph_signature, require_torch


def nf(node) -> str:
    """``next_functions`` written as ``((MulBackward0, 0), (None, 0))``."""
    parts = [
        f"({'None' if n is None else type(n).__name__}, {nr})" for n, nr in node.next_functions
    ]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def describe(t) -> tuple:
    """repr, dtype, shape and flags of a tensor."""
    return (repr(t), repr(t.dtype), str(t.shape), t.requires_grad, t.is_leaf)


# ------------------------------------------------------------------------------ creation

CREATION = {
    "tensor(2.)": lambda lib: lib.tensor(2.0),
    "tensor([1., 2.])": lambda lib: lib.tensor([1.0, 2.0]),
    "tensor([[1, 2], [3, 4]])": lambda lib: lib.tensor([[1, 2], [3, 4]]),
    "tensor([True, False])": lambda lib: lib.tensor([True, False]),
    "tensor([1, 2.5]) mixed": lambda lib: lib.tensor([1, 2.5]),
    "tensor(3)": lambda lib: lib.tensor(3),
    "tensor([])": lambda lib: lib.tensor([]),
    "tensor(float64)": lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float64),
    "tensor(int -> float32)": lambda lib: lib.tensor([1, 2], dtype=lib.float32),
    "tensor(requires_grad)": lambda lib: lib.tensor([1.0, 2.0], requires_grad=True),
    "zeros(2, 3)": lambda lib: lib.zeros(2, 3),
    "zeros((2, 3))": lambda lib: lib.zeros((2, 3)),
    "zeros(())": lambda lib: lib.zeros(()),
    "ones(3)": lambda lib: lib.ones(3),
    "ones(2, 2, float64)": lambda lib: lib.ones(2, 2, dtype=lib.float64),
    "ones(2, requires_grad)": lambda lib: lib.ones(2, requires_grad=True),
    "zeros_like": lambda lib: lib.zeros_like(lib.tensor([[1.0, 2.0]], requires_grad=True)),
    "ones_like": lambda lib: lib.ones_like(lib.tensor([1.0, 2.0], requires_grad=True)),
    "ones_like(int)": lambda lib: lib.ones_like(lib.tensor([1, 2])),
    "zeros_like(float64)": lambda lib: lib.zeros_like(lib.tensor([1.0], dtype=lib.float64)),
    "ones_like(requires_grad)": lambda lib: lib.ones_like(lib.tensor([1.0]), requires_grad=True),
    "full((2, 2), 7.)": lambda lib: lib.full((2, 2), 7.0),
    "full((2,), 7)": lambda lib: lib.full((2,), 7),
    "full((2,), True)": lambda lib: lib.full((2,), True),
    "arange(5)": lambda lib: lib.arange(5),
    "arange(1., 4.)": lambda lib: lib.arange(1.0, 4.0),
    "arange(0, 1, 0.25)": lambda lib: lib.arange(0, 1, 0.25),
    "arange(5, dtype=float32)": lambda lib: lib.arange(5, dtype=lib.float32),
    "linspace(0, 1, 5)": lambda lib: lib.linspace(0, 1, 5),
    "linspace(-1, 1, 3)": lambda lib: lib.linspace(-1, 1, 3),
    "eye(3)": lambda lib: lib.eye(3),
    "eye(2, 3)": lambda lib: lib.eye(2, 3),
}


@pytest.mark.parametrize("case", list(CREATION))
def test_creation_functions(case):
    """Each creation function gives torch's values, dtype, shape, flags and repr."""

    def prog(lib):
        t = CREATION[case](lib)
        return {"tensor": describe(t), "values": t}

    compare_programs(prog)


def test_creation_literals():
    """The defaults the course relies on: float32, int64 and bool inferred from Python data."""

    def prog(lib):
        return {
            "dtypes": [
                repr(lib.tensor(v).dtype) for v in (1.0, 1, True, [1, 2.0], [[1, 2]], [True])
            ],
            "zeros": repr(lib.zeros(2, 3)),
            "eye": repr(lib.eye(3)),
            "arange": repr(lib.arange(5)),
            "linspace": repr(lib.linspace(0, 1, 5)),
            "full": repr(lib.full((2, 2), 7.0)),
        }

    ours = compare_programs(prog)
    assert ours["dtypes"] == [
        "torch.float32",
        "torch.int64",
        "torch.bool",
        "torch.float32",
        "torch.int64",
        "torch.bool",
    ]
    assert ours["zeros"] == "tensor([[0., 0., 0.],\n        [0., 0., 0.]])"
    assert ours["eye"] == "tensor([[1., 0., 0.],\n        [0., 1., 0.],\n        [0., 0., 1.]])"
    assert ours["arange"] == "tensor([0, 1, 2, 3, 4])"
    assert ours["linspace"] == "tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])"
    assert ours["full"] == "tensor([[7., 7.],\n        [7., 7.]])"


@pytest.mark.parametrize("name", ["rand", "randn"])
def test_random_shapes_dtypes_and_seed(name):
    """rand/randn: shape and float32 like torch; manual_seed makes minigrad repeat itself."""

    def prog(lib):
        fn = getattr(lib, name)
        lib.manual_seed(0)
        first = fn(2, 3).numpy().tolist()
        lib.manual_seed(0)
        again = fn(2, 3).numpy().tolist()
        after = fn(2, 3).numpy().tolist()
        t = fn(2, 3)
        flat = fn(1000).numpy()
        obs = {
            "shape": (str(t.shape), repr(t.dtype), t.requires_grad),
            "tuple shape": str(fn((4,)).shape),
            "float64": repr(fn(2, dtype=lib.float64).dtype),
            "requires_grad": fn(2, requires_grad=True).requires_grad,
            "same seed same values": first == again,
            "next draw differs": first != after,
        }
        if name == "rand":
            obs["in [0, 1)"] = bool((flat >= 0).all() and (flat < 1).all())
        else:
            obs["roughly standard"] = bool(abs(flat.mean()) < 0.2 and 0.8 < flat.std() < 1.2)
        return obs

    ours = compare_programs(prog)
    assert ours["shape"] == ("torch.Size([2, 3])", "torch.float32", False)
    assert ours["same seed same values"] and ours["next draw differs"]


# ------------------------------------------------------------------------------- dtypes


def test_dtype_objects_and_promotion():
    """dtype reprs and aliases; results promote like torch (int*float -> float32, etc.)."""

    def prog(lib):
        i = lib.tensor([1, 2])
        f = lib.tensor([1.0, 2.0])
        d = lib.tensor([1.0, 2.0], dtype=lib.float64)
        b = lib.tensor([True, False])
        return {
            "reprs": [repr(x) for x in (lib.float32, lib.float64, lib.int64, lib.bool)],
            "str": str(lib.float32),
            "aliases": (
                lib.float is lib.float32,
                lib.double is lib.float64,
                lib.long is lib.int64,
            ),
            "compare": (f.dtype == lib.float32, f.dtype == lib.float64),
            "promotion": [
                repr((i * 2.5).dtype),
                repr((i + 1).dtype),
                repr((i + i).dtype),
                repr((f + d).dtype),
                repr((f * 2).dtype),
                repr((d * 2.0).dtype),
                repr((i / 2).dtype),
                repr((b + 1).dtype),
                repr((f > 1).dtype),
                repr((i * f).dtype),
            ],
            "conversions": [
                describe(f.double()),
                describe(d.float()),
                describe(f.long()),
                describe(i.float()),
                describe(f.to(lib.float64)),
                describe(f.int()),
                describe(f.bool()),
            ],
            "int division": repr(lib.tensor([3, 4]) / 2),
        }

    ours = compare_programs(prog)
    assert ours["reprs"] == ["torch.float32", "torch.float64", "torch.int64", "torch.bool"]
    assert ours["aliases"] == (True, True, True)


# -------------------------------------------------------------------- shape and friends


def test_shape_size_dim_numel():
    """shape / size() print as torch.Size([...]); size(dim), ndim, dim(), numel()."""

    def prog(lib):
        x = lib.zeros(2, 3)
        s = lib.tensor(5.0)
        return {
            "shape": (repr(x.shape), str(x.shape), repr(x.size()), str(s.shape)),
            "Size type": (type(x.shape).__name__, isinstance(x.shape, tuple)),
            "compare": (x.shape == (2, 3), tuple(x.shape), x.shape == x.size(), list(x.shape)),
            "size(dim)": (x.size(0), x.size(1), x.size(-1), x.shape[0], x.shape[-1]),
            "ndim": (x.ndim, x.dim(), s.ndim, s.dim()),
            "numel": (x.numel(), s.numel(), lib.zeros(0).numel()),
            "len": len(x),
            "bad dim": capture_error(lambda: x.size(2)),
            "len of 0-d": capture_error(lambda: len(s)),
        }

    ours = compare_programs(prog)
    assert ours["shape"] == (
        "torch.Size([2, 3])",
        "torch.Size([2, 3])",
        "torch.Size([2, 3])",
        "torch.Size([])",
    )
    assert ours["size(dim)"] == (2, 3, 3, 2, 3)
    assert ours["ndim"] == (2, 2, 0, 0)
    assert ours["numel"] == (6, 1, 0)


def test_item_tolist_numpy():
    """item() gives a Python number, tolist() nested lists, numpy() an array sharing memory."""

    def prog(lib):
        obs = {
            "item": [
                (v, type(v).__name__)
                for v in (
                    lib.tensor(2.5).item(),
                    lib.tensor([3]).item(),
                    lib.tensor(True).item(),
                    lib.tensor([[7.0]]).item(),
                )
            ],
            "tolist": (
                lib.tensor([[1.0, 2.0], [3.0, 4.0]]).tolist(),
                lib.tensor([1, 2]).tolist(),
                lib.tensor(2.0).tolist(),
                lib.tensor([True]).tolist(),
            ),
        }
        t = lib.zeros(3)
        n = t.numpy()
        obs["numpy"] = (type(n).__name__, str(n.dtype), n.shape)
        n[0] = 5.0
        obs["write through numpy"] = repr(t)
        t.add_(1)
        obs["write through tensor"] = n.tolist()
        obs["detach().numpy() shares"] = _detach_numpy_shares(lib)
        return obs

    ours = compare_programs(prog)
    assert ours["item"] == [(2.5, "float"), (3, "int"), (True, "bool"), (7.0, "float")]
    assert ours["tolist"] == ([[1.0, 2.0], [3.0, 4.0]], [1, 2], 2.0, [True])
    assert ours["numpy"] == ("ndarray", "float32", (3,))
    assert ours["write through numpy"] == "tensor([5., 0., 0.])"
    assert ours["write through tensor"] == [6.0, 1.0, 1.0]


def _detach_numpy_shares(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    n = x.detach().numpy()
    n[1] = 9.0
    return repr(x)


# --------------------------------------------------------------- requires_grad and detach


def test_requires_grad_and_detach():
    """requires_grad_() returns the tensor; detach() shares data; detach_() cuts in place."""

    def prog(lib):
        t = lib.tensor([1.0, 2.0])
        obs = {"requires_grad_()": (t.requires_grad_() is t, describe(t))}
        obs["requires_grad_(False)"] = (t.requires_grad_(False) is t, describe(t))
        t.requires_grad = True
        obs["attribute"] = describe(t)
        y = t * 2
        d = y.detach()
        obs["detach"] = (describe(d), d is y, d.grad_fn, repr(y))
        d.add_(1)
        obs["shared"] = (repr(y), y._version, d._version)
        returned = y.detach_()
        obs["detach_"] = (returned is y, describe(y), y.grad_fn)
        return obs

    ours = compare_programs(prog)
    assert ours["requires_grad_()"] == (
        True,
        ("tensor([1., 2.], requires_grad=True)", "torch.float32", "torch.Size([2])", True, True),
    )
    assert ours["shared"] == ("tensor([3., 5.], grad_fn=<MulBackward0>)", 1, 1)


# ------------------------------------------------------------------------------ indexing

INDEXING = {
    "x[0]": lambda x: x[0],
    "x[-1]": lambda x: x[-1],
    "x[1:3]": lambda x: x[1:3],
    "x[:, 1]": lambda x: x[:, 1],
    "x[0, 1]": lambda x: x[0, 1],
    "x[1, :2]": lambda x: x[1, :2],
    "x[..., 0]": lambda x: x[..., 0],
    "x[None]": lambda x: x[None],
    "x[:, None]": lambda x: x[:, None],
    "x[::2]": lambda x: x[::2],
    "x[[0, 2]]": lambda x: x[[0, 2]],
    "x[x > 4]": lambda x: x[x > 4],
    "x[0][1]": lambda x: x[0][1],
}


@pytest.mark.parametrize("form", list(INDEXING))
def test_indexing(form):
    """Each indexing form: values, shape, grad_fn and the gradient scattered back."""

    def prog(lib):
        plain = lib.arange(12.0).reshape(3, 4)
        x = lib.arange(12.0).reshape(3, 4).detach().requires_grad_()
        out = INDEXING[form](x)
        out.sum().backward()
        return {
            "plain": describe(INDEXING[form](plain)),
            "tracked": (repr(out), type(out.grad_fn).__name__, nf(out.grad_fn)),
            "x.grad": repr(x.grad),
        }

    compare_programs(prog)


def test_indexing_literals():
    """A column of a matrix is a SelectBackward0 view; its gradient lands in that column."""

    def prog(lib):
        X = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        col = X[:, 1]
        (col * 10).sum().backward()
        return {"col": repr(col), "X.grad": repr(X.grad)}

    ours = compare_programs(prog)
    assert ours["col"] == "tensor([2., 4.], grad_fn=<SelectBackward0>)"
    assert ours["X.grad"] == "tensor([[ 0., 10.],\n        [ 0., 10.]])"


# ---------------------------------------------------------------------- in-place operations


def _iadd(t):
    t += 2
    return t


def _isub(t):
    t -= 2
    return t


def _imul(t):
    t *= 3
    return t


def _itruediv(t):
    t /= 2
    return t


def _setitem_scalar(t):
    t[0] = 5.0
    return t


def _setitem_slice(t):
    t[1:] = 0.0
    return t


def _setitem_tensor(t):
    t[:2] = t[1:] * 10
    return t


IN_PLACE = {
    "+= 2": _iadd,
    "-= 2": _isub,
    "*= 3": _imul,
    "/= 2": _itruediv,
    "add_(2)": lambda t: t.add_(2),
    "add_(t)": lambda t: t.add_(t),
    "sub_(1)": lambda t: t.sub_(1),
    "mul_(3)": lambda t: t.mul_(3),
    "zero_()": lambda t: t.zero_(),
    "fill_(7.)": lambda t: t.fill_(7.0),
    "t[0] = 5.": _setitem_scalar,
    "t[1:] = 0.": _setitem_slice,
    "t[:2] = t[1:] * 10": _setitem_tensor,
}


@pytest.mark.parametrize("op", list(IN_PLACE))
def test_in_place_on_plain_tensor(op):
    """In-place ops keep the object, change the values and bump _version by one."""

    def prog(lib):
        t = lib.tensor([1.0, 2.0, 3.0])
        before = id(t)
        result = IN_PLACE[op](t)
        return {
            "values": repr(t),
            "same object": (id(t) == before, result is t),
            "_version": t._version,
            "is_leaf": (t.is_leaf, t.requires_grad, t.grad_fn),
        }

    ours = compare_programs(prog)
    assert ours["same object"] == (True, True)


@pytest.mark.parametrize("op", list(IN_PLACE))
def test_in_place_on_non_leaf_rewires_its_node(op):
    """In-place on a non-leaf: same object, new grad_fn on top of the old one, correct grads."""

    def prog(lib):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = a * 2
        old = b.grad_fn
        before = id(b)
        result = IN_PLACE[op](b)
        node = b.grad_fn
        obs = {
            "b": repr(b),
            "same object": (id(b) == before, result is b),
            "_version": b._version,
            "node": (type(node).__name__, node.name(), nf(node)),
            "signature": graph_signature(node),
            "old node below": any(n is old for n, _ in node.next_functions),
            "flags": (b.is_leaf, b.requires_grad),
        }
        (b * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
        obs["a.grad"] = repr(a.grad)
        return obs

    ours = compare_programs(prog)
    assert ours["same object"] == (True, True)


def test_in_place_literals():
    """b += 1 on a non-leaf gives AddBackward0 over the old MulBackward0; version 0, 1, 2, 3."""

    def prog(lib):
        a = lib.tensor([1.0], requires_grad=True)
        b = a * 4
        mul = b.grad_fn
        b += 1
        obs = {
            "b": repr(b),
            "next": nf(b.grad_fn),
            "old node": b.grad_fn.next_functions[0][0] is mul,
            "version": b._version,
        }
        t = lib.tensor([1.0, 2.0, 3.0])
        versions = [t._version]
        t.add_(1)
        versions.append(t._version)
        t += 1
        versions.append(t._version)
        t[0] = 9.0
        versions.append(t._version)
        obs["versions"] = versions
        return obs

    ours = compare_programs(prog)
    assert ours["b"] == "tensor([5.], grad_fn=<AddBackward0>)"
    assert ours["next"] == "((MulBackward0, 0), (None, 0))"
    assert ours["old node"] is True and ours["version"] == 1
    assert ours["versions"] == [0, 1, 2, 3]


# ----------------------------------------------------------------------------------- reprs

REPRS = {
    "0-d": lambda lib: lib.tensor(3.0),
    "0-d fraction": lambda lib: lib.tensor(2.5),
    "0-d negative": lambda lib: lib.tensor(-1.0),
    "0-d float64": lambda lib: lib.tensor(1.0, dtype=lib.float64),
    "0-d int": lambda lib: lib.tensor(7),
    "0-d bool": lambda lib: lib.tensor(True),
    "1-d": lambda lib: lib.tensor([1.0, 2.0, 3.0]),
    "1-d mixed signs": lambda lib: lib.tensor([-1.0, 2.0]),
    "1-d fractions": lambda lib: lib.tensor([0.1, 2.0, -3.25]),
    "1-d wide range": lambda lib: lib.tensor([1e-5, 1.0]),
    "1-d big": lambda lib: lib.tensor([1e6, 1.0]),
    "1-d float64": lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float64),
    "1-d float64 fractions": lambda lib: lib.tensor([0.5, 1 / 3], dtype=lib.float64),
    "1-d int": lambda lib: lib.tensor([1, -20, 300]),
    "1-d bool": lambda lib: lib.tensor([True, False]),
    "1-d empty": lambda lib: lib.tensor([]),
    "1-d inf nan": lambda lib: lib.tensor([float("inf"), float("nan"), 1.0]),
    "1-d ten values": lambda lib: lib.arange(10.0),
    "2-d": lambda lib: lib.tensor([[1.0, 2.0], [3.0, 4.0]]),
    "2-d negative": lambda lib: lib.tensor([[1.0, -2.0], [30.0, 4.5]]),
    "2-d int": lambda lib: lib.tensor([[1, 2, 3], [4, 5, 6]]),
    "2-d float64": lambda lib: lib.tensor([[1.0], [2.0]], dtype=lib.float64),
    "2-d requires_grad": lambda lib: lib.ones(2, 2, requires_grad=True),
    "2-d float64 requires_grad": lambda lib: lib.ones(1, 2, dtype=lib.float64, requires_grad=True),
    "2-d with grad_fn": lambda lib: lib.ones(2, 2, requires_grad=True) * 3,
    "0-d with grad_fn": lambda lib: lib.ones(2, requires_grad=True).sum(),
    "0-d float64 with grad_fn": lambda lib: lib.ones(
        2, dtype=lib.float64, requires_grad=True
    ).sum(),
}


@pytest.mark.parametrize("case", list(REPRS))
def test_repr(case):
    """repr and str of 0-2-D tensors match torch, including dtype suffixes and flags."""

    def prog(lib):
        t = REPRS[case](lib)
        return {"repr": repr(t), "str": str(t)}

    compare_programs(prog)


def test_repr_literals():
    """The printing rules the course shows: float64 suffix, int alignment, requires_grad."""

    def prog(lib):
        return {case: repr(REPRS[case](lib)) for case in REPRS}

    ours = compare_programs(prog)
    assert ours["0-d"] == "tensor(3.)"
    assert ours["0-d fraction"] == "tensor(2.5000)"
    assert ours["0-d float64"] == "tensor(1., dtype=torch.float64)"
    assert ours["1-d mixed signs"] == "tensor([-1.,  2.])"
    assert ours["1-d float64"] == "tensor([1., 2.], dtype=torch.float64)"
    assert ours["1-d int"] == "tensor([  1, -20, 300])"
    assert ours["1-d bool"] == "tensor([ True, False])"
    assert ours["2-d int"] == "tensor([[1, 2, 3],\n        [4, 5, 6]])"
    assert ours["2-d float64 requires_grad"] == (
        "tensor([[1., 1.]], dtype=torch.float64, requires_grad=True)"
    )
    assert ours["2-d with grad_fn"] == (
        "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<MulBackward0>)"
    )


# ------------------------------------------------------------------------- silent inf/NaN
def test_inf_and_nan_arithmetic_is_silent_like_torch():
    """torch computes inf * 0, 0 / 0 and exp overflow without a warning; so must minigrad,
    in a fresh interpreter where warnings are errors (pytest itself resets filters)."""
    import subprocess
    import sys

    program = (
        "import minigrad as mg\n"
        "a = mg.tensor([float('inf'), 1e30]); z = mg.zeros(2)\n"
        "print((a * z).tolist(), (z / z).tolist(), (a * a).tolist(), mg.exp(a).tolist())\n"
        "import numpy as np\n"
        "try:\n"
        "    np.zeros(1) / np.zeros(1)\n"
        "except RuntimeWarning:\n"
        "    print('numpy outside minigrad still warns')\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", program], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "[nan, 0.0] [nan, nan] [inf, inf] [inf, inf]",
        "numpy outside minigrad still warns",
    ]


def test_view_made_a_leaf_by_requires_grad_accumulates_like_torch():
    """``b.t().requires_grad_()`` of a plain ``b`` is a leaf with its own AccumulateGrad;
    a view made under no_grad of a tensor that requires grad has none (torch's rules)."""

    def prog(lib):
        v = lib.ones(2, 3).t().requires_grad_()
        y = (v * 2).sum()
        y.backward()
        b = lib.ones(2, 3, requires_grad=True)
        with lib.no_grad():
            w = b.t()
        z = (w * 2).sum()
        return {
            "leaf": (v.is_leaf, nf(y.grad_fn.next_functions[0][0])),
            "grad": v.grad,
            "no_grad view": (w.requires_grad, w.is_leaf, nf(z.grad_fn.next_functions[0][0])),
        }

    compare_programs(prog)


@pytest.mark.parametrize("exponent", [0.5, 2, 3, -0.5, -1, -2, 1.5])
def test_pow_scalar_special_exponents_match_torch_at_signed_zeros(exponent):
    """torch's pow(tensor, scalar) takes shortcuts (sqrt, x*x, 1/sqrt, ...) for some
    exponents: (-0.0) ** -0.5 is -inf there, +inf for C's pow(). Found by the fuzzer."""
    import numpy as np

    import minigrad

    torch = require_torch()
    vals = [-0.0, 0.0, -2.0, 3.0, float("inf"), float("-inf"), 0.3]
    ours = (minigrad.tensor(vals) ** exponent).numpy()
    theirs = (torch.tensor(vals) ** exponent).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, equal_nan=True)
    finite_or_inf = ~np.isnan(theirs)
    assert (np.signbit(ours) == np.signbit(theirs))[finite_or_inf].all()


def test_dtype_names_in_error_texts_are_torchs():
    """Errors that name a dtype spell it as torch's C++ does, whatever the dtype: the C
    type (``int``, ``long int``), the ScalarType (``Bool``) or the tensor type (``CPUBoolType``)."""

    def prog(lib):
        out = {}
        for name in ("float64", "int64", "int32", "bool"):
            a = lib.ones(2, 2, dtype=getattr(lib, name))
            b = lib.ones(2, 2)
            out[f"mm {name}"] = capture_error(lambda a=a, b=b: lib.mm(a, b))
            out[f"linear {name}"] = capture_error(
                lambda a=a, b=b: lib.nn.functional.linear(a, b, lib.ones(2))
            )
            out[f"expand {name}"] = capture_error(lambda a=a: a.expand(3))
        return out

    ours = compare_programs(prog)
    assert ours["mm int32"] == (
        "RuntimeError",
        "expected m1 and m2 to have the same dtype, but got: int != float",
    )
    assert ours["expand bool"] == (
        "RuntimeError",
        "expand(CPUBoolType{[2, 2]}, size=[3]): the number of sizes provided (1) must be "
        "greater or equal to the number of dimensions in the tensor (2)",
    )


@pytest.mark.parametrize(
    "expr",
    ["t * None", "None * t", "t + None", "None - t", "t / None", "t @ None", "t ** None",
     "t // None", "t < None", "t == None", "t != None", "t + 'a'", "t * [1.0, 2.0]"],
)  # fmt: skip
def test_operators_refuse_non_numeric_operands_like_torch(expr):
    """``t + None`` is Python's TypeError in torch (its operators return NotImplemented), not a
    tensor of NaNs; ``t == None`` is False by identity."""
    import minigrad

    torch = require_torch()
    ours = capture_error(lambda: eval(expr, {"t": minigrad.ones(2)}))  # noqa: S307
    theirs = capture_error(lambda: eval(expr, {"t": torch.ones(2)}))  # noqa: S307
    assert ours == theirs
    if theirs is None:
        assert repr(eval(expr, {"t": minigrad.ones(2)})) == repr(eval(expr, {"t": torch.ones(2)}))  # noqa: S307
