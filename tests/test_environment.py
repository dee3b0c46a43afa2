"""environment.yml (conda, Binder) describes the same environment as ``make course``.

``make course`` installs ``minigrad[course]`` into ``.venv``; ``environment.yml`` must list
exactly those requirements (extras that name ``minigrad[...]`` expanded), each once, with the
same version specifier: as a conda-forge package (under its conda-forge name) or, for those
that conda-forge does not carry, under ``pip:``. It also installs minigrad itself (``-e .``).
The extras themselves nest: the engine needs numpy only, and each command's extra contains the
lighter one (``viz`` ⊂ ``course`` ⊂ ``test``); torch is never part of what the course installs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

yaml = pytest.importorskip("yaml")
tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

ROOT = Path(__file__).resolve().parents[1]
EXTRA = "course"  # what `make course` installs into .venv, and Binder from environment.yml

# pip name -> conda-forge name, where they differ.
CONDA_NAME = {
    "graphviz": "python-graphviz",  # conda-forge's `graphviz` is the C program, not this
}
# Installed by pip inside the conda environment: not on conda-forge.
PIP_ONLY = {"graphviz-pure"}
# Present in environment.yml for conda's sake only.
CONDA_ONLY = {"python", "pip"}


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def pyproject_requirements(*extras: str) -> dict[str, Requirement]:
    """The requirements of ``pip install minigrad[extras]``, with ``minigrad[x]`` expanded."""
    meta = project()
    reqs = [Requirement(text) for text in meta["dependencies"]]
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for text in meta["optional-dependencies"][extra]:
            req = Requirement(text)
            if canonicalize_name(req.name) == "minigrad":
                todo.extend(req.extras)
            else:
                reqs.append(req)
    out: dict[str, Requirement] = {}
    for req in reqs:
        name = canonicalize_name(req.name)
        # The same package may appear in two extras; it must then ask for the same versions.
        assert name not in out or out[name].specifier == req.specifier, str(req)
        out[name] = req
    return out


def load_environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def split_environment(env: dict) -> tuple[list[str], list[str]]:
    """(conda specs, pip lines) of environment.yml."""
    conda, pip = [], []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            assert list(dep) == ["pip"], f"unexpected mapping in dependencies: {dep}"
            pip.extend(dep["pip"])
        else:
            conda.append(dep)
    return conda, pip


def conda_spec(spec: str) -> tuple[str, SpecifierSet]:
    """``name``, ``name>=8``, ``name=2.13.0`` (conda's "this version") as pip-style specifiers."""
    m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", spec.strip())
    assert m, f"cannot read conda spec {spec!r}"
    name, version = m.group(1), m.group(2).replace(" ", "")
    if re.fullmatch(r"=[^=<>!]+", version):  # conda's single '=' is pip's '=='
        version = "=" + version
    return canonicalize_name(name), SpecifierSet(version)


def test_conda_spec_reader():
    assert conda_spec("python=3.11") == ("python", SpecifierSet("==3.11"))
    assert conda_spec("ipywidgets>=8") == ("ipywidgets", SpecifierSet(">=8"))
    assert conda_spec("python-graphviz") == ("python-graphviz", SpecifierSet())


def test_environment_lists_the_venv_requirements():
    wanted = pyproject_requirements(EXTRA)
    conda, pip = split_environment(load_environment())
    assert "-e ." in pip, "environment.yml must install minigrad itself: `- -e .` under pip:"

    conda_by_name = {}
    for spec in conda:
        name, specifier = conda_spec(spec)
        assert name not in conda_by_name, f"{name} listed twice in environment.yml"
        conda_by_name[name] = specifier
    pip_by_name = {}
    for line in pip:
        if line == "-e .":
            continue
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name not in pip_by_name, f"{name} listed twice under pip: in environment.yml"
        pip_by_name[name] = req.specifier

    problems = []
    for name, req in sorted(wanted.items()):
        if name in PIP_ONLY:
            where, found = "pip:", pip_by_name.pop(name, None)
            if name in conda_by_name:
                problems.append(f"{name} is pip-only but also a conda package")
        else:
            cname = CONDA_NAME.get(name, name)
            where, found = f"conda ({cname})", conda_by_name.pop(cname, None)
        if found is None:
            problems.append(f"{req} (pyproject.toml) is missing from environment.yml {where}")
        elif found != req.specifier:
            problems.append(
                f"{name}: environment.yml {where} has {str(found) or 'any version'}, pyproject {req}"
            )
    for name in sorted(set(conda_by_name) - CONDA_ONLY):
        problems.append(f"conda package {name} in environment.yml is not in pyproject.toml")
    for name in sorted(pip_by_name):
        problems.append(f"pip package {name} in environment.yml is not in pyproject.toml")
    assert not problems, "\n".join(problems)


def test_environment_python_satisfies_requires_python():
    conda, _ = split_environment(load_environment())
    (spec,) = [s for s in conda if conda_spec(s)[0] == "python"]
    version = str(conda_spec(spec)[1]).removeprefix("==")
    assert Version(version) in SpecifierSet(project()["requires-python"]), spec


def test_extras_nest_and_only_the_tests_pull_torch():
    engine = set(pyproject_requirements())
    viz, course = set(pyproject_requirements("viz")), set(pyproject_requirements("course"))
    test = set(pyproject_requirements("test"))
    assert engine == {"numpy"}, "import minigrad needs numpy only"
    assert engine < viz < course < test
    assert {"graphviz", "graphviz-pure", "ipywidgets"} <= viz
    assert {"jupyterlab", "ipykernel"} <= course
    assert not course & {"torch", "pytest", "ruff", "nbval", "playwright", "micrograd"}
    assert set(pyproject_requirements("dev")) == test
    # The oracle is pinned: an unpinned torch pulls a different (and huge) build.
    assert str(pyproject_requirements("test")["torch"].specifier) == "==2.13.0"
    assert str(pyproject_requirements("test", "bench")["torch"].specifier) == "==2.13.0"
    _, pip = split_environment(load_environment())
    assert not any(line.startswith("torch") for line in pip), "Binder needs no torch"
