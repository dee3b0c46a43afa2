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
from .._dtype import to_dtype
from ..ops.shape import clone
from ..tensor import Tensor
from .api import grad
from .graph import Node
from .numerical import central_difference

__all__ = [
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "get_numerical_jacobian",
    "get_analytical_jacobian",
]


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


def _same_shape_and_dtype(fast_mode: bool, eps: float) -> Callable:
    """torch's check that perturbing an input changes neither the output's shape nor dtype."""

    def check(below: np.ndarray, above: np.ndarray, idx: tuple) -> None:
        where = "" if fast_mode else f"on index {idx} "
        if below.shape != above.shape:
            raise AssertionError(
                _errors.GRADCHECK_PERTURBED_SHAPE.format(
                    where, eps, _errors.shape_str(below.shape), _errors.shape_str(above.shape)
                )
            )
        if below.dtype != above.dtype:
            raise AssertionError(
                _errors.GRADCHECK_PERTURBED_DTYPE.format(
                    where, eps, to_dtype(below.dtype), to_dtype(above.dtype)
                )
            )

    return check


def _numerical_jacobians(
    func: Callable, inputs: tuple, diff_idx: list, eps: float, check: Callable | None = None
) -> list:
    """``jac[j][i]``: (numel of input j, numel of output i) difference quotients.

    Each input element is perturbed in place in the input's own dtype, as torch does.
    """
    n_out = sum(isinstance(o, Tensor) for o in _as_tuple(func(*inputs)))

    def output(i: int) -> Callable[[], np.ndarray]:
        return lambda: [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)][i]._data

    return [
        [central_difference(output(i), inputs[j]._data, eps, check) for i in range(n_out)]
        for j in diff_idx
    ]


def _jacobian_rows(output, diff_inputs: tuple) -> tuple[list, bool]:
    """One (numel of input, numel of output) matrix per input, built row by row of J^T
    (``output.clone()`` is differentiated, as torch does); and whether the sizes were right."""
    output = clone(output)
    out_n = output._data.size
    jacs = [np.zeros((x._data.size, out_n), dtype=x._data.dtype) for x in diff_inputs]
    sizes_ok = True
    for m in range(out_n):
        seed = np.zeros(output._data.shape, dtype=output._data.dtype)
        seed.reshape(-1)[m] = 1
        grads = grad(output, diff_inputs, _tensor(seed), retain_graph=True, allow_unused=True)
        for j, g in enumerate(grads):
            if g is not None:
                if g._data.shape != diff_inputs[j]._data.shape:
                    sizes_ok = False
                    continue
                jacs[j][:, m] = g._data.reshape(-1)
    return jacs, sizes_ok


def _analytical_jacobian(output, diff_inputs: tuple, nondet_tol: float) -> list:
    """The Jacobians from backward, computed twice: both runs must agree (torch calls this
    reentrancy) to within ``nondet_tol``."""
    first, sizes_ok = _jacobian_rows(output, diff_inputs)
    second, _ = _jacobian_rows(output, diff_inputs)
    if not sizes_ok:
        raise GradcheckError(_errors.GRADCHECK_BAD_SIZE)
    if not _jacobians_equal(first, second, nondet_tol):
        raise GradcheckError(_errors.GRADCHECK_NOT_REENTRANT.format(nondet_tol))
    return first


def _jacobians_equal(first: list, second: list, tol: float) -> bool:
    return all(a.size == 0 or np.abs(a - b).max() <= tol for a, b in zip(first, second))


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


def _check_inputs(tupled: tuple) -> list:
    """torch's ``_check_inputs``: which inputs require grad; warn about float32, refuse
    stride-0 dims (a perturbation would move several elements at once)."""
    diff_idx = []
    for i, x in enumerate(tupled):
        if not (isinstance(x, Tensor) and x._requires_grad):
            continue
        if x._data.dtype != np.float64:
            warnings.warn(_errors.GRADCHECK_NOT_DOUBLE_WARNING.format(i), UserWarning, stacklevel=4)
        if any(st == 0 and n > 1 for st, n in zip(x._data.strides, x._data.shape)):
            raise RuntimeError(_errors.GRADCHECK_STRIDE_ZERO.format(i))
        diff_idx.append(i)
    if not diff_idx:
        raise ValueError(_errors.GRADCHECK_NO_INPUT)
    return diff_idx


def _check_jacobians(func, tupled, diff_idx, outputs, settings: dict) -> None:
    """Every differentiable output's Jacobian from backward against central differences;
    outputs that do not require grad must not depend on the inputs."""
    eps, atol, rtol = settings["eps"], settings["atol"], settings["rtol"]
    check = _same_shape_and_dtype(settings["fast_mode"], eps)
    numerical = _numerical_jacobians(func, tupled, diff_idx, eps, check)
    tensor_outputs = [o for o in outputs if isinstance(o, Tensor)]
    for i, o in enumerate(tensor_outputs):
        if not o._requires_grad and any(not np.all(per[i] == 0) for per in numerical):
            raise GradcheckError(_errors.GRADCHECK_NOT_ZERO)
    diff_positions = [i for i, o in enumerate(tensor_outputs) if o._requires_grad]
    diff_inputs = tuple(tupled[i] for i in diff_idx)
    for i, pos in enumerate(diff_positions):
        out = tensor_outputs[pos]
        analytical = _analytical_jacobian(out, diff_inputs, settings["nondet_tol"])
        for j, a in enumerate(analytical):
            n = numerical[j][pos]
            if not np.allclose(a, n.astype(a.dtype), rtol=rtol, atol=atol, equal_nan=True):
                shapes = (out._data.shape, diff_inputs[j]._data.shape)
                raise GradcheckError(_mismatch_message(a, n, i, j, *shapes, atol, rtol))


def _check_multiplied_by_grad_output(outputs: tuple, diff_inputs: tuple) -> None:
    """torch's ``_test_backward_mul_by_grad_output``: zero grad_outputs give zero grads."""
    zeros = [Tensor._make(np.zeros(o._data.shape, dtype=o._data.dtype)) for o in outputs]
    for g in grad(outputs, diff_inputs, zeros, allow_unused=True):
        if g is not None and np.any(g._data != 0):
            raise GradcheckError(_errors.GRADCHECK_NOT_MULTIPLIED)


class UndefinedGradBackward(Node):
    """torch's ``UndefinedGrad``: backward sends None (an undefined gradient) onwards."""

    __slots__ = ()
    _always_call = True

    def apply(self, grads):
        return (None,)


def _undefined(o: Tensor) -> Tensor:
    node = UndefinedGradBackward((o._edge(),), ((o._data.shape, o._data.dtype),))
    return Tensor._make(o._data, True, node, 0)


def _check_undefined_grads(func, tupled: tuple, diff_inputs: tuple) -> None:
    """torch's ``_test_undefined_backward_mode``: backward must accept None output grads
    (all of them, then each one in turn) and give None or zero input grads."""
    first = _differentiable_outputs(func(*tupled))
    cases = [[_undefined(o) for o in first]]
    if len(first) > 1:
        for k in range(len(first)):
            outs = _differentiable_outputs(func(*tupled))
            cases.append([_undefined(o) if i == k else o for i, o in enumerate(outs)])
    for outs in cases:
        zeros = [Tensor._make(np.zeros(o._data.shape, dtype=o._data.dtype)) for o in outs]
        try:
            grads = grad(outs, diff_inputs, zeros, allow_unused=True)
        except RuntimeError as exc:
            warnings.warn(_errors.GRADCHECK_UNDEFINED_WARNING, UserWarning, stacklevel=4)
            raise GradcheckError(_errors.GRADCHECK_UNDEFINED_RAISED) from exc
        if any(g is not None and np.any(g._data != 0) for g in grads):
            warnings.warn(_errors.GRADCHECK_UNDEFINED_WARNING, UserWarning, stacklevel=4)
            raise GradcheckError(_errors.GRADCHECK_UNDEFINED_NOT_ZERO)


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
    element. As torch, it also checks that backward gives the same result twice (to
    ``nondet_tol``), that zero grad_outputs give zero gradients, and (``check_undefined_grad``)
    that backward accepts None grad_outputs. Returns True, or raises ``GradcheckError``
    (returns False when ``raise_exception=False``). ``fast_mode`` gives the same verdicts
    (minigrad always builds the full Jacobians).

    Example:
        >>> import minigrad as mg
        >>> x = mg.tensor([3.0], dtype=mg.float64, requires_grad=True)
        >>> mg.autograd.gradcheck(mg.sin, (x,))
        True
    """
    tupled = _as_tuple(inputs)
    diff_idx = _check_inputs(tupled)
    settings = {"eps": eps, "atol": atol, "rtol": rtol, "nondet_tol": nondet_tol,
                "fast_mode": fast_mode}  # fmt: skip
    try:
        outputs = _as_tuple(func(*tupled))
        _check_jacobians(func, tupled, diff_idx, outputs, settings)
        diff_inputs = tuple(tupled[i] for i in diff_idx)
        diff_outputs = _differentiable_outputs(outputs)
        if diff_outputs:
            _check_multiplied_by_grad_output(diff_outputs, diff_inputs)
            if check_undefined_grad:
                _check_undefined_grads(func, tupled, diff_inputs)
    except GradcheckError:
        if raise_exception:
            raise
        return False
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
        nondet_tol=nondet_tol,
        check_undefined_grad=check_undefined_grad,
        fast_mode=fast_mode,
    )


def get_numerical_jacobian(fn, inputs, target=None, eps: float = 1e-3, grad_out: float = 1.0):
    """Deprecated torch helper: the Jacobians of ``fn(inputs)``'s first output w.r.t. the
    ``target`` inputs that require grad, by central differences."""
    warnings.warn(_errors.GRADCHECK_PRIVATE_API_WARNING.format("get_numerical_jacobian"),
                  FutureWarning, stacklevel=2)  # fmt: skip
    if grad_out != 1.0:
        raise ValueError(_errors.GRADCHECK_GRAD_OUT.format("get_numerical_jacobian"))
    inputs = _as_tuple(inputs)
    targets = _as_tuple(inputs if target is None else target)
    wanted = [t for t in targets if isinstance(t, Tensor) and t._requires_grad]
    idx = [i for i, x in enumerate(inputs) if any(x is t for t in wanted)]
    jacobians = _numerical_jacobians(lambda *xs: fn(xs), inputs, idx, eps)
    return tuple(_tensor(per_output[0]) for per_output in jacobians)


def get_analytical_jacobian(inputs, output, nondet_tol: float = 0.0, grad_out: float = 1.0):
    """Deprecated torch helper: ``(jacobians, reentrant, sizes_ok, types_ok)`` of ``output``
    w.r.t. the inputs that require grad, from backward (run twice)."""
    warnings.warn(_errors.GRADCHECK_PRIVATE_API_WARNING.format("get_analytical_jacobian"),
                  FutureWarning, stacklevel=2)  # fmt: skip
    if grad_out != 1.0:
        raise ValueError(_errors.GRADCHECK_GRAD_OUT.format("get_analytical_jacobian"))
    diff_inputs = tuple(x for x in _as_tuple(inputs) if isinstance(x, Tensor) and x._requires_grad)
    first, sizes_ok = _jacobian_rows(output, diff_inputs)
    second, _ = _jacobian_rows(output, diff_inputs)
    reentrant = _jacobians_equal(first, second, nondet_tol)
    return tuple(_tensor(j) for j in first), reentrant, sizes_ok, True
