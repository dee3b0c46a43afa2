"""Check functions for the exercises of lessons 06–12 (part 2 of the course).

Each ``check_*`` runs the learner's code on fixed random inputs, compares it with a reference
(formula, finite differences or minigrad itself) and prints one fixed line on success. On a
wrong answer it raises :class:`CheckFailed` with a message that says what is wrong.

Example:
    >>> import minigrad as mg
    >>> from minigrad.course.checks_part2 import check_double_then_square_grad
    >>> check_double_then_square_grad(lambda x: 8 * x)
    ✓ d/dx Σ(2x)² = 8x: correct
"""

from __future__ import annotations

import contextlib
import copy
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import minigrad as mg
from minigrad.autograd.engine import _count_dependencies

from .checks import CheckFailed

__all__ = [
    "CheckFailed",
    "check_bump_leaf",
    "check_intermediate_grad",
    "check_softmax_out_of_place",
    "check_double_then_square_grad",
    "check_freeze",
    "check_predict",
    "check_per_sample_grads",
    "check_grads_or_zeros",
    "check_centre_detached",
    "check_second_derivative",
    "check_hessian",
    "check_mlp_module",
    "check_train_step",
    "check_sgd_step",
    "check_count_dependencies",
    "check_my_backward",
    "check_numerical_grad",
    "check_softplus",
    "check_softplus_double_backward",
]


def _fail(msg: str) -> None:
    raise CheckFailed(msg)


def _passed(what: str) -> None:
    print(f"✓ {what}: correct")


def _rng(seed: int = 0) -> np.random.Generator:
    # A private generator: checks never disturb the learner's mg.manual_seed stream.
    return np.random.default_rng(seed)


def _np(t: Any) -> np.ndarray:
    if not isinstance(t, mg.Tensor):
        _fail(f"expected a minigrad Tensor, got {type(t).__name__}")
    return np.asarray(t.detach().numpy())


def _close(got: Any, want: np.ndarray, what: str, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    g = _np(got)
    want = np.asarray(want)
    if g.shape != want.shape:
        _fail(f"{what}: shape {tuple(g.shape)}, expected {tuple(want.shape)}")
    if not np.allclose(g, want, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(g - want)))
        _fail(
            f"{what}: got {np.round(g, 4).tolist()}, expected {np.round(want, 4).tolist()} "
            f"(largest difference {worst:.1e})"
        )


def _call(fn: Callable, *args: Any, what: str) -> Any:
    try:
        return fn(*args)
    except CheckFailed:
        raise
    except NotImplementedError:
        _fail(f"{what} is not written yet (it raised NotImplementedError)")
    except Exception as exc:  # the learner's bug: report it as the check's message
        _fail(f"{what} raised {type(exc).__name__}: {exc}")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# ---------------------------------------------------------------------------------------
# 06 · leaves and in-place operations


def check_bump_leaf(bump: Callable[[mg.Tensor], Any]) -> None:
    """``bump(p)`` adds 1 to the leaf parameter ``p`` in place; ``p`` stays a leaf."""
    p = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    before = _np(p).copy()
    _call(bump, p, what="bump(p)")
    if not mg.is_grad_enabled():
        mg.set_grad_enabled(True)
        _fail(
            "gradient recording was still switched off after bump(p) returned: use "
            "`with mg.no_grad():` so it switches back on"
        )
    if np.array_equal(_np(p), before):
        _fail(
            "p is unchanged: did you write `p = p + 1`? That makes a new tensor and leaves "
            "the caller's p alone; add in place (`p += 1` or `p.add_(1)`) under mg.no_grad()"
        )
    if not np.allclose(_np(p), before + 1):
        _fail(f"p should be {(before + 1).tolist()}, got {_np(p).tolist()}")
    if not (p.is_leaf and p.requires_grad and p.grad_fn is None):
        _fail(
            "p is no longer a leaf that requires grad (its grad_fn is "
            f"{p.grad_fn.name() if p.grad_fn else None}): do the update under mg.no_grad()"
        )
    _passed("in-place update of a leaf under no_grad")


def check_intermediate_grad(fn: Callable[..., Any]) -> None:
    """``fn(a, b, d)`` builds c = a·b, e = c·d, runs ``e.backward()`` and returns ``c.grad``."""
    rng = _rng(6)
    for _ in range(3):
        va, vb, vd = rng.uniform(-3, 3, size=3).round(2)
        a, b, d = (mg.tensor(float(v), requires_grad=True) for v in (va, vb, vd))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = _call(fn, a, b, d, what="fn(a, b, d)")
        if got is None:
            _fail(
                "fn returned None: c is not a leaf, so its .grad is only kept if you call "
                "c.retain_grad() before e.backward()"
            )
        if a.grad is None or b.grad is None or d.grad is None:
            _fail("a.grad, b.grad or d.grad is None: call e.backward() inside fn")
        _close(got, np.float32(vd), "c.grad (de/dc = d)", rtol=1e-5)
        _close(a.grad, np.float32(vb * vd), "a.grad (= b·d)", rtol=1e-5)
    _passed("retain_grad on an intermediate tensor")


def check_softmax_out_of_place(softmax: Callable[[mg.Tensor], mg.Tensor]) -> None:
    """``softmax(x)`` = exp(x) / Σ exp(x), written without in-place ops, so backward works."""
    rng = _rng(61)
    x_np = rng.normal(size=5)
    w_np = rng.normal(size=5)
    x = mg.tensor(x_np, requires_grad=True)
    s = _call(softmax, x, what="softmax(x)")
    e = np.exp(x_np)
    want = e / e.sum()
    _close(s, want, "softmax(x)")
    if s.grad_fn is None:
        _fail("softmax(x) has no grad_fn: compute it with minigrad ops on x (no .detach/.numpy)")
    try:
        (s * mg.tensor(w_np)).sum().backward()
    except RuntimeError as exc:
        if "inplace" in str(exc):
            _fail(
                "backward failed because a saved tensor was modified in place "
                "(e.g. `e /= e.sum()`): write `e / e.sum()`, which makes a new tensor"
            )
        raise
    # d(w·s)/dx = s ⊙ (w − w·s)
    _close(x.grad, want * (w_np - w_np @ want), "gradient of (w·softmax(x)).sum()")
    _passed("softmax without in-place operations")


# ---------------------------------------------------------------------------------------
# 07 · stopping gradients


def check_double_then_square_grad(formula: Callable[[mg.Tensor], mg.Tensor]) -> None:
    """``formula(x)`` gives, by hand, d/dx of ((2x)²).sum(): 8x."""
    rng = _rng(7)
    x_np = rng.uniform(-3, 3, size=4).round(2)
    x = mg.tensor(x_np)
    got = _call(formula, x, what="formula(x)")
    g = _np(got)
    if g.shape == x_np.shape:
        if np.allclose(g, 4 * x_np):
            _fail(
                "you returned 4·x, which is the gradient of (x**2)*2; here x is doubled "
                "first and then squared: w = (2x)² = 4x², so dw/dx = 8x"
            )
        if np.allclose(g, 2 * x_np):
            _fail("you returned 2·x, the gradient of x²; the doubling multiplies it by 4")
    _close(got, 8 * x_np, "d/dx Σ(2x)²")
    xr = mg.tensor(x_np, requires_grad=True)
    ((2 * xr) ** 2).sum().backward()
    _close(got, _np(xr.grad), "d/dx Σ(2x)² against autograd")
    _passed("d/dx Σ(2x)² = 8x")


@contextlib.contextmanager
def _private_random_stream(seed: int = 0) -> Iterator[None]:
    """Layers built inside draw their initial weights from a stream of their own, so a check
    neither depends on nor moves the notebook's ``mg.manual_seed`` stream."""
    from .._creation import _Generator

    saved = _Generator.rng
    _Generator.rng = np.random.default_rng(seed)
    try:
        yield
    finally:
        _Generator.rng = saved


def _small_net():
    nn = mg.nn
    with _private_random_stream():
        return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))


def check_freeze(freeze: Callable[[Any], Any]) -> None:
    """``freeze(module)`` stops gradients for every parameter of ``module``, in place."""
    net = _small_net()
    params = dict(net.named_parameters())
    values = {k: _np(p).copy() for k, p in params.items()}
    _call(freeze, net[0], what="freeze(module)")
    after = dict(net.named_parameters())
    for name, p in params.items():
        if after[name] is not p:
            _fail(
                f"{name} was replaced by a new object: change the existing parameter with "
                "p.requires_grad_(False) instead of assigning a detached copy"
            )
        if not np.array_equal(_np(p), values[name]):
            _fail(f"{name} changed value: freezing must not touch the numbers")
    for name in ("0.weight", "0.bias"):
        if after[name].requires_grad:
            _fail(f"{name} still requires grad: call p.requires_grad_(False) on each parameter")
    for name in ("2.weight", "2.bias"):
        if not after[name].requires_grad:
            _fail(f"{name} was frozen too: freeze only the module you were given")
    out = net(mg.ones(4, 2)).sum()
    out.backward()
    if net[0].weight.grad is not None:
        _fail("the frozen layer still received a gradient")
    if net[2].weight.grad is None:
        _fail("the last layer received no gradient: it must stay trainable")
    _passed("freezing a sub-module")


def check_predict(predict: Callable[[Any, mg.Tensor], mg.Tensor]) -> None:
    """``predict(model, X)`` returns ``model(X)`` without recording a graph."""
    net = _small_net()
    X = mg.tensor(_rng(71).normal(size=(5, 2)).astype(np.float32))
    out = _call(predict, net, X, what="predict(model, X)")
    if not mg.is_grad_enabled():
        mg.set_grad_enabled(True)
        _fail(
            "gradient recording was still off after predict returned: use `with mg.no_grad():` "
            "(or the @mg.no_grad() decorator), which switches it back on"
        )
    if not isinstance(out, mg.Tensor):
        _fail(f"predict should return a Tensor, got {type(out).__name__}")
    if out.grad_fn is not None or out.requires_grad:
        _fail(
            f"the output has grad_fn={out.grad_fn.name() if out.grad_fn else None} and "
            f"requires_grad={out.requires_grad}: run the model inside `with mg.no_grad():`"
        )
    _close(out, _np(net(X)), "predict(model, X)", rtol=1e-5)
    _passed("inference without a graph")


# ---------------------------------------------------------------------------------------
# 08 · autograd.grad


def check_per_sample_grads(fn: Callable[[mg.Tensor], mg.Tensor]) -> None:
    """``fn(X)`` returns d/dxᵢ [sin(xᵢ)·xᵢ] for every entry with one ``autograd.grad`` call."""
    x_np = _rng(8).uniform(-2, 2, size=6)
    X = mg.tensor(x_np, requires_grad=True)
    got = _call(fn, X, what="fn(X)")
    if isinstance(got, tuple):
        _fail("fn returned a tuple: mg.autograd.grad returns one; take its element [0]")
    if X.grad is not None:
        _fail(
            "X.grad was set: fn must use mg.autograd.grad, which returns the gradient "
            "instead of accumulating it into .grad"
        )
    _close(got, np.cos(x_np) * x_np + np.sin(x_np), "per-sample gradients")
    _passed("per-sample gradients from one grad call")


def check_grads_or_zeros(fn: Callable[..., Any]) -> None:
    """``fn(loss, params)``: d loss/d p for every p, zeros for parameters the loss never used."""
    rng = _rng(81)
    w = mg.tensor(rng.normal(size=3), requires_grad=True)
    b = mg.tensor(rng.normal(size=()), requires_grad=True)
    unused = mg.tensor(rng.normal(size=(2, 2)), requires_grad=True)
    x = mg.tensor(rng.normal(size=3))
    loss = ((w * x).sum() + b) ** 2
    got = _call(fn, loss, [w, unused, b], what="fn(loss, params)")
    if got is None or len(got) != 3:
        _fail("fn should return one gradient per parameter (3 here)")
    if any(p.grad is not None for p in (w, b, unused)):
        _fail("a parameter's .grad was set: use mg.autograd.grad, which leaves .grad alone")
    if got[1] is None:
        _fail(
            "the unused parameter got None (what allow_unused=True returns): replace it by "
            "mg.zeros_like(p)"
        )
    s = float((_np(w) * _np(x)).sum() + _np(b))
    _close(got[0], 2 * s * _np(x), "gradient of the first parameter")
    _close(got[1], np.zeros((2, 2)), "gradient of the unused parameter")
    _close(got[2], np.array(2 * s), "gradient of the last parameter")
    _passed("gradients with zeros for unused parameters")


def check_centre_detached(centre: Callable[[mg.Tensor], mg.Tensor]) -> None:
    """``centre(X)`` = X − mean(X) with the mean treated as a constant (no mixing of samples)."""
    x_np = _rng(82).normal(size=5)
    X = mg.tensor(x_np, requires_grad=True)
    out = _call(centre, X, what="centre(X)")
    _close(out, x_np - x_np.mean(), "centre(X)")
    if out.grad_fn is None:
        _fail("centre(X) has no grad_fn: only the mean should be detached, not X itself")
    (g,) = mg.autograd.grad(out[0], X)
    gv = _np(g)
    if np.allclose(gv, np.eye(5)[0] - 0.2):
        _fail(
            "d out[0]/dX is [0.8, -0.2, -0.2, -0.2, -0.2]: the mean still passes gradients to "
            "every sample; detach it (X.mean().detach())"
        )
    _close(g, np.eye(5)[0], "d out[0]/dX")
    _passed("centring with a detached mean")


# ---------------------------------------------------------------------------------------
# 09 · higher-order derivatives


def check_second_derivative(second: Callable[[Callable, mg.Tensor], mg.Tensor]) -> None:
    """``second(f, x)``: elementwise d²f/dx² of an elementwise ``f``, by grad of grad."""
    x_np = _rng(9).uniform(-2, 2, size=5)
    cases = (
        ("sin", lambda x: x.sin(), -np.sin(x_np)),
        ("x³", lambda x: x**3, 6 * x_np),
        ("x·exp(x)", lambda x: x * x.exp(), (2 + x_np) * np.exp(x_np)),
    )
    for name, f, want in cases:
        x = mg.tensor(x_np, requires_grad=True)
        try:
            got = second(f, x)
        except RuntimeError as exc:
            if "does not require grad" in str(exc):
                _fail(
                    f"for f = {name}, the second grad call raised '{exc}': the first grad "
                    "call needs create_graph=True, otherwise its result has no grad_fn"
                )
            got = _call(second, f, x, what=f"second(f, x) for f = {name}")
        if got is None:
            _fail(f"second(f, x) returned None for f = {name}")
        g = _np(got)
        if g.shape == want.shape and np.allclose(g, 0) and not np.allclose(want, 0):
            _fail(
                f"for f = {name} you got all zeros: the first grad call needs "
                "create_graph=True, otherwise its result is a constant"
            )
        _close(got, want, f"d²/dx² of {name}")
    _passed("second derivatives by differentiating twice")


def check_hessian(hessian: Callable[[Callable, mg.Tensor], mg.Tensor]) -> None:
    """``hessian(f, x)``: H[i, j] = ∂²f/∂xᵢ∂xⱼ of a scalar ``f`` at a 1-D ``x``."""

    def q(v):
        return (v[0] * v[0] * v[1]) ** 2

    x = mg.tensor([2.0, 3.0], requires_grad=True)
    H = _call(hessian, q, x, what="hessian(f, x)")
    _close(H, np.array([[432.0, 192.0], [192.0, 32.0]]), "Hessian of (x·x·y)² at (2, 3)")
    M = _rng(91).normal(size=(3, 3))
    Mt = mg.tensor(M)

    def quad(v):
        return v @ (Mt @ v)

    v = mg.tensor(_rng(92).normal(size=3), requires_grad=True)
    H2 = _call(hessian, quad, v, what="hessian(f, x)")
    _close(H2, M + M.T, "Hessian of xᵀMx (= M + Mᵀ)")
    _passed("Hessian by differentiating each gradient entry")


# ---------------------------------------------------------------------------------------
# 10 · modules and training


def check_mlp_module(cls: type) -> None:
    """``cls(n_in, n_hidden, n_out)``: ``hidden`` Linear → tanh → ``out`` Linear."""
    nn = mg.nn
    with _private_random_stream():
        model = _call(cls, 2, 5, 3, what="MLP(2, 5, 3)")
    if not isinstance(model, nn.Module):
        _fail("MLP must subclass mg.nn.Module (and call super().__init__())")
    names = [n for n, _ in model.named_parameters()]
    want = ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    if names != want:
        _fail(
            f"parameters are {names}, expected {want}: assign self.hidden and self.out as "
            "nn.Linear layers in __init__"
        )
    shapes = [tuple(p.shape) for _, p in model.named_parameters()]
    if shapes != [(5, 2), (5,), (3, 5), (3,)]:
        _fail(f"parameter shapes are {shapes}, expected [(5, 2), (5,), (3, 5), (3,)]")
    X_np = _rng(10).normal(size=(4, 2)).astype(np.float32)
    out = _call(model, mg.tensor(X_np), what="model(X)")
    p = {n: _np(t) for n, t in model.named_parameters()}
    h = np.tanh(X_np @ p["hidden.weight"].T + p["hidden.bias"])
    _close(out, h @ p["out.weight"].T + p["out.bias"], "model(X)", rtol=1e-5, atol=1e-6)
    _passed("a two-layer Module")


def _reference_step(model, opt, X, y) -> float:
    opt.zero_grad()
    loss = mg.nn.MSELoss()(model(X), y)
    loss.backward()
    opt.step()
    return loss.item()


def check_train_step(train_step: Callable[..., float]) -> None:
    """``train_step(model, opt, X, y)``: zero_grad, MSE loss, backward, step; returns the loss."""
    X = mg.tensor(_rng(101).normal(size=(8, 2)).astype(np.float32))
    y = mg.tensor(_rng(102).normal(size=(8, 1)).astype(np.float32))
    ours = _small_net()
    ref = copy.deepcopy(ours)
    opt = mg.optim.SGD(ours.parameters(), lr=0.1)
    ref_opt = mg.optim.SGD(ref.parameters(), lr=0.1)
    for step in range(3):
        got = _call(train_step, ours, opt, X, y, what="train_step(model, opt, X, y)")
        want = _reference_step(ref, ref_opt, X, y)
        if isinstance(got, mg.Tensor):
            _fail("train_step returned a Tensor: return loss.item(), a Python float")
        if not isinstance(got, float):
            _fail(f"train_step should return a float, got {type(got).__name__}")
        if not np.isclose(got, want, rtol=1e-5):
            _fail(f"step {step}: loss {got:.6f}, expected {want:.6f} (loss before the update)")
        for (name, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
            if not np.allclose(_np(p), _np(q), rtol=1e-5, atol=1e-7):
                hint = (
                    " — gradients piled up across steps: call opt.zero_grad() before backward"
                    if step > 0
                    else " — did you call loss.backward() and opt.step()?"
                )
                _fail(f"after step {step}, {name} differs from the reference update{hint}")
    _passed("one training step")


def check_sgd_step(sgd_step: Callable[..., Any]) -> None:
    """``sgd_step(params, lr)``: p ← p − lr·p.grad in place, then p.grad = None."""
    rng = _rng(103)
    params = [
        mg.tensor(rng.normal(size=(2, 3)), requires_grad=True),
        mg.tensor(rng.normal(size=3), requires_grad=True),
    ]
    grads = [rng.normal(size=tuple(p.shape)) for p in params]
    for p, g in zip(params, grads):
        p.grad = mg.tensor(g)
    before = [_np(p).copy() for p in params]
    _call(sgd_step, params, 0.5, what="sgd_step(params, lr)")
    if not mg.is_grad_enabled():
        mg.set_grad_enabled(True)
        _fail("gradient recording was still off afterwards: use `with mg.no_grad():`")
    for i, (p, b, g) in enumerate(zip(params, before, grads)):
        if np.array_equal(_np(p), b):
            _fail(
                f"params[{i}] did not change: update it in place (p -= lr * p.grad), "
                "rebinding the loop variable does not touch the list"
            )
        _close(p, b - 0.5 * g, f"params[{i}] after the step")
        if not p.is_leaf:
            _fail(f"params[{i}] is no longer a leaf: do the update under mg.no_grad()")
        if p.grad is not None:
            _fail(f"params[{i}].grad is not None: set p.grad = None after the update")
    _passed("SGD by hand")


# ---------------------------------------------------------------------------------------
# 11 · inside the engine


def _graphs() -> list:
    """Small graphs with shared nodes: (description, builder) pairs."""

    def square_of_product():  # w = z·z, z = x·x·y·y (CURRICULUM §2)
        x = mg.tensor(2.0, requires_grad=True)
        y = mg.tensor(3.0, requires_grad=True)
        z = x * x * y * y
        return "w = z·z with z = x·x·y·y", z * z, (x, y)

    def diamond():
        x = mg.tensor(2.0, requires_grad=True)
        a = 3 * x
        b = a + a
        return "c = a·(a + a) with a = 3x", a * b, (x,)

    def chain_with_skip():
        x = mg.tensor(0.5, requires_grad=True)
        y = mg.tensor(-1.5, requires_grad=True)
        h = (x * y).exp()
        k = h * x + h.sin()
        return "k = h·x + sin(h) with h = exp(x·y)", k * k + h, (x, y)

    return [square_of_product, diamond, chain_with_skip]


def check_count_dependencies(count: Callable[[Any], dict]) -> None:
    """``count(root)``: {node: number of edges into it} for every node below ``root``."""
    for build in _graphs():
        what, out, _ = build()
        got = _call(count, out.grad_fn, what="count_dependencies(root)")
        want = _count_dependencies([out.grad_fn])  # what the engine itself counts
        if not isinstance(got, dict):
            _fail(f"count_dependencies should return a dict, got {type(got).__name__}")
        for node, n in want.items():
            if got.get(node, 0) != n:
                _fail(
                    f"on {what}: {node.name()} has {n} incoming edge(s), you counted "
                    f"{got.get(node, 0)} — count every edge, also a second edge from a node "
                    "you have already visited"
                )
        extra = [k for k, v in got.items() if k not in want and v]
        if extra:
            _fail(f"on {what}: counted nodes that no edge reaches: {[k.name() for k in extra]}")
    _passed("dependency counts")


def check_my_backward(my_backward: Callable[[mg.Tensor], Any]) -> None:
    """``my_backward(out)`` fills the leaves' ``.grad`` like ``out.backward()`` does."""
    for build in _graphs():
        what, out, leaves = build()
        _call(my_backward, out, what="my_backward(out)")
        got = [None if t.grad is None else _np(t.grad).copy() for t in leaves]
        what2, ref_out, ref_leaves = build()
        ref_out.backward()
        for i, (g, t) in enumerate(zip(got, ref_leaves)):
            want = _np(t.grad)
            if g is None:
                _fail(f"on {what}: leaf {i} has no .grad; run its AccumulateGrad node")
            if not np.allclose(g, want, rtol=1e-5):
                ratio = float(g / want) if want != 0 else float("nan")
                hint = (
                    " — a node ran before all of its incoming gradients had arrived, so part "
                    "of the chain was counted again (wait until its dependency count is 0)"
                    if ratio > 1
                    else ""
                )
                _fail(f"on {what}: leaf {i} got grad {g}, expected {want}{hint}")
    _passed("backward with dependency counts and a ready queue")


def check_numerical_grad(numerical_grad: Callable[..., mg.Tensor]) -> None:
    """``numerical_grad(f, x, eps)``: central differences (f(x+εeᵢ) − f(x−εeᵢ)) / 2ε."""
    x_np = _rng(11).uniform(-2, 2, size=(2, 3))

    def f(x):
        return (x.sin() * x).sum()

    x = mg.tensor(x_np, dtype=mg.float64)
    want = np.cos(x_np) * x_np + np.sin(x_np)
    # central differences have O(ε²) error; a one-sided difference (O(ε)) cannot pass this
    got = _call(numerical_grad, f, x, 1e-3, what="numerical_grad(f, x, eps)")
    if not np.array_equal(_np(x), x_np):
        _fail("numerical_grad changed x: perturb a copy (x.clone()) and leave x as it was")
    _close(got, want, "numerical_grad with eps=1e-3", rtol=0, atol=1e-1)
    if not np.allclose(_np(got), want, rtol=0, atol=1e-5):
        _fail(
            "with eps=1e-3 the error is above 1e-5: use the central difference "
            "(f(x+ε) − f(x−ε)) / 2ε, not (f(x+ε) − f(x)) / ε"
        )
    got = _call(numerical_grad, f, x, 1e-6, what="numerical_grad(f, x, eps)")
    _close(got, want, "numerical_grad with eps=1e-6", rtol=1e-6, atol=1e-7)
    _passed("finite-difference gradient")


# ---------------------------------------------------------------------------------------
# 12 · capstone


def _function_node_name(y: mg.Tensor, cls: type) -> None:
    want = f"{cls.__name__}Backward"
    if y.grad_fn is None:
        _fail(f"{cls.__name__}.apply(x) has no grad_fn: x requires grad, so it should")
    if y.grad_fn.name() != want:
        _fail(f"the node is {y.grad_fn.name()}, expected {want}: call {cls.__name__}.apply(x)")


def check_softplus(Softplus: type) -> None:
    """``Softplus.apply(x)`` = log(1 + eˣ) with backward g·σ(x)."""
    if not (isinstance(Softplus, type) and issubclass(Softplus, mg.autograd.Function)):
        _fail("Softplus must be a subclass of mg.autograd.Function")
    x_np = _rng(12).uniform(-4, 4, size=6)
    x = mg.tensor(x_np, requires_grad=True)
    y = _call(Softplus.apply, x, what="Softplus.apply(x)")
    _close(y, np.log1p(np.exp(x_np)), "Softplus.apply(x)")
    _function_node_name(y, Softplus)
    w = _rng(13).normal(size=6)
    _call(lambda: (y * mg.tensor(w)).sum().backward(), what="backward")
    g = _np(x.grad)
    if np.allclose(g, w * np.exp(x_np) / (1 + np.exp(x_np)) ** 2):
        _fail("x.grad is g·σ(x)·(1−σ(x)): that is the second derivative; softplus' is σ(x)")
    if np.allclose(g, _sigmoid(x_np)):
        _fail("x.grad ignores the incoming gradient g: return g * sigmoid(x)")
    _close(x.grad, w * _sigmoid(x_np), "x.grad (= g·σ(x))")
    _passed("Softplus forward and backward")


def check_softplus_double_backward(Softplus: type) -> None:
    """The backward of ``Softplus`` is written in minigrad ops, so it can be differentiated."""
    x_np = _rng(14).uniform(-4, 4, size=5)
    x = mg.tensor(x_np, requires_grad=True)
    y = _call(Softplus.apply, x, what="Softplus.apply(x)")
    (g1,) = _call(
        lambda: mg.autograd.grad(y.sum(), x, create_graph=True), what="grad(create_graph=True)"
    )
    if g1.grad_fn is None:
        _fail(
            "the first derivative has no grad_fn: the backward was computed outside minigrad "
            "(numpy, .item() or .detach()), so it cannot be differentiated again — write it "
            "with minigrad ops on the saved tensor"
        )
    _close(g1, _sigmoid(x_np), "first derivative")
    (g2,) = mg.autograd.grad(g1.sum(), x)
    s = _sigmoid(x_np)
    _close(g2, s * (1 - s), "second derivative σ(x)(1−σ(x))")
    _passed("Softplus double backward")
