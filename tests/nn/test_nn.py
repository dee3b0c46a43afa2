"""``minigrad.nn`` against ``torch.nn`` 2.13: reprs, graphs, values, gradients and errors.

Random initial weights differ (minigrad has its own generator), so programs that compare
values copy the same weights into both libraries first.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.nets import freezing_net, mlp
from tests.oracle import (
    capture_error,
    capture_warnings,
    compare_programs,
    graph_signature,
    strip_addresses,
)

# Dyadic values: every product and sum below is exact in float32, so both libraries agree
# to the last bit whatever order they sum in.
W = [[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]]
B = [0.125, -0.25]


def linear(lib, weight=W, bias=B):
    layer = lib.nn.Linear(len(weight[0]), len(weight), bias=bias is not None)
    with lib.no_grad():
        layer.weight.copy_(lib.tensor(weight))
        if bias is not None:
            layer.bias.copy_(lib.tensor(bias))
    return layer


# ----------------------------------------------------------------------------- reprs


def test_module_tree_reprs():
    def prog(lib):
        nn = lib.nn
        nested = nn.Sequential(
            nn.Linear(3, 4, bias=False),
            nn.Sequential(nn.ReLU(), nn.Sigmoid()),
            nn.ReLU(inplace=True),
            nn.MSELoss(),
            nn.MSELoss(reduction="sum"),
            nn.Identity(),
        )
        return {
            "mlp": repr(mlp(lib)),
            "net": repr(freezing_net(lib)),
            "nested": repr(nested),
            "module list": repr(nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.Tanh()])),
            "empty": repr(nn.Sequential()),
            "str": str(nn.Linear(1, 1)),
        }

    out = compare_programs(prog)
    assert out["mlp"].startswith(
        "Sequential(\n  (0): Linear(in_features=2, out_features=16, bias=True)\n  (1): Tanh()\n"
    )


def test_parameter_reprs_and_types():
    def prog(lib):
        p = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        frozen = lib.nn.Parameter(lib.tensor([1.0, 2.0]), requires_grad=False)
        net = freezing_net(lib)
        with lib.no_grad():
            net.hidden.weight.copy_(lib.tensor([[0.5]] * 10))
        net.hidden.weight.requires_grad = False
        return {
            "p": repr(p),
            "str": str(p),
            "frozen": repr(frozen),
            "scalar": repr(lib.nn.Parameter(lib.tensor(3.0))),
            "int frozen": repr(lib.nn.Parameter(lib.tensor([1, 2]), requires_grad=False)),
            "int error": capture_error(lambda: lib.nn.Parameter(lib.tensor([1, 2]))),
            "from non-leaf": repr(lib.nn.Parameter(lib.tensor([1.0, 2.0], requires_grad=True) * 2)),
            "is leaf": p.is_leaf,
            "op result type": type(p * 2).__name__,
            "isinstance Tensor": isinstance(p, lib.Tensor),
            "frozen hidden": repr(net.hidden.weight),
            "default": repr(lib.nn.Parameter()),
        }

    out = compare_programs(prog)
    assert out["p"] == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert out["frozen"] == "Parameter containing:\ntensor([1., 2.])"


def test_deepcopy_of_a_module_copies_its_parameters():
    import copy

    import minigrad as mg

    layer = mg.nn.Linear(2, 2)
    twin = copy.deepcopy(layer)
    assert twin.weight is not layer.weight and twin._parameters["weight"] is twin.weight
    assert twin.weight.tolist() == layer.weight.tolist()
    with mg.no_grad():
        twin.weight.mul_(0)
    assert layer.weight.abs().sum().item() > 0


def test_parameter_shares_storage_with_its_data():
    import minigrad as mg

    t = mg.tensor([1.0, 2.0])
    p = mg.nn.Parameter(t)
    with mg.no_grad():
        p.mul_(2)
    assert t.tolist() == [2.0, 4.0]


# ------------------------------------------------------------------- module structure


def test_named_parameters_children_modules_and_modes():
    def prog(lib):
        net = freezing_net(lib)
        seq = mlp(lib)
        shared = lib.nn.Linear(2, 2)
        tied = lib.nn.Sequential(shared, lib.nn.Tanh(), shared)
        obs = {
            "named": [(n, tuple(p.shape)) for n, p in net.named_parameters()],
            "seq named": [(n, tuple(p.shape)) for n, p in seq.named_parameters()],
            "prefix": [n for n, _ in seq.named_parameters(prefix="model")],
            "non recursive": [n for n, _ in net.named_parameters(recurse=False)],
            "children": [type(m).__name__ for m in seq.children()],
            "named children": [n for n, _ in net.named_children()],
            "modules": [type(m).__name__ for m in seq.modules()],
            "named modules": [n for n, _ in seq.named_modules()],
            "tied params": len(list(tied.parameters())),
            "tied modules": [n for n, _ in tied.named_modules()],
            "count": sum(p.numel() for p in seq.parameters()),
            "len": len(seq),
            "getitem": type(seq[-1]).__name__,
            "slice": repr(seq[1:3]),
            "iter": [type(m).__name__ for m in seq],
            "state keys": list(net.state_dict().keys()),
            "training": [m.training for m in net.modules()],
        }
        net.eval()
        obs["eval"] = [m.training for m in net.modules()]
        obs["train returns self"] = net.train() is net
        obs["after train"] = [m.training for m in net.modules()]
        obs["bad mode"] = capture_error(lambda: net.train("yes"))
        return obs

    compare_programs(prog)


def NoInit(lib, value):  # noqa: N802 - a class factory used like a class
    class NoInit(lib.nn.Module):
        def __init__(self):
            self.thing = value  # forgot super().__init__()

    return NoInit()


def test_attribute_registration_and_errors():
    def prog(lib):
        layer = lib.nn.Linear(3, 2)
        obs = {
            "assign tensor": capture_error(lambda: setattr(layer, "weight", lib.ones(2, 3))),
            "missing": capture_error(lambda: layer.nope),
            "index": capture_error(lambda: lib.nn.Sequential(lib.nn.ReLU())[5]),
            "no forward": capture_error(lambda: lib.nn.Module()(1)),
            "init args": capture_error(lambda: lib.nn.Module(3)),
            "param before init": capture_error(lambda: NoInit(lib, lib.nn.Parameter(lib.ones(1)))),
            "module before init": capture_error(lambda: NoInit(lib, lib.nn.Tanh())),
            "plain before init": capture_error(lambda: NoInit(lib, 3)),
            "init kwargs": capture_error(lambda: lib.nn.Module(size=3)),
        }
        layer.extra = lib.nn.Parameter(lib.ones(1))
        obs["after new param"] = [n for n, _ in layer.named_parameters()]
        layer.bias = None
        obs["bias None"] = [n for n, _ in layer.named_parameters()]
        obs["bias None repr"] = repr(layer)
        del layer.extra
        obs["after del"] = [n for n, _ in layer.named_parameters()]
        layer.child = lib.nn.Tanh()
        obs["child"] = repr(layer)
        obs["assign non-module to child"] = capture_error(lambda: setattr(layer, "child", 3))
        layer.child = None
        obs["child None"] = repr(layer)
        return obs

    compare_programs(prog)


def test_zero_grad_and_requires_grad_on_modules():
    def prog(lib):
        layer = linear(lib)
        layer(lib.ones(1, 3)).sum().backward()
        obs = {"grads": [p.grad for p in layer.parameters()]}
        layer.zero_grad(set_to_none=False)
        obs["zeroed"] = [p.grad for p in layer.parameters()]
        layer.zero_grad()
        obs["none"] = [p.grad for p in layer.parameters()]
        layer.requires_grad_(False)
        obs["frozen"] = [p.requires_grad for p in layer.parameters()]
        obs["out frozen"] = repr(layer(lib.ones(1, 3)))
        return obs

    compare_programs(prog)


# ---------------------------------------------------------------------------- Linear


SHAPES = [(3,), (4, 3), (1, 3), (2, 4, 3), (5, 1, 4, 3), (0, 3)]


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("requires_grad", [False, True], ids=["plain_input", "input_rg"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_linear_graph_values_and_grads(shape, requires_grad, bias):
    rng = np.random.default_rng(sum(shape) + 7)
    data = (rng.integers(-8, 9, shape) / 4).astype(np.float32)

    def prog(lib):
        layer = linear(lib, bias=B if bias else None)
        x = lib.tensor(data, requires_grad=requires_grad)
        y = layer(x)
        (y * y).sum().backward()
        return {
            "y": y,
            "repr": repr(y) if y.numel() < 20 else None,
            "sig": graph_signature(y.grad_fn),
            "grads": [p.grad for p in layer.parameters()],
            "x grad": x.grad,
        }

    compare_programs(prog)


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
def test_linear_on_non_contiguous_input(bias):
    def prog(lib):
        layer = linear(lib, bias=B if bias else None)
        base = lib.tensor(np.arange(24, dtype=np.float32).reshape(4, 2, 3) / 10)
        x = base.transpose(0, 1)
        x2 = lib.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 1.0, 2.0, 3.0]]).t()
        y, y2 = layer(x), layer(x2)
        return {
            "y": y,
            "sig": graph_signature(y.grad_fn),
            "y2": y2,
            "sig2": graph_signature(y2.grad_fn),
        }

    compare_programs(prog)


def test_linear_documented_graph():
    def prog(lib):
        layer = lib.nn.Linear(3, 2)
        y = layer(lib.ones(4, 3))
        return {
            "node": strip_addresses(repr(y.grad_fn)),
            "next": [
                (None if n is None else type(n).__name__, nr) for n, nr in y.grad_fn.next_functions
            ],
            "repr tail": repr(y).endswith("grad_fn=<AddmmBackward0>)"),
        }

    out = compare_programs(prog)
    assert out["next"] == [("AccumulateGrad", 0), (None, 0), ("TBackward0", 0)]


def test_linear_wrong_shapes_and_dtypes():
    def prog(lib):
        layer = linear(lib)
        nobias = linear(lib, bias=None)
        return {
            "2-D": capture_error(lambda: layer(lib.ones(4, 2))),
            "1-D": capture_error(lambda: layer(lib.ones(2))),
            "3-D": capture_error(lambda: layer(lib.ones(2, 3, 2))),
            "no bias 2-D": capture_error(lambda: nobias(lib.ones(4, 2))),
            "double": capture_error(lambda: layer(lib.ones(4, 3, dtype=lib.float64))),
            "double 3-D": capture_error(lambda: layer(lib.ones(2, 4, 3, dtype=lib.float64))),
        }

    compare_programs(prog)


def test_linear_default_init_rule():
    import minigrad as mg

    mg.manual_seed(0)
    layer = mg.nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)  # kaiming_uniform(a=√5) and the bias rule give the same bound
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.99 * bound and np.abs(b).max() > 0.95 * bound
    assert abs(w.mean()) < 0.01 * bound and abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    mg.manual_seed(0)
    again = mg.nn.Linear(400, 300)
    np.testing.assert_array_equal(again.weight.detach().numpy(), w)
    assert layer.weight.dtype == mg.float32 and layer.weight.requires_grad
    assert layer.weight.grad_fn is None


def test_init_functions_match_torch_rules():
    def prog(lib):
        init = lib.nn.init
        gains = {
            name: init.calculate_gain(name)
            for name in ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu")
        }
        gains["leaky 0.2"] = init.calculate_gain("leaky_relu", 0.2)
        t = lib.empty(3, 5)
        init.constant_(t, 0.5)
        return {
            "gains": gains,
            "constant": t,
            "zeros": init.zeros_(lib.empty(2)),
            "ones": init.ones_(lib.empty(2)),
            "fan error": capture_error(lambda: init.kaiming_uniform_(lib.empty(3))),
            "bad gain": capture_error(lambda: init.calculate_gain("swish")),
        }

    compare_programs(prog)


# -------------------------------------------------------------- activations, functional


def test_activations_and_functional_equivalents():
    def prog(lib):
        F = __import__(lib.__name__ + ".nn.functional", fromlist=["relu"])
        x = lib.tensor([-1.0, 0.0, 0.5, 2.0], requires_grad=True)
        outs = {}
        for name, module, fn in [
            ("relu", lib.nn.ReLU(), F.relu),
            ("tanh", lib.nn.Tanh(), F.tanh),
            ("sigmoid", lib.nn.Sigmoid(), F.sigmoid),
        ]:
            y = module(x)
            outs[name] = (repr(y), graph_signature(y.grad_fn), repr(fn(x)))
        w = lib.tensor(W)
        outs["F.linear"] = repr(F.linear(lib.ones(2, 3, requires_grad=True), w, lib.tensor(B)))
        outs["F.linear no bias"] = repr(F.linear(lib.ones(3), w))
        return outs

    compare_programs(prog)


# ---------------------------------------------------------------------------- MSELoss


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_values_grads_and_graph(reduction):
    def prog(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, -4.0]], requires_grad=True)
        t = lib.tensor([[0.5, 2.5], [1.0, 0.0]], requires_grad=True)
        loss = lib.nn.MSELoss(reduction=reduction)(x, t)
        gx, gt = lib.autograd.grad(loss.sum(), (x, t), create_graph=True)
        ggx, ggt = lib.autograd.grad((gx * gx).sum() + (gt * x).sum(), (x, t))
        return {
            "loss": repr(loss),
            "sig": graph_signature(loss.grad_fn),
            "grads": (gx, gt),
            "grad node": gx.grad_fn.name(),
            "second": (ggx, ggt),
            "F": repr(lib.nn.functional.mse_loss(x, t, reduction=reduction)),
        }

    compare_programs(prog)


def test_mse_loss_second_derivative_wrt_grad_output():
    def prog(lib):
        x = lib.tensor([1.0, 2.0, -3.0], requires_grad=True)
        t = lib.tensor([0.0, 1.0, 1.0])
        out = {}
        for reduction in ("mean", "sum", "none"):
            loss = lib.nn.functional.mse_loss(x, t, reduction=reduction)
            v = lib.ones_like(loss, requires_grad=True)
            (g,) = lib.autograd.grad(loss, x, v, create_graph=True)
            out[reduction] = lib.autograd.grad((g * g).sum(), v)
        return out

    compare_programs(prog)


def test_mse_loss_broadcasting_warning_and_errors():
    def prog(lib):
        F = lib.nn.functional
        x = lib.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
        t = lib.tensor([1.0, 0.0, 2.0])
        loss, warned = capture_warnings(lambda: F.mse_loss(x, t))
        loss.backward()
        return {
            "loss": repr(loss),
            "warned": warned,
            "sig": graph_signature(loss.grad_fn),
            "grad": x.grad,
            "mismatch": capture_warnings(
                lambda: capture_error(lambda: F.mse_loss(lib.ones(3, 2), lib.ones(2, 3)))
            ),
            "bad reduction": capture_error(lambda: F.mse_loss(x, x, reduction="avg")),
            "bad reduction module": capture_error(
                lambda: lib.nn.MSELoss(reduction="avg")(lib.ones(2), lib.ones(2))
            ),
            "legacy": capture_warnings(
                lambda: repr(F.mse_loss(lib.ones(2), lib.zeros(2), size_average=False))
            ),
            "int target": repr(F.mse_loss(lib.ones(2, requires_grad=True), lib.tensor([0, 3]))),
            "double target": repr(
                F.mse_loss(lib.ones(2, requires_grad=True), lib.zeros(2, dtype=lib.float64))
            ),
            "no grad": repr(F.mse_loss(lib.tensor(2.0), lib.tensor(1.0))),
        }

    compare_programs(prog)


def test_state_dict_load_state_dict_and_dtype_casts():
    def prog(lib):
        a = linear(lib, [[1.0, 2.0]], [3.0])
        b = lib.nn.Linear(2, 1)
        sd = a.state_dict()
        ret = b.load_state_dict(sd)
        obs = {
            "keys": list(sd),
            "values": [repr(v) for v in sd.values()],
            "loaded": [repr(p) for p in b.parameters()],
            "returned": repr(ret),
            "missing": capture_error(lambda: b.load_state_dict({"weight": lib.ones(1, 2)})),
            "unexpected": capture_error(
                lambda: b.load_state_dict(
                    {"weight": lib.ones(1, 2), "bias": lib.ones(1), "x": lib.ones(1)}
                )
            ),
            "shape": capture_error(
                lambda: b.load_state_dict({"weight": lib.ones(2, 2), "bias": lib.ones(1)})
            ),
            "nested keys": list(freezing_net(lib).state_dict()),
        }
        w = a.weight
        obs["double returns self"] = a.double() is a
        obs["same parameter"] = a.weight is w
        obs["double"] = (
            repr(a.weight),
            type(a.weight).__name__,
            repr(a(lib.ones(1, 2, dtype=lib.float64))),
        )
        a.float()
        obs["float"] = repr(a.weight)
        obs["to"] = repr(a.to(lib.float64).bias)
        obs["to int"] = capture_error(lambda: a.to(lib.int64))
        return obs

    compare_programs(prog)


def test_gradcheck_through_a_double_precision_module():
    def prog(lib):
        layer = linear(lib).double()
        x = lib.tensor([[0.5, -1.0, 2.0], [1.0, 0.25, -0.5]], dtype=lib.float64, requires_grad=True)
        return {
            "linear": lib.autograd.gradcheck(lambda t: lib.tanh(layer(t)), (x,)),
            "mse": lib.autograd.gradgradcheck(
                lambda t: lib.nn.functional.mse_loss(layer(t), lib.zeros(2, 2, dtype=lib.float64)),
                (x,),
            ),
        }

    assert compare_programs(prog) == {"linear": True, "mse": True}
