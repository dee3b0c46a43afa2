"""How torch's C++ names a dtype inside error messages (fidelity only: nothing computes with it).

torch's errors spell a dtype in three ways, depending on which C++ code raised them:

- the C type, from ``caffe2::TypeMeta``: ``float``, ``double``, ``long int``, ``int``, ``bool``;
- the ``ScalarType``: ``Float``, ``Double``, ``Long``, ``Int``, ``Bool``;
- the legacy tensor type: ``torch.FloatTensor`` (``dtype._legacy``, since ``Tensor.type()``
  returns it too), which C++ prints as ``CPUBoolType`` for bool.

Example: ``x.grad = torch.zeros(2, dtype=torch.float64)`` on a float32 ``x`` raises
"... a gradient with dtype 'double' to a tensor with grad_dtype 'Float' ...".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._dtype import dtype

__all__ = ["c_type", "scalar_type", "tensor_type"]

_C_TYPE = {
    "float32": "float",
    "float64": "double",
    "int64": "long int",
    "int32": "int",
    "bool": "bool",
}
_SCALAR_TYPE = {
    "float32": "Float",
    "float64": "Double",
    "int64": "Long",
    "int32": "Int",
    "bool": "Bool",
}


def c_type(d: dtype) -> str:
    """The C type name: ``c_type(float64)`` is ``"double"``."""
    return _C_TYPE[d.name]


def scalar_type(d: dtype) -> str:
    """The ScalarType name: ``scalar_type(int64)`` is ``"Long"``."""
    return _SCALAR_TYPE[d.name]


def tensor_type(d: dtype) -> str:
    """The tensor type as C++ prints it: ``torch.FloatTensor``, ..., ``CPUBoolType``."""
    return "CPUBoolType" if d.name == "bool" else d._legacy
