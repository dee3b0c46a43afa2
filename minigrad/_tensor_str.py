"""Tensor printing, ported from torch 2.13's ``torch/_tensor_str.py``.

The course shows torch and minigrad side by side, so ``repr`` must match torch
character for character. The functions here follow torch's structure one to one
(``_Formatter``, ``_vector_str``, ``_tensor_str_with_formatter``,
``_get_summarized_data``, ``_add_suffixes`` and the dense branch of
``_str_intern``), with numpy arrays in place of tensors. Only what a dense CPU
tensor of float32, float64, int64, int32 or bool needs is ported: no complex,
sparse, quantized, nested or device handling.

Values are formatted as Python floats/ints taken from the array, exactly as torch
does through ``.item()`` and ``.tolist()``; a float32 0.1 is therefore formatted
from the double 0.100000001490116..., which rounds to ``0.1000`` as in torch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from typing import Any

import numpy as np

from . import _errors

__all__ = ["get_printoptions", "printoptions", "set_printoptions", "tensor_repr"]

_NUMPY_DTYPES: dict[str, type] = {
    "float32": np.float32,
    "float64": np.float64,
    "int64": np.int64,
    "int32": np.int32,
    "bool": np.bool_,
}

# torch's default float dtype; empty tensors of any other dtype show it.
_DEFAULT_DTYPE = "float32"
# Dtypes torch never names in a non-empty tensor's repr (values reveal them).
_IMPLIED_DTYPES = ("float32", "int64", "bool")


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set options for printing, like ``torch.set_printoptions``.

    ``profile`` is one of ``"default"``, ``"short"``, ``"full"`` and is applied
    first; the other arguments override it. As in torch, ``sci_mode`` is always
    assigned, so omitting it resets it to ``None`` (automatic).
    """
    if profile is not None:
        if profile == "default":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80
        elif profile == "short":
            PRINT_OPTS.precision = 2
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 2
            PRINT_OPTS.linewidth = 80
        elif profile == "full":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = math.inf
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80

    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments for ``set_printoptions``."""
    return dataclasses.asdict(PRINT_OPTS)


# Lower-case because that is torch's name for it.
class printoptions(contextlib.ContextDecorator):
    """Temporarily change the print options, like ``torch._tensor_str.printoptions``.

    Accepts the same keyword arguments as :func:`set_printoptions`; the previous
    options are restored on exit. Usable as a decorator too, as torch's is.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._saved: list[dict[str, Any]] = []

    def __enter__(self) -> None:
        # A stack, so that one instance can be entered again while active.
        self._saved.append(get_printoptions())
        set_printoptions(**self._kwargs)

    def __exit__(self, *exc_info: object) -> None:
        set_printoptions(**self._saved.pop())


class _Formatter:
    """Chooses int/sci/fixed mode and a common width from the values to print."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating_dtype = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode: Any = False
        self.max_width = 1

        flat = values.reshape(-1)
        if not self.floating_dtype:
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
            return

        # Zeros, nan and inf play no part in choosing the mode or the width.
        nonzero_finite = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero_finite.size == 0:
            return

        # Python floats (doubles) as torch does, so the ratio quietly overflows to inf.
        abs_min = float(np.abs(nonzero_finite).min())
        abs_max = float(np.abs(nonzero_finite).max())
        # Compared in the array's own dtype, like torch's ``value != torch.ceil(value)``.
        self.int_mode = bool(np.all(nonzero_finite == np.ceil(nonzero_finite)))

        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = abs_max / abs_min > 1000.0 or abs_max > 1.0e8 or abs_min < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        precision = PRINT_OPTS.precision
        for value in nonzero_finite.tolist():
            if self.sci_mode:
                width = len(f"{value:.{precision}e}")
            elif self.int_mode:
                # +1 for the "." that marks an integer-valued float.
                width = len(f"{value:.0f}") + 1
            else:
                width = len(f"{value:.{precision}f}")
            self.max_width = max(self.max_width, width)

    def width(self) -> int:
        return self.max_width

    def format(self, value: Any) -> str:
        """One element (a Python scalar), right-aligned to the common width."""
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _vector_str(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    """A 1-d array, wrapped so that no line exceeds the line width."""
    # Each element takes its width plus ", ".
    element_length = formatter.width() + 2
    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    edgeitems = PRINT_OPTS.edgeitems
    if summarize and not edgeitems:
        data = ["..."]
    elif summarize and values.shape[0] > 2 * edgeitems:
        data = (
            [formatter.format(v) for v in values[:edgeitems].tolist()]
            + [" ..."]
            + [formatter.format(v) for v in values[-edgeitems:].tolist()]
        )
    else:
        data = [formatter.format(v) for v in values.tolist()]

    lines = [
        ", ".join(data[i : i + elements_per_line]) for i in range(0, len(data), elements_per_line)
    ]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(
    values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter
) -> str:
    """Nested brackets; sub-arrays of a k-d array are separated by k-1 newlines."""
    dim = values.ndim
    if dim == 0:
        return formatter.format(values.item())
    if dim == 1:
        return _vector_str(values, indent, summarize, formatter)

    edgeitems = PRINT_OPTS.edgeitems
    size = values.shape[0]
    if summarize and size > 2 * edgeitems:
        slices = (
            [
                _tensor_str_with_formatter(values[i], indent + 1, summarize, formatter)
                for i in range(edgeitems)
            ]
            + ["..."]
            + [
                _tensor_str_with_formatter(values[i], indent + 1, summarize, formatter)
                for i in range(size - edgeitems, size)
            ]
        )
    else:
        slices = [
            _tensor_str_with_formatter(values[i], indent + 1, summarize, formatter)
            for i in range(size)
        ]

    tensor_str = ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices)
    return "[" + tensor_str + "]"


def _get_summarized_data(values: np.ndarray) -> np.ndarray:
    """The elements that a summarized print shows (the formatter looks only at these)."""
    dim = values.ndim
    edgeitems = PRINT_OPTS.edgeitems
    if dim == 0:
        return values
    if dim == 1:
        if values.shape[0] > 2 * edgeitems:
            # With edgeitems == 0, values[-0:] is everything, as in torch.
            return np.concatenate((values[:edgeitems], values[-edgeitems:]))
        return values
    if not edgeitems:
        return np.empty([0] * dim, dtype=values.dtype)
    size = values.shape[0]
    if size > 2 * edgeitems:
        rows = [values[i] for i in range(edgeitems)]
        rows += [values[i] for i in range(size - edgeitems, size)]
    else:
        rows = list(values)
    return np.stack([_get_summarized_data(row) for row in rows])


def _tensor_str(values: np.ndarray, indent: int) -> str:
    """The bracketed contents of a tensor whose first line starts ``indent`` columns in."""
    if values.size == 0:
        return "[]"
    summarize = values.size > PRINT_OPTS.threshold
    formatter = _Formatter(_get_summarized_data(values) if summarize else values)
    return _tensor_str_with_formatter(values, indent, summarize, formatter)


def _add_suffixes(tensor_str: str, suffixes: list[str], indent: int, force_newline: bool) -> str:
    """Append ``, suffix`` items, moving one to a new line when it would not fit."""
    tensor_strs = [tensor_str]
    # torch's arithmetic, kept as is: two more than the last line's length.
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix)
        if force_newline or last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += suffix_len + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


def tensor_repr(
    data: np.ndarray,
    *,
    dtype: str,
    requires_grad: bool = False,
    grad_fn_name: str | None = None,
    prefix: str = "tensor(",
) -> str:
    """Exactly torch's ``repr(t)`` for a tensor with these values and attributes.

    ``dtype`` is the name after ``torch.`` (``"float32"``, ``"float64"``,
    ``"int64"``, ``"int32"`` or ``"bool"``); ``data`` is converted to it. A
    ``grad_fn_name`` such as ``"MulBackward0"`` is shown instead of
    ``requires_grad=True``. ``prefix`` is what torch puts before the contents
    (``type(t).__name__ + "("`` for subclasses); continuation lines are indented
    by its length. ``nn.Parameter`` keeps ``"tensor("``: its repr is
    ``"Parameter containing:\\n" + tensor_repr(...)``.
    """
    if dtype not in _NUMPY_DTYPES:
        raise ValueError(_errors.REPR_DTYPE.format(dtype, list(_NUMPY_DTYPES)))
    values = np.asarray(data, dtype=_NUMPY_DTYPES[dtype])
    indent = len(prefix)
    suffixes = []

    if values.size == 0:
        # Show the shape unless it is (0,), as numpy does.
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        # No values to infer an integer dtype from, so anything but the default is named.
        if dtype != _DEFAULT_DTYPE:
            suffixes.append(f"dtype=torch.{dtype}")
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(values.shape)}")
        if dtype not in _IMPLIED_DTYPES:
            suffixes.append(f"dtype=torch.{dtype}")
        tensor_str = _tensor_str(values, indent)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + tensor_str, suffixes, indent, force_newline=False)
