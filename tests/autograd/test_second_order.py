"""Higher-order gradients against torch, for every op in ``tests.tensor.test_ops.OPS``.

minigrad's backward formulas follow torch's ``derivatives.yaml`` and are written with
tensor ops, so ``grad(..., create_graph=True)`` must record the same double-backward
graph as torch (same node names, same ``next_functions`` shape), not just the same
values. For each op and dtype:

* ``g = grad((f(x) * w).sum(), x, create_graph=True)`` with a constant weight ``w``:
  values, ``requires_grad``, ``graph_signature(g.grad_fn)``; then
  ``grad(sum((g * v).sum()), x, allow_unused=True)`` (a Hessian-vector product);
* the same with ``w`` requiring grad, so that the backward of linear ops (sum, view,
  expand, cat, ...) is recorded too and the second grad also flows into ``w``;
* float64 finite differences of minigrad's first-order gradients (Hessian-vector
  products, independent of torch);
* third order for pow/exp/tanh/sigmoid/mul chains, and a few known results.
"""

from __future__ import annotations

import functools
import operator

import numpy as np
import pytest

from minigrad.autograd.numerical import central_difference
from tests.oracle import assert_close, graph_signature
from tests.tensor.test_ops import (
    DTYPES,
    OPS,
    Op,
    check_output,
    cotangent,
    libs,
    make_tensors,
    sample_inputs,
    seed_of,
    tol,
)

ACC = "torch::autograd::AccumulateGrad"


def total(terms):
    """Sum of scalar tensors without a leading Python 0 (keeps the graph minimal)."""
    return functools.reduce(operator.add, terms)


def direction(shape, dtype, *seed) -> np.ndarray:
    return np.random.default_rng(seed_of("dir", *seed)).uniform(-1.0, 1.0, shape).astype(dtype)


def second_order(lib, spec: Op, arrays, dtype: str, weight_requires_grad: bool):
    """First grads (create_graph) and grads of their weighted sum, in one library."""
    xs = make_tensors(lib, arrays, [True] * len(arrays))
    out = spec.fn(lib, *xs)
    w = lib.tensor(cotangent(tuple(out.shape), dtype, spec.id), requires_grad=weight_requires_grad)
    g = lib.autograd.grad((out * w).sum(), xs, create_graph=True)
    wrt = xs + [w] if weight_requires_grad else xs
    live = [
        (gi * lib.tensor(direction(tuple(gi.shape), dtype, spec.id, i))).sum()
        for i, gi in enumerate(g)
        if gi.requires_grad
    ]
    h = lib.autograd.grad(total(live), wrt, allow_unused=True) if live else None
    return g, h


def materialize(t):
    """Both libraries return a ZeroTensor for some second derivatives (abs's, through
    sgn); it refuses numpy(), so compare an ordinary tensor of zeros instead."""
    if t is not None and t._is_zerotensor():
        import minigrad

        lib = minigrad if isinstance(t, minigrad.Tensor) else __import__("torch")
        return lib.zeros(t.shape, dtype=t.dtype)
    return t


def compare_grads(ours, theirs, spec_or_loose, dtype):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        a, b = materialize(a), materialize(b)
        if b is None:
            assert a is None, "torch: input unused (None); minigrad returned a tensor"
            continue
        assert a is not None, "minigrad returned None for a used input"
        check_output(a, b, **tol(spec_or_loose, dtype))
        assert graph_signature(a.grad_fn) == graph_signature(b.grad_fn)


SPEC_DTYPE = [pytest.param(s, d, id=f"{s.id}-{d}") for s in OPS for d in DTYPES]


@pytest.mark.parametrize("weight_requires_grad", [False, True], ids=["const_w", "grad_w"])
@pytest.mark.parametrize("spec,dtype", SPEC_DTYPE)
def test_second_order(spec: Op, dtype: str, weight_requires_grad: bool):
    mg, torch = libs()
    arrays = sample_inputs(spec, dtype)
    g_ours, h_ours = second_order(mg, spec, arrays, dtype, weight_requires_grad)
    g_theirs, h_theirs = second_order(torch, spec, arrays, dtype, weight_requires_grad)
    # first order, recorded with create_graph: values, requires_grad, graph
    compare_grads(g_ours, g_theirs, spec, dtype)
    # second order: same inputs reached (None where unused), same values and graphs
    if h_theirs is None:
        assert h_ours is None, "torch's first grads are constants; minigrad's require grad"
    else:
        assert h_ours is not None, "minigrad's first grads do not require grad"
        compare_grads(h_ours, h_theirs, spec, dtype)


def hvp_numeric(lib, spec: Op, arrays, eps=1e-5):
    """d/dx_j of sum_i <grad_i(x), v_i> by central differences of minigrad's grads."""
    arrays = [a.copy() for a in arrays]  # central_difference perturbs them in place

    def inner():
        xs = make_tensors(lib, arrays, [True] * len(arrays))
        out = spec.fn(lib, *xs)
        w = lib.tensor(cotangent(tuple(out.shape), "float64", spec.id))
        g = lib.autograd.grad((out * w).sum(), xs)
        return sum(
            float((gi.numpy() * direction(tuple(gi.shape), "float64", spec.id, i)).sum())
            for i, gi in enumerate(g)
        )

    return [central_difference(inner, a, eps).reshape(a.shape) for a in arrays]


@pytest.mark.parametrize("spec", OPS, ids=[s.id for s in OPS])
def test_second_order_finite_differences(spec: Op):
    """Hessian-vector products against differences of first-order gradients."""
    import minigrad as mg

    arrays = sample_inputs(spec, "float64")
    _, h = second_order(mg, spec, arrays, "float64", weight_requires_grad=False)
    numeric = hvp_numeric(mg, spec, arrays)
    if h is None:  # all first grads constant: the op is linear in its inputs
        for n in numeric:
            np.testing.assert_allclose(n, 0.0, atol=1e-6)
        return
    for a, n in zip(h, numeric):
        a = materialize(a)
        analytic = np.zeros_like(n) if a is None else a.detach().numpy()
        np.testing.assert_allclose(analytic, n, rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------------------------
# third order

CHAINS = {
    # name: (program, input domains)
    "pow3": (lambda lib, x: x**3, ["real"]),
    "pow_2.5": (lambda lib, x: x**2.5, ["pos"]),
    "rpow": (lambda lib, x: 2**x, ["real"]),
    "pow_tt": (lambda lib, x, y: x**y, ["pos", "real"]),
    "exp": (lambda lib, x: x.exp(), ["real"]),
    "exp_fn_of_pow": (lambda lib, x: lib.exp(x**2), ["real"]),
    "tanh": (lambda lib, x: x.tanh(), ["real"]),
    "sigmoid": (lambda lib, x: x.sigmoid(), ["real"]),
    "mul_chain": (lambda lib, x: x * x * x, ["real"]),
    "mul_xyx": (lambda lib, x, y: x * y * x, ["real", "real"]),
    "tanh_pow_exp": (lambda lib, x: (x**2).tanh() * x.exp(), ["real"]),
    "sigmoid_mul": (lambda lib, x, y: (x * y).sigmoid(), ["real", "real"]),
    "log_div": (lambda lib, x, y: (x / y).log(), ["pos", "pos"]),
    "sqrt_recip": (lambda lib, x: x.sqrt().reciprocal(), ["pos"]),
}


def third_order(lib, name: str, dtype: str):
    from tests.tensor.test_ops import _sample

    fn, domains = CHAINS[name]
    rng = np.random.default_rng(seed_of("chain", name))
    arrays = [_sample(d, (2, 3), rng).astype(dtype) for d in domains]
    xs = make_tensors(lib, arrays, [True] * len(arrays))
    out = fn(lib, *xs)
    loss = (out * lib.tensor(cotangent((2, 3), dtype, name))).sum()
    levels = []
    for k in range(3):
        g = lib.autograd.grad(loss, xs, create_graph=True, allow_unused=True)
        levels.append(g)
        live = [
            (gi * lib.tensor(direction((2, 3), dtype, name, k, i))).sum()
            for i, gi in enumerate(g)
            if gi is not None and gi.requires_grad
        ]
        if not live:
            break
        loss = total(live)
    return levels


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(CHAINS))
def test_third_order(name: str, dtype: str):
    mg, torch = libs()
    ours, theirs = third_order(mg, name, dtype), third_order(torch, name, dtype)
    assert len(theirs) == 3, "chain should be differentiable three times in torch"
    assert len(ours) == len(theirs)
    for level, (a, b) in enumerate(zip(ours, theirs), start=1):
        try:
            compare_grads(a, b, False, dtype)
        except AssertionError as exc:
            raise AssertionError(f"order {level}: {exc}") from exc


# ---------------------------------------------------------------------------------
# known results


def test_known_x_squared():
    """x = [3.], y = x**2: 6 then 2, both recorded as MulBackward0."""
    mg, torch = libs()
    expected = (
        (0, "MulBackward0", ((None, 0), (1, 0))),
        (1, "MulBackward1", ((2, 0),)),
        (2, "PowBackward0", ((3, 0),)),
        (3, ACC, ()),
    )
    for lib in (torch, mg):  # torch first: checks the expectation itself
        x = lib.tensor([3.0], requires_grad=True)
        y = x**2
        (g1,) = lib.autograd.grad(y, x, create_graph=True)
        assert g1.tolist() == [6.0]
        assert g1.grad_fn.name() == "MulBackward0"
        assert graph_signature(g1.grad_fn) == expected
        (g2,) = lib.autograd.grad(g1, x, create_graph=True)
        assert g2.tolist() == [2.0]
        assert g2.grad_fn.name() == "MulBackward0"
        (g3,) = lib.autograd.grad(g2, x, create_graph=True)
        assert g3.tolist() == [0.0]
        assert g3.grad_fn is None and not g3.requires_grad


def test_known_x_squared_repr():
    mg, torch = libs()
    for lib in (torch, mg):
        x = lib.tensor([3.0], requires_grad=True)
        (g1,) = lib.autograd.grad(x**2, x, create_graph=True)
        assert repr(g1) == "tensor([6.], grad_fn=<MulBackward0>)"
        (g2,) = lib.autograd.grad(g1, x)
        assert repr(g2) == "tensor([2.])"


def test_known_x_times_x():
    """y = x * x: the two uses of x are summed, AddBackward0 over two MulBackward0."""
    mg, torch = libs()
    expected = (
        (0, "AddBackward0", ((1, 0), (3, 0))),
        (1, "MulBackward0", ((None, 0), (2, 0))),
        (2, ACC, ()),
        (3, "MulBackward0", ((None, 0), (2, 0))),
    )
    for lib in (torch, mg):
        x = lib.tensor([3.0], requires_grad=True)
        (g1,) = lib.autograd.grad(x * x, x, create_graph=True)
        assert g1.tolist() == [6.0]
        assert g1.grad_fn.name() == "AddBackward0"
        assert graph_signature(g1.grad_fn) == expected
        (g2,) = lib.autograd.grad(g1, x)
        assert g2.tolist() == [2.0]


@pytest.mark.parametrize("dtype", DTYPES)
def test_known_hessian(dtype: str):
    """Q = (x*x*y)**2 at x=2, y=3: gradient (288, 96), Hessian [[432, 192], [192, 32]]."""
    mg, torch = libs()
    results = {}
    for lib in (torch, mg):
        x = lib.tensor(np.array(2.0, dtype=dtype), requires_grad=True)
        y = lib.tensor(np.array(3.0, dtype=dtype), requires_grad=True)
        q = (x * x * y) ** 2
        gx, gy = lib.autograd.grad(q, (x, y), create_graph=True)
        assert [gx.item(), gy.item()] == [288.0, 96.0]
        row_x = lib.autograd.grad(gx, (x, y), retain_graph=True)
        row_y = lib.autograd.grad(gy, (x, y))
        hessian = [[t.item() for t in row_x], [t.item() for t in row_y]]
        assert hessian == [[432.0, 192.0], [192.0, 32.0]]
        results[lib] = gx, gy
    for a, b in zip(results[mg], results[torch]):
        check_output(a, b)
        assert graph_signature(a.grad_fn) == graph_signature(b.grad_fn)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_known_backward_create_graph_accumulates():
    """.backward(create_graph=True) leaves a differentiable .grad on the leaf."""
    mg, torch = libs()
    results = {}
    for lib in (torch, mg):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x**3).sum().backward(create_graph=True)
        g = x.grad
        assert g.tolist() == [3.0, 12.0]
        assert g.requires_grad
        (g2,) = lib.autograd.grad(g.sum(), x)
        assert g2.tolist() == [6.0, 12.0]
        results[lib] = g
        x.grad = None  # break the x <-> x.grad reference cycle
    assert graph_signature(results[mg].grad_fn) == graph_signature(results[torch].grad_fn)
    assert_close(results[mg], results[torch])
