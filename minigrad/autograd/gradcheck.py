"""Gradient checking: compare backward's Jacobian with central finite differences.

For every input element x_k that requires grad and every output element y_m:

    numerical[k, m]  = (y_m(x + eps·e_k) - y_m(x - eps·e_k)) / (2·eps)
    analytical[k, m] = the k-th entry of the gradient backward returns for grad_output = e_m

They must agree to ``|analytical - numerical| <= atol + rtol·|numerical|`` (torch's
``allclose``). Use float64 inputs: in float32 the difference quotient is too noisy.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    >>> mg.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import _errors
from .._creation import _Generator
from ..tensor import Tensor
from .api import grad
from .numerical import central_difference

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck``/``gradgradcheck`` when a check fails (torch's class name)."""


def _as_tuple(x: Any) -> tuple:
    if isinstance(x, Tensor):
        return (x,)
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


def _differentiable_outputs(outputs: Any) -> tuple:
    return tuple(o for o in _as_tuple(outputs) if isinstance(o, Tensor) and o._requires_grad)


def _tensor(values: np.ndarray):
    return Tensor._make(values)


def _index(flat: int, shape: tuple) -> tuple:
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def _numerical_jacobians(func: Callable, inputs: tuple, diff_idx: list, eps: float) -> list:
    """``jac[j][i]``: (numel of input j, numel of output i) difference quotients.

    Each input element is perturbed in place in the input's own dtype, as torch does.
    """
    n_out = sum(isinstance(o, Tensor) for o in _as_tuple(func(*inputs)))

    def output(i: int) -> Callable[[], np.ndarray]:
        return lambda: [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)][i]._data

    return [
        [central_difference(output(i), inputs[j]._data, eps) for i in range(n_out)]
        for j in diff_idx
    ]


def _analytical_jacobian(output, diff_inputs: tuple) -> list:
    """One (numel of input, numel of output) matrix per input, built row by row of J^T."""
    out_n = output._data.size
    jacs = [np.zeros((x._data.size, out_n), dtype=x._data.dtype) for x in diff_inputs]
    for m in range(out_n):
        seed = np.zeros(output._data.shape, dtype=output._data.dtype)
        seed.reshape(-1)[m] = 1
        grads = grad(output, diff_inputs, _tensor(seed), retain_graph=True, allow_unused=True)
        for j, g in enumerate(grads):
            if g is not None:
                if g._data.shape != diff_inputs[j]._data.shape:
                    raise GradcheckError(_errors.GRADCHECK_BAD_SIZE)
                jacs[j][:, m] = g._data.reshape(-1)
    return jacs


def _worst_element(a: np.ndarray, n: np.ndarray, atol: float, rtol: float) -> tuple:
    excess = np.abs(a - n) - (atol + rtol * np.abs(n))
    excess = np.where(np.isnan(excess), np.inf, excess)
    k, m = np.unravel_index(int(np.argmax(excess)), a.shape)
    return int(k), int(m)


def _mismatch_message(a, n, i, j, out_shape, in_shape, atol, rtol) -> str:
    k, m = _worst_element(a, n, atol, rtol)
    nv, av = float(n[k, m]), float(a[k, m])
    return (
        f"Jacobian mismatch for output {i} with respect to input {j},\n"
        f"numerical:{_tensor(n)!r}\nanalytical:{_tensor(a)!r}\n\n"
        f"Largest mismatch: d(output {i}){list(_index(m, out_shape))} / "
        f"d(input {j}){list(_index(k, in_shape))}: numerical {nv:.6g}, analytical {av:.6g} "
        f"(|difference| {abs(av - nv):.3g} > atol + rtol*|numerical| = "
        f"{atol + rtol * abs(nv):.3g}).\n"
    )


def _fail(msg: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
) -> bool:
    """Check backward's gradients of ``func(*inputs)`` against central differences.

    Math: for each input x_j requiring grad and differentiable output y_i, the Jacobian
    from backward must be allclose to (y_i(x + eps) - y_i(x - eps)) / (2·eps), element by
    element. Returns True, or raises ``GradcheckError`` (returns False when
    ``raise_exception=False``) naming the output, the input, both Jacobians and the worst
    element. Extra flags are accepted for torch compatibility; minigrad checks values.

    Example:
        >>> import minigrad as mg
        >>> x = mg.tensor([3.0], dtype=mg.float64, requires_grad=True)
        >>> mg.autograd.gradcheck(mg.sin, (x,))
        True
    """
    tupled = _as_tuple(inputs)
    diff_idx = [i for i, x in enumerate(tupled) if isinstance(x, Tensor) and x._requires_grad]
    if not diff_idx:
        raise ValueError(_errors.GRADCHECK_NO_INPUT)
    for i in diff_idx:
        if tupled[i]._data.dtype != np.float64:
            warnings.warn(_errors.GRADCHECK_NOT_DOUBLE_WARNING.format(i), UserWarning, stacklevel=2)
    outputs = _as_tuple(func(*tupled))
    diff_outputs = _differentiable_outputs(outputs)
    numerical = _numerical_jacobians(func, tupled, diff_idx, eps)
    # Outputs that do not require grad must not depend on the inputs at all.
    tensor_outputs = [o for o in outputs if isinstance(o, Tensor)]
    for i, o in enumerate(tensor_outputs):
        if o._requires_grad:
            continue
        for per_input in numerical:
            if not np.all(per_input[i] == 0):
                return _fail(_errors.GRADCHECK_NOT_ZERO, raise_exception)
    diff_positions = [i for i, o in enumerate(tensor_outputs) if o._requires_grad]
    diff_inputs = tuple(tupled[i] for i in diff_idx)
    for i, (pos, out) in enumerate(zip(diff_positions, diff_outputs)):
        analytical = _analytical_jacobian(out, diff_inputs)
        for j, a in enumerate(analytical):
            n = numerical[j][pos]
            if not np.allclose(a, n.astype(a.dtype), rtol=rtol, atol=atol, equal_nan=True):
                msg = _mismatch_message(
                    a, n, i, j, out._data.shape, diff_inputs[j]._data.shape, atol, rtol
                )
                return _fail(msg, raise_exception)
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Sequence | None = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    fast_mode: bool = False,
) -> bool:
    """Check second derivatives: ``gradcheck`` of the function that maps (inputs, v) to
    ``autograd.grad(func(inputs), inputs, v, create_graph=True)``.

    Math: the gradients of vᵀ·J(x) w.r.t. x and v must match finite differences.
    ``grad_outputs`` v defaults to random values in [-1, 1) (minigrad's generator) that
    require grad.

    Example:
        >>> import minigrad as mg
        >>> x = mg.tensor([0.5, 1.5], dtype=mg.float64, requires_grad=True)
        >>> mg.autograd.gradgradcheck(lambda t: t**3, (x,))
        True
    """
    tupled = _as_tuple(inputs)
    if grad_outputs is None:
        outs = _differentiable_outputs(func(*tupled))
        tupled_go = []
        for o in outs:
            dt = o._data.dtype if o._data.dtype.kind == "f" else np.dtype(np.float64)
            values = _Generator.rng.uniform(-1.0, 1.0, o._data.shape).astype(dt)
            tupled_go.append(Tensor._make(values, True))
        tupled_go = tuple(tupled_go)
    else:
        tupled_go = _as_tuple(grad_outputs)
    n_go = len(tupled_go)
    diff_in = {i for i, x in enumerate(tupled) if isinstance(x, Tensor) and x._requires_grad}

    def new_func(*args):
        input_args = args[: len(args) - n_go]
        outs = _differentiable_outputs(func(*input_args))
        gos = args[len(args) - n_go :]
        diff_args = tuple(x for i, x in enumerate(input_args) if i in diff_in)
        grads = grad(outs, diff_args, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        new_func,
        tupled + tupled_go,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
