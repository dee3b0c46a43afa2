"""Memory layout against torch: element-wise results, and the graphs that depend on it.

Layout shows in autograd: ``reshape`` of a non-contiguous gradient records
``ReshapeAliasBackward0`` instead of ``ViewBackward0``, so a third derivative through a
batched ``matmul`` only matches torch if ``a + b`` with mixed layouts is laid out as torch
lays it out (the first operand that tells two dimensions apart decides; numpy falls back
to C order). Both mismatches here were found by the differential fuzzer.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import minigrad
from tests.oracle import assert_close, graph_signature, require_torch


def layouts(lib, shape):
    """The same values in several layouts: contiguous, transposed, permuted, sliced,
    expanded, and a broadcastable row."""
    n = int(np.prod(shape))
    base = lib.arange(n, dtype=lib.float64).reshape(shape) / 7 + 1
    rev = tuple(reversed(shape))
    wide = shape[:-1] + (2 * shape[-1],)
    return {
        "contiguous": base,
        "transposed": lib.arange(n, dtype=lib.float64).reshape(rev).transpose(0, -1) / 7 + 1,
        "sliced": (lib.arange(2 * n, dtype=lib.float64).reshape(wide) / 7 + 1)[..., ::2],
        "permuted": base.transpose(-2, -1).contiguous().transpose(-2, -1),
        "expanded": base[..., :1].expand(shape),
        "row": base[..., :1, :],
    }


OPS = {
    "add": lambda lib, a, b: a + b,
    "sub": lambda lib, a, b: a - b,
    "rsub": lambda lib, a, b: lib.rsub(a, b),
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "pow": lambda lib, a, b: a**b,
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "where": lambda lib, a, b: lib.where(a > 1.5, a, b),
    "masked_fill": lambda lib, a, b: a.masked_fill(b > 1.5, 0.0),
    "gt": lambda lib, a, b: a > b,
}

SHAPES = [(3, 4), (2, 3, 4)]


def _dense_strides(t) -> tuple:
    # torch and numpy may disagree on the stride of a size-1 dim; nothing can observe it.
    return tuple(s for s, n in zip(t.stride(), t.shape) if n != 1)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("op", sorted(OPS))
def test_elementwise_result_layout_matches_torch(op, shape):
    torch = require_torch()
    ours, theirs = layouts(minigrad, shape), layouts(torch, shape)
    for ka, kb in itertools.product(ours, repeat=2):
        a, b = OPS[op](minigrad, ours[ka], ours[kb]), OPS[op](torch, theirs[ka], theirs[kb])
        where = f"{op}({ka}, {kb})"
        assert a.is_contiguous() == b.is_contiguous(), where
        assert _dense_strides(a) == _dense_strides(b), where
        assert_close(a, b)


def test_stride_and_is_contiguous_match_torch():
    torch = require_torch()
    for shape in SHAPES:
        for (k, a), b in zip(layouts(minigrad, shape).items(), layouts(torch, shape).values()):
            assert a.stride() == b.stride(), k
            assert a.is_contiguous() == b.is_contiguous(), k
            assert a.stride(-1) == b.stride(-1), k


MATMUL_SHAPES = [
    ((2, 2, 3), (2, 3, 2)),
    ((2, 2, 3), (3, 2)),
    ((3,), (2, 3, 2)),
    ((2, 2, 2, 3), (2, 3, 2)),
    ((1, 2, 3), (2, 3, 2)),  # a batch of one that requires grad is squeezed away
    ((2, 2, 3), (1, 3, 2)),
    ((2, 1, 2, 3), (1, 3, 2)),
]


def matmul_third_order(lib, sa, sb, rga, rgb):
    a = lib.full(sa, -2.0, dtype=lib.float64, requires_grad=rga)
    b = lib.full(sb, 0.5, dtype=lib.float64, requires_grad=rgb)
    out = lib.matmul(a, b)
    ins = [t for t in (a, b) if t.requires_grad]
    gs = lib.autograd.grad((out * out).sum(), ins, create_graph=True)
    gs2 = lib.autograd.grad(sum((g * g).sum() for g in gs), ins, create_graph=True)
    return [out, *gs, *gs2]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES, ids=str)
@pytest.mark.parametrize("rg", [(True, True), (True, False), (False, True)], ids=str)
def test_batched_matmul_higher_order_graphs_match_torch(sa, sb, rg):
    torch = require_torch()
    ours = matmul_third_order(minigrad, sa, sb, *rg)
    theirs = matmul_third_order(torch, sa, sb, *rg)
    for a, b in zip(ours, theirs, strict=True):
        assert graph_signature(a.grad_fn) == graph_signature(b.grad_fn)
        assert_close(a, b)


INDICES = [
    (slice(None), [0, 1]),
    ([0, 1],),
    (slice(None), slice(None), [1, 0]),
    ([1, 0], [0, 1]),
    (slice(None), [0, 1], slice(0, 2)),
    ([0, 1], slice(None), [1, 0]),  # not adjacent: the indexed dims go first
    ([[0, 1], [1, 0]],),
    (slice(None), [[0], [1]]),
    ("mask0",),
    (slice(None), "mask1"),
]


def _index(lib, idx, x):
    out = []
    for i in idx:
        if i == "mask0":  # all but the first row
            i = x[:, 0, 0] != x[0, 0, 0]
        elif i == "mask1":
            i = x[0] != x[0, 0, 0]
        out.append(i)
    return x[tuple(out)]


@pytest.mark.parametrize("perm", [(0, 1, 2), (2, 1, 0), (1, 0, 2), (0, 2, 1)], ids=str)
def test_advanced_indexing_layout_matches_torch(perm):
    """Found by the fuzzer: ``t[:, :, [0, 0]]`` is contiguous in torch, not in numpy, so a
    later ``reshape`` recorded CloneBackward0 + UnsafeViewBackward0 instead of a view."""
    torch = require_torch()
    for idx in INDICES:
        a, b = (_index(lib, idx, lib.arange(24.0).reshape(4, 3, 2).permute(*perm))
                for lib in (minigrad, torch))  # fmt: skip
        where = f"permute{perm}[{idx}]"
        assert a.is_contiguous() == b.is_contiguous(), where
        assert _dense_strides(a) == _dense_strides(b), where
        assert_close(a, b)
        assert a.reshape(-1).grad_fn is None  # (no grad: only the layout is compared here)


BACKWARD_FORMULAS = {
    # backward formulas that fill a fresh result in place (masked_fill_): its layout stays
    "norm": lambda lib, x: x.norm(),
    "max": lambda lib, x: x.max(),
    "maximum": lambda lib, x: lib.maximum(x, x.detach() * 0 + 0.5).sum(),
}


@pytest.mark.parametrize("name", sorted(BACKWARD_FORMULAS))
def test_in_place_fill_in_backward_keeps_layout_like_torch(name):
    """Found by the fuzzer: the gradient of ``norm`` of a permuted tensor is laid out like
    it in torch (``masked_fill_`` is in place), so a reshape further down records a view."""
    torch = require_torch()
    results = []
    for lib in (minigrad, torch):
        x = lib.tensor([[[0.5, 0.25, 0.5]], [[0.5, 0.125, 0.75]]], requires_grad=True)
        xt = x.permute(2, 1, 0).neg()  # non-contiguous, requires grad
        (g,) = lib.autograd.grad(BACKWARD_FORMULAS[name](lib, xt), [xt], create_graph=True)
        flat = (g.permute(2, 1, 0) * 1).reshape(-1)
        results.append((g, flat, _dense_strides(g), g.is_contiguous()))
    (g1, f1, *l1), (g2, f2, *l2) = results
    assert l1 == l2
    assert graph_signature(f1.grad_fn) == graph_signature(f2.grad_fn)
    assert_close(f1, f2)


STRIDE_OPS = {
    "add_scalar": lambda lib, x: x + 2,
    "rmul_scalar": lambda lib, x: 2 * x,
    "sub_scalar": lambda lib, x: x - 1,
    "div_scalar": lambda lib, x: x / 2,
    "mul_self": lambda lib, x: x * x,
    "add_row": lambda lib, x: x + lib.ones(x.shape[-1]),
    "add_0d": lambda lib, x: x + lib.tensor(1.5),
    "where": lambda lib, x: lib.where(x > 0, x, 0.5 * x),
    "neg": lambda lib, x: -x,
    "abs": lambda lib, x: x.abs(),
    "exp": lambda lib, x: x.exp(),
    "tanh": lambda lib, x: x.tanh(),
    "sigmoid": lambda lib, x: x.sigmoid(),
    "relu": lambda lib, x: x.relu(),
    "pow": lambda lib, x: x**2,
    "clamp": lambda lib, x: x.clamp(0, 1),
    "reciprocal": lambda lib, x: x.reciprocal(),
    # reductions, cumsum and cumprod allocate row-major results; clone, flip and to keep
    # the input's layout (preserve_format); contiguous() is row-major
    "sum_dim": lambda lib, x: x.sum(-1, keepdim=True),
    "sum_dims": lambda lib, x: x.sum((0, -1)),
    "mean_dim": lambda lib, x: x.mean(0),
    "prod_dim": lambda lib, x: x.prod(-1, keepdim=True),
    "max_dim": lambda lib, x: x.max(0, keepdim=True)[0],
    "argmax_dim": lambda lib, x: x.max(-1)[1],
    "cumsum": lambda lib, x: x.cumsum(0),
    "cumprod": lambda lib, x: x.cumprod(-1),
    "flip": lambda lib, x: x.flip(0),
    "clone": lambda lib, x: x.clone(),
    "contiguous": lambda lib, x: x.contiguous(),
    "to_float64": lambda lib, x: x.to(lib.float64),
    "stack": lambda lib, x: lib.stack([x, x], 1),
    "cat": lambda lib, x: lib.cat([x, x], -1),
    "cat_expanded": lambda lib, x: lib.cat([x[:1].expand(x.shape), x], 0),
}


@pytest.mark.parametrize("shape", [(2, 1, 1), (1, 1, 2), (2, 1, 3), (2, 2, 1), (3, 1), (2, 3)],
                         ids=str)  # fmt: skip
def test_result_strides_match_torch_size_one_dims_included(shape):
    """Exact strides, size-1 dims included: torch keeps them from the operands (``x + 2`` of
    a transposed (2, 1, 1) tensor has strides (1, 2, 2)), and matmul's fold test and mm's
    column-major test read them. Found by the fuzzer."""
    import itertools

    torch = require_torch()
    for perm in itertools.permutations(range(len(shape))):
        inv = [int(i) for i in np.argsort(perm)]
        for name, fn in STRIDE_OPS.items():
            ours, theirs = (
                fn(lib, lib.ones(*[shape[p] for p in perm]).permute(*inv))
                for lib in (minigrad, torch)
            )
            assert ours.stride() == theirs.stride(), f"{name} of permute{tuple(inv)}"
