"""The rules every lesson follows, each a function returning a list of problems.

A rule takes ``(path, nb, paths)`` — the lesson's file, its notebook, and all lesson files —
and returns human-readable problems (empty when the lesson complies). ``tests/course/test_conventions.py``
runs every rule on every lesson; ``python -m tools check`` prints the problems.

Example:
    >>> from tools.conventions import RULES
    >>> sorted(RULES)[:2]
    ['crosscheck_last', 'diagram']
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from pathlib import Path

from classroom.grading import GradingError, learner_copies_current, learner_copy

from .notebooks import BEGIN, END, LESSON_RE, lessons, read

__all__ = ["RULES", "file_name_problems", "problems", "known_gaps"]

STEPPER_CALLS = ("step_backward(", "BackwardStepper(")
BACKWARD_CALLS = (".backward(", "autograd.grad(", "autograd.backward(")
# inspect: lesson 11 prints the real engine's source (inspect.getsource) for learners to read
ALLOWED_IMPORTS = ("minigrad", "numpy", "math", "warnings", "matplotlib", "inspect")
LINK_RE = re.compile(r"\]\((\d\d_[a-z0-9_]+\.ipynb)\)")


def _code(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def _tags(cell) -> list:
    return list(cell.metadata.get("tags", []))


def _has_line(source: str, marker: str) -> bool:
    return any(line.strip().lstrip("#").strip() == marker for line in source.splitlines())


def _python(source: str) -> str:
    """Cell source without IPython lines (magics, shell escapes) so ``ast`` can parse it."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def _imports(source: str) -> list[str]:
    try:
        tree = ast.parse(_python(source))
    except SyntaxError:
        return []
    mods = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            mods.append(node.module or "")
    return mods


def file_name_problems(paths: list[Path], all_ipynb: list[Path]) -> list[str]:
    """Lesson files are ``NN_snake_title.ipynb``, numbered 00, 01, ... with no gaps."""
    out = [
        f"{p.name}: not a lesson name (NN_snake_title.ipynb)"
        for p in all_ipynb
        if not LESSON_RE.match(p.name)
    ]
    numbers = [int(LESSON_RE.match(p.name).group(1)) for p in paths]
    if numbers != list(range(len(numbers))):
        out.append(f"lesson numbers must be 00, 01, ... without gaps or repeats, got {numbers}")
    return out


def title(path: Path, nb, paths: list[Path]) -> list[str]:
    """First cell: ``# NN · Title``, outcomes as a list, links to the previous/next lesson."""
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return ["the first cell must be markdown"]
    text = nb.cells[0].source
    number = path.name[:2]
    out = []
    first = text.splitlines()[0] if text else ""
    if not re.fullmatch(rf"# {number} · \S.*", first):
        out.append(f"first line must be '# {number} · Title', got {first!r}")
    if not re.search(r"^\s*[-*] ", text, re.MULTILINE):
        out.append("the first cell must list what the learner will be able to do (a - list)")
    names = [p.name for p in paths]
    i = names.index(path.name)
    links = LINK_RE.findall(text)
    if i > 0 and names[i - 1] not in links:
        out.append(f"the first cell must link to the previous lesson {names[i - 1]}")
    if i + 1 < len(names) and names[i + 1] not in links:
        out.append(f"the first cell must link to the next lesson {names[i + 1]}")
    for link in links:
        if link not in names:
            out.append(f"the first cell links to {link}, which does not exist")
    return out


def first_code_cell(path: Path, nb, paths: list[Path]) -> list[str]:
    """First code cell: imports from minigrad only, ``%xmode Minimal`` (errors as torch users
    see them), ``mg.manual_seed``, print options."""
    code = _code(nb)
    if not code:
        return ["no code cell"]
    src = code[0].source
    mods = _imports(src)
    out = [
        f"first code cell imports {m!r}: only minigrad"
        for m in mods
        if m.split(".")[0] != "minigrad"
    ]
    if not mods:
        out.append("first code cell must import minigrad")
    if "manual_seed(" not in src:
        out.append("first code cell must seed: mg.manual_seed(0)")
    if "set_printoptions(" not in src:
        out.append("first code cell must set print options: mg.set_printoptions(...)")
    if not any(line.strip() == "%xmode Minimal" for line in src.splitlines()):
        out.append("first code cell must ask for short tracebacks: a line '%xmode Minimal'")
    return out


def metadata(path: Path, nb, paths: list[Path]) -> list[str]:
    """``metadata.minigrad`` declares ``minutes``, ``concepts`` and ``introduces``."""
    meta = nb.metadata.get("minigrad", {})
    out = [
        f"metadata.minigrad has no {key!r} (see course/README.md)"
        for key in ("minutes", "concepts", "introduces")
        if key not in meta
    ]
    if "minutes" in meta and not (isinstance(meta["minutes"], int) and meta["minutes"] > 0):
        out.append("metadata.minigrad.minutes must be a positive whole number")
    return out


def opening(path: Path, nb, paths: list[Path]) -> list[str]:
    """The first cell states the time (``**Time:** about N minutes``, N as in the metadata)
    and what the lesson assumes (``**Assumes:**`` with links to earlier lessons; lesson 00:
    ``**Before you start:**``); from lesson 01 on, a recap quiz follows the first code cell:
    ``recap("NN")`` displayed, then ``quiz.check(answers)``."""
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return ["the first cell must be markdown"]
    text = nb.cells[0].source
    number = path.name[:2]
    out = []
    minutes = nb.metadata.get("minigrad", {}).get("minutes")
    m = re.search(r"\*\*Time:\*\* about (\d+) minutes", text)
    if not m:
        out.append("the first cell must say '**Time:** about N minutes.'")
    elif minutes is not None and int(m.group(1)) != minutes:
        out.append(f"the first cell says {m.group(1)} minutes, metadata.minigrad.minutes {minutes}")
    names = [p.name for p in paths]
    earlier = names[: names.index(path.name)]
    if not earlier:
        if "**Before you start:**" not in text:
            out.append("lesson 00's first cell must say '**Before you start:**' what it needs")
        return out
    assumes = text.split("**Assumes:**", 1)
    if len(assumes) != 2 or not any(n in assumes[1].split("\n\n")[0] for n in earlier):
        out.append(
            "the first cell must say '**Assumes:**' with links to the earlier lessons it needs"
        )
    code = [c.source for c in _code(nb)][:4]
    if not any(f'recap("{number}")' in src for src in code):
        out.append(f'a recap quiz must follow the first code cell: quiz = recap("{number}")')
    if not any("quiz.check(" in src for src in code):
        out.append("the recap quiz's answers must be checked: quiz.check(answers)")
    return out


def exercise_cells(path: Path, nb, paths: list[Path]) -> list[str]:
    """Exercises in nbgrader's shape: a solution cell (``### BEGIN SOLUTION`` region and
    nbgrader ``solution`` metadata), then a cell that only calls ``check_*(...)`` (nbgrader
    ``grade`` metadata with points). No placeholder ``raise`` anywhere: the learner copy's
    stub is ``# YOUR CODE HERE`` + ``pass`` and the check says what is missing."""
    out = []
    code = _code(nb)
    for i, cell in enumerate(code):
        src = cell.source
        grader = cell.metadata.get("nbgrader", {})
        if "raise NotImplementedError" in src:
            out.append(f"code cell {i}: a placeholder raise; let the check say what is missing")
        if BEGIN in src:
            if not grader.get("solution"):
                out.append(f"code cell {i}: a solution region needs nbgrader solution metadata")
            if re.search(r"\bcheck_\w+\(", src):
                out.append(f"code cell {i}: put the check in its own cell after the solution")
        calls = [line for line in src.splitlines() if re.match(r"check_\w+\(", line)]
        if calls:
            rest = [
                line
                for line in src.splitlines()
                if line.strip()
                and not re.match(r"check_\w+\(", line)
                and not line.startswith(" ")
                and line.strip() != ")"
            ]
            if rest:
                out.append(f"code cell {i}: a check cell should hold only check_*(...) calls")
            if not (grader.get("grade") and grader.get("points")):
                out.append(f"code cell {i}: a check cell needs nbgrader grade metadata with points")
            if i == 0 or BEGIN not in code[i - 1].source:
                out.append(f"code cell {i}: a check cell must follow its solution cell")
    return out


def learner_instructions(path: Path, nb, paths: list[Path]) -> list[str]:
    """Text names what learners see in their copy (``# YOUR CODE HERE``), never the solution
    markers: nbgrader takes any line holding ``BEGIN SOLUTION`` or ``END SOLUTION`` for a
    marker, in markdown too, and would cut the text there."""
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and (
            "BEGIN SOLUTION" in cell.source or "END SOLUTION" in cell.source
        ):
            out.append(
                f"cell {i}: mentions a solution marker, which nbgrader would treat as one; "
                "say what the learner sees (# YOUR CODE HERE followed by pass)"
            )
    return out


def graded_checks(path: Path, nb, paths: list[Path]) -> list[str]:
    """Every check cell is an nbgrader autograder test cell: ``grade: true``, ``locked:
    true``, ``solution: false``, worth one point per ``check_*`` call (nbgrader grades a cell
    as a whole), with the grade id of the solution cell before it plus ``-check``."""
    out = []
    code = _code(nb)
    for i, cell in enumerate(code):
        calls = len(re.findall(r"^check_\w+\(", cell.source, re.MULTILINE))
        if not calls:
            continue
        meta = cell.metadata.get("nbgrader", {})
        shape = {k: meta.get(k) for k in ("grade", "locked", "solution")}
        if shape != {"grade": True, "locked": True, "solution": False}:
            out.append(f"code cell {i}: a check cell must be grade/locked, not solution: {shape}")
        if meta.get("points") != calls:
            out.append(
                f"code cell {i}: {calls} check call(s) must be worth {calls} point(s), "
                f"got points={meta.get('points')!r}"
            )
        before = code[i - 1].metadata.get("nbgrader", {}) if i else {}
        if before.get("grade_id") and meta.get("grade_id") != before["grade_id"] + "-check":
            out.append(
                f"code cell {i}: grade id {meta.get('grade_id')!r} must be "
                f"{before['grade_id'] + '-check'!r} (its solution cell's id + '-check')"
            )
    return out


def nbgrader_accepts(path: Path, nb, paths: list[Path]) -> list[str]:
    """nbgrader's ``generate_assignment`` accepts the lesson: balanced solution markers, only
    in solution cells, unique grade ids, valid nbgrader metadata (its own validators)."""
    try:
        learner_copy(nb)
    except GradingError as exc:
        return [f"nbgrader rejects the lesson: {str(exc).splitlines()[0]}"]
    return []


def no_path_hacks(path: Path, nb, paths: list[Path]) -> list[str]:
    """No ``sys.path`` edits, ``%run``, shell escapes or imports beyond minigrad/numpy/math."""
    out = []
    for i, cell in enumerate(_code(nb)):
        src = cell.source
        if "sys.path" in src:
            out.append(f"code cell {i}: edits sys.path; import minigrad instead")
        for line in src.splitlines():
            if line.lstrip().startswith(("%run", "!", "%pip", "%load")):
                out.append(f"code cell {i}: {line.strip()!r}; import from minigrad instead")
        for mod in _imports(src):
            if mod.split(".")[0] not in ALLOWED_IMPORTS:
                out.append(
                    f"code cell {i}: imports {mod!r}; torch appears only through "
                    "minigrad.course.crosscheck"
                )
    return out


def last_sections(path: Path, nb, paths: list[Path]) -> list[str]:
    """The last two ``##`` sections are ``## Summary`` and ``## Exercises``."""
    heads = [
        line.strip()
        for c in nb.cells
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("## ")
    ]
    if heads[-2:] != ["## Summary", "## Exercises"]:
        return [f"the last sections must be '## Summary', '## Exercises'; got {heads[-2:]}"]
    return []


def errors_marked(path: Path, nb, paths: list[Path]) -> list[str]:
    """Error outputs only in cells tagged ``raises-exception`` with ``# NBVAL_RAISES_EXCEPTION``."""
    out = []
    for i, cell in enumerate(_code(nb)):
        has_error = any(o.output_type == "error" for o in cell.outputs)
        tagged = "raises-exception" in _tags(cell)
        commented = _has_line(cell.source, "NBVAL_RAISES_EXCEPTION")
        if has_error and not (tagged and commented):
            out.append(
                f"code cell {i}: error output without the raises-exception tag and "
                "# NBVAL_RAISES_EXCEPTION"
            )
        if (tagged or commented) and not has_error:
            out.append(f"code cell {i}: marked as raising but its output has no error")
        if tagged != commented:
            out.append(f"code cell {i}: use both the raises-exception tag and the comment")
    return out


def ignore_output_reasons(path: Path, nb, paths: list[Path]) -> list[str]:
    """``# NBVAL_IGNORE_OUTPUT`` is followed by a comment line giving the reason."""
    out = []
    for i, cell in enumerate(_code(nb)):
        lines = cell.source.splitlines()
        for j, line in enumerate(lines):
            if line.strip() == "# NBVAL_IGNORE_OUTPUT":
                nxt = lines[j + 1].strip() if j + 1 < len(lines) else ""
                if not (nxt.startswith("#") and len(nxt) > 10):
                    out.append(f"code cell {i}: NBVAL_IGNORE_OUTPUT needs a '# reason' line")
    return out


def executed(path: Path, nb, paths: list[Path]) -> list[str]:
    """Committed executed: execution counts 1, 2, 3, ... in order."""
    counts = [c.execution_count for c in _code(nb)]
    if counts != list(range(1, len(counts) + 1)):
        return [f"not executed in order (run `make execute`): execution counts {counts}"]
    return []


def diagram(path: Path, nb, paths: list[Path]) -> list[str]:
    """At least one output is a diagram (``image/svg+xml``)."""
    for cell in _code(nb):
        for o in cell.outputs:
            if "image/svg+xml" in o.get("data", {}):
                return []
    return ["no diagram: display an mg.viz diagram (image/svg+xml output)"]


def stepper(path: Path, nb, paths: list[Path]) -> list[str]:
    """Where backward runs, a stepper steps through it."""
    sources = [c.source for c in _code(nb)]
    runs_backward = any(call in s for s in sources for call in BACKWARD_CALLS)
    has_stepper = any(call in s for s in sources for call in STEPPER_CALLS)
    if runs_backward and not has_stepper:
        return ["backward runs but no stepper: add mg.viz.step_backward(...)"]
    return []


def checked_exercise(path: Path, nb, paths: list[Path]) -> list[str]:
    """A solution block, then a call of a ``check_*`` function whose output has no error."""
    code = _code(nb)
    out = []
    first_solution = None
    for i, cell in enumerate(code):
        if BEGIN in cell.source or END in cell.source:
            # nbgrader rejects a BEGIN without END (rule nbgrader_accepts) but silently drops
            # an END without BEGIN
            if cell.source.count(BEGIN) != cell.source.count(END):
                out.append(f"code cell {i}: {BEGIN!r} and {END!r} do not pair up")
            if first_solution is None:
                first_solution = i
    if first_solution is None:
        return out + [f"no exercise: mark a solution with {BEGIN} / {END}"]
    checked = [
        c
        for c in code[first_solution:]
        if re.search(r"\bcheck_\w+\(", c.source)
        and c.outputs
        and not any(o.output_type == "error" for o in c.outputs)
    ]
    if not checked:
        out.append("no check_*(...) call after the solution ran successfully")
    return out


def crosscheck_last(path: Path, nb, paths: list[Path]) -> list[str]:
    """The last code cell runs the key example through ``crosscheck``."""
    code = _code(nb)
    if not code or "crosscheck(" not in code[-1].source:
        return ["the last code cell must call crosscheck(...) (minigrad.course.crosscheck)"]
    return []


RULES: dict[str, Callable] = {
    "title": title,
    "metadata": metadata,
    "opening": opening,
    "first_code_cell": first_code_cell,
    "no_path_hacks": no_path_hacks,
    "last_sections": last_sections,
    "errors_marked": errors_marked,
    "ignore_output_reasons": ignore_output_reasons,
    "executed": executed,
    "diagram": diagram,
    "stepper": stepper,
    "checked_exercise": checked_exercise,
    "exercise_cells": exercise_cells,
    "learner_instructions": learner_instructions,
    "graded_checks": graded_checks,
    "nbgrader_accepts": nbgrader_accepts,
    "crosscheck_last": crosscheck_last,
}


def known_gaps(course_dir: Path) -> dict[str, list[str]]:
    """``{lesson number: [rule, ...]}`` the course lists as not yet met (phase 2's to-do)."""
    path = Path(course_dir) / "known_gaps.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("conventions", {})


def problems(course_dir: Path, include_known: bool = False) -> list[str]:
    """Every problem of every lesson in ``course_dir``, prefixed by the file name; rules
    listed in ``course/known_gaps.json`` are left out unless ``include_known``."""
    paths = lessons(course_dir)
    gaps = {} if include_known else known_gaps(course_dir)
    out = file_name_problems(paths, sorted(Path(course_dir).glob("*.ipynb")))
    for path in paths:
        nb = read(path)
        for name, rule in RULES.items():
            if name in gaps.get(path.name[:2], []):
                continue
            out.extend(f"{path.name}: {p}" for p in rule(path, nb, paths))
    out.extend(learner_copies_current(course_dir))
    return out
