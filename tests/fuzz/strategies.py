"""Hypothesis strategies shared by the test suite: random autograd programs.

A generated :class:`Program` is Python source text written against a module called ``lib``,
so the very same text runs with ``lib = minigrad`` and with ``lib = torch``. The generator
tracks each variable's shape, dtype, ``requires_grad``, sign and view-ness only to write
programs that are *mostly* valid; whatever the program actually does (values, graphs,
errors) is observed at run time and compared between the two libraries.

A program has three parts:

* leaves: 0-D to 3-D tensors of broadcast-compatible shapes, float32/float64, random
  ``requires_grad``; values are mostly multiples of 1/8 (sums and products stay exact, so
  differences are the engine's, not rounding order) with some general floats and zeros;
* a random DAG of operations: pointwise ops with tensors or Python scalars, reductions
  (var, var_mean, median too), the matmul family, views (split, chunk, diagonal too),
  indexing, cat/stack, ``detach()``, ``no_grad`` blocks, in-place ops on non-leaves and on
  views (the base's history is rewritten: ``CopySlices``; the generator tracks which
  variables share memory, and which views torch refuses to modify), ``t[i] = v`` with basic
  and advanced indices, ``retain_grad()``, reuse of any earlier result (fan-out);
* differentiation: ``backward`` with or without ``gradient``/``retain_graph``/``inputs``,
  or ``autograd.grad`` with ``grad_outputs``/``allow_unused``/``create_graph=True``,
  followed by a second and sometimes a third differentiation;

and, for misuse programs, one misuse (freed graph reused, in-place on a leaf or on a saved
tensor, in-place on a view torch refuses, backward through ``//``, implicit grad of a
non-scalar, unused input, mismatched gradient shape).

Example:
    >>> from hypothesis import given
    >>> @given(programs())
    ... def test(p):
    ...     print(p.source("mg"))  # a runnable script for minigrad (p.source("torch") for torch)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from hypothesis import strategies as st

__all__ = ["Program", "programs", "misuse_programs", "higher_order_programs"]

DTYPES = ("float32", "float64")
# Multiples of 1/8 in [-2, 2]: exact in both dtypes, zeros and ties included on purpose.
EIGHTHS = tuple(k / 8 for k in range(-16, 17))
SCALARS = (2, 3, -1, 0.5, 1.5, -2.5, 0.25)


@dataclass(frozen=True)
class Program:
    """A generated autograd program: source lines written against the module ``lib``."""

    lines: tuple[str, ...]
    kind: str = "program"

    def source(self, lib: str = "lib") -> str:
        """The program text with ``lib.`` spelled as ``lib`` (e.g. ``mg`` or ``torch``)."""
        text = "\n".join(self.lines) + "\n"
        return text if lib == "lib" else re.sub(r"\blib\.", f"{lib}.", text)

    def reproducer(self) -> str:
        """Two runnable scripts: the program for minigrad and for torch."""
        return (
            "# minigrad\nimport minigrad as mg\n\n"
            + self.source("mg")
            + "\n# torch\nimport torch\n\n"
            + self.source("torch")
        )

    def __repr__(self) -> str:
        # hypothesis prints the falsifying example with repr(): make it runnable.
        return "\n" + self.reproducer()


@dataclass
class Var:
    """What the generator knows statically about one program variable."""

    name: str
    shape: tuple
    dtype: str
    rg: bool  # requires_grad
    leaf: bool
    pos: bool = False  # every value > 0: safe for log, sqrt, reciprocal, division
    view: bool = False  # a view of another tensor: in-place ops on it rewrite its base's history
    deps: frozenset = field(default_factory=frozenset)  # leaves reached by gradients
    big: bool = False  # may hold large values (after exp): clamped before exp/sin again
    # The storage group: every variable sharing memory with the root variable ``base``
    # (views, detach(), .to() of the same dtype); None for a tensor that owns its memory.
    base: str | None = None
    multi: bool = False  # an output of unbind/split/chunk: no in-place op in grad mode
    nograd_view: bool = False  # a view made under no_grad: no in-place op in grad mode
    expanded: bool = False  # expand(): several elements share memory, no in-place op
    poisoned: bool = False  # a multi/no_grad view whose base changed: using it raises
    frozen: bool = False  # saved by matmul as internal views, or matmul's result: no in-place

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


def broadcast(a: tuple, b: tuple) -> tuple | None:
    """The broadcast shape of ``a`` and ``b``, or None."""
    n = max(len(a), len(b))
    a2, b2 = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a2, b2):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return tuple(out)


def promote(*vs: Var) -> str:
    """torch's result dtype of float tensors: dimensioned ones win over 0-dim ones."""
    dims = [v.dtype for v in vs if v.ndim]
    pool = dims or [v.dtype for v in vs]
    return "float64" if "float64" in pool else "float32"


def fmt_float(v: float) -> str:
    if math.isnan(v):
        return 'float("nan")'
    if math.isinf(v):
        return 'float("inf")' if v > 0 else '-float("inf")'
    return repr(float(v))


def nested(values: list, shape: tuple) -> str:
    """A nested list literal of ``values`` with ``shape``."""
    if not shape:
        return fmt_float(values[0])
    step = len(values) // shape[0] if shape[0] else 0
    parts = [nested(values[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]
    return "[" + ", ".join(parts) + "]"


class Builder:
    """Writes one program, statement by statement, drawing every choice from hypothesis."""

    def __init__(self, draw) -> None:
        self.draw = draw
        self.lines: list[str] = []
        self.vars: list[Var] = []
        self.counter = 0
        self.indent = ""
        self.grad_on = True
        self.edgy = False

    # -- helpers ------------------------------------------------------------------------
    def choice(self, seq):
        return self.draw(st.sampled_from(tuple(seq)))

    def flag(self, p_true: float = 0.5) -> bool:
        # hypothesis shrinks integers towards 0, so False is the simpler choice.
        return self.draw(st.integers(0, 999)) < int(p_true * 1000)

    def emit(self, line: str) -> None:
        self.lines.append(self.indent + line)

    def fresh(self, prefix: str = "t") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def add(self, expr: str, **kw) -> Var:
        v = Var(self.fresh(), **kw)
        if not self.grad_on and "rg" in kw:
            v.rg = v.rg and kw.get("view", False)  # a view of a grad tensor still requires it
            if not v.rg:
                v.deps = frozenset()
        if not v.rg:
            v.leaf = True
        self.emit(f"{v.name} = {expr}")
        self.vars.append(v)
        return v

    def pick(self, pred=None) -> Var | None:
        pool = [v for v in self.vars if not v.poisoned and (pred is None or pred(v))]
        if not pool:
            return None
        # Prefer recent results (deep chains) but reach back for fan-out.
        if self.flag(0.6):
            return pool[-1 - self.draw(st.integers(0, min(2, len(pool) - 1)))]
        return self.choice(pool)

    def values(self, n: int, positive: bool = False) -> list[float]:
        if positive:
            elem = st.sampled_from(tuple(e for e in EIGHTHS if e > 0) + (0.3, 1.7, 2.5))
        else:
            elem = st.sampled_from(EIGHTHS)
            if self.edgy:  # general floats and edge values, where torch is well-defined
                elem = st.one_of(
                    elem,
                    st.floats(-3, 3, allow_nan=False, width=32),
                    st.sampled_from((0.0, -0.0, 1e-3, 7.0, float("inf"), float("nan"))),
                )
        return self.draw(st.lists(elem, min_size=n, max_size=n))

    # -- leaves -------------------------------------------------------------------------
    def leaf(self, shape: tuple, dtype: str | None = None, rg: bool | None = None,
             positive: bool = False) -> Var:  # fmt: skip
        dtype = dtype or self.choice(DTYPES)
        rg = self.flag(0.75) if rg is None else rg
        positive = positive or self.flag(0.25)
        vals = self.values(math.prod(shape), positive)
        name = self.fresh("x")
        args = f"{nested(vals, shape)}, dtype=lib.{dtype}"
        if rg:
            args += ", requires_grad=True"
        self.lines.append(f"{self.indent}{name} = lib.tensor({args})")
        v = Var(name, shape, dtype, rg, True, pos=positive and all(x > 0 for x in vals))
        v.deps = frozenset([name]) if rg else frozenset()
        self.vars.append(v)
        return v

    def leaves(self) -> None:
        ndim = self.draw(st.integers(0, 3))
        base = tuple(self.draw(st.integers(1, 3)) for _ in range(ndim))
        for _ in range(self.draw(st.integers(1, 3))):
            k = self.draw(st.integers(0, len(base)))
            shape = tuple(1 if self.flag(0.2) else s for s in base[len(base) - k :])
            self.leaf(shape)
        if not any(v.rg for v in self.vars):
            self.leaf(base, rg=True)

    def operand_like(self, shape: tuple, dtype: str, positive: bool = False) -> Var:
        """An existing variable of exactly ``shape`` (fan-out), or a new leaf."""
        found = [v for v in self.vars if v.shape == shape and (v.pos or not positive)]
        if found and self.flag(0.5):
            return self.choice(found)
        return self.leaf(shape, dtype, positive=positive)

    def positive(self, v: Var) -> tuple[str, bool]:
        """An expression for a positive version of ``v`` (mostly), and whether it is."""
        if v.pos:
            return v.name, True
        if self.edgy and self.flag(0.15):
            return v.name, False  # the edge: log/sqrt of negatives and zeros (NaN, inf)
        return self.choice(
            (f"({v.name}.abs() + 0.5)", f"{v.name}.exp()", f"({v.name} * {v.name} + 0.25)")
        ), True

    def new(self, expr: str, shape: tuple, dtype: str, inputs: tuple, pos: bool = False,
            view: bool = False, diff: bool = True, big: bool | None = None,
            multi: bool = False, expanded: bool = False) -> Var:  # fmt: skip
        rg = diff and any(v.rg for v in inputs)
        deps = frozenset().union(*(v.deps for v in inputs)) if rg else frozenset()
        big = any(v.big for v in inputs) if big is None else big
        v = self.add(expr, shape=shape, dtype=dtype, rg=rg, leaf=not rg, pos=pos,
                     view=view, deps=deps, big=big)  # fmt: skip
        if view:
            parent = inputs[0]
            v.base = parent.base or parent.name
            # how the view was made: under no_grad, by a multi-output op, inherited
            v.multi = multi or parent.multi
            v.nograd_view = not self.grad_on or parent.nograd_view
            v.expanded = expanded or parent.expanded
            v.frozen = parent.frozen
        return v

    def group(self, v: Var) -> list[Var]:
        """Every variable sharing ``v``'s memory (its root, the root's views and aliases)."""
        root = v.base or v.name
        return [w for w in self.vars if w.name == root or w.base == root]

    # -- operations ---------------------------------------------------------------------
    def op_unary(self) -> None:
        a = self.pick()
        if a.big:
            # Keep programs well-conditioned: sin(exp2(exp(exp(x)))) in float32 is noise (one
            # ulp of 7e9 is 512), and so is any comparison of it. Extremes come as edge values.
            a = self.new(f"{a.name}.clamp(-2.0, 2.0)", a.shape, a.dtype, (a,), big=False)
        n = a.name
        kind = self.choice(
            # sgn's gradient is torch's immutable ZeroTensor, which minigrad reproduces.
            (
                "neg",
                "exp",
                "log",
                "sqrt",
                "abs",
                "sin",
                "cos",
                "tanh",
                "sigmoid",
                "relu",
                "sign",
                "sgn",
                "square",
                "reciprocal",
                "clamp",
                "pow",
                "rpow",
                "exp2",
                "to",
                "clone",
                "fn",
            )  # fmt: skip
        )
        s, d = a.shape, a.dtype
        if kind == "neg":
            self.new(self.choice((f"-{n}", f"{n}.neg()", f"lib.neg({n})")), s, d, (a,))
        elif kind == "exp":
            self.new(self.choice((f"{n}.exp()", f"lib.exp({n})")), s, d, (a,), pos=True, big=True)
        elif kind in ("log", "sqrt", "reciprocal"):
            e, ok = self.positive(a)
            self.new(f"{e}.{kind}()", s, d, (a,), pos=ok and kind != "log")
        elif kind in ("abs", "sin", "cos", "tanh", "relu", "sign", "sgn"):
            self.new(f"{n}.{kind}()", s, d, (a,))
        elif kind == "sigmoid":
            self.new(self.choice((f"{n}.sigmoid()", f"lib.sigmoid({n})")), s, d, (a,), pos=True)
        elif kind == "square":
            self.new(self.choice((f"{n}.square()", f"{n} * {n}", f"lib.square({n})")), s, d, (a,))
        elif kind == "clamp":
            lo, hi = self.choice((-0.5, 0.0, -1.0)), self.choice((0.5, 1.0, 0.0))
            e = self.choice((f"{n}.clamp(min={lo})", f"{n}.clamp(max={hi})",
                             f"{n}.clamp({lo}, {hi})", f"lib.clamp({n}, min={lo}, max={hi})"))  # fmt: skip
            self.new(e, s, d, (a,))
        elif kind == "pow":
            exp = self.choice((2, 3, 0, 1, -1, 0.5, 1.5, -2, 2.0))
            if isinstance(exp, float) and exp != int(exp) or exp < 0:
                e, ok = self.positive(a)
            else:
                e, ok = n, a.pos
            self.new(self.choice((f"{e} ** {exp}", f"{e}.pow({exp})")), s, d, (a,), pos=ok)
        elif kind == "rpow":
            base = self.choice((2, 0.5, 2.0, 1.5) + ((0, 0.0) if self.edgy else ()))
            self.new(f"{base} ** {n}", s, d, (a,), pos=base != 0, big=True)
        elif kind == "exp2":
            self.new(self.choice((f"{n}.exp2()", f"lib.exp2({n})")), s, d, (a,), pos=True,
                     big=True)  # fmt: skip
        elif kind == "to":
            to = self.choice(DTYPES)
            e = self.choice(
                (f"{n}.to(lib.{to})", f"{n}.double()" if to == "float64" else f"{n}.float()")
            )
            # .to() of the same dtype returns the tensor itself: the same variable, renamed
            self.new(e, s, to, (a,), pos=a.pos, view=to == d)
        elif kind == "clone":
            self.new(self.choice((f"{n}.clone()", f"lib.clone({n})")), s, d, (a,), pos=a.pos)
        else:
            f = self.choice(("sin", "cos", "tanh", "abs", "relu"))
            self.new(f"lib.{f}({n})", s, d, (a,))

    def op_binary(self) -> None:
        a = self.pick()
        if not a.rg and self.flag(0.05):
            # // has no derivative (torch's NotImplemented node): only of tensors that do
            # not require grad here; the misuse programs differentiate through it
            c = self.choice((2, -1.5, 0.5))
            e = self.choice((f"{a.name} // {c}", f"{c} // ({a.name}.abs() + 0.5)",
                             f"lib.floor_divide({a.name}, {c})"))  # fmt: skip
            self.new(e, a.shape, a.dtype, (a,))
            return
        if self.flag(0.35):  # a Python scalar operand
            c = self.choice(SCALARS)
            op = self.choice(("+", "-", "*", "/", "r+", "r-", "r*", "r/", "add", "sub"))
            n, s, d = a.name, a.shape, a.dtype
            if op == "r/":
                e, ok = self.positive(a)
                self.new(f"{c} / {e}", s, d, (a,), pos=ok and c > 0)
            elif op.startswith("r"):
                self.new(f"{c} {op[1]} {n}", s, d, (a,), pos=a.pos and op == "r*" and c > 0)
            elif op in ("add", "sub"):
                self.new(f"{n}.{op}({c}, alpha={self.choice((2, 0.5, -1))})", s, d, (a,))
            else:
                self.new(f"{n} {op} {c}", s, d, (a,), pos=a.pos and op in "*/" and c > 0)
            return
        pool = [v for v in self.vars if broadcast(v.shape, a.shape) is not None]
        b = self.choice(pool) if pool and self.flag(0.7) else None
        if b is None:
            k = self.draw(st.integers(0, a.ndim))
            b = self.leaf(tuple(1 if self.flag(0.3) else x for x in a.shape[a.ndim - k :]))
        if self.flag(0.5):
            a, b = b, a
        s, d = broadcast(a.shape, b.shape), promote(a, b)
        op = self.choice(("+", "-", "*", "/", "add", "sub", "maximum", "minimum", "pow",
                          "where", "masked_fill", "mul", "div"))  # fmt: skip
        x, y = a.name, b.name
        if op in ("+", "-", "*"):
            self.new(f"{x} {op} {y}", s, d, (a, b), pos=a.pos and b.pos and op != "-")
        elif op in ("add", "sub"):
            alpha = self.choice((1, 2, -0.5))
            e = self.choice((f"{x}.{op}({y}, alpha={alpha})", f"lib.{op}({x}, {y}, alpha={alpha})"))
            self.new(e, s, d, (a, b))
        elif op in ("/", "div"):
            e, ok = self.positive(b)
            self.new(f"{x} / {e}" if op == "/" else f"lib.div({x}, {e})", s, d, (a, b),
                     pos=a.pos and ok)  # fmt: skip
        elif op == "mul":
            self.new(f"lib.mul({x}, {y})", s, d, (a, b), pos=a.pos and b.pos)
        elif op in ("maximum", "minimum"):
            self.new(f"lib.{op}({x}, {y})", s, d, (a, b))
        elif op == "pow":
            e, ok = self.positive(a)
            self.new(f"{e} ** {y}", s, d, (a, b), pos=ok)
        elif op == "where":
            cond = self.choice((f"{x} > {y}", f"{x} >= 0", f"{y} < 0.5"))
            self.new(f"lib.where({cond}, {x}, {y})", s, d, (a, b))
        else:
            cond = self.choice((f"{y} > 0", f"{y} <= {x}"))
            if s == a.shape:
                self.new(f"{x}.masked_fill({cond}, {self.choice(SCALARS)})", s, a.dtype, (a,))
            else:
                self.new(f"{x} + {y}", s, d, (a, b))

    def op_reduce(self) -> None:
        a = self.pick()
        n, s, d = a.name, a.shape, a.dtype
        kind = self.choice(("sum", "mean", "max", "min", "prod", "norm", "maxdim", "sumdim",
                            "meandim", "mindim", "proddim", "cumsum", "cumprod", "flip", "var",
                            "var_mean", "median", "mediandim", "all"))  # fmt: skip
        if kind in ("var", "var_mean", "median", "mediandim", "all"):
            return self.op_statistics(a, kind)
        if kind in ("sum", "mean"):
            self.new(self.choice((f"{n}.{kind}()", f"lib.{kind}({n})")), (), d, (a,), pos=a.pos)
        elif kind in ("max", "min"):
            self.new(f"{n}.{kind}()", (), d, (a,), pos=a.pos)
        elif kind == "prod":
            # With a zero element (leaves are often 0) torch differentiates prod through
            # cumprod: minigrad records the same zero-safe formulas.
            self.new(self.choice((f"{n}.prod()", f"lib.prod({n})")), (), d, (a,), pos=a.pos)
        elif kind in ("cumsum", "cumprod", "flip"):
            dim = self.draw(st.integers(-max(a.ndim, 1), max(a.ndim, 1) - 1))
            arg = f"({dim},)" if kind == "flip" else str(dim)
            self.new(self.choice((f"{n}.{kind}({arg})", f"lib.{kind}({n}, {arg})")), s, d, (a,),
                     pos=a.pos and kind != "cumsum")  # fmt: skip
        elif kind == "norm":
            self.new(f"{n}.norm()", (), d, (a,))
        else:
            if not s:
                dim, out = self.choice((0, -1)), ()
                keep = False
            else:
                dim = self.draw(st.integers(-a.ndim, a.ndim - 1))
                keep = self.flag(0.3)
                p = dim % a.ndim
                out = s[:p] + ((1,) if keep else ()) + s[p + 1 :]
            if kind == "proddim":
                self.new(f"{n}.prod({dim}, keepdim={keep})", out, d, (a,), pos=a.pos)
            elif kind in ("sumdim", "meandim"):
                op = kind[:-3]
                if s and a.ndim >= 2 and self.flag(0.3):
                    dims = (0, a.ndim - 1)
                    out = tuple(1 if i in dims else x for i, x in enumerate(s)) if keep else s[1:-1]
                    self.new(f"{n}.{op}(dim={dims}, keepdim={keep})", out, d, (a,), pos=a.pos)
                else:
                    self.new(f"{n}.{op}(dim={dim}, keepdim={keep})", out, d, (a,), pos=a.pos)
            else:
                op = kind[:-3]
                e = self.choice((f"{n}.{op}(dim={dim}, keepdim={keep}).values",
                                 f"{n}.{op}({dim}, {keep})[0]", f"lib.{op}({n}, {dim}).values"))  # fmt: skip
                if e.startswith("lib."):
                    p = dim % max(a.ndim, 1)
                    out = s[:p] + s[p + 1 :]
                self.new(e, out, d, (a,), pos=a.pos)

    def op_statistics(self, a: Var, kind: str) -> None:
        n, s, d = a.name, a.shape, a.dtype
        if kind == "all":
            # a bool tensor (no gradient), used as a mask
            e = f"{n}.all()" if not s or self.flag(0.5) else f"{n}.all({a.ndim - 1})"
            out = () if e.endswith("all()") else s[:-1]
            m = self.add(e, shape=out, dtype=d, rg=False, leaf=True)
            self.vars.remove(m)  # a bool tensor: no operand of the float ops
            if broadcast(out, s) == s:
                self.new(f"{n}.masked_fill({m.name}, 0.5)", s, d, (a,))
            return
        # torch 2.13's median(dim) of an expanded tensor returns uninitialized memory
        # (tensor([0.125]).expand(2).median(0).values is 4.6e-41): nothing to compare with.
        if kind == "median" or not s or (kind == "mediandim" and a.expanded):
            self.new(self.choice((f"{n}.median()", f"lib.median({n})")), (), d, (a,), pos=a.pos)
            return
        dim = self.draw(st.integers(-a.ndim, a.ndim - 1))
        keep = self.flag(0.3)
        p = dim % a.ndim
        out = s[:p] + ((1,) if keep else ()) + s[p + 1 :]
        if kind == "mediandim":
            e = self.choice((f"{n}.median({dim}, keepdim={keep}).values",
                             f"lib.median({n}, {dim}, {keep})[0]"))  # fmt: skip
            self.new(e, out, d, (a,), pos=a.pos)
            return
        corr = self.choice(("", ", correction=0", ", unbiased=False"))
        whole = self.flag(0.4)
        args = (corr[2:] if whole else f"{dim}, keepdim={keep}{corr}") or ""
        shape = () if whole else out
        if kind == "var":
            self.new(self.choice((f"{n}.var({args})", f"lib.var({n}, {args})" if args
                                  else f"lib.var({n})")), shape, d, (a,))  # fmt: skip
            return
        call = f"lib.var_mean({n}, {args})" if args else f"lib.var_mean({n})"
        pair = self.add(call, shape=shape, dtype=d, rg=a.rg, leaf=not a.rg, deps=a.deps)
        self.vars.remove(pair)  # the pair itself is a tuple: only its elements are tensors
        which = self.choice(("[0]", "[1]", "both"))
        if which == "both":
            self.new(f"{pair.name}[0] * 2 + {pair.name}[1]", shape, d, (a,))
        else:
            self.new(f"{pair.name}{which}", shape, d, (a,), pos=which == "[1]" and a.pos)

    def op_matmul(self) -> None:
        a = self.pick(lambda v: 1 <= v.ndim <= 3)
        if a is None:
            a = self.leaf((2, 3))
        s, d = a.shape, a.dtype
        if self.edgy and self.flag(0.05):
            d2 = "float64" if d == "float32" else "float32"  # mixed dtypes: torch's errors
        else:
            d2 = d
        k = s[-1]
        kind = self.choice(("matmul", "@", "mm", "mv", "dot", "bmm", "addmm"))
        # matmul saves internal views of its operands for backward; after an in-place change
        # of the base torch names them AsStrided in errors: no in-place on operands later.
        a.frozen = True
        if kind == "mm" and a.ndim == 2 or kind == "addmm" and a.ndim == 2:
            b = self.operand_like((k, self.draw(st.integers(1, 3))), d2)
            if kind == "mm":
                self.new(self.choice((f"{a.name}.mm({b.name})", f"lib.mm({a.name}, {b.name})")),
                         (s[0], b.shape[1]), d, (a, b))  # fmt: skip
            else:
                bias = self.operand_like(self.choice(((b.shape[1],), (s[0], b.shape[1]))), d)
                self.new(f"lib.addmm({bias.name}, {a.name}, {b.name})", (s[0], b.shape[1]), d,
                         (bias, a, b))  # fmt: skip
        elif kind == "mv" and a.ndim == 2:
            v = self.operand_like((k,), d2)
            self.new(f"{a.name}.mv({v.name})", (s[0],), d, (a, v))
        elif kind == "dot" and a.ndim == 1:
            v = self.operand_like((k,), d2)
            self.new(f"lib.dot({a.name}, {v.name})", (), d, (a, v))
        elif kind == "bmm" and a.ndim == 3:
            b = self.operand_like((s[0], k, self.draw(st.integers(1, 3))), d2)
            self.new(f"lib.bmm({a.name}, {b.name})", (s[0], s[1], b.shape[2]), d, (a, b))
        else:
            nd = self.draw(st.integers(1, 3))
            if nd == 1:
                shape = (k,)
            elif nd == 2:
                shape = (k, self.draw(st.integers(1, 3)))
            else:
                # The same batch, or a batch of one against a larger one (torch squeezes a
                # batch of one that requires grad away before it multiplies).
                batch = self.choice((s[0], 1)) if a.ndim == 3 else self.choice((1, 2))
                shape = (batch, k, self.draw(st.integers(1, 3)))
            b = self.operand_like(shape, d2)
            b.frozen = True
            out = _matmul_shape(a.shape, b.shape)
            op = f"{a.name} @ {b.name}" if kind == "@" else f"lib.matmul({a.name}, {b.name})"
            # may be a view (torch returns output.mT() when that is contiguous): no in-place
            self.new(op, out, d, (a, b)).frozen = True

    def op_shape(self) -> None:
        a = self.pick()
        n, s, d = a.name, a.shape, a.dtype
        kind = self.choice(("reshape", "view", "t", "transpose", "permute", "squeeze",
                            "unsqueeze", "expand", "flatten", "select", "narrow", "index",
                            "T", "unbind", "split", "chunk", "diagonal", "repeat"))  # fmt: skip

        def view(expr, shape, is_view=True):
            self.new(expr, shape, d, (a,), pos=a.pos, view=is_view)

        if kind in ("reshape", "view"):
            target = self.choice(_reshapes(s))
            arg = ", ".join(map(str, target)) if target else "()"
            if kind == "view" and self.flag(0.3):
                arg = "-1" if len(target) == 1 else arg
            view(f"{n}.{kind}({arg})", target)
        elif kind == "t" and a.ndim <= 2:
            view(self.choice((f"{n}.t()", f"lib.t({n})")), s[::-1])
        elif kind == "transpose" and a.ndim >= 1:
            i, j = (
                self.draw(st.integers(0, a.ndim - 1)),
                self.draw(st.integers(-a.ndim, a.ndim - 1)),
            )
            sh = list(s)
            sh[i], sh[j] = sh[j], sh[i]
            view(f"{n}.transpose({i}, {j})", tuple(sh))
        elif kind == "permute":
            perm = self.draw(st.permutations(range(a.ndim)))
            view(f"{n}.permute({', '.join(map(str, perm))})" if perm else f"{n}.permute(())",
                 tuple(s[p] for p in perm))  # fmt: skip
        elif kind == "squeeze":
            if a.ndim and self.flag(0.5):
                dim = self.draw(st.integers(0, a.ndim - 1))
                out = s[:dim] + s[dim + 1 :] if s[dim] == 1 else s
                view(f"{n}.squeeze({dim})", out)
            else:
                view(f"{n}.squeeze()", tuple(x for x in s if x != 1))
        elif kind == "unsqueeze" or kind == "index" and a.ndim == 0:
            dim = self.draw(st.integers(0, a.ndim))
            view(self.choice((f"{n}.unsqueeze({dim})", f"lib.unsqueeze({n}, {dim})")),
                 s[:dim] + (1,) + s[dim:])  # fmt: skip
        elif kind == "expand":
            lead = (2,) if self.flag(0.4) and a.ndim < 3 else ()
            target = lead + tuple(2 if x == 1 and self.flag(0.5) else x for x in s)
            e = f"{n}.expand({', '.join(map(str, target))})" if target else f"{n}.expand(())"
            self.new(e, target, d, (a,), pos=a.pos, view=True, expanded=target != s)
        elif kind == "flatten":
            view(self.choice((f"{n}.flatten()", f"lib.flatten({n})")), (a.numel,),
                 is_view=True)  # fmt: skip
        elif kind in ("diagonal", "split", "chunk", "select", "narrow", "index", "T", "unbind",
                      "t", "transpose") and 0 in s:  # fmt: skip
            view(f"{n}.view({', '.join(map(str, s))})", s)  # an empty dim: nothing to pick
        elif kind == "diagonal" and a.ndim >= 2:
            self.op_diagonal(a)
        elif kind == "repeat":
            reps = tuple(self.choice((1, 2)) for _ in range(a.ndim + self.draw(st.integers(0, 1))))
            out = (reps[: len(reps) - a.ndim]) + tuple(
                x * r for x, r in zip(s, reps[len(reps) - a.ndim :])
            )
            arg = ", ".join(map(str, reps)) if reps else "()"
            self.new(f"{n}.repeat({arg})", out, d, (a,), pos=a.pos)
        elif kind in ("split", "chunk") and a.ndim:
            self.op_split(a, kind)
        elif kind in ("select", "narrow", "T", "unbind", "index", "t", "transpose") and a.ndim:
            self.op_index(a, kind)
        else:
            view(f"{n}.view({', '.join(map(str, s))})" if s else f"{n}.view(())", s)

    def op_diagonal(self, a: Var) -> None:
        n, s = a.name, a.shape
        d1, d2 = self.draw(st.permutations(range(a.ndim)))[:2]
        offset = self.draw(st.integers(-1, 1))
        length = max(min(s[d1] - max(-offset, 0), s[d2] - max(offset, 0)), 0)
        out = tuple(x for i, x in enumerate(s) if i not in (d1, d2)) + (length,)
        e = self.choice((f"{n}.diagonal({offset}, {d1}, {d2})",
                         f"lib.diagonal({n}, offset={offset}, dim1={d1}, dim2={d2})"))  # fmt: skip
        self.new(e, out, a.dtype, (a,), pos=a.pos, view=True)

    def op_split(self, a: Var, kind: str) -> None:
        """One piece of split/chunk: a view that shares one node with its siblings."""
        n, s = a.name, a.shape
        dim = self.draw(st.integers(0, a.ndim - 1))
        size = s[dim]
        if kind == "chunk":
            chunks = self.draw(st.integers(1, 3))
            step = -(-size // chunks)
            sizes = [min(step, size - k) for k in range(0, size, step)]
            call = self.choice((f"{n}.chunk({chunks}, {dim})", f"lib.chunk({n}, {chunks}, {dim})"))
        elif self.flag(0.5):
            step = self.draw(st.integers(1, size))
            sizes = [min(step, size - k) for k in range(0, size, step)]
            call = self.choice((f"{n}.split({step}, {dim})", f"lib.split({n}, {step}, {dim})"))
        else:
            cut = self.draw(st.integers(0, size))
            sizes = [cut, size - cut]
            call = self.choice((f"{n}.split({sizes}, {dim})",
                                f"{n}.split_with_sizes({sizes}, dim={dim})"))  # fmt: skip
        i = self.draw(st.integers(0, len(sizes) - 1))
        out = s[:dim] + (sizes[i],) + s[dim + 1 :]
        self.new(f"{call}[{i}]", out, a.dtype, (a,), pos=a.pos, view=True, multi=True)

    def op_index(self, a: Var, kind: str) -> None:
        n, s, d = a.name, a.shape, a.dtype
        dim = self.draw(st.integers(0, a.ndim - 1))
        size = s[dim]
        i = self.draw(st.integers(-size, size - 1))
        rest = s[:dim] + s[dim + 1 :]
        if kind == "select":
            self.new(f"{n}.select({dim}, {i})", rest, d, (a,), pos=a.pos, view=True)
        elif kind == "unbind":
            self.new(f"{n}.unbind({dim})[{i}]", rest, d, (a,), pos=a.pos, view=True, multi=True)
        elif kind == "narrow":
            start = self.draw(st.integers(0, size - 1))
            length = self.draw(st.integers(1, size - start))
            out = s[:dim] + (length,) + s[dim + 1 :]
            self.new(f"{n}.narrow({dim}, {start}, {length})", out, d, (a,), pos=a.pos, view=True)
        elif kind == "T":
            self.new(f"{n}.T", s[::-1], d, (a,), pos=a.pos, view=True)
        else:
            style = self.choice(("int", "slice", "ellipsis", "list", "mask", "none", "argsort"))
            pre = ", ".join([":"] * dim)
            pre = pre + ", " if pre else ""
            if style == "int":
                self.new(f"{n}[{pre}{i}]", rest, d, (a,), pos=a.pos, view=True)
            elif style == "slice":
                start = self.draw(st.integers(0, size - 1))
                step = self.choice((1, 2))
                length = len(range(start, size, step))
                out = s[:dim] + (length,) + s[dim + 1 :]
                self.new(f"{n}[{pre}{start}::{step}]", out, d, (a,), pos=a.pos, view=True)
            elif style == "ellipsis":
                self.new(f"{n}[..., None]", s + (1,), d, (a,), pos=a.pos, view=True)
            elif style == "none":
                self.new(f"{n}[None]", (1,) + s, d, (a,), pos=a.pos, view=True)
            elif style == "argsort":
                # advanced indexing by an int64 tensor (argsort's indices: no gradient)
                desc = self.flag(0.5)
                if dim == 0 or a.ndim == 1:
                    idx = f"{n}.argsort(0, descending={desc}).flatten()[:{s[0]}]"
                    self.new(f"{n}[{idx}]", s, d, (a,), pos=a.pos)
                elif dim == 1:
                    self.new(f"{n}[:, {n}.argsort(1).flatten()[:{s[1]}]]", s, d, (a,), pos=a.pos)
                else:
                    e = f"{n}[..., {n}.argsort(-1).flatten()[:1]]"
                    self.new(e, s[:-1] + (1,), d, (a,), pos=a.pos)
            elif style == "list":
                idx = self.draw(st.lists(st.integers(-size, size - 1), min_size=1, max_size=3))
                out = s[:dim] + (len(idx),) + s[dim + 1 :]
                self.new(f"{n}[{pre}{idx}]", out, d, (a,), pos=a.pos)
            else:
                # A boolean mask: the result's length depends on the values; the generator
                # records the shape as unknown by flattening it right away with sum().
                self.new(f"{n}[{n} > 0].sum()", (), d, (a,))

    def op_join(self) -> None:
        # One-element tensors included: their gradients are views of one buffer, which
        # AccumulateGrad steals as .grad of both leaves (minigrad does as torch).
        a = self.pick()
        s = a.shape
        if self.flag(0.5) or not s:
            b = self.operand_like(s, self.choice(DTYPES))
            dim = self.draw(st.integers(0, a.ndim))
            out = s[:dim] + (2,) + s[dim:]
            self.new(f"lib.stack([{a.name}, {b.name}], {dim})", out, promote(a, b), (a, b))
        else:
            dim = self.draw(st.integers(0, a.ndim - 1))
            shape = s[:dim] + (self.draw(st.integers(1, 2)),) + s[dim + 1 :]
            b = self.operand_like(shape, self.choice(DTYPES))
            out = s[:dim] + (s[dim] + shape[dim],) + s[dim + 1 :]
            self.new(f"lib.cat(({a.name}, {b.name}), dim={dim})", out, promote(a, b), (a, b))

    def op_detach(self) -> None:
        a = self.pick()
        if self.flag(0.4) and a.dtype:
            v = self.add(f"{a.name}.detach().requires_grad_()", shape=a.shape, dtype=a.dtype,
                         rg=True, leaf=True, pos=a.pos)  # fmt: skip
            v.rg = True  # a fresh leaf, even under no_grad
            v.deps = frozenset([v.name])
        else:
            # Shares storage and version counter with a, but is no view of it.
            v = self.add(f"{a.name}.detach()", shape=a.shape, dtype=a.dtype, rg=False,
                         leaf=True, pos=a.pos)  # fmt: skip
        v.base = a.base or a.name
        v.expanded, v.frozen = a.expanded, a.frozen

    def op_retain(self) -> None:
        a = self.pick(lambda v: v.rg and not v.leaf)
        if a is not None:
            self.emit(f"{a.name}.retain_grad()")

    def can_modify(self, v: Var) -> bool:
        """Whether an in-place op on ``v`` is valid here (torch's checks; see the engine's
        ``inplace_views.py``): not an expanded or matmul-saved storage, no leaf that requires
        grad (nor, in grad mode, a view of one), no multi-output or no_grad view."""
        group = self.group(v)
        if v.expanded or any(w.frozen for w in group):
            return False
        if not self.grad_on:
            return True
        if v.rg and v.leaf:
            return False
        if v.view:
            root = next((w for w in group if w.name == v.base), None)
            if v.multi or v.nograd_view or (root is not None and root.rg and root.leaf):
                return False
        return True

    def inplace_target(self) -> Var | None:
        # Views of non-leaves first (their base's history is rewritten: CopySlices), then
        # non-leaves, then tensors that do not require grad.
        return (
            (self.flag(0.5) and self.pick(lambda v: v.view and v.rg and self.can_modify(v)))
            or self.pick(lambda v: not v.leaf and self.can_modify(v))
            or self.pick(lambda v: not v.rg and self.can_modify(v))
            or None
        )

    def modified(self, a: Var, others: tuple) -> None:
        """After an in-place op on ``a``: its storage group's values changed; gradients now
        reach ``others``' leaves through it (for the root and every view); views whose
        grad_fn cannot be regenerated may no longer be used."""
        takes_grad = self.grad_on and (a.rg or any(b.rg for b in others))
        root_name = a.base or a.name
        group = self.group(a)
        # a view (or the root) rewrites the root's history, which every view then follows;
        # a detached alias only its own
        through_root = a.view or a.base is None
        for w in group:
            w.pos = False
            if takes_grad and (w is a or through_root and (w.view or w.name == root_name)):
                w.rg, w.leaf = True, False
                w.deps = w.deps.union(a.deps, *(b.deps for b in others))
        root_rg = any(w.rg for w in group if w.name == root_name)
        for w in group:
            if w.view and (w.multi or w.nograd_view) and root_rg:
                w.poisoned = True  # torch raises when its grad_fn is read

    def op_inplace(self) -> None:
        a = self.inplace_target()
        if a is None:
            return
        n, s = a.name, a.shape
        kind = self.choice(("add_", "sub_", "mul_", "div_", "+=", "*=", "-=", "zero_", "fill_",
                            "copy_", "clamp_", "setitem", "scalar", "relu_", "exp_"))  # fmt: skip
        others: tuple = ()
        if kind in ("add_", "sub_", "mul_", "+=", "*=", "-=", "copy_", "div_"):
            k = self.draw(st.integers(0, a.ndim))
            bshape = tuple(1 if self.flag(0.3) else x for x in s[a.ndim - k :])
            b = self.operand_like(bshape, self.choice(DTYPES), positive=kind == "div_")
            others = (b,)
            if kind in ("+=", "*=", "-="):
                self.emit(f"{n} {kind} {b.name}")
            elif kind == "div_":
                self.emit(f"{n}.div_({b.name})")
            elif kind in ("add_", "sub_") and self.flag(0.3):
                self.emit(f"{n}.{kind}({b.name}, alpha={self.choice((2, -0.5))})")
            else:
                self.emit(f"{n}.{kind}({b.name})")
        elif kind == "zero_":
            self.emit(f"{n}.zero_()")
        elif kind == "fill_":
            self.emit(f"{n}.fill_({self.choice(SCALARS)})")
        elif kind == "clamp_":
            self.emit(f"{n}.clamp_(min={self.choice((-0.5, 0.0))})")
        elif kind in ("relu_", "exp_"):
            if kind == "exp_" and a.big:
                self.emit(f"{n}.clamp_(-2.0, 2.0)")
            self.emit(f"{n}.{kind}()")
        elif kind == "scalar":
            self.emit(
                f"{n}.{self.choice(('mul_', 'add_', 'div_', 'sub_'))}({self.choice(SCALARS)})"
            )
        elif a.ndim and 0 not in s:
            others = self.op_setitem(a)
        else:
            self.emit(f"{n}.mul_(2)")
        self.modified(a, others)
        if kind == "exp_":
            a.big = True

    def op_setitem(self, a: Var) -> tuple:
        """``a[index] = value``: a basic index (a view: CopySlices) or an advanced one
        (IndexPutBackward0); the value a number, or a tensor (maybe requiring grad, maybe
        of fewer dims: broadcast)."""
        n, s = a.name, a.shape
        i = self.draw(st.integers(-s[0], s[0] - 1))
        style = self.choice(("int", "slice", "int int", "ellipsis", "list", "mask"))
        if style == "int int" and a.ndim >= 2:
            j = self.draw(st.integers(0, s[1] - 1))
            index, slot = f"{i}, {j}", s[2:]
        elif style == "slice":
            start = self.draw(st.integers(0, s[0] - 1))
            index, slot = f"{start}:", (s[0] - start,) + s[1:]
        elif style == "ellipsis":
            j = self.draw(st.integers(0, s[-1] - 1))
            index, slot = f"..., {j}", s[:-1]
        elif style == "list":
            idx = sorted(set(self.draw(st.lists(st.integers(0, s[0] - 1), min_size=1,
                                                max_size=3))))  # fmt: skip
            index, slot = f"{idx}", (len(idx),) + s[1:]
        elif style == "mask":
            # a mask of a's own values: the slot's length depends on them, a number is set
            self.emit(f"{n}[{n} > 0] = {self.choice(SCALARS)}")
            return ()
        else:
            index, slot = str(i), s[1:]
        if self.flag(0.3):
            self.emit(f"{n}[{index}] = {self.choice(SCALARS)}")
            return ()
        k = self.draw(st.integers(0, len(slot)))
        vshape = tuple(1 if self.flag(0.2) else x for x in slot[len(slot) - k :])
        if style == "list":  # index_put_ needs a value of a's dtype
            b = self.leaf(slot, a.dtype)
        else:
            b = self.operand_like(vshape, a.dtype)
        self.emit(f"{n}[{index}] = {b.name}")
        return (b,)

    def op_no_grad(self) -> None:
        self.emit(self.choice(("with lib.no_grad():", "with lib.set_grad_enabled(False):")))
        self.indent, self.grad_on = "    ", False
        for _ in range(self.draw(st.integers(1, 2))):
            self.choice((self.op_unary, self.op_binary, self.op_shape, self.op_reduce,
                         self.op_inplace))()  # fmt: skip
        self.indent, self.grad_on = "", True
        if self.lines[-1].endswith(":"):
            self.emit("    pass")

    def body(self, n_ops: int) -> None:
        ops = (
            (self.op_unary, 5), (self.op_binary, 6), (self.op_reduce, 3), (self.op_matmul, 2),
            (self.op_shape, 4), (self.op_join, 1), (self.op_detach, 1), (self.op_retain, 1),
            (self.op_inplace, 3), (self.op_no_grad, 1),
        )  # fmt: skip
        table = [f for f, w in ops for _ in range(w)]
        for _ in range(n_ops):
            self.draw(st.sampled_from(table))()

    # -- differentiation ----------------------------------------------------------------
    def output(self) -> Var:
        rg = [v for v in self.vars if v.rg and not v.leaf]
        if rg and self.flag(0.9):
            # The last results depend on most of the program.
            return rg[-1] if self.flag(0.6) else self.choice(rg)
        return self.choice(self.vars)

    def grad_literal(self, v: Var) -> str:
        vals = self.values(v.numel)
        return f"lib.tensor({nested(vals, v.shape)}, dtype=lib.{v.dtype})"

    def leaves_of(self, out: Var) -> list[Var]:
        return [v for v in self.vars if v.leaf and v.rg and v.name in out.deps]

    def differentiate(self, keep: bool = False) -> None:
        out = self.output()
        how = self.choice(("backward", "backward", "grad", "grad_cg", "grad_cg", "backward_cg"))
        if how == "backward":
            self.backward(out, keep)
        elif how == "grad":
            self.grad(out, create_graph=False, keep=keep)
        else:
            self.grad(out, create_graph=True, via_backward=how == "backward_cg")

    def seed(self, out: Var) -> tuple[str, str]:
        """The expression to differentiate, and its gradient argument ('' for implicit)."""
        if not out.shape and self.flag(0.8):
            return out.name, ""
        if self.flag(0.4):
            return self.choice((f"{out.name}.sum()", f"({out.name} * {out.name}).mean()")), ""
        return out.name, self.grad_literal(out)

    def backward(self, out: Var, keep: bool = False) -> None:
        expr, g = self.seed(out)
        args = [g] if g else []
        twice = self.flag(0.3)
        if twice or keep:
            args.append("retain_graph=True")
        leaves = self.leaves_of(out)
        if leaves and self.flag(0.2):
            args.append(f"inputs=[{', '.join(v.name for v in leaves[:2])}]")
        self.emit(f"{expr}.backward({', '.join(args)})")
        if twice:
            again = [a for a in args if "retain" not in a or keep]
            self.emit(f"{expr}.backward({', '.join(again)})")

    def grad(self, out: Var, create_graph: bool, via_backward: bool = False,
             keep: bool = False) -> None:  # fmt: skip
        expr, g = self.seed(out)
        leaves = [v for v in self.vars if v.leaf and v.rg]
        used = self.leaves_of(out)
        if not leaves:
            return self.backward(out, keep)
        wrt = self.draw(
            st.lists(st.sampled_from(leaves), min_size=1, max_size=3, unique_by=lambda v: v.name)
        )
        allow = any(v not in used for v in wrt) or self.flag(0.3)
        if via_backward:
            args = [g] if g else []
            self.emit(f"{expr}.backward({', '.join(args + ['create_graph=True'])})")
            grads = [f"{v.name}.grad" for v in wrt]
            self.emit(f"gs = ({', '.join(grads)},)")
        else:
            args = [expr, "[" + ", ".join(v.name for v in wrt) + "]"]
            if g:
                args.append(f"grad_outputs={g}" if self.flag(0.5) else f"grad_outputs=[{g}]")
            if allow:
                args.append("allow_unused=True")
            if create_graph:
                args.append("create_graph=True")
            elif keep or self.flag(0.2):
                args.append("retain_graph=True")
            self.emit(f"gs = lib.autograd.grad({', '.join(args)})")
        if create_graph:
            self.higher_order(wrt, level=2)

    def higher_order(self, wrt: list[Var], level: int) -> None:
        """Differentiate a function of the gradients ``gs`` again (and maybe once more)."""
        # sin only of a clamped gradient: gradients reach 1e11 (exp of exp), where float32's
        # ulp is 1e4 and sin (and cos, its derivative) is noise in either library.
        term = self.choice(("(g * g).sum()", "g.sum()", "(g * {w}).sum()", "g.exp().sum()",
                            "g.clamp(-4.0, 4.0).sin().sum()", "(g ** 3).mean()",
                            "g.tanh().sum() * 2"))  # fmt: skip
        term = term.replace("{w}", wrt[0].name)
        h = f"h{level}"
        self.emit(f"{h} = 0")
        self.emit("for g in gs:")
        self.emit("    if g is not None and g.requires_grad:")
        self.emit(f"        {h} = {h} + {term}")
        self.emit(f"if not isinstance({h}, int):")
        leaves = [v for v in self.vars if v.leaf and v.rg]
        wrt2 = self.draw(
            st.lists(st.sampled_from(leaves), min_size=1, max_size=3, unique_by=lambda v: v.name)
        )
        names = "[" + ", ".join(v.name for v in wrt2) + "]"
        again = level < 3 and self.flag(0.4)
        if self.flag(0.25) and not again:
            self.emit(f"    {h}.backward()")
            return
        cg = ", create_graph=True" if again else ""
        self.emit(f"    gs = lib.autograd.grad({h}, {names}, allow_unused=True{cg})")
        if again:
            self.indent = "    "
            self.higher_order(wrt2, level + 1)
            self.indent = ""

    # -- misuse -------------------------------------------------------------------------
    def misuse(self) -> None:
        kind = self.choice(("twice", "leaf_inplace", "saved_inplace", "implicit", "unused",
                            "shape", "no_grad_output", "input_no_grad", "nograd_leaf_inplace",
                            "view_inplace", "floor_divide"))  # fmt: skip
        if kind == "view_inplace":
            return self.misuse_view_inplace()
        if kind == "floor_divide":
            x = self.pick(lambda v: v.rg)
            y = self.new(f"{x.name} // 2", x.shape, x.dtype, (x,))
            return self.backward(y)
        out = self.output()
        leaves = [v for v in self.vars if v.leaf and v.rg]
        if kind == "twice":
            expr, g = self.seed(out)
            call = (
                f"{expr}.backward({g})"
                if self.flag(0.5)
                else (
                    f"lib.autograd.grad({expr}, [{', '.join(v.name for v in leaves)}], "
                    f"{'grad_outputs=' + g + ', ' if g else ''}allow_unused=True)"
                )
            )
            self.emit(call)
            self.emit(call)
        elif kind == "leaf_inplace" and leaves:
            x = self.choice(leaves)
            self.emit(self.choice((f"{x.name}.add_(1)", f"{x.name}.mul_(2)", f"{x.name}.zero_()",
                                   f"{x.name} += 1") + ((f"{x.name}[0] = 0.5",) if x.ndim else ())))  # fmt: skip
        elif kind in ("saved_inplace", "nograd_leaf_inplace"):
            if kind == "saved_inplace":
                target = self.inplace_target()
                if target is None:
                    return self.backward(out)
                self.emit(f"{target.name}.{self.choice(('mul_(2)', 'add_(1)', 'zero_()'))}")
            else:
                # (the leaf's views are then out of date: torch rebuilds or refuses their grad_fn)
                free = [v for v in leaves if not v.expanded]
                x = self.choice(free) if free else self.inplace_target()
                if x is None:
                    return self.backward(out)
                self.emit("with lib.no_grad():")
                self.emit(f"    {x.name}.mul_(0.5)")
            self.backward(out)
        elif kind == "implicit":
            self.emit(f"{out.name}.backward()")
        elif kind == "unused":
            self.emit(
                f"lib.autograd.grad({out.name}.sum(), [{', '.join(v.name for v in leaves) or out.name}])"
            )
        elif kind == "shape":
            wrong = out.shape + (2,) if self.flag(0.5) or not out.shape else out.shape[1:]
            g = (
                f"lib.ones({', '.join(map(str, wrong))}, dtype=lib.{out.dtype})"
                if wrong
                else f"lib.ones((), dtype=lib.{out.dtype})"
            )
            self.emit(self.choice((f"{out.name}.backward({g})",
                                   f"lib.autograd.grad({out.name}, [{', '.join(v.name for v in leaves) or out.name}], grad_outputs={g}, allow_unused=True)")))  # fmt: skip
        elif kind == "no_grad_output":
            d = self.add(
                f"{out.name}.detach()", shape=out.shape, dtype=out.dtype, rg=False, leaf=True
            )
            self.emit(f"{d.name}.sum().backward()")
        else:
            self.emit(f"lib.autograd.grad({out.name}.sum(), [{out.name}.detach()])")

    def misuse_view_inplace(self) -> None:
        """An in-place op torch refuses on a view: of a leaf that requires grad, of an output of
        unbind/split/chunk, or of a view made under no_grad (the error ends the program)."""
        x = self.pick(lambda v: v.rg and v.ndim >= 1) or self.leaf((2, 3), rg=True)
        how = self.choice(("leaf view", "unbind", "split", "chunk", "no_grad"))
        op = self.choice(("mul_(2)", "add_(1)", "zero_()", "relu_()", "copy_({o})", "[...] = {o}"))
        if how == "leaf view":
            if not x.leaf:
                x = self.leaf(x.shape, x.dtype, rg=True)
            v = f"{x.name}.narrow(0, 0, 1)"
        elif how in ("unbind", "split", "chunk"):
            v = {"unbind": f"{x.name}.unbind(0)[0]", "split": f"{x.name}.split(1)[0]",
                 "chunk": f"{x.name}.chunk(2)[0]"}[how]  # fmt: skip
        else:
            self.emit("with lib.no_grad():")
            self.emit(f"    t_view = {x.name}[0:1]")
            v = "t_view"
        self.emit(f"t_target = {v}")
        o = self.leaf((1,), x.dtype, rg=True)
        if op.startswith("["):
            self.emit("t_target" + op.format(o=f"{o.name}.sum()"))
        else:
            self.emit("t_target." + op.format(o=o.name))
        self.emit("t_target.sum().backward()")


def _matmul_shape(a: tuple, b: tuple) -> tuple:
    if len(a) == 1 and len(b) == 1:
        return ()
    if len(b) == 1:
        return a[:-1]
    if len(a) == 1:
        return b[:-2] + b[-1:]
    batch = broadcast(a[:-2], b[:-2]) or ()
    return batch + (a[-2], b[-1])


def _reshapes(shape: tuple) -> list[tuple]:
    n = math.prod(shape)
    out = [(n,), (1, n), (n, 1)]
    if n == 1:
        out.append(())
    for k in (2, 3):
        if n % k == 0 and n > k:
            out.append((k, n // k))
            out.append((n // k, 1, k))
    return out


@st.composite
def programs(draw, kind: str = "program", edgy: bool = True) -> Program:
    """A random autograd program (see the module docstring)."""
    b = Builder(draw)
    b.edgy = edgy and b.flag(0.25)
    b.leaves()
    b.body(draw(st.integers(1, 10)))
    if kind == "higher":
        out = b.output()
        b.grad(out, create_graph=True, via_backward=b.flag(0.2))
    elif kind == "misuse":
        b.misuse()
    else:
        n = draw(st.integers(1, 2))
        for i in range(n):
            b.differentiate(keep=i < n - 1)  # a freed graph is the misuse programs' business
    return Program(tuple(b.lines), kind)


def higher_order_programs() -> st.SearchStrategy[Program]:
    """Programs that end with ``create_graph=True`` and a second (sometimes third) grad."""
    return programs(kind="higher")


def misuse_programs() -> st.SearchStrategy[Program]:
    """Programs that end with a misuse torch reports as an error."""
    return programs(kind="misuse")
