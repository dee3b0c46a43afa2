"""Matrix products: mm, mv, dot, addmm and matmul (which dispatches to them like torch).

The backward of ``mm`` depends on the memory layout of the input, exactly as in torch:
for a column-major input (e.g. ``weight.t()``) the gradient is computed as a transposed
product. The values are the same either way; the recorded double-backward graph differs,
and minigrad records the same one as torch.
"""

from __future__ import annotations

import numpy as np

from .. import _errors
from .._type_names import c_type, scalar_type
from ..autograd.grad_mode import no_grad as _no_record
from ..autograd.graph import Node
from ..autograd.saved import SavedAttr, save
from ..tensor import Tensor
from ._layout import elem_strides
from .arithmetic import mul, mul_scalar
from .record import record
from .shape import _unsafe_view, expand, reshape, squeeze, t, transpose, unsqueeze
from .shape_inplace import squeeze_

__all__ = ["mm", "mv", "dot", "addmm", "matmul", "bmm"]


def _product(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x @ y`` without numpy's floating-point warnings (torch gives inf/NaN silently)."""
    with np.errstate(all="ignore"):
        return np.matmul(x, y)


def _column_major(sizes: tuple, strides: tuple) -> bool:
    # torch's test in mm_mat1_backward / mm_mat2_backward.
    return len(sizes) == 2 and strides[0] == 1 and strides[1] == sizes[0]


def _mat1_backward(grad: Tensor, mat2: Tensor, sizes, strides, alpha) -> Tensor:
    if _column_major(sizes, strides):
        out = t(mm(mat2, t(grad)))
    else:
        out = mm(grad, t(mat2))
    return out if alpha == 1 else mul_scalar(out, alpha)


def _mat2_backward(grad: Tensor, mat1: Tensor, sizes, strides, alpha) -> Tensor:
    if _column_major(sizes, strides):
        out = t(mm(t(grad), mat1))
    else:
        out = mm(t(mat1), grad)
    return out if alpha == 1 else mul_scalar(out, alpha)


def _check_mm(a: Tensor, b: Tensor) -> None:
    if a._data.ndim != 2:
        raise RuntimeError(_errors.MM_SELF_NOT_MATRIX)
    if b._data.ndim != 2:
        raise RuntimeError(_errors.MM_MAT2_NOT_MATRIX)
    if a._data.shape[1] != b._data.shape[0]:
        (n, m), (p, q) = a._data.shape, b._data.shape
        raise RuntimeError(_errors.MM_SHAPES.format(n, m, p, q))
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(_errors.MM_DTYPES.format(c_type(a.dtype), c_type(b.dtype)))


class MmBackward0(Node):
    """d(self @ mat2) = grad @ mat2ᵀ, selfᵀ @ grad."""

    __slots__ = ("s_self", "s_mat2", "s_self_sizes", "s_self_strides", "s_mat2_sizes",
                 "s_mat2_strides")  # fmt: skip
    _saved = ("s_self", "s_mat2")
    _saved_self = SavedAttr("s_self")
    _saved_mat2 = SavedAttr("s_mat2")
    _saved_self_sym_sizes = SavedAttr("s_self_sizes")
    _saved_self_sym_strides = SavedAttr("s_self_strides")
    _saved_mat2_sym_sizes = SavedAttr("s_mat2_sizes")
    _saved_mat2_sym_strides = SavedAttr("s_mat2_strides")

    def apply(self, grads):
        (g,) = grads
        ga = gb = None
        if self._needs(1):  # "mat2" before "self", as torch
            gb = _mat2_backward(g, self._saved_self, self.s_mat2_sizes, self.s_mat2_strides, 1)
        if self._needs(0):
            ga = _mat1_backward(g, self._saved_mat2, self.s_self_sizes, self.s_self_strides, 1)
        return ga, gb


def mm(a: Tensor, b: Tensor) -> Tensor:
    """Math: the matrix product of two 2-D tensors."""
    _check_mm(a, b)
    out = record(_product(a._data, b._data), MmBackward0, (a, b))
    node = out._grad_fn
    if node is not None:
        node.s_self = save(a) if b._requires_grad else None
        node.s_mat2 = save(b) if a._requires_grad else None
        node.s_self_sizes = a._data.shape
        # torch keeps an input's strides only when that input needs a gradient.
        node.s_self_strides = elem_strides(a._data) if a._requires_grad else ()
        node.s_mat2_sizes = b._data.shape
        node.s_mat2_strides = elem_strides(b._data) if b._requires_grad else ()
    return out


class AddmmBackward0(Node):
    """d(beta·self + alpha·mat1 @ mat2) = beta·grad, alpha·grad @ mat2ᵀ, alpha·mat1ᵀ @ grad."""

    __slots__ = ("s_mat1", "s_mat2", "s_alpha", "s_beta", "s_mat1_sizes", "s_mat1_strides",
                 "s_mat2_sizes", "s_mat2_strides")  # fmt: skip
    _saved = ("s_mat1", "s_mat2")
    _saved_mat1 = SavedAttr("s_mat1")
    _saved_mat2 = SavedAttr("s_mat2")
    _saved_alpha = SavedAttr("s_alpha")
    _saved_beta = SavedAttr("s_beta")
    _saved_mat1_sym_sizes = SavedAttr("s_mat1_sizes")
    _saved_mat1_sym_strides = SavedAttr("s_mat1_strides")
    _saved_mat2_sym_sizes = SavedAttr("s_mat2_sizes")
    _saved_mat2_sym_strides = SavedAttr("s_mat2_strides")

    def apply(self, grads):
        (g,) = grads
        gs = g1 = g2 = None
        if self._needs(0):
            gs = g if self.s_beta == 1 else mul_scalar(g, self.s_beta)
        if self._needs(1):
            g1 = _mat1_backward(
                g, self._saved_mat2, self.s_mat1_sizes, self.s_mat1_strides, self.s_alpha
            )
        if self._needs(2):
            g2 = _mat2_backward(
                g, self._saved_mat1, self.s_mat2_sizes, self.s_mat2_strides, self.s_alpha
            )
        return gs, g1, g2


def addmm(bias: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """Math: beta·bias + alpha·(mat1 @ mat2); what ``nn.Linear`` computes."""
    # torch checks the dtypes first: self (bias) against mat2, then mat1 against mat2.
    for name, x in (("self", bias), ("mat1", mat1)):
        if x._data.dtype != mat2._data.dtype:
            raise RuntimeError(
                _errors.ADDMM_DTYPES.format(name, scalar_type(x.dtype), scalar_type(mat2.dtype))
            )
    for name, x in (("mat1", mat1), ("mat2", mat2)):  # addmm's own words, not mm's
        if x._data.ndim != 2:
            raise RuntimeError(_errors.ADDMM_NOT_MATRIX.format(name, x._data.ndim))
    _check_mm(mat1, mat2)

    out_shape = (mat1._data.shape[0], mat2._data.shape[1])
    if bias._data.shape != out_shape:
        with _no_record():
            expand(bias, out_shape)  # raises torch's "expanded size" error if it cannot
    prod = _product(mat1._data, mat2._data)
    if alpha != 1:
        prod = prod * alpha
    b = bias._data if beta == 1 else bias._data * beta
    data = np.asarray(b + prod, dtype=prod.dtype)
    out = record(data, AddmmBackward0, (bias, mat1, mat2))
    node = out._grad_fn
    if node is not None:
        node.s_mat1 = save(mat1) if mat2._requires_grad else None
        node.s_mat2 = save(mat2) if mat1._requires_grad else None
        node.s_alpha, node.s_beta = alpha, beta
        node.s_mat1_sizes = mat1._data.shape
        # torch keeps an input's strides only when that input needs a gradient.
        node.s_mat1_strides = elem_strides(mat1._data) if mat1._requires_grad else ()
        node.s_mat2_sizes = mat2._data.shape
        node.s_mat2_strides = elem_strides(mat2._data) if mat2._requires_grad else ()
    return out


class MvBackward0(Node):
    """d(self @ vec) = outer(grad, vec), selfᵀ @ grad."""

    __slots__ = ("s_self", "s_vec")
    _saved = ("s_self", "s_vec")
    _saved_self = SavedAttr("s_self")
    _saved_vec = SavedAttr("s_vec")

    def apply(self, grads):
        (g,) = grads
        ga = gb = None
        if self._needs(0):
            # torch's outer(): grad.reshape(n, 1) * vec
            ga = mul(reshape(g, (g._data.shape[0], 1)), self._saved_vec)
        if self._needs(1):
            gb = mv(t(self._saved_self), g)
        return ga, gb


def mv(a: Tensor, v: Tensor) -> Tensor:
    """Math: matrix @ vector."""
    if a._data.ndim != 2 or v._data.ndim != 1 or a._data.shape[1] != v._data.shape[0]:
        raise RuntimeError(
            _errors.MV_SIZES.format(
                a._data.shape[0] if a._data.ndim else 0,
                "x".join(map(str, a._data.shape)),
                v._data.shape[0] if v._data.ndim else 0,
            )
        )
    if a._data.dtype != v._data.dtype:
        # torch's mv is addmv into a result of vec's dtype: (result, mat, vec)
        raise RuntimeError(
            _errors.MV_DTYPES.format(
                scalar_type(v.dtype), scalar_type(a.dtype), scalar_type(v.dtype)
            )
        )
    out = record(_product(a._data, v._data), MvBackward0, (a, v))
    node = out._grad_fn
    if node is not None:
        node.s_self = save(a) if v._requires_grad else None
        node.s_vec = save(v) if a._requires_grad else None
    return out


class DotBackward0(Node):
    """d(self · tensor) = grad·tensor, grad·self."""

    __slots__ = ("s_self", "s_tensor")
    _saved = ("s_self", "s_tensor")
    _saved_self = SavedAttr("s_self")
    _saved_tensor = SavedAttr("s_tensor")

    def apply(self, grads):
        (g,) = grads
        return (
            mul(g, self._saved_tensor) if self._needs(0) else None,
            mul(g, self._saved_self) if self._needs(1) else None,
        )


def dot(a: Tensor, b: Tensor) -> Tensor:
    """Math: Σ a_i b_i for two 1-D tensors."""
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(_errors.DOT_NOT_1D.format(a._data.ndim, b._data.ndim))
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(_errors.DOT_DTYPES.format(scalar_type(a.dtype), scalar_type(b.dtype)))
    if a._data.shape != b._data.shape:
        n, m = a._data.shape[0], b._data.shape[0]
        raise RuntimeError(_errors.DOT_SIZES.format(n, m, n, m))
    out = record(_product(a._data, b._data), DotBackward0, (a, b))
    node = out._grad_fn
    if node is not None:
        node.s_self = save(a) if b._requires_grad else None
        node.s_tensor = save(b) if a._requires_grad else None
    return out


class BmmBackward0(Node):
    """d(self @ mat2) batched = grad @ mat2ᵀ, selfᵀ @ grad."""

    __slots__ = ("s_self", "s_mat2")
    _saved = ("s_self", "s_mat2")
    _saved_self = SavedAttr("s_self")
    _saved_mat2 = SavedAttr("s_mat2")

    def apply(self, grads):
        (g,) = grads
        gb = bmm(transpose(self._saved_self, 1, 2), g) if self._needs(1) else None
        ga = bmm(g, transpose(self._saved_mat2, 1, 2)) if self._needs(0) else None
        return ga, gb


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Math: a batch of matrix products of two 3-D tensors."""
    if a._data.ndim != 3 or b._data.ndim != 3:
        raise RuntimeError(_errors.BMM_NOT_3D)
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(_errors.BMM_DTYPES.format(scalar_type(a.dtype), scalar_type(b.dtype)))
    out = record(_product(a._data, b._data), BmmBackward0, (a, b))
    node = out._grad_fn
    if node is not None:
        node.s_self = save(a) if b._requires_grad else None
        node.s_mat2 = save(b) if a._requires_grad else None
    return out


def _should_fold(a: Tensor, b: Tensor) -> bool:
    """torch's ``should_fold``: fold the larger tensor's batch into one mm/mv?

    Only for an N-D (N >= 3) tensor against a 1-D or 2-D one; always when the smaller one
    requires grad (a smaller gradient in backward), otherwise only if the fold is a view.
    """
    da, db = a._data.ndim, b._data.ndim
    a_larger = da >= db
    big = a._data if a_larger else np.swapaxes(b._data, -1, -2)
    if not (big.ndim >= 3 and min(da, db) <= 2):
        return False
    if (b if a_larger else a)._requires_grad:
        return True
    if da == 2:
        return False  # mm on the transposed tensor would need a copy afterwards
    if big.size == 0:
        return True
    shape, strides = big.shape, elem_strides(big)
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(big.ndim - 2))


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Math: the matrix product, dispatched by dimensions as ``torch.matmul``.

    1-D·1-D → ``dot``; 2-D·2-D → ``mm``; 2-D·1-D → ``mv``; 1-D·2-D → ``unsqueeze``, ``mm``,
    ``squeeze_``; N-D against 1-D/2-D → folded into one ``mm``/``mv`` when torch folds
    (``_should_fold``); otherwise broadcast batches and ``bmm``, exactly as torch records it.
    """
    da, db = a._data.ndim, b._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(_errors.MATMUL_0D.format(da, db))
    if da == 1 and db == 1:
        return dot(a, b)
    if da == 2 and db == 1:
        return mv(a, b)
    if da == 1 and db == 2:
        return squeeze_(mm(unsqueeze(a, 0), b), 0)
    if da == 2 and db == 2:
        return mm(a, b)
    if _should_fold(a, b):
        swap = db > da  # fold b: compute (bᵀ @ aᵀ)ᵀ
        t1 = transpose(b, -2, -1) if swap else a
        t2 = (t(a) if da == 2 else a) if swap else b
        lead = t1._data.shape[:-1]
        shape = lead + ((t2._data.shape[1],) if t2._data.ndim == 2 else ())
        folded = reshape(t1, (int(np.prod(lead)), t1._data.shape[-1]))
        if t2._data.ndim == 2:
            out = _unsafe_view(mm(folded, t2), shape)
            return transpose(out, -2, -1).contiguous() if swap else out
        return _unsafe_view(mv(folded, t2), shape)
    if da == 3 and db == 3 and a._data.shape[0] != b._data.shape[0]:
        # torch: a batch of one that requires grad is squeezed away (a smaller gradient).
        if a._data.shape[0] == 1 and a._requires_grad:
            return matmul(squeeze(a, 0), b)
        if b._data.shape[0] == 1 and b._requires_grad:
            return matmul(a, squeeze(b, 0))
    # Batched: broadcast the batch dimensions and use bmm.
    n = a._data.shape[-2] if da > 1 else 1
    m1 = a._data.shape[-1]
    m2 = b._data.shape[-2] if db > 1 else b._data.shape[0]
    p = b._data.shape[-1] if db > 1 else 1
    batch = tuple(
        np.broadcast_shapes(a._data.shape[: max(da - 2, 0)], b._data.shape[: max(db - 2, 0)])
    )
    size = int(np.prod(batch))
    ea = reshape(expand(a, batch + (n, m1)), (size, n, m1))
    shape = batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ())
    if db == 1:
        eb = unsqueeze(reshape(expand(b, batch + (m2,)), (size, m2)), 2)
        return _unsafe_view(squeeze(bmm(ea, eb), -1), shape)
    eb = reshape(expand(b, batch + (m2, p)), (size, m2, p))
    return _unsafe_view(bmm(ea, eb), shape)
