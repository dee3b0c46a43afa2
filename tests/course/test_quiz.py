"""The recap quiz: three questions on earlier lessons whose wrong options are misconceptions;
checking answers prints feedback and never raises (a quiz must not stop "Run All")."""

from __future__ import annotations

import pytest

from minigrad.course.quiz import QUIZZES, recap
from tools.lesson_meta import lessons, number, read


@pytest.mark.parametrize("lesson", sorted(QUIZZES))
def test_three_questions_on_earlier_lessons(lesson):
    quiz = recap(lesson)
    assert len(quiz.questions) == 3
    for q in quiz.questions:
        assert len(q.options) == 3 and q.answer in "abc"
        assert q.recaps < lesson, "a recap question reviews an earlier lesson"
        wrong = set("abc") - {q.answer}
        assert set(q.misconceptions) == wrong and all(
            len(m) > 20 for m in q.misconceptions.values()
        )


def test_feedback_for_right_wrong_and_missing_answers(capsys):
    quiz = recap("02")
    right = {i + 1: q.answer for i, q in enumerate(quiz.questions)}
    quiz.check(right)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and all(line.startswith("✓ ") for line in out)
    first_wrong = next(letter for letter in "abc" if letter != quiz.questions[0].answer)
    quiz.check({**right, 1: first_wrong, 3: None})
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("✗ 1.") and quiz.questions[0].misconceptions[first_wrong] in out[0]
    assert out[2].startswith("3. no answer yet")
    quiz.check(None)  # a learner copy's untouched answers: feedback, no exception
    assert capsys.readouterr().out.count("no answer yet") == 3


def test_every_lesson_after_00_with_a_quiz_opens_with_it():
    for path in lessons():
        n = number(path)
        sources = [c.source for c in read(path).cells if c.cell_type == "code"][:4]
        if any(f'recap("{n}")' in s for s in sources):
            assert n in QUIZZES


def test_unknown_lesson():
    with pytest.raises(KeyError, match="no recap quiz for lesson '99'"):
        recap("99")
