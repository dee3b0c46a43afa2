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
    "03": Quiz(
        "03",
        (
            _q(
                "w = z * z. How many entries does w.grad_fn.next_functions have, and what are they?",
                (
                    "one: z's node, since z is a single tensor",
                    "two: z's node twice, the same object, once per input of the multiplication",
                    "two: z's node and a copy of it",
                ),
                "b",
                "next_functions has one entry per input; both inputs are z, so both are z's node.",
                {
                    "a": "next_functions counts inputs of the operation, not distinct tensors.",
                    "c": "A node is never copied: both entries are the same object (`is` is True).",
                },
                "02",
            ),
            _q(
                "A leaf x is used on two paths to w. When w.backward() runs, how is x's gradient "
                "made from the two paths?",
                (
                    "the engine adds the two paths' gradients, and x's AccumulateGrad runs once",
                    "x.grad accumulates: AccumulateGrad runs once per path and adds each time",
                    "only the first path that arrives counts",
                ),
                "a",
                "Gradients arriving at one node are added in the engine's buffer before it runs.",
                {
                    "b": "Accumulation across backward passes is another thing; within one "
                    "pass the node runs once with the sum.",
                    "c": "Every path contributes: the chain rule adds over paths.",
                },
                "02",
            ),
            _q(
                "What is the derivative of z = x * y with respect to x, at x = 2, y = 3?",
                ("2", "3", "6"),
                "b",
                "dz/dx of a product is the other factor, y = 3.",
                {
                    "a": "2 is x's own value, not a slope.",
                    "c": "6 is z, the value of the product.",
                },
                "01",
            ),
        ),
    ),
    "04": Quiz(
        "04",
        (
            _q(
                "x requires grad, y does not, c = x * y + y. What is c.grad_fn.next_functions[1]?",
                (
                    "(AccumulateGrad, 0): y gets an AccumulateGrad like every leaf",
                    "(None, 0): y needs no gradient, so nothing is recorded for it",
                    "there is no entry for y at all",
                ),
                "b",
                "An input that needs no gradient is a (None, 0) entry: one entry per input stays.",
                {
                    "a": "Only leaves that require grad get an AccumulateGrad node.",
                    "c": "next_functions keeps one entry per input; y's is (None, 0).",
                },
                "03",
            ),
            _q(
                "a = tensor(2.0) and b = tensor(3.0), neither requiring grad. What does "
                "(a * b).backward() do?",
                (
                    "it raises: element 0 of tensors does not require grad and does not have a "
                    "grad_fn",
                    "it runs and leaves a.grad = 3, b.grad = 2",
                    "it runs and does nothing",
                ),
                "a",
                "With no input requiring grad nothing was recorded, so backward has no graph.",
                {
                    "b": "Gradients are only computed for tensors that require grad.",
                    "c": "backward refuses a tensor with no grad_fn that does not require grad.",
                },
                "03",
            ),
            _q(
                "Which tensor can be given requires_grad=True?",
                (
                    "tensor([1, 2]), an integer tensor",
                    "tensor([1.0, 2.0]), a float tensor",
                    "both",
                ),
                "b",
                "Only floating-point (and complex) tensors can require gradients.",
                {
                    "a": "Integers raise: a derivative needs values that can move continuously.",
                    "c": "The integer tensor raises 'Only Tensors of floating point ...'.",
                },
                "03",
            ),
        ),
    ),
    "05": Quiz(
        "05",
        (
            _q(
                "y = x * 2 with x of shape [3]. What does y.backward() (no argument) do?",
                (
                    "it sums y first and gives x.grad = [2, 2, 2]",
                    "it raises: grad can be implicitly created only for scalar outputs",
                    "it gives x.grad = 2, a single number",
                ),
                "b",
                "Implicit backward needs a one-element output; pass gradient=v otherwise.",
                {
                    "a": "backward never sums for you: write y.sum().backward() for that.",
                    "c": ".grad always has the shape of its tensor, here [3].",
                },
                "04",
            ),
            _q(
                "Q = 3a³ − b² with a, b of shape [2]; Q.backward(gradient=v). What lands in a.grad?",
                (
                    "the full Jacobian dQ/da, a 2×2 matrix",
                    "vᵀJ: each output's gradient weighted by v, with a's shape",
                    "v itself",
                ),
                "b",
                "backward computes a vector-Jacobian product, never the Jacobian.",
                {
                    "a": "The Jacobian is never formed; its rows come one backward per one-hot v.",
                    "c": "v weights the outputs; the local derivatives still multiply it.",
                },
                "04",
            ),
            _q(
                "After backward, what is still there: w.grad_fn, or the tensors its nodes saved?",
                (
                    "both are freed",
                    "w.grad_fn is freed, the saved tensors stay",
                    "w.grad_fn stays; the saved tensors are freed",
                ),
                "c",
                "Backward frees what the nodes saved, not the graph's nodes.",
                {
                    "a": "The nodes stay: you can still draw the graph after backward.",
                    "b": "It is the other way round.",
                },
                "02",
            ),
        ),
    ),
    "06": Quiz(
        "06",
        (
            _q(
                "x = mg.tensor(2.0) (no requires_grad) and y = x * 3. What is y.grad_fn?",
                (
                    "None: nothing that requires grad went in, so nothing was recorded",
                    "MulBackward0, as for every multiplication",
                    "AccumulateGrad, because x is a leaf",
                ),
                "a",
                "an operation is recorded only when one of its inputs requires grad.",
                {
                    "b": "A node is recorded only if an input requires grad; x does not.",
                    "c": "AccumulateGrad belongs to leaves that require grad, never to a result.",
                },
                "03",
            ),
            _q(
                "y = x * 2 with x of shape [3] requiring grad. What does y.backward() do?",
                (
                    "it sums y first, then runs backward",
                    "it raises: an implicit gradient needs a one-element output",
                    "it runs backward from y[0]",
                ),
                "b",
                "backward() without a gradient needs y.numel() == 1; pass gradient= or use "
                "y.sum().backward().",
                {
                    "a": "Nothing is summed for you: you write y.sum() (or pass gradient=).",
                    "c": "backward never picks an element; it raises instead.",
                },
                "04",
            ),
            _q(
                "You build two losses from w and call backward on each, without zeroing "
                "w.grad in between. w.grad is now:",
                (
                    "the second loss's gradient: backward overwrites .grad",
                    "the sum of both gradients: .grad accumulates",
                    "an error: the graph was freed by the first backward",
                ),
                "b",
                "AccumulateGrad adds into .grad, which is why training loops zero it.",
                {
                    "a": ".grad is added to, never overwritten, by backward.",
                    "c": "Two losses are two graphs; each may run backward once.",
                },
                "05",
            ),
        ),
    ),
    "07": Quiz(
        "07",
        (
            _q(
                "a and b are leaves that require grad, c = a * b, and (c * 2).backward() has "
                "run. What is c.grad?",
                (
                    "None, with a warning: c is not a leaf and did not call retain_grad()",
                    "2, the gradient that reached c",
                    "a.grad + b.grad",
                ),
                "a",
                "only leaves keep .grad; an intermediate needs retain_grad() before backward.",
                {
                    "b": "2 did flow through c's node, but nothing kept it without retain_grad().",
                    "c": "An intermediate's .grad is not built from its leaves' gradients.",
                },
                "06",
            ),
            _q(
                "w is a leaf that requires grad. What does `w -= 0.1 * w.grad` do outside no_grad?",
                (
                    "it works, the same as under no_grad",
                    "it makes w a non-leaf with a SubBackward0",
                    "it raises: a leaf Variable that requires grad is used in an in-place "
                    "operation",
                ),
                "c",
                "in-place changes to such a leaf are refused unless recording is off.",
                {
                    "a": "Only under no_grad is the in-place update allowed.",
                    "b": "That is what `w = w - 0.1 * w.grad` does (a new tensor), not `-=`.",
                },
                "06",
            ),
            _q(
                "b = a + 1, c = b * b, then b.add_(1). What does c.sum().backward() do?",
                (
                    "it raises: b was saved for backward and then modified in place",
                    "it uses the new b, so the gradient is 2(b + 1)",
                    "it works, because b is not a leaf",
                ),
                "a",
                "MulBackward0 saved b at version 0; b is now at version 1, so backward stops.",
                {
                    "b": "Backward never silently uses a changed value: it checks versions.",
                    "c": "In-place on a non-leaf is allowed, but backward still checks versions.",
                },
                "06",
            ),
        ),
    ),
    "08": Quiz(
        "08",
        (
            _q(
                "z = y.detach(), then z[0] = 100.0. What happens to y?",
                (
                    "y[0] becomes 100 too: z shares y's storage",
                    "nothing: detach makes a copy",
                    "the assignment raises, because z is a leaf",
                ),
                "a",
                "detach gives a new tensor without history over the same memory.",
                {
                    "b": "detach copies no data; use .clone() for a copy.",
                    "c": "z does not require grad, so writing into it is allowed.",
                },
                "07",
            ),
            _q(
                "w requires grad. Which y can later take part in (y * w).sum().backward()?",
                (
                    "y made under inference_mode or under no_grad, both",
                    "only y made under no_grad",
                    "only y made under inference_mode",
                ),
                "b",
                "an inference tensor may never be saved for backward; a no_grad result can.",
                {
                    "a": "inference_mode's results are inference tensors: recording y * w fails.",
                    "c": "It is the other way round: inference tensors cannot be saved.",
                },
                "07",
            ),
            _q(
                "x = mg.tensor(3.0, requires_grad=True) and L = x * x.detach(). After "
                "L.backward(), x.grad is:",
                (
                    "6, as for x²",
                    "3: the detached factor is a constant",
                    "an error: L has no grad_fn",
                ),
                "b",
                "only the undetached factor carries gradient: dL/dx = x.detach() = 3.",
                {
                    "a": "6 = 2x needs both factors to carry gradient; one is detached.",
                    "c": "L still depends on x through the first factor, so it has a grad_fn.",
                },
                "07",
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
    "11": Quiz(
        "11",
        (
            _q(
                "x requires grad and z = x * x. How many entries of z.grad_fn.next_functions "
                "point to x's AccumulateGrad node?",
                (
                    "one: each node appears once in the graph",
                    "two: one edge per input of the multiplication, both to x's node",
                    "none: next_functions lists only non-leaf nodes",
                ),
                "b",
                "each input of an operation has its own edge, even when both inputs are x.",
                {
                    "a": "The node is drawn once, but it gets one edge per use: two arrows.",
                    "c": "Leaves appear in next_functions through their AccumulateGrad node.",
                },
                "02",
            ),
            _q(
                "loss = (x * x).sum(). You call loss.backward() twice, without "
                "retain_graph=True. What happens?",
                (
                    "the second call raises: the first one freed the saved tensors",
                    "x.grad ends up doubled, without an error",
                    "the second call replaces x.grad with the same gradient",
                ),
                "a",
                "backward frees the saved values it used unless retain_graph=True.",
                {
                    "b": "Doubling is what happens with retain_graph=True on the first call.",
                    "c": "backward never replaces .grad; and here it cannot run a second time.",
                },
                "05",
            ),
            _q(
                "x requires grad. Inside `with mg.no_grad():` you compute y = x * 2. What is "
                "y.requires_grad?",
                (
                    "True, since x requires grad",
                    "True, but y.grad_fn is None",
                    "False: nothing is recorded under no_grad",
                ),
                "c",
                "under no_grad no graph is recorded, so y does not require grad.",
                {
                    "a": "no_grad switches off recording whatever the inputs require.",
                    "b": "A tensor that requires grad and has no grad_fn is a leaf made by you.",
                },
                "07",
            ),
        ),
    ),
    "12": Quiz(
        "12",
        (
            _q(
                "class Square(mg.autograd.Function) defines forward and backward. What is "
                "Square.apply(x).grad_fn.name() for an x that requires grad?",
                (
                    "SquareBackward0",
                    "SquareBackward",
                    "PowBackward0",
                ),
                "b",
                "a custom Function's node is named <Class>Backward, without the digit built-in "
                "nodes have.",
                {
                    "a": "Only built-in operations' nodes end in a digit (MulBackward0).",
                    "c": "apply records one node for the whole Function, not the operations "
                    "inside its forward.",
                },
                "01",
            ),
            _q(
                "x = mg.tensor(1.0, requires_grad=True); y = x ** 3; "
                "(dy,) = mg.autograd.grad(y, x, create_graph=True). What is "
                "mg.autograd.grad(dy, x)[0]?",
                (
                    "3, the first derivative again",
                    "6, the second derivative 6x",
                    "an error: dy is not a leaf",
                ),
                "b",
                "create_graph=True recorded how dy = 3x² was computed, so differentiating it "
                "gives 6x = 6.",
                {
                    "a": "The second grad differentiates dy = 3x², not y.",
                    "c": "autograd.grad differentiates any output with a grad_fn; dy has one "
                    "because of create_graph=True.",
                },
                "09",
            ),
            _q(
                "Why are gradcheck's inputs float64?",
                (
                    "minigrad's backward only works in float64",
                    "gradcheck converts its inputs to float64 anyway",
                    "finite differences with a tiny step are too inaccurate in float32, so "
                    "right backwards would be reported wrong",
                ),
                "c",
                "the numerical derivative divides a tiny difference by a tiny step: float32 "
                "rounding swamps it.",
                {
                    "a": "Backward runs in any floating dtype; only the comparison needs "
                    "float64's precision.",
                    "b": "gradcheck uses the inputs as given; in float32 its finite differences "
                    "are too coarse.",
                },
                "11",
            ),
        ),
    ),
}


def recap(lesson: str) -> Quiz:
    """The recap quiz that opens ``lesson`` (e.g. ``"02"``)."""
    if lesson not in QUIZZES:
        raise KeyError(f"no recap quiz for lesson {lesson!r}; quizzes: {sorted(QUIZZES)}")
    return QUIZZES[lesson]
