"""torch's ZeroTensor, which ``sgn``'s backward returns, against torch.

A ZeroTensor is a zero that ``mul`` and ``div`` keep zero even against inf or NaN, that
views and ``detach`` keep, and that refuses in-place writes. It matters to a learner in
higher-order gradients through ``abs`` (``grad * self.sgn()``): with an inf in the graph,
a plain zero would turn a third derivative into NaN where torch gives a number. The first
test is the reproducer the differential fuzzer (tests/fuzz/test_fuzz.py) shrank it to.
"""

from __future__ import annotations

import pytest

import minigrad
from tests.oracle import assert_close, graph_signature, require_torch

INF = float("inf")


def libs():
    return (minigrad, require_torch())


def abs_chain_third_order(lib):
    """Found by the fuzzer: x1.grad was NaN in minigrad, 0.25 in torch."""
    x1 = lib.tensor([[-2.0, -2.0, INF]], dtype=lib.float32, requires_grad=True)
    x3 = lib.tensor([0.125] * 3, dtype=lib.float32, requires_grad=True)
    t10 = lib.matmul(x1, x3).abs().neg().neg().neg().neg()
    for _ in range(2):
        t10.sum().backward(retain_graph=True, inputs=[x1, x3])
    (g,) = lib.autograd.grad(t10.sum(), [x1], allow_unused=True, create_graph=True)
    gs = lib.autograd.grad((g * g).sum(), [x1, x3], allow_unused=True, create_graph=True)
    sum((g * g).sum() for g in gs).backward()
    return gs, x1.grad, x3.grad


def test_third_order_through_abs_with_inf_matches_torch():
    (ours_gs, *ours), (theirs_gs, *theirs) = (abs_chain_third_order(lib) for lib in libs())
    for a, b in zip(ours_gs, theirs_gs):
        assert_close(a, b)
        assert graph_signature(a.grad_fn) == graph_signature(b.grad_fn)
    for a, b in zip(ours, theirs):
        assert_close(a, b)
    assert ours[0].numpy().tolist() == [[0.25, 0.25, 0.25]]


def sgn_grad(lib):
    x = lib.tensor([1.0, -2.0, INF], requires_grad=True)
    return lib.autograd.grad(x.sgn().sum(), x)[0]


# What keeps a ZeroTensor a ZeroTensor (torch's ZeroTensor kernels) and what materializes it.
# Not compared: ``w / z`` (torch 2.13 gives inf everywhere, even for w = 0 or NaN, where
# minigrad gives IEEE's w / 0) ``z[1:]`` and ``z.unsqueeze(0).t()`` (reading them crashes torch 2.13).
OPS = {
    "mul_nan": lambda z, lib: z * lib.tensor([float("nan"), INF, 1.0]),
    "rmul_inf": lambda z, lib: lib.tensor([INF, 1.0, 2.0]) * z,
    "mul_scalar": lambda z, lib: z * 2.0,
    "div_zero": lambda z, lib: z / lib.tensor([0.0, 1.0, INF]),
    "div_scalar": lambda z, lib: z / 0.0,
    "add_zero": lambda z, lib: z + z,
    "add_other": lambda z, lib: z + lib.tensor([1.0, 2.0, 3.0]),
    "sub_other": lambda z, lib: z - lib.tensor([1.0, 2.0, 3.0]),
    "neg": lambda z, lib: -z,
    "exp": lambda z, lib: z.exp(),
    "sum": lambda z, lib: z.sum(),
    "reshape": lambda z, lib: z.reshape(3, 1),
    "view": lambda z, lib: z.view(1, 3),
    "unsqueeze_t": lambda z, lib: z.unsqueeze(0).t(),
    "expand": lambda z, lib: z.expand(2, 3),
    "select": lambda z, lib: z[1],
    "slice": lambda z, lib: z[1:],
    "detach": lambda z, lib: z.detach(),
    "clone": lambda z, lib: z.clone(),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_zerotensor_propagation_matches_torch(name):
    torch = require_torch()
    ours = OPS[name](sgn_grad(minigrad), minigrad)
    theirs = OPS[name](sgn_grad(torch), torch)
    assert minigrad._is_zerotensor(ours) == torch._is_zerotensor(theirs)
    # Read the values through ``+ zeros``: torch 2.13 crashes reading some ZeroTensor views.
    assert_close(ours + minigrad.zeros(ours.shape), theirs + torch.zeros(theirs.shape))


def test_sgn_gradient_is_a_zerotensor():
    for lib in libs():
        assert lib._is_zerotensor(sgn_grad(lib))
        assert not lib._is_zerotensor(lib.zeros(3))


INPLACE = {
    "add_": lambda z: z.add_(1.0),
    "mul_": lambda z: z.mul_(2.0),
    "zero_": lambda z: z.zero_(),
    "copy_": lambda z: z.copy_(z.clone() + 1),
    "setitem": lambda z: z.__setitem__(0, 1.0),
    "iadd": lambda z: z.__iadd__(1.0),
}


READS = {
    "numpy": lambda z: z.numpy(),
    "asarray": lambda z: __import__("numpy").asarray(z),
    "tolist": lambda z: z.tolist(),
}


@pytest.mark.parametrize("name", sorted(READS))
def test_reading_a_zerotensor_raises_like_torch(name):
    errors = []
    for lib in libs():
        z = sgn_grad(lib)
        with pytest.raises(RuntimeError) as info:
            READS[name](z)
        errors.append(str(info.value))
        assert z.numpy(force=True).tolist() == [0.0, 0.0, 0.0]
        assert repr(z) == "tensor([0., 0., 0.])" and z[1].item() == 0.0
    assert errors[0] == errors[1]


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_on_zerotensor_raises_like_torch(name):
    errors = []
    for lib in libs():
        z = sgn_grad(lib)
        with pytest.raises(RuntimeError) as info:
            INPLACE[name](z)
        errors.append(str(info.value))
        assert z.numpy(force=True).tolist() == [0.0, 0.0, 0.0]  # nothing was written
    assert errors[0] == errors[1]


def test_second_backward_into_stolen_zerotensor_grad_raises_like_torch():
    """torch stores sgn's ZeroTensor as ``.grad``; accumulating into it then fails."""
    errors = []
    for lib in libs():
        x = lib.tensor([1.0, -2.0], requires_grad=True)
        x.sgn().sum().backward()
        assert lib._is_zerotensor(x.grad)
        with pytest.raises(RuntimeError) as info:
            x.sgn().sum().backward()
        errors.append(str(info.value))
        # Clearing the grad, as a learner would, makes the next backward work again.
        x.grad = None
        (x * 3).sum().backward()
        assert x.grad.numpy().tolist() == [3.0, 3.0]
    assert errors[0] == errors[1]


def sgn_backward_twice(lib):
    x = lib.tensor(0.125, requires_grad=True)
    y = x.sgn()
    y.backward()
    y.backward()


def sgn_result_modified(lib):
    x = lib.ones(2, 2, requires_grad=True)
    y = x.sgn()
    y.mul_(2)
    y.sum().backward()


@pytest.mark.parametrize("program", [sgn_backward_twice, sgn_result_modified])
def test_sgn_backward_checks_its_saved_tensors_like_torch(program):
    """sgn's backward uses neither saved tensor, but torch unpacks them: found by the fuzzer."""
    errors = []
    for lib in libs():
        with pytest.raises(RuntimeError) as info:
            program(lib)
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    assert "second time" in errors[0] or "modified by an inplace operation" in errors[0]


def test_create_graph_stores_a_materialized_grad_like_torch():
    """Found by the fuzzer: with create_graph=True torch clones the ZeroTensor into .grad,
    so a later backward accumulates into it without error."""
    for lib in libs():
        x = lib.tensor(0.125, requires_grad=True)
        y = -x.sgn()
        y.backward(create_graph=True, retain_graph=True)
        assert not lib._is_zerotensor(x.grad)
        y.backward(inputs=[x])
        assert x.grad.item() == 0.0


def test_broadcast_zerotensor_grad_is_materialized_like_torch():
    """Found by the fuzzer: sgn of a sum sends an expanded (stride-0) ZeroTensor to the
    leaf; torch clones it (layout contract), so the next backward accumulates fine."""
    for lib in libs():
        x = lib.tensor([0.125], requires_grad=True)
        s = x.reshape(1).sum()
        s.retain_grad()
        y = s.sgn()
        y.backward(retain_graph=True, inputs=[x])
        assert not lib._is_zerotensor(x.grad)
        y.backward(inputs=[x])
        assert x.grad.numpy().tolist() == [0.0]


# Which chains leave sgn's ZeroTensor as .grad, and which materialize it on the way.
CHAINS = {
    "sgn": lambda lib, x: x.sgn(),
    "mul_float": lambda lib, x: (x * 0.5).sgn(),  # 0-dim float32: the kernel says float64
    "mul_int": lambda lib, x: (x * 2).sgn(),
    "mul_tensor": lambda lib, x: (x * lib.tensor(0.5)).sgn(),
    "div": lambda lib, x: (x / 2).sgn(),
    "div_float": lambda lib, x: (x / 0.5).sgn(),
    "mul_self": lambda lib, x: (x * x).sgn(),
    "pow": lambda lib, x: (x**3.0).sgn(),
    "neg": lambda lib, x: (-x).sgn(),
    "sub": lambda lib, x: (x - 1.5).sgn(),
    "exp": lambda lib, x: x.exp().sgn(),
    "sum": lambda lib, x: x.sum().sgn(),
    "mean": lambda lib, x: x.mean().sgn(),  # div.Scalar: materialized
    "tanh": lambda lib, x: x.tanh().sgn(),
    "abs": lambda lib, x: x.abs().sgn(),
}


@pytest.mark.parametrize("shape", [(), (2,), (2, 3)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_which_grads_stay_zerotensors_matches_torch(chain, dtype, shape):
    seen = []
    for lib in libs():
        x = lib.full(shape, 0.125, dtype=getattr(lib, dtype), requires_grad=True)
        CHAINS[chain](lib, x).sum().backward()
        seen.append(lib._is_zerotensor(x.grad))
    assert seen[0] == seen[1]


def _sums_with_a_zerotensor(lib):
    """``add_zerotensor`` copies the other operand: its -0.0 and its strides survive."""
    x = lib.ones(2, 3, requires_grad=True)
    z = lib.autograd.grad(x.sgn().sum(), x)[0]
    w = lib.tensor([[-0.0, 1.0], [2.0, -0.0], [3.0, 4.0]]).t()  # strides (1, 2)
    return [z + w, w + z, lib.add(z, w, alpha=2), z + 2.0, z + w[0], w[:, :1] + z, z.double() + w]


def test_adding_a_zerotensor_copies_the_other_operand_like_torch():
    """Found by the fuzzer: an engine buffer ``ZeroTensor + gradient`` laid out row-major
    made matmul's second-order backward copy (CloneBackward0) where torch views."""
    torch = require_torch()
    for ours, theirs in zip(_sums_with_a_zerotensor(minigrad), _sums_with_a_zerotensor(torch)):
        assert ours.stride() == theirs.stride()
        assert str(ours) == str(theirs)  # prints -0. where numpy's 0 + -0.0 gives 0.
    assert str(_sums_with_a_zerotensor(minigrad)[0][0, 0].item()) == "-0.0"
