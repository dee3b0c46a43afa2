"""Anomaly detection against torch: the NaN check, the "Error detected in" warnings with the
forward stack (and the parent chain of a double backward), and the mode switches.

torch's stacks also list torch's own Python frames (``Function.apply``, ``autograd.grad``)
and minigrad's list none of its own; everything else, the learner's frames included, must
be the same text. torch's C++ warnings also end with where in torch's C++ they were raised.
"""

from __future__ import annotations

import re
import warnings

from tests.oracle import capture_error, capture_warnings, compare_programs


def _user_frames(text: str) -> str:
    """A warning's text without the frames of torch's or minigrad's own files, and without
    the " (Triggered internally at <C++ file>)" that torch's C++ warnings end with."""
    text = re.sub(r" \(Triggered internally at [^)]*\)$", "", text)
    return re.sub(r'  File "[^"]*/(torch|minigrad)/[^"]*", line \d+, in \w+\n(    .*\n)?', "", text)


def _run(lib, fn):
    """``fn()``'s error and every warning it raised, but numpy's floating-point warnings from
    minigrad's own modules, which minigrad silences as torch computes NaN silently."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="minigrad")
        error = capture_error(fn)
    return error, [(w.category.__name__, _user_frames(str(w.message))) for w in caught]


def test_nan_in_a_backward_formula():
    def prog(lib):
        x = lib.tensor([1.0, 0.0], requires_grad=True)

        def go():
            with lib.autograd.detect_anomaly():
                y = x.sqrt()  # d sqrt at 0 is inf; times the 0 below: NaN
                (y * 0).sum().backward()

        error, warned = _run(lib, go)
        return {"error": error, "warnings": warned, "x.grad": x.grad}

    out = compare_programs(prog)
    assert out["error"] == (
        "RuntimeError",
        "Function 'SqrtBackward0' returned nan values in its 0th output.",
    )
    assert "y = x.sqrt()" in out["warnings"][1][1]


def test_check_nan_false_lets_nan_through():
    def prog(lib):
        x = lib.tensor([1.0, 0.0], requires_grad=True)

        def go():
            with lib.autograd.detect_anomaly(check_nan=False):
                inside = (lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled())
                (x.sqrt() * 0).sum().backward()
            return inside

        return {"run": capture_warnings(go), "x.grad": x.grad}

    compare_programs(prog)


def _functions(lib):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    class Boom(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            raise ValueError("boom")

    return Bad, Boom


def test_custom_functions_that_fail():
    def prog(lib):
        bad, boom = _functions(lib)
        x = lib.ones(2, requires_grad=True)
        out = {}
        for name, fn in (("nan", bad), ("raises", boom)):

            def go(fn=fn):
                with lib.autograd.detect_anomaly():
                    fn.apply(x).sum().backward()

            out[name] = _run(lib, go)
        return out

    compare_programs(prog)


def test_no_forward_information_when_the_graph_was_built_outside():
    def prog(lib):
        _, boom = _functions(lib)
        x = lib.ones(2, requires_grad=True)
        w = boom.apply(x).sum()  # built before anomaly mode: no stack to show

        def go():
            with lib.autograd.detect_anomaly():
                w.backward()

        return {"run": _run(lib, go), "metadata": dict(w.grad_fn.metadata)}

    compare_programs(prog)


def test_double_backward_follows_the_parent_chain():
    def prog(lib):
        x = lib.tensor([0.0], requires_grad=True)

        def go():
            with lib.autograd.detect_anomaly():
                y = x.sqrt().sum()
                (g,) = lib.autograd.grad(y, x, create_graph=True)
                keys = sorted(g.grad_fn.metadata)
                parent = g.grad_fn.metadata["parent_"].name()
                (g * 0).sum().backward()
            return keys, parent

        error, warned = _run(lib, go)
        return {"error": error, "warnings": warned}

    out = compare_programs(prog)
    assert out["error"][1] == "Function 'DivBackward0' returned nan values in its 1th output."
    assert "Previous calculation was induced by SqrtBackward0" in out["warnings"][-1][1]


def test_metadata_and_mode_switches():
    def prog(lib):
        x = lib.ones(1, requires_grad=True)
        plain = dict((x * 2).grad_fn.metadata)
        _, warned = capture_warnings(lambda: lib.autograd.detect_anomaly())
        with lib.autograd.detect_anomaly():
            y = x * 2
            with lib.autograd.detect_anomaly(check_nan=False):
                nested = (lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled())
            after_nested = lib.is_anomaly_check_nan_enabled()
        stack = y.grad_fn.metadata["traceback_"]
        switch = lib.autograd.set_detect_anomaly(True)
        now = lib.is_anomaly_enabled()
        with switch:
            inside = lib.is_anomaly_enabled()
        return {
            "off": plain,
            "constructing warns": warned,
            "keys": sorted(y.grad_fn.metadata),
            "last frame": (type(stack).__name__, stack[-1].strip().splitlines()[-1]),
            "nested": nested,
            "after nested": after_nested,
            "set": (now, inside, lib.is_anomaly_enabled()),
            "bad mode": capture_error(lambda: lib.autograd.set_detect_anomaly("yes")),
        }

    compare_programs(prog)
