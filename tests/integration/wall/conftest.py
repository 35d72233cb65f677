"""Wall-page tests: headless Chromium against `ne8000monitor serve --demo` subprocesses."""

from __future__ import annotations

import pytest

from tests.support.cdp import chromium_binary


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium binary (skip without one; fail under NE8000_REQUIRE_ALL=1)."""
    return chromium_binary()
