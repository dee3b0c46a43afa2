"""In-place operations on views: how the base's history is rewritten (``CopySlices``).

``v = x[1:3]; v.mul_(2)`` changes ``x`` too, so ``x``'s gradient must now go through the
multiplication, for the elements of ``v`` only. torch (and minigrad) record it in three
steps, right after the in-place operation built its node ``fn`` (here ``MulBackward0``,
with the view's old history as its first edge):

1. ``rebase_history``: the base gets a new ``grad_fn``, ``CopySlices(fn)``. Its first edge
   is the base's old history, the others are ``fn``'s other inputs. In backward it takes
   the base's gradient, runs ``fn`` on the slice that ``v`` covers, and writes the result
   back into that slice: d(new x)/d(old x) is 1 outside ``v`` and ``fn``'s derivative inside.
2. The view's own ``grad_fn`` becomes ``AsStridedBackward0`` of the base: the view is now
   "that window of the new base" (the same happens, lazily, to every other view of ``x``
   the next time its ``grad_fn`` is read: ``view_grad_fn``).
3. Views whose gradient would be ambiguous are refused, with torch's messages
   (``check_inplace``): views of a leaf that requires grad, views made under ``no_grad``,
   outputs of ``unbind``/``split``/``chunk``, views made inside a custom ``Function``.

Example:
    >>> import minigrad as mg
    >>> a = mg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    >>> x = a.clone()
    >>> x[1:3].mul_(2)
    tensor([4., 6.], grad_fn=<AsStridedBackward0>)
    >>> x.grad_fn.name(), x.grad_fn.next_functions[0][0].name()
    ('torch::autograd::CopySlices', 'CloneBackward0')
    >>> x.sum().backward(); a.grad
    tensor([1., 2., 2., 1.])
"""

from __future__ import annotations

from .. import _errors
from ..autograd.graph import Node
from ..autograd.views import DEFAULT, creation_meta_error, live_views
from ..tensor import Tensor
from . import as_strided as strided
from . import inplace, shape
from .record import edge

__all__ = [
    "requires_grad_of",
    "is_leaf",
    "check_inplace",
    "rebase_history",
    "view_grad_fn",
    "mark_views_stale",
    "CopySlices",
]


def requires_grad_of(t: Tensor) -> bool:
    """torch's ``requires_grad()``: a view requires grad when its base does."""
    return t._requires_grad or (t._base is not None and t._base._requires_grad)


def _raw_grad_fn(view: Tensor):
    """The ``grad_fn`` the view last had (before any regeneration)."""
    fn = view._grad_fn
    return fn if fn is not None else view._stale_grad_fn


def check_inplace(t: Tensor) -> None:
    """torch's ``check_inplace``, for an in-place op on ``t`` with some input requiring grad
    in grad mode: refuse views that cannot be rebased, and leaves that require grad."""
    if t._base is not None:
        if t._creation_meta != DEFAULT:
            raise RuntimeError(creation_meta_error(t, _raw_grad_fn(t), indirect=False))
        if requires_grad_of(t) and t._base._grad_fn is None:
            raise RuntimeError(_errors.VIEW_OF_LEAF_INPLACE)
    if requires_grad_of(t) and is_leaf(t):
        raise RuntimeError(_errors.LEAF_INPLACE)


def is_leaf(t: Tensor) -> bool:
    """torch's C++ ``is_leaf()``: no ``grad_fn``, an out-of-date one counting as one."""
    return _raw_grad_fn(t) is None


def _move_retain_grad(t: Tensor, old, new: Node, nr: int) -> None:
    """torch moves a tensor's retain_grad to its new ``grad_fn``: ``.grad`` is then the
    gradient of the tensor's latest version."""
    if not t._retains_grad or old is None or not old._retains_grad:
        return
    ref = old._retains_grad.pop(t._output_nr, None)
    if ref is not None:
        if new._retains_grad is None:
            new._retains_grad = {}
        new._retains_grad[nr] = ref


def rebase_history(t: Tensor, fn: Node, output_nr: int = 0) -> None:
    """``t`` was changed in place by an op recorded as ``fn``: ``t`` takes that history.
    A view's base takes ``CopySlices(fn)`` instead, and the view a window of it."""
    root = t._base
    if root is None:
        _move_retain_grad(t, t._grad_fn, fn, output_nr)
        t._grad_fn, t._output_nr, t._requires_grad = fn, output_nr, True
        return
    copy_slices = CopySlices(root, t, fn)
    if requires_grad_of(t):
        _move_retain_grad(root, root._grad_fn, copy_slices, 0)
    root._grad_fn, root._output_nr, root._requires_grad = copy_slices, 0, True
    t._output_nr = 0
    view_grad_fn(t)  # the view's new grad_fn, at once


def mark_views_stale(t: Tensor) -> None:
    """After an in-place change of ``t``'s memory: every view of it whose ``grad_fn`` is out
    of date gives it up (kept aside for the error messages), and is regenerated when next
    read. Until then its ``_grad_fn`` is None, so ``record`` asks ``Tensor.grad_fn``."""
    vc = t._vc
    if len(vc) == 1:  # no tensor sharing this memory has views
        return
    version = vc[0]
    for ref in vc[1:]:
        root = ref()
        if root is None:
            continue
        needs_grad = root._requires_grad
        for view in live_views(root):
            if view._attr_version == version:
                continue
            if view._grad_fn is not None:
                view._stale_grad_fn = view._grad_fn
                view._grad_fn = None
            if needs_grad:
                view._requires_grad = True


def view_grad_fn(view: Tensor):
    """A view's ``grad_fn`` (``Tensor.grad_fn`` calls this for views without one): after an
    in-place change of its memory, a new ``AsStridedBackward0`` of its base (torch's
    ``VariableHooks::grad_fn``); the creation-meta error if it cannot have one."""
    fn = view._grad_fn
    root = view._base
    raw = fn if fn is not None else view._stale_grad_fn
    if raw is None and not root._requires_grad:
        return fn
    version = view._vc[0]
    if view._attr_version == version:
        return fn
    if view._creation_meta != DEFAULT:
        raise RuntimeError(creation_meta_error(view, raw, indirect=True))
    sizes, strides, offset = strided.geometry(view._data, root._data)
    node = strided.AsStridedBackward0((edge(root),), ((view._data.shape, view._data.dtype),))
    node.s_size, node.s_stride, node.s_offset = sizes, strides, offset
    node.s_self_geometry = strided.geometry(root._data)
    _move_retain_grad(view, raw, node, 0)
    view._grad_fn, view._output_nr, view._requires_grad = node, 0, True
    view._attr_version = version
    view._stale_grad_fn = None
    return node


class CopySlices(Node):
    """The base's node after an in-place op ``fn`` on one of its views.

    Math: for the base's gradient g, the old base gets g with the view's window replaced
    by ``fn``'s gradient of that window; ``fn``'s other inputs get ``fn``'s gradients.
    """

    __slots__ = ("s_base", "s_view", "fn")

    def __init__(self, base: Tensor, view: Tensor, fn: Node) -> None:
        edges = (edge(base),) + tuple(fn.next_functions[1:])
        Node.__init__(self, edges, ((base._data.shape, base._data.dtype),))
        self.s_base = strided.geometry(base._data)
        self.s_view = strided.geometry(view._data, base._data)
        self.fn = fn

    def name(self) -> str:
        return "torch::autograd::CopySlices"

    def release_variables(self) -> None:
        self.fn = None  # torch drops the wrapped node: a second backward raises

    def apply(self, grads):
        (grad,) = grads
        if self.fn is None:
            raise RuntimeError(_errors.BACKWARD_TWICE)
        sizes, strides_, _ = self.s_base
        result = strided.empty_strided(sizes, strides_, grad._data.dtype)
        inplace.copy_(result, grad)
        grad_slice = strided.as_strided(result, *self.s_view)
        res = self.fn.apply((shape.clone(grad_slice, contiguous=True),))
        out = [None] * len(self.next_functions)
        for i, r in enumerate(res):
            if self._needs(i):
                if i == 0:
                    inplace.copy_(grad_slice, r)
                    out[0] = result
                else:
                    out[i] = r
        return tuple(out)
