"""A tour of minigrad: run with ``python -m minigrad.demo`` (or ``make demo``).

Each curriculum example is written once, as a function of the library module
(``example(lib)`` with ``lib`` either ``minigrad`` or ``torch``), so the very same code
runs in both. minigrad's results are printed; when torch is importable the example is
run again in torch and the two are compared: values, reprs and the backward graph.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Callable
from typing import Any

# ---------------------------------------------------------------------------------------
# The examples. Each returns a list of (label, value) pairs to print and compare, and a
# dict {name: leaf tensor} so the graph printout can name the leaves.
# ---------------------------------------------------------------------------------------

Result = tuple[list[tuple[str, Any]], dict[str, Any]]


def example_chain(lib) -> Result:
    """z = x*x*y*y, w = z*z at x=2, y=3: one output, a shared node, leaves used twice."""
    x = lib.tensor(2.0, requires_grad=True)
    y = lib.tensor(3.0, requires_grad=True)
    z = x * x * y * y
    w = z * z
    w.backward()
    return [
        ("w", w),
        ("x.grad", x.grad),  # dw/dx = 4 x^3 y^4 = 2592
        ("y.grad", y.grad),  # dw/dy = 4 x^4 y^3 = 1728
        ("w.grad_fn.next_functions", w.grad_fn.next_functions),
        ("graph of w", Graph(w.grad_fn)),
    ], {"x": x, "y": y}


def example_vector(lib) -> Result:
    """Q = 3a^3 - b^2 with a vector output: backward needs an explicit `gradient`."""
    a = lib.tensor([2.0, 3.0], requires_grad=True)
    b = lib.tensor([6.0, 4.0], requires_grad=True)
    Q = 3 * a**3 - b**2
    Q.backward(gradient=lib.tensor([1.0, 1.0]))
    return [
        ("Q", Q),
        ("a.grad", a.grad),  # 9 a^2 = [36, 81]
        ("b.grad", b.grad),  # -2 b  = [-12, -8]
        ("9*a**2 == a.grad", 9 * a**2 == a.grad),
        ("-2*b == b.grad", -2 * b == b.grad),
        ("graph of Q", Graph(Q.grad_fn)),
    ], {"a": a, "b": b}


def example_second_derivative(lib) -> Result:
    """y = x**2: autograd.grad with create_graph=True gives a differentiable dy/dx."""
    x = lib.tensor([3.0], requires_grad=True)
    y = x**2
    dy_dx = lib.autograd.grad(y, x, create_graph=True)  # (2x,) with its own graph
    d2y_dx2 = lib.autograd.grad(dy_dx[0], x)  # (2,)
    return [
        ("y", y),
        ("autograd.grad(y, x, create_graph=True)", dy_dx),
        ("graph of dy/dx", Graph(dy_dx[0].grad_fn, strict=False)),
        ("autograd.grad(dy/dx, x)", d2y_dx2),
        ("x.grad (autograd.grad does not accumulate)", x.grad),
    ], {"x": x}


EXAMPLES: list[tuple[str, Callable[[Any], Result]]] = [
    ("(a) z = x*x*y*y, w = z*z at x=2, y=3; w.backward()", example_chain),
    ("(b) Q = 3a^3 - b^2, a=[2,3], b=[6,4]; Q.backward(gradient=[1,1])", example_vector),
    ("(c) y = x**2 at x=[3]; first and second derivative", example_second_derivative),
]

# ---------------------------------------------------------------------------------------
# Printing: reprs without memory addresses, and the backward graph walked iteratively.
# ---------------------------------------------------------------------------------------

_ADDRESS = re.compile(r" object at 0x[0-9a-fA-F]+")


def clean_repr(value: Any) -> str:
    """repr() with object addresses (which differ run to run) replaced by '...'."""
    return _ADDRESS.sub(" ...", repr(value))


class Graph:
    """The backward graph below a grad_fn, described by walking ``next_functions``."""

    def __init__(self, grad_fn: Any, strict: bool = True):
        self.grad_fn = grad_fn
        # strict=False: the graph is torch's implementation detail (e.g. the graph of a
        # derivative built by its backward formulas); a different one is only a note.
        self.strict = strict

    def lines(self, leaves: dict[str, Any]) -> list[str]:
        """One line per edge, depth first, in input order. A node reached a second time
        is shown as ``(same node as #k)``: that is how sharing shows up in
        ``next_functions``. ``None`` is an input that needs no gradient (a constant).
        Iterative, so deep graphs do not hit the recursion limit."""
        if self.grad_fn is None:
            return ["None (no graph: the tensor does not require grad)"]
        numbers: dict[int, int] = {}
        keep_alive: list[Any] = []  # ids are only unique while the objects live
        out: list[str] = []
        stack: list[tuple[Any, int, str]] = [(self.grad_fn, 0, "")]
        while stack:
            fn, depth, edge = stack.pop()
            pad = "  " * depth
            if fn is None:
                out.append(f"{pad}None{edge}")
                continue
            name = type(fn).__name__
            if id(fn) in numbers:
                out.append(f"{pad}{name}{edge} (same node as #{numbers[id(fn)]})")
                continue
            numbers[id(fn)] = len(numbers) + 1
            keep_alive.append(fn)
            label = f"{pad}#{numbers[id(fn)]} {name}{edge}"
            variable = getattr(fn, "variable", None)
            if variable is not None:
                names = [k for k, t in leaves.items() if t is variable]
                label += f" -> leaf {names[0] if names else tuple(variable.shape)}"
            out.append(label)
            children = list(fn.next_functions)
            for child, input_nr in reversed(children):
                stack.append((child, depth + 1, f" (output {input_nr})" if input_nr else ""))
        return out


def describe(value: Any, leaves: dict[str, Any]) -> list[str]:
    if isinstance(value, Graph):
        return value.lines(leaves)
    return clean_repr(value).splitlines()


def as_numbers(value: Any) -> list[Any]:
    """Numeric content of a tensor or tuple of tensors, for a tolerance-based compare."""
    if isinstance(value, (tuple, list)):
        return [n for v in value for n in as_numbers(v)]
    if hasattr(value, "detach") and hasattr(value, "tolist"):
        return [value.detach().tolist()]
    return []


def close(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 1e-5 * max(1.0, abs(a), abs(b))
    return a == b


def run(lib: Any, fn: Callable[[Any], Result]) -> tuple[list[tuple[str, list[str], Any]], str]:
    """Run one example; returns [(label, printed lines, value)] or an error message."""
    try:
        pairs, leaves = fn(lib)
    except Exception as exc:  # a half-finished engine should not stop the tour
        return [], f"{type(exc).__name__}: {exc}"
    return [(label, describe(v, leaves), v) for label, v in pairs], ""


def show(rows: list[tuple[str, list[str], Any]]) -> None:
    for label, lines, _ in rows:
        if len(lines) == 1:
            print(f"  {label} = {lines[0]}")
        else:
            print(f"  {label}:")
            for line in lines:
                print(f"      {line}")


def compare(ours: list, theirs: list) -> tuple[list[str], list[str]]:
    """Differences that count, and notes (non-strict graphs that differ)."""
    diffs: list[str] = []
    notes: list[str] = []
    for (label, lines, value), (_, t_lines, t_value) in zip(ours, theirs):
        if not close(as_numbers(value), as_numbers(t_value)):
            diffs.append(f"{label}: values differ")
            target = diffs
        elif lines == t_lines:
            continue
        elif isinstance(value, Graph) and not value.strict:
            notes.append(f"{label}: torch builds this graph differently (both are fine):")
            target = notes
        else:
            diffs.append(f"{label}: printed differently")
            target = diffs
        target.append(f"    minigrad: {' | '.join(line.strip() for line in lines)}")
        target.append(f"    torch:    {' | '.join(line.strip() for line in t_lines)}")
    return diffs, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m minigrad.demo", description=__doc__)
    parser.add_argument(
        "--lib",
        choices=["both", "minigrad", "torch"],
        default="both",
        help="run the examples with minigrad (checked against torch if installed; the "
        "default), only minigrad, or only torch",
    )
    args = parser.parse_args(argv)

    main_name = "torch" if args.lib == "torch" else "minigrad"
    lib = importlib.import_module(main_name)
    oracle = None
    if args.lib == "both":
        try:
            oracle = importlib.import_module("torch")
        except ImportError:
            print("(torch is not installed: showing minigrad only, without the cross-check)")

    print(f"{main_name} demo: the same code runs with `lib = {main_name}`", end="")
    print(" and with `lib = torch`.\n" if oracle else ".\n")
    failures = 0
    for title, fn in EXAMPLES:
        print(title)
        rows, error = run(lib, fn)
        if error:
            failures += 1
            print(f"  {main_name} failed: {error}\n")
            continue
        show(rows)
        if oracle is not None:
            t_rows, t_error = run(oracle, fn)
            diffs, notes = ([f"torch failed: {t_error}"], []) if t_error else compare(rows, t_rows)
            for line in notes:
                print(f"  note: {line}")
            if diffs:
                failures += 1
                print("  torch DISAGREES:")
                for line in diffs:
                    print(f"    {line}")
            else:
                print("  torch agrees (values, reprs and graph)")
        print()
    if failures:
        print(f"{failures} of {len(EXAMPLES)} examples failed or disagreed with torch.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
