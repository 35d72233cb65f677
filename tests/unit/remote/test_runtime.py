"""The Runtime of a seat in collector mode: the collector's thresholds and operator mode are
what the window reads; saving writes only the seat's own `[collector]` section; whatever
belongs to the collector (routers, host keys, passwords, uplinks) is refused, saying so."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.domain.router import RouterProfile
from app.engine.runtime import collector_token_entry
from app.engine.settings import (
    CollectorSettings,
    FeedSettings,
    Settings,
    Thresholds,
    load_settings,
    save_settings,
)
from app.feed.wire.collector import CollectorInfoAnswer, CollectorRouter, CollectorThresholds
from app.remote.client import CollectorClient
from app.remote.errors import ManagedByCollector
from app.remote.monitor import RemoteMonitor
from app.remote.runtime import CollectorRuntime, shown_settings
from app.transport.credentials import MemorySecretStore

RULES = CollectorInfoAnswer(
    timestamp="2026-01-01T00:00:00.000Z",
    version="9.9",
    seat="noc-1",
    auth="seat",
    remote_commands=True,
    operator_mode=True,
    thresholds=CollectorThresholds(
        mass_drop_percent=20.0, mass_drop_window=60.0, cpu_percent=70.0, cpu_polls=2,
        memory_percent=75.0, memory_polls=2, pool_percent=80.0,
    ),
    routers={"bras-1": CollectorRouter(monitored=["Eth-Trunk1"])},
)


def test_the_window_reads_the_collectors_rules() -> None:
    local = Settings(
        thresholds=Thresholds(pool_percent=95.0),
        feed=FeedSettings(enabled=True, operator_mode=False),
    )
    shown = shown_settings(local, RULES)
    assert shown.thresholds.pool_percent == 80.0
    assert shown.thresholds.cpu_percent == 70.0
    assert shown.feed.operator_mode is True
    assert shown.feed.enabled is False  # a seat serves no feed of its own
    before = shown_settings(local, None)  # not reached yet: nothing allowed
    assert (before.feed.operator_mode, before.feed.remote_commands) == (False, False)


async def test_saving_writes_only_the_seats_own_section(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    local = Settings(
        thresholds=Thresholds(pool_percent=95.0),
        collector=CollectorSettings(url="http://collector:8000"),
    )
    save_settings(local, path)
    monitor = RemoteMonitor(CollectorClient("http://collector:8000", "tok"))
    runtime = CollectorRuntime.build(
        monitor, secrets=MemorySecretStore(), settings=local, settings_path=path,
        data_dir=tmp_path, log_dir=tmp_path, version="t",
    )
    monitor.link._take_rules(RULES)  # what the collector said on connecting
    assert runtime.settings.thresholds.pool_percent == 80.0
    changed = replace(runtime.settings, collector=CollectorSettings(url="https://c2:8443"))
    runtime.save_settings(changed)
    on_disk = load_settings(path)
    assert on_disk.collector.url == "https://c2:8443"
    assert on_disk.thresholds.pool_percent == 95.0  # the collector's 80 never lands here
    assert runtime.settings.thresholds.pool_percent == 80.0
    assert not runtime.manages_routers
    assert runtime.collector is monitor

    profile = RouterProfile(name="r9", host="10.0.0.9")
    for attempt in (
        runtime.add_router(profile, "pw"),
        runtime.update_router(profile, None),
        runtime.remove_router("bras-1"),
        runtime.update_password("bras-1", "pw"),
        runtime.reset_router("bras-1"),
        runtime.probe_host_key(profile),
    ):
        with pytest.raises(ManagedByCollector):
            await attempt
    with pytest.raises(ManagedByCollector):
        runtime.set_monitored("bras-1", ["Eth-Trunk1"])
    with pytest.raises(ValueError, match="collector"):  # the window's existing error paths
        monitor.set_monitored_interfaces("bras-1", [])
    await runtime.close()


def test_the_token_has_its_own_keyring_entry_per_collector() -> None:
    entry = collector_token_entry("https://c:8000")
    assert entry == "collector:https://c:8000"
    with pytest.raises(ValueError, match="router name"):
        RouterProfile(name=entry, host="10.0.0.1")  # a router can never take that name
