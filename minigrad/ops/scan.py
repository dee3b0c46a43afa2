"""Products and scans: ``prod`` (whole or along a dim), ``cumsum``, ``cumprod`` and ``flip``.

They live together because torch differentiates a product that contains a zero through
them: ``prod``'s gradient is then built from exclusive cumulative products (no division
by zero), and ``cumprod``'s own gradient, when it is differentiated again, is an explicit
O(n²) sum. minigrad records exactly the same operations, so the second and third
derivatives of a product with zeros have torch's values *and* torch's graph.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor([2.0, 0.0, 3.0], requires_grad=True)
    >>> (g,) = mg.autograd.grad(x.prod(), x, create_graph=True)
    >>> g                     # d/dx_i Π x = product of the others
    tensor([0., 6., 0.], grad_fn=<ViewBackward0>)
"""

from __future__ import annotations

import numpy as np

from ..autograd.grad_mode import _state
from ..autograd.graph import Node
from ..autograd.saved import SavedAttr, save, save_result
from ..tensor import Tensor
from ._layout import preserved, standard
from ._sizes import normalize_dim
from .arithmetic import div, mul
from .inplace import setitem
from .record import plain, record
from .reduction import sum as reduce_sum
from .shape import cat, expand, narrow, slice_dim, unsqueeze, view

__all__ = ["prod", "cumsum", "cumprod", "flip"]


# -- flip ----------------------------------------------------------------------------------
class FlipBackward0(Node):
    """d flip(self, dims) = flip(grad, dims)."""

    __slots__ = ("s_dims",)
    _saved_dims = SavedAttr("s_dims")

    def apply(self, grads):
        return (flip(grads[0], self.s_dims),)


def flip(a: Tensor, dims) -> Tensor:
    """Math: the elements in reverse order along each of ``dims`` (a copy, as in torch)."""
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    nd = a._data.ndim
    norm = tuple(normalize_dim(d, nd) for d in dims)
    data = preserved(np.flip(a._data, norm).copy(), a._data) if nd else a._data.copy()
    out = record(data, FlipBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_dims = norm
    return out


# -- cumsum --------------------------------------------------------------------------------
def _scan(data: np.ndarray, dim: int, fn) -> np.ndarray:
    return data.copy() if data.ndim == 0 else fn(data, axis=dim)


class CumsumBackward0(Node):
    """d cumsum(self, dim) = the reversed cumulative sum of grad."""

    __slots__ = ("s_dim",)
    _saved_dim = SavedAttr("s_dim")

    def apply(self, grads):
        g = grads[0]
        # torch's cumsum_backward: trivial for one element along dim
        if g._data.size <= 1 or g._data.ndim and g._data.shape[self.s_dim] == 1:
            return (g,)
        return (_reversed_cumsum(g, self.s_dim),)


def cumsum(a: Tensor, dim: int) -> Tensor:
    """Math: y_k = Σ_{j ≤ k} a_j along ``dim``."""
    d = normalize_dim(dim, a._data.ndim)
    out = record(standard(_scan(a._data, d, np.cumsum)), CumsumBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_dim = d
    return out


def _reversed_cumsum(w: Tensor, dim: int) -> Tensor:
    """torch's ``reversed_cumsum``: Σ_{j ≥ k} w_j, as flip · cumsum · flip (recorded)."""
    return flip(cumsum(flip(w, (dim,)), dim), (dim,))


# -- cumprod -------------------------------------------------------------------------------
class CumprodBackward0(Node):
    """d cumprod(self, dim): see :func:`cumprod_backward`."""

    __slots__ = ("s_self", "s_dim", "s_result")
    _saved = ("s_self", "s_result")
    _saved_self = SavedAttr("s_self")
    _saved_dim = SavedAttr("s_dim")
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        x, result = self._saved_self, self._saved_result  # unpacked (and checked) first
        return (cumprod_backward(grads[0], x, self.s_dim, result),)


def cumprod(a: Tensor, dim: int) -> Tensor:
    """Math: y_k = Π_{j ≤ k} a_j along ``dim``."""
    d = normalize_dim(dim, a._data.ndim)
    out = record(standard(_scan(a._data, d, np.cumprod)), CumprodBackward0, (a,))
    if out._grad_fn is not None:
        out._grad_fn.s_self = save(a)
        out._grad_fn.s_dim = d
        out._grad_fn.s_result = save_result(out)
    return out


def cumprod_backward(grad: Tensor, x: Tensor, dim: int, output: Tensor) -> Tensor:
    """torch's ``cumprod_backward``. Without zeros: reversed_cumsum(output·grad) / x.

    With a zero and grad mode off, only values are needed (computed directly); with grad
    mode on (``create_graph=True``), torch's twice-differentiable O(n²) formula is recorded:
    for each k, Σ_{j ≥ k} grad_j · Π_{i ≤ j, i ≠ k} x_i from slices, prod, cumprod and cat,
    copied into ``grad_input.select(dim, k)``.
    """
    if x._data.size <= 1:
        return grad
    dim = normalize_dim(dim, x._data.ndim)
    n = x._data.shape[dim]
    if n == 1:
        return grad
    w = mul(output, grad)
    if not (x._data == 0).any():
        return div(_reversed_cumsum(w, dim), x)
    if not _state.enabled:
        return plain(_cumprod_grad_values(grad._data, x._data, dim))
    dt = grad._data.dtype
    grad_input = plain(np.zeros(x._data.shape, dtype=dt))
    ones_size = list(x._data.shape)
    ones_size[dim] = 1
    ones = plain(np.broadcast_to(np.ones((1,), dtype=dt), ones_size))  # at::ones({1}).expand
    for k in range(n):
        if k == 0:
            omitted = cat([ones, cumprod(slice_dim(x, dim, k + 1), dim)], dim)
        elif k == n - 1:
            omitted = prod(slice_dim(x, dim, 0, k), dim, True)
        else:
            until = prod(slice_dim(x, dim, 0, k), dim, True)
            after = cumprod(slice_dim(x, dim, k + 1), dim)
            omitted = cat([until, mul(expand(until, after._data.shape), after)], dim)
        grad_slice = reduce_sum(mul(slice_dim(grad, dim, k), omitted), dim)
        # grad_input.select(dim, k).copy_(grad_slice): CopySlices on grad_input
        setitem(grad_input, (slice(None),) * dim + (k,), grad_slice)
    return grad_input


def _cumprod_grad_values(g: np.ndarray, x: np.ndarray, dim: int) -> np.ndarray:
    """torch's O(n) cumprod gradient for inputs with zeros (grad mode off), row by row:
    before the first zero z1, reversed_cumsum(output·grad)/x over that stretch only; at z1,
    Σ_{z1 ≤ j < z2} grad_j · Π_{i ≤ j, i ≠ z1} x_i; after z1, exactly 0. (So an inf in grad
    past a zero gives 0, not 0·inf = NaN.)"""
    xm, gm = np.moveaxis(x, dim, -1), np.moveaxis(g, dim, -1)
    out = np.zeros(np.broadcast_shapes(xm.shape, gm.shape), dtype=g.dtype)
    gm = np.broadcast_to(gm, out.shape)
    xm = np.broadcast_to(xm, out.shape)
    for idx in np.ndindex(out.shape[:-1]):
        xr, gr = xm[idx], gm[idx]
        zeros = np.flatnonzero(xr == 0)
        z1 = int(zeros[0]) if zeros.size else xr.size
        z2 = int(zeros[1]) if zeros.size > 1 else xr.size
        before = np.cumprod(xr[:z1])  # the output before the first zero
        w = before * gr[:z1]
        out[idx][:z1] = np.cumsum(w[::-1])[::-1] / xr[:z1]
        if z1 < xr.size:
            tail = np.cumprod(xr[z1 + 1 : z2])  # Π_{z1 < i ≤ j} x_i
            inner = gr[z1] + (gr[z1 + 1 : z2] * tail).sum()
            out[idx][z1] = inner * (before[-1] if z1 else 1)
    return np.moveaxis(out, -1, dim)


# -- prod ----------------------------------------------------------------------------------
class ProdBackward0(Node):
    """d prod(self) = grad·prod/self without zeros; torch's zero-safe products with them."""

    __slots__ = ("s_self", "s_result")
    _saved = ("s_self", "s_result")
    _saved_self = SavedAttr("s_self")
    _saved_result = SavedAttr("s_result")

    def apply(self, grads):
        x, result = self._saved_self, self._saved_result  # unpacked (and checked) first
        g = grads[0]
        if x._data.ndim == 0:
            return (g,)
        zeros = int((x._data == 0).sum())
        if zeros == 0:
            return (mul(g, div(result, x)),)
        if not _state.enabled and zeros > 1:
            return (plain(np.zeros(x._data.shape, dtype=g._data.dtype)),)
        flat = view(x.contiguous(), (-1,))
        return (view(_prod_safe_zeros_backward(g, flat, 0), x._data.shape),)


class ProdBackward1(Node):
    """d prod(self, dim, keepdim): as ``ProdBackward0`` along one dim."""

    __slots__ = ("s_self", "s_result", "s_dim", "s_keepdim")
    _saved = ("s_self", "s_result")
    _saved_self = SavedAttr("s_self")
    _saved_result = SavedAttr("s_result")
    _saved_dim = SavedAttr("s_dim")
    _saved_keepdim = SavedAttr("s_keepdim")

    def apply(self, grads):
        x, result = self._saved_self, self._saved_result  # unpacked (and checked) first
        g = grads[0]
        if x._data.ndim == 0:
            return (g,)
        dim = self.s_dim
        if not self.s_keepdim:
            g, result = unsqueeze(g, dim), unsqueeze(result, dim)
        if not (x._data == 0).any():
            return (mul(g, div(result, x)),)
        return (_prod_safe_zeros_backward(g, x, dim),)


def prod(a: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Math: Π a over all elements, or along ``dim`` (``ProdBackward1``)."""
    if dim is None:
        out = record(np.asarray(np.prod(a._data)), ProdBackward0, (a,))
    else:
        d = normalize_dim(dim, a._data.ndim)
        data = a._data.copy() if a._data.ndim == 0 else np.prod(a._data, axis=d, keepdims=keepdim)
        out = record(standard(np.asarray(data)), ProdBackward1, (a,))
        if out._grad_fn is not None:
            out._grad_fn.s_dim, out._grad_fn.s_keepdim = d, bool(keepdim)
    if out._grad_fn is not None:
        out._grad_fn.s_self = save(a)
        out._grad_fn.s_result = save_result(out)
    return out


def _prod_safe_zeros_backward(grad: Tensor, inp: Tensor, dim: int) -> Tensor:
    """torch's ``prod_safe_zeros_backward``: grad · (exclusive cumprod from the left ·
    exclusive cumprod from the right), so a zero divides nothing."""
    n = inp._data.shape[dim]
    if inp._data.size == 0:
        return expand(grad, inp._data.shape)
    if n == 1:
        return grad  # the product of no other elements: the gradient itself
    ones_size = list(inp._data.shape)
    ones_size[dim] = 1
    ones = plain(np.ones(ones_size, dtype=grad._data.dtype))
    normal = cumprod(cat([ones, narrow(inp, dim, 0, n - 1)], dim), dim)
    reverse = flip(narrow(inp, dim, 1, n - 1), (dim,))
    reverse = flip(cumprod(cat([ones, reverse], dim), dim), (dim,))
    return mul(grad, mul(normal, reverse))
