"""Fixtures for transport tests against the simulator: a host-key store and router profiles."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from app.domain.router import RouterProfile, TransportKind
from app.simulator.server import SimulatorHandle, start_simulator
from app.transport.hostkeys import HostKeyStore

# Small and fast, but with more interfaces than one page of output (24 lines).
SMALL = {"users": 300, "interfaces": 12, "seed": 7}

ProfileFactory = Callable[..., RouterProfile]


@pytest.fixture
def host_keys(tmp_path: Path) -> HostKeyStore:
    return HostKeyStore(tmp_path / "known_hosts")


@pytest.fixture
def profile_for() -> Callable[..., RouterProfile]:
    """A profile pointing at a simulator (SSH by default), with short timeouts."""

    def build(handle: SimulatorHandle, **overrides: Any) -> RouterProfile:
        settings: dict[str, Any] = {
            "name": "sim",
            "host": handle.host,
            "port": handle.port,
            "username": handle.username,
            "connect_timeout": 10.0,
            "command_timeout": 10.0,
        }
        if overrides.get("transport") is TransportKind.TELNET:
            assert handle.telnet_port is not None
            settings["port"] = handle.telnet_port
        settings.update(overrides)
        return RouterProfile(**settings)

    return build


@pytest.fixture
async def telnet_simulator() -> AsyncIterator[SimulatorHandle]:
    handle = await start_simulator(host="127.0.0.1", port=0, telnet_port=0, **SMALL)
    try:
        yield handle
    finally:
        await handle.close()
