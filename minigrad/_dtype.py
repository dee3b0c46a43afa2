"""Data types and sizes, printed the way torch prints them.

minigrad's dtypes wrap numpy dtypes; their ``repr`` is torch's (``torch.float32``) because
the course shows minigrad and torch side by side and error texts quote them.

Example:
    >>> import minigrad as mg
    >>> mg.tensor([1.0]).dtype
    torch.float32
"""

from __future__ import annotations

import numpy as np

from . import _errors

__all__ = [
    "dtype",
    "float32",
    "float64",
    "int32",
    "int64",
    "bool",
    "Size",
    "get_default_dtype",
    "promote_types",
    "to_dtype",
]

_builtin_bool = bool


class dtype:  # noqa: N801 - torch's name
    """A tensor element type: ``float32``, ``float64``, ``int32``, ``int64`` or ``bool``."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "_category", "_legacy")

    def __init__(self, name: str, np_dtype: type, category: int, legacy: str):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = category == 2
        self.is_signed = name != "bool"
        self.itemsize = self.np.itemsize
        self._category = category  # 0 bool, 1 integer, 2 floating: torch's promotion order
        self._legacy = legacy  # the legacy type name quoted in version-counter errors

    is_complex = False

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return (to_dtype, (self.np,))


float32 = dtype("float32", np.float32, 2, "torch.FloatTensor")
float64 = dtype("float64", np.float64, 2, "torch.DoubleTensor")
int32 = dtype("int32", np.int32, 1, "torch.IntTensor")
int64 = dtype("int64", np.int64, 1, "torch.LongTensor")
bool = dtype("bool", np.bool_, 0, "torch.BoolTensor")  # noqa: A001 - torch's name
float = float32  # noqa: A001 - torch aliases
double = float64
long = int64

_BY_NP = {d.np: d for d in (float32, float64, int32, int64, bool)}


def to_dtype(np_dtype) -> dtype:
    """The minigrad dtype of a numpy dtype (float16 and friends are not supported)."""
    d = _BY_NP.get(np_dtype)  # already a numpy dtype (the hot path): one dict lookup
    if d is not None:
        return d
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(_errors.UNSUPPORTED_DTYPE.format(np_dtype)) from None


def get_default_dtype() -> dtype:
    """The dtype of tensors made from Python floats: ``float32``, as in torch."""
    return float32


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types for the supported dtypes: bool < int32 < int64 < float32 < float64."""
    if a is b:
        return a
    order = (bool, int32, int64, float32, float64)
    return a if order.index(a) > order.index(b) else b


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, other))
