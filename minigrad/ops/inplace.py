"""In-place operations (``add_``, ``+=``, ``x[i] = v``, ...) and their autograd rules.

An in-place op on a tensor that is recorded rewrites the tensor's history: its
``grad_fn`` becomes the op's node, whose edge points at the old ``grad_fn``. Its version
counter goes up by one, so that backward can refuse values that were saved before the
change. In-place ops on leaves that require grad are refused while grad mode is on. On a
view, the base's history is rewritten instead (``inplace_views.py``).
"""

from __future__ import annotations

import weakref

import numpy as np

from .. import _dtype, _errors
from .._type_names import scalar_type
from ..autograd.grad_mode import _state, no_grad
from ..autograd.graph import Node
from ..autograd.inference_mode import _state as _inference
from ..autograd.saved import SavedResultOfInplaceOnView, SavedTensor
from ..tensor import Tensor
from . import _layout, inplace_views, shape
from ._promotion import result_dtype
from .arithmetic import add, div, mul, sub
from .cast import to_dtype
from .piecewise import clamp, relu
from .record import edge, record
from .reduction import sum as reduce_sum
from .unary import exp

__all__ = [
    "add_", "sub_", "mul_", "div_", "zero_", "fill_", "copy_", "clamp_", "exp_", "relu_",
    "setitem", "index_put_",
    "recorded_copy",
]  # fmt: skip


def _any_requires_grad(t: Tensor, other=None) -> bool:
    base = t._base  # (a view requires grad when its base does)
    return (
        t._requires_grad
        or (base is not None and base._requires_grad)
        or (isinstance(other, Tensor) and other._requires_grad)
    )


def _check(t: Tensor, other=None, zero_error: str = _errors.ZERO_INPLACE) -> None:
    """torch's checks before an in-place op: leaves and views (``check_inplace``),
    ZeroTensors, dtypes."""
    if _state.enabled and _any_requires_grad(t, other):
        inplace_views.check_inplace(t)
    if t._zero:
        raise RuntimeError(zero_error)
    if other is not None:
        dt = result_dtype(t, other)
        if dt._category > t.dtype._category:
            raise RuntimeError(
                _errors.RESULT_TYPE_CAST.format(scalar_type(dt), scalar_type(t.dtype))
            )


def _recorded(t: Tensor, other=None) -> bool:
    return _state.enabled and not _inference.enabled and _any_requires_grad(t, other)


def _old(t: Tensor) -> Tensor:
    """The tensor as it was before the op: its history, and a copy of its values."""
    fn = t.grad_fn  # a view's current history (regenerated if out of date)
    return Tensor._make(t._data.copy(), fn is not None, fn, t._output_nr if fn else 0)


def _save_clone(result: Tensor, old: Tensor) -> Tensor:
    """Where the op saved its ``self`` for backward, save ``self.clone()`` instead, as torch's
    in-place ops do (the tensor itself is about to be overwritten): a second derivative then
    goes through ``CloneBackward0``."""
    node = result._grad_fn
    saved = getattr(node, "s_self", None) if node is not None else None
    if isinstance(saved, SavedTensor) and saved._tensor is old and old._requires_grad:
        node.s_self = SavedTensor(shape.clone(old))
    return result


def _commit(t: Tensor, result: Tensor) -> Tensor:
    """Write ``result`` into ``t``'s storage and take over its history."""
    if result._data.shape != t._data.shape:
        raise RuntimeError(
            _errors.INPLACE_SHAPE.format(list(t._data.shape), list(result._data.shape))
        )
    if t._data.flags.writeable:
        t._data[...] = result._data
    else:  # an expand()ed view: numpy refuses, torch would write through it
        raise RuntimeError(_errors.INPLACE_OVERLAP)
    node = result._grad_fn
    if node is not None and result._data.dtype != t._data.dtype:
        # The op computed in the promoted dtype, but its output is t (torch: the node's
        # output metadata is self's), so gradients arrive in t's dtype.
        meta = list(node._out_meta)
        meta[result._output_nr] = (t._data.shape, t._data.dtype)
        node._out_meta = tuple(meta)
    if t._inference and not _inference.enabled:
        # torch's check runs after the kernel: the values change, then the error says why.
        raise RuntimeError(_errors.INFERENCE_INPLACE)
    t._vc[0] += 1
    if node is not None:
        inplace_views.rebase_history(t, node, result._output_nr)
    inplace_views.mark_views_stale(t)
    return t


def bump_version(t: Tensor) -> None:
    """An in-place change made outside an op (``mark_dirty``): new version, views stale."""
    t._vc[0] += 1
    inplace_views.mark_views_stale(t)


def _check_overlap(t: Tensor, other=None) -> None:
    """torch's TensorIterator checks before its kernel writes into ``t``: no two elements of
    ``t`` share memory, and an input shares either all of ``t``'s memory, laid out the same
    way (``a.mul_(a)``), or none of it."""
    if _layout.overlaps_itself(t._data.shape, t._data.strides):
        raise RuntimeError(_errors.INPLACE_OVERLAP)
    if isinstance(other, Tensor) and _layout.overlap(t._data, other._data) == "partial":
        raise RuntimeError(_errors.INPUT_OVERLAP)


def _binary_inplace(t: Tensor, other, op) -> Tensor:
    _check(t, other)
    _check_overlap(t, other)
    if _state.enabled and _any_requires_grad(t, other):
        old = _old(t)
        return _commit(t, _save_clone(op(old, other), old))
    prev = _state.enabled
    _state.enabled = False  # (no_grad(), without the object)
    try:
        result = op(t, other)
    finally:
        _state.enabled = prev
    return _commit(t, result)


def _unary_inplace(t: Tensor, op) -> Tensor:
    """``t = op(t)`` in place, for ops whose node saves their result (``exp_``, ``relu_``):
    what is saved is ``t`` itself after the change, with its version."""
    _check(t)
    _check_overlap(t)
    if _state.enabled and _any_requires_grad(t):
        result = op(_old(t))
        _commit(t, result)
        node = result._grad_fn
        saved = getattr(node, "s_result", None)
        if isinstance(saved, SavedTensor) and saved._hooks is None:
            if t._base is not None:  # unpacked with the view's new history while it lives
                saved = node.s_result = SavedResultOfInplaceOnView(result, is_output=True)
                saved._view_fn = weakref.ref(t._grad_fn)
            saved._data, saved._vc, saved._version = t._data, t._vc, t._vc[0]
            saved._orig = weakref.ref(t)
        return t
    prev = _state.enabled
    _state.enabled = False
    try:
        result = op(t)
    finally:
        _state.enabled = prev
    return _commit(t, result)


def exp_(t: Tensor) -> Tensor:
    """In place: t = e^t."""
    return _unary_inplace(t, exp)


def relu_(t: Tensor) -> Tensor:
    """In place: t = max(t, 0)."""
    return _unary_inplace(t, relu)


def add_(t: Tensor, other, alpha=1) -> Tensor:
    """In place: t += alpha·other."""
    return _binary_inplace(t, other, lambda a, b: add(a, b, alpha=alpha))


def sub_(t: Tensor, other, alpha=1) -> Tensor:
    """In place: t -= alpha·other."""
    return _binary_inplace(t, other, lambda a, b: sub(a, b, alpha=alpha))


def mul_(t: Tensor, other) -> Tensor:
    """In place: t *= other."""
    return _binary_inplace(t, other, mul)


def div_(t: Tensor, other) -> Tensor:
    """In place: t /= other."""
    return _binary_inplace(t, other, div)


def clamp_(t: Tensor, min=None, max=None) -> Tensor:  # noqa: A002 - torch's names
    """In place: t = clamp(t, min, max)."""
    return _binary_inplace(t, None, lambda a, _: clamp(a, min, max))


class ZeroBackward0(Node):
    """d zero_(self) = 0."""

    __slots__ = ()

    def apply(self, grads):
        return (Tensor._make(np.zeros_like(grads[0]._data)),)


class FillBackward2(ZeroBackward0):
    """d fill_(self, value) = 0 for self."""

    __slots__ = ()


class FillBackward3(Node):
    """d fill_(self, value tensor) = 0 for self, grad.sum() for the value."""

    __slots__ = ()

    def apply(self, grads):
        (g,) = grads
        ga = Tensor._make(np.zeros_like(g._data)) if self._needs(0) else None
        return ga, reduce_sum(g) if self._needs(1) else None


def _fill(t: Tensor, value, node_cls) -> Tensor:
    _check(t, value if isinstance(value, Tensor) else None)
    data = np.full_like(t._data, value._data if isinstance(value, Tensor) else value)
    if _recorded(t, value):
        inputs = (_old(t), value) if node_cls is FillBackward3 else (_old(t),)
        return _commit(t, record(data, node_cls, inputs))
    return _commit(t, Tensor._make(data))


def zero_(t: Tensor) -> Tensor:
    """In place: t = 0."""
    return _fill(t, 0, ZeroBackward0)


def fill_(t: Tensor, value) -> Tensor:
    """In place: every element of t = value (a number, or a 0-dim tensor)."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(_errors.FILL_VALUE_DIM.format(value._data.ndim))
        return _fill(t, value, FillBackward3)
    return _fill(t, value, FillBackward2)


class CopyBackwards(Node):
    """d self.copy_(src) = 0 for self, grad (summed to src's shape) for src."""

    __slots__ = ("s_src_shape", "s_src_dtype")

    def name(self) -> str:
        return "torch::autograd::CopyBackwards"

    def apply(self, grads):
        (g,) = grads
        ga = Tensor._make(np.zeros_like(g._data)) if self._needs(0) else None
        gb = None
        if self._needs(1):
            # torch: grad.to(src's dtype); the engine then sums broadcast dims away
            # (so ToCopyBackward0 comes before SumBackward in a recorded gradient).
            gb = g
            if gb._data.dtype != self.s_src_dtype:
                gb = to_dtype(gb, _dtype.to_dtype(self.s_src_dtype))
        return ga, gb


def recorded_copy(src: Tensor, data: np.ndarray | None = None) -> Tensor:
    """A copy of ``src`` recorded as torch's ``empty_like(src).copy_(src)``: its grad_fn is
    ``CopyBackwards``, whose edge leads to ``src``'s graph. How ``AccumulateGrad`` stores
    a leaf's first ``.grad`` under ``create_graph=True`` (``data``: the copy, laid out)."""
    node = CopyBackwards(((None, 0), edge(src)), ((src._data.shape, src._data.dtype),))
    node.s_src_shape, node.s_src_dtype = src._data.shape, src._data.dtype
    return Tensor._make(src._data.copy() if data is None else data, True, node, 0)


def copy_(t: Tensor, src) -> Tensor:
    """In place: t = src (broadcast, cast to t's dtype)."""
    src_t = src if isinstance(src, Tensor) else Tensor._make(np.asarray(src))
    _check(t, src_t if src_t._requires_grad else None, zero_error=_errors.ZERO_COPY)
    data = np.broadcast_to(src_t._data, t._data.shape).astype(t._data.dtype)
    if _recorded(t, src_t):
        out = record(data, CopyBackwards, (_old(t), src_t))
        if out._grad_fn is not None:
            out._grad_fn.s_src_shape = src_t._data.shape
            out._grad_fn.s_src_dtype = src_t._data.dtype
        return _commit(t, out)
    return _commit(t, Tensor._make(np.array(data)))


# -- t[index] = value --------------------------------------------------------------------
class IndexPutBackward0(Node):
    """d self.index_put_(indices, values) = grad with the indexed places zeroed for self;
    grad[indices] for values (the engine sums it down to values' shape)."""

    __slots__ = ("s_indices", "s_values_shape", "s_values_dtype", "s_released")

    def release_variables(self) -> None:
        self.s_released = True  # torch saves the index tensors and frees them

    def apply(self, grads):
        if getattr(self, "s_released", False):
            raise RuntimeError(_errors.BACKWARD_TWICE)
        (g,) = grads
        ga = gb = None
        if self._needs(0):
            zeros = Tensor._make(np.zeros(self.s_values_shape, dtype=self.s_values_dtype))
            ga = index_put(g, self.s_indices, zeros)
        if self._needs(1):
            gb = shape.advanced_index(g, self.s_indices)
        return ga, gb


def index_put(t: Tensor, indices: tuple, values: Tensor) -> Tensor:
    """Out of place: a copy of ``t`` with ``values`` written at ``indices`` (index tensors,
    or None for a full dimension)."""
    data = t._data.copy()
    data[shape.np_index(indices)] = values._data
    out = record(data, IndexPutBackward0, (t, values))
    if out._grad_fn is not None:
        node = out._grad_fn
        node.s_indices = indices
        node.s_values_shape, node.s_values_dtype = values._data.shape, values._data.dtype
    return out


def index_put_(t: Tensor, indices: tuple, values: Tensor) -> Tensor:
    """In place: ``t[indices] = values`` for index tensors (torch's ``index_put_``)."""
    if values._data.dtype != t._data.dtype:
        raise RuntimeError(
            _errors.INDEX_PUT_DTYPES.format(scalar_type(t.dtype), scalar_type(values.dtype))
        )
    _check(t, values if values._requires_grad else None, zero_error=_errors.ZERO_COPY)
    if _recorded(t, values):
        return _commit(t, index_put(_old(t), indices, values))
    with no_grad():
        return _commit(t, index_put(t, indices, values))


def _strip_leading_ones(shape_: tuple) -> tuple:
    i = 0
    while i < len(shape_) and shape_[i] == 1:
        i += 1
    return shape_[i:]


def _copy_to(dst: Tensor, src: Tensor) -> None:
    """torch's ``copy_to`` of ``dst[...] = src``: a 0-dim value fills, others are viewed
    without their leading 1s and expanded to ``dst``'s shape, then copied."""
    if dst._data.shape == src._data.shape:
        copy_(dst, src)
    elif src._data.ndim == 0:
        fill_(dst, src)
    else:
        src = shape.view(src, _strip_leading_ones(src._data.shape))
        if src._data.shape != dst._data.shape:
            src = shape.expand(src, dst._data.shape)
        copy_(dst, src)


def setitem(t: Tensor, index, value) -> None:
    """``t[index] = value``: ints, slices, None and ``...`` select a view of ``t`` that the
    value is copied into (``CopySlices``); lists, index tensors and masks ``index_put_``."""
    if isinstance(value, Tensor):
        val = value
    else:  # torch makes a 0-dim tensor of t's dtype from a Python number
        val = Tensor._make(np.asarray(value, dtype=t._data.dtype))
    sliced, indices = shape.apply_slicing(t, index, for_setitem=True)
    if sliced is None:  # t[False] = v: nothing to do
        return
    if indices is None:
        _copy_to(sliced, val)
        return
    stripped = _strip_leading_ones(val._data.shape)
    if stripped != val._data.shape:
        val = shape.view(val, stripped)
    index_put_(sliced, indices, val)
