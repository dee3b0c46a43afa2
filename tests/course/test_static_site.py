"""The static HTML copy of the course draws a stepper from its stored widget state, offline.

``make html`` executes the lessons with nbclient (which stores the widget state in the notebook)
and ``static_widgets`` turns each widget view into plain HTML. Here the state comes from a real
``BackwardStepper`` built in this process, stored the way nbclient stores it.
"""

from __future__ import annotations

import ipywidgets as widgets
import nbformat

import minigrad as mg
import minigrad.viz  # noqa: F401 - mg.viz
from minigrad.course.html import WIDGET_STATE, WIDGET_VIEW, lesson_title, static_widgets


def _notebook_showing(stepper) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 02 · The graph\n\ntext"),
        nbformat.v4.new_code_cell("stepper"),
    ]
    view = {"version_major": 2, "version_minor": 0, "model_id": stepper.model_id}
    nb.cells[1].outputs = [
        nbformat.v4.new_output(
            "execute_result", data={WIDGET_VIEW: view, "text/plain": repr(stepper)}
        )
    ]
    nb.metadata["widgets"] = {WIDGET_STATE: widgets.Widget.get_manager_state()}
    return nb


def test_stepper_is_drawn_without_widget_script():
    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    stepper = mg.viz.step_backward(x * y, params={"x": x, "y": y})
    nb = static_widgets(_notebook_showing(stepper))

    data = nb.cells[1].outputs[0]["data"]
    assert WIDGET_VIEW not in data
    assert "widgets" not in nb.metadata  # so nbconvert adds no widget script to the page
    html = data["text/html"]
    # The frame at the stepper's current step (0): its diagram and its explanation.
    assert stepper.diagram_html.value in html
    assert stepper.explanation.value in html
    assert f"step</b> 0 / {stepper.n_steps}" in html
    assert data["text/plain"] == repr(stepper)


def test_widget_without_stored_state_keeps_its_text():
    # nbclient stores no state when a kernel has none; the text/plain repr stays.
    x = mg.tensor(2.0, requires_grad=True)
    stepper = mg.viz.step_backward(x * 3, params={"x": x})
    nb = _notebook_showing(stepper)
    del nb.metadata["widgets"]
    data = static_widgets(nb).cells[1].outputs[0]["data"]
    assert data == {"text/plain": repr(stepper)}


def test_lesson_title_is_the_first_heading():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("intro\n# 02 · The graph\n## part")]
    assert lesson_title(nb, "fallback") == "02 · The graph"
    assert lesson_title(nbformat.v4.new_notebook(), "fallback") == "fallback"
