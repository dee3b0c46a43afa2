"""Arithmetic on shapes (tuples of ints), with torch's errors: no tensors here.

Example:
    >>> normalize_dim(-1, 3)
    2
    >>> is_expandable_to((3, 1), (2, 3, 4))
    True
"""

from __future__ import annotations

from .. import _errors

__all__ = ["normalize_dim", "shape_arg", "infer_shape", "is_expandable_to", "check_broadcast"]


def normalize_dim(dim: int, ndim: int) -> int:
    """A dim in ``[-ndim, ndim)`` as a non-negative index, with torch's error otherwise."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(_errors.DIM_OUT_OF_RANGE.format(-n, n - 1, dim))
    return dim + n if dim < 0 else dim


def shape_arg(shape: tuple) -> tuple:
    """``view(2, 3)`` and ``view((2, 3))`` both mean (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def infer_shape(shape: tuple, numel: int) -> tuple:
    """``shape`` with its one ``-1`` (if any) filled in so that it holds ``numel`` elements."""
    if shape.count(-1) > 1:
        raise RuntimeError(_errors.INFER_TWO_DIMS)
    if -1 in shape:
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        if known == 0 or numel % known:
            raise RuntimeError(_errors.INVALID_SHAPE.format(list(shape), numel))
        shape = tuple(numel // known if s == -1 else s for s in shape)
    n = 1
    for s in shape:
        n *= s
    if n != numel:
        raise RuntimeError(_errors.INVALID_SHAPE.format(list(shape), numel))
    return shape


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
            raise RuntimeError(_errors.BROADCAST_MISMATCH.format(a, b, i))
