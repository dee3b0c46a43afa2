"""Check functions for the course's exercises.

Each ``check_*`` takes the learner's answer, tests it against a reference implementation,
central finite differences (float64) and random inputs, and then either prints ONE fixed
line starting with ``✓`` or raises :class:`CheckFailed` saying precisely what is wrong
(which input, what was expected, what was received, and a hint).

Random inputs come from a private ``numpy`` generator with a fixed seed, so a check never
disturbs ``mg.manual_seed`` in the notebook and always tests the same cases.

Example:
    >>> import minigrad as mg
    >>> from minigrad.course.checks import check_chain_rule
    >>> def chain_rule(x, y):
    ...     z = x * x * y * y
    ...     return 2 * z * 2 * x * y * y, 2 * z * 2 * x * x * y
    >>> check_chain_rule(chain_rule)
    ✓ chain_rule is correct: dw/dz · dz/dx and dw/dz · dz/dy match autograd.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import minigrad as mg

__all__ = [
    "CheckFailed",
    "numerical_grad",
    "numerical_jacobian",
    "check_first_graph",
    "check_square",
    "check_cube",
    "check_next_functions",
    "check_chain_rule",
    "check_leaves",
    "check_requires_grad",
    "check_jacobian",
    "check_grad_over_batches",
]


class CheckFailed(AssertionError):
    """The learner's answer is wrong; the message says what and why."""


def _ok(line: str) -> None:
    print("✓ " + line)


def _fail(message: str) -> None:
    raise CheckFailed(message)


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _arr(t: Any) -> np.ndarray:
    if isinstance(t, mg.Tensor):
        return np.asarray(t.detach().numpy())
    return np.asarray(t)


def _fmt(a: Any) -> str:
    """A short, stable rendering of numbers for messages."""
    a = _arr(a)
    if a.ndim == 0:
        return f"{float(a):.6g}"
    return np.array2string(a, precision=5, separator=", ", suppress_small=True)


def _close(a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    a, b = _arr(a), _arr(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def numerical_grad(
    f: Callable[..., mg.Tensor], inputs: Sequence[np.ndarray], v: np.ndarray, eps: float = 1e-6
) -> list[np.ndarray]:
    """Central differences of ``sum(v * f(*inputs))`` w.r.t. each input, in float64.

    Math: ∂/∂xᵢ ≈ (F(x + ε·eᵢ) − F(x − ε·eᵢ)) / 2ε with F(x) = Σ v·f(x).
    ``f`` takes minigrad float64 tensors (no grad) and returns a minigrad tensor.
    """
    xs = [np.array(x, dtype=np.float64) for x in inputs]

    def F(args: list[np.ndarray]) -> float:
        with mg.no_grad():
            out = f(*[mg.tensor(a, dtype=mg.float64) for a in args])
        o = _arr(out)
        return float(np.sum(np.reshape(v, o.shape) * o))

    grads = []
    for i, x in enumerate(xs):
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            plus = [a.copy() for a in xs]
            minus = [a.copy() for a in xs]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            g[idx] = (F(plus) - F(minus)) / (2 * eps)
        grads.append(g)
    return grads


def numerical_jacobian(f: Callable[[mg.Tensor], mg.Tensor], x: Any, eps: float = 1e-6) -> mg.Tensor:
    """The Jacobian J[i, j] = ∂f(x)ᵢ/∂xⱼ by central differences in float64 (no autograd).

    Math: column j ≈ (f(x + ε·eⱼ) − f(x − ε·eⱼ)) / 2ε, for flattened x and f(x).
    """
    x_np = np.array(_arr(x), dtype=np.float64)
    with mg.no_grad():
        m = _arr(f(mg.tensor(x_np, dtype=mg.float64))).size
    rows = [numerical_grad(f, [x_np], np.eye(m)[i].reshape(-1))[0].reshape(-1) for i in range(m)]
    return mg.tensor(np.stack(rows), dtype=mg.float64)


# --------------------------------------------------------------------------- lesson 00


def check_first_graph(x: Any, y: Any, z: Any) -> None:
    """Lesson 00: ``z = x * y`` built from two leaves that require grad, then ``z.backward()``."""
    for name, t in (("x", x), ("y", y), ("z", z)):
        if not isinstance(t, mg.Tensor):
            _fail(f"{name} should be a minigrad tensor (mg.tensor(...)), got {type(t).__name__}.")
    for name, t in (("x", x), ("y", y)):
        if not t.requires_grad:
            _fail(
                f"{name}.requires_grad is False: create it with mg.tensor(..., requires_grad=True)."
            )
        if not t.is_leaf:
            _fail(f"{name} should be a leaf (made by mg.tensor), but it has grad_fn={t.grad_fn}.")
    if z.grad_fn is None or z.grad_fn.name() != "MulBackward0":
        got = None if z.grad_fn is None else z.grad_fn.name()
        _fail(f"z.grad_fn should be MulBackward0 (z = x * y), got {got}.")
    if not _close(z, _arr(x) * _arr(y)):
        _fail(f"z = {_fmt(z)} but x * y = {_fmt(_arr(x) * _arr(y))}: compute z as x * y.")
    if {id(n) for n, _ in z.grad_fn.next_functions} != {
        id(x.grad_fn or x._grad_accumulator()),
        id(y.grad_fn or y._grad_accumulator()),
    }:
        _fail("z was not computed from these x and y: z = x * y must use the tensors you pass.")
    if x.grad is None or y.grad is None:
        _fail("x.grad is None: call z.backward() after building z.")
    if not _close(x.grad, y) or not _close(y.grad, x):
        _fail(
            f"expected x.grad = y = {_fmt(y)} and y.grad = x = {_fmt(x)}, got x.grad = "
            f"{_fmt(x.grad)}, y.grad = {_fmt(y.grad)}. Did you call backward more than once? "
            "Gradients add up (lesson 05): rebuild x and y and call backward once."
        )
    _ok("z = x·y is right: grad_fn MulBackward0, and backward gave x.grad = y, y.grad = x.")


# --------------------------------------------------------------------------- lesson 01


def _check_function(cls: Any, name: str, f: Callable, df: Callable, formula: str) -> None:
    """A one-input Function ``cls`` computing ``f`` with derivative ``df``."""
    if not (isinstance(cls, type) and issubclass(cls, mg.autograd.Function)):
        _fail(f"{name} should be a class deriving from mg.autograd.Function, got {cls!r}.")
    rng = _rng(1)
    for shape in ((), (4,), (2, 3)):
        x_np = rng.uniform(-2.0, 2.0, size=shape)
        x = mg.tensor(x_np, dtype=mg.float64, requires_grad=True)
        try:
            out = cls.apply(x)
        except NotImplementedError:
            _fail(f"{name}.apply raised NotImplementedError: write forward (and backward).")
        except Exception as exc:
            _fail(f"{name}.apply(x) raised {type(exc).__name__}: {exc} (x of shape {shape}).")
        if not isinstance(out, mg.Tensor):
            _fail(f"{name}.forward must return a tensor, it returned {type(out).__name__}.")
        if tuple(out.shape) != shape:
            _fail(f"{name}.apply(x) has shape {tuple(out.shape)} for x of shape {shape}.")
        if not _close(out, f(x_np), rtol=1e-10, atol=1e-12):
            _fail(
                f"forward is wrong: for x = {_fmt(x_np)}, {name}.apply(x) = {_fmt(out)}, "
                f"expected {formula} = {_fmt(f(x_np))}."
            )
        if out.grad_fn is None:
            _fail(f"{name}.apply(x) has no grad_fn although x requires grad.")
        if out.grad_fn.name() != f"{name}Backward":
            _fail(f"the node is {out.grad_fn.name()}, expected {name}Backward: use {name}.apply.")
        if len(out.grad_fn.saved_tensors) == 0:
            _fail(
                f"{name}.forward saved nothing: call ctx.save_for_backward(x) so that "
                "backward can read x from ctx.saved_tensors."
            )
        g_np = rng.uniform(-1.5, 1.5, size=shape)
        try:
            out.backward(mg.tensor(g_np, dtype=mg.float64))
        except NotImplementedError:
            _fail(f"{name}.backward raised NotImplementedError: write backward.")
        except Exception as exc:
            _fail(f"{name}.backward raised {type(exc).__name__}: {exc} (x of shape {shape}).")
        if x.grad is None:
            _fail(f"x.grad is None after backward: {name}.backward must return x's gradient.")
        (num,) = numerical_grad(lambda t: cls.apply(t), [x_np], g_np)
        if not _close(x.grad, num, rtol=1e-5, atol=1e-6):
            hint = ""
            if _close(x.grad, df(x_np), rtol=1e-5, atol=1e-6):
                hint = " It equals the local derivative alone: multiply by the incoming g."
            _fail(
                f"backward is wrong: for x = {_fmt(x_np)} and incoming gradient g = "
                f"{_fmt(g_np)}, x.grad = {_fmt(x.grad)}, but finite differences give "
                f"{_fmt(num)}.{hint}"
            )
    _ok(f"{name} is correct: forward, {name}Backward, and backward match finite differences.")


def check_square(Square: Any) -> None:
    """Lesson 01: ``Square`` is a Function with forward x² and backward 2·x·g."""
    _check_function(Square, "Square", lambda x: x * x, lambda x: 2 * x, "x²")


def check_cube(Cube: Any) -> None:
    """Lesson 01: ``Cube`` is a Function with forward x³ and backward 3·x²·g."""
    _check_function(Cube, "Cube", lambda x: x**3, lambda x: 3 * x**2, "x³")


# --------------------------------------------------------------------------- lesson 02/03


def _entry_name(node: Any) -> str | None:
    # type name, as printed in next_functions: "AccumulateGrad", not its name()
    return None if node is None else type(node).__name__


def _as_pair(entry: Any) -> tuple:
    if isinstance(entry, (tuple, list)) and len(entry) == 2:
        name, nr = entry
        if isinstance(name, type):
            name = name.__name__
        elif name is not None and not isinstance(name, str):
            name = type(name).__name__
        return name, nr
    return entry, None


def check_next_functions(tensor: Any, prediction: Sequence) -> None:
    """Your prediction of ``tensor.grad_fn.next_functions`` as ``(("MulBackward0", 0), ...)``."""
    if not isinstance(tensor, mg.Tensor):
        _fail(f"the first argument should be the tensor, got {type(tensor).__name__}.")
    if tensor.grad_fn is None:
        _fail("this tensor has no grad_fn (it is a leaf or needs no grad): nothing to predict.")
    actual = tuple((_entry_name(n), nr) for n, nr in tensor.grad_fn.next_functions)
    if not isinstance(prediction, (tuple, list)):
        _fail("write the prediction as a tuple of pairs, e.g. (('MulBackward0', 0), (None, 0)).")
    pred = tuple(_as_pair(e) for e in prediction)
    if len(pred) != len(actual):
        _fail(
            f"{tensor.grad_fn.name()} has {len(actual)} entries in next_functions (one per "
            f"input of the operation), your prediction has {len(pred)}."
        )
    for i, ((p_name, p_nr), (a_name, a_nr)) in enumerate(zip(pred, actual)):
        if p_name != a_name:
            why = {
                None: "that input does not require grad, so no gradient flows there",
                "AccumulateGrad": "that input is a leaf that requires grad",
            }.get(a_name, "that input was made by an operation, so its grad_fn is next")
            _fail(
                f"entry {i}: you predicted {p_name!r}, but it is {a_name!r} — {why}. "
                f"(next_functions[{i}] is the edge to input {i} of {tensor.grad_fn.name()}.)"
            )
        if p_nr != a_nr:
            _fail(
                f"entry {i}: the node {a_name!r} is right but the number is {a_nr}, not {p_nr!r} "
                "(it says which output of that node the input was; 0 for single-output ops)."
            )
    _ok("your prediction matches grad_fn.next_functions.")


def check_chain_rule(chain_rule: Callable) -> None:
    """Lesson 02: ``chain_rule(x, y)`` returns (dw/dx, dw/dy) of w = z², z = x·x·y·y, by hand."""
    cases = [(2.0, 3.0)] + [tuple(p) for p in _rng(2).uniform(-2, 2, size=(4, 2))]
    for x0, y0 in cases:
        try:
            got = chain_rule(float(x0), float(y0))
        except NotImplementedError:
            _fail("chain_rule raised NotImplementedError: write its body.")
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            _fail(f"chain_rule should return a pair (dw_dx, dw_dy), it returned {got!r}.")
        x = mg.tensor(x0, dtype=mg.float64, requires_grad=True)
        y = mg.tensor(y0, dtype=mg.float64, requires_grad=True)
        z = x * x * y * y
        w = z * z
        w.backward()
        for name, g, ref in (("dw/dx", got[0], x.grad), ("dw/dy", got[1], y.grad)):
            if isinstance(g, mg.Tensor) and g.requires_grad:
                _fail(
                    f"{name} should be a plain number computed by hand, not a tensor with a graph."
                )
            if not _close(float(_arr(g)), ref, rtol=1e-9, atol=1e-9):
                _fail(
                    f"at x = {x0:.6g}, y = {y0:.6g}: your {name} = {float(_arr(g)):.6g}, "
                    f"autograd gives {float(_arr(ref)):.6g}. dw/dz = 2·z = {2 * float(_arr(z)):.6g}."
                )
    _ok("chain_rule is correct: dw/dz · dz/dx and dw/dz · dz/dy match autograd.")


def _leaf_cases() -> list[tuple[str, mg.Tensor, list]]:
    rng = _rng(3)
    a, b, d = (mg.tensor(float(v), requires_grad=True) for v in rng.uniform(1, 2, 3))
    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    z = x * x * y * y
    p = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([3.0, 4.0])  # needs no grad: not a leaf of the backward graph
    deep = p
    for _ in range(1500):
        deep = deep * 1.0
    return [
        ("e = (a*b)*d", (a * b) * d, [a, b, d]),
        ("w = z*z, z = x*x*y*y (x, y used twice)", z * z, [x, y]),
        ("(p*c + c).sum() (c needs no grad)", (p * c + c).sum(), [p]),
        ("1500 multiplications in a chain", deep, [p]),
    ]


def check_leaves(leaves: Callable) -> None:
    """Lesson 02: ``leaves(t)`` lists the leaf tensors below ``t``, each once."""
    for title, out, expected in _leaf_cases():
        try:
            got = leaves(out)
        except NotImplementedError:
            _fail("leaves raised NotImplementedError: write its body.")
        except RecursionError:
            _fail(
                f"RecursionError on {title}: walk the graph with an explicit stack "
                "(a list you push next_functions onto), not recursion."
            )
        got = list(got)
        for t in got:
            if not isinstance(t, mg.Tensor):
                _fail(f"for {title}: leaves returned a {type(t).__name__}; use node.variable.")
        ids = [id(t) for t in got]
        if len(set(ids)) != len(ids):
            _fail(
                f"for {title}: a leaf appears more than once. A leaf has ONE AccumulateGrad "
                "node shared by every path: remember the nodes you have already visited."
            )
        if set(ids) != {id(t) for t in expected}:
            _fail(
                f"for {title}: expected {len(expected)} leaves, got {len(got)} with different "
                "tensors. Follow next_functions down to the AccumulateGrad nodes and return "
                "their .variable (skip None entries)."
            )
    _ok("leaves is correct: every AccumulateGrad's .variable, once each, on all graphs.")


def check_requires_grad(predictions: dict, tensors: dict) -> None:
    """Lesson 03: ``predictions[name]`` is your guess of ``tensors[name].requires_grad``."""
    if not isinstance(predictions, dict):
        _fail("write the predictions as a dict {name: True or False}.")
    missing = [k for k in tensors if k not in predictions]
    if missing:
        _fail(f"no prediction for {', '.join(missing)}: give True or False for every name.")
    for name, t in tensors.items():
        guess = predictions[name]
        if not isinstance(guess, bool):
            _fail(f"{name}: the prediction should be True or False, got {guess!r}.")
        if guess != t.requires_grad:
            if t.requires_grad:
                why = (
                    "it is a leaf created with requires_grad=True"
                    if t.is_leaf
                    else "at least one of the inputs it was computed from requires grad"
                )
            else:
                why = (
                    "it was created without requires_grad=True, or computed only from "
                    "tensors that do not require grad"
                )
            _fail(
                f"{name}: you predicted {guess}, but {name}.requires_grad is {t.requires_grad}: {why}."
            )
    _ok("all requires_grad predictions are right.")


# --------------------------------------------------------------------------- lesson 04


def _jacobian_cases() -> list[tuple[str, Callable, np.ndarray]]:
    rng = _rng(4)
    A = rng.uniform(-1, 1, size=(3, 2))
    return [
        ("f(x) = 3·x³ (elementwise)", lambda x: 3 * x**3, rng.uniform(-1, 1, 3)),
        ("f(x) = x · x.sum()", lambda x: x * x.sum(), rng.uniform(-1, 1, 3)),
        (
            "f(x) = A @ x with A of shape (3, 2)",
            lambda x: mg.matmul(mg.tensor(A, dtype=mg.float64), x),
            rng.uniform(-1, 1, 2),
        ),
        (
            "f(x) = [x0·x1, x1², x0 + x2, x2]",
            lambda x: mg.stack([x[0] * x[1], x[1] ** 2, x[0] + x[2], x[2]]),
            rng.uniform(-1, 1, 3),
        ),
    ]


def check_jacobian(jacobian: Callable) -> None:
    """Lesson 04: ``jacobian(f, x)`` builds J (m×n) row by row with ``backward(gradient=eᵢ)``."""
    for title, f, x_np in _jacobian_cases():
        m = int(np.asarray(_arr(f(mg.tensor(x_np, dtype=mg.float64)))).size)
        n = x_np.size
        expected = np.stack([numerical_grad(f, [x_np], np.eye(m)[i])[0] for i in range(m)]).reshape(
            m, n
        )
        x = mg.tensor(x_np, dtype=mg.float64, requires_grad=True)
        try:
            J = jacobian(f, x)
        except NotImplementedError:
            _fail("jacobian raised NotImplementedError: write its body.")
        except RuntimeError as exc:
            _fail(
                f"for {title}: jacobian raised RuntimeError: {exc}. Hint: call f(x) again "
                "for each row, or pass retain_graph=True."
            )
        J = _arr(J)
        if J.shape != (m, n):
            _fail(
                f"for {title}: the Jacobian has shape {J.shape}, expected (m, n) = ({m}, {n}): "
                "row i holds the gradient of output i."
            )
        if not np.allclose(J, expected, rtol=1e-5, atol=1e-6):
            if np.allclose(J, np.cumsum(expected, axis=0), rtol=1e-5, atol=1e-6):
                _fail(
                    f"for {title}: row i is the SUM of rows 0..i. .grad accumulates: set "
                    "x.grad = None (or x.grad.zero_()) before each backward."
                )
            if m == n and np.allclose(J, expected.T, rtol=1e-5, atol=1e-6):
                _fail(f"for {title}: you built the transpose; row i = ∂f_i/∂x.")
            row = int(np.argmax(np.abs(J - expected).max(axis=1)))
            _fail(
                f"for {title}: row {row} is {_fmt(J[row])}, finite differences give "
                f"{_fmt(expected[row])}. Row i = x.grad after f(x).backward(gradient=e_i)."
            )
    _ok("jacobian is correct: each row is a vector-Jacobian product with a one-hot v.")


# --------------------------------------------------------------------------- lesson 05


def _batch_loss(w: mg.Tensor, batch: mg.Tensor) -> mg.Tensor:
    return (mg.matmul(batch, w) ** 2).mean()


def _grad_of_loss(w_np: np.ndarray, batches: list[np.ndarray]) -> np.ndarray:
    """d/dw of Σ _batch_loss(w, batch) by finite differences."""

    def total(w: mg.Tensor) -> mg.Tensor:
        return sum(_batch_loss(w, mg.tensor(b, dtype=mg.float64)) for b in batches)

    return numerical_grad(total, [w_np], np.array(1.0))[0]


class _CountedLoss:
    """The loss function handed to the learner; counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, w: mg.Tensor, batch: mg.Tensor) -> mg.Tensor:
        self.calls += 1
        return _batch_loss(w, batch)


def check_grad_over_batches(grad_over_batches: Callable) -> None:
    """Lesson 05: accumulate one backward per batch into ``w.grad`` (after clearing it)."""
    rng = _rng(5)
    for trial in range(3):
        w_np = rng.uniform(-1, 1, size=3)
        batches = [rng.uniform(-1, 1, size=(4, 3)) for _ in range(3)]
        expected = _grad_of_loss(w_np, batches)
        w = mg.tensor(w_np, dtype=mg.float64, requires_grad=True)
        stale = rng.uniform(5, 6, size=3)
        w.grad = mg.tensor(stale, dtype=mg.float64)  # left over from an earlier step
        loss_fn = _CountedLoss()
        try:
            got = grad_over_batches(w, [mg.tensor(b, dtype=mg.float64) for b in batches], loss_fn)
        except NotImplementedError:
            _fail("grad_over_batches raised NotImplementedError: write its body.")
        if loss_fn.calls != len(batches):
            _fail(
                f"loss_fn was called {loss_fn.calls} times for {len(batches)} batches: once each."
            )
        if got is None:
            _fail("grad_over_batches returned None: return w.grad.")
        got = _arr(got)
        if np.allclose(got, expected + stale, rtol=1e-5, atol=1e-6):
            _fail(
                "w.grad still contains the gradient of an earlier step (w arrived with a "
                "non-zero .grad): clear it first with w.grad = None or w.grad.zero_()."
            )
        if np.allclose(got, _grad_of_loss(w_np, batches[-1:]), rtol=1e-5, atol=1e-6):
            _fail("you returned the gradient of the last batch only: do not clear between batches.")
        if not np.allclose(got, expected, rtol=1e-5, atol=1e-6):
            _fail(
                f"trial {trial}: got {_fmt(got)}, but the gradient of the summed loss is "
                f"{_fmt(expected)} (finite differences)."
            )
    _ok("grad_over_batches is correct: one backward per batch, gradients summed in w.grad.")
