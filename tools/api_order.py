"""Which public minigrad API each lesson calls, recorded while the lesson runs, and the order
rule: lesson k may only call what lessons 00..k declare in ``metadata.minigrad.introduces``.

The tracer (:func:`install`, run inside the lesson's kernel) is a ``sys.setprofile`` hook.
It records a call when the caller is lesson code (a cell, or a function a cell defined) and
the callee is public minigrad API, named as a learner writes it:

- ``tensor``, ``autograd.grad``, ``viz.backward_graph``, ``nn.Linear`` (constructing or
  calling a class is the class's name), ``Tensor.backward``, ``optim.SGD.step``;
- operators keep their method name: ``Tensor.__mul__``; properties their name:
  ``Tensor.grad`` (reading or assigning);
- an argument given a value other than its default adds ``name(argument)``:
  ``Tensor.backward(retain_graph)``, ``tensor(requires_grad)``.

A method is named after the most specific public class of the object it runs on
(``nn.ReLU``, not ``nn.Module``). ``minigrad.course`` helpers are not API and are not
recorded. Declarations are ``fnmatch`` patterns: ``"Tensor.__*__"``, ``"tensor(*)"``.

``python -m tools.api_order [lessons]`` prints each lesson's calls and violations.

Example:
    >>> allowed("Tensor.backward(retain_graph)", ["Tensor.backward(*)"])
    True
"""

from __future__ import annotations

import fnmatch
import inspect
import json
import sys
import types
from pathlib import Path
from typing import Any

import nbformat

__all__ = ["install", "calls_of", "allowed", "violations", "public_names", "REPO"]

REPO = Path(__file__).resolve().parents[1]
MARK = "API-ORDER-CALLS:"
PUBLIC_MODULES = (
    ("minigrad", ""),
    ("minigrad.autograd", "autograd."),
    ("minigrad.autograd.graph", "autograd.graph."),
    ("minigrad.nn", "nn."),
    ("minigrad.nn.functional", "nn.functional."),
    ("minigrad.optim", "optim."),
    ("minigrad.viz", "viz."),
)
# constructing, calling or entering an object is named after its class: nn.ReLU, no_grad
_CONSTRUCT = ("__init__", "__new__", "__call__", "__enter__", "__exit__")


def _names(module: types.ModuleType) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    return list(names)


def public_names() -> tuple[dict, dict]:
    """``(code -> (owner class or None, attribute, public function name), class -> name)``:
    every function, method and property of minigrad's public API, by code object."""
    import importlib

    codes: dict = {}
    classes: dict = {}
    for module_name, prefix in PUBLIC_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # pragma: no cover - an optional part not installed
            continue
        for name in _names(module):
            obj = getattr(module, name, None)
            if isinstance(obj, type) and obj.__module__.startswith("minigrad"):
                classes.setdefault(obj, prefix + name)
            elif isinstance(obj, types.FunctionType) and obj.__module__.startswith("minigrad"):
                codes.setdefault(obj.__code__, (None, name, prefix + name))
    for cls in list(classes):
        for klass in cls.__mro__:
            if not klass.__module__.startswith("minigrad"):
                continue
            for attr, value in vars(klass).items():
                if attr.startswith("_") and not (attr.startswith("__") and attr.endswith("__")):
                    continue  # private helpers are not API
                if isinstance(value, (staticmethod, classmethod)):
                    value = value.__func__
                if isinstance(value, types.FunctionType):
                    codes.setdefault(value.__code__, (klass, attr, None))
                elif isinstance(value, property):
                    if value.fget is not None:
                        codes.setdefault(value.fget.__code__, (klass, attr, None))
                    if value.fset is not None:  # assigning: x.grad = None
                        codes.setdefault(value.fset.__code__, (klass, attr + "=", None))
    return codes, classes


def _differs(value: Any, default: Any) -> bool:
    if value is default:
        return False
    try:
        return bool(value != default)
    except Exception:  # tensors compare elementwise: a tensor given is "given"
        return True


def install() -> None:
    """Start recording (called in the lesson's kernel, from an injected first cell)."""
    codes, classes = public_names()
    defaults: dict = {}
    # parameter defaults, from the function objects the code belongs to
    for cls in classes:
        for klass in cls.__mro__:
            for value in vars(klass).values():
                if isinstance(value, (staticmethod, classmethod)):
                    value = value.__func__
                if isinstance(value, types.FunctionType) and value.__code__ in codes:
                    defaults[value.__code__] = _signature_defaults(value)
    for module_name, _ in PUBLIC_MODULES:
        module = sys.modules.get(module_name)
        for name in _names(module) if module else []:
            obj = getattr(module, name, None)
            if isinstance(obj, types.FunctionType) and obj.__code__ in codes:
                defaults[obj.__code__] = _signature_defaults(obj)
    cell_dir = str(Path(sys._getframe(1).f_code.co_filename).parent)
    calls: set[str] = set()
    state = {"codes": codes, "classes": classes, "defaults": defaults, "calls": calls}

    def name_of(frame: Any, entry: tuple) -> str | None:
        owner, attr, public = entry
        if public is not None:
            return public
        # a method is named after the public class that defines it (Tensor.grad, also on a
        # Parameter); constructing or calling after the object's own class (nn.ReLU)
        klass_name = None if attr in _CONSTRUCT else classes.get(owner)
        if klass_name is None and frame.f_code.co_argcount:
            first = frame.f_locals.get(frame.f_code.co_varnames[0])
            target = first if isinstance(first, type) else type(first)
            mro = getattr(target, "__mro__", ())
            if attr in _CONSTRUCT or owner is None:  # the object's own class: nn.ReLU
                public = [k for k in mro if k in classes]
            else:  # a private base (Tensor's operator methods): its first public subclass
                public = [k for k in reversed(mro) if k in classes and issubclass(k, owner)]
            if public:
                klass_name = classes[public[0]]
        if klass_name is None:
            klass_name = classes.get(owner)
        if klass_name is None:
            return None
        return klass_name if attr in _CONSTRUCT else f"{klass_name}.{attr}"

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event != "call":
            return
        entry = codes.get(frame.f_code)
        if entry is None:
            return
        caller = frame.f_back
        if caller is None or not caller.f_code.co_filename.startswith(cell_dir):
            return
        name = name_of(frame, entry)
        if name is None:
            return
        calls.add(name)
        for param, default in defaults.get(frame.f_code, {}).items():
            if param in frame.f_locals and _differs(frame.f_locals[param], default):
                calls.add(f"{name}({param})")

    sys.modules[__name__].__dict__["_state"] = state
    sys.setprofile(profile)


def _signature_defaults(func: Any) -> dict:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):  # pragma: no cover
        return {}
    return {
        name: p.default
        for name, p in sig.parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def report() -> None:
    """Stop recording and print the calls (called from an injected last cell)."""
    sys.setprofile(None)
    calls = sys.modules[__name__].__dict__["_state"]["calls"]
    print(MARK + json.dumps(sorted(calls)))


def calls_of(path: Path | str, timeout: int = 600) -> list[str]:
    """Run a lesson with the tracer and return the public API names its code called."""
    from tools.lesson_meta import run_notebook

    nb = nbformat.read(str(path), as_version=4)
    setup = nbformat.v4.new_code_cell(
        f"import sys\nsys.path.insert(0, {str(REPO)!r})\nimport tools.api_order\n"
        "tools.api_order.install()"
    )
    end = nbformat.v4.new_code_cell("tools.api_order.report()")
    nb.cells = [setup, *nb.cells, end]
    run_notebook(nb, Path(path).parent, allow_errors=False, timeout=timeout)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    for line in text.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    raise RuntimeError(f"{Path(path).name}: the tracer printed nothing")


def allowed(name: str, patterns: list[str]) -> bool:
    """``name`` matches one of the ``fnmatch`` patterns (``"Tensor.__*__"``)."""
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def violations(calls: dict[str, list[str]], introduces: dict[str, list[str]]) -> dict:
    """``{lesson: [names called before any lesson up to it introduced them]}``."""
    out = {}
    known: list[str] = []
    for lesson in sorted(calls):
        known = known + list(introduces.get(lesson, []))
        bad = [n for n in calls[lesson] if not allowed(n, known)]
        if bad:
            out[lesson] = bad
    return out


def main(argv: list[str] | None = None) -> int:
    from tools.lesson_meta import lesson_meta, lessons, number

    paths = lessons()
    chosen = sys.argv[1:] if argv is None else argv
    if chosen:
        paths = [p for p in paths if number(p) in chosen]
    calls = {number(p): calls_of(p) for p in paths}
    introduces = {number(p): lesson_meta(p).get("introduces", []) for p in lessons()}
    bad = violations(calls, introduces)
    for lesson, names in calls.items():
        print(f"{lesson}: {json.dumps(names)}")
        if lesson in bad:
            print(f"  not introduced yet: {bad[lesson]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
