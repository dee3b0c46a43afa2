"""torch's ZeroTensor: the immutable zero that ``sgn``'s backward returns (fidelity).

A ZeroTensor is an ordinary tensor of zeros with the flag ``_zero`` set. torch gives it
its own kernels, and they are observable:

- ``mul`` by a ZeroTensor, or ``div`` of one, is a ZeroTensor, even against inf or NaN
  (0 · inf = 0 here, where IEEE gives NaN); ``ZeroTensor + ZeroTensor`` stays one;
- it refuses in-place writes, ``numpy()`` and ``tolist()`` (with torch's errors);
- ``AccumulateGrad`` may keep it as a leaf's ``.grad`` ("steal" it, see
  ``autograd/_leaf_grad.py``) instead of a copy.

Example: ``mg.autograd.grad(x.sgn().sum(), x)[0]`` is a ZeroTensor
(``mg._is_zerotensor`` of it is True).
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._promotion import result_dtype

__all__ = ["zero_tensor", "as_zero"]


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
