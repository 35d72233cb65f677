"""Section freshness against a simulated NE8000 that hangs some commands or is stopped.

The engine runs with short intervals over loopback SSH; the tests wait for what must happen
(bounded by a generous timeout) and never measure time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from app.engine.events import TrafficSampled
from app.engine.freshness import ErrorCode, Freshness
from app.engine.monitor import Monitor
from app.engine.rates import TrafficSample
from app.simulator.server import SimulatorHandle, start_simulator
from tests.integration.conftest import SMALL_DEVICE
from tests.integration.engine.test_monitor_simulator import WAIT, Rig, build_rig

ROUTER = "sim"
HUNG = ("display access-user online-total", "display ip pool")


@pytest.fixture
async def quick_timeout_rig(tmp_path: Path) -> AsyncIterator[Rig]:
    """A running monitor over one simulator, with a 1 s command timeout."""
    handle = await start_simulator(host="127.0.0.1", port=0, **SMALL_DEVICE)
    rig = build_rig({ROUTER: handle}, tmp_path, command_timeout=1.0)
    try:
        await rig.monitor.start()
        yield rig
    finally:
        await rig.monitor.stop()
        await rig.engine.close()
        await handle.close()


async def until(condition: Callable[[], object], what: str) -> None:
    async with asyncio.timeout(WAIT):
        while not condition():
            await asyncio.sleep(0.05)
    assert condition(), what


def state(monitor: Monitor, section: str) -> Freshness:
    return monitor.snapshot(ROUTER).state(section, monitor.now())


async def test_hanging_commands_turn_their_sections_stale_while_others_stay_fresh(
    quick_timeout_rig: Rig,
) -> None:
    monitor = quick_timeout_rig.monitor
    simulator: SimulatorHandle = quick_timeout_rig.simulators[ROUTER]
    await until(lambda: state(monitor, "subscribers") is Freshness.FRESH, "a first summary")
    before = monitor.snapshot(ROUTER).records
    old_total = before["online_total"].collected_at
    old_pools = before["ip_pools"].collected_at

    simulator.faults.hang_commands = set(HUNG)
    await until(
        lambda: all(
            monitor.snapshot(ROUTER).records[s].failures >= 2 for s in ("online_total", "ip_pools")
        ),
        "two timed-out polls of each hung command",
    )
    snapshot = monitor.snapshot(ROUTER)
    now = monitor.now()
    for section in ("online_total", "ip_pools", "subscribers"):
        assert snapshot.state(section, now) is Freshness.STALE, section
    total = snapshot.records["online_total"]
    assert total.error is not None
    assert total.error.code is ErrorCode.TIMEOUT
    assert total.collected_at == old_total  # the old figure keeps its own time
    # The summary shows that old figure, so it is as old as it: never re-stamped "now".
    summary = snapshot.records["subscribers"]
    assert summary.collected_at == min(old_total, old_pools)  # type: ignore[type-var]
    # The commands that answer stay fresh, in the same data set and in the others.
    await until(lambda: state(monitor, "domains") is Freshness.FRESH, "domains answering")
    await until(lambda: state(monitor, "cpu") is Freshness.FRESH, "cpu answering")
    # Other sections' successes never clear the router-wide error of a failing one.
    (status,) = monitor.router_status(ROUTER)
    assert status.polling.last_error is not None
    assert status.polling.last_error.split(":")[0] in {"online_total", "ip_pools"}

    simulator.faults.hang_commands = set()
    await until(lambda: state(monitor, "subscribers") is Freshness.FRESH, "recovery")
    (status,) = monitor.router_status(ROUTER)
    assert status.polling.sections["online_total"].failures == 0


async def test_a_stopped_router_goes_stale_and_its_last_answer_time_stands_still(
    quick_timeout_rig: Rig,
) -> None:
    monitor = quick_timeout_rig.monitor
    simulator = quick_timeout_rig.simulators[ROUTER]
    await until(
        lambda: all(state(monitor, s) is Freshness.FRESH for s in ("cpu", "online_total")),
        "first answers",
    )
    await simulator.close()  # the router is powered off
    await until(
        lambda: all(
            r.failures >= 1
            for r in monitor.snapshot(ROUTER).records.values()
            if r.value is not None
        ),
        "every collected section to fail once",
    )
    (status,) = monitor.router_status(ROUTER)
    answered = status.polling.last_answer_at
    await asyncio.sleep(1.0)  # more polls fail meanwhile
    (status,) = monitor.router_status(ROUTER)
    assert status.polling.last_answer_at == answered  # no answer, no newer time
    await until(
        lambda: monitor.router_status(ROUTER)[0].polling.last_poll_seconds == {},
        "no latency once every data set's last poll went unanswered",
    )
    snapshot = monitor.snapshot(ROUTER)
    now = monitor.now()
    with_data = [name for name, r in snapshot.records.items() if r.value is not None]
    assert with_data
    assert all(snapshot.state(name, now) is Freshness.STALE for name in with_data)
    assert {r.error.code for r in snapshot.records.values() if r.error} <= {
        ErrorCode.UNREACHABLE,
        ErrorCode.SESSION_LOST,
        ErrorCode.TIMEOUT,
    }


async def test_marking_one_interface_monitored_leaves_every_other_rate_running(
    tmp_path: Path,
) -> None:
    handle = await start_simulator(host="127.0.0.1", port=0, **SMALL_DEVICE)
    rig = build_rig({ROUTER: handle}, tmp_path)
    monitor = rig.monitor
    sub = monitor.subscribe(name="test", types=[TrafficSampled])
    latest: dict[str, float] = {}

    async def collect_until(condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(WAIT):
            async for event in sub:
                assert isinstance(event, TrafficSampled)
                for point in event.points:
                    if isinstance(point, TrafficSample):
                        latest[point.interface] = point.t
                if condition():
                    return

    try:
        await monitor.start()
        await collect_until(lambda: len(latest) >= 4)
        polled = set(monitor.snapshot(ROUTER).data("traffic"))  # type: ignore[arg-type]
        rated = set(latest)
        chosen = sorted(rated)[0]
        marked_at = monitor.now()
        monitor.set_monitored_interfaces(ROUTER, [chosen])
        # Every interface that had a rate gets a newer one, from its own newer readings.
        await collect_until(lambda: all(latest[name] > marked_at for name in rated))
        details = monitor.snapshot(ROUTER).data("traffic")
        assert isinstance(details, dict)
        assert set(details) == polled  # the same interfaces, descriptions and all
        assert state(monitor, "traffic") is Freshness.FRESH
    finally:
        sub.close()
        await monitor.stop()
        await rig.engine.close()
        await handle.close()
