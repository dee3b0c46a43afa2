"""In-place operations (``add_``, ``+=``, ``x[i] = v``, ...) and their autograd rules.

An in-place op on a tensor that is recorded rewrites the tensor's history: its
``grad_fn`` becomes the op's node, whose edge points at the old ``grad_fn``. Its version
counter goes up by one, so that backward can refuse values that were saved before the
change. In-place ops on leaves that require grad are refused while grad mode is on.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype, _errors
from .._type_names import scalar_type
from ..autograd.grad_mode import _state, no_grad
from ..autograd.graph import Node
from ..autograd.inference_mode import _state as _inference
from ..autograd.saved import SavedTensor
from ..tensor import Tensor
from ._promotion import result_dtype
from .arithmetic import add, div, mul, sub
from .cast import to_dtype
from .masked import masked_scatter
from .piecewise import clamp
from .record import edge, record
from .shape import clone

__all__ = [
    "add_", "sub_", "mul_", "div_", "zero_", "fill_", "copy_", "clamp_", "setitem", "recorded_copy",
]  # fmt: skip


def _check(t: Tensor, other=None, zero_error: str = _errors.ZERO_INPLACE) -> None:
    """torch's checks before an in-place op: leaves and views of leaves, ZeroTensors, dtypes."""
    if _state.enabled and t._requires_grad:
        if t._grad_fn is None:
            raise RuntimeError(_errors.LEAF_INPLACE)
        base = t._base
        if base is not None and base._grad_fn is None and base._requires_grad:
            raise RuntimeError(_errors.VIEW_OF_LEAF_INPLACE)
    if t._zero:
        raise RuntimeError(zero_error)
    if other is not None:
        dt = result_dtype(t, other)
        if dt._category > t.dtype._category:
            raise RuntimeError(
                _errors.RESULT_TYPE_CAST.format(scalar_type(dt), scalar_type(t.dtype))
            )


def _recorded(t: Tensor, other=None) -> bool:
    return (
        _state.enabled
        and not _inference.enabled
        and (t._requires_grad or (isinstance(other, Tensor) and other._requires_grad))
    )


def _old(t: Tensor) -> Tensor:
    """The tensor as it was before the op: its history, and a copy of its values."""
    if t._base is not None and (t._requires_grad or t._base._requires_grad):
        raise NotImplementedError(_errors.UNSUPPORTED_VIEW_INPLACE)
    return Tensor._make(t._data.copy(), t._requires_grad, t._grad_fn, t._output_nr)


def _save_clone(result: Tensor, old: Tensor) -> Tensor:
    """Where the op saved its ``self`` for backward, save ``self.clone()`` instead, as torch's
    in-place ops do (the tensor itself is about to be overwritten): a second derivative then
    goes through ``CloneBackward0``."""
    node = result._grad_fn
    saved = getattr(node, "s_self", None) if node is not None else None
    if isinstance(saved, SavedTensor) and saved._tensor is old and old._requires_grad:
        node.s_self = SavedTensor(clone(old))
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
    if result._grad_fn is not None and result._data.dtype != t._data.dtype:
        # The op computed in the promoted dtype, but its output is t (torch: the node's
        # output metadata is self's), so gradients arrive in t's dtype.
        node, nr = result._grad_fn, result._output_nr
        meta = list(node._out_meta)
        meta[nr] = (t._data.shape, t._data.dtype)
        node._out_meta = tuple(meta)
    if result._grad_fn is not None:
        old, old_nr = t._grad_fn, t._output_nr
        t._grad_fn = result._grad_fn
        t._output_nr = result._output_nr
        t._requires_grad = True
        if t._retains_grad and old is not None and old._retains_grad:
            # torch moves the retain_grad hook to the new grad_fn: .grad is the gradient
            # of the tensor's latest version.
            ref = old._retains_grad.pop(old_nr, None)
            if ref is not None:
                if t._grad_fn._retains_grad is None:
                    t._grad_fn._retains_grad = {}
                t._grad_fn._retains_grad[t._output_nr] = ref
    if t._inference and not _inference.enabled:
        # torch's check runs after the kernel: the values change, then the error says why.
        raise RuntimeError(_errors.INFERENCE_INPLACE)
    t._vc[0] += 1
    return t


def _binary_inplace(t: Tensor, other, op) -> Tensor:
    _check(t, other)
    if _recorded(t, other):
        old = _old(t)
        return _commit(t, _save_clone(op(old, other), old))
    with no_grad():
        return _commit(t, op(t, other))


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


def _fill(t: Tensor, value, node_cls) -> Tensor:
    _check(t)
    data = np.full_like(t._data, value)
    if _recorded(t):
        return _commit(t, record(data, node_cls, (_old(t),)))
    return _commit(t, Tensor._make(data))


def zero_(t: Tensor) -> Tensor:
    """In place: t = 0."""
    return _fill(t, 0, ZeroBackward0)


def fill_(t: Tensor, value) -> Tensor:
    """In place: every element of t = value."""
    if isinstance(value, Tensor):
        value = value.item()
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


def recorded_copy(src: Tensor) -> Tensor:
    """A copy of ``src`` recorded as torch's ``empty_like(src).copy_(src)``: its grad_fn is
    ``CopyBackwards``, whose edge leads to ``src``'s graph. How ``AccumulateGrad`` stores
    a leaf's first ``.grad`` under ``create_graph=True``."""
    node = CopyBackwards(((None, 0), edge(src)), ((src._data.shape, src._data.dtype),))
    node.s_src_shape, node.s_src_dtype = src._data.shape, src._data.dtype
    return Tensor._make(src._data.copy(), True, node, 0)


def copy_(t: Tensor, src) -> Tensor:
    """In place: t = src (broadcast, cast to t's dtype)."""
    _check(t, zero_error=_errors.ZERO_COPY)
    src_t = src if isinstance(src, Tensor) else Tensor._make(np.asarray(src))
    data = np.broadcast_to(src_t._data, t._data.shape).astype(t._data.dtype)
    if _recorded(t, src_t):
        out = record(data, CopyBackwards, (_old(t), src_t))
        if out._grad_fn is not None:
            out._grad_fn.s_src_shape = src_t._data.shape
            out._grad_fn.s_src_dtype = src_t._data.dtype
        return _commit(t, out)
    return _commit(t, Tensor._make(np.array(data)))


class CopySlices(Node):
    """``t[index] = value`` on a recorded tensor: grad outside the slice goes to the old
    ``t``, grad inside it (summed to value's shape) goes to ``value``."""

    __slots__ = ("s_index", "s_value_shape", "s_value_dtype", "s_released")

    def name(self) -> str:
        return "torch::autograd::CopySlices"

    def release_variables(self) -> None:
        # torch's CopySlices drops its wrapped function: a second backward raises here.
        self.s_released = True

    def apply(self, grads):
        if getattr(self, "s_released", False):
            raise RuntimeError(_errors.BACKWARD_TWICE)
        (g,) = grads
        # torch: result.copy_(grad) (CopyBackwards under create_graph); the value's grad is
        # result.as_strided(view).clone(), summed by the engine where shapes differ; then
        # result[view].copy_(zeros) (CopySlices) is the grad of the old tensor.
        inner = record(g._data.copy(), CopyBackwards, (None, g))
        if inner._grad_fn is not None:
            inner._grad_fn.s_src_shape = g._data.shape
            inner._grad_fn.s_src_dtype = g._data.dtype
        ga = gb = None
        if self._needs(1):
            view = record(inner._data[self.s_index], AsStridedBackward0, (inner,))
            if view._grad_fn is not None:
                view._grad_fn.s_index = self.s_index
                view._grad_fn.s_sizes = g._data.shape
            gb = clone(view)
        if self._needs(0):
            data = g._data.copy()
            data[self.s_index] = 0
            ga = record(data, CopySlices, (inner, None))
            if ga._grad_fn is not None:
                ga._grad_fn.s_index = self.s_index
                ga._grad_fn.s_value_shape = g._data[self.s_index].shape
                ga._grad_fn.s_value_dtype = g._data.dtype
        return ga, gb


class AsStridedBackward0(Node):
    """d self.as_strided(view) = zeros of self's shape with grad placed in the view.

    Only CopySlices' backward makes these (torch's grad_slice); minigrad keeps the view's
    numpy index instead of sizes/strides/offset.
    """

    __slots__ = ("s_index", "s_sizes")

    def apply(self, grads):
        # Differentiable (values exact at any order; torch's node names differ from here
        # on): the view's places, in row-major order, receive grad's elements.
        mask = np.zeros(self.s_sizes, dtype=bool)
        mask[self.s_index] = True
        zeros = Tensor._make(np.zeros(self.s_sizes, dtype=grads[0]._data.dtype))
        return (masked_scatter(zeros, Tensor._make(mask), grads[0]),)


def setitem(t: Tensor, index, value) -> None:
    """``t[index] = value``: an in-place copy into a view of t (``CopySlices``)."""
    if _state.enabled and t._requires_grad:
        base = t._base if t._base is not None else t
        if base._grad_fn is None and base._requires_grad:
            # t[index] is a view of a leaf: torch reports the view.
            raise RuntimeError(_errors.VIEW_OF_LEAF_INPLACE)
    if isinstance(index, Tensor):
        index = index._data
    elif isinstance(index, tuple):
        index = tuple(i._data if isinstance(i, Tensor) else i for i in index)
    if t._zero:
        raise RuntimeError(_errors.ZERO_COPY)
    val = value if isinstance(value, Tensor) else None
    if val is not None:
        _check(Tensor._make(t._data[index]), val)  # dtype rule of the copy
    new = t._data.copy()
    new[index] = val._data if val is not None else value
    if _recorded(t, val):
        if t._base is not None:
            raise NotImplementedError(_errors.UNSUPPORTED_VIEW_INPLACE)
        out = record(new, CopySlices, (_old(t), val))
        node = out._grad_fn
        node.s_index = index
        if val is not None:
            node.s_value_shape = val._data.shape
            node.s_value_dtype = val._data.dtype
        _commit(t, out)
    else:
        _commit(t, Tensor._make(new))
