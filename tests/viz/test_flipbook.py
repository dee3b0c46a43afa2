"""The stepper's flipbook (``text/html``): every frame, packed, stepping without a kernel.

Here, without a browser: the packed frames unpack to exactly what the widget shows; the bytes
are the same run to run and carry no ids; nothing is loaded from the network; the size budget
holds for a stepper of 20 steps and for the whole course. ``tests/course/test_browser.py``
steps the flipbooks in Chromium (in JupyterLab before running, and in the static site).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

import minigrad as mg
from minigrad.viz import BackwardStepper, ForwardStepper, SecondOrderStepper, step_backward
from minigrad.viz.flipbook import BUDGET, flipbook, pack, unpack

COURSE = Path(__file__).resolve().parents[2] / "course"
DATA = re.compile(r'e=("(?:[^"\\]|\\.)*")\.replace\(')


def frames_in(html: str) -> list[str]:
    """The frames a flipbook's script shows, decoded here the way the script does it."""
    (literal,) = DATA.findall(html)
    packed = json.loads(literal.replace("<\\!--", "<!--"))  # "<\/script" is JSON already
    packed = packed.translate(str.maketrans({'"': "'", "'": '"'}))
    return unpack(packed).split("\x00")


def _chain(layers: int):
    """A chain of ``layers`` (mul, sin) pairs: 2·layers + 2 backward steps."""
    a = mg.tensor(0.5, requires_grad=True)
    b = mg.tensor(1.5, requires_grad=True)
    y = a
    for _ in range(layers):
        y = (y * b).sin()
    return y, {"a": a, "b": b}


def _steppers():
    x = mg.tensor(2.0, requires_grad=True)
    y = mg.tensor(3.0, requires_grad=True)
    z = x * x * y * y
    w = z * z
    q = (x * x * y) ** 2
    return [
        step_backward(w, params={"x": x, "y": y, "z": z, "w": w}),
        ForwardStepper(w, params={"x": x, "y": y}),
        SecondOrderStepper(q, (x, y), params={"q": q, "x": x, "y": y}),
    ]


@pytest.mark.parametrize("seed", range(30))
def test_pack_round_trips(seed):
    rnd = random.Random(seed)
    alphabet = "ab~\x00\"'<>/ \n0123456789."
    text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 3000)))
    text += text[: rnd.randint(0, len(text))]  # something to copy
    assert unpack(pack(text)) == text


def test_pack_copies_what_repeats():
    assert pack("abcdefabcdefabcdef") == "abcdef~60~.0"  # a copy, then one at the same distance
    assert pack("~~x") == "~~~~x"  # a literal ~ is doubled
    text = "<g>node 1</g>\n" * 200
    assert len(pack(text)) < len(text) / 20


@pytest.mark.parametrize("stepper", _steppers(), ids=lambda s: type(s).__name__)
def test_flipbook_frames_are_what_the_widget_shows(stepper):
    data = stepper._repr_mimebundle_()
    assert data["text/plain"] == repr(stepper)
    assert "application/vnd.jupyter.widget-view+json" in data  # the live widget is still there
    html = data["text/html"]
    assert html == stepper.flipbook()
    shown = []
    for k in range(stepper.n_steps + 1):
        stepper.step = k  # what the widget shows at step k
        shown.append(stepper.diagram_html.value + stepper.explanation.value)
    assert frames_in(html) == shown
    assert frames_in(html) == [stepper.frame_html(k) for k in range(stepper.n_steps + 1)]


def test_flipbook_starts_where_the_stepper_is():
    stepper = _steppers()[0]
    stepper.step = 3
    html = stepper.flipbook()
    assert "show(3)})();" in html
    assert html != _steppers()[0].flipbook()


def test_same_frames_same_bytes_and_no_ids():
    one, two = _steppers()[0].flipbook(), _steppers()[0].flipbook()
    assert one == two
    assert " id=" not in one.split("<svg", 1)[0]  # the flipbook's own elements carry no id
    assert "Math.random" not in one and "Date" not in one
    # Another stepper: another key, so two flipbooks on one page find their own elements.
    keys = {re.search(r'data-key="(\w+)"', s.flipbook()).group(1) for s in _steppers()}
    assert len(keys) == 3


def test_flipbook_loads_nothing():
    html = _steppers()[0].flipbook()
    script = html[html.index("<script>") :]
    assert not re.search(r"(https?:)?//[\w.-]+\.\w", script.split('e="')[0])
    assert "src=" not in html.split("<svg")[0]
    assert html.count("<script") == 1 and "</script>" in html
    assert "<!--" not in script  # an HTML comment opener would confuse the script parser


def test_static_part_is_a_filmstrip_when_it_fits():
    stepper = _steppers()[0]
    html = stepper.flipbook()
    static = html[: html.index("<script>")]
    for k in range(stepper.n_steps + 1):
        assert f"<b>step {k} / {stepper.n_steps}</b>" in static
        assert stepper.frame_html(k) in static


def test_twenty_steps_stay_under_the_budget():
    output, params = _chain(9)
    stepper = step_backward(output, params=params)
    assert stepper.n_steps == 20
    html = stepper.flipbook()
    raw = sum(len(stepper.frame_html(k).encode()) for k in range(21))
    assert len(html.encode()) <= BUDGET < raw  # packed: the frames alone are five times that
    assert len(frames_in(html)) == 21
    # No room for a filmstrip here: the static part lists every frame's explanation instead.
    static = html[: html.index("<script>")]
    assert "All 21 frames:" in static
    assert all(stepper.explain(k).split(":")[0] in static for k in range(21))


def test_course_stays_small():
    notebooks = sorted(COURSE.rglob("*.ipynb"))
    total = sum(p.stat().st_size for p in notebooks)
    assert total < 10_000_000, f"course/ notebooks: {total} bytes"
    for path in notebooks:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for out in cell.get("outputs", []):
                html = "".join(out.get("data", {}).get("text/html", ""))
                if 'class="mg-flipbook"' in html:
                    assert len(html.encode()) <= BUDGET, path.name


def test_flipbook_rejects_bad_arguments():
    with pytest.raises(ValueError, match="at least one frame"):
        flipbook([])
    with pytest.raises(ValueError, match="start must be"):
        flipbook(["a"], start=1)
    with pytest.raises(ValueError, match="2 captions for 1 frames"):
        flipbook(["a"], captions=["x", "y"])
    with pytest.raises(ValueError, match="NUL"):
        flipbook(["a\x00b"])


def test_stepper_from_frames_keeps_its_flipbook():
    output, params = _chain(1)
    stepper = step_backward(output, params=params)
    again = BackwardStepper(stepper.frames)
    assert again.flipbook() == stepper.flipbook()
