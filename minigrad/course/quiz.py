"""The recap quiz that opens a lesson: three questions on earlier lessons.

Each wrong option is a real misconception, and its feedback says why it is wrong. A lesson
shows the questions by displaying ``recap("02")`` and checks the learner's answers with
``quiz.check({1: "b", 2: "a", 3: "c"})``, which prints one line per question and never
raises: an unanswered quiz does not stop "Run All".

Example:
    >>> quiz = recap("01")
    >>> quiz.check({1: "b", 2: "a", 3: "c"})   # doctest: +ELLIPSIS
    ✓ 1. ...
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Question", "Quiz", "recap", "QUIZZES"]

LETTERS = "abc"


@dataclass(frozen=True)
class Question:
    """One question: the options, the right letter, why it is right, and for each wrong
    letter the misconception it stands for. ``recaps`` is the lesson it reviews."""

    text: str
    options: tuple[str, str, str]
    answer: str
    why: str
    misconceptions: dict = field(default_factory=dict)
    recaps: str = ""


class Quiz:
    """Three questions; ``repr`` shows them, :meth:`check` marks answers."""

    def __init__(self, lesson: str, questions: tuple[Question, ...]) -> None:
        self.lesson = lesson
        self.questions = questions

    def __repr__(self) -> str:
        lines = [f"Recap quiz before lesson {self.lesson}: answer a, b or c for each question."]
        for i, q in enumerate(self.questions, start=1):
            lines.append("")
            lines.append(f"{i}. {q.text}  (lesson {q.recaps})")
            lines.extend(f"   {letter}) {option}" for letter, option in zip(LETTERS, q.options))
        return "\n".join(lines)

    def check(self, answers: dict) -> None:
        """Print, per question, ✓ with the reason, or what the chosen option gets wrong."""
        if not isinstance(answers, dict):
            answers = {}
        for i, q in enumerate(self.questions, start=1):
            given = answers.get(i)
            if isinstance(given, str):
                given = given.strip().lower().rstrip(")")
            if given not in tuple(LETTERS):
                print(f"{i}. no answer yet: write {i}: 'a', 'b' or 'c' in answers")
            elif given == q.answer:
                print(f"✓ {i}. {q.why}")
            else:
                print(
                    f"✗ {i}. ({given}) {q.misconceptions[given]} Look again at lesson {q.recaps}."
                )


def _q(text, options, answer, why, misconceptions, recaps) -> Question:
    wrong = {letter for letter in LETTERS if letter != answer}
    if set(misconceptions) != wrong:  # pragma: no cover - a quiz author's mistake
        raise ValueError(f"every wrong option needs its misconception: {text!r}")
    return Question(text, tuple(options), answer, why, dict(misconceptions), recaps)


QUIZZES: dict[str, Quiz] = {
    "01": Quiz(
        "01",
        (
            _q(
                "x and y require grad and z = x * y. What is z.grad_fn?",
                (
                    "None: only tensors you create have a grad_fn",
                    "MulBackward0, the node that can send a gradient back through the multiplication",
                    "the number dz/dx, computed when z was made",
                ),
                "b",
                "An operation on tensors that require grad records a node; the result points to it.",
                {
                    "a": "It is the other way round: tensors you create (leaves) have no grad_fn.",
                    "c": "Nothing is differentiated when z is made; the node only knows how to.",
                },
                "00",
            ),
            _q(
                "In the course's backward pictures, which way do the arrows point?",
                (
                    "the way gradients flow: from the output down to the leaves",
                    "the way values flowed forward: from the leaves up to the output",
                    "either way: the arrows carry no meaning",
                ),
                "a",
                "Each arrow goes from a node to an entry of its next_functions, as backward runs.",
                {
                    "b": "That is the forward picture (and torchviz's drawing), not the backward one.",
                    "c": "The legend of lesson 00 fixes one direction for every backward picture.",
                },
                "00",
            ),
            _q(
                "z = x * y with x = 2 and y = 3. After z.backward(), what is x.grad?",
                ("2, the value of x", "6, the value of z", "3, because dz/dx = y"),
                "c",
                "x.grad holds dz/dx, and for a product that is the other factor, y = 3.",
                {
                    "a": "x.grad is a derivative, not x's own value.",
                    "b": "6 is z itself; the gradient says how fast z changes when x moves.",
                },
                "00",
            ),
        ),
    ),
    "02": Quiz(
        "02",
        (
            _q(
                "A custom Function's forward took two tensor inputs. How many gradients must "
                "its backward return?",
                (
                    "one: the gradient of the output",
                    "two: one per input of forward, None where no gradient is needed",
                    "as many as the tensors forward saved with save_for_backward",
                ),
                "b",
                "backward maps the output's gradient to one gradient per forward input.",
                {
                    "a": "That is what backward receives (g), not what it returns.",
                    "c": "Saving is about what backward needs to read, not what it returns.",
                },
                "01",
            ),
            _q(
                "After z.backward(), you read z.grad_fn.saved_tensors. What happens?",
                (
                    "an error: backward freed the saved tensors",
                    "you get x and y back, as before",
                    "an error: backward removed z.grad_fn",
                ),
                "a",
                "backward frees what the graph saved; the node itself is still there.",
                {
                    "b": "Saved values are freed once backward has used them (memory).",
                    "c": "grad_fn survives backward; only the saved tensors are freed.",
                },
                "01",
            ),
            _q(
                "The central difference (f(x + h) − f(x − h)) / 2h for f(x) = x² at x = 3 "
                "with h = 0.1 gives:",
                (
                    "6.1, the one-sided slope",
                    "6, exactly, because the errors of both sides cancel for a parabola",
                    "about 6, but never exactly, since h is not 0",
                ),
                "b",
                "(3.1² − 2.9²) / 0.2 = 1.2 / 0.2 = 6: for x² the central difference is exact.",
                {
                    "a": "(f(x + h) − f(x)) / h = 6.1 is the one-sided slope, not the central one.",
                    "c": "For a parabola the h² error term is zero: the result is exactly 6.",
                },
                "01",
            ),
        ),
    ),
    "09": Quiz(
        "09",
        (
            _q(
                "x requires grad and y = x * x. What does mg.autograd.grad(y, x) do with x.grad?",
                (
                    "adds 2x to x.grad, as y.backward() would",
                    "nothing: it returns (2x,) as a tuple and leaves x.grad as it was",
                    "sets x.grad to 2x, replacing what was there",
                ),
                "b",
                "autograd.grad returns the gradients; it never writes .grad.",
                {
                    "a": "Accumulating into .grad is what backward() does, not autograd.grad.",
                    "c": "autograd.grad does not touch .grad at all, not even to replace it.",
                },
                "08",
            ),
            _q(
                "X has shape [4, 2] and requires grad; z = (X * X).sum(). What shape does "
                "mg.autograd.grad(z, X)[0] have?",
                (
                    "[] — z is a scalar, so its gradient is one number",
                    "[8] — one entry per element of X, flattened",
                    "[4, 2] — the gradient has the shape of the input it is taken for",
                ),
                "c",
                "one partial derivative per element of X, laid out like X.",
                {
                    "a": "The output is a scalar, but there is a derivative per input element.",
                    "b": "Nothing is flattened: the result has X's own shape.",
                },
                "08",
            ),
            _q(
                "loss.backward() ran once. What does a second loss.backward() on the same graph "
                "do, without retain_graph=True?",
                (
                    "it raises: the first pass freed the tensors the nodes had saved",
                    "it adds the same gradients to .grad again",
                    "nothing: the graph was already used",
                ),
                "a",
                "a pass frees the saved tensors unless retain_graph=True keeps them.",
                {
                    "b": "That is what happens with retain_graph=True: the gradients accumulate.",
                    "c": "It is not silently skipped: the engine raises an error naming the cause.",
                },
                "05",
            ),
        ),
    ),
    "10": Quiz(
        "10",
        (
            _q(
                "g = mg.autograd.grad(x ** 2, x)[0], without create_graph. What does "
                "mg.autograd.grad(g, x) do?",
                (
                    "returns 2, the second derivative",
                    "raises: g has no grad_fn, because the first pass recorded nothing",
                    "returns 0, since g is a constant",
                ),
                "b",
                "without create_graph=True the gradient is a plain tensor with no history.",
                {
                    "a": "That needs create_graph=True in the first call.",
                    "c": "The engine does not treat g as a constant: it raises an error.",
                },
                "09",
            ),
            _q(
                "p is a leaf that requires grad. What does `with mg.no_grad(): p -= 0.1 * p.grad` "
                "do?",
                (
                    "raises: a leaf that requires grad cannot be changed in place",
                    "changes p in place; p stays a leaf with no grad_fn",
                    "makes p a non-leaf with grad_fn SubBackward0",
                ),
                "b",
                "under no_grad nothing is recorded, so the in-place update is allowed.",
                {
                    "a": "That error happens outside no_grad, where the update would be recorded.",
                    "c": "no_grad records nothing, so p gets no grad_fn.",
                },
                "06",
            ),
            _q(
                "Two backward passes run on two fresh graphs that use the same leaf w, with no "
                "zeroing in between. What is w.grad?",
                (
                    "the gradient of the second pass only",
                    "an error: w.grad must be cleared first",
                    "the sum of both passes' gradients",
                ),
                "c",
                "backward adds into .grad; only zero_grad() or .grad = None starts again.",
                {
                    "a": "backward never replaces .grad that is already there: it adds to it.",
                    "b": "Accumulating is allowed; it is often a bug, but not an error.",
                },
                "05",
            ),
        ),
    ),
}


def recap(lesson: str) -> Quiz:
    """The recap quiz that opens ``lesson`` (e.g. ``"02"``)."""
    if lesson not in QUIZZES:
        raise KeyError(f"no recap quiz for lesson {lesson!r}; quizzes: {sorted(QUIZZES)}")
    return QUIZZES[lesson]
