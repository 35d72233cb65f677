"""The runtime the GUI and `serve` share: demo mode, router management, shutdown."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from app.bootstrap import AppPaths, demo_router_names, start_runtime
from app.domain.router import RouterProfile
from app.engine.poller import DataSet
from app.engine.runtime import Runtime
from app.engine.settings import (
    MIN_CACHE_TTL,
    MIN_POLL_INTERVAL,
    Settings,
    SettingsError,
    load_settings,
)
from app.simulator.server import SimulatorHandle
from app.transport.credentials import MemorySecretStore

FAST = 0.05  # poll scale: every interval x0.05 (interfaces 1.5 s, subscribers 0.75 s)


async def eventually(check: Callable[[], bool], timeout: float = 20.0) -> None:
    """Wait until `check()` holds (fails the test after `timeout`)."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.05)


def paths_in(tmp_path: Path) -> AppPaths:
    return AppPaths(tmp_path / "config", tmp_path / "data")


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Runtime]:
    runtime = await start_runtime(
        paths=paths_in(tmp_path), secrets=MemorySecretStore(), poll_scale=FAST, environ={}
    )
    try:
        yield runtime
    finally:
        await runtime.close()


async def test_no_router_configured_means_demo_mode_with_live_data(demo: Runtime) -> None:
    assert demo.is_demo
    assert demo.monitor.routers == ["demo"]
    assert demo.demo is not None
    assert demo.demo.host == "127.0.0.1"
    await eventually(lambda: demo.monitor.snapshot("demo").data("subscribers") is not None)
    summary = demo.monitor.snapshot("demo").data("subscribers")
    assert summary.total > 0  # type: ignore[attr-defined]
    # The demo watches the simulator's uplinks, so traffic and the wall page have something.
    assert demo.monitor.monitored_interfaces("demo") == ("Eth-Trunk1", "100GE0/1/2")
    await eventually(lambda: demo.monitor.snapshot("demo").data("traffic") is not None)


async def test_demo_history_is_kept_apart_from_real_routers(demo: Runtime) -> None:
    assert demo.monitor.store is not None
    assert demo.monitor.store.path == demo.data_dir / "demo" / "history.sqlite3"


async def test_demo_passwords_never_reach_the_secret_store(demo: Runtime) -> None:
    await eventually(lambda: demo.monitor.router_status("demo")[0].pool.state == "connected")
    assert demo.secrets.get_password("demo") is None


async def test_close_stops_the_simulator_and_forgets_its_port_pin(tmp_path: Path) -> None:
    runtime = await start_runtime(
        paths=paths_in(tmp_path), secrets=MemorySecretStore(), poll_scale=FAST, environ={}
    )
    assert runtime.demo is not None
    port = runtime.demo.port
    await eventually(lambda: runtime.monitor.router_status("demo")[0].pool.state == "connected")
    await runtime.close()
    await runtime.close()  # idempotent
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    known_hosts = (tmp_path / "data" / "known_hosts").read_text()
    assert f"[127.0.0.1]:{port}" not in known_hosts


async def test_several_demo_routers(tmp_path: Path) -> None:
    runtime = await start_runtime(
        paths=paths_in(tmp_path),
        secrets=MemorySecretStore(),
        poll_scale=FAST,
        demo_routers=3,
        environ={},
    )
    try:
        assert runtime.monitor.routers == demo_router_names(3) == ["demo-1", "demo-2", "demo-3"]
        for name in runtime.monitor.routers:
            await eventually(
                lambda name=name: runtime.monitor.snapshot(name).data("online_total") is not None
            )
        totals = {
            runtime.monitor.snapshot(name).data("online_total").total_users  # type: ignore[union-attr]
            for name in runtime.monitor.routers
        }
        assert len(totals) == 3  # distinct simulated routers, not one shown three times
    finally:
        await runtime.close()


async def test_add_update_remove_router_keeps_secrets_out_of_the_settings_file(
    demo: Runtime, simulator: SimulatorHandle, tmp_path: Path
) -> None:
    profile = RouterProfile(name="edge-1", host=simulator.host, port=simulator.port)
    probe = await demo.probe_host_key(profile)
    assert probe.first_contact
    assert probe.offered == simulator.host_key_fingerprint
    assert await demo.trust_host_key(profile, probe.offered) == simulator.host_key_fingerprint

    await demo.add_router(profile, simulator.password)
    assert demo.secrets.get_password("edge-1") == simulator.password
    text = demo.settings_path.read_text()
    assert simulator.password not in text
    assert load_settings(demo.settings_path).routers["edge-1"].port == simulator.port
    await eventually(lambda: demo.monitor.router_status("edge-1")[0].pool.state == "connected")
    with pytest.raises(ValueError, match="already exists"):
        await demo.add_router(profile, None)

    demo.set_monitored("edge-1", ["GigabitEthernet0/5/0"])
    assert load_settings(demo.settings_path).routers["edge-1"].monitored == (
        "GigabitEthernet0/5/0",
    )
    await demo.update_router(
        RouterProfile(name="edge-1", host=simulator.host, port=simulator.port, pool_size=1),
        None,
    )
    saved = load_settings(demo.settings_path).routers["edge-1"]
    assert saved.pool_size == 1
    assert saved.monitored == ("GigabitEthernet0/5/0",)  # editing the connection keeps them
    assert demo.monitor.monitored_interfaces("edge-1") == ("GigabitEthernet0/5/0",)

    await demo.remove_router("edge-1")
    assert "edge-1" not in demo.monitor.routers
    assert "edge-1" not in load_settings(demo.settings_path).routers
    assert demo.secrets.get_password("edge-1") is None


async def test_configured_router_means_no_demo(simulator: SimulatorHandle, tmp_path: Path) -> None:
    profile = RouterProfile(name="bras-1", host=simulator.host, port=simulator.port)
    secrets = MemorySecretStore()
    secrets.set_password("bras-1", simulator.password)
    runtime = await start_runtime(
        paths=paths_in(tmp_path),
        settings=Settings().with_router(profile),
        secrets=secrets,
        poll_scale=FAST,
        routers_are_simulated=True,
    )
    try:
        assert not runtime.is_demo
        assert runtime.monitor.routers == ["bras-1"]
        assert runtime.monitor.store is not None
        assert runtime.monitor.store.path == tmp_path / "data" / "history.sqlite3"
        await eventually(lambda: runtime.monitor.snapshot("bras-1").data("cpu") is not None)
    finally:
        await runtime.close()


async def test_router_password_from_the_environment(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    runtime = await start_runtime(
        paths=paths_in(tmp_path),
        secrets=MemorySecretStore(),
        poll_scale=FAST,
        environ={
            "ROUTER_HOST": simulator.host,
            "ROUTER_PORT": str(simulator.port),
            "ROUTER_USERNAME": simulator.username,
            "ROUTER_PASSWORD": simulator.password,
        },
    )
    try:
        assert not runtime.is_demo
        (name,) = runtime.monitor.routers
        await eventually(lambda: runtime.monitor.router_status(name)[0].pool.state == "connected")
        # The variable stays a fallback: nothing was written to the keyring or the file.
        assert runtime.secrets.get_password(name) is None
        assert not runtime.settings_path.exists()
    finally:
        await runtime.close()


async def test_corrupt_settings_file_is_a_clear_error(tmp_path: Path) -> None:
    paths = paths_in(tmp_path)
    paths.config_dir.mkdir(parents=True)
    (paths.config_dir / "settings.toml").write_text("version = 1\n[intervals]\npppoe = 'x'\n")
    with pytest.raises(SettingsError, match=r"intervals\.pppoe"):
        await start_runtime(paths=paths, secrets=MemorySecretStore(), environ={})


async def test_poll_scale_never_takes_a_real_router_below_the_minimum(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:  # issue 14 item 5
    profile = RouterProfile(name="bras-1", host=simulator.host, port=simulator.port)
    secrets = MemorySecretStore()
    secrets.set_password("bras-1", simulator.password)
    runtime = await start_runtime(
        paths=paths_in(tmp_path),
        settings=Settings().with_router(profile),
        secrets=secrets,
        poll_scale=0.001,  # a typo, or a benchmark's setting pointed at the real network
        history=False,
    )
    try:
        intervals = runtime.monitor.intervals
        assert (intervals.subscribers, intervals.interfaces) == (MIN_POLL_INTERVAL,) * 2
        assert (intervals.system, intervals.traffic) == (MIN_POLL_INTERVAL,) * 2
        assert min(runtime.monitor.cache.ttls.values()) == MIN_CACHE_TTL
    finally:
        await runtime.close()


async def test_demo_simulators_run_fast_but_a_router_added_in_demo_mode_does_not(
    simulator: SimulatorHandle, demo: Runtime
) -> None:
    assert demo.monitor.intervals.subscribers == 15.0 * FAST  # our own simulator
    demo.secrets.set_password("edge-1", simulator.password)
    real = RouterProfile(name="edge-1", host=simulator.host, port=simulator.port)
    await demo.add_router(real, None)
    added = demo.monitor._poller("edge-1").intervals
    # Every interval x0.05 would be 0.75-2.25 s: each is held at the minimum instead.
    assert [added.of(dataset) for dataset in DataSet] == [MIN_POLL_INTERVAL] * len(DataSet)
