"""The static HTML copy of the course (``make html``, :mod:`tools.site`) works offline.

- A stepper keeps its flipbook (``text/html``) and loses its widget view and the widget state,
  so nbconvert adds no widget-manager script; any other widget is drawn from its stored state.
- Every lesson page loads nothing from the network: no script, stylesheet, image or frame
  with an external URL (``http:``, ``https:`` or ``//``), no ``@import`` / ``url(http…)`` in its
  styles, no URL in its inline scripts. nbconvert's own ``lab`` template fails this (require.js
  and MathJax from a CDN), so the test can fail.

The browser test (``tests/course/test_browser.py``) opens a built page from ``file://`` and
steps its flipbooks.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import ipywidgets as widgets
import nbformat
import pytest
from nbconvert import HTMLExporter

import minigrad as mg
import minigrad.viz  # noqa: F401 - mg.viz
from tools.notebooks import lessons, read
from tools.site import WIDGET_STATE, WIDGET_VIEW, exporter, lesson_title, static_widgets

EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
NAMESPACE = re.compile(r"http://www\.w3\.org/(2000/svg|1999/xlink|1999/xhtml|XML/1998/namespace)\b")
# Elements whose URL attributes the browser fetches while loading the page.
FETCHED = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "image": ("href", "xlink:href"),  # SVG
    "use": ("href", "xlink:href"),  # SVG
}


class _Fetches(HTMLParser):
    """Collect the URLs a page would fetch, and the text of its scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in FETCHED.get(tag, ()) and value:
                self.urls.append(f"<{tag} {name}={value!r}>")
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)


def external_references(page: str) -> list[str]:
    """What ``page`` would load from the network (empty for an offline page)."""
    parser = _Fetches()
    parser.feed(page)
    found = [u for u in parser.urls if EXTERNAL.search(u.split("=", 1)[1].strip("'\">"))]
    for script in parser.scripts:
        urls = re.findall(r"(?:https?:)?//[\w.-]+\.\w+/\S*", script)
        # XML namespace names (an inline SVG's xmlns in a flipbook's frames) are never fetched.
        found += [f"script text: {u}" for u in urls if not NAMESPACE.match(u)]
    for style in parser.styles:
        found += [
            f"style: {m}"
            for m in re.findall(r"@import[^;]*|url\(\s*['\"]?(?:https?:)?//[^)]*\)", style)
        ]
    return found


def _notebook_showing(widget) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 02 · The graph\n\ntext"),
        nbformat.v4.new_code_cell("widget"),
    ]
    # Stored the way nbclient stores a displayed widget: its mimebundle and the manager state.
    data = widget._repr_mimebundle_()
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", data=data)]
    nb.metadata["widgets"] = {WIDGET_STATE: widgets.Widget.get_manager_state()}
    return nb


def _stepper():
    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    return mg.viz.step_backward(x * y, params={"x": x, "y": y})


def test_stepper_keeps_its_flipbook_and_no_widget_script():
    stepper = _stepper()
    nb = static_widgets(_notebook_showing(stepper))
    data = nb.cells[1].outputs[0]["data"]
    assert WIDGET_VIEW not in data
    assert "widgets" not in nb.metadata  # so nbconvert adds no widget script to the page
    assert data["text/html"] == stepper.flipbook()
    assert data["text/plain"] == repr(stepper)


def test_other_widgets_are_drawn_from_their_state():
    slider = widgets.IntSlider(value=3, max=7, description="k")
    nb = static_widgets(_notebook_showing(slider))
    data = nb.cells[1].outputs[0]["data"]
    assert WIDGET_VIEW not in data
    assert "<b>k</b> 3 / 7" in data["text/html"]


def test_widget_without_stored_state_keeps_what_it_has():
    # nbclient stores no state when a kernel has none; the flipbook and the repr stay.
    stepper = _stepper()
    nb = _notebook_showing(stepper)
    del nb.metadata["widgets"]
    data = static_widgets(nb).cells[1].outputs[0]["data"]
    assert data == {"text/plain": repr(stepper), "text/html": stepper.flipbook()}


def test_lesson_title_is_the_first_heading():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("intro\n# 02 · The graph\n## part")]
    assert lesson_title(nb, "fallback") == "02 · The graph"
    assert lesson_title(nbformat.v4.new_notebook(), "fallback") == "fallback"


def test_nbconvert_default_page_would_fail_this_test():
    nb = read(lessons()[0])
    page, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    assert any("require" in u for u in external_references(page))


@pytest.fixture(scope="module")
def offline_exporter():
    return exporter()


@pytest.mark.parametrize("lesson", lessons(), ids=lambda p: p.stem)
def test_lesson_pages_load_nothing_from_the_network(offline_exporter, lesson):
    nb = static_widgets(read(lesson))
    page, _ = offline_exporter.from_notebook_node(nb)
    assert external_references(page) == []
    # The lesson's steppers are in the page as flipbooks.
    steppers = sum(
        1
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if "Stepper(" in out.get("data", {}).get("text/plain", "")
    )
    assert page.count('<div class="mg-flipbook"') == steppers
