"""The course's conventions, on every lesson, and the tools that keep them.

Each rule of :mod:`tools.conventions` runs on every lesson in ``course/``; each rule is
also shown to reject a notebook that breaks it. Rules a phase-2 lesson does not meet yet are
listed in course/known_gaps.json ("conventions") and reported as expected failures; a listed
rule the lesson now meets must leave the list. The learner copies must be current, and
re-executing a notebook must give a byte-identical file.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import nbformat
import pytest

from tools import conventions
from tools.lesson_meta import known_gaps
from tools.notebooks import (
    BEGIN,
    COURSE_DIR,
    END,
    PLACEHOLDER,
    dumps,
    execute,
    learner_copies_current,
    learner_copy,
    lessons,
    read,
    write,
    write_learner_copies,
)

LESSONS = lessons()
ROOT = COURSE_DIR.parent  # `python -m tools` runs from the repository root
PART_1 = [
    "00_start_here.ipynb",
    "01_forward_and_backward.ipynb",
    "02_the_graph.ipynb",
    "03_requires_grad.ipynb",
    "04_backward_and_vjp.ipynb",
    "05_accumulation_and_retain_graph.ipynb",
]


def test_part_1_lessons_exist():
    assert [p.name for p in LESSONS][:6] == PART_1


def test_file_names_two_digits_no_gaps():
    assert conventions.file_name_problems(LESSONS, sorted(COURSE_DIR.glob("*.ipynb"))) == []


@pytest.mark.parametrize("rule", sorted(conventions.RULES))
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name[:2])
def test_lesson_follows_rule(lesson, rule):
    found = conventions.RULES[rule](lesson, read(lesson), LESSONS)
    if rule in known_gaps("conventions").get(lesson.name[:2], []):
        assert found, f"{lesson.name} now follows {rule!r}: remove it from known_gaps.json"
        pytest.xfail(f"known gap (phase 2): {found[0]}")
    assert found == []


def test_learner_copies_are_current():
    assert learner_copies_current() == []


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name[:2])
def test_learner_copy_has_no_solution(lesson):
    nb = read(lesson)
    copy_ = learner_copy(nb)
    assert len(copy_.cells) == len(nb.cells)
    n_blocks = 0
    for cell, learner in zip(nb.cells, copy_.cells):
        if cell.cell_type != "code":
            assert learner == cell
            continue
        assert learner.outputs == [] and learner.execution_count is None
        assert BEGIN not in learner.source and END not in learner.source
        blocks = [part.split(END, 1)[0] for part in cell.source.split(BEGIN)[1:]]
        n_blocks += len(blocks)
        assert learner.source.count(PLACEHOLDER[0]) == len(blocks) + cell.source.count(
            PLACEHOLDER[0]
        )
        for block in blocks:
            body = block.strip("\n")
            assert body.strip() and body not in learner.source, f"solution still visible: {body}"
    assert n_blocks >= 1, "every lesson has at least one solution block"


# --------------------------------------------------------------------------- tools


def _nb(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def test_learner_copy_keeps_indentation_and_text_outside_markers():
    cell = nbformat.v4.new_code_cell(
        f"def f(x):\n    {BEGIN}\n    return x + 1\n    {END}\n\nprint(f)"
    )
    cell.outputs = [nbformat.v4.new_output("stream", text="x\n")]
    out = learner_copy(_nb(cell))
    assert out.cells[0].source == ("def f(x):\n    # YOUR CODE HERE\n    pass\n\nprint(f)")
    assert out.cells[0].outputs == []
    assert "return x + 1" in cell.source  # the original is untouched


@pytest.mark.parametrize(
    "source", [f"{BEGIN}\nx = 1", f"x = 1\n{END}", f"{BEGIN}\n{BEGIN}\n{END}\n{END}"]
)
def test_learner_copy_rejects_unbalanced_markers(source):
    with pytest.raises(ValueError):
        learner_copy(_nb(nbformat.v4.new_code_cell(source)))


def test_learner_copies_detect_stale_missing_and_extra(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    for name in ("00_a.ipynb", "01_b.ipynb"):
        write(_nb(nbformat.v4.new_code_cell(f"{BEGIN}\nx = 1\n{END}")), course / name)
    assert len(learner_copies_current(course)) == 2  # both missing
    write_learner_copies(course)
    assert learner_copies_current(course) == []
    write(_nb(nbformat.v4.new_code_cell(f"{BEGIN}\nx = 2\n{END}\ny = 3")), course / "01_b.ipynb")
    (course / "learner" / "07_old.ipynb").write_text("{}")
    problems = learner_copies_current(course)
    assert problems == [
        "learner/01_b.ipynb is stale: run `make learner`",
        "learner/07_old.ipynb has no lesson: delete it",
    ]


def test_execute_is_byte_identical_and_normalised(tmp_path):
    nb = _nb(
        nbformat.v4.new_code_cell(
            "import minigrad as mg\nimport minigrad.viz\nx = mg.tensor(2.0, requires_grad=True)\n"
            "mg.viz.backward_graph(x * x)"
        ),
        nbformat.v4.new_code_cell("import ipywidgets\nipywidgets.IntSlider(3)"),
        nbformat.v4.new_code_cell(
            "import sys\nprint(object(), end='')\nsys.stdout.flush()\nprint()"
        ),
    )
    path = tmp_path / "00_t.ipynb"
    write(nb, path)
    execute(path)
    first = path.read_text()
    execute(path)
    assert path.read_text() == first
    data = json.loads(first)
    assert "widgets" not in data["metadata"]
    assert "version" not in data["metadata"]["language_info"]
    outs = data["cells"][0]["outputs"]
    assert "image/svg+xml" in outs[0]["data"]
    widget = data["cells"][1]["outputs"][0]["data"]
    assert "application/vnd.jupyter.widget-view+json" not in widget and "text/plain" in widget
    assert all("execution" not in c["metadata"] for c in data["cells"])
    # addresses are stored as 0x..., and a print split by a flush is one stream output
    assert data["cells"][2]["outputs"] == [
        {"name": "stdout", "output_type": "stream", "text": ["<object object at 0x...>\n"]}
    ]


def test_stored_text_is_what_write_produces():
    for lesson in LESSONS:
        assert lesson.read_text(encoding="utf-8") == dumps(read(lesson)), lesson.name


def test_cli_check_passes_and_lists_problems(tmp_path):
    ok = subprocess.run(
        [sys.executable, "-m", "tools", "check"], capture_output=True, text=True, cwd=ROOT
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = tmp_path / "course"
    bad.mkdir()
    write(_nb(nbformat.v4.new_markdown_cell("# 00 · T")), bad / "00_t.ipynb")
    write(_nb(), bad / "2_bad.ipynb")
    out = subprocess.run(
        [sys.executable, "-m", "tools", "--course", str(bad), "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert "2_bad.ipynb: not a lesson name" in out.stdout
    assert "00_t.ipynb: no code cell" in out.stdout


# --------------------------------------------------------------------------- each rule can fail


def _lesson():
    """A copy of a real lesson (so only the broken part differs) and its path."""
    path = COURSE_DIR / "01_forward_and_backward.ipynb"
    return path, copy.deepcopy(read(path))


def _problems(rule, nb, path=None):
    path = path or (COURSE_DIR / "01_forward_and_backward.ipynb")
    return conventions.RULES[rule](path, nb, LESSONS)


def test_title_rule_rejects_bad_heading_and_missing_links():
    _, nb = _lesson()
    nb.cells[0].source = "# 1 - Forward\n\nno list, no links"
    found = _problems("title", nb)
    assert any("first line must be '# 01 · Title'" in p for p in found)
    assert any("what the learner will be able to do" in p for p in found)
    assert any("previous lesson 00_start_here.ipynb" in p for p in found)
    assert any("next lesson 02_the_graph.ipynb" in p for p in found)
    nb.cells[0].source += "\n- x\n[99](99_nowhere.ipynb)"
    assert any("99_nowhere.ipynb, which does not exist" in p for p in _problems("title", nb))


def test_first_code_cell_rule():
    _, nb = _lesson()
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = "import torch\nimport numpy as np"
    found = _problems("first_code_cell", nb)
    assert "first code cell imports 'torch': only minigrad" in found
    assert "first code cell imports 'numpy': only minigrad" in found
    assert any("manual_seed" in p for p in found) and any("set_printoptions" in p for p in found)


@pytest.mark.parametrize(
    "source", ["import sys\nsys.path.insert(0, '..')", "%run 00_start_here.ipynb", "import torch"]
)
def test_no_path_hacks_rule(source):
    _, nb = _lesson()
    nb.cells.append(nbformat.v4.new_code_cell(source))
    assert _problems("no_path_hacks", nb)


def test_last_sections_rule():
    _, nb = _lesson()
    nb.cells.append(nbformat.v4.new_markdown_cell("## Appendix"))
    assert _problems("last_sections", nb)


def test_errors_marked_rule():
    _, nb = _lesson()
    cell = nbformat.v4.new_code_cell("1/0", execution_count=99)
    cell.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="x")]
    nb.cells.append(cell)
    assert any("error output without" in p for p in _problems("errors_marked", nb))
    cell.metadata["tags"] = ["raises-exception"]
    assert any("use both" in p for p in _problems("errors_marked", nb))
    cell.source = "# NBVAL_RAISES_EXCEPTION\n1/0"
    assert _problems("errors_marked", nb) == []
    cell.outputs = []
    assert any("has no error" in p for p in _problems("errors_marked", nb))


def test_ignore_output_needs_reason():
    _, nb = _lesson()
    nb.cells.append(nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nprint(1)"))
    assert _problems("ignore_output_reasons", nb)
    nb.cells[-1].source = "# NBVAL_IGNORE_OUTPUT\n# reason: timings differ on every run\nprint(1)"
    assert _problems("ignore_output_reasons", nb) == []


def test_executed_rule():
    _, nb = _lesson()
    next(c for c in nb.cells if c.cell_type == "code").execution_count = None
    assert _problems("executed", nb)


def test_diagram_stepper_exercise_crosscheck_rules():
    _, nb = _lesson()
    for cell in nb.cells:
        if cell.cell_type == "code":
            for out in cell.outputs:
                out.get("data", {}).pop("image/svg+xml", None)
            cell.source = cell.source.replace("step_backward(", "stepper_gone(")
            cell.source = cell.source.replace("check_", "verify_").replace(BEGIN, "# begin")
            cell.source = cell.source.replace("crosscheck(", "cross_check(")
    assert _problems("diagram", nb)
    assert _problems("stepper", nb) == [
        "backward runs but no stepper: add mg.viz.step_backward(...)"
    ]
    assert _problems("checked_exercise", nb)
    assert _problems("crosscheck_last", nb)


def test_cli_learner_writes_copies_to_out(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "tools", "learner", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in tmp_path.glob("*.ipynb")) == [p.name for p in LESSONS]
    for lesson in LESSONS:
        assert (tmp_path / lesson.name).read_text() == dumps(learner_copy(read(lesson)))


def test_first_code_cell_asks_for_minimal_tracebacks():
    """Every lesson asks for short errors itself (no import side effect does it)."""
    _, nb = _lesson()
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = first.source.replace("%xmode Minimal", "")
    assert any("%xmode Minimal" in p for p in _problems("first_code_cell", nb))


def test_opening_rule():
    path, nb = _lesson()
    nb.cells[0].source = nb.cells[0].source.replace("**Time:** about 45", "**Time:** about 5")
    assert any("says 5 minutes" in p for p in _problems("opening", nb))
    nb.cells[0].source = nb.cells[0].source.replace("**Assumes:**", "Needs:")
    assert any("**Assumes:**" in p for p in _problems("opening", nb))
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = cell.source.replace('recap("01")', 'recap("02")')
    assert any('recap("01")' in p for p in _problems("opening", nb))


def test_metadata_rule():
    _, nb = _lesson()
    del nb.metadata["minigrad"]["introduces"]
    nb.metadata["minigrad"]["minutes"] = 0
    found = _problems("metadata", nb)
    assert any("'introduces'" in p for p in found) and any("positive" in p for p in found)


def test_exercise_cells_rule():
    _, nb = _lesson()
    sol = next(c for c in nb.cells if BEGIN in c.source and "def slope" in c.source)
    del sol.metadata["nbgrader"]
    sol.source += "\ncheck_slope(slope)"
    check = nb.cells[nb.cells.index(sol) + 1]
    check.source = "raise NotImplementedError\n" + check.source
    found = _problems("exercise_cells", nb)
    assert any("nbgrader solution metadata" in p for p in found)
    assert any("its own cell" in p for p in found)
    assert any("placeholder raise" in p for p in found)


def test_learner_instructions_rule():
    _, nb = _lesson()
    nb.cells.append(nbformat.v4.new_markdown_cell("Write between the BEGIN SOLUTION lines."))
    assert _problems("learner_instructions", nb)
