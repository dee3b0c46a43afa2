"""Creating tensors: ``tensor``, ``zeros``, ``ones``, ``full``, ``arange``, ``rand``, ...

Python floats become float32 (torch's default dtype), Python ints int64, bools bool.

Example:
    >>> import minigrad as mg
    >>> mg.tensor([[1, 2], [3, 4]]).dtype
    torch.int64
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _dtype, _errors
from .tensor import Tensor

__all__ = [
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like",
    "ones_like", "full_like", "empty_like", "rand_like", "randn_like", "arange", "linspace",
    "eye", "rand", "randn", "randint", "manual_seed", "initial_seed", "seed",
]  # fmt: skip

_DEFAULT_SEED = 67280421310721  # torch's default seed; any fixed value keeps runs repeatable


class _Generator:
    seed = _DEFAULT_SEED
    rng = np.random.default_rng(_DEFAULT_SEED)


def manual_seed(seed: int):
    """Seed minigrad's random numbers (its own stream: values differ from torch's)."""
    _Generator.seed = int(seed)
    _Generator.rng = np.random.default_rng(int(seed))
    return _Generator


def initial_seed() -> int:
    return _Generator.seed


def seed() -> int:
    s = int(np.random.SeedSequence().entropy % (1 << 63))
    manual_seed(s)
    return s


def _np_dtype(dtype) -> np.dtype | None:
    if dtype is None:
        return None
    if isinstance(dtype, _dtype.dtype):
        return dtype.np
    return _dtype.to_dtype(dtype).np


def _flatten_tensors(data):
    """Lists may hold tensors (e.g. ``[x[0], x[1]]``): take their values."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_flatten_tensors(d) for d in data]
    return data


def _to_array(data, dtype) -> np.ndarray:
    npd = _np_dtype(dtype)
    if isinstance(data, Tensor):
        arr = data._data.copy()
    elif isinstance(data, np.ndarray):
        arr = np.array(data, copy=True)
        if npd is None and arr.dtype.kind == "f" and arr.dtype != np.float64:
            arr = arr.astype(np.float32)
    else:
        arr = np.array(_flatten_tensors(data))
        if npd is None:
            kind = arr.dtype.kind
            if kind == "f":
                arr = arr.astype(np.float32)  # Python floats: torch's default dtype
            elif kind in "iu":
                arr = arr.astype(np.int64)
            elif kind == "b":
                pass
            elif kind == "c":
                raise TypeError(_errors.NO_COMPLEX_TENSORS)
            else:
                raise TypeError(
                    _errors.CANNOT_INFER_DTYPE.format(type(data).__name__)
                    if arr.dtype == object
                    else _errors.NUMPY_DTYPE_UNSUPPORTED.format(arr.dtype)
                )
    if npd is not None and arr.dtype != npd:
        arr = arr.astype(npd)
    _dtype.to_dtype(arr.dtype)  # refuses unsupported dtypes with a clear message
    return arr


def _leaf(arr: np.ndarray, requires_grad: bool) -> Tensor:
    if requires_grad and arr.dtype.kind != "f":
        raise RuntimeError(_errors.FLOAT_REQUIRES_GRAD)
    return Tensor._make(arr, bool(requires_grad))


def tensor(
    data, dtype=None, device=None, requires_grad: bool = False, *, name: str | None = None
) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (numbers, nested lists, numpy arrays).

    ``name`` (minigrad only) labels the tensor in ``minigrad.viz`` diagrams."""
    if isinstance(data, Tensor):
        warnings.warn(_errors.COPY_CONSTRUCT_WARNING, UserWarning, stacklevel=2)
    t = _leaf(_to_array(data, dtype), requires_grad)
    if name is not None:
        t.name = str(name)
    return t


def as_tensor(data, dtype=None) -> Tensor:
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtype):
        return data
    return tensor(data, dtype=dtype)


def from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor sharing memory with a numpy array."""
    _dtype.to_dtype(arr.dtype)
    return Tensor._make(arr)


def _size(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _default(dtype) -> np.dtype:
    return _np_dtype(dtype) or np.dtype(np.float32)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.zeros(_size(size), dtype=_default(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _leaf(np.ones(_size(size), dtype=_default(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        if isinstance(fill_value, bool):
            dtype = _dtype.bool
        elif isinstance(fill_value, int):
            dtype = _dtype.int64
    return _leaf(np.full(tuple(size), fill_value, dtype=_default(dtype)), requires_grad)


def _like(t: Tensor, dtype) -> np.dtype:
    return _np_dtype(dtype) or t._data.dtype


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False, **_) -> Tensor:
    return _leaf(np.zeros(t._data.shape, dtype=_like(t, dtype)), requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False, **_) -> Tensor:
    return _leaf(np.ones(t._data.shape, dtype=_like(t, dtype)), requires_grad)


def empty_like(t: Tensor, dtype=None, requires_grad: bool = False, **_) -> Tensor:
    return zeros_like(t, dtype, requires_grad)


def full_like(t: Tensor, fill_value, dtype=None, requires_grad: bool = False, **_) -> Tensor:
    return _leaf(np.full(t._data.shape, fill_value, dtype=_like(t, dtype)), requires_grad)


def rand_like(t: Tensor, dtype=None, requires_grad: bool = False, **_) -> Tensor:
    return rand(*t._data.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randn_like(t: Tensor, dtype=None, requires_grad: bool = False, **_) -> Tensor:
    return randn(*t._data.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad: bool = False):
    """Values from start (default 0) to end (excluded) by step."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = _dtype.int64 if is_int else _dtype.float32
    return _leaf(np.arange(start, end, step).astype(_default(dtype)), requires_grad)


def linspace(start, end, steps: int, dtype=None, device=None, requires_grad: bool = False):
    """``steps`` evenly spaced values from start to end (both included)."""
    return _leaf(np.linspace(start, end, steps).astype(_default(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, device=None, requires_grad: bool = False):
    return _leaf(np.eye(n, m, dtype=_default(dtype)), requires_grad)


def rand(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1), from minigrad's seeded generator."""
    data = _Generator.rng.random(_size(size)).astype(_default(dtype))
    return _leaf(data, requires_grad)


def randn(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal, from minigrad's seeded generator."""
    data = _Generator.rng.standard_normal(_size(size)).astype(_default(dtype))
    return _leaf(data, requires_grad)


def randint(*args, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    if size is not None:
        args = args + (size,)
    if len(args) == 2:
        (high, size), low = args, 0
    elif len(args) == 3:
        low, high, size = args
    else:
        raise TypeError(_errors.RANDINT_ARGS)
    data = _Generator.rng.integers(low, high, size=tuple(size))
    return _leaf(data.astype(_np_dtype(dtype) or np.int64), requires_grad)
