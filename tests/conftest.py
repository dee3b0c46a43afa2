"""Shared pytest configuration.

torch is the oracle. On a learner's machine without torch the tests that need it
skip; CI sets ``MINIGRAD_REQUIRE_TORCH=1`` so that a missing torch fails instead.
"""

from __future__ import annotations

import os

import pytest


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
