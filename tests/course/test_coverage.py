"""The syllabus in course/SYLLABUS.md, what each lesson declares it teaches, the coverage
matrix in course/COVERAGE.md, and the glossary.

Every declaration is checked against the notebook (a declared diagram, stepper, exercise or
cross-check must be there, in a cell tied to the concept); every concept must be declared by
its lesson; the matrix must be current; and the cells not yet filled must be exactly those
listed in course/known_gaps.json ("coverage") — a new gap fails, and so does a listed gap that
has been filled (remove it: the list only shrinks). With an empty list the test is strict.
"""

from __future__ import annotations

import re

import pytest

from tools.coverage import (
    COVERAGE,
    coverage_markdown,
    declaration_problems,
    gaps,
    matrix,
    syllabus,
)
from tools.lesson_meta import COURSE_DIR, known_gaps, lesson_meta, lessons, number, read

LESSONS = lessons()
CONCEPTS = syllabus()


def test_the_syllabus_lists_concepts_with_lessons_and_elements():
    assert len(CONCEPTS) >= 60
    numbers = {number(p) for p in LESSONS}
    for cid, c in CONCEPTS.items():
        assert c.lesson in numbers, f"{cid} belongs to lesson {c.lesson}, which does not exist"
        assert c.applies and set(c.applies) <= set("EDSXT"), cid
        if c.applies != "EDSXT":
            assert c.not_applicable, f"{cid}: say why {set('EDSXT') - set(c.applies)} do not apply"


def test_every_concept_is_declared_by_its_lesson():
    declared = {number(p): lesson_meta(read(p)).get("concepts", {}) for p in LESSONS}
    missing = [cid for cid, c in CONCEPTS.items() if cid not in declared[c.lesson]]
    assert missing == [], f"concepts no lesson declares: {missing}"


@pytest.mark.parametrize("lesson", LESSONS, ids=number)
def test_declarations_are_backed_by_the_notebook(lesson):
    assert declaration_problems(lesson, CONCEPTS) == []


def test_the_coverage_matrix_is_current():
    expected = coverage_markdown(matrix(LESSONS, CONCEPTS), CONCEPTS)
    assert COVERAGE.read_text(encoding="utf-8") == expected, (
        "course/COVERAGE.md is stale: run `python -m tools.coverage`"
    )


def test_gaps_only_shrink():
    now = set(gaps(matrix(LESSONS, CONCEPTS)))
    listed = set(known_gaps("coverage"))
    assert sorted(now - listed) == [], "new coverage gaps (fill them, do not list them)"
    assert sorted(listed - now) == [], "filled: remove these from course/known_gaps.json"


def test_lessons_00_to_02_fill_every_applicable_cell_of_their_concepts():
    m = matrix(LESSONS, CONCEPTS)
    for cid, c in CONCEPTS.items():
        if c.lesson in ("00", "01", "02"):
            assert all(s in ("filled", "n/a") for s in m[cid]["states"].values()), cid


def test_a_false_declaration_is_caught(tmp_path):
    import nbformat

    nb = read(LESSONS[2])
    nb.metadata["minigrad"]["concepts"]["2.4"] = "EDSXT"  # 2.4 has no S, X or T
    nb.metadata["minigrad"]["concepts"]["5.6"] = "EDXT"  # 5.6's exercise is in lesson 01
    path = tmp_path / LESSONS[2].name
    nbformat.write(nb, str(path))
    found = declaration_problems(path, CONCEPTS)
    assert any("2.4: declares S, which does not apply" in p for p in found)
    assert any(p.startswith("5.6 X: no passing check") for p in found)


# --------------------------------------------------------------------------- glossary

_ROW = re.compile(r"^\| (.+?) \| (.+?) \| (.+?) \| \[(\d\d)\]\((\d\d_[a-z0-9_]+\.ipynb)\) \|$")


def _glossary():
    rows = []
    for line in (COURSE_DIR / "GLOSSARY.md").read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m:
            rows.append(m.groups())
    return rows


def test_glossary_terms_link_to_the_lesson_that_uses_them():
    rows = _glossary()
    assert len(rows) >= 30
    names = {p.name: p for p in LESSONS}
    for term, chinese, _meaning, num, target in rows:
        assert re.search(r"[\u4e00-\u9fff]", chinese), f"{term}: no Chinese term"
        assert target in names and target.startswith(num), f"{term}: bad link {target}"
        text = " ".join(c.source for c in read(names[target]).cells).lower()
        key = re.sub(r"\s*\(.*\)$", "", term).lower()
        assert key in text, f"{term!r} does not appear in {target}"
