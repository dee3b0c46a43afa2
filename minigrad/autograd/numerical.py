"""Central differences: the slope that needs no autograd, used to check every derivative.

Math: for each element k of x (row-major), with e_k the k-th unit vector,

    J[k] = (f(x + eps·e_k) - f(x - eps·e_k)) / (2·eps)

so ``J`` has one row per element of ``x`` and one column per element of ``f``'s result: the
transpose of the usual Jacobian, the layout torch's ``gradcheck`` uses. It is the only
finite-difference loop in minigrad; ``gradcheck``, the course's exercise checks and the tests
all call it.

Example:
    >>> import numpy as np
    >>> x = np.array([1.0, 2.0])
    >>> central_difference(lambda: x**2, x, eps=1e-6).round(6)
    array([[2., 0.],
           [0., 4.]])
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import _errors

__all__ = ["central_difference"]


def central_difference(
    f: Callable[[], np.ndarray], x: np.ndarray, eps: float, check: Callable | None = None
) -> np.ndarray:
    """Differentiate ``f()`` with respect to the array ``x`` by central differences.

    ``f`` takes no arguments and reads ``x`` itself (directly, or through a tensor that shares
    its memory): ``x`` is perturbed in place, one element at a time, in its own dtype as torch
    does, and restored afterwards, even when ``f`` raises. ``check(below, above, index)``, if
    given, sees the two results of ``f`` first (gradcheck compares their shapes and dtypes).

    Math: J[k] = (f(x + eps·e_k) - f(x - eps·e_k)) / (2·eps), flattened: shape (x.size, f().size).

    Example:
        >>> x = np.array([3.0])
        >>> central_difference(lambda: np.sin(x), x, 1e-6).round(6)
        array([[-0.989992]])
    """
    if not isinstance(x, np.ndarray) or not x.flags.writeable:
        raise TypeError(_errors.CENTRAL_DIFFERENCE_ARRAY)
    rows = []
    for idx in np.ndindex(x.shape):  # row-major, as torch's reshape(-1) order
        orig = x[idx].copy()
        try:
            x[idx] = orig - eps
            below = np.array(f(), copy=True)
            x[idx] = orig + eps
            above = np.array(f(), copy=True)
        finally:
            x[idx] = orig
        if check is not None:
            check(below, above, idx)
        below, above = below.reshape(-1), above.reshape(-1)
        rows.append((above - below) / (2 * eps))
    if not rows:  # an empty x: no rows, and the width is f's size
        return np.zeros((0, np.asarray(f()).size))
    return np.stack(rows)
