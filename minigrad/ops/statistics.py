"""Variance: ``var`` and ``var_mean`` (one node for both of its outputs).

Math: var(x) = Σ (x - mean)² / (N - correction), N the number of elements reduced;
correction=1 (``unbiased=True``, the default) is Bessel's correction.
d var / dx = 2 (x - mean) / (N - correction);  d mean / dx = 1 / N.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0, 4.0], requires_grad=True)
    >>> mg.var_mean(x)
    (tensor(2.3333, grad_fn=<VarMeanBackward0>), tensor(2.3333, grad_fn=<VarMeanBackward0>))
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import _errors
from ..autograd.graph import Node
from ..autograd.saved import SavedAttr, save
from ..tensor import Tensor
from . import masked, reduction, shape
from ._layout import standard
from .arithmetic import add, div_scalar, mul, mul_scalar, sub
from .compare import eq
from .multi_output import record_outputs
from .record import record

__all__ = ["var", "var_mean"]


def _arguments(a: Tensor, dim, unbiased, correction) -> tuple:
    """``(dims or None, correction)`` from torch's overloads (``var(x, True)`` included)."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        return None, correction
    return reduction._dims(dim, a._data.ndim), correction


def _reduced_count(a: Tensor, dims) -> int:
    if dims is None:
        return a._data.size
    return int(np.prod([a._data.shape[d] for d in dims])) if a._data.ndim else 1


def _welford_mean(x: np.ndarray, axis) -> np.ndarray:
    """The mean as torch's ``var_mean`` computes it, one element at a time (Welford):
    m += (x - m) / k. An infinite element before the last gives inf - inf = NaN there,
    where ``np.mean`` gives ±inf. Returned with the reduced dims kept (size 1)."""
    axes = tuple(range(x.ndim)) if axis is None else tuple(d % x.ndim for d in axis)
    kept = [d for d in range(x.ndim) if d not in axes]
    rows = np.transpose(x, kept + list(axes)).reshape([x.shape[d] for d in kept] + [-1])
    m = np.zeros(rows.shape[:-1])
    with np.errstate(invalid="ignore"):
        for k in range(rows.shape[-1]):
            m = m + (rows[..., k] - m) / (k + 1)
    return m.reshape([1 if d in axes else x.shape[d] for d in range(x.ndim)])


def _compute(a: Tensor, dims, correction, keepdim: bool, name: str) -> tuple:
    """The values (``var``, ``mean``), computed in float64 and rounded to ``a``'s dtype."""
    if a._data.dtype.kind != "f":
        raise RuntimeError(_errors.STD_VAR_DTYPE.format(name))
    n = _reduced_count(a, dims)
    dof = n - correction
    if dof <= 0:
        warnings.warn(_errors.DOF_WARNING.format(name), UserWarning, stacklevel=4)
    x = a._data.astype(np.float64)
    axis = None if dims is None or not a._data.ndim else dims
    keep = keepdim and dims is not None and bool(a._data.ndim)
    mean = reduction._np_mean(x, axis=axis, keepdims=True)
    if name == "var_mean" and not np.isfinite(x).all():
        mean = _welford_mean(x, axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.sum((x - mean) ** 2, axis=axis, keepdims=keep) / max(dof, 0)
    if not keep:
        mean = mean.reshape(var.shape)
    dt = a._data.dtype
    return standard(np.asarray(var, dtype=dt)), standard(np.asarray(mean, dtype=dt))


def var_backward(grad: Tensor, a: Tensor, dims, correction, keepdim: bool) -> Tensor:
    """torch's ``var_backward``: 2 / (N - correction) · grad · (a - mean)."""
    n = _reduced_count(a, dims)
    if a._data.ndim == 0 or dims is None:
        dof = n - correction
        if dof <= 0:  # 2 / 0: NaN where a equals its mean (0·inf), inf elsewhere
            special = masked.where(eq(a, reduction.mean(a)), np.nan, np.inf)
            return mul(grad, special)
        return mul(mul_scalar(grad, 2.0 / dof), sub(a, reduction.mean(a)))
    if not keepdim and a._data.ndim > 1:
        for d in sorted(dims):
            grad = shape.unsqueeze(grad, d)
    with np.errstate(divide="ignore"):
        scale = float(np.divide(2.0, n - correction))  # inf for no degrees of freedom
    return mul(mul_scalar(grad, scale), sub(a, reduction.mean(a, dims, keepdim=True)))


def mean_backward(grad: Tensor, a: Tensor, dims, keepdim: bool) -> Tensor:
    """torch's ``mean_backward``: grad spread back over the reduced elements, / N."""
    g = reduction._sum_backward(grad, a._data.shape, dims or (), keepdim)
    return div_scalar(g, _reduced_count(a, dims))


class VarBackward0(Node):
    """d var(self) = 2 (self - mean) / (N - correction) · grad."""

    __slots__ = ("s_self", "s_dim", "s_correction", "s_keepdim")
    _saved = ("s_self",)
    _saved_self = SavedAttr("s_self")
    _saved_dim = SavedAttr("s_dim")
    _saved_correction = SavedAttr("s_correction")
    _saved_keepdim = SavedAttr("s_keepdim")

    def apply(self, grads):
        a = self._saved_self
        return (var_backward(grads[0], a, self.s_dim, self.s_correction, self.s_keepdim),)


class VarMeanBackward0(VarBackward0):
    """d var_mean(self): var's gradient plus mean's, for whichever outputs got one."""

    __slots__ = ()

    def apply(self, grads):
        gvar, gmean = grads
        a = self._saved_self
        out = None
        if gvar is not None:
            out = var_backward(gvar, a, self.s_dim, self.s_correction, self.s_keepdim)
        if gmean is not None:
            aux = mean_backward(gmean, a, self.s_dim, self.s_keepdim)
            out = aux if out is None else add(out, aux)
        return (out,)


def _save(node, a: Tensor, dims, correction, keepdim: bool) -> None:
    node.s_self = save(a)
    node.s_dim, node.s_correction, node.s_keepdim = dims, correction, keepdim


def var(a: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """Math: Σ (a - mean)² / (N - correction), over all elements or along ``dim``."""
    dims, correction = _arguments(a, dim, unbiased, correction)
    value, _ = _compute(a, dims, correction, keepdim, "var")
    out = record(value, VarBackward0, (a,))
    if out._grad_fn is not None:
        _save(out._grad_fn, a, dims, correction, keepdim)
    return out


def var_mean(a: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``(var(a), mean(a))`` in one go, sharing one backward node."""
    dims, correction = _arguments(a, dim, unbiased, correction)
    outs, node = record_outputs(
        _compute(a, dims, correction, keepdim, "var_mean"), VarMeanBackward0, (a,)
    )
    if node is not None:
        _save(node, a, dims, correction, keepdim)
    return outs
