"""The memory layout (strides) torch gives a result, where numpy would choose another.

Layout is visible in autograd: ``reshape`` of a non-contiguous tensor records
``ReshapeAliasBackward0`` (or a clone) instead of ``ViewBackward0``, ``mm``'s backward takes
another route for a column-major input, and ``matmul``'s fold test reads strides, size-1
dims included. The rules here:

- element-wise ops (``torch_layout``): torch's TensorIterator. Operands of one shape that
  are all contiguous give a row-major result, all sharing dense strides give those strides;
  otherwise the dims are sorted by the operands' strides (the first operand that tells two
  dims apart wins; broadcast dims never decide). numpy falls back to C order instead;
- advanced indexing (``index_layout``): the same sort, over the source restrided to the
  result and the index tensors;
- reductions, cumsum, cumprod (``standard``): row-major, size-1 dims included;
- clone, flip, to (``preserved``): the input's own strides (torch's ``preserve_format``);
- views (``try_view``, ``strided``, ``expanded``): torch's strides for a view, size-1 dims
  included, where numpy may pick others;
- a leaf's ``.grad`` (``obeys_layout_contract``): when ``AccumulateGrad`` may keep a
  gradient as it is (``writeable_alias``: then on the very same memory, as torch keeps it);
- in-place writes (``overlaps_itself``, ``overlap``): torch's memory-overlap checks before
  an in-place op writes.

Math: a layout is a permutation of the dims; the result is dense in that order.

Example: for ``a = x.t()`` (non-contiguous) and a contiguous ``b``, ``(a + b)`` is laid out
like ``a`` and ``(b + a)`` like ``b``, as in torch; ``x.t() + 2`` of a (1, 2) ``x`` has
strides (1, 2).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = [
    "needs_layout", "torch_layout", "index_layout", "standard", "preserved", "elem_strides",
    "strided", "try_view", "expanded", "writeable_alias", "overlaps_itself", "overlap",
    "obeys_layout_contract", "contract_copy",
]  # fmt: skip


def needs_layout(out: np.ndarray, *arrays: np.ndarray) -> bool:
    """Whether numpy's layout of ``out`` may differ from torch's: some operand of a result
    with two or more dimensions does not have row-major strides, size-1 dims included
    (torch keeps their strides, e.g. ``(1, 2, 2)`` for ``(2, 1, 1)``, and matmul looks)."""
    if out.ndim < 2:
        return False
    for a in arrays:  # (an operand may be a Python float: see _promotion.as_array)
        if type(a) is np.ndarray and a.ndim >= 1 and not _standard(a):
            return True
    return False


def standard(out: np.ndarray) -> np.ndarray:
    """``out`` with row-major strides, size-1 dims included: torch's reductions, cumsum and
    cumprod allocate their result that way whatever the input's layout."""
    return out if _standard(out) else out.copy(order="C")


def preserved(out: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``out`` laid out like ``like`` (torch's ``preserve_format``, as ``clone``, ``flip`` and
    ``to`` use): the same strides if ``like`` is dense, else dense in its dims' order."""
    if _standard(like):
        return standard(out)
    if _dense(like):
        return _like(out, like)
    return _relayout(out, _permutation(out.shape, [like.strides]))


def _standard(a: np.ndarray) -> bool:
    """Exactly the strides of a fresh row-major array (an empty one counts as such)."""
    if not a.flags.c_contiguous:
        return False
    expected = a.itemsize
    for n, st in zip(reversed(a.shape), reversed(a.strides)):
        if st != expected and n != 0:
            return False
        expected *= n
    return True


def _operand_strides(a: np.ndarray, shape: tuple) -> tuple | None:
    """``a``'s strides broadcast to ``shape``: 0 where ``a`` is broadcast (torch's rule)."""
    if a.ndim == 0:
        return None  # a scalar never decides the order
    off = len(shape) - a.ndim
    return (0,) * off + tuple(
        0 if a.shape[i] == 1 and shape[off + i] != 1 else a.strides[i] for i in range(a.ndim)
    )


def _permutation(shape: tuple, strides: list) -> list:
    """torch's ``TensorIteratorBase::reorder_dimensions``: dims from fastest to slowest."""
    nd = len(shape)
    perm = list(range(nd - 1, -1, -1))

    def should_swap(d0: int, d1: int) -> int:
        for st in strides:
            s0, s1 = st[d0], st[d1]
            if s0 == 0 or s1 == 0:
                continue  # a broadcast dimension: ask the next operand
            if s0 < s1:
                return -1
            if s0 > s1:
                return 1
            if shape[d0] > shape[d1]:  # equal strides: the smaller dimension goes first
                return 1
        return 0

    for i in range(1, nd):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = should_swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    return perm


def _fast_setup(shape: tuple, arrays: tuple):
    """torch's fast path, for operands of one shape (no scalar among them): all contiguous
    gives a row-major result (``"contiguous"``); all sharing dense strides gives exactly
    those strides (that operand is returned). None: the general path."""
    if not arrays or any(type(a) is not np.ndarray or a.shape != shape for a in arrays):
        return None
    if all(a.flags.c_contiguous for a in arrays):  # contiguous as torch sees it
        return "contiguous"
    first = arrays[0]
    if all(a.strides == first.strides for a in arrays) and _dense(first):
        return first
    return None


def _dense(a: np.ndarray) -> bool:
    """Non-overlapping and dense: some order of the dims makes the strides contiguous."""
    dims = sorted((d for d in range(a.ndim) if a.shape[d] != 1), key=lambda d: a.strides[d])
    expected = a.itemsize
    for d in dims:
        if a.strides[d] != expected:
            return False
        expected *= a.shape[d]
    return True


def torch_layout(out: np.ndarray, *arrays: np.ndarray) -> np.ndarray:
    """``out`` (computed by numpy from ``arrays``) with the memory layout torch would give."""
    shape = out.shape
    fast = _fast_setup(shape, arrays)  # (a scalar operand rules the fast path out)
    if isinstance(fast, str):  # "contiguous"
        return _relayout(out, list(range(len(shape) - 1, -1, -1)))
    if fast is not None:
        return _like(out, fast)
    tensors = tuple(a for a in arrays if type(a) is np.ndarray and a.ndim > 0)
    strides = [s for s in (_operand_strides(a, shape) for a in tensors) if s is not None]
    return _relayout(out, _permutation(shape, strides))


def _like(out: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``out`` with exactly ``like``'s (dense) strides, scaled to ``out``'s item size."""
    strides = tuple(st // like.itemsize * out.itemsize for st in like.strides)
    if out.strides == strides:
        return out
    view = as_strided(np.empty(out.size, out.dtype), out.shape, strides)
    view[...] = out
    return view


def index_layout(out: np.ndarray, src: np.ndarray, indices: tuple) -> np.ndarray:
    """``out = src[indices]`` (advanced indexing) laid out as torch's ``index`` kernel.

    ``indices`` has one entry per leading dim of ``src``: None (a full slice) or an index
    array (int, or bool covering as many dims as it has). torch iterates over ``src``
    restrided to the result's shape (stride 0 along the indexed dims) and the index tensors
    reshaped to it (strides only along the indexed dims); numpy's layout differs.
    """
    if out.ndim < 2:
        return out
    dims, arrays = [], []  # the src dims that are indexed, and the (long) index arrays
    d = 0
    for i in indices:
        if i is None:
            d += 1
        elif i.dtype == np.bool_:
            dims.extend(range(d, d + i.ndim))
            arrays.extend(np.nonzero(i))  # torch turns a mask into long indices too
            d += i.ndim
        else:
            dims.append(d)
            arrays.append(i)
            d += 1
    if dims != list(range(dims[0], dims[-1] + 1)):
        # Not adjacent: torch moves the indexed dims to the front (so does numpy's result).
        rest = [k for k in range(src.ndim) if k not in dims]
        src = src.transpose(dims + rest)
        dims = list(range(len(dims)))
    idx_shape = np.broadcast_shapes(*(a.shape for a in arrays))
    before, after = dims[0], src.ndim - dims[-1] - 1
    n_idx = len(idx_shape)
    src_strides = src.strides[:before] + (0,) * n_idx + src.strides[src.ndim - after :]
    strides = [src_strides]
    for a in arrays:
        b = np.broadcast_to(a, idx_shape)
        strides.append((0,) * before + b.strides + (0,) * after)
    return _relayout(out, _permutation(out.shape, strides))


def _relayout(out: np.ndarray, perm: list) -> np.ndarray:
    """``out`` dense in the order ``perm`` (fastest dim first), copied only if it is not."""
    order = perm[::-1]  # slowest to fastest
    if _has_order(out, order):
        return out
    buf = np.empty(tuple(out.shape[d] for d in order), dtype=out.dtype)
    view = buf.transpose(np.argsort(order))
    view[...] = out
    return view


def _has_order(a: np.ndarray, order: list) -> bool:
    """Does ``a`` have exactly the strides of a dense array laid out slowest-to-fastest as
    ``order`` (size-1 dims included: torch's strides for them are observable)?"""
    expected = a.itemsize
    for d in reversed(order):
        if a.strides[d] != expected and a.shape[d] != 0:
            return False
        expected *= a.shape[d]
    return True


# -- views ---------------------------------------------------------------------------------
def elem_strides(a: np.ndarray) -> tuple:
    """Strides in elements (numpy counts bytes): ``(3, 1)`` for a row-major (2, 3) array.

    numpy gives a new empty array 0 strides; torch gives it row-major ones (``(1, 1)`` for
    shape (1, 0)), which decide whether its gradient obeys the layout contract."""
    if a.size == 0 and not any(a.strides):
        out, step = [], 1
        for n in reversed(a.shape):
            out.append(step)
            step *= max(n, 1)
        return tuple(reversed(out))
    return tuple(s // a.itemsize for s in a.strides)


def strided(data: np.ndarray, shape: tuple, strides: tuple) -> np.ndarray:
    """A view of ``data`` with ``shape`` and element ``strides`` (read-only if data is)."""
    size = data.itemsize
    return as_strided(data, shape, tuple(s * size for s in strides), writeable=data.flags.writeable)


def try_view(data: np.ndarray, shape: tuple) -> np.ndarray | None:
    """``data`` viewed as ``shape`` with torch's strides, or None if no view can do it."""
    v = data.view()
    try:
        v.shape = shape
    except AttributeError:
        return None
    strides = _compute_stride(data.shape, elem_strides(data), tuple(shape))
    if strides is None or data.size == 0:
        return v
    return strided(data, tuple(shape), strides)


def _compute_stride(oldshape: tuple, oldstride: tuple, newshape: tuple) -> tuple | None:
    """torch's ``computeStride``: the strides (in elements) of a view of ``newshape``, or None.

    numpy can make the same views, but it may choose other strides for dimensions of size 1;
    torch's strides matter (e.g. ``mm``'s backward tests them), so they are computed here.
    """
    if not oldshape:
        return (1,) * len(newshape)
    numel = int(np.prod(oldshape))
    if numel == 0:
        if tuple(oldshape) == tuple(newshape):
            return tuple(oldstride)
        out = [0] * len(newshape)
        for d in range(len(newshape) - 1, -1, -1):
            out[d] = 1 if d == len(newshape) - 1 else max(newshape[d + 1], 1) * out[d + 1]
        return tuple(out)
    newstride = [0] * len(newshape)
    view_d = len(newshape) - 1
    chunk_base_stride = oldstride[-1]
    tensor_numel = view_numel = 1
    for tensor_d in range(len(oldshape) - 1, -1, -1):
        tensor_numel *= oldshape[tensor_d]
        if tensor_d == 0 or (
            oldshape[tensor_d - 1] != 1
            and oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride
        ):
            while view_d >= 0 and (view_numel < tensor_numel or newshape[view_d] == 1):
                newstride[view_d] = view_numel * chunk_base_stride
                view_numel *= newshape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = oldstride[tensor_d - 1]
                tensor_numel = view_numel = 1
    if view_d != -1:
        return None
    return tuple(newstride)


def expanded(d: np.ndarray, target: tuple) -> np.ndarray:
    """``d`` broadcast to ``target`` with torch's strides: 0 only along new or expanded
    dims (numpy's ``broadcast_to`` also zeroes a kept size-1 dim, which decides matmul's
    fold and the layout of results as torch sees it)."""
    lead = len(target) - d.ndim
    strides = (0,) * lead + tuple(
        0 if n == 1 and t != 1 else st for n, t, st in zip(d.shape, target[lead:], d.strides)
    )
    # writeable unless two elements share memory (torch's in-place ops refuse those views)
    return as_strided(
        d, target, strides, writeable=d.flags.writeable and not overlaps_itself(target, strides)
    )


def writeable_alias(a: np.ndarray) -> np.ndarray | None:
    """A writeable array on ``a``'s memory (numpy marks broadcasts read-only; torch writes
    through them), or None when the memory itself is read-only."""
    owner = a
    while owner.base is not None:
        # as_strided's views hold their array through a DummyArray's .base
        base = (
            owner.base if isinstance(owner.base, np.ndarray) else getattr(owner.base, "base", None)
        )
        if not isinstance(base, np.ndarray):
            break
        owner = base
    if not owner.flags.writeable or not owner.flags.c_contiguous:
        return None
    offset = a.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
    return np.ndarray(a.shape, a.dtype, buffer=owner, offset=offset, strides=a.strides)


def overlaps_itself(shape: tuple, strides: tuple) -> bool:
    """torch's ``has_internal_overlap(t) == YES``: a dim of size > 1 with stride 0, in a
    tensor with elements (an empty one is contiguous to torch, whatever its strides)."""
    if 0 in shape:
        return False
    return any(st == 0 and n > 1 for n, st in zip(shape, strides))


def overlap(a: np.ndarray, b: np.ndarray) -> str:
    """torch's ``get_overlap_status(a, b)``: ``"full"`` (same elements, same strides),
    ``"partial"`` (some memory shared otherwise), ``"no"``, or ``"too hard"`` (not dense)."""
    if a is b:
        return "full"
    if a.size == 0 or b.size == 0:
        return "no"
    if not (non_overlapping_and_dense(a) and non_overlapping_and_dense(b)):
        return "too hard"
    a_begin, b_begin = a.__array_interface__["data"][0], b.__array_interface__["data"][0]
    a_end, b_end = a_begin + a.nbytes, b_begin + b.nbytes
    if a_begin == b_begin and a_end == b_end:
        return "full" if a.strides == b.strides else "partial"
    return "partial" if a_begin < b_end and b_begin < a_end else "no"


# -- a leaf's .grad --------------------------------------------------------------------------
def obeys_layout_contract(grad: np.ndarray, var: np.ndarray) -> bool:
    """torch's ``obeys_layout_contract``: may ``grad`` be stored as the ``.grad`` of a leaf
    with data ``var`` as it is? For a dense ``var``: the same strides wherever a dim is not
    1, and no 0 stride (a broadcast view) where it is; otherwise ``grad`` must be row-major."""
    if grad.size == 0:  # compare torch's strides, not numpy's (see elem_strides)
        pairs = zip(grad.shape, elem_strides(grad), elem_strides(var))
        return all((gs == vs) if n != 1 else (gs != 0) for n, gs, vs in pairs)
    if not (var.flags.c_contiguous or _dense(var)):
        return grad.flags.c_contiguous
    for n, gs, vs in zip(grad.shape, grad.strides, var.strides):
        if (gs != vs) if n != 1 else (gs == 0):
            return False
    return True


def non_overlapping_and_dense(a: np.ndarray) -> bool:
    """torch's ``is_non_overlapping_and_dense``: a permutation of a row-major layout."""
    return a.flags.c_contiguous or _dense(a)


def contract_copy(grad: np.ndarray, var: np.ndarray) -> np.ndarray:
    """torch's ``clone_obey_contract``: a copy of ``grad`` laid out like a dense ``var``
    (its strides exactly), or row-major when ``var`` is not dense (a slice with gaps)."""
    if _standard(var) or not _dense(var):
        return standard(np.array(grad, order="C"))
    return _like(np.array(grad, order="C"), var)
