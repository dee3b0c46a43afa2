"""Every op against torch, the oracle: values, gradients, graph structure.

One table, ``OPS``, drives the parametrized tests. Each entry writes its program once,
as a function of the library module ``lib`` (``minigrad`` or ``torch``), and says which
inputs it takes (shapes), where to sample them (domain, chosen away from kinks) and
the ``grad_fn`` node torch records. For each entry and dtype the tests check

* forward: values, dtype, shape, ``requires_grad``, ``is_leaf``, ``grad_fn.name()``;
* the backward graph, ``graph_signature(out.grad_fn)``, including ``None`` edges for
  inputs that do not require grad;
* first-order gradients of every input through ``.backward(gradient)`` and through
  ``lib.autograd.grad``;
* float64 central finite differences of minigrad's own gradients (a second oracle,
  independent of torch).

Kinks and ties (relu/abs at 0, max ties, clamp at the boundary, ...) are checked
against torch in ``EDGE_CASES``. Random broadcasting and reductions use hypothesis.
``tests/autograd/test_second_order.py`` reuses ``OPS`` for higher-order gradients.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minigrad.autograd.numerical import central_difference
from tests.oracle import assert_close, capture_error, graph_signature, require_torch

DTYPES = ("float32", "float64")
HYPOTHESIS = settings(derandomize=True, deadline=None, max_examples=25, database=None)

# ---------------------------------------------------------------------------------
# Sampling domains. Every domain keeps sample points away from the op's kinks so that
# gradients are well defined and finite differences are valid; kinks themselves are
# tested explicitly in EDGE_CASES.


def _sample(domain: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    return np.asarray(_sample_values(domain, shape, rng), dtype=np.float64)


def _sample_values(domain: str, shape: tuple[int, ...], rng: np.random.Generator):
    if domain == "real":
        return rng.uniform(-2.0, 2.0, shape)
    if domain == "pos":  # log, sqrt, reciprocal-like ops, pow bases
        return rng.uniform(0.5, 2.0, shape)
    if domain == "nonzero":  # |x| >= 0.3: relu, abs, division
        return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.3, 2.0, shape)
    if domain == "away01":  # clamp(0, 1): at least 0.1 from both boundaries
        v = rng.uniform(-1.0, 2.0, shape)
        v = np.where(np.abs(v) < 0.1, v + np.sign(v + 1e-12) * 0.1, v)
        return np.where(np.abs(v - 1) < 0.1, v + np.sign(v - 1 + 1e-12) * 0.1, v)
    if domain == "distinct":  # max: no ties, neighbours at least 0.2 apart
        n = int(np.prod(shape, dtype=int))
        v = (rng.permutation(n) - n / 2) * 0.3 + rng.uniform(0.0, 0.1, n)
        return v.reshape(shape)
    if domain == "lattice":  # maximum/minimum: "lattice" and "lattice_half" never tie
        return rng.integers(-4, 5, shape) * 0.5
    if domain == "lattice_half":
        return rng.integers(-4, 4, shape) * 0.5 + 0.25
    if domain in ("one_zero", "two_zeros"):  # prod/cumprod: torch's zero-safe formulas
        v = rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 1.5, shape)
        flat = v.reshape(-1)
        flat[flat.size // 2] = 0.0
        if domain == "two_zeros":
            flat[0] = 0.0
        return v
    raise ValueError(domain)


@dataclass(frozen=True)
class Op:
    id: str
    fn: Callable[..., Any]  # fn(lib, *tensors) -> tensor; written once for both libs
    shapes: tuple[tuple[int, ...], ...]
    node: str  # torch's grad_fn name for the output
    domain: tuple[str, ...] = ()  # one per input, default "real"
    # float32 only: ops that sum many products (matmul, reductions) may accumulate in a
    # different order than torch's kernels, so float32 values differ in the last bits.
    loose: bool = False

    def domains(self) -> tuple[str, ...]:
        return self.domain or ("real",) * len(self.shapes)

    def __repr__(self) -> str:
        return self.id


OPS: list[Op] = []


def op(id, fn, shapes, node, domain=(), loose=False):
    OPS.append(Op(id, fn, tuple(tuple(s) for s in shapes), node, tuple(domain), loose))


# The tables below keep one op per line on purpose (easier to scan than wrapped calls).
# fmt: off

# --- unary elementwise, each over several shapes ----------------------------------
UNARY = [
    ("neg", lambda lib, x: -x, "NegBackward0", "real"),
    ("neg_fn", lambda lib, x: lib.neg(x), "NegBackward0", "real"),
    ("reciprocal", lambda lib, x: x.reciprocal(), "ReciprocalBackward0", "nonzero"),
    ("reciprocal_fn", lambda lib, x: lib.reciprocal(x), "ReciprocalBackward0", "nonzero"),
    ("exp", lambda lib, x: x.exp(), "ExpBackward0", "real"),
    ("exp_fn", lambda lib, x: lib.exp(x), "ExpBackward0", "real"),
    ("log", lambda lib, x: x.log(), "LogBackward0", "pos"),
    ("log_fn", lambda lib, x: lib.log(x), "LogBackward0", "pos"),
    ("sqrt", lambda lib, x: x.sqrt(), "SqrtBackward0", "pos"),
    ("sqrt_fn", lambda lib, x: lib.sqrt(x), "SqrtBackward0", "pos"),
    ("abs", lambda lib, x: x.abs(), "AbsBackward0", "nonzero"),
    ("abs_fn", lambda lib, x: lib.abs(x), "AbsBackward0", "nonzero"),
    ("tanh", lambda lib, x: x.tanh(), "TanhBackward0", "real"),
    ("tanh_fn", lambda lib, x: lib.tanh(x), "TanhBackward0", "real"),
    ("sigmoid", lambda lib, x: x.sigmoid(), "SigmoidBackward0", "real"),
    ("sigmoid_fn", lambda lib, x: lib.sigmoid(x), "SigmoidBackward0", "real"),
    ("relu", lambda lib, x: x.relu(), "ReluBackward0", "nonzero"),
    ("relu_fn", lambda lib, x: lib.relu(x), "ReluBackward0", "nonzero"),
    ("clamp01", lambda lib, x: x.clamp(0, 1), "ClampBackward1", "away01"),
    ("clamp01_fn", lambda lib, x: lib.clamp(x, 0, 1), "ClampBackward1", "away01"),
    ("clamp_kw", lambda lib, x: x.clamp(min=0.0, max=1.0), "ClampBackward1", "away01"),
    ("clamp_min", lambda lib, x: x.clamp(min=0), "ClampBackward1", "away01"),
    ("clamp_max", lambda lib, x: x.clamp(max=1), "ClampBackward1", "away01"),
    ("pow2", lambda lib, x: x**2, "PowBackward0", "real"),
    ("pow3", lambda lib, x: x**3, "PowBackward0", "real"),
    ("pow2_float", lambda lib, x: x**2.0, "PowBackward0", "real"),
    ("pow_half", lambda lib, x: x**0.5, "PowBackward0", "pos"),
    ("pow_2.5", lambda lib, x: x**2.5, "PowBackward0", "pos"),
    ("pow_neg1", lambda lib, x: x**-1, "PowBackward0", "nonzero"),
    ("pow_method", lambda lib, x: x.pow(3), "PowBackward0", "real"),
    ("pow_fn", lambda lib, x: lib.pow(x, 2), "PowBackward0", "real"),
    ("rpow", lambda lib, x: 2**x, "PowBackward2", "real"),
    ("rpow_float", lambda lib, x: 2.5**x, "PowBackward2", "real"),
    ("rpow_fn", lambda lib, x: lib.pow(2, x), "PowBackward2", "real"),
    ("add_scalar", lambda lib, x: x + 2, "AddBackward0", "real"),
    ("radd_scalar", lambda lib, x: 2.5 + x, "AddBackward0", "real"),
    ("sub_scalar", lambda lib, x: x - 2, "SubBackward0", "real"),
    ("rsub_scalar", lambda lib, x: 2 - x, "RsubBackward1", "real"),
    ("rsub_one", lambda lib, x: 1 - x, "RsubBackward1", "real"),
    ("mul_scalar", lambda lib, x: x * 3, "MulBackward0", "real"),
    ("rmul_scalar", lambda lib, x: 0.5 * x, "MulBackward0", "real"),
    ("div_scalar", lambda lib, x: x / 4, "DivBackward0", "real"),
    ("rdiv_scalar", lambda lib, x: 2 / x, "MulBackward0", "nonzero"),
    ("mul_self", lambda lib, x: x * x, "MulBackward0", "real"),
    ("div_self", lambda lib, x: x / x, "DivBackward0", "nonzero"),
    ("pow_self", lambda lib, x: x**x, "PowBackward1", "pos"),
    ("clone", lambda lib, x: x.clone(), "CloneBackward0", "real"),
    ("clone_fn", lambda lib, x: lib.clone(x), "CloneBackward0", "real"),
]
for _id, _fn, _node, _dom in UNARY:
    # Function forms are checked at one shape; the method/operator forms at three.
    for _shape in [(2, 3)] if _id.endswith("_fn") else [(), (5,), (2, 3)]:
        op(f"{_id}-{'x'.join(map(str, _shape)) or 'scalar'}", _fn, [_shape], _node, [_dom])

# --- binary elementwise with broadcasting ------------------------------------------
BINARY = [
    ("add", lambda lib, a, b: a + b, "AddBackward0", ("real", "real")),
    ("add_fn", lambda lib, a, b: lib.add(a, b), "AddBackward0", ("real", "real")),
    ("add_method", lambda lib, a, b: a.add(b), "AddBackward0", ("real", "real")),
    ("sub", lambda lib, a, b: a - b, "SubBackward0", ("real", "real")),
    ("sub_fn", lambda lib, a, b: lib.sub(a, b), "SubBackward0", ("real", "real")),
    ("mul", lambda lib, a, b: a * b, "MulBackward0", ("real", "real")),
    ("mul_fn", lambda lib, a, b: lib.mul(a, b), "MulBackward0", ("real", "real")),
    ("div", lambda lib, a, b: a / b, "DivBackward0", ("real", "nonzero")),
    ("div_fn", lambda lib, a, b: lib.div(a, b), "DivBackward0", ("real", "nonzero")),
    ("pow", lambda lib, a, b: a**b, "PowBackward1", ("pos", "real")),
    ("pow_tt_fn", lambda lib, a, b: lib.pow(a, b), "PowBackward1", ("pos", "real")),
    ("maximum", lambda lib, a, b: lib.maximum(a, b), "MaximumBackward0", ("lattice", "lattice_half")),
    ("maximum_method", lambda lib, a, b: a.maximum(b), "MaximumBackward0", ("lattice", "lattice_half")),
    ("minimum", lambda lib, a, b: lib.minimum(a, b), "MinimumBackward0", ("lattice", "lattice_half")),
]
BROADCAST_SHAPES = [
    ((2, 3), (2, 3)),
    ((3, 1), (4,)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((2, 1, 3), (4, 1)),
]
for _id, _fn, _node, _dom in BINARY:
    _pairs = BROADCAST_SHAPES[:1] if _id.endswith(("_fn", "_method")) else BROADCAST_SHAPES
    for _sa, _sb in _pairs:
        _name = "x".join(map(str, _sa)) or "s", "x".join(map(str, _sb)) or "s"
        op(f"{_id}-{_name[0]}-{_name[1]}", _fn, [_sa, _sb], _node, _dom)

# A 0-d *tensor* operand (rather than a Python scalar) on either side.
op("rdiv_0d_tensor", lambda lib, x: lib.tensor(2.0, dtype=x.dtype) / x, [(2, 3)], "DivBackward0", ["nonzero"])
op("sub_0d", lambda lib, x, s: x - s, [(2, 3), ()], "SubBackward0")

# --- reductions ----------------------------------------------------------------------
# float32 sums over several terms: loose (accumulation order may differ from torch).
op("sum", lambda lib, x: x.sum(), [(2, 3)], "SumBackward0", loose=True)
op("sum-scalar", lambda lib, x: x.sum(), [()], "SumBackward0")
op("sum-1d", lambda lib, x: x.sum(), [(5,)], "SumBackward0", loose=True)
op("sum_fn", lambda lib, x: lib.sum(x), [(2, 3)], "SumBackward0", loose=True)
op("sum_dim0", lambda lib, x: x.sum(dim=0), [(2, 3)], "SumBackward1", loose=True)
op("sum_dim1_keepdim", lambda lib, x: x.sum(dim=1, keepdim=True), [(2, 3)], "SumBackward1", loose=True)
op("sum_dim_neg", lambda lib, x: x.sum(-1), [(2, 3, 4)], "SumBackward1", loose=True)
op("sum_dim_tuple", lambda lib, x: x.sum(dim=(0, 2)), [(2, 3, 4)], "SumBackward1", loose=True)
op("sum_fn_dim", lambda lib, x: lib.sum(x, dim=1), [(2, 3)], "SumBackward1", loose=True)
op("mean", lambda lib, x: x.mean(), [(2, 3)], "MeanBackward0", loose=True)
op("mean_fn", lambda lib, x: lib.mean(x), [(2, 3)], "MeanBackward0", loose=True)
op("mean_dim0", lambda lib, x: x.mean(dim=0), [(2, 3)], "MeanBackward1", loose=True)
op("mean_dim1_keepdim", lambda lib, x: x.mean(1, keepdim=True), [(2, 3)], "MeanBackward1", loose=True)
op("mean_dim_neg", lambda lib, x: x.mean(dim=-1), [(2, 3, 4)], "MeanBackward1", loose=True)
op("prod", lambda lib, x: x.prod(), [(2, 3)], "ProdBackward0", ["nonzero"], loose=True)
op("prod_one_zero", lambda lib, x: x.prod(), [(2, 3)], "ProdBackward0", ["one_zero"], loose=True)
op("prod_two_zeros", lambda lib, x: x.prod(), [(2, 3)], "ProdBackward0", ["two_zeros"], loose=True)
op("prod_fn", lambda lib, x: lib.prod(x), [(5,)], "ProdBackward0", ["one_zero"], loose=True)
op("prod_dim1", lambda lib, x: x.prod(1), [(2, 3)], "ProdBackward1", ["nonzero"], loose=True)
op("prod_dim0_keepdim_zero", lambda lib, x: x.prod(0, keepdim=True), [(3, 2)], "ProdBackward1", ["one_zero"], loose=True)
op("prod_dim_neg_zeros", lambda lib, x: x.prod(-1), [(2, 3)], "ProdBackward1", ["two_zeros"], loose=True)
op("cumsum", lambda lib, x: x.cumsum(0), [(4,)], "CumsumBackward0", loose=True)
op("cumsum_fn_dim1", lambda lib, x: lib.cumsum(x, 1), [(2, 3)], "CumsumBackward0", loose=True)
op("cumprod", lambda lib, x: x.cumprod(0), [(4,)], "CumprodBackward0", ["nonzero"], loose=True)
op("cumprod_zero", lambda lib, x: x.cumprod(-1), [(2, 3)], "CumprodBackward0", ["one_zero"], loose=True)
op("cumprod_fn_zeros", lambda lib, x: lib.cumprod(x, 0), [(5,)], "CumprodBackward0", ["two_zeros"], loose=True)
op("flip", lambda lib, x: x.flip(0), [(2, 3)], "FlipBackward0")
op("flip_dims_fn", lambda lib, x: lib.flip(x, (0, 1)), [(2, 3)], "FlipBackward0")
op("max", lambda lib, x: x.max(), [(2, 3)], "MaxBackward1", ["distinct"])
op("max-1d", lambda lib, x: x.max(), [(5,)], "MaxBackward1", ["distinct"])
op("max_fn", lambda lib, x: lib.max(x), [(2, 3)], "MaxBackward1", ["distinct"])
op("max_dim1", lambda lib, x: x.max(dim=1).values, [(2, 3)], "MaxBackward0", ["distinct"])
op("max_dim0_keepdim", lambda lib, x: x.max(dim=0, keepdim=True).values, [(2, 3)], "MaxBackward0", ["distinct"])
op("max_fn_dim", lambda lib, x: lib.max(x, 1)[0], [(2, 3)], "MaxBackward0", ["distinct"])
op("max_dim_neg", lambda lib, x: x.max(-1)[0], [(2, 3, 4)], "MaxBackward0", ["distinct"])

# --- matmul family ------------------------------------------------------------------
op("matmul_mm", lambda lib, a, b: a @ b, [(2, 3), (3, 4)], "MmBackward0", loose=True)
op("matmul_fn", lambda lib, a, b: lib.matmul(a, b), [(2, 3), (3, 4)], "MmBackward0", loose=True)
op("matmul_method", lambda lib, a, b: a.matmul(b), [(2, 3), (3, 4)], "MmBackward0", loose=True)
op("matmul_dot", lambda lib, a, b: a @ b, [(3,), (3,)], "DotBackward0", loose=True)
op("matmul_mv", lambda lib, a, b: a @ b, [(2, 3), (3,)], "MvBackward0", loose=True)
op("matmul_vm", lambda lib, a, b: a @ b, [(3,), (3, 4)], "SqueezeBackward4", loose=True)
op("matmul_batched_3d_2d", lambda lib, a, b: a @ b, [(2, 2, 3), (3, 4)], "UnsafeViewBackward0", loose=True)
op("addmm", lambda lib, b, x, w: lib.addmm(b, x, w), [(4,), (2, 3), (3, 4)], "AddmmBackward0", loose=True)
op("addmm_full_bias", lambda lib, b, x, w: lib.addmm(b, x, w), [(2, 4), (2, 3), (3, 4)], "AddmmBackward0", loose=True)
op("addmm_0d_bias", lambda lib, b, x, w: lib.addmm(b, x, w), [(), (2, 3), (3, 4)], "AddmmBackward0", loose=True)

# --- shape ops ----------------------------------------------------------------------
op("t", lambda lib, x: x.t(), [(2, 3)], "TBackward0")
op("t_fn", lambda lib, x: lib.t(x), [(2, 3)], "TBackward0")
op("transpose", lambda lib, x: x.transpose(0, 1), [(2, 3)], "TransposeBackward0")
op("transpose_fn", lambda lib, x: lib.transpose(x, 0, 1), [(2, 3)], "TransposeBackward0")
op("transpose_3d", lambda lib, x: x.transpose(0, 2), [(2, 3, 4)], "TransposeBackward0")
op("transpose_neg", lambda lib, x: x.transpose(-1, -2), [(2, 3, 4)], "TransposeBackward0")
op("reshape", lambda lib, x: x.reshape(3, 2), [(2, 3)], "ViewBackward0")
op("reshape_tuple", lambda lib, x: x.reshape((4, 6)), [(2, 3, 4)], "ViewBackward0")
op("reshape_flat", lambda lib, x: x.reshape(-1), [(2, 3)], "ViewBackward0")
op("reshape_fn", lambda lib, x: lib.reshape(x, (6,)), [(2, 3)], "ViewBackward0")
op("view", lambda lib, x: x.view(3, 2), [(2, 3)], "ViewBackward0")
op("view_infer", lambda lib, x: x.view(-1, 4), [(2, 3, 4)], "ViewBackward0")
op("squeeze_all", lambda lib, x: x.squeeze(), [(2, 1, 3)], "SqueezeBackward0")
op("squeeze_dim", lambda lib, x: x.squeeze(1), [(2, 1, 3)], "SqueezeBackward1")
op("squeeze_fn", lambda lib, x: lib.squeeze(x, 1), [(2, 1, 3)], "SqueezeBackward1")
op("unsqueeze0", lambda lib, x: x.unsqueeze(0), [(2, 3)], "UnsqueezeBackward0")
op("unsqueeze_neg", lambda lib, x: x.unsqueeze(-1), [(2, 3)], "UnsqueezeBackward0")
op("unsqueeze_fn", lambda lib, x: lib.unsqueeze(x, 1), [(2, 3)], "UnsqueezeBackward0")
op("expand_row", lambda lib, x: x.expand(4, 3), [(1, 3)], "ExpandBackward0")
op("expand_col", lambda lib, x: x.expand(3, 4), [(3, 1)], "ExpandBackward0")
op("expand_newdim", lambda lib, x: x.expand(2, 3), [(3,)], "ExpandBackward0")
op("expand_minus1", lambda lib, x: x.expand(2, 2, -1), [(3,)], "ExpandBackward0")
op("cat0", lambda lib, a, b: lib.cat([a, b]), [(2, 3), (1, 3)], "CatBackward0")
op("cat1", lambda lib, a, b: lib.cat([a, b], dim=1), [(2, 3), (2, 2)], "CatBackward0")
op("cat_neg", lambda lib, a, b: lib.cat((a, b), dim=-1), [(2, 3), (2, 1)], "CatBackward0")
op("cat3_1d", lambda lib, a, b, c: lib.cat([a, b, c]), [(2,), (3,), (1,)], "CatBackward0")
op("cat_same", lambda lib, a: lib.cat([a, a * 2, a]), [(2, 3)], "CatBackward0")
op("stack0", lambda lib, a, b: lib.stack([a, b]), [(2, 3), (2, 3)], "StackBackward0")
op("stack1", lambda lib, a, b: lib.stack([a, b], dim=1), [(2, 3), (2, 3)], "StackBackward0")
op("stack_neg", lambda lib, a, b: lib.stack((a, b), dim=-1), [(2, 3), (2, 3)], "StackBackward0")
op("stack3_1d", lambda lib, a, b, c: lib.stack([a, b, c]), [(2,), (2,), (2,)], "StackBackward0")
op("stack_0d", lambda lib, a, b: lib.stack([a, b]), [(), ()], "StackBackward0")
op("select0", lambda lib, x: x[0], [(4, 3)], "SelectBackward0")
op("select_last", lambda lib, x: x[-1], [(4, 3)], "SelectBackward0")
op("select_col", lambda lib, x: x[:, 1], [(4, 3)], "SelectBackward0")
op("select_1d", lambda lib, x: x[2], [(4,)], "SelectBackward0")
op("select_2", lambda lib, x: x[1, 2], [(4, 3)], "SelectBackward0")
op("slice", lambda lib, x: x[0:2], [(4, 3)], "SliceBackward0")
op("slice_step", lambda lib, x: x[::2], [(4, 3)], "SliceBackward0")
op("slice_2d", lambda lib, x: x[1:, 0:2], [(4, 3)], "SliceBackward0")
op("slice_neg", lambda lib, x: x[-3:-1], [(4,)], "SliceBackward0")
op("slice_select", lambda lib, x: x[1:3, 0], [(4, 3)], "SelectBackward0")

# --- small composites: shared subgraphs, several paths to one leaf -----------------
op("mlp_layer", lambda lib, x, w, b: lib.tanh(x @ w + b).sum(), [(2, 3), (3, 4), (4,)], "SumBackward0", loose=True)
op("shared_exp", lambda lib, x, y: (lambda e: e * y + e.sum())(x.exp()), [(2, 3), (2, 3)], "AddBackward0", loose=True)
op("softplus_like", lambda lib, x: (1 + x.exp()).log(), [(2, 3)], "LogBackward0")
op("mse", lambda lib, p, t: ((p - t) ** 2).mean(), [(2, 3), (2, 3)], "MeanBackward0", loose=True)

# fmt: on

OP_IDS = [o.id for o in OPS]
assert len(set(OP_IDS)) == len(OP_IDS), "duplicate op ids"


# ---------------------------------------------------------------------------------
# Harness: build one program in a library from shared numpy inputs.


def seed_of(*parts: Any) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode())


def sample_inputs(spec: Op, dtype: str) -> list[np.ndarray]:
    """The same points for both dtypes (sampled in float64, then cast)."""
    rng = np.random.default_rng(seed_of(spec.id))
    return [_sample(d, s, rng).astype(dtype) for d, s in zip(spec.domains(), spec.shapes)]


def make_tensors(lib, arrays, requires_grad):
    return [lib.tensor(a.copy(), requires_grad=rg) for a, rg in zip(arrays, requires_grad)]


def run(lib, spec: Op, arrays, requires_grad):
    xs = make_tensors(lib, arrays, requires_grad)
    return xs, spec.fn(lib, *xs)


def cotangent(shape, dtype, *seed) -> np.ndarray:
    return np.random.default_rng(seed_of("grad", *seed)).uniform(-1.0, 1.0, shape).astype(dtype)


def tol(spec_or_loose, dtype: str) -> dict:
    loose = getattr(spec_or_loose, "loose", spec_or_loose)
    if dtype == "float32" and loose:
        return {"rtol": 1e-4, "atol": 1e-5}
    return {}


def libs():
    torch = require_torch()
    import minigrad

    return minigrad, torch


def dtype_name(t) -> str:
    return str(t.dtype).rsplit(".", 1)[-1]


def check_output(ours, theirs, **kw):
    """Values, dtype, shape, requires_grad, is_leaf, grad_fn name."""
    assert dtype_name(ours) == dtype_name(theirs)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert_close(ours, theirs, **kw)
    assert ours.requires_grad == theirs.requires_grad
    assert ours.is_leaf == theirs.is_leaf
    if theirs.grad_fn is None:
        assert ours.grad_fn is None
    else:
        assert ours.grad_fn is not None
        assert ours.grad_fn.name() == theirs.grad_fn.name()


def grad_masks(n: int) -> list[tuple[bool, ...]]:
    """All inputs require grad, then each one in turn does not."""
    masks = [(True,) * n]
    if n > 1:
        masks += [tuple(i != j for i in range(n)) for j in range(n)]
    return masks


def mask_id(mask) -> str:
    return "".join("g" if m else "c" for m in mask)


CASES = [
    pytest.param(spec, dtype, mask, id=f"{spec.id}-{dtype}-{mask_id(mask)}")
    for spec in OPS
    for dtype in DTYPES
    for mask in grad_masks(len(spec.shapes))
]
SPEC_DTYPE = [pytest.param(s, d, id=f"{s.id}-{d}") for s in OPS for d in DTYPES]


# ---------------------------------------------------------------------------------
# 1. forward


@pytest.mark.parametrize("spec,dtype,mask", CASES)
def test_forward(spec: Op, dtype: str, mask):
    mg, torch = libs()
    arrays = sample_inputs(spec, dtype)
    _, theirs = run(torch, spec, arrays, mask)
    assert theirs.grad_fn.name() == spec.node, "op table out of date with torch"
    _, ours = run(mg, spec, arrays, mask)
    check_output(ours, theirs, **tol(spec, dtype))


@pytest.mark.parametrize("spec,dtype", SPEC_DTYPE)
def test_forward_without_grad(spec: Op, dtype: str):
    """No input requires grad: no graph is recorded."""
    mg, torch = libs()
    arrays = sample_inputs(spec, dtype)
    _, theirs = run(torch, spec, arrays, [False] * len(arrays))
    _, ours = run(mg, spec, arrays, [False] * len(arrays))
    check_output(ours, theirs, **tol(spec, dtype))
    assert ours.grad_fn is None and not ours.requires_grad and ours.is_leaf


@pytest.mark.parametrize("spec,dtype", SPEC_DTYPE)
def test_forward_no_grad_mode(spec: Op, dtype: str):
    """Inputs require grad but grad mode is off: no grad_fn.

    torch keeps requires_grad=True on *views* of such inputs (t, view, select, ...);
    check_output holds minigrad to the same rule.
    """
    mg, torch = libs()
    arrays = sample_inputs(spec, dtype)
    with torch.no_grad():
        _, theirs = run(torch, spec, arrays, [True] * len(arrays))
    with mg.no_grad():
        _, ours = run(mg, spec, arrays, [True] * len(arrays))
    check_output(ours, theirs, **tol(spec, dtype))
    assert ours.grad_fn is None


# ---------------------------------------------------------------------------------
# 2. graph structure


@pytest.mark.parametrize("spec,dtype,mask", CASES)
def test_graph(spec: Op, dtype: str, mask):
    mg, torch = libs()
    arrays = sample_inputs(spec, dtype)
    _, theirs = run(torch, spec, arrays, mask)
    _, ours = run(mg, spec, arrays, mask)
    assert graph_signature(ours.grad_fn) == graph_signature(theirs.grad_fn)


# ---------------------------------------------------------------------------------
# 3. first-order gradients


@pytest.mark.parametrize("spec,dtype,mask", CASES)
def test_backward(spec: Op, dtype: str, mask):
    mg, torch = libs()
    arrays = sample_inputs(spec, dtype)
    grads = {}
    for lib in (mg, torch):
        xs, out = run(lib, spec, arrays, mask)
        g = cotangent(tuple(out.shape), dtype, spec.id)
        out.backward(lib.tensor(g))
        grads[lib] = [x.grad for x in xs]
    for ours, theirs, rg in zip(grads[mg], grads[torch], mask):
        if not rg:
            assert ours is None and theirs is None
        else:
            assert not ours.requires_grad  # .grad of a first-order backward is a constant
            assert_close(ours, theirs, **tol(spec, dtype))


@pytest.mark.parametrize("spec,dtype,mask", CASES)
def test_autograd_grad(spec: Op, dtype: str, mask):
    mg, torch = libs()
    arrays = sample_inputs(spec, dtype)
    grads = {}
    for lib in (mg, torch):
        xs, out = run(lib, spec, arrays, mask)
        g = cotangent(tuple(out.shape), dtype, spec.id)
        wanted = [x for x, rg in zip(xs, mask) if rg]
        grads[lib] = lib.autograd.grad(out, wanted, grad_outputs=lib.tensor(g))
        assert all(x.grad is None for x in xs)  # autograd.grad does not touch .grad
    assert len(grads[mg]) == len(grads[torch])
    for ours, theirs in zip(grads[mg], grads[torch]):
        assert_close(ours, theirs, **tol(spec, dtype))


# ---------------------------------------------------------------------------------
# 4. finite differences: minigrad against itself, no torch involved


def numeric_grads(lib, fn, arrays, g, eps=1e-5):
    """Central differences of L(x) = sum(fn(x) * g) for every input, in float64."""
    arrays = [a.copy() for a in arrays]  # central_difference perturbs them in place

    def loss():
        out = fn(lib, *make_tensors(lib, arrays, [False] * len(arrays)))
        return float((np.asarray(out.detach().numpy(), dtype=np.float64) * g).sum())

    return [central_difference(loss, a, eps).reshape(a.shape) for a in arrays]


@pytest.mark.parametrize("spec", OPS, ids=OP_IDS)
def test_finite_differences(spec: Op):
    import minigrad as mg

    arrays = sample_inputs(spec, "float64")
    xs, out = run(mg, spec, arrays, [True] * len(arrays))
    g = cotangent(tuple(out.shape), "float64", spec.id)
    analytic = mg.autograd.grad(out, xs, grad_outputs=mg.tensor(g))
    numeric = numeric_grads(mg, spec.fn, arrays, g)
    for a, n in zip(analytic, numeric):
        np.testing.assert_allclose(a.detach().numpy(), n, rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------------------------
# 5. kinks, ties and edge values against torch

# fmt: off
EDGE_CASES = {
    # name: (program, inputs)
    "relu_at_0": (lambda lib, x: x.relu(), [[-1.0, 0.0, 2.0]]),
    "abs_at_0": (lambda lib, x: x.abs(), [[-1.0, 0.0, 2.0]]),
    "max_all_ties": (lambda lib, x: x.max(), [[[1.0, 3.0], [3.0, 2.0]]]),
    "max_all_three_ties": (lambda lib, x: x.max(), [[2.0, 2.0, 2.0]]),
    "max_dim_ties": (lambda lib, x: x.max(dim=1).values, [[[3.0, 3.0, 1.0], [0.0, 5.0, 5.0]]]),
    "max_dim_keepdim_ties": (lambda lib, x: x.max(0, keepdim=True)[0], [[[1.0, 2.0], [1.0, 2.0]]]),
    "maximum_ties": (lambda lib, a, b: lib.maximum(a, b), [[1.0, 2.0, 5.0], [1.0, 3.0, 5.0]]),
    "minimum_ties": (lambda lib, a, b: lib.minimum(a, b), [[1.0, 2.0, 5.0], [1.0, 3.0, 5.0]]),
    "maximum_ties_broadcast": (lambda lib, a, b: lib.maximum(a, b), [[[1.0], [2.0]], [1.0, 2.0, 0.0]]),
    "clamp_at_bounds": (lambda lib, x: x.clamp(0, 1), [[-1.0, 0.0, 0.5, 1.0, 2.0]]),
    "clamp_min_at_bound": (lambda lib, x: x.clamp(min=0), [[-1.0, 0.0, 1.0]]),
    "clamp_max_at_bound": (lambda lib, x: x.clamp(max=1), [[0.0, 1.0, 2.0]]),
    "sqrt_at_0": (lambda lib, x: x.sqrt(), [[0.0, 4.0]]),
    "log_at_0": (lambda lib, x: x.log(), [[0.0, 1.0]]),
    "log_negative": (lambda lib, x: x.log(), [[-1.0, 1.0]]),
    "reciprocal_at_0": (lambda lib, x: x.reciprocal(), [[0.0, 2.0]]),
    "rdiv_at_0": (lambda lib, x: 2 / x, [[0.0, -0.0, 2.0]]),
    "div_by_0": (lambda lib, a, b: a / b, [[1.0, 0.0, -1.0], [0.0, 0.0, 0.0]]),
    "pow0_at_0": (lambda lib, x: x**0, [[0.0, 2.0]]),
    "pow1_at_0": (lambda lib, x: x**1, [[0.0, 2.0]]),
    "pow2_at_0": (lambda lib, x: x**2, [[0.0, -1.5]]),
    "pow_half_at_0": (lambda lib, x: x**0.5, [[0.0, 4.0]]),
    "pow_neg_at_0": (lambda lib, x: x**-1, [[0.0, 4.0]]),
    "pow_self_at_0": (lambda lib, x: x**x, [[0.0, 2.0]]),
    "pow_tt_zero_base": (lambda lib, a, b: a**b, [[0.0, 0.0, 0.0], [0.0, 1.0, 2.0]]),
    "pow_negative_base_int_exp": (lambda lib, a, b: a**b, [[-2.0, -1.5], [2.0, 3.0]]),
    "rpow_zero_base": (lambda lib, x: 0**x, [[1.0, 2.0]]),
    "sigmoid_extreme": (lambda lib, x: x.sigmoid(), [[-100.0, 0.0, 100.0]]),
    "tanh_extreme": (lambda lib, x: x.tanh(), [[-50.0, 0.0, 50.0]]),
    "exp_overflow": (lambda lib, x: x.exp(), [[1000.0, 0.0]]),
}
# fmt: on


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_edge_cases(name: str, dtype: str):
    mg, torch = libs()
    fn, values = EDGE_CASES[name]
    arrays = [np.array(v, dtype=dtype) for v in values]
    results = {}
    for lib in (mg, torch):
        xs = make_tensors(lib, arrays, [True] * len(arrays))
        out = fn(lib, *xs)
        n = int(np.prod(tuple(out.shape)))
        g = np.linspace(0.5, 1.5, n, dtype=dtype).reshape(tuple(out.shape))
        out.backward(lib.tensor(g))
        results[lib] = out, [x.grad for x in xs]
    (ours, ours_grads), (theirs, theirs_grads) = results[mg], results[torch]
    check_output(ours, theirs)
    assert graph_signature(ours.grad_fn) == graph_signature(theirs.grad_fn)
    for a, b in zip(ours_grads, theirs_grads):
        assert_close(a, b)


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_dim_returns_values_and_indices(dtype: str):
    mg, torch = libs()
    x = np.array([[3.0, 3.0, 1.0], [0.0, 5.0, 5.0], [-1.0, -2.0, -0.5]], dtype=dtype)
    for keepdim in (False, True):
        res = {}
        for lib in (mg, torch):
            t = lib.tensor(x, requires_grad=True)
            method, function = t.max(dim=1, keepdim=keepdim), lib.max(t, 1, keepdim)
            res[lib] = method, function
        for ours, theirs in zip(res[mg], res[torch]):
            values, indices = ours  # unpacks like a tuple
            assert values is ours.values and indices is ours.indices
            assert ours[0] is ours.values and ours[1] is ours.indices
            check_output(ours.values, theirs.values)
            assert dtype_name(ours.indices) == dtype_name(theirs.indices) == "int64"
            np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
            assert not ours.indices.requires_grad and ours.indices.grad_fn is None


# Mixed dtypes: torch's promotion rules (0-d tensors do not promote a float32 operand).
# fmt: off
PROMOTION_CASES = {
    "f32_mul_f64_0d": (lambda lib, a, b: a * b, [((2, 3), "float32"), ((), "float64")]),
    "f64_0d_add_f32": (lambda lib, a, b: a + b, [((), "float64"), ((2, 3), "float32")]),
    "f32_mul_f64_1d": (lambda lib, a, b: a * b, [((2, 3), "float32"), ((3,), "float64")]),
    "f32_div_f64": (lambda lib, a, b: a / b, [((3,), "float32"), ((3,), "float64")]),
    "f32_maximum_f64": (lambda lib, a, b: lib.maximum(a, b), [((3,), "float32"), ((3,), "float64")]),
    "f32_matmul_scalar_mul": (lambda lib, a, b: (a @ a.t()) * 2.5, [((2, 3), "float32"), ((), "float64")]),
}
# fmt: on


@pytest.mark.parametrize("name", list(PROMOTION_CASES))
def test_dtype_promotion(name: str):
    mg, torch = libs()
    fn, specs = PROMOTION_CASES[name]
    rng = np.random.default_rng(seed_of("promotion", name))
    arrays = [_sample("nonzero", shape, rng).astype(dt) for shape, dt in specs]
    results = {}
    for lib in (mg, torch):
        xs = make_tensors(lib, arrays, [True] * len(arrays))
        out = fn(lib, *xs)
        out.backward(lib.tensor(cotangent(tuple(out.shape), dtype_name(out), name)))
        results[lib] = out, [x.grad for x in xs]
    (ours, ours_grads), (theirs, theirs_grads) = results[mg], results[torch]
    loose = "matmul" in name  # float32 accumulation order, as for OPS entries
    check_output(ours, theirs, **tol(loose, dtype_name(theirs)))
    assert graph_signature(ours.grad_fn) == graph_signature(theirs.grad_fn)
    for a, b in zip(ours_grads, theirs_grads):  # each grad has its leaf's dtype
        if b is None:  # input not used by the program
            assert a is None
        else:
            assert_close(a, b, **tol(loose, dtype_name(b)))


# Invalid arguments: same exception type and message as torch.
ERROR_CASES = {
    # name: (program, input shapes)
    "add_not_broadcastable": (lambda lib, a, b: a + b, [(2, 3), (4,)]),
    "mul_not_broadcastable": (lambda lib, a, b: a * b, [(2, 3), (3, 2)]),
    "mm_mismatch": (lambda lib, a, b: a @ b, [(2, 3), (4, 5)]),
    "dot_mismatch": (lambda lib, a, b: a @ b, [(3,), (4,)]),
    "mv_mismatch": (lambda lib, a, b: a @ b, [(2, 3), (4,)]),
    "addmm_bias_mismatch": (lambda lib, b, x, w: lib.addmm(b, x, w), [(5,), (2, 3), (3, 4)]),
    "cat_mismatch": (lambda lib, a, b: lib.cat([a, b]), [(2, 3), (2, 4)]),
    "cat_empty": (lambda lib: lib.cat([]), []),
    "stack_mismatch": (lambda lib, a, b: lib.stack([a, b]), [(2, 3), (3, 2)]),
    "view_bad_size": (lambda lib, x: x.view(4), [(2, 3)]),
    "reshape_bad_size": (lambda lib, x: x.reshape(5, -1), [(2, 3)]),
    "view_non_contiguous": (lambda lib, x: x.t().view(6), [(2, 3)]),
    "expand_bad_size": (lambda lib, x: x.expand(4, 3), [(2, 3)]),
    "t_3d": (lambda lib, x: x.t(), [(2, 2, 2)]),
    "transpose_dim_range": (lambda lib, x: x.transpose(0, 2), [(2, 3)]),
    "sum_dim_range": (lambda lib, x: x.sum(dim=2), [(2, 3)]),
    "max_dim_range": (lambda lib, x: x.max(dim=2), [(2, 3)]),
    "unsqueeze_dim_range": (lambda lib, x: x.unsqueeze(3), [(2, 3)]),
    "squeeze_dim_range": (lambda lib, x: x.squeeze(2), [(2, 3)]),
    "select_out_of_range": (lambda lib, x: x[5], [(2, 3)]),
    "clamp_no_bounds": (lambda lib, x: x.clamp(), [(2, 3)]),
}


@pytest.mark.parametrize("name", list(ERROR_CASES))
def test_errors(name: str):
    mg, torch = libs()
    fn, shapes = ERROR_CASES[name]
    arrays = [np.ones(s) for s in shapes]
    theirs = capture_error(lambda: fn(torch, *make_tensors(torch, arrays, [True] * len(arrays))))
    assert theirs is not None
    ours = capture_error(lambda: fn(mg, *make_tensors(mg, arrays, [True] * len(arrays))))
    assert ours == theirs, f"\nminigrad: {ours!r}\ntorch:    {theirs!r}"


# ---------------------------------------------------------------------------------
# 6. random shapes with hypothesis

BROADCAST_OPS = [o for o in BINARY if not o[0].endswith(("_fn", "_method"))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,fn,node,domain", BROADCAST_OPS, ids=[o[0] for o in BROADCAST_OPS])
@HYPOTHESIS
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
    seed=st.integers(0, 2**32 - 1),
    mask=st.sampled_from([(True, True), (True, False), (False, True)]),
)
def test_broadcasting_random(name, fn, node, domain, dtype, shapes, seed, mask):
    mg, torch = libs()
    rng = np.random.default_rng(seed)
    arrays = [_sample(d, s, rng).astype(dtype) for d, s in zip(domain, shapes.input_shapes)]
    res = {}
    for lib in (mg, torch):
        xs = make_tensors(lib, arrays, mask)
        out = fn(lib, *xs)
        g = cotangent(tuple(out.shape), dtype, name, seed)
        grads = lib.autograd.grad(out, [x for x, m in zip(xs, mask) if m], lib.tensor(g))
        res[lib] = out, grads
    check_output(res[mg][0], res[torch][0])
    assert tuple(res[mg][0].shape) == shapes.result_shape
    assert graph_signature(res[mg][0].grad_fn) == graph_signature(res[torch][0].grad_fn)
    for ours, theirs in zip(res[mg][1], res[torch][1]):
        assert_close(ours, theirs)


REDUCTIONS = {
    "sum": lambda lib, x, dim, keepdim: x.sum(dim=dim, keepdim=keepdim),
    "mean": lambda lib, x, dim, keepdim: x.mean(dim=dim, keepdim=keepdim),
    "max": lambda lib, x, dim, keepdim: x.max(dim=dim, keepdim=keepdim).values,
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(REDUCTIONS))
@HYPOTHESIS
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_reductions_random(name, dtype, data, seed):
    mg, torch = libs()
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), label="shape")
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    x = _sample("distinct", shape, np.random.default_rng(seed)).astype(dtype)
    res = {}
    for lib in (mg, torch):
        t = lib.tensor(x, requires_grad=True)
        out = REDUCTIONS[name](lib, t, dim, keepdim)
        out.backward(lib.tensor(cotangent(tuple(out.shape), dtype, name, seed)))
        res[lib] = out, t.grad
    check_output(res[mg][0], res[torch][0], **tol(True, dtype))
    assert graph_signature(res[mg][0].grad_fn) == graph_signature(res[torch][0].grad_fn)
    assert_close(res[mg][1], res[torch][1], **tol(True, dtype))
