"""Walking a backward graph of either library (minigrad or torch, by duck typing).

Everything here is iterative (no recursion limit on deep graphs) and visits nodes in one
fixed order: outputs in the order given, then depth first along ``next_functions`` in input
order. Objects are looked up by identity only while the caller holds them; nothing printed
ever depends on an address.

Example:
    >>> import minigrad as mg
    >>> x = mg.tensor(2.0, requires_grad=True)
    >>> [n.name() for n in walk([(x * x).grad_fn]).order]
    ['MulBackward0', 'torch::autograd::AccumulateGrad']
"""

from __future__ import annotations

import re
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Walk",
    "walk",
    "check_tensors",
    "is_tensor",
    "lib_of",
    "node_kind",
    "fn_name",
    "seq_of",
    "saved_items",
    "format_value",
    "shape_text",
    "Names",
    "SAVED_PREFIX",
    "expressions",
]

SAVED_PREFIX = "_saved_"
_BACKWARD = re.compile(r"Backward\d*$")


class Ref:
    """A dict key that compares by identity: tensors' ``==`` is elementwise, so they cannot be
    keys themselves. Only for lookups; nothing drawn or printed ever comes from it.

    >>> import minigrad as mg
    >>> t = mg.tensor([1.0]); Ref(t) == Ref(t), Ref(t) == Ref(mg.tensor([1.0]))
    (True, False)
    """

    __slots__ = ("obj",)

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __hash__(self) -> int:
        return object.__hash__(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ref) and other.obj is self.obj


def is_tensor(obj: Any) -> bool:
    """A minigrad or torch tensor (duck typing: the autograd fields and ``detach``)."""
    return (
        hasattr(obj, "grad_fn")
        and hasattr(obj, "requires_grad")
        and hasattr(obj, "detach")
        and hasattr(obj, "shape")
        and not isinstance(obj, type)
    )


def check_tensors(values: tuple, fname: str) -> tuple:
    """``values`` (tensors, or one list/tuple of tensors) as a tuple; TypeError otherwise."""
    if len(values) == 1 and isinstance(values[0], (list, tuple)):
        values = tuple(values[0])
    if not values:
        raise TypeError(f"{fname}() needs at least one tensor to draw")
    for i, v in enumerate(values):
        if not is_tensor(v):
            raise TypeError(
                f"{fname}() expects minigrad or torch tensors, but argument {i} is "
                f"{type(v).__name__}; pass the tensor whose graph you want to draw "
                f"(e.g. {fname}(loss))"
            )
    return tuple(values)


def lib_of(t: Any):
    """The library module a tensor comes from (``minigrad`` or ``torch``)."""
    return sys.modules[type(t).__module__.split(".")[0]]


def fn_name(node: Any) -> str:
    """A node's class name as torchviz shows it (``MulBackward0``, ``AccumulateGrad``)."""
    return type(node).__name__


def node_kind(node: Any) -> str:
    """``"acc"`` for an AccumulateGrad node, ``"fn"`` otherwise."""
    return "acc" if hasattr(node, "variable") else "fn"


def seq_of(node: Any) -> float:
    """The node's sequence number (creation order); AccumulateGrad counts as infinite."""
    if hasattr(node, "variable"):
        return float("inf")
    return node._sequence_nr()


def op_name(node: Any) -> str:
    """The forward operation of a node: ``MulBackward0`` -> ``Mul``."""
    return _BACKWARD.sub("", fn_name(node)) or fn_name(node)


@dataclass
class Walk:
    """The nodes reached from some roots: ``order`` (visit order), ``index`` (node -> i),
    ``total`` (all nodes, also those beyond ``limit``)."""

    order: list = field(default_factory=list)
    index: dict = field(default_factory=dict)
    total: int = 0


def walk(roots: list, limit: int | None = None) -> Walk:
    """Depth-first pre-order over ``next_functions`` from ``roots`` (None entries skipped).

    Only the first ``limit`` nodes are kept in ``order``; ``total`` counts every node."""
    w = Walk()
    seen: dict = {}
    stack = [r for r in reversed(roots) if r is not None]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen[node] = len(seen)
        if limit is None or len(w.order) < limit:
            w.index[node] = len(w.order)
            w.order.append(node)
        children = [n for n, _ in node.next_functions if n is not None]
        stack.extend(reversed(children))
    w.total = len(seen)
    return w


def saved_items(node: Any) -> list[tuple[str, Any]]:
    """``(name, value)`` of each ``_saved_*`` attribute, sorted by name (as ``dir`` gives
    them), and for a custom ``Function``'s node its ``saved_tensors`` (a tuple). A freed
    saved tensor gives ``(name, RuntimeError)``."""
    out = []
    for attr in dir(node):
        if not attr.startswith(SAVED_PREFIX) or attr == "_saved_tensors":
            # ``_saved_tensors`` is a custom Function's private storage (torch does not
            # list it; its tensors are shown through ``saved_tensors`` below).
            continue
        try:
            value = getattr(node, attr)
        except RuntimeError as exc:
            value = exc
        except AttributeError:
            continue
        out.append((attr[len(SAVED_PREFIX) :], value))
    if hasattr(type(node), "saved_tensors") and hasattr(node, "needs_input_grad"):
        try:
            value = node.saved_tensors
        except RuntimeError as exc:
            value = exc
        if isinstance(value, RuntimeError) or value:
            out.append(("saved_tensors", value))
    return out


def shape_text(t: Any) -> str:
    return "(" + ", ".join(str(int(s)) for s in t.shape) + ("," if len(t.shape) == 1 else "") + ")"


def _printoptions(lib):
    if lib.__name__ == "torch":
        return lib._tensor_str.printoptions
    return lib.printoptions


def format_value(t: Any, max_chars: int = 200) -> str:
    """A tensor's value as its library prints it, without the ``tensor(...)`` wrapper and
    without autograd fields: ``tensor(3.)`` -> ``3.``; big arrays are summarised."""
    lib = lib_of(t)
    d = t.detach()
    with _printoptions(lib)(threshold=8, edgeitems=2, linewidth=60, precision=4):
        text = repr(d)
    if text.startswith("tensor(") and text.endswith(")"):
        text = text[len("tensor(") : -1]
        text = "\n".join(
            line[len("       ") :] if line.startswith("       ") else line
            for line in text.split("\n")
        )
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return text


class Names:
    """Stable names for tensors: ``params`` first, then a ``name`` attribute given at
    creation, then generated ones (``prefix`` + a counter, in traversal order)."""

    def __init__(self, params: dict | None) -> None:
        if params is not None and not isinstance(params, dict):
            raise TypeError(f"params must be a dict of name -> tensor, got {type(params).__name__}")
        self._by_ref: dict[Ref, str] = {}
        self._counters: dict[str, int] = {}
        for name, t in (params or {}).items():
            if not is_tensor(t):
                raise TypeError(
                    f"params[{name!r}] is {type(t).__name__}, not a tensor; params maps "
                    "names to tensors, e.g. params={'w': w}"
                )
            self._by_ref.setdefault(Ref(t), str(name))
        self._by_edge: dict = {}  # (grad_fn, output_nr) -> name, for non-leaf params
        for name, t in (params or {}).items():
            if t.grad_fn is not None:
                self._by_edge.setdefault((t.grad_fn, t.output_nr), str(name))

    def known(self, t: Any) -> str | None:
        name = self._by_ref.get(Ref(t))
        if name is None:
            given = getattr(t, "name", None)
            if isinstance(given, str):
                name = given
        return name

    def for_edge(self, node: Any, nr: int) -> str | None:
        return self._by_edge.get((node, nr))

    def get(self, t: Any, prefix: str) -> str:
        name = self.known(t)
        if name is None:
            name = self.generate(prefix)
            self._by_ref[Ref(t)] = name
        return name

    def generate(self, prefix: str) -> str:
        i = self._counters.get(prefix, 0)
        self._counters[prefix] = i + 1
        return f"{prefix}{i}"


def quiet_grad(t: Any) -> Any:
    """``t.grad`` without the non-leaf warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return t.grad


# -- expression names -------------------------------------------------------------------
# An intermediate tensor the learner did not name is labelled with the formula that made it
# ("x·x·y", "(x·y)²"), built from the names of the leaves, so that a picture says what the
# prose says. Only short formulas over named leaves qualify; anything else keeps a counter
# name (t0, t1, ...).

MAX_EXPR = 20
_INFIX = {"Mul": "·", "Add": " + ", "Sub": " − ", "Div": "/"}
_CALLS = {
    "Sin": "sin", "Cos": "cos", "Exp": "exp", "Log": "log", "Tanh": "tanh",
    "Sigmoid": "sigmoid", "Relu": "relu", "Abs": "abs", "Sqrt": "sqrt", "Mean": "mean",
    "Sum": "sum",
}  # fmt: skip
_SUPERSCRIPT = {2: "²", 3: "³", 4: "⁴"}


def _number(value: Any) -> str | None:
    """A constant an operation saved (a 0-dim tensor or a Python number), as ``2`` or ``0.5``."""
    if is_tensor(value):
        if value.requires_grad or tuple(value.shape) != ():
            return None
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return f"{value:g}"


def _constant(node: Any, i: int) -> str | None:
    """The value of input ``i`` of ``node`` when it is a saved constant (``2`` in ``2 * x``)."""
    if op_name(node) != "Mul":
        return None
    attr = ("_saved_self", "_saved_other")[i] if i < 2 else None
    try:
        return _number(getattr(node, attr)) if attr else None
    except (AttributeError, RuntimeError):
        return None


def _wrap(expr: tuple[str, str], parent: str, left: bool) -> str:
    """``expr`` as an operand of ``parent``: parenthesised unless it binds tighter, or it is
    the left operand of the same associative operation (``x·x·y``)."""
    text, op = expr
    if op == "atom" or op == "call":
        return text
    if op == parent and left and op in ("Mul", "Add"):
        return text
    if parent == "Add" and op in ("Mul", "Div", "Pow", "Neg"):
        return text
    if parent in ("Mul", "Sub") and op == "Pow":
        return text
    return f"({text})"


def _expression(node: Any, operands: list) -> tuple[str, str] | None:
    """The formula of ``node`` from its operands' formulas, or None."""
    op = op_name(node)
    if op in _INFIX and len(operands) == 2:
        a, b = operands
        return _wrap(a, op, True) + _INFIX[op] + _wrap(b, op, False), op
    if op == "Neg" and len(operands) == 1:
        return "−" + _wrap(operands[0], "Neg", False), "Neg"
    if op == "Pow" and len(operands) == 1 and fn_name(node) == "PowBackward0":
        k = _number(getattr(node, "_saved_exponent", None))
        if k is None:
            return None
        sup = _SUPERSCRIPT.get(int(float(k))) if float(k).is_integer() else None
        base = _wrap(operands[0], "Pow", True)
        return (base + sup if sup else f"{base}^{k}"), "Pow"
    if op in _CALLS and len(operands) == 1:
        return f"{_CALLS[op]}({operands[0][0]})", "call"
    if hasattr(node, "needs_input_grad") and operands:  # a custom Function
        return f"{op}({', '.join(o[0] for o in operands)})", "call"
    return None


def expressions(nodes: list, names: Names, limit: int = MAX_EXPR) -> dict:
    """``(node, 0) -> formula`` for the nodes whose result can be written as a short
    formula over named leaves (and named intermediate tensors). Iterative: nodes are taken
    in creation order, so every operand is done before the node that uses it."""
    out: dict = {}
    done: dict = {}  # node -> (text, op) or None
    # AccumulateGrad nodes first (their seq_of is infinite), then creation order.
    for node in sorted(nodes, key=lambda n: -1.0 if node_kind(n) == "acc" else seq_of(n)):
        if node_kind(node) == "acc":
            name = names.known(node.variable)
            done[node] = (name, "atom") if name else None
            continue
        given = names.for_edge(node, 0)
        if given:
            done[node] = (given, "atom")
            continue
        operands: list | None = []
        for i, (child, nr) in enumerate(node.next_functions):
            if child is None:
                value = _constant(node, i)
                if value is None:
                    operands = None
                    break
                operands.append((value, "atom"))
            elif nr != 0 or done.get(child) is None:
                operands = None
                break
            else:
                operands.append(done[child])
        expr = _expression(node, operands) if operands else None
        if expr is not None and len(expr[0]) > limit:
            expr = None
        done[node] = expr
        if expr is not None:
            out[node, 0] = expr[0]
    return out
