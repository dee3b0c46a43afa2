"""Checks for lesson 04 · backward() and vector-Jacobian products (syllabus 4.1–4.10).

- :func:`check_backward_outcomes`: predictions of which ``backward`` calls run, and which error;
- :func:`check_mean_abs_loss`: a loss that reduces to one number, and its gradient's shape;
- :func:`check_path_predictions`: gradients over several paths and through ``cat``, by hand;
- :func:`check_vjp`: ``vjp(f, x, v)`` is vᵀJ from one ``backward(gradient=v)``;
- :func:`check_two_outputs`: two weighted outputs in one ``mg.autograd.backward`` call;
- :func:`check_jacobian`: a Jacobian row by row, one backward per one-hot v.

Example:
    >>> def vjp(f, x, v):
    ...     x = x.detach().requires_grad_()
    ...     f(x).backward(gradient=v)
    ...     return x.grad
    >>> check_vjp(vjp)
    ✓ vjp: vᵀJ for 3 functions, one backward each.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import minigrad as mg

from ._common import (
    arr,
    autograd_runs,
    call,
    check_predicted_outcomes,
    close,
    expect_close,
    fail,
    fmt,
    not_written,
    numerical_grad,
    numerical_jacobian,
    passed,
    rng,
)

__all__ = [
    "check_backward_outcomes",
    "BACKWARD_PROGRAMS",
    "check_mean_abs_loss",
    "check_path_predictions",
    "check_vjp",
    "check_two_outputs",
    "check_jacobian",
    "numerical_jacobian",
]


# --------------------------------------------------------------------------- which calls run

BACKWARD_PROGRAMS = {
    "A": "t = mg.tensor([3.0], requires_grad=True)\n(t * 2).backward()",
    "B": "t = mg.tensor([3.0, 4.0], requires_grad=True)\n(t * 2).backward()",
    "C": "t = mg.tensor([3.0, 4.0], requires_grad=True)\n(t * 2).sum().backward()",
    "D": "t = mg.tensor([3.0, 4.0], requires_grad=True)\n(t * 2).backward(gradient=mg.tensor([1.0]))",
    "E": "t = mg.tensor([[3.0]], requires_grad=True)\n(t * 2).backward()",
    "F": "t = mg.tensor([3.0, 4.0], requires_grad=True)\n"
    "(t * 2).backward(gradient=mg.tensor([1.0, 0.0]))",
}
_MESSAGES = {
    "scalar": "grad can be implicitly created only for scalar outputs",
    "shape": "Mismatch in shape",
}
_WHY = {
    "ok": "it runs: the output has one element, or gradient= has the output's shape",
    "scalar": "it raises 'grad can be implicitly created only for scalar outputs': the output "
    "has more than one element and no gradient= was given",
    "shape": "it raises 'Mismatch in shape': gradient= must have exactly the output's shape",
}


def check_backward_outcomes(predictions: dict) -> None:
    """``predictions[name]`` is ``"ok"``, ``"scalar"`` or ``"shape"`` for each program."""
    check_predicted_outcomes(
        predictions,
        BACKWARD_PROGRAMS,
        _MESSAGES,
        _WHY,
        example="{'A': 'ok', 'scalar' or 'shape', ...}",
        rule="The rule is numel() == 1, not the number of dimensions",
    )
    passed("backward_outcomes", "every outcome of the 6 programs predicted")


# --------------------------------------------------------------------------- a scalar loss


def check_mean_abs_loss(mean_abs_loss: Callable) -> None:
    """``mean_abs_loss(pred, target)`` is the mean of |pred − target|: one number, whose
    backward gives ``pred.grad`` with pred's shape."""
    gen = rng(41)
    for shape in ((4, 3), (5,)):
        target_np = gen.normal(size=shape)
        pred_np = target_np + gen.choice([-1.0, 1.0], size=shape) * gen.uniform(0.2, 1.0, shape)
        pred = mg.tensor(pred_np, dtype=mg.float64, requires_grad=True)
        target = mg.tensor(target_np, dtype=mg.float64)
        loss = call(mean_abs_loss, pred, target, what="mean_abs_loss")
        if not_written(loss):
            fail("mean_abs_loss returned None: return the loss tensor")
        if not isinstance(loss, mg.Tensor):
            fail(
                f"mean_abs_loss returned a {type(loss).__name__}: return a tensor (no .item()), "
                "so that backward can run from it"
            )
        if loss.numel() != 1:
            fail(
                f"the loss has {loss.numel()} elements: reduce |pred − target| to one number "
                "with .mean(), so that loss.backward() needs no argument"
            )
        if loss.grad_fn is None:
            fail("the loss has no grad_fn: compute it from pred with tensor operations")
        want = np.mean(np.abs(pred_np - target_np))
        if close(loss, np.sum(np.abs(pred_np - target_np))) and not close(loss, want):
            fail("the loss is the sum of |pred − target|: take the mean instead")
        expect_close(loss.reshape(()), want, "the loss", " (the mean of |pred − target|)")
        loss.backward()
        if pred.grad is None or tuple(pred.grad.shape) != shape:
            fail(f"pred.grad should have pred's shape {shape}")
        expect_close(
            pred.grad, np.sign(pred_np - target_np) / pred_np.size, "pred.grad",
            " (sign(pred − target) / number of elements)",
        )  # fmt: skip
    passed("mean_abs_loss", "one number per batch, pred.grad of pred's shape, at 2 shapes")


# --------------------------------------------------------------------------- paths and cat


def _path_answers() -> dict:
    u = mg.tensor([3.0], requires_grad=True)
    v = mg.tensor([1.0], requires_grad=True)
    y = (u + v) * (u + 2)
    y.backward()
    out = {"u.grad": float(arr(u.grad)[0]), "v.grad": float(arr(v.grad)[0])}
    out["None entries of (u + 2)"] = sum(n is None for n, _ in (u + 2).grad_fn.next_functions)
    u2 = mg.tensor([3.0], requires_grad=True)
    v2 = mg.tensor([1.0], requires_grad=True)
    loss = mg.cat([(u2 + v2) * (u2 + 2), u2 * v2])
    loss.backward(gradient=mg.tensor([1.0, 2.0]))
    out["u.grad through cat"] = float(arr(u2.grad)[0])
    return out


_PATH_HINTS = {
    "u.grad": "u reaches y along two paths, through u + v and through u + 2: add both",
    "v.grad": "v only appears in u + v; its factor is the other bracket, u + 2",
    "None entries of (u + 2)": "the constant 2 needs no gradient: one (None, 0) entry",
    "u.grad through cat": "cat splits v = [1, 2]: 1 × the first output's du plus 2 × the second's",
}


def check_path_predictions(predictions: dict) -> None:
    """Predictions (numbers) for the lesson's several-paths exercise."""
    if not_written(predictions) or not isinstance(predictions, dict):
        fail("write the predictions as a dict of numbers")
    answers = _path_answers()
    if all(predictions.get(k) is None for k in answers):
        fail(f"no prediction yet: give a number for each of {', '.join(answers)}")
    for key, want in answers.items():
        got = predictions.get(key)
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            fail(f"{key}: write a number, got {got!r}")
        if abs(got - want) > 1e-9:
            fail(f"{key}: you predicted {got}, which is not right: {_PATH_HINTS[key]}")
    passed("path_predictions", "gradients over two paths, the None entry and cat's split")


# --------------------------------------------------------------------------- vᵀJ


def _vjp_cases() -> list:
    gen = rng(42)
    M = gen.uniform(-1, 1, size=(2, 3))
    return [
        ("f(x) = 3·x³", lambda x: 3 * x**3, gen.uniform(-1, 1, 3), gen.uniform(-1, 1, 3)),
        (
            "f(x) = M @ x",
            lambda x: mg.tensor(M, dtype=mg.float64) @ x,
            gen.uniform(-1, 1, 3),
            gen.uniform(-1, 1, 2),
        ),  # fmt: skip
        ("f(x) = x · x.sum()", lambda x: x * x.sum(), gen.uniform(-1, 1, 4), gen.uniform(-1, 1, 4)),
    ]


def check_vjp(vjp: Callable) -> None:
    """``vjp(f, x, v)`` returns vᵀJ of f at x, from one ``backward(gradient=v)``."""
    for title, f, x_np, v_np in _vjp_cases():
        x = mg.tensor(x_np, dtype=mg.float64, requires_grad=True)
        v = mg.tensor(v_np, dtype=mg.float64)
        with autograd_runs() as runs:
            got = call(vjp, f, x, v, what="vjp")
        if not_written(got):
            fail("vjp returned None: return the gradient that backward(gradient=v) leaves")
        if not runs:
            fail(
                "vjp ran no backward: use f(x).backward(gradient=v), not finite differences "
                "or a formula"
            )
        if len(runs) != 1:
            fail(f"vjp ran backward {len(runs)} times: vᵀJ needs exactly one backward")
        want = numerical_grad(f, [x_np], v_np)[0]
        if close(got, numerical_grad(f, [x_np], np.ones_like(v_np))[0]) and not close(got, want):
            fail(f"for {title}: you used v = ones; pass the v you were given as gradient=v")
        expect_close(got, want, f"vjp for {title}", " (vᵀJ: x.grad after backward(gradient=v))")
    passed("vjp", "vᵀJ for 3 functions, one backward each")


# --------------------------------------------------------------------------- autograd.backward


def check_two_outputs(two_outputs: Callable) -> None:
    """``two_outputs(w, x)`` fills ``w.grad`` and ``x.grad`` with the gradients of
    y1 + 3·y2 (y1 = w·x, y2 = w² + x) in ONE call to ``mg.autograd.backward``."""
    gen = rng(43)
    for n in (3, 2):
        w_np, x_np = gen.uniform(-2, 2, n), gen.uniform(-2, 2, n)
        w = mg.tensor(w_np, dtype=mg.float64, requires_grad=True)
        x = mg.tensor(x_np, dtype=mg.float64, requires_grad=True)
        with autograd_runs() as runs:
            call(two_outputs, w, x, what="two_outputs")
        if w.grad is None or x.grad is None:
            fail("w.grad or x.grad is still None: run mg.autograd.backward on [y1, y2]")
        if len(runs) != 1:
            fail(
                f"backward ran {len(runs)} times: pass both outputs to ONE call, "
                "mg.autograd.backward([y1, y2], grad_tensors=[...])"
            )
        if close(w.grad, x_np + 2 * w_np) and not close(w.grad, x_np + 6 * w_np):
            fail("w.grad weights y2 by 1: its grad_tensors entry should be 3 for every element")
        expect_close(w.grad, x_np + 6 * w_np, "w.grad", " (d(y1 + 3·y2)/dw = x + 6w)")
        expect_close(x.grad, w_np + 3, "x.grad", " (d(y1 + 3·y2)/dx = w + 3)")
    passed("two_outputs", "one autograd.backward call, weights 1 and 3, at 2 sizes")


# --------------------------------------------------------------------------- the Jacobian


def _jacobian_cases() -> list[tuple[str, Callable, np.ndarray]]:
    gen = rng(4)
    A = gen.uniform(-1, 1, size=(3, 2))
    return [
        ("f(x) = 3·x³ (elementwise)", lambda x: 3 * x**3, gen.uniform(-1, 1, 3)),
        ("f(x) = x · x.sum()", lambda x: x * x.sum(), gen.uniform(-1, 1, 3)),
        (
            "f(x) = A @ x with A of shape (3, 2)",
            lambda x: mg.matmul(mg.tensor(A, dtype=mg.float64), x),
            gen.uniform(-1, 1, 2),
        ),
        (
            "f(x) = [x0·x1, x1², x0 + x2, x2]",
            lambda x: mg.stack([x[0] * x[1], x[1] ** 2, x[0] + x[2], x[2]]),
            gen.uniform(-1, 1, 3),
        ),
    ]


def check_jacobian(jacobian: Callable) -> None:
    """Lesson 04: ``jacobian(f, x)`` builds J (m×n) row by row with ``backward(gradient=eᵢ)``."""
    for title, f, x_np in _jacobian_cases():
        m = int(np.asarray(arr(f(mg.tensor(x_np, dtype=mg.float64)))).size)
        n = x_np.size
        expected = np.stack([numerical_grad(f, [x_np], np.eye(m)[i])[0] for i in range(m)]).reshape(
            m, n
        )
        x = mg.tensor(x_np, dtype=mg.float64, requires_grad=True)
        with autograd_runs() as runs:
            try:
                J = jacobian(f, x)
            except NotImplementedError:
                fail("jacobian raised NotImplementedError: write its body.")
            except RuntimeError as exc:
                fail(
                    f"for {title}: jacobian raised RuntimeError: {exc}. Hint: make a fresh leaf "
                    "and call f on it again for each row."
                )
            except Exception as exc:
                fail(f"jacobian raised {type(exc).__name__}: {exc}")
        if not_written(J):
            fail("jacobian returned None: return the m×n matrix (mg.stack the rows)")
        if len(runs) != m:
            fail(
                f"for {title}: backward ran {len(runs)} times for {m} rows: the exercise is one "
                "backward per row with a one-hot v (finite differences or a formula run none)"
            )
        J = arr(J)
        if J.shape != (m, n):
            fail(
                f"for {title}: the Jacobian has shape {J.shape}, expected (m, n) = ({m}, {n}): "
                "row i holds the gradient of output i."
            )
        if not close(J, expected):
            if close(J, np.cumsum(expected, axis=0)):
                fail(
                    f"for {title}: row i is the SUM of rows 0..i: backward adds into a .grad "
                    "that is already there (lesson 05), so give each row a fresh leaf, "
                    "x.detach().requires_grad_()."
                )
            if m == n and close(J, expected.T):
                fail(f"for {title}: you built the transpose; row i = ∂f_i/∂x.")
            row = int(np.argmax(np.abs(J - expected).max(axis=1)))
            fail(
                f"for {title}: row {row} is {fmt(J[row])}, finite differences give "
                f"{fmt(expected[row])}. Row i = x.grad after f(x).backward(gradient=e_i)."
            )
    passed("jacobian", "each row is a vector-Jacobian product with a one-hot v")
