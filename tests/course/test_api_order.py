"""Nothing is used before it is taught: every lesson runs under a tracer that records the
public minigrad API its code calls, and lesson k may only call what lessons 00..k declare
in ``metadata.minigrad.introduces``.

Today's violations are listed in course/known_gaps.json ("api_order"); a new one fails, and
so does a listed one that is gone (remove it: the list only shrinks). A lesson must also
use what it declares it introduces.
"""

from __future__ import annotations

import nbformat
import pytest

from tools.api_order import allowed, calls_of, violations
from tools.lesson_meta import known_gaps, lesson_meta, lessons, map_lessons, number, read

LESSONS = lessons()


@pytest.fixture(scope="module")
def calls():
    return map_lessons(calls_of, LESSONS)


def test_the_tracer_records_what_lesson_code_calls(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import minigrad as mg\n"
            "x = mg.tensor(2.0, requires_grad=True)\n"
            "y = x * x\n"
            "y.backward(retain_graph=True)\n"
            "x.grad = None\n"
            "relu = mg.nn.ReLU()\n"
            "out = relu(x)\n"
            "with mg.no_grad():\n"
            "    z = x + 1\n"
            "def helper(t):\n"
            "    return t.sum()\n"
            "helper(x)\n"
        ),
        nbformat.v4.new_code_cell("mg.viz.legend() if hasattr(mg, 'viz') else None"),
    ]
    path = tmp_path / "00_t.ipynb"
    nbformat.write(nb, str(path))
    got = set(calls_of(path))
    expected = {
        "tensor",
        "tensor(requires_grad)",
        "Tensor.__mul__",
        "Tensor.__add__",
        "Tensor.backward",
        "Tensor.backward(retain_graph)",
        "Tensor.grad=",
        "nn.ReLU",  # constructing and calling: the object's own class
        "no_grad",
        "Tensor.sum",  # from a function the cell defined: lesson code too
    }
    assert expected <= got, expected - got
    # internal calls made by minigrad itself are not the lesson's
    assert not any(n.startswith(("_", "autograd.graph.AccumulateGrad")) for n in got)
    assert not any("course" in n for n in got)


def test_patterns_and_violations():
    assert allowed("Tensor.__mul__", ["Tensor.__*__"]) and not allowed("Tensor.sum", ["tensor"])
    calls = {"00": ["tensor", "Tensor.sum"], "01": ["Tensor.sum", "nn.Linear"]}
    intro = {"00": ["tensor"], "01": ["Tensor.sum"], "02": ["nn.*"]}
    assert violations(calls, intro) == {"00": ["Tensor.sum"], "01": ["nn.Linear"]}


def test_no_lesson_uses_what_a_later_lesson_teaches(calls):
    introduces = {number(p): lesson_meta(read(p)).get("introduces", []) for p in LESSONS}
    found = violations(calls, introduces)
    known = known_gaps("api_order")
    for lesson in sorted(set(found) | set(known)):
        new = sorted(set(found.get(lesson, [])) - set(known.get(lesson, [])))
        gone = sorted(set(known.get(lesson, [])) - set(found.get(lesson, [])))
        assert new == [], f"lesson {lesson} uses what no lesson up to it introduces: {new}"
        assert gone == [], f"lesson {lesson}: fixed, remove from known_gaps.json: {gone}"


def test_each_lesson_uses_what_it_introduces(calls):
    for path in LESSONS:
        declared = lesson_meta(read(path)).get("introduces", [])
        unused = [p for p in declared if not any(allowed(c, [p]) for c in calls[number(path)])]
        assert unused == [], f"lesson {number(path)} introduces but never calls {unused}"
