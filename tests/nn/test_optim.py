"""``minigrad.optim`` against ``torch.optim`` 2.13: updates, training parity and errors.

Parity: the same networks, started from the same weights (copied from torch into minigrad),
trained for 100 steps, give the same losses to 1e-5.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.nets import freezing_net, mlp
from tests.oracle import capture_error, capture_warnings, compare_programs, require_torch

STEPS = 100


def copy_weights(torch_net, mg_net):
    """Give ``mg_net`` the parameters of ``torch_net`` (same names, same values)."""
    import minigrad as mg

    theirs = dict(torch_net.named_parameters())
    ours = dict(mg_net.named_parameters())
    assert list(theirs) == list(ours)
    with mg.no_grad():
        for name, p in ours.items():
            p.copy_(mg.tensor(theirs[name].detach().numpy().copy()))


def mlp_data():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (32, 2)).astype(np.float32)
    y = (np.sin(2 * x[:, :1]) * x[:, 1:]).astype(np.float32)
    return x, y


def regression_data():
    x = np.linspace(-1, 1, 100, dtype=np.float32)[:, None]
    rng = np.random.default_rng(1)
    y = (x**2 + 0.2 * rng.random(x.shape)).astype(np.float32)
    return x, y


def train(lib, net, make_opt, x, y, freeze_hidden=False, params=None):
    if freeze_hidden:
        net.hidden.weight.requires_grad = False
        net.hidden.bias.requires_grad = False
    opt = make_opt(lib, net.parameters() if params is None else params(net))
    loss_fn = lib.nn.MSELoss()
    xs, ys = lib.tensor(x), lib.tensor(y)
    losses = []
    for _ in range(STEPS):
        loss = loss_fn(net(xs), ys)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


OPTIMIZERS = {
    "SGD": lambda lib, p: lib.optim.SGD(p, lr=0.1),
    "SGD momentum": lambda lib, p: lib.optim.SGD(p, lr=0.05, momentum=0.9),
    "SGD nesterov wd": lambda lib, p: lib.optim.SGD(
        p, lr=0.05, momentum=0.8, nesterov=True, weight_decay=1e-3
    ),
    "Adam": lambda lib, p: lib.optim.Adam(p, lr=0.01),
    "Adam amsgrad wd": lambda lib, p: lib.optim.Adam(
        p, lr=0.01, betas=(0.8, 0.99), weight_decay=1e-2, amsgrad=True
    ),
}


@pytest.mark.parametrize("opt_name", sorted(OPTIMIZERS))
def test_mlp_2_16_16_1_tanh_trains_like_torch(opt_name):
    import minigrad as mg

    torch = require_torch()
    torch.manual_seed(0)
    theirs = mlp(torch)
    ours = mlp(mg)
    copy_weights(theirs, ours)
    x, y = mlp_data()
    make = OPTIMIZERS[opt_name]
    l_ours = train(mg, ours, make, x, y)
    l_theirs = train(torch, theirs, make, x, y)
    np.testing.assert_allclose(l_ours, l_theirs, rtol=0, atol=1e-5)
    assert l_theirs[-1] < l_theirs[0]  # it really trained
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), atol=1e-4, err_msg=n)


@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
@pytest.mark.parametrize("all_params", [False, True], ids=["trainable_only", "all_params"])
def test_freezing_regression_like_torch(opt_name, all_params):
    """Syllabus 7.4: Linear(1,10) -> relu -> Linear(10,1), hidden layer frozen."""
    import minigrad as mg

    torch = require_torch()
    torch.manual_seed(1)
    theirs = freezing_net(torch)
    ours = freezing_net(mg)
    copy_weights(theirs, ours)
    hidden_before = [p.detach().numpy().copy() for p in ours.hidden.parameters()]
    predict_before = [p.detach().numpy().copy() for p in ours.predict.parameters()]
    x, y = regression_data()
    make = {"SGD": lambda lib, p: lib.optim.SGD(p, lr=0.2), "Adam": OPTIMIZERS["Adam"]}[opt_name]

    def trainable(net):
        return net.parameters() if all_params else (p for p in net.parameters() if p.requires_grad)

    l_ours = train(mg, ours, make, x, y, freeze_hidden=True, params=trainable)
    l_theirs = train(torch, theirs, make, x, y, freeze_hidden=True, params=trainable)
    np.testing.assert_allclose(l_ours, l_theirs, rtol=0, atol=1e-5)
    for before, p in zip(hidden_before, ours.hidden.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), before)  # frozen: never moved
        assert p.grad is None
    for before, p in zip(predict_before, ours.predict.parameters()):
        assert not np.array_equal(p.detach().numpy(), before)
    assert repr(ours.hidden.weight).endswith("]])")  # printed without requires_grad=True
    assert repr(ours.predict.bias).endswith("requires_grad=True)")


# --------------------------------------------------------------- single updates, exactly


def fixed_steps(lib, make_opt, grads):
    p = lib.tensor([1.0, -2.0, 0.5], requires_grad=True)
    q = lib.tensor([[0.25, 4.0]], requires_grad=True)
    opt = make_opt(lib, [p, q])
    trace = []
    for g in grads:
        p.grad = lib.tensor(g)
        q.grad = None  # skipped: its value and state stay as they are
        opt.step()
        trace.append((p.detach().clone(), q.detach().clone()))
    state_keys = sorted(opt.state[p].keys())
    return trace, state_keys, len(opt.state[q]) if q in opt.state else 0


GRADS = [[0.5, -1.0, 2.0], [0.25, 0.0, -3.0], [1.0, 1.0, 1.0], [-0.5, 2.0, 0.125]]

VARIANTS = {
    "sgd plain": lambda lib, p: lib.optim.SGD(p, lr=0.1),
    "sgd momentum dampening": lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.3),
    "sgd nesterov": lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=0.5, nesterov=True),
    "sgd weight decay": lambda lib, p: lib.optim.SGD(p, lr=0.1, weight_decay=0.1),
    "sgd maximize": lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=0.5, maximize=True),
    "adam": lambda lib, p: lib.optim.Adam(p),
    "adam options": lambda lib, p: lib.optim.Adam(
        p, lr=0.05, betas=(0.5, 0.9), eps=1e-3, weight_decay=0.1
    ),
    "adam amsgrad": lambda lib, p: lib.optim.Adam(p, lr=0.1, amsgrad=True),
    "adam maximize": lambda lib, p: lib.optim.Adam(p, lr=0.1, maximize=True),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_update_rules_step_by_step(variant):
    import minigrad as mg

    torch = require_torch()
    ours = fixed_steps(mg, VARIANTS[variant], GRADS)
    theirs = fixed_steps(torch, VARIANTS[variant], GRADS)
    for (p1, q1), (p2, q2) in zip(ours[0], theirs[0]):
        np.testing.assert_allclose(p1.numpy(), p2.numpy(), rtol=1e-6, atol=1e-7)
        np.testing.assert_array_equal(q1.numpy(), q2.numpy())
    assert ours[1:] == theirs[1:]


def test_optimizer_repr_param_groups_and_state_types():
    def prog(lib):
        p = lib.tensor([1.0], requires_grad=True)
        q = lib.tensor([2.0], requires_grad=True)
        sgd = lib.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.5}], lr=0.1, momentum=0.9)
        adam = lib.optim.Adam([p, q])
        p.grad = lib.tensor([1.0])
        adam.step()
        return {
            "sgd": repr(sgd),
            "adam": repr(adam),
            "groups": [(g["lr"], len(g["params"])) for g in sgd.param_groups],
            "adam state": {k: repr(v) for k, v in adam.state[p].items()},
            "defaults": sorted(adam.defaults),
        }

    compare_programs(prog)


def test_zero_grad_set_to_none_or_zeros():
    def prog(lib):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1)
        (p * 3).sum().backward()
        g = p.grad
        opt.zero_grad(set_to_none=False)
        obs = {"zeroed": p.grad, "same object": p.grad is g}
        opt.zero_grad()
        obs["none"] = p.grad
        opt.step()  # no grad: nothing moves
        obs["p"] = p
        return obs

    compare_programs(prog)


def test_step_runs_without_recording_and_closure():
    def prog(lib):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        loss = opt.step(closure)
        return {"loss": repr(loss), "p": repr(p), "p is leaf": p.is_leaf, "version": p._version}

    compare_programs(prog)


def test_optimizer_errors():
    def prog(lib):
        p = lib.tensor([1.0], requires_grad=True)
        return {
            "empty": capture_error(lambda: lib.optim.SGD([], lr=0.1)),
            "empty generator": capture_error(lambda: lib.optim.Adam(iter([]))),
            "negative lr": capture_error(lambda: lib.optim.SGD([p], lr=-0.1)),
            "adam negative lr": capture_error(lambda: lib.optim.Adam([p], lr=-0.1)),
            "momentum": capture_error(lambda: lib.optim.SGD([p], lr=0.1, momentum=-1)),
            "weight decay": capture_error(lambda: lib.optim.SGD([p], lr=0.1, weight_decay=-1)),
            "nesterov": capture_error(lambda: lib.optim.SGD([p], lr=0.1, nesterov=True)),
            "eps": capture_error(lambda: lib.optim.Adam([p], eps=-1.0)),
            "beta0": capture_error(lambda: lib.optim.Adam([p], betas=(1.0, 0.9))),
            "beta1": capture_error(lambda: lib.optim.Adam([p], betas=(0.9, -0.1))),
            "tensor as params": capture_error(lambda: lib.optim.SGD(p, lr=0.1)),
            "int in params": capture_error(lambda: lib.optim.SGD([p, 3], lr=0.1)),
            "list in params": capture_error(lambda: lib.optim.SGD([[p]], lr=0.1)),
            "non-leaf": capture_error(lambda: lib.optim.SGD([p * 2], lr=0.1)),
            "set": capture_error(lambda: lib.optim.SGD({p}, lr=0.1)),
            "group not dict": capture_error(
                lambda: lib.optim.SGD([{"params": [p]}], lr=0.1).add_param_group([p])
            ),
            "duplicate": capture_warnings(lambda: len(lib.optim.SGD([p, p]).param_groups)),
        }

    out = compare_programs(prog)
    assert out["empty"] == ("ValueError", "optimizer got an empty parameter list")
    assert out["negative lr"] == ("ValueError", "Invalid learning rate: -0.1")
