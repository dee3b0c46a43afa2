"""The syllabus and its coverage: which lesson provides which teaching element of which
concept, checked against the notebooks, written as a matrix into ``course/COVERAGE.md``.

``course/SYLLABUS.md`` lists every concept in tables whose rows read
``| 2.3 | text | 02 | E D S X T | why the others do not apply |``. A lesson declares
``metadata.minigrad.concepts = {"2.3": "EDSXT"}`` (lower case: present but not yet to the
standard) and backs every letter with a cell whose ``metadata.minigrad.teaches`` names the
concept:

- E: a markdown cell;
- D: a code cell with a diagram output (``image/svg+xml``);
- S: a code cell whose output is a stepper (``BackwardStepper(...)``, ...);
- X: a check cell (a ``check_*(...)`` call whose output starts with ✓), after a solution cell;
- T: the cross-check cell, whose ``metadata.minigrad.crosscheck`` maps the concept to fact
  keys; each key must be printed, and the last line must say torch ran and agreed.

``python -m tools.coverage`` rewrites ``course/COVERAGE.md``; ``--check`` only reports.

Example:
    >>> from tools.coverage import syllabus
    >>> syllabus()["2.3"].lesson
    '02'
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.diagram_facts import svg_outputs
from tools.lesson_meta import COURSE_DIR, LETTERS, cell_meta, lesson_meta, lessons, number, read

__all__ = [
    "Concept",
    "syllabus",
    "declaration_problems",
    "matrix",
    "coverage_markdown",
    "gaps",
    "SYLLABUS",
    "COVERAGE",
]

SYLLABUS = COURSE_DIR / "SYLLABUS.md"
COVERAGE = COURSE_DIR / "COVERAGE.md"
_ID = re.compile(r"^\d+\.\d+$")
_STEPPERS = ("BackwardStepper(", "ForwardStepper(", "SecondOrderStepper(")
_CHECK_CALL = re.compile(r"\bcheck_\w+\(")


@dataclass(frozen=True)
class Concept:
    id: str
    text: str
    lesson: str
    applies: str  # e.g. "EDSXT"
    not_applicable: str


def syllabus(path: Path | str = SYLLABUS) -> dict[str, Concept]:
    """Every concept of the syllabus, by id, in the file's order."""
    out: dict[str, Concept] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        cols = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cols) != 5 or not _ID.match(cols[0]):
            continue
        cid, text, lesson, applies, not_applicable = cols
        if cid in out:
            raise ValueError(f"{Path(path).name}: concept {cid} is listed twice")
        if not re.fullmatch(r"\d\d", lesson) or set(applies) - set(LETTERS + " "):
            raise ValueError(f"{Path(path).name}: cannot read the row of concept {cid}")
        out[cid] = Concept(cid, text, lesson, "".join(applies.split()), not_applicable)
    return out


def _text(output: Any, key: str = "text/plain") -> str:
    if output.output_type == "stream":
        value = output.text
    else:
        value = output.get("data", {}).get(key, "")
    return "".join(value) if isinstance(value, list) else str(value)


def _evidence(nb: Any, cid: str, letter: str) -> str | None:
    """None when a cell backs ``letter`` for concept ``cid``; otherwise what is missing."""
    cells = [(i, c) for i, c in enumerate(nb.cells) if cid in cell_meta(c).get("teaches", [])]
    if letter == "E":
        if any(c.cell_type == "markdown" and c.source.strip() for _, c in cells):
            return None
        return "no markdown cell with teaches containing it"
    if letter == "D":
        if any(c.cell_type == "code" and svg_outputs(c) for _, c in cells):
            return None
        return "no code cell with a diagram output and teaches containing it"
    if letter == "S":
        for _, c in cells:
            if c.cell_type == "code" and any(
                _text(o).startswith(_STEPPERS) for o in c.get("outputs", [])
            ):
                return None
        return "no code cell showing a stepper with teaches containing it"
    if letter == "X":
        for i, c in cells:
            if c.cell_type != "code" or not _CHECK_CALL.search(c.source):
                continue
            printed = "".join(_text(o) for o in c.get("outputs", []))
            solved = any("### BEGIN SOLUTION" in p.source for p in nb.cells[: i + 1])
            if printed.startswith("✓") and solved:
                return None
        return "no passing check_*(...) cell (after a solution cell) with teaches containing it"
    if letter == "T":
        for c in nb.cells:
            facts = cell_meta(c).get("crosscheck", {}).get(cid)
            if c.cell_type != "code" or not facts:
                continue
            printed = "".join(_text(o) for o in c.get("outputs", []))
            lines = printed.splitlines()
            missing = [k for k in facts if not any(line.startswith(f"{k} = ") for line in lines)]
            if missing:
                return f"the cross-check prints no fact {missing[0]!r}"
            if not (lines and lines[-1].startswith("✓ torch")):
                return "the cross-check's output does not end with torch agreeing"
            return None
        return "the cross-check cell maps no fact keys to it (metadata crosscheck)"
    raise ValueError(f"unknown element {letter!r}")


def declaration_problems(path: Path, concepts: dict[str, Concept] | None = None) -> list[str]:
    """What a lesson declares that its notebook does not back (empty when all is backed)."""
    concepts = concepts or syllabus()
    nb = read(path)
    declared = lesson_meta(nb).get("concepts", {})
    out = []
    for cid, letters in declared.items():
        if cid not in concepts:
            out.append(f"declares concept {cid}, which the syllabus does not list")
            continue
        for letter in letters:
            if letter.upper() not in LETTERS:
                out.append(f"{cid}: {letter!r} is not one of {LETTERS}")
            elif letter.upper() not in concepts[cid].applies:
                out.append(
                    f"{cid}: declares {letter.upper()}, which does not apply "
                    f"({concepts[cid].not_applicable})"
                )
            else:
                missing = _evidence(nb, cid, letter.upper())
                if missing:
                    out.append(f"{cid} {letter.upper()}: {missing}")
    for i, cell in enumerate(nb.cells):
        for cid in cell_meta(cell).get("teaches", []):
            if cid not in declared:
                out.append(f"cell {i} teaches {cid}, which the lesson does not declare")
    return out


def matrix(paths: list[Path] | None = None, concepts: dict[str, Concept] | None = None) -> dict:
    """``{concept id: {letter: state}}`` with state ``"filled"``, ``"partial"``,
    ``"missing"`` or ``"n/a"``, and ``"lessons"``: the lessons that declare it."""
    concepts = concepts or syllabus()
    paths = paths if paths is not None else lessons()
    declared: dict[str, dict[str, str]] = {cid: {} for cid in concepts}
    where: dict[str, list[str]] = {cid: [] for cid in concepts}
    for path in paths:
        for cid, letters in lesson_meta(read(path)).get("concepts", {}).items():
            if cid not in concepts:
                continue
            where[cid].append(number(path))
            for letter in letters:
                state = "filled" if letter.isupper() else "partial"
                if declared[cid].get(letter.upper()) != "filled":
                    declared[cid][letter.upper()] = state
    out = {}
    for cid, c in concepts.items():
        row = {}
        for letter in LETTERS:
            row[letter] = declared[cid].get(letter, "missing") if letter in c.applies else "n/a"
        out[cid] = {"states": row, "lessons": where[cid]}
    return out


def gaps(m: dict) -> list[str]:
    """Every applicable element not yet filled, as ``"3.1 D"`` (partial ones included)."""
    return [
        f"{cid} {letter}"
        for cid, row in m.items()
        for letter, state in row["states"].items()
        if state in ("missing", "partial")
    ]


_MARK = {"filled": "✓", "partial": "~", "missing": "·", "n/a": " "}


def coverage_markdown(m: dict, concepts: dict[str, Concept]) -> str:
    """The coverage matrix as Markdown (deterministic: syllabus order, no dates)."""
    counts = {"filled": 0, "partial": 0, "missing": 0}
    per_lesson: dict[str, dict[str, int]] = {}
    for cid, row in m.items():
        lesson = per_lesson.setdefault(concepts[cid].lesson, dict.fromkeys(counts, 0))
        for state in row["states"].values():
            if state in counts:
                counts[state] += 1
                lesson[state] += 1
    total = sum(counts.values())
    lines = [
        "# Coverage",
        "",
        "Generated from the lessons' declarations by `python -m tools.coverage`; "
        "`tests/course/test_coverage.py` fails when this file is stale. "
        "Concepts and their ids: [SYLLABUS.md](SYLLABUS.md).",
        "",
        "✓ filled · ~ present but not yet to the standard · `·` missing · blank: does not apply.",
        "",
        f"**{total} applicable cells: {counts['filled']} filled, {counts['partial']} partial, "
        f"{counts['missing']} missing.**",
        "",
        "| lesson | filled | partial | missing |",
        "|---|---|---|---|",
    ]
    for lesson in sorted(per_lesson):
        c = per_lesson[lesson]
        lines.append(f"| {lesson} | {c['filled']} | {c['partial']} | {c['missing']} |")
    lines += [
        "",
        "| id | concept | lesson | taught in | E | D | S | X | T |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for cid, row in m.items():
        c = concepts[cid]
        short = c.text if len(c.text) <= 70 else c.text[:67].rstrip() + "…"
        taught = ", ".join(row["lessons"]) or "—"
        marks = " | ".join(_MARK[row["states"][letter]] for letter in LETTERS)
        lines.append(f"| {cid} | {short} | {c.lesson} | {taught} | {marks} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    concepts = syllabus()
    problems = []
    for path in lessons():
        problems += [f"{path.name}: {p}" for p in declaration_problems(path, concepts)]
    m = matrix(concepts=concepts)
    text = coverage_markdown(m, concepts)
    if "--check" not in args:
        COVERAGE.write_text(text, encoding="utf-8")
        print(f"wrote {COVERAGE}")
    for p in problems:
        print(p)
    for g in gaps(m):
        print("gap:", g)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
