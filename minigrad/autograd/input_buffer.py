"""torch's InputBuffer: how two gradients for the same input of a node add up (fidelity).

When a second gradient arrives for an input that already received one, the engine adds
them. With grad mode off (``backward()`` without ``create_graph``) torch adds the new one
*into* the first, in place, when nobody else can see the first: an ordinary tensor (not a
ZeroTensor, not a view), dense, and the buffer holds the only reference to it and to its
memory. The in-place add bumps its version counter, and that shows where the sum ends
up: after ``(x * x).sum().backward()`` ``x.grad._version`` is 1, after ``x * x * x`` 2.
Otherwise, and always under ``create_graph``, the sum is a new tensor ``old + new``
(recorded as ``AddBackward0`` when ``create_graph`` is on).

Math: buffer ← buffer + g. Example: ``add_to_buffer(buf, 0, g, outputs, 1)`` leaves ``buf[0]``
holding the sum.
"""

from __future__ import annotations

import sys

import numpy as np

from ..ops._layout import non_overlapping_and_dense
from ..ops.arithmetic import add
from ..tensor import Tensor
from .grad_mode import _state

__all__ = ["add_to_buffer"]

# References to the first gradient that exist only inside minigrad while _is_sole_owner()
# looks at it: the buffer's list, add_to_buffer()'s ``old``, _is_sole_owner()'s ``old`` and
# getrefcount()'s argument. torch counts only the buffer's (it moves gradients where
# Python holds references).
_OWN_REFERENCES = 4
# Its memory, the numpy array: the tensor's ``_data``, the local ``data`` and getrefcount()'s
# argument. (A numpy view's base: the view's ``base`` and the argument.)
_OWN_DATA_REFERENCES = 3
_OWN_BASE_REFERENCES = 2


def add_to_buffer(buf: list, nr: int, new: Tensor, outputs: list, i: int, observer=None) -> None:
    """``buf[nr] += new`` as torch's ``InputBuffer::accumulate`` does it; ``new`` is
    ``outputs[i]``, the ``i``-th gradient of the node that just ran. An observer (a trace)
    keeps every gradient it is shown, as torch's hooks would: then nothing is added in place.
    """
    old = buf[nr]
    if (
        observer is None
        and not _state.enabled
        and new is not old
        and _is_sole_owner(old, outputs, i)
    ):
        np.add(old._data, new._data, out=old._data)
        old._vc[0] += 1  # old.add_(new): the in-place add is a new version
    else:
        buf[nr] = add(old, new)


def _is_sole_owner(old: Tensor, outputs: tuple, i: int) -> bool:
    """torch's ``can_accumulate_inplace``: a plain dense tensor whose only reference, and
    its memory's, is the buffer's. The node's ``outputs`` are not references: torch moves
    each gradient out of them (those not passed on yet, after ``i``, still count)."""
    if old._zero or old._base is not None or type(old) is not Tensor:
        return False
    in_outputs = sum(1 for g in outputs if g is old)
    if any(g is old for g in outputs[i + 1 :]):
        return False
    if sys.getrefcount(old) - in_outputs != _OWN_REFERENCES:
        return False
    data = old._data
    if sys.getrefcount(data) != _OWN_DATA_REFERENCES or not data.flags.writeable:
        return False
    # A numpy view shares memory with whatever else holds its base.
    if data.base is not None and sys.getrefcount(data.base) != _OWN_BASE_REFERENCES:
        return False
    return non_overlapping_and_dense(data)
