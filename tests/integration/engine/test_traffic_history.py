"""Traffic rates are history like the subscriber total: the poller writes every interface's
in/out bit/s (gaps included) to the SQLite store, which keeps them raw and as 5-minute
rollups, and a restarted runtime on the same data directory reads them back (real engine,
loopback SSH to a simulated NE8000)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from app.bootstrap import AppPaths, start_runtime
from app.domain.router import RouterProfile
from app.engine.history_store import BUCKET_SECONDS
from app.engine.runtime import Runtime
from app.engine.settings import Settings
from app.simulator.server import SimulatorHandle, start_simulator
from app.transport.credentials import MemorySecretStore

ROUTER = "sim"
UPLINK = "100GE0/1/0"
METRIC = f"if.{UPLINK}.in_bps"


@pytest.fixture
async def device(tmp_path: Path) -> AsyncIterator[SimulatorHandle]:
    handle = await start_simulator(
        host="127.0.0.1", port=0, users=200, interfaces=12, seed=3,
        host_key_path=tmp_path / "sim_host_key",
    )
    try:
        yield handle
    finally:
        await handle.close()


@asynccontextmanager
async def runtime_for(tmp_path: Path, device: SimulatorHandle) -> AsyncIterator[Runtime]:
    secrets = MemorySecretStore()
    secrets.set_password(ROUTER, device.password)
    profile = RouterProfile(
        name=ROUTER, host=device.host, port=device.port, username=device.username,
        monitored=(UPLINK,), command_timeout=10.0, connect_timeout=5.0,
    )
    runtime = await start_runtime(
        paths=AppPaths(tmp_path / "config", tmp_path / "data"),
        settings=Settings().with_router(profile),
        demo=False,
        secrets=secrets,
        poll_scale=0.05,  # traffic every second
        history=True,
        routers_are_simulated=True,  # simulators: polled at the test speed
    )
    try:
        yield runtime
    finally:
        await runtime.close()


async def test_a_restart_finds_the_traffic_history_raw_and_rolled_up(
    tmp_path: Path, device: SimulatorHandle
) -> None:
    async with runtime_for(tmp_path, device) as runtime:
        async with asyncio.timeout(30):
            while len(runtime.monitor.history.between(ROUTER, METRIC)) < 4:
                await asyncio.sleep(0.1)
        recorded = runtime.monitor.history.between(ROUTER, METRIC)
        out = runtime.monitor.history.between(ROUTER, f"if.{UPLINK}.out_bps")
    first, last = recorded[0][0], recorded[-1][0]

    async with runtime_for(tmp_path, device) as runtime:
        monitor = runtime.monitor
        raw = await monitor.history_query(ROUTER, METRIC, first, last, resolution="raw")
        assert raw.source == "store"  # this runtime's ring has none of it
        assert raw.points == recorded  # every time and rate, exactly
        sent = await monitor.history_query(
            ROUTER, f"if.{UPLINK}.out_bps", first, last, resolution="raw"
        )
        assert sent.points == [p for p in out if first <= p[0] <= last]
        rolled = await monitor.history_query(ROUTER, METRIC, first, last, resolution="5min")
        assert rolled.store is not None
        for bucket in rolled.store.points:
            inside = [
                v for t, v in recorded
                if bucket.timestamp <= t < bucket.timestamp + BUCKET_SECONDS and v is not None
            ]
            assert bucket.count == len(inside)
            if not inside:  # only failed polls: no value, never a zero
                assert bucket.value is None
                continue
            assert bucket.maximum == max(inside)
            assert bucket.minimum == min(inside)
            assert bucket.value == pytest.approx(sum(inside) / len(inside))
        values = [v for _, v in recorded if v is not None]
        assert sum(b.count for b in rolled.store.points) == len(values)
