"""What autograd remembers about a view: its base, how it was made, which version it saw.

A view shares memory with its *base* (always the root tensor that owns the memory: a view
of a view has the same ``_base``). When an in-place operation changes that memory, every
view of it has a new history; ``ops/inplace_views.py`` rewrites the graph. For that, each
view carries, besides ``_base``:

- ``_creation_meta``: how it was made. torch refuses in-place changes to views whose
  gradient would be ambiguous, and says why: ``NO_GRAD_MODE`` (made under ``no_grad``),
  ``MULTI_OUTPUT_NODE`` (one of several outputs of ``unbind``, ``split``, ``chunk``),
  ``IN_CUSTOM_FUNCTION`` (returned by a custom ``Function``); ``DEFAULT`` otherwise;
- ``_attr_version``: the version of the memory when its ``grad_fn`` was last set. A
  different current version means the ``grad_fn`` is out of date.

The base keeps weak references to its views (``_views``), so that an in-place change can
mark the others out of date. Tensors that are not views carry none of this.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True).clone()
    >>> parts = x.unbind()
    >>> parts[0]._creation_meta == MULTI_OUTPUT_NODE
    True
"""

from __future__ import annotations

import re
import weakref
from typing import TYPE_CHECKING

from .. import _errors
from .grad_mode import _state

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = [
    "DEFAULT",
    "NO_GRAD_MODE",
    "MULTI_OUTPUT_NODE",
    "IN_CUSTOM_FUNCTION",
    "register_view",
    "live_views",
    "set_creation_meta",
    "creation_meta_error",
]

DEFAULT, NO_GRAD_MODE, MULTI_OUTPUT_NODE, IN_CUSTOM_FUNCTION = 0, 1, 2, 3
_BACKWARD_N = re.compile(r"Backward(0$)?")

_SUFFIX = {
    MULTI_OUTPUT_NODE: _errors.VIEW_MULTI_OUTPUT,
    NO_GRAD_MODE: _errors.VIEW_NO_GRAD,
    IN_CUSTOM_FUNCTION: _errors.VIEW_CUSTOM_FUNCTION,
}


def register_view(out: Tensor, root: Tensor, parent: Tensor) -> None:
    """``out`` was just made as a view of ``parent``, whose memory ``root`` owns."""
    version = out._vc[0]
    if version:  # (the class default is 0)
        out._attr_version = version
    if not _state.enabled:
        out._creation_meta = NO_GRAD_MODE
    elif parent._base is not None and parent._creation_meta != DEFAULT:
        out._creation_meta = parent._creation_meta  # a view of a view inherits it
    views = root._views
    if views is None:
        root._views = views = [0]  # [how many entries when last pruned, weak refs...]
        # The version counter lists, after the version, the tensors sharing it that have
        # views: detach() shares the counter, so an in-place change of a detached alias
        # makes these views out of date too (torch compares each view's version).
        root._vc.append(weakref.ref(root))
    views.append(weakref.ref(out))
    if len(views) > 2 * views[0] + 16:  # drop the dead ones now and then: O(1) amortised
        views[1:] = [r for r in views[1:] if r() is not None]
        views[0] = len(views) - 1


def live_views(root: Tensor) -> list:
    """The views of ``root``'s memory that are still alive."""
    views = root._views
    if views is None:
        return []
    alive = [v for v in (r() for r in views[1:]) if v is not None]
    if len(alive) < len(views) - 1:
        views[1:] = [weakref.ref(v) for v in alive]
        views[0] = len(alive)
    return alive


def set_creation_meta(views, meta: int) -> None:
    for v in views:
        v._creation_meta = meta


def creation_meta_error(view: Tensor, grad_fn, indirect: bool) -> str:
    """torch's message for an in-place change refused because of how ``view`` was made
    (``indirect``: another view or the base was changed, and ``view`` is used now)."""
    meta = view._creation_meta
    modified = _errors.VIEW_MODIFIED_INDIRECT if indirect else _errors.VIEW_MODIFIED_DIRECT
    if meta == NO_GRAD_MODE or grad_fn is None:
        if grad_fn is not None:
            head = _errors.VIEW_OF_NO_GRAD_VIEW.format(view._output_nr, _op_name(grad_fn))
        else:
            head = _errors.VIEW_MADE_IN_NO_GRAD
        msg = _errors.VIEW_NO_GRAD_HEADER.format(head, modified)
    else:
        msg = _errors.VIEW_HEADER.format(view._output_nr, _op_name(grad_fn), modified)
    return msg + _SUFFIX[meta]


def _op_name(grad_fn) -> str:
    """torch's ``forward_op_name()``: the node's name without ``Backward``, and without
    the overload digit 0 (``UnbindBackward0`` -> ``Unbind``, ``SqueezeBackward1`` ->
    ``Squeeze1``)."""
    return _BACKWARD_N.sub("", grad_fn.name(), count=1)
