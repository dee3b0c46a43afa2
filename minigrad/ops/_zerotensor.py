"""torch's ZeroTensor: the immutable zero that ``sgn``'s backward returns (fidelity).

A ZeroTensor is an ordinary tensor of zeros with the flag ``_zero`` set. torch gives it
its own kernels, and they are observable:

- ``mul`` by a ZeroTensor, or ``div`` of one, is a ZeroTensor, even against inf or NaN
  (0 · inf = 0 here, where IEEE gives NaN); ``ZeroTensor + ZeroTensor`` stays one;
- ``ZeroTensor + t`` is a copy of ``t`` (``add_zerotensor``): -0.0 stays -0.0, and the
  result keeps ``t``'s layout, where an ordinary add would follow the first operand's;
- it refuses in-place writes, ``numpy()`` and ``tolist()`` (with torch's errors);
- ``AccumulateGrad`` may keep it as a leaf's ``.grad`` ("steal" it, see
  ``autograd/_leaf_grad.py``) instead of a copy.

Example: ``mg.autograd.grad(x.sgn().sum(), x)[0]`` is a ZeroTensor
(``mg._is_zerotensor`` of it is True).
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._layout import preserved
from ._promotion import result_dtype

__all__ = ["zero_tensor", "as_zero", "add_zero"]


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


def add_zero(data: np.ndarray, x, y, zero_x: bool, alpha) -> np.ndarray:
    """``x + alpha·y`` (computed by numpy as ``data``) where exactly one operand is a
    ZeroTensor: torch's ``add_zerotensor`` copies the other one (``_to_copy`` of it expanded to
    the result's shape), so its values and its layout survive (times ``alpha`` if it is ``y``).

    Math: 0 + alpha·y = alpha·y and x + alpha·0 = x, bit for bit (numpy's 0 + -0.0 is +0.0).
    Example: a ZeroTensor plus a transposed gradient keeps the transposed strides.
    """
    other = np.broadcast_to(np.asarray(y if zero_x else x, dtype=data.dtype), data.shape)
    out = preserved(np.array(other), other)
    if zero_x and alpha != 1:
        out = preserved(out * alpha, out)
    return out


def _value(x):
    return x._data if isinstance(x, Tensor) else x
