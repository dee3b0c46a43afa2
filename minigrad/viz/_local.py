"""Local derivatives of backward nodes: the q on each edge of the edge-as-node picture.

``local_derivative(node, i)`` gives, for input ``i`` of ``node``, the formula of the partial
derivative of the node's output with respect to that input (``a``, ``b`` are the inputs,
``y`` the output), the forward values it depends on, and its value computed from what the
node saved. Operations without an entry get a generic label and, where the node can be
called, the value of its vector-Jacobian product with ones.

Example:
    >>> local_derivative(mul_node, 0)            # doctest: +SKIP
    Local(formula='∂(a·b)/∂a = b', deps=('in1',), value=tensor(3.))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._walk import fn_name, lib_of, op_name

__all__ = ["Local", "local_derivative", "SavedFreed"]


class SavedFreed(RuntimeError):
    pass


@dataclass
class Local:
    formula: str
    deps: tuple  # "in0", "in1", ... (the node's inputs) or "out" (its own output)
    value: Any  # a tensor, a number, or None when it cannot be computed


def _get(node: Any, attr: str) -> Any:
    try:
        return getattr(node, "_saved_" + attr)
    except RuntimeError as exc:
        raise SavedFreed(
            "second_order_graph() needs the values the graph saved for backward, but they "
            "were freed by a backward pass; draw it before calling backward(), or pass "
            "retain_graph=True to backward()"
        ) from exc


def _float(v: Any) -> Any:
    """A bool tensor as the float 0/1 tensor it stands for in a derivative."""
    return v.float() if hasattr(v, "float") else float(v)


# name -> {input index: (formula, deps, value from node)}
_Entry = tuple[str, tuple, Callable[[Any], Any]]
_TABLE: dict[str, dict[int, _Entry]] = {
    "MulBackward0": {
        0: ("∂(a·b)/∂a = b", ("in1",), lambda n: _get(n, "other")),
        1: ("∂(a·b)/∂b = a", ("in0",), lambda n: _get(n, "self")),
    },
    "AddBackward0": {
        0: ("∂(a+α·b)/∂a = 1", (), lambda n: 1),
        1: ("∂(a+α·b)/∂b = α", (), lambda n: _get(n, "alpha")),
    },
    "AddBackward1": {0: ("∂(a+c)/∂a = 1", (), lambda n: 1)},
    "SubBackward0": {
        0: ("∂(a−α·b)/∂a = 1", (), lambda n: 1),
        1: ("∂(a−α·b)/∂b = −α", (), lambda n: -_get(n, "alpha")),
    },
    "SubBackward1": {0: ("∂(a−c)/∂a = 1", (), lambda n: 1)},
    "RsubBackward1": {0: ("∂(c−α·a)/∂a = −α", (), lambda n: -_get(n, "alpha"))},
    "NegBackward0": {0: ("∂(−a)/∂a = −1", (), lambda n: -1)},
    "PowBackward0": {
        0: (
            "∂(aⁿ)/∂a = n·aⁿ⁻¹",
            ("in0",),
            lambda n: _get(n, "exponent") * _get(n, "self") ** (_get(n, "exponent") - 1),
        )
    },
    "PowBackward1": {
        0: (
            "∂(aᵇ)/∂a = b·aᵇ⁻¹",
            ("in0", "in1"),
            lambda n: _get(n, "exponent") * _get(n, "self") ** (_get(n, "exponent") - 1),
        ),
        1: (
            "∂(aᵇ)/∂b = aᵇ·ln a",
            ("out", "in0"),
            lambda n: _get(n, "result") * _get(n, "self").log(),
        ),
    },
    "DivBackward0": {
        0: ("∂(a/b)/∂a = 1/b", ("in1",), lambda n: 1 / _get(n, "other")),
        1: (
            "∂(a/b)/∂b = −a/b²",
            ("in0", "in1"),
            lambda n: -_get(n, "self") / _get(n, "other") ** 2,
        ),
    },
    "ExpBackward0": {0: ("∂(eᵃ)/∂a = eᵃ = y", ("out",), lambda n: _get(n, "result"))},
    "LogBackward0": {0: ("∂(ln a)/∂a = 1/a", ("in0",), lambda n: 1 / _get(n, "self"))},
    "TanhBackward0": {0: ("∂tanh(a)/∂a = 1 − y²", ("out",), lambda n: 1 - _get(n, "result") ** 2)},
    "SigmoidBackward0": {
        0: ("∂σ(a)/∂a = y·(1 − y)", ("out",), lambda n: _get(n, "result") * (1 - _get(n, "result")))
    },
    "ReluBackward0": {
        0: ("∂relu(a)/∂a = [y > 0]", ("out",), lambda n: _float(_get(n, "result") > 0))
    },
    "SumBackward0": {0: ("∂(Σa)/∂a = 1", (), lambda n: 1)},
    "MeanBackward0": {0: ("∂(mean a)/∂a = 1/N", (), lambda n: 1 / _get(n, "self_sym_numel"))},
}


def _vjp_ones(node: Any, i: int, output: Any) -> Any:
    """The node's vector-Jacobian product with ones, for input ``i`` (None if unavailable)."""
    meta = getattr(node, "_out_meta", None)
    try:
        if meta:  # minigrad: ((shape, numpy dtype), ...)
            lib = lib_of(output)
            shape, dtype = meta[0]
            ones = lib.ones(*shape, dtype=lib._dtype.to_dtype(dtype))
        else:  # torch: the shape of output 0 of the node
            lib = lib_of(output)
            ones = lib.ones(node._input_metadata[0].shape)
        with lib.no_grad():
            grads = node(ones)
        if not isinstance(grads, tuple):
            grads = (grads,)
        return grads[i]
    except Exception:  # noqa: BLE001 - a label without a value is still useful
        return None


def local_derivative(node: Any, i: int, output: Any) -> Local:
    """The local derivative on the edge along ``node.next_functions[i]``."""
    entry = _TABLE.get(fn_name(node), {}).get(i)
    if entry is not None:
        formula, deps, fn = entry
        return Local(formula, deps, fn(node))
    return Local(f"∂{op_name(node)}/∂input{i} (Jᵀ·1)", (), _vjp_ones(node, i, output))
