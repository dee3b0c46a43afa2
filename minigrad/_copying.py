"""``copy.deepcopy`` and ``pickle`` of tensors, with torch's rules.

- ``deepcopy`` copies a leaf: its values (same layout), ``requires_grad``, a deep copy of
  its ``.grad`` and of the attributes you set on it; **not** its hooks, which belong to the
  original. A tensor with a ``grad_fn`` is refused: its graph cannot be copied.
- ``pickle`` keeps values, ``requires_grad`` and your attributes (a non-leaf comes back as
  a leaf; hooks are not saved).

Example:
    >>> import copy, minigrad as mg
    >>> w = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> copy.deepcopy(w)
    tensor([1., 2.], requires_grad=True)
"""

from __future__ import annotations

import copy

import numpy as np

from . import _errors
from .tensor import Tensor

__all__ = ["deepcopy_tensor", "reduce_tensor"]

# Entries of a tensor's __dict__ that are autograd's bookkeeping (hooks, .grad, the grad
# accumulator, the view record), not attributes the user set: never copied or pickled.
_BOOKKEEPING = frozenset(k for k in vars(Tensor) if k.startswith("_"))


def _user_state(t: Tensor) -> dict:
    return {k: v for k, v in t.__dict__.items() if k not in _BOOKKEEPING}


def deepcopy_tensor(t: Tensor, memo: dict) -> Tensor:
    """``copy.deepcopy(t)`` for a leaf (torch's ``Tensor.__deepcopy__``)."""
    if t._grad_fn is not None:
        raise RuntimeError(_errors.DEEPCOPY_NON_LEAF)
    if id(t) in memo:
        return memo[id(t)]
    new = _rebuild(type(t), np.array(t._data, order="K", copy=True), t._requires_grad, {})
    if t._grad is not None:
        new._grad = copy.deepcopy(t._grad, memo)
    new.__dict__.update(copy.deepcopy(_user_state(t), memo))
    memo[id(t)] = new
    return new


def reduce_tensor(t: Tensor) -> tuple:
    """``t.__reduce_ex__``: how pickle rebuilds ``t`` (values, requires_grad, attributes)."""
    return (_rebuild, (type(t), np.array(t._data), t._requires_grad, _user_state(t)))


def _rebuild(cls: type, data: np.ndarray, requires_grad: bool, state: dict) -> Tensor:
    t = object.__new__(cls)
    Tensor._init(t, data, requires_grad, None, 0)
    t.__dict__.update(state)
    return t
