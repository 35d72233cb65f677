"""Fixtures for the loopback simulator tests: one small simulated NE8000 per test."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from app.simulator.server import SimulatorHandle, start_simulator

# Small enough to start fast, big enough for paging and several access interfaces.
SMALL_DEVICE = {"users": 1500, "interfaces": 12, "seed": 2024}


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorHandle]:
    """A running simulator on an ephemeral loopback port with an ephemeral host key."""
    handle = await start_simulator(host="127.0.0.1", port=0, **SMALL_DEVICE)
    try:
        yield handle
    finally:
        await handle.close()


@pytest.fixture
async def frozen_simulator() -> AsyncIterator[SimulatorHandle]:
    """A simulator whose clock stands still: no churn, so a chosen subscriber stays online."""
    frozen_at = time.time()
    handle = await start_simulator(
        host="127.0.0.1", port=0, clock=lambda: frozen_at, **SMALL_DEVICE
    )
    try:
        yield handle
    finally:
        await handle.close()
