"""Tools the suite needs from the machine: skip where one is missing, fail in CI.

A developer without Chromium or Prometheus still gets the rest of the suite; CI sets
NE8000_REQUIRE_ALL=1 so that a missing tool fails the run instead of hiding the tests it
would have run.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing_tool(message: str) -> NoReturn:
    """Skip the test for ``message`` (what is missing and how to install it); fail under CI."""
    if os.environ.get("NE8000_REQUIRE_ALL") == "1":
        pytest.fail(f"NE8000_REQUIRE_ALL=1 but {message}")
    pytest.skip(message)
