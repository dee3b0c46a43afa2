"""What every lesson's checks share: the failure type, the ✓ line, one tolerance convention,
the learner-code runner and the finite-difference helpers.

- A check either prints ONE line, ``✓ <exercise>: <what was verified>``, or raises
  :class:`CheckFailed` whose message says what is wrong and what to do.
- Tolerances: values are compared with :func:`close`, which takes the tolerance from the
  dtype of what the learner returned (float64: rtol 1e-6, atol 1e-8; float32: rtol 1e-5,
  atol 1e-6). Checks feed float64 inputs wherever the exercise allows.
- Learner code runs through :func:`call`: an exception in it becomes the check's message
  (never a traceback from inside the check), and an exercise left as ``...`` (the learner
  copy's stub, which returns ``None``) is reported as "not written yet".
- Random inputs come from :func:`rng`, a private generator with a fixed seed, so a check
  always tests the same cases and never moves the notebook's ``mg.manual_seed`` stream.
- Finite differences: :func:`numerical_grad` and :func:`numerical_jacobian` are built on
  :func:`minigrad.autograd.numerical.central_difference`, the one loop in minigrad.

Example:
    >>> passed("slope", "central differences at 3 points")
    ✓ slope: central differences at 3 points.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

import minigrad as mg
from minigrad._creation import _Generator
from minigrad.autograd.numerical import central_difference
from minigrad.autograd.observer import observe_backward

__all__ = [
    "CheckFailed",
    "passed",
    "fail",
    "call",
    "not_written",
    "rng",
    "arr",
    "fmt",
    "close",
    "expect_close",
    "TOLERANCE",
    "numerical_grad",
    "numerical_jacobian",
    "private_random_stream",
    "small_net",
    "autograd_runs",
    "check_predicted_outcomes",
]

# (rtol, atol) by the dtype of the value checked.
TOLERANCE = {"float64": (1e-6, 1e-8), "float32": (1e-5, 1e-6)}


class CheckFailed(AssertionError):
    """The learner's answer is wrong; the message says what is wrong and what to do."""


def passed(exercise: str, verified: str) -> None:
    """Print the one success line: ``✓ exercise: what was verified.``"""
    print(f"✓ {exercise}: {verified.rstrip('.')}.")


def fail(message: str) -> None:
    raise CheckFailed(message)


def not_written(value: Any) -> bool:
    """The learner copy's stub: ``...`` or a function whose body is only ``...``."""
    return value is Ellipsis or value is None


def call(fn: Callable, *args: Any, what: str) -> Any:
    """Run the learner's ``fn(*args)``; any exception becomes the check's message."""
    if not callable(fn):
        fail(f"{what}: expected a function (or class), got {type(fn).__name__}")
    try:
        return fn(*args)
    except CheckFailed:
        raise
    except NotImplementedError:
        fail(f"{what} is not written yet (it raised NotImplementedError)")
    except RecursionError:
        fail(
            f"{what} hit Python's recursion limit: walk the graph with an explicit stack "
            "(a list you push next_functions onto) instead of recursion"
        )
    except Exception as exc:  # the learner's bug, reported as the check's message
        fail(f"{what} raised {type(exc).__name__}: {exc}")


def rng(seed: int) -> np.random.Generator:
    """A private generator: checks never disturb the learner's ``mg.manual_seed`` stream."""
    return np.random.default_rng(seed)


def arr(t: Any) -> np.ndarray:
    """A tensor (or number, or array) as a numpy array."""
    if isinstance(t, mg.Tensor):
        return np.asarray(t.detach().numpy())
    return np.asarray(t)


def fmt(a: Any) -> str:
    """A short, stable rendering of numbers for messages."""
    a = arr(a)
    if a.ndim == 0:
        return f"{float(a):.6g}"
    return np.array2string(a, precision=5, separator=", ", suppress_small=True)


def _tolerance(got: Any) -> tuple[float, float]:
    dtype = arr(got).dtype
    return TOLERANCE["float32" if dtype == np.float32 else "float64"]


def close(got: Any, want: Any) -> bool:
    """Same shape and equal within the tolerance of ``got``'s dtype."""
    g, w = arr(got), arr(want)
    if g.shape != w.shape:
        return False
    rtol, atol = _tolerance(got)
    return bool(np.allclose(g, w, rtol=rtol, atol=atol))


def expect_close(got: Any, want: Any, what: str, hint: str = "") -> None:
    """Fail with the values and the largest difference unless ``got`` is close to ``want``."""
    g, w = arr(got), arr(want)
    if g.shape != w.shape:
        fail(f"{what}: shape {tuple(g.shape)}, expected {tuple(w.shape)}{hint}")
    if not close(got, want):
        worst = float(np.max(np.abs(g.astype(np.float64) - w.astype(np.float64))))
        fail(f"{what}: got {fmt(g)}, expected {fmt(w)} (largest difference {worst:.1e}){hint}")


def numerical_grad(
    f: Callable[..., mg.Tensor], inputs: Sequence[Any], v: Any, eps: float = 1e-6
) -> list[np.ndarray]:
    """Central differences of ``sum(v * f(*inputs))`` with respect to each input, in float64.

    Math: ∂/∂xᵢ ≈ (F(x + ε·eᵢ) − F(x − ε·eᵢ)) / 2ε with F(x) = Σ v·f(x).
    ``f`` takes minigrad float64 tensors (no grad) and returns a minigrad tensor.
    """
    xs = [np.array(arr(x), dtype=np.float64) for x in inputs]
    v = np.asarray(v, dtype=np.float64)

    def weighted() -> np.ndarray:
        with mg.no_grad():
            # from_numpy shares memory: central_difference perturbs xs in place
            out = arr(f(*[mg.from_numpy(a) for a in xs]))
        return np.sum(np.reshape(v, out.shape) * out)

    return [central_difference(weighted, x, eps).reshape(x.shape) for x in xs]


def numerical_jacobian(f: Callable[[mg.Tensor], mg.Tensor], x: Any, eps: float = 1e-6) -> mg.Tensor:
    """The Jacobian J[i, j] = ∂f(x)ᵢ/∂xⱼ by central differences in float64 (no autograd).

    Math: column j ≈ (f(x + ε·eⱼ) − f(x − ε·eⱼ)) / 2ε, for flattened x and f(x).
    """
    x_np = np.array(arr(x), dtype=np.float64)

    def flat() -> np.ndarray:
        with mg.no_grad():
            return arr(f(mg.from_numpy(x_np))).reshape(-1)

    # central_difference has one row per element of x: the transpose of the Jacobian
    return mg.tensor(central_difference(flat, x_np, eps).T.copy(), dtype=mg.float64)


@contextlib.contextmanager
def private_random_stream(seed: int = 0) -> Iterator[None]:
    """Layers built inside draw their initial weights from a stream of their own, so a check
    neither depends on nor moves the notebook's ``mg.manual_seed`` stream."""
    saved = _Generator.rng
    _Generator.rng = np.random.default_rng(seed)
    try:
        yield
    finally:
        _Generator.rng = saved


def small_net() -> mg.nn.Module:
    """Linear(2, 3) → ReLU → Linear(3, 1), with weights from a private stream."""
    nn = mg.nn
    with private_random_stream():
        return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))


class _RunCounter:
    """A ``BackwardObserver`` that keeps one entry (the run's roots) per engine run."""

    def __init__(self) -> None:
        self.runs: list = []

    def begin(self, task: Any) -> None:
        self.runs.append(task.roots)

    def received(self, node: Any, grads: list) -> None:
        pass

    def hook(self, kind: str, node: Any, input_nr: int, fn: Any, before: Any, after: Any) -> None:
        pass

    def step(self, node: Any, grads: list, outputs: Any) -> None:
        pass

    def end(self, error: BaseException | None) -> None:
        pass


@contextlib.contextmanager
def autograd_runs() -> Iterator[list]:
    """Count the backward passes (``backward()``, ``autograd.grad``) run inside the block,
    observed by the engine itself (``minigrad.autograd.observer``): one entry per run."""
    with observe_backward(_RunCounter()) as counter:
        yield counter.runs


def _outcome(source: str, messages: dict) -> str:
    """``"ok"``, or the name of the error text (``messages``) that running ``source`` raises."""
    try:
        exec(source, {"mg": mg})  # noqa: S102 - the check's own fixed programs
    except RuntimeError as exc:
        for name, text in messages.items():
            if text in str(exc):
                return name
        raise
    return "ok"


def check_predicted_outcomes(
    predictions: Any, programs: dict, messages: dict, why: dict, *, example: str, rule: str
) -> None:
    """``predictions[name]`` is what program ``programs[name]`` does: ``"ok"`` or the name of
    the error it raises (a key of ``messages``); ``why[outcome]`` says why, ``rule`` what to
    look at. Fails on the first wrong prediction; prints nothing."""
    outcomes = ("ok", *messages)
    if not_written(predictions) or not isinstance(predictions, dict):
        fail(f"write the predictions as a dict {example}")
    names = list(programs)
    if all(predictions.get(k) is None for k in names):
        fail(f"no prediction yet: give one of {', '.join(outcomes)} for {names[0]} to {names[-1]}")
    for name, source in programs.items():
        guess = predictions.get(name)
        if guess not in outcomes:
            fail(
                f"program {name}: the prediction should be one of {', '.join(outcomes)}, "
                f"got {guess!r}"
            )
        actual = _outcome(source, messages)
        if guess != actual:
            fail(f"program {name}: you predicted {guess!r}, but {why[actual]}. {rule}")
