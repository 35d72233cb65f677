"""Notification rigs: a simulated NE8000 polled by the real engine, with alert rules quick
enough that a mass drop is raised and cleared within a test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.bootstrap import AppPaths, Engine, build_engine
from app.domain.alerts import Alert, AlertKind
from app.domain.router import RouterProfile
from app.engine.alerts import AlertManager, AlertThresholds
from app.engine.backoff import Backoff
from app.engine.events import AlertChanged, Subscription
from app.engine.monitor import Monitor, build_monitor
from app.engine.poller import PollIntervals
from app.simulator.server import SimulatorHandle, start_simulator
from app.transport.credentials import MemorySecretStore
from tests.integration.conftest import SMALL_DEVICE

ROUTER = "bras-sim"
FAST = PollIntervals(
    interfaces=0.5, subscribers=0.2, system=0.5, traffic=0.5, jitter=0.1, version_every=5
)
TTLS = {"interfaces": 0.1, "pppoe": 0.1, "system": 0.1, "traffic": 0.1}
# A 30% drop is seen within a second; with no further drop it settles (clears) a second
# later: the whole life of an alert in a test.
QUICK_ALERTS = AlertThresholds(drop_window_seconds=1.0, drop_settle_seconds=1.0)
WAIT = 30.0  # bound for what must happen; no test measures time


@dataclass
class EngineRig:
    simulator: SimulatorHandle
    engine: Engine
    monitor: Monitor

    async def wait_for_subscribers(self) -> None:
        async with asyncio.timeout(WAIT):
            while self.monitor.snapshot(ROUTER).data("subscribers") is None:
                await asyncio.sleep(0.05)

    async def mass_drop(self) -> Alert:
        """Cause the classic BRAS incident and return the subscriber-drop alert it raises."""
        subscription = self.monitor.subscribe(name="test-drop", types=[AlertChanged])
        async with subscription:
            self.simulator.faults.schedule_mass_drop(0.3)
            return await wait_alert(subscription, AlertKind.SUBSCRIBER_DROP, active=True)


async def wait_alert(subscription: Subscription, kind: AlertKind, *, active: bool) -> Alert:
    async with asyncio.timeout(WAIT):
        async for event in subscription:
            if (
                isinstance(event, AlertChanged)
                and event.alert.kind is kind
                and event.alert.active is active
            ):
                return event.alert
    raise AssertionError("the subscription ended")




@pytest.fixture
async def engine_rig(tmp_path: Path) -> AsyncIterator[EngineRig]:
    handle = await start_simulator(host="127.0.0.1", port=0, **SMALL_DEVICE)
    secrets = MemorySecretStore()
    secrets.set_password(ROUTER, handle.password)
    profile = RouterProfile(name=ROUTER, host=handle.host, port=handle.port, command_timeout=5)
    engine = build_engine(
        AppPaths(tmp_path / "config", tmp_path / "data"),
        profiles={ROUTER: profile},
        secrets=secrets,
        backoff=Backoff(initial=0.05, maximum=0.2),
    )
    monitor = build_monitor(
        engine.pools,
        engine.workflow,
        engine.interfaces,
        intervals=FAST,
        ttls=TTLS,
        alerts=AlertManager(QUICK_ALERTS),
    )
    await monitor.start()
    try:
        yield EngineRig(handle, engine, monitor)
    finally:
        await monitor.stop()
        await engine.close()
        await handle.close()
