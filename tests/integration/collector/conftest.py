"""A collector in this process (the runtime `serve` builds, with its feed on a free port)
over a simulated NE8000, seat tokens in a real settings file, and seats in collector mode
(`RemoteMonitor`) or plain HTTP clients talking to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from app.bootstrap import AppPaths, start_runtime
from app.domain.router import RouterProfile
from app.engine.runtime import Runtime
from app.engine.seats import issue_seat
from app.engine.settings import FeedSettings, Settings, load_settings, save_settings
from app.remote.client import CollectorClient
from app.remote.link import Link
from app.remote.monitor import RemoteMonitor
from app.simulator.server import SimulatorHandle
from app.transport.credentials import MemorySecretStore

ROUTER = "sim"
UPLINK = "GigabitEthernet0/5/0"  # in the simulator's topology; watched by the collector
SEATS = ("noc-1", "noc-2")
SHARED = "shared-collector-token"


@dataclass
class CollectorRig:
    runtime: Runtime
    tokens: dict[str, str]
    simulator: SimulatorHandle
    http: aiohttp.ClientSession
    fingerprint: str | None = None

    @property
    def url(self) -> str:
        assert self.runtime.feed is not None
        url = self.runtime.feed.url
        assert url is not None
        return url

    def headers(self, seat: str) -> dict[str, str]:
        token = SHARED if seat == "shared" else self.tokens[seat]
        return {"Authorization": f"Bearer {token}"}

    async def get(self, path: str, seat: str, **params: str) -> tuple[int, Any]:
        async with self.http.get(
            self.url + path, params=params, headers=self.headers(seat)
        ) as answer:
            return answer.status, await answer.json()

    async def post(self, path: str, seat: str, body: dict[str, Any]) -> tuple[int, Any]:
        async with self.http.post(self.url + path, json=body, headers=self.headers(seat)) as answer:
            return answer.status, await answer.json()

    def audit(self) -> list[dict[str, Any]]:
        return self.runtime.audit.read()

    @asynccontextmanager
    async def seat(
        self, name: str = "noc-1", *, token: str | None = None,
        fingerprint: str | None = None, clock: Callable[[], float] | None = None,
    ) -> AsyncIterator[RemoteMonitor]:
        """A seat in collector mode (its monitor started), stopped after; `clock` is the
        seat's own clock (default the real one)."""
        client = CollectorClient(
            self.url, token if token is not None else self.tokens[name],
            fingerprint=fingerprint if fingerprint is not None else self.fingerprint,
        )
        link = None if clock is None else Link(client, clock=clock)
        monitor = RemoteMonitor(client, link=link)
        await monitor.start()
        try:
            yield monitor
        finally:
            await monitor.stop()


MakeCollector = Callable[..., Awaitable[CollectorRig]]


@pytest.fixture
async def make_collector(
    tmp_path: Path, simulator: SimulatorHandle
) -> AsyncIterator[MakeCollector]:
    """Builds the collector (at most once per test) with the feed options given."""
    built: list[CollectorRig] = []

    async def make(*, operator_mode: bool = True, tls: tuple[Path, Path, str] | None = None,
                   remote_commands: bool = True) -> CollectorRig:
        paths = AppPaths(tmp_path / "config", tmp_path / "data")
        settings_file = paths.config_dir / "settings.toml"
        seats, tokens = {}, {}
        for name in SEATS:
            seat, token = issue_seat(name, taken_ids={s.id for s in seats.values()})
            seats[name], tokens[name] = seat, token
        profile = RouterProfile(
            name=ROUTER, host=simulator.host, port=simulator.port, command_timeout=5.0,
            monitored=(UPLINK,),
        )
        feed = FeedSettings(
            enabled=True, token=SHARED, remote_commands=remote_commands,
            operator_mode=operator_mode,
            tls_cert=None if tls is None else str(tls[0]),
            tls_key=None if tls is None else str(tls[1]),
        )
        save_settings(Settings(feed=feed, routers={ROUTER: profile}, seats=seats), settings_file)
        secrets = MemorySecretStore()
        secrets.set_password(ROUTER, simulator.password)
        loaded = load_settings(settings_file)
        runtime = await start_runtime(
            paths=paths,
            settings=replace(loaded, feed=replace(loaded.feed, port=0)),
            settings_path=settings_file,
            secrets=secrets,
            poll_scale=0.05,
            environ={},
            history=True,
            routers_are_simulated=True,
        )
        assert runtime.feed is not None
        await runtime.feed.start()
        rig = CollectorRig(
            runtime, tokens, simulator, aiohttp.ClientSession(),
            fingerprint=None if tls is None else tls[2],
        )
        built.append(rig)
        return rig

    yield make
    for rig in built:
        await rig.http.close()
        await rig.runtime.close()


@pytest.fixture
async def collector(make_collector: MakeCollector) -> CollectorRig:
    return await make_collector()
