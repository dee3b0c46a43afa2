"""Shared plumbing of the operations: type promotion, scalars, and recording a node.

An operation computes its value with numpy, then, when grad mode is on and an input
requires grad, creates its backward ``Node`` with one edge per input.
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype
from ..autograd.grad_mode import _state
from ..autograd.graph import SavedTensor
from ..tensor import Tensor

__all__ = [
    "Tensor",
    "grad_enabled",
    "is_scalar",
    "result_dtype",
    "scalar_tensor",
    "as_array",
    "edge",
    "record",
    "save",
    "save_result",
    "SavedAttr",
    "release_saved",
    "plain",
    "sum_to",
    "normalize_dim",
    "meta",
]


def grad_enabled() -> bool:
    return _state.enabled


def is_scalar(x) -> bool:
    """A Python (or numpy) number used as an operand: torch's 'wrapped number'."""
    if type(x) in _PY_NUMBERS:  # the common case, without the slow ABC isinstance
        return True
    return isinstance(x, (numbers.Number, np.number, np.bool_)) and not isinstance(x, Tensor)


_PY_NUMBERS = (float, int, bool)


def _scalar_dtype(x) -> _dtype.dtype:
    if isinstance(x, (bool, np.bool_)):
        return _dtype.bool
    if isinstance(x, (numbers.Integral, np.integer)):
        return _dtype.int64
    if isinstance(x, complex):
        raise TypeError("minigrad does not support complex numbers")
    return _dtype.float32  # a Python float counts as the default dtype, as in torch


def result_dtype(*operands) -> _dtype.dtype:
    """torch's type promotion: dimensioned tensors > 0-dim tensors > Python scalars.

    A lower-priority operand changes the result only if it is of a higher category
    (bool < integer < floating), e.g. ``int_tensor * 2.5`` is float32.
    """
    if len(operands) == 2:
        # Fast paths (most ops): a float tensor with a Python number (or one wrapped by a
        # backward formula), or two tensors of one dtype: the tensor's dtype either way.
        a, b = operands
        if type(a) is Tensor:
            tb = type(b)
            if tb is float or tb is int or tb is WrappedNumber:
                if a._data.dtype.kind == "f":
                    return _dtype.to_dtype(a._data.dtype)
            elif tb is Tensor and a._data.dtype == b._data.dtype:
                return _dtype.to_dtype(a._data.dtype)
    groups: list = [None, None, None]  # dim tensors, zero-dim tensors, scalars
    for x in operands:
        if isinstance(x, Tensor) and type(x) is not WrappedNumber:
            d = x.dtype
            i = 0 if x._data.ndim else 1
        elif isinstance(x, WrappedNumber):
            d = _scalar_dtype(x._data.item())
            i = 2
        else:
            d = _scalar_dtype(x)
            i = 2
        groups[i] = d if groups[i] is None else _dtype.promote_types(groups[i], d)
    return _combine(groups[0], _combine(groups[1], groups[2]))


def _combine(higher, lower):
    # c10's combine_categories: the higher-priority dtype wins unless the lower one is of
    # a higher category.
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is _dtype.bool or lower.is_floating_point:
        return _dtype.promote_types(higher, lower)
    return higher


class WrappedNumber(Tensor):
    """A Python number wrapped as a 0-dim tensor: it keeps a scalar's (low) priority in
    type promotion wherever it goes, e.g. when a backward formula multiplies by it."""

    __slots__ = ()


def scalar_tensor(x) -> Tensor:
    """A Python number as the 0-dim tensor torch wraps it in (int64, float64 or bool)."""
    if type(x) is float:  # the common case first: no ABC isinstance
        return WrappedNumber._make(np.array(x))
    if isinstance(x, (bool, np.bool_)):
        arr = np.array(x, dtype=np.bool_)
    elif isinstance(x, (numbers.Integral, np.integer)):
        arr = np.array(x, dtype=np.int64)
    else:
        arr = np.array(x, dtype=np.float64)
    return WrappedNumber._make(arr)


def as_array(x, np_dtype) -> np.ndarray | float:
    """The numpy value of a tensor or scalar operand, in the computation dtype.

    A Python float stays a float when the computation is floating: numpy (NEP 50) then
    casts it to the other operand's dtype, which is what torch does with a wrapped number.
    """
    if isinstance(x, Tensor):
        d = x._data
        return d if d.dtype == np_dtype else d.astype(np_dtype)
    if type(x) is float and isinstance(np_dtype, np.dtype) and np_dtype.kind == "f":
        return x
    return np.asarray(x, dtype=np_dtype)


def edge(t: Tensor | None) -> tuple:
    """The ``(node, input_nr)`` edge a tensor's gradient flows into, or ``(None, 0)``."""
    if t is None or not isinstance(t, Tensor):
        return (None, 0)
    if t._grad_fn is not None:
        return (t._grad_fn, t._output_nr)
    if t._requires_grad:
        base = t._base
        if base is not None and base._requires_grad:
            # A view made under no_grad of a tensor that requires grad: it requires grad
            # (through its base) but, as in torch, has no grad accumulator of its own.
            # (A view of a tensor that does not, made a leaf by requires_grad_(), has one.)
            return (None, 0)
        return (t._grad_accumulator(), 0)
    return (None, 0)


def meta(data: np.ndarray) -> tuple:
    return ((data.shape, data.dtype),)


def record(data, node_cls, inputs: tuple) -> Tensor:
    """Wrap ``data`` in a tensor; when grad is recorded, give it a ``node_cls`` grad_fn.

    ``inputs`` are the operation's differentiable inputs (tensors, scalars or None), in
    torch's argument order; each gives one entry of ``next_functions``. The caller saves
    what backward needs on ``out.grad_fn`` when it is not None.
    """
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    if not _state.enabled:
        return Tensor._make(data)
    edges = []
    recorded = False
    for t in inputs:  # edge(t), inlined; one pass also tells whether anything requires grad
        if isinstance(t, Tensor) and t._requires_grad:
            recorded = True
            fn = t._grad_fn
            edges.append((fn, t._output_nr) if fn is not None else edge(t))
        else:
            edges.append((None, 0))
    if not recorded:
        return Tensor._make(data)
    node = node_cls(tuple(edges), ((data.shape, data.dtype),))
    return Tensor._make(data, True, node, 0)


def save(t) -> SavedTensor | None:
    """Save an input for backward (None stays None; Python scalars stay as they are)."""
    if isinstance(t, Tensor):
        return SavedTensor(t)
    return t


def save_result(out: Tensor) -> SavedTensor:
    """Save an operation's own output for backward."""
    return SavedTensor(out, is_output=True)


class SavedAttr:
    """Exposes a node's saved value as torch does (``_saved_self``), unpacking tensors."""

    __slots__ = ("slot",)

    def __init__(self, slot: str) -> None:
        self.slot = slot

    def __get__(self, node, owner=None):
        if node is None:
            return self
        value = getattr(node, self.slot)
        if isinstance(value, SavedTensor):
            return value.unpack()
        return value


def release_saved(node, slots: tuple) -> None:
    """Free the saved tensors in ``slots`` of ``node``."""
    for slot in slots:
        value = getattr(node, slot, None)
        if isinstance(value, SavedTensor):
            value.release()


def plain(data) -> Tensor:
    """A result that never has a grad_fn (comparisons, integer outputs)."""
    if type(data) is not np.ndarray:
        data = np.asarray(data)
    return Tensor._make(data)


def zero_tensor(shape: tuple, dtype) -> Tensor:
    """torch's ``_efficientzerotensor``: zeros that stay zero under ``mul`` and ``div``.

    Math: 0 · x = 0 and 0 / x = 0 for every x, inf and NaN included (IEEE gives NaN).
    Example: ``x.sgn()``'s gradient; ``torch._is_zerotensor`` of it is True.
    """
    t = Tensor._make(np.zeros(shape, dtype=dtype))
    t._zero = True
    return t


def as_zero(out: Tensor, a, b) -> Tensor:
    """The result of ``mul`` by a ZeroTensor, or ``div`` of one (``a``, ``b`` the operands):
    zeros, and a ZeroTensor itself unless torch's kernel gives it another dtype.

    torch's ZeroTensor kernels find the result dtype on meta copies of the operands, which
    drops the wrapped-number flag: a 0-dim float32 zero times ``0.5`` comes out float64, and
    the engine's cast back to float32 materializes it. Example: ``(x * 0.5).sgn()`` for a
    0-dim float32 ``x`` leaves an ordinary ``x.grad``; ``(x * 2).sgn()`` a ZeroTensor.
    """
    out._data = np.zeros(out._data.shape, dtype=out._data.dtype)
    plain_a, plain_b = (Tensor._make(np.asarray(_value(v))) for v in (a, b))
    if result_dtype(plain_a, plain_b).np == out._data.dtype:
        out._zero = True
    return out


def _value(x):
    return x._data if isinstance(x, Tensor) else x


def normalize_dim(dim: int, ndim: int) -> int:
    """A dim in ``[-ndim, ndim)`` as a non-negative index, with torch's error otherwise."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim


def sum_to(grad: Tensor, shape: tuple) -> Tensor:
    """The adjoint of broadcasting (torch's ``at::sum_to``): sum ``grad`` down to ``shape``.

    Leading dimensions are summed away and dimensions where ``shape`` has 1 are summed
    with keepdim; recorded as ``SumBackward1`` then ``ViewBackward0``, as torch does.
    """
    shape = tuple(shape)
    gshape = grad._data.shape
    if not shape:  # torch: always grad.sum() for a 0-dim target, even from a 0-dim grad
        from .reduction import sum as _sum

        return _sum(grad)
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    dims = list(range(lead))
    for i, s in enumerate(shape):
        if s == 1 and gshape[lead + i] != 1:
            dims.append(lead + i)
    from .reduction import sum as _sum
    from .shape import view

    if dims:
        grad = _sum(grad, dims, keepdim=True)
    if lead > 0:
        grad = view(grad, shape)
    return grad


def is_expandable_to(shape: tuple, desired: tuple) -> bool:
    """Whether ``shape`` broadcasts to ``desired`` (torch's ``is_expandable_to``)."""
    if len(shape) > len(desired):
        return False
    for s, d in zip(reversed(shape), reversed(desired)):
        if s != d and s != 1:
            return False
    return True


def check_broadcast(sa: tuple, sb: tuple) -> None:
    """Raise torch's error when two shapes do not broadcast."""
    n = max(len(sa), len(sb))
    for i in range(n - 1, -1, -1):
        a = sa[i - n + len(sa)] if i - n + len(sa) >= 0 else 1
        b = sb[i - n + len(sb)] if i - n + len(sb) >= 0 else 1
        if a != b and a != 1 and b != 1:
            raise RuntimeError(
                f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                f"non-singleton dimension {i}"
            )
