"""The engine wired to the real transport (loopback SSH) against a simulated NE8000."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.bootstrap import AppPaths, Engine, build_engine, build_opener
from app.domain.router import RouterProfile
from app.engine.backoff import Backoff
from app.engine.ports import RouterSession
from app.simulator.server import SimulatorHandle
from app.transport.credentials import MemorySecretStore
from app.transport.hostkeys import HostKeyStore

ROUTER = "sim"


class CountingOpener:
    """The real opener, counting login attempts and commands in flight per router."""

    def __init__(self, host_keys: HostKeyStore) -> None:
        self._open = build_opener(host_keys)
        self.attempts = 0
        self.in_flight = 0
        self.peak = 0

    async def __call__(self, profile: RouterProfile, password: str) -> RouterSession:
        self.attempts += 1
        session = await self._open(profile, password)
        return _Counted(session, self)


class _Counted:
    """Delegates to a real session; counts concurrent commands across the pool."""

    def __init__(self, inner: RouterSession, counter: CountingOpener) -> None:
        self._inner = inner
        self._counter = counter

    @property
    def is_open(self) -> bool:
        return self._inner.is_open

    @property
    def hostname(self) -> str:
        return self._inner.hostname

    async def run(self, command: str, *, timeout: float | None = None):
        self._counter.in_flight += 1
        self._counter.peak = max(self._counter.peak, self._counter.in_flight)
        try:
            return await self._inner.run(command, timeout=timeout)
        finally:
            self._counter.in_flight -= 1

    async def close(self) -> None:
        await self._inner.close()


@dataclass
class Wired:
    engine: Engine
    opener: CountingOpener
    simulator: SimulatorHandle
    profile: RouterProfile


def wire(
    simulator: SimulatorHandle,
    tmp_path: Path,
    port: int | None = None,
    **profile_options: object,
) -> Wired:
    """Engine + counting opener for `simulator` (its SSH port unless `port` is given)."""
    paths = AppPaths(tmp_path / "config", tmp_path / "data")
    profile = RouterProfile(
        name=ROUTER,
        host=simulator.host,
        port=port or simulator.port,
        **profile_options,  # type: ignore[arg-type]
    )
    secrets = MemorySecretStore()
    secrets.set_password(ROUTER, simulator.password)
    opener = CountingOpener(HostKeyStore(paths.known_hosts))
    engine = build_engine(
        paths,
        profiles={ROUTER: profile},
        secrets=secrets,
        opener=opener,
        backoff=Backoff(initial=0.05, maximum=0.2),
    )
    return Wired(engine, opener, simulator, profile)


@pytest.fixture
async def wired(simulator: SimulatorHandle, tmp_path: Path) -> AsyncIterator[Wired]:
    result = wire(simulator, tmp_path, command_timeout=5.0)
    try:
        yield result
    finally:
        await result.engine.close()


@pytest.fixture
async def wired_frozen(frozen_simulator: SimulatorHandle, tmp_path: Path) -> AsyncIterator[Wired]:
    """Like `wired`, on a simulator without churn (subscribers stay where they are)."""
    result = wire(frozen_simulator, tmp_path, command_timeout=5.0)
    try:
        yield result
    finally:
        await result.engine.close()
