"""Matrix products: mm, mv, dot, addmm and matmul (which dispatches to them like torch).

The backward of ``mm`` depends on the memory layout of the input, exactly as in torch:
for a column-major input (e.g. ``weight.t()``) the gradient is computed as a transposed
product. The values are the same either way; the recorded double-backward graph differs,
and minigrad records the same one as torch.
"""

from __future__ import annotations

import numpy as np

from ..autograd.grad_mode import no_grad as _no_record
from ..autograd.graph import Node
from ._util import SavedAttr, Tensor, record, save
from .pointwise import _mul_scalar, mul

__all__ = ["mm", "mv", "dot", "addmm", "matmul", "bmm"]


def _column_major(sizes: tuple, strides: tuple) -> bool:
    # torch's test in mm_mat1_backward / mm_mat2_backward.
    return len(sizes) == 2 and strides[0] == 1 and strides[1] == sizes[0]


def _elem_strides(a: np.ndarray) -> tuple:
    return tuple(s // a.itemsize for s in a.strides)


def _mat1_backward(grad: Tensor, mat2: Tensor, sizes, strides, alpha) -> Tensor:
    from .shape import t

    if _column_major(sizes, strides):
        out = t(mm(mat2, t(grad)))
    else:
        out = mm(grad, t(mat2))
    return out if alpha == 1 else _mul_scalar(out, alpha)


def _mat2_backward(grad: Tensor, mat1: Tensor, sizes, strides, alpha) -> Tensor:
    from .shape import t

    if _column_major(sizes, strides):
        out = t(mm(t(grad), mat1))
    else:
        out = mm(t(mat1), grad)
    return out if alpha == 1 else _mul_scalar(out, alpha)


def _check_mm(a: Tensor, b: Tensor) -> None:
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a._data.shape[1] != b._data.shape[0]:
        (n, m), (p, q) = a._data.shape, b._data.shape
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{m} and {p}x{q})")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_c_name(a)} != {_c_name(b)}"
        )


def _c_name(t: Tensor) -> str:
    return {"float32": "float", "float64": "double", "int64": "long int"}.get(
        t.dtype.name, t.dtype.name
    )


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
    out = record(a._data @ b._data, MmBackward0, (a, b))
    node = out._grad_fn
    if node is not None:
        node.s_self = save(a) if b._requires_grad else None
        node.s_mat2 = save(b) if a._requires_grad else None
        node.s_self_sizes = a._data.shape
        node.s_self_strides = _elem_strides(a._data)
        node.s_mat2_sizes = b._data.shape
        node.s_mat2_strides = _elem_strides(b._data)
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
            gs = g if self.s_beta == 1 else _mul_scalar(g, self.s_beta)
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
    _check_mm(mat1, mat2)
    from .shape import expand

    out_shape = (mat1._data.shape[0], mat2._data.shape[1])
    if bias._data.shape != out_shape:
        with _no_record():
            expand(bias, out_shape)  # raises torch's "expanded size" error if it cannot
    prod = mat1._data @ mat2._data
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
        node.s_mat1_strides = _elem_strides(mat1._data)
        node.s_mat2_sizes = mat2._data.shape
        node.s_mat2_strides = _elem_strides(mat2._data)
    return out


class MvBackward0(Node):
    """d(self @ vec) = outer(grad, vec), selfᵀ @ grad."""

    __slots__ = ("s_self", "s_vec")
    _saved = ("s_self", "s_vec")
    _saved_self = SavedAttr("s_self")
    _saved_vec = SavedAttr("s_vec")

    def apply(self, grads):
        from .shape import reshape, t

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
            f"size mismatch, got input ({a._data.shape[0] if a._data.ndim else 0}), "
            f"mat ({'x'.join(map(str, a._data.shape))}), vec ({v._data.shape[0] if v._data.ndim else 0})"
        )
    out = record(a._data @ v._data, MvBackward0, (a, v))
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
        raise RuntimeError(
            f"1D tensors expected, but got {a._data.ndim}D and {b._data.ndim}D tensors"
        )
    if a._data.shape != b._data.shape:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a._data.shape[0]}] and src [{b._data.shape[0]}] to have the same "
            f"number of elements, but got {a._data.shape[0]} and {b._data.shape[0]} elements respectively"
        )
    out = record(np.dot(a._data, b._data), DotBackward0, (a, b))
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
        from .shape import transpose

        (g,) = grads
        gb = bmm(transpose(self._saved_self, 1, 2), g) if self._needs(1) else None
        ga = bmm(g, transpose(self._saved_mat2, 1, 2)) if self._needs(0) else None
        return ga, gb


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Math: a batch of matrix products of two 3-D tensors."""
    if a._data.ndim != 3 or b._data.ndim != 3:
        raise RuntimeError("batch1 and batch2 must be 3D tensors")
    out = record(np.matmul(a._data, b._data), BmmBackward0, (a, b))
    node = out._grad_fn
    if node is not None:
        node.s_self = save(a) if b._requires_grad else None
        node.s_mat2 = save(b) if a._requires_grad else None
    return out


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Math: the matrix product, dispatched by dimensions as ``torch.matmul``.

    1-D·1-D → ``dot``; 2-D·2-D → ``mm``; 2-D·1-D → ``mv``; 1-D·2-D → ``unsqueeze``, ``mm``,
    ``squeeze_``; N-D·(1 or 2)-D → folded into one ``mm``/``mv``; otherwise ``bmm``.
    """
    from .shape import _squeeze_inplace_dim, _unsafe_view, expand, reshape, unsqueeze

    da, db = a._data.ndim, b._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if da == 1 and db == 1:
        return dot(a, b)
    if da == 2 and db == 1:
        return mv(a, b)
    if da == 1 and db == 2:
        return _squeeze_inplace_dim(mm(unsqueeze(a, 0), b), 0)
    if da == 2 and db == 2:
        return mm(a, b)
    if da >= 3 and db in (1, 2):
        lead = a._data.shape[:-1]
        folded = reshape(a, (int(np.prod(lead)), a._data.shape[-1]))
        if db == 2:
            return _unsafe_view(mm(folded, b), lead + (b._data.shape[1],))
        return _unsafe_view(mv(folded, b), lead)
    # Batched: broadcast the batch dimensions and use bmm.
    a2 = unsqueeze(a, 0) if da == 1 else a
    b2 = unsqueeze(b, -1) if db == 1 else b
    n, m1 = a2._data.shape[-2:]
    m2, p = b2._data.shape[-2:]
    batch = np.broadcast_shapes(a2._data.shape[:-2], b2._data.shape[:-2])
    size = int(np.prod(batch))
    ea = reshape(expand(a2, batch + (n, m1)), (size, n, m1))
    eb = reshape(expand(b2, batch + (m2, p)), (size, m2, p))
    shape = batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ())
    return _unsafe_view(bmm(ea, eb), shape)
