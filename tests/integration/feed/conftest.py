"""Feed rigs: simulated NE8000s + the real engine and Monitor + a FeedServer on port 0."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from app.bootstrap import AppPaths, Engine, build_engine
from app.domain.router import RouterProfile
from app.engine.backoff import Backoff
from app.engine.monitor import Monitor, build_monitor
from app.engine.poller import SECTIONS, PollIntervals
from app.engine.settings import FeedSettings
from app.feed.server import FeedServer
from app.simulator.server import SimulatorHandle, start_simulator
from app.transport.credentials import MemorySecretStore
from tests.integration.conftest import SMALL_DEVICE

FAST = PollIntervals(
    interfaces=0.3, subscribers=0.2, system=0.3, traffic=0.3, jitter=0.1, version_every=3
)
TTLS = {"interfaces": 0.1, "pppoe": 0.1, "system": 0.1, "traffic": 0.1}
WAIT = 20.0  # generous bound for what must happen; the tests never measure time
LOCAL = FeedSettings(host="127.0.0.1", port=0)

Message = dict[str, Any]


@dataclass
class FeedRig:
    """A running engine + Monitor + FeedServer and an HTTP client session for it."""

    monitor: Monitor
    engine: Engine
    server: FeedServer
    http: aiohttp.ClientSession
    simulators: dict[str, SimulatorHandle]
    stopped: bool = field(default=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.server.port}"

    async def get(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        async with self.http.get(self.url + path, **kwargs) as answer:
            return answer.status, await answer.json()

    async def collected(self, router: str, sections: tuple[str, ...] = SECTIONS) -> None:
        """Wait until the engine has collected every one of `sections` of `router`."""
        async with asyncio.timeout(WAIT):
            while any(self.monitor.snapshot(router).sections[s] is None for s in sections):
                await asyncio.sleep(0.05)

    async def freeze(self) -> None:
        """Stop the engine: its last data stays readable, so HTTP answers can be compared
        with the snapshot exactly, without racing the next poll."""
        await self.monitor.stop()
        self.stopped = True


def free_port() -> int:
    """A loopback port with nobody listening (for an unreachable router)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


MakeRig = Callable[..., Awaitable[FeedRig]]


@pytest.fixture
async def make_rig(tmp_path: Path) -> AsyncIterator[MakeRig]:
    """`await make_rig(names=("sim",), options=LOCAL, dead=(), frozen=True, **server_kw)`.

    `dead` names routers pointed at a closed port (never reachable); `command_timeout` is
    the routers' (seconds).
    """
    rigs: list[FeedRig] = []
    handles: list[SimulatorHandle] = []

    async def make(
        names: tuple[str, ...] = ("sim",),
        options: FeedSettings = LOCAL,
        *,
        dead: tuple[str, ...] = (),
        frozen: bool = True,
        start_monitor: bool = True,
        command_timeout: float = 3.0,
        **server_options: Any,
    ) -> FeedRig:
        base = tmp_path / f"rig{len(rigs)}"
        paths = AppPaths(base / "config", base / "data")
        secrets = MemorySecretStore()
        profiles: dict[str, RouterProfile] = {}
        simulators: dict[str, SimulatorHandle] = {}
        for index, name in enumerate(names):
            clock = (lambda t=1_800_000_000.0 + index: t) if frozen else None
            extra = {"clock": clock} if clock is not None else {}
            handle = await start_simulator(
                host="127.0.0.1", port=0, **{**SMALL_DEVICE, "seed": 2024 + index}, **extra
            )
            handles.append(handle)
            simulators[name] = handle
            profiles[name] = RouterProfile(
                name=name, host=handle.host, port=handle.port, command_timeout=command_timeout
            )
            secrets.set_password(name, handle.password)
        for name in dead:
            profiles[name] = RouterProfile(
                name=name, host="127.0.0.1", port=free_port(), command_timeout=3.0
            )
            secrets.set_password(name, "unused")
        engine = build_engine(
            paths,
            profiles=profiles,
            secrets=secrets,
            backoff=Backoff(initial=0.05, maximum=0.2),
        )
        monitor = build_monitor(
            engine.pools, engine.workflow, engine.interfaces, intervals=FAST, ttls=TTLS
        )
        if start_monitor:
            await monitor.start()
        server = FeedServer(monitor, options, console=None, version="9.9-test", **server_options)
        await server.start()
        rig = FeedRig(monitor, engine, server, aiohttp.ClientSession(), simulators)
        rigs.append(rig)
        return rig

    try:
        yield make
    finally:
        for rig in rigs:
            await rig.http.close()
            await rig.server.stop()
            await rig.monitor.stop()
            await rig.engine.close()
        for handle in handles:
            await handle.close()


async def receive_json(ws: aiohttp.ClientWebSocketResponse) -> Message:
    async with asyncio.timeout(WAIT):
        frame = await ws.receive()
    assert frame.type is aiohttp.WSMsgType.TEXT, frame
    return json.loads(frame.data)


async def receive_until(
    ws: aiohttp.ClientWebSocketResponse, matches: Callable[[Message], bool]
) -> Message:
    """The first message that `matches` (others are skipped)."""
    async with asyncio.timeout(WAIT):
        while True:
            message = await receive_json(ws)
            if matches(message):
                return message


def of_type(kind: str, **fields: Any) -> Callable[[Message], bool]:
    def matches(message: Message) -> bool:
        return message["type"] == kind and all(message.get(k) == v for k, v in fields.items())

    return matches
