"""Shared pytest configuration.

torch is the oracle. On a learner's machine without torch the tests that need it
skip; CI sets ``MINIGRAD_REQUIRE_TORCH=1`` so that a missing torch fails instead.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis profiles, chosen with HYPOTHESIS_PROFILE (default "ci"). The random-program
# fuzzer (tests/fuzz/test_fuzz.py) has three tests, so "ci" runs 3 x 700 = 2,100 programs
# (about 40 s on 2 cores), derandomized (the same programs every run), and "fuzz"
# (`make fuzz`) 3 x 7,000 = 21,000 programs.
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci", max_examples=700, derandomize=True, deadline=None, database=None,
    suppress_health_check=_SLOW_OK,
)  # fmt: skip
settings.register_profile(
    "fuzz", max_examples=7000, deadline=None, suppress_health_check=_SLOW_OK,
    print_blob=True,
)  # fmt: skip
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    # minigrad silences numpy's inf/NaN warnings from its own modules on import, as torch
    # computes them silently; pytest resets warning filters around each test, so it is
    # told the same filter here (tests/tensor/test_tensor_api.py checks minigrad's own filter).
    config.addinivalue_line(
        "filterwarnings",
        r"ignore:(invalid value|divide by zero|overflow|underflow) encountered:RuntimeWarning:minigrad",
    )


def pytest_collection_modifyitems(config, items):
    # Fail loudly in CI rather than letting a torch-less run pass on skips.
    if os.environ.get("MINIGRAD_REQUIRE_TORCH") != "1":
        return
    try:
        import torch  # noqa: F401
    except ImportError as exc:  # pragma: no cover - only in a broken CI
        raise pytest.UsageError(
            "MINIGRAD_REQUIRE_TORCH=1 but torch is not importable: "
            "install it with `pip install torch==2.13.0`"
        ) from exc
