"""The Monitor polling simulated NE8000s over loopback SSH, with short intervals."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.bootstrap import AppPaths, Engine, build_engine
from app.domain.alerts import Alert, AlertKind, Severity
from app.domain.interfaces import InterfaceBrief
from app.domain.router import RouterProfile
from app.domain.subscribers import AccessUserCounters
from app.engine.backoff import Backoff
from app.engine.changes import InterfaceShutdown, InterfaceUndoShutdown
from app.engine.events import (
    AlertChanged,
    Event,
    PollFailed,
    RouterDataUpdated,
    RouterStateChanged,
    Subscription,
    TrafficSampled,
)
from app.engine.history_store import HistoryStore
from app.engine.monitor import Monitor, build_monitor
from app.engine.poller import SECTIONS, PollIntervals
from app.engine.pool import PoolState
from app.engine.rates import TrafficSample
from app.engine.subscribers import SubscriberSummary
from app.simulator.server import SimulatorHandle, start_simulator
from app.transport.credentials import MemorySecretStore
from tests.integration.conftest import SMALL_DEVICE

FAST = PollIntervals(
    interfaces=0.3, subscribers=0.2, system=0.3, traffic=0.3, jitter=0.1, version_every=3
)
TTLS = {"interfaces": 0.1, "pppoe": 0.1, "system": 0.1, "traffic": 0.1}
UPLINK = "GigabitEthernet0/3/1"
WAIT = 15.0  # generous bound for an expected event; the tests never measure time


@dataclass
class Rig:
    monitor: Monitor
    engine: Engine
    store_path: Path
    simulators: dict[str, SimulatorHandle]


def build_rig(
    simulators: dict[str, SimulatorHandle], tmp_path: Path, *, command_timeout: float = 5.0
) -> Rig:
    paths = AppPaths(tmp_path / "config", tmp_path / "data")
    secrets = MemorySecretStore()
    profiles = {}
    for name, sim in simulators.items():
        profiles[name] = RouterProfile(
            name=name, host=sim.host, port=sim.port, command_timeout=command_timeout
        )
        secrets.set_password(name, sim.password)
    engine = build_engine(
        paths, profiles=profiles, secrets=secrets, backoff=Backoff(initial=0.05, maximum=0.2)
    )
    store_path = tmp_path / "data" / "history.sqlite3"
    store_path.parent.mkdir(parents=True, exist_ok=True)
    store = HistoryStore(store_path, flush_interval=0.05)
    monitor = build_monitor(
        engine.pools, engine.workflow, engine.interfaces, store=store, intervals=FAST, ttls=TTLS
    )
    return Rig(monitor, engine, store_path, simulators)


@pytest.fixture
async def rig(frozen_simulator: SimulatorHandle, tmp_path: Path) -> AsyncIterator[Rig]:
    result = build_rig({"sim": frozen_simulator}, tmp_path)
    try:
        yield result
    finally:
        await result.monitor.stop()
        await result.engine.close()


async def wait_for(
    subscription: Subscription, matches: Callable[[Event], bool], timeout: float = WAIT
) -> Event:
    async with asyncio.timeout(timeout):
        async for event in subscription:
            if matches(event):
                return event
    raise AssertionError("subscription closed before the event arrived")


def leftover_tasks() -> list[str]:
    """Engine tasks still alive: pollers, their data set loops and cache loads."""
    prefixes = ("poller", "poll ", "cache-load")
    return [t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith(prefixes)]


def alert_event(kind: AlertKind, *, active: bool, subject: str = "") -> Callable[[Event], bool]:
    def matches(event: Event) -> bool:
        return (
            isinstance(event, AlertChanged)
            and event.alert.kind is kind
            and event.alert.active is active
            and event.alert.subject == subject
        )

    return matches


async def test_every_section_is_published_and_snapshot_matches_the_router(rig: Rig) -> None:
    monitor = rig.monitor
    identity = monitor.identity("sim")  # which box "sim" is: its history belongs to it
    sub = monitor.subscribe(name="test", types=[RouterDataUpdated])
    states = monitor.subscribe(name="states", types=[RouterStateChanged])
    await monitor.start()
    seen: set[str] = set()
    async with asyncio.timeout(WAIT):
        async for event in sub:
            assert isinstance(event, RouterDataUpdated)
            assert event.router == "sim"
            seen.add(event.section)
            if seen >= set(SECTIONS):
                break
    snapshot = monitor.snapshot("sim")
    assert set(snapshot.sections) == set(SECTIONS)
    assert all(value is not None for value in snapshot.sections.values())

    assert rig.engine.pools.get("sim").state is PoolState.CONNECTED
    sim_total = rig.simulators["sim"].state.total_users()
    online = snapshot.data("online_total")
    assert isinstance(online, AccessUserCounters)
    assert online.total_users == sim_total
    summary = snapshot.data("subscribers")
    assert isinstance(summary, SubscriberSummary)
    assert summary.total == sim_total
    assert isinstance(snapshot.data("interface_brief"), InterfaceBrief)
    traffic = snapshot.data("traffic")
    assert isinstance(traffic, dict)
    assert UPLINK in traffic  # an up member port is among the traffic candidates

    assert summary.pools
    for pool in summary.pools:
        latest_pool = monitor.history.latest("sim", f"pool.{pool.name}.percent")
        assert latest_pool is not None
        assert latest_pool[1] == pool.percent

    # Traffic: rates once two polls of the uplink were answered (the frozen box moves no
    # counters, so the rate is exactly zero, and a zero that is really measured).
    traffic_sub = monitor.subscribe(name="traffic", types=[TrafficSampled])
    sampled = await wait_for(
        traffic_sub,
        lambda e: (
            isinstance(e, TrafficSampled)
            and any(isinstance(p, TrafficSample) and p.interface == UPLINK for p in e.points)
        ),
    )
    assert isinstance(sampled, TrafficSampled)
    uplink_rate = monitor.history.latest("sim", f"if.{UPLINK}.in_bps")
    assert uplink_rate is not None
    assert uplink_rate[1] == 0.0

    # History: ring buffers and the store got the same subscriber samples.
    points = monitor.history.between("sim", "subscribers.total")
    assert points
    assert {value for _, value in points} == {float(sim_total)}
    cpu = monitor.history.latest("sim", "cpu.percent")
    assert cpu is not None
    assert cpu[1] is not None

    recent = await monitor.history_query("sim", "subscribers.total", points[0][0])
    assert recent.source == "memory"
    assert recent.points == monitor.history.between("sim", "subscribers.total", points[0][0])
    older = await monitor.history_query("sim", "subscribers.total", points[0][0] - 3600)
    assert older.source == "store"
    assert older.points[0] == points[0]  # the store has what the ring has

    connected = await wait_for(states, lambda e: True)
    assert isinstance(connected, RouterStateChanged)
    assert (connected.router, connected.state) == ("sim", PoolState.CONNECTING)

    stats = monitor.cache_statistics()
    assert stats.loads >= len(SECTIONS) - 2
    (status,) = monitor.router_status("sim")
    assert status.polling.polls > 0
    assert set(status.polling.last_poll_seconds) == {"system", "interfaces", "pppoe", "traffic"}

    await monitor.stop()
    assert leftover_tasks() == []
    async with asyncio.timeout(WAIT):  # subscriptions end with the monitor
        assert all(isinstance(e, RouterDataUpdated) for e in [e async for e in sub])
    # The history belongs to the box: a store told which box "sim" is reads it back.
    reopened = HistoryStore(rig.store_path, identities={"sim": identity})
    try:
        stored = await reopened.query(
            "sim", "subscribers.total", points[0][0] - 1, points[-1][0] + 1, resolution="raw"
        )
    finally:
        await reopened.close()
    assert [p.value for p in stored.points][: len(points)] == [v for _, v in points]


async def test_mass_drop_raises_subscriber_drop_alert(rig: Rig) -> None:
    monitor = rig.monitor
    sim = rig.simulators["sim"]
    before = sim.state.total_users()
    sub = monitor.subscribe(name="test")
    await monitor.start()
    await wait_for(sub, lambda e: isinstance(e, RouterDataUpdated) and e.section == "online_total")
    sim.faults.schedule_mass_drop(0.3)
    # The drop alert and the box's own major alarm about it, in whichever order they come
    # (its standing minor and warning alarms are alerts too).
    raised: dict[AlertKind, Alert] = {}
    alarms: list[Alert] = []

    def drop_alarm() -> Alert | None:
        return next((a for a in alarms if "PreviousNumber" in a.message), None)

    async with asyncio.timeout(WAIT):
        async for event in sub:
            if isinstance(event, AlertChanged) and event.alert.active:
                raised[event.alert.kind] = event.alert
                if event.alert.kind is AlertKind.ROUTER_ALARM:
                    alarms.append(event.alert)
            if AlertKind.SUBSCRIBER_DROP in raised and drop_alarm() is not None:
                break
    after = sim.state.total_users()
    assert after == before - round(before * 0.3)
    assert f"({before} -> {after})" in raised[AlertKind.SUBSCRIBER_DROP].message
    alarm = drop_alarm()
    assert alarm is not None
    assert alarm.severity is Severity.MAJOR
    assert f"PreviousNumber={before}, CurrentNumber={after}" in alarm.message
    drop_id = raised[AlertKind.SUBSCRIBER_DROP].id
    acked = monitor.acknowledge_alert(drop_id, "noc-1")
    assert acked is not None
    assert acked.acknowledged_by == "noc-1"
    assert monitor.alerts.get(drop_id) == acked
    latest = monitor.history.latest("sim", "subscribers.total")
    assert latest is not None
    assert latest[1] == float(after)


async def test_shutdown_of_monitored_interface_raises_and_undo_clears(rig: Rig) -> None:
    monitor = rig.monitor
    identity = monitor.identity("sim")
    monitor.set_monitored_interfaces("sim", ["GE0/3/1"])
    assert monitor.monitored_interfaces("sim") == (UPLINK,)
    sub = monitor.subscribe(name="test")
    await monitor.start()
    await wait_for(
        sub, lambda e: isinstance(e, RouterDataUpdated) and e.section == "interface_brief"
    )
    # Only the box's standing minor and warning alarms (alerts too), nothing of ours yet.
    assert [a for a in monitor.active_alerts("sim") if a.kind != AlertKind.ROUTER_ALARM] == []

    plan = monitor.plan_change(InterfaceShutdown("sim", UPLINK))
    result = await monitor.run_change(plan, confirmation=plan.token)
    assert result.outcome == "committed"
    raised = await wait_for(sub, alert_event(AlertKind.INTERFACE_DOWN, active=True, subject=UPLINK))
    assert isinstance(raised, AlertChanged)
    # The router raises its own linkDown alarm (major) for the port too; once a system poll
    # has seen it, that shows as a router_alarm alert beside ours. Nothing else may be active.
    active = monitor.active_alerts("sim")
    assert [a.kind for a in active if a.kind != AlertKind.ROUTER_ALARM] == [
        AlertKind.INTERFACE_DOWN
    ]
    serious = (Severity.CRITICAL, Severity.MAJOR)  # beside the box's standing minor alarms
    assert all(
        UPLINK in a.message
        for a in active
        if a.kind == AlertKind.ROUTER_ALARM and a.severity in serious
    )

    plan = monitor.plan_change(InterfaceUndoShutdown("sim", UPLINK))
    result = await monitor.run_change(plan, confirmation=plan.token)
    assert result.outcome == "committed"
    cleared = await wait_for(
        sub, alert_event(AlertKind.INTERFACE_DOWN, active=False, subject=UPLINK)
    )
    assert isinstance(cleared, AlertChanged)
    assert cleared.alert.id == raised.alert.id
    assert [a for a in monitor.active_alerts("sim") if a.kind != AlertKind.ROUTER_ALARM] == []
    await monitor.stop()
    reopened = HistoryStore(rig.store_path, identities={"sim": identity})
    try:
        history: list[Alert] = await reopened.alert_history(router="sim")
    finally:
        await reopened.close()
    ours = [(a.kind, a.active) for a in history if a.kind != AlertKind.ROUTER_ALARM]
    assert ours == [(AlertKind.INTERFACE_DOWN, False)]


async def test_hung_router_does_not_delay_another(tmp_path: Path) -> None:
    frozen = {"clock": lambda: 1_700_000_000.0}
    hung = await start_simulator(host="127.0.0.1", port=0, **frozen, **SMALL_DEVICE)
    healthy = await start_simulator(host="127.0.0.1", port=0, **frozen, **SMALL_DEVICE)
    rig = build_rig({"hung": hung, "healthy": healthy}, tmp_path, command_timeout=3.0)
    hung.faults.hang_commands = {"display cpu-usage"}
    monitor = rig.monitor
    try:
        sub = monitor.subscribe(name="test", types=[RouterDataUpdated, PollFailed])
        await monitor.start()
        healthy_cpu_polls = 0
        async with asyncio.timeout(WAIT):
            async for event in sub:
                if event.router == "healthy" and isinstance(event, RouterDataUpdated):
                    healthy_cpu_polls += event.section == "cpu"
                if event.router == "hung" and event.section == "cpu":
                    assert isinstance(event, PollFailed)
                    break
        # While the hung router's first cpu poll waited out its 3 s timeout, the other router
        # kept its own schedule (0.3 s): serialised polling would give none here. The bar is
        # low on purpose so a starved CI machine cannot fail it.
        assert healthy_cpu_polls >= 2
        snapshot = monitor.snapshot("hung")
        assert snapshot.sections["cpu"] is None
        assert snapshot.sections["memory"] is not None  # the rest of the data set arrived
        (status,) = monitor.router_status("hung")
        assert status.polling.last_error is not None
        assert status.polling.last_error.startswith("cpu:")
        gap = monitor.history.latest("hung", "cpu.percent")
        assert gap is not None
        assert gap[1] is None  # a gap, never a zero
        # Reachability: the router answered other commands, so no unreachable alert
        # (its standing minor and warning alarms are alerts, as on a real box).
        others = [a for a in monitor.active_alerts("hung") if a.kind != AlertKind.ROUTER_ALARM]
        assert others == []

        # Removing the hung router (a command of it in flight) leaves the other polling.
        await monitor.remove_router("hung")
        assert monitor.routers == ["healthy"]
        assert not [n for n in leftover_tasks() if "hung" in n]
        with pytest.raises(KeyError):
            monitor.snapshot("hung")
        await wait_for(
            sub,
            lambda e: (
                isinstance(e, RouterDataUpdated) and e.section == "cpu" and e.router == "healthy"
            ),
        )
        await monitor.stop()
        assert leftover_tasks() == []
    finally:
        await monitor.stop()
        await rig.engine.close()
        await hung.close()
        await healthy.close()


async def test_alert_active_at_stop_is_adopted_after_restart_not_raised_again(
    frozen_simulator: SimulatorHandle, tmp_path: Path
) -> None:
    first = build_rig({"sim": frozen_simulator}, tmp_path)
    try:
        first.monitor.set_monitored_interfaces("sim", [UPLINK])
        sub = first.monitor.subscribe(name="test")
        await first.monitor.start()
        await wait_for(
            sub, lambda e: isinstance(e, RouterDataUpdated) and e.section == "interface_brief"
        )
        plan = first.monitor.plan_change(InterfaceShutdown("sim", UPLINK))
        await first.monitor.run_change(plan, confirmation=plan.token)
        raised = await wait_for(
            sub, alert_event(AlertKind.INTERFACE_DOWN, active=True, subject=UPLINK)
        )
        assert isinstance(raised, AlertChanged)
    finally:
        await first.monitor.stop()
        await first.engine.close()

    second = build_rig({"sim": frozen_simulator}, tmp_path)
    try:
        second.monitor.set_monitored_interfaces("sim", [UPLINK])
        sub = second.monitor.subscribe(name="test", types=[AlertChanged, RouterDataUpdated])
        await second.monitor.start()
        (adopted,) = [
            a for a in second.monitor.active_alerts("sim") if a.kind is AlertKind.INTERFACE_DOWN
        ]
        assert adopted == raised.alert  # same occurrence: same id, same raised_at
        briefs = 0
        async with asyncio.timeout(WAIT):
            async for event in sub:
                # Still down: no new interface alert (the box's own linkDown alarm may come).
                if isinstance(event, AlertChanged):
                    assert event.alert.kind is AlertKind.ROUTER_ALARM, event
                briefs += isinstance(event, RouterDataUpdated) and event.section == (
                    "interface_brief"
                )
                if briefs == 2:
                    break
        plan = second.monitor.plan_change(InterfaceUndoShutdown("sim", UPLINK))
        await second.monitor.run_change(plan, confirmation=plan.token)
        cleared = await wait_for(
            sub, alert_event(AlertKind.INTERFACE_DOWN, active=False, subject=UPLINK)
        )
        assert isinstance(cleared, AlertChanged)
        assert cleared.alert.raised_at == raised.alert.raised_at
    finally:
        await second.monitor.stop()
        await second.engine.close()


async def test_a_mass_drop_on_one_box_never_shows_against_another_box_of_its_name(
    tmp_path: Path,
) -> None:
    """Both boxes are called `router` (as every ROUTER_* router once was), one history file."""
    frozen_at = 1_700_000_000.0
    first_box = await start_simulator(
        host="127.0.0.1", port=0, clock=lambda: frozen_at, **{**SMALL_DEVICE, "users": 2000}
    )
    second_box = await start_simulator(
        host="127.0.0.1", port=0, clock=lambda: frozen_at, **{**SMALL_DEVICE, "users": 700}
    )
    try:
        first = build_rig({"router": first_box}, tmp_path)
        try:
            sub = first.monitor.subscribe(name="test")
            await first.monitor.start()
            await wait_for(
                sub, lambda e: isinstance(e, RouterDataUpdated) and e.section == "online_total"
            )
            first_box.faults.schedule_mass_drop(0.6)
            drop = await wait_for(sub, alert_event(AlertKind.SUBSCRIBER_DROP, active=True))
            assert isinstance(drop, AlertChanged)
            assert drop.alert.port == first_box.port
            ring = first.monitor.history.between("router", "subscribers.total")
            first_values = {value for _, value in ring}
        finally:
            await first.monitor.stop()  # the drop is still active when the app stops
            await first.engine.close()

        second = build_rig({"router": second_box}, tmp_path)  # same name, same history file
        try:
            sub = second.monitor.subscribe(name="test")
            await second.monitor.start()
            await wait_for(
                sub, lambda e: isinstance(e, RouterDataUpdated) and e.section == "online_total"
            )
            kinds = {a.kind for a in second.monitor.active_alerts("router")}
            assert AlertKind.SUBSCRIBER_DROP not in kinds
            history = await second.monitor.history_query(
                "router", "subscribers.total", time.time() - 3600, resolution="raw"
            )
            assert history.source == "store"
            seen = {value for _, value in history.points}
            assert seen  # the second box's own samples
            assert not seen & first_values  # none of the first box's
            assert second.monitor.store is not None
            past = await second.monitor.store.alert_history(router="router")
            assert [a for a in past if a.kind is AlertKind.SUBSCRIBER_DROP] == []
        finally:
            await second.monitor.stop()
            await second.engine.close()
    finally:
        await first_box.close()
        await second_box.close()
