"""Rendering: the bundled graphviz-pure engine by absolute path, MINIGRAD_DOT, the error
without an engine, deterministic SVG, files and the notebook mime bundle."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import minigrad as mg
from minigrad.viz import GraphvizNotFound, backward_graph, find_dot, render


def diagram():
    x = mg.tensor(2.0, requires_grad=True, name="x")
    y = mg.tensor(3.0, requires_grad=True, name="y")
    return backward_graph((x * x * y) ** 2, show_saved=True, show_values=True, legend=True)


def test_bundled_engine_is_found_by_absolute_path(monkeypatch):
    monkeypatch.delenv(render.ENV_VAR, raising=False)
    path = Path(find_dot())
    assert path.is_absolute() and path.name.startswith("graphviz-pure")


def test_found_without_the_venv_bin_on_path():
    # A kernel started by nbval runs the venv's python with a PATH lacking the venv's bin.
    env = {k: v for k, v in os.environ.items() if k != render.ENV_VAR}
    env["PATH"] = "/nonexistent"
    code = "from minigrad.viz import find_dot; print(find_dot())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()  # fmt: skip
    assert Path(out).name.startswith("graphviz-pure")


def test_env_var_selects_the_engine(monkeypatch, tmp_path):
    bundled = find_dot()
    monkeypatch.setenv(render.ENV_VAR, "graphviz-pure")
    assert find_dot() == bundled
    monkeypatch.setenv(render.ENV_VAR, bundled)
    assert find_dot() == bundled
    monkeypatch.setenv(render.ENV_VAR, str(tmp_path / "no-such-dot"))
    with pytest.raises(GraphvizNotFound, match="MINIGRAD_DOT="):
        find_dot()
    with pytest.raises(GraphvizNotFound):
        diagram().svg()


def test_without_any_engine_the_error_says_what_to_install(monkeypatch):
    monkeypatch.delenv(render.ENV_VAR, raising=False)
    monkeypatch.setattr(render, "_bundled", lambda: None)
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    d = diagram()
    with pytest.raises(GraphvizNotFound, match="pip install graphviz-pure"):
        d.pipe("svg")
    assert d.source.startswith("digraph {")  # DOT and text need no engine
    assert d.text


def test_svg_is_deterministic():
    first = diagram()
    second = diagram()
    assert first.source == second.source
    a, b = first.pipe("svg"), first.pipe("svg")
    assert a == b
    assert second.pipe("svg") == a
    assert a.startswith(b"<?xml") and b"<svg" in a


def test_render_files(tmp_path):
    d = diagram()
    png = d.render(tmp_path / "graph", format="png")
    assert png.name == "graph.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = d.render(tmp_path / "graph.svg")
    assert svg.read_text().count('class="node"') == d.text.count("\nn") + 4  # + legend


def test_mimebundle_has_svg_and_text():
    d = diagram()
    bundle = d._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/plain"}
    assert bundle["image/svg+xml"] == d.svg() and "<svg" in bundle["image/svg+xml"]
    assert bundle["text/plain"] == d.text
    assert d._repr_mimebundle_(exclude=["image/svg+xml"]) == {"text/plain": d.text}


def test_bad_format():
    with pytest.raises(ValueError, match="format must be one of"):
        diagram().pipe("gif")


def test_graphviz_package_can_be_pointed_at_the_same_engine():
    import graphviz.backend.dot_command as dot_command

    before = dot_command.DOT_BINARY
    try:
        render.configure_graphviz_package()
        d = diagram()
        assert d.digraph.pipe(format="svg") == d.pipe("svg")
    finally:
        dot_command.DOT_BINARY = before
