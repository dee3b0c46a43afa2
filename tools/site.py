"""An offline static HTML copy of the course: ``python -m tools.site`` (``make html``).

Every lesson is executed headlessly in a fresh ``python3`` kernel, in a temporary copy of
``course/`` (the committed notebooks are never touched), and exported with nbconvert's
``HTMLExporter``; ``index.html`` links the lessons in order. The pages load nothing from the
network and open from ``file://``: the template (:data:`OFFLINE_TEMPLATE`) drops the
require.js, MathJax, mermaid and widget scripts that nbconvert's ``lab`` template fetches from
a CDN (no lesson typesets math). Diagrams are inline SVG. A stepper carries its own
flipbook (``text/html``: every frame, stepping by a few lines of inline script), which is
what the page shows; any other widget is drawn from its stored state as it was after the cell
ran.

Example::

    python -m tools.site --out site 00 02
"""

from __future__ import annotations

import argparse
import html
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from .notebooks import COURSE_DIR, lessons, read

__all__ = ["build_site", "execute_copy", "static_widgets", "lesson_title", "exporter", "main"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
NOTE = "Static copy: run <code>make course</code> to move the slider in JupyterLab."

# nbconvert's lab page without the scripts it loads from a CDN (require.js, MathJax, mermaid,
# the widget manager): the site must open offline, from file://.
OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
"""


def execute_copy(path: Path, workdir: Path, timeout: int = 300) -> nbformat.NotebookNode:
    """Run the lesson at ``path`` with ``workdir`` as the kernel's cwd; return it executed.

    Only cells tagged ``raises-exception`` may raise (nbclient's rule, as in nbval).
    """
    nb = read(path)
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
        store_widget_state=True,  # static_widgets() draws the widgets from this state
        allow_errors=False,
    ).execute()
    return nb


def _render_widget(model_id: str, state: dict[str, dict]) -> str:
    """HTML for one widget model and its children, from the stored widget state.

    Walks the children iteratively (a stack of pending HTML pieces), never recursively.
    """
    out: list[str] = []
    stack: list[str | tuple[str]] = [model_id]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):  # a closing tag queued after a box's children
            out.append(item[0])
            continue
        model = state.get(item.removeprefix("IPY_MODEL_"))
        if model is None:
            continue
        name, s = model.get("model_name", ""), model.get("state", {})
        if name in ("VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel"):
            direction = "row" if name == "HBoxModel" else "column"
            out.append(f'<div style="display:flex;flex-direction:{direction};gap:4px">')
            stack.append(("</div>",))
            stack.extend(reversed(s.get("children", [])))
        elif name in ("HTMLModel", "HTMLMathModel"):
            out.append(f"<div>{s.get('value', '')}</div>")  # the package's own HTML
        elif name in ("LabelModel", "TextModel", "TextareaModel"):
            out.append(f"<div>{html.escape(str(s.get('value', '')))}</div>")
        elif name in ("IntSliderModel", "FloatSliderModel"):
            desc = html.escape(str(s.get("description", "")))
            value, top = s.get("value", ""), s.get("max", "")
            out.append(f"<div><b>{desc}</b> {value} / {top} <i>({NOTE})</i></div>")
    return "".join(out)


def static_widgets(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Replace widget views by HTML that needs no kernel; drop the widget state.

    A widget with its own ``text/html`` (a stepper's flipbook) keeps it; any other is drawn
    from its stored state. Without the state in the metadata, nbconvert adds no widget script.
    """
    stored = nb.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            view = data.pop(WIDGET_VIEW)
            if "text/html" in data:
                continue
            rendered = _render_widget(view.get("model_id", ""), stored)
            if rendered:
                data["text/html"] = rendered
    return nb


def lesson_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The first markdown heading (``# NN · Title``) without the ``#``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _index(entries: list[tuple[str, str]]) -> str:
    items = "\n".join(
        f'    <li><a href="{html.escape(href)}">{html.escape(title)}</a></li>'
        for href, title in entries
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>minigrad course</title></head>
<body style="font-family: sans-serif; max-width: 50em; margin: 2em auto">
  <h1>minigrad: how autograd works</h1>
  <p>A static copy of the course, executed once; it works offline. The steppers are
  flipbooks here: play, step or drag through the frames (arrow keys work too).
  To change the code and run the lessons live, run <code>make course</code> in the repository.</p>
  <ol start="0">
{items}
  </ol>
</body>
</html>
"""


def exporter():
    """nbconvert's ``HTMLExporter`` with the ``lab`` look and :data:`OFFLINE_TEMPLATE`."""
    return HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})],
        template_file="offline.html.j2",
    )


def build_site(
    out: Path | str = "site",
    course_dir: Path | str = COURSE_DIR,
    names: Sequence[str] | None = None,
    timeout: int = 300,
) -> list[Path]:
    """Execute the lessons into a temporary copy of ``course_dir``; write HTML into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    html_exporter = exporter()
    written: list[Path] = []
    entries: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="minigrad-html-") as tmp:
        work = Path(tmp) / "course"
        # Data files next to the lessons are copied too; learner copies are not needed.
        shutil.copytree(course_dir, work, ignore=shutil.ignore_patterns("learner", ".*"))
        for path in lessons(work, list(names) if names else None):
            print(f"executing {path.name} ...", flush=True)
            nb = static_widgets(execute_copy(path, work, timeout=timeout))
            body, _ = html_exporter.from_notebook_node(nb)
            target = out / (path.stem + ".html")
            target.write_text(body, encoding="utf-8")
            written.append(target)
            entries.append((target.name, lesson_title(nb, path.stem)))
    index = out / "index.html"
    index.write_text(_index(entries), encoding="utf-8")
    return [index, *written]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.site",
        description="Execute every lesson and write a static HTML copy of the course.",
    )
    parser.add_argument("names", nargs="*", help="lessons by number or file name (default: all)")
    parser.add_argument("--out", type=Path, default=Path("site"), help="output folder (site/)")
    parser.add_argument("--course-dir", type=Path, default=COURSE_DIR)
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    written = build_site(args.out, args.course_dir, args.names, args.timeout)
    print(f"wrote {len(written) - 1} lessons; open {written[0].resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
