"""What the installed package needs and touches.

- ``import minigrad`` (and what lessons import from ``minigrad.course``) works with numpy as the
  only third-party package: a subprocess blocks the rest (graphviz, ipywidgets, IPython,
  matplotlib, torch, Jupyter) at import time.
- Importing what a lesson's first cell imports changes nothing in IPython: the traceback mode
  stays what it was; a lesson asks for minimal tracebacks itself.
- The package does not reach into the repository: no module of ``minigrad`` names the
  ``course/`` folder or the ``tools/`` package.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import minigrad.course

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "minigrad"
BLOCKED = (
    "graphviz",
    "graphviz_pure",
    "ipywidgets",
    "IPython",
    "ipykernel",
    "matplotlib",
    "torch",
    "nbformat",
    "jupyter_core",
    "jupyterlab",
)
COURSE_MODULES = sorted(
    f"minigrad.course.{m.name}" for m in pkgutil.iter_modules(minigrad.course.__path__)
)


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,  # not the repository root: nothing importable from the clone by accident
        timeout=120,
    )


def test_engine_and_lesson_helpers_import_with_numpy_only():
    result = _run(
        f"""
        import importlib, importlib.abc, sys

        BLOCKED = {BLOCKED!r}

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in BLOCKED:
                    raise ModuleNotFoundError(f"blocked for this test: {{name}}")
                return None

        sys.meta_path.insert(0, Block())
        import minigrad as mg
        import minigrad.nn, minigrad.optim
        for name in {COURSE_MODULES!r}:
            importlib.import_module(name)
        x = mg.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        print(x.grad.tolist())
        loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set(BLOCKED))
        print(loaded)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[2.0, 4.0]", "[]"]


def test_the_blocker_blocks():
    # The same blocker makes importing the diagrams fail: the test above can fail.
    result = _run(
        """
        import importlib.abc, sys

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("graphviz", "ipywidgets"):
                    raise ModuleNotFoundError(f"blocked for this test: {name}")

        sys.meta_path.insert(0, Block())
        import minigrad.viz
        """
    )
    assert result.returncode != 0
    assert "blocked for this test" in result.stderr


def _first_cell_imports() -> list[str]:
    """The import statements of every lesson's first code cell."""
    found = []
    for path in sorted((ROOT / "course").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        first = next(c for c in cells if c["cell_type"] == "code")
        source = "".join(first["source"])
        lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        for node in ast.parse("\n".join(lines)).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.append(ast.unparse(node))
    return sorted(set(found))


def test_importing_what_lessons_import_leaves_ipython_alone():
    imports = _first_cell_imports()
    assert any("minigrad.course" in line for line in imports), imports
    result = _run(
        f"""
        from IPython.core.interactiveshell import InteractiveShell

        shell = InteractiveShell.instance()
        shell.InteractiveTB.set_mode(mode="Context")
        exec({"; ".join(imports)!r}, {{}})
        import minigrad.course
        print(shell.InteractiveTB.mode)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Context"]


def test_package_does_not_reach_into_the_repository():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                module = getattr(node, "module", None) or ""
                if any(n.split(".")[0] == "tools" for n in [*names, module]):
                    problems.append(f"{path.relative_to(ROOT)}: imports tools")
            # Path(__file__).parents[...] climbs out of the package: the repository layout.
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "parents"
                and "__file__" in ast.unparse(node)
            ):
                problems.append(f"{path.relative_to(ROOT)}: {ast.unparse(node)}")
    assert not problems, problems
