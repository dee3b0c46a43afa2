"""The shape of the core's source, measured, so that it cannot drift back.

The engine is part of what learners read, so its source is held to a few rules (issue 19):

- no function in ``minigrad/autograd/engine.py`` is longer than 60 lines, and none of its
  parameters shadows a function of the module;
- at most 10 imports sit inside functions in the core (``minigrad/`` without ``viz`` and
  ``course``), each with a comment on its line or the line above saying why;
- the modules on the reading path (tensor, record, one operation, AccumulateGrad, the
  engine) do not import the modules that hold torch-fidelity machinery;
- the engine layer does not import ``viz``, ``course``, ``nn`` or ``optim``, and the low
  autograd modules (graph, saved tensors, hooks, grad mode, observer) do not import the
  engine;
- every error and warning text of the core comes from ``minigrad/_errors.py``;
- ``import minigrad`` loads numpy and the standard library only;
- the reading guide (``minigrad/README.md``) states line counts that are still true.

Each failure names the file, the line and what to change. The source is read with ``ast``;
nothing is imported except in the last test.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "minigrad"
ENGINE = PACKAGE / "autograd" / "engine.py"
MAX_FUNCTION_LINES = 60
MAX_FUNCTION_IMPORTS = 10

# What a learner reads first, in order (see minigrad/README.md).
READING_PATH = (
    "minigrad.tensor",
    "minigrad.ops.record",
    "minigrad.ops.unary",
    "minigrad.autograd.graph",
    "minigrad.autograd.accumulate_grad",
    "minigrad.autograd.engine",
    "minigrad.autograd.api",
)
# torch-fidelity machinery: C++ type names, memory layouts, type promotion, ZeroTensor.
FIDELITY = (
    "minigrad._type_names",
    "minigrad.ops._layout",
    "minigrad.ops._promotion",
    "minigrad.ops._zerotensor",
)
HIGHER_LAYERS = ("minigrad.viz", "minigrad.course", "minigrad.nn", "minigrad.optim")
# Modules the engine builds on: they must not import it (nor what imports it).
LOW_AUTOGRAD = ("graph", "saved", "hooks", "grad_mode", "observer", "numerical")
ENGINE_AND_ABOVE = (
    "minigrad.autograd",  # the package's __init__ imports the engine
    "minigrad.autograd.engine",
    "minigrad.autograd.api",
    "minigrad.autograd.accumulate_grad",
    "minigrad.autograd.function",
    "minigrad.autograd.gradcheck",
)


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def core_files() -> list[Path]:
    """``minigrad/**.py`` without ``viz`` and ``course``."""
    return sorted(
        p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] not in ("viz", "course")
    )


def engine_layer_files() -> list[Path]:
    """The engine and what it stands on: everything in the core except nn, optim, the
    package's own ``__init__`` (which re-exports nn and optim) and the demo script."""
    return [
        p
        for p in core_files()
        if p.relative_to(PACKAGE).parts[0] not in ("nn", "optim")
        and p.relative_to(PACKAGE).as_posix() not in ("__init__.py", "demo.py")
    ]


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Lines of ``if TYPE_CHECKING:`` blocks (imports for annotations, never run)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, child.end_lineno + 1))
    return lines


def imported_modules(path: Path) -> list[tuple[str, ast.AST]]:
    """``(absolute module name, import node)`` for every import that runs, anywhere in the
    file; ``from pkg import name`` yields both ``pkg`` and ``pkg.name`` (it may be a module)."""
    tree = parse(path)
    skip = _type_checking_lines(tree)
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    out = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            out.extend((alias.name, node) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((target, node))
            out.extend((f"{target}.{alias.name}", node) for alias in node.names)
    return out


def function_imports(path: Path) -> list[ast.AST]:
    tree = parse(path)
    found = []
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.extend(n for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom)))
    return list({id(n): n for n in found}.values())


# -- item 1: the engine reads like a lesson -------------------------------------------------
def test_no_engine_function_longer_than_60_lines():
    tree = parse(ENGINE)
    too_long = [
        f"{where(ENGINE, fn)} {fn.name}() has {fn.end_lineno - fn.lineno + 1} lines"
        for fn in ast.walk(tree)
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
        and fn.end_lineno - fn.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not too_long, (
        f"engine functions over {MAX_FUNCTION_LINES} lines (split them into named pieces): "
        + "; ".join(too_long)
    )


def test_no_engine_parameter_shadows_a_function():
    tree = parse(ENGINE)
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            functions.update(a.asname or a.name for a in node.names)
    shadowing = []
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef):
            args = fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs
            shadowing.extend(
                f"{where(ENGINE, fn)} {fn.name}(): parameter '{a.arg}'"
                for a in args
                if a.arg in functions
            )
    assert not shadowing, "parameters named like a function of engine.py: " + "; ".join(shadowing)


# -- item 3: imports at the top -------------------------------------------------------------
def test_few_function_level_imports_each_with_a_reason():
    found = [(path, node) for path in core_files() for node in function_imports(path)]
    listing = "; ".join(where(p, n) for p, n in found)
    assert len(found) <= MAX_FUNCTION_IMPORTS, (
        f"{len(found)} imports inside functions in the core (at most {MAX_FUNCTION_IMPORTS}): "
        f"move them to the top of the module: {listing}"
    )
    silent = []
    for path, node in found:
        lines = path.read_text(encoding="utf-8").splitlines()
        own = lines[node.lineno - 1]
        above = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
        if "#" not in own and not above.startswith("#"):
            silent.append(where(path, node))
    assert not silent, (
        "imports inside functions need a comment saying why (on the line or the line above): "
        + "; ".join(silent)
    )


def test_the_reading_path_does_not_import_fidelity_modules():
    offending = []
    for name in READING_PATH:
        path = ROOT / (name.replace(".", "/") + ".py")
        assert path.exists(), f"reading-path module {name} is missing: update READING_PATH"
        offending.extend(
            f"{where(path, node)} imports {target}"
            for target, node in imported_modules(path)
            if target in FIDELITY
        )
    for name in FIDELITY:
        assert (ROOT / (name.replace(".", "/") + ".py")).exists(), f"{name} is missing"
    assert not offending, (
        "the reading path must stay free of torch-fidelity machinery (call a named helper "
        "that lives outside it instead): " + "; ".join(offending)
    )


def test_the_engine_layer_does_not_import_higher_layers():
    offending = [
        f"{where(path, node)} imports {target}"
        for path in engine_layer_files()
        for target, node in imported_modules(path)
        if target.startswith(HIGHER_LAYERS)
    ]
    assert not offending, "the engine must not depend on viz/course/nn/optim: " + "; ".join(
        offending
    )


def test_low_autograd_modules_do_not_import_the_engine():
    offending = []
    for name in LOW_AUTOGRAD:
        path = PACKAGE / "autograd" / f"{name}.py"
        offending.extend(
            f"{where(path, node)} imports {target}"
            for target, node in imported_modules(path)
            if target in ENGINE_AND_ABOVE
        )
    assert not offending, (
        "graph, saved tensors, hooks, grad mode and the observer sit below the engine: "
        + "; ".join(offending)
    )


# -- item 5: error texts live in _errors.py -------------------------------------------------
def _literal_message(call: ast.Call) -> bool:
    if not call.args:
        return False
    first = call.args[0]
    return isinstance(first, (ast.Constant, ast.JoinedStr)) and not (
        isinstance(first, ast.Constant) and not isinstance(first.value, str)
    )


def test_every_error_text_comes_from_errors_module():
    spelled_out = []
    for path in core_files():
        if path.name == "_errors.py":
            continue
        for node in ast.walk(parse(path)):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                if _literal_message(node.exc):
                    spelled_out.append(where(path, node))
            elif isinstance(node, ast.Call) and ast.unparse(node.func) == "warnings.warn":
                if _literal_message(node):
                    spelled_out.append(where(path, node))
    assert not spelled_out, (
        "raise sites spelling out their own text (add a named constant to "
        "minigrad/_errors.py and use it): " + "; ".join(spelled_out)
    )


# -- item 4: import minigrad needs numpy only ----------------------------------------------
def test_import_minigrad_loads_numpy_and_the_standard_library_only():
    code = (
        "import os, sys, sysconfig\n"
        "import numpy\n"
        "before = set(sys.modules)\n"
        "import minigrad\n"
        "std = sysconfig.get_paths()['stdlib']\n"
        "ours = (os.path.dirname(numpy.__file__), os.path.dirname(minigrad.__file__))\n"
        "def foreign(m):\n"
        "    f = getattr(sys.modules[m], '__file__', None) or ''\n"
        "    return f and not f.startswith(ours) and (not f.startswith(std) or 'site-packages' in f)\n"
        "print(sorted({m.split('.')[0] for m in set(sys.modules) - before if foreign(m)}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    assert out == "[]", f"import minigrad also loads (make it an optional import): {out}"


# -- item 6: the reading guide ---------------------------------------------------------------
def test_reading_guide_line_counts_are_current():
    """minigrad/README.md states each file's length: within 10% of the file's."""
    guide = (PACKAGE / "README.md").read_text(encoding="utf-8")
    stated = re.findall(r"\[`([\w/.]+\.py)`\]\([\w/.]+\)(?: \(| \| )(\d+)", guide)
    assert len(stated) >= 7, "the reading guide should list the reading path with line counts"
    listed = {f"minigrad.{f[:-3].replace('/', '.')}" for f, _ in stated}
    assert set(READING_PATH) <= listed, f"not in the guide: {set(READING_PATH) - listed}"
    stale = []
    for name, count in stated:
        actual = len((PACKAGE / name).read_text(encoding="utf-8").splitlines())
        if abs(actual - int(count)) > 0.1 * actual:
            stale.append(f"{name}: the guide says {count} lines, the file has {actual}")
    assert not stale, "update minigrad/README.md: " + "; ".join(stale)
