"""Rates from real `display interface` polls of the simulator over loopback SSH.

The simulator runs on a hand-stepped clock, so its counters advance by exactly the time
between polls; the rates the tracker computes must match the simulator's own traffic.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.domain.errors import RouterTimeout
from app.engine.changes import InterfaceShutdown
from app.engine.rates import GapReason, RateTracker, TrafficGap, TrafficPoint, TrafficSample
from app.simulator.server import SimulatorHandle, start_simulator
from app.vrp.catalog import parse_output
from tests.integration.conftest import SMALL_DEVICE
from tests.integration.engine.conftest import ROUTER, Wired, wire

SHUT = "GigabitEthernet0/3/1"  # a member of access trunk Eth-Trunk10
STILL_FLOWING = ("GigabitEthernet0/2/0", "GigabitEthernet0/2/1", "100GE0/1/0", "100GE0/1/1")
STEP = 30.0


class SteppedClock:
    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def stepped(tmp_path: Path) -> AsyncIterator[tuple[Wired, SteppedClock]]:
    clock = SteppedClock()
    handle: SimulatorHandle = await start_simulator(
        host="127.0.0.1", port=0, clock=clock, **SMALL_DEVICE
    )
    wired = wire(handle, tmp_path, command_timeout=5.0)
    try:
        yield wired, clock
    finally:
        await wired.engine.close()
        await handle.close()


async def poll(wired: Wired, tracker: RateTracker, t: float) -> dict[str, TrafficPoint]:
    result = await wired.engine.pools.get(ROUTER).run("display interface")
    details = parse_output("display interface", result.output)
    return {p.interface: p for p in tracker.update(ROUTER, t, details.interfaces)}


def sample(points: dict[str, TrafficPoint], name: str) -> TrafficSample:
    point = points[name]
    assert isinstance(point, TrafficSample), point
    return point


async def test_committed_shutdown_stops_that_interface_while_others_flow(
    stepped: tuple[Wired, SteppedClock],
) -> None:
    wired, clock = stepped
    state = wired.simulator.state
    tracker = RateTracker()
    assert await poll(wired, tracker, clock.now) == {}  # the first poll only starts series

    clock.now += STEP
    points = await poll(wired, tracker, clock.now)
    for name in (SHUT, *STILL_FLOWING):
        rate = sample(points, name)
        assert rate.t == clock.now
        assert rate.in_bps is not None
        assert rate.in_bps > 1_000_000  # busy ports: megabits per second at least
        # The simulator integrated its own rate over exactly STEP seconds.
        assert rate.in_bps == pytest.approx(state.interfaces[name].rate_in_bps, rel=1e-6)
        assert rate.out_bps == pytest.approx(state.interfaces[name].rate_out_bps, rel=1e-6)
        assert rate.in_pps is not None
        assert rate.in_pps > 0

    names = list(state.interfaces)
    wired.engine.interfaces.remember(ROUTER, names)
    plan = wired.engine.workflow.plan(InterfaceShutdown(ROUTER, SHUT))
    assert (await wired.engine.workflow.apply(plan, confirmation=plan.token)).outcome == "committed"

    clock.now += STEP
    points = await poll(wired, tracker, clock.now)
    stopped = sample(points, SHUT)
    assert (stopped.in_bps, stopped.out_bps, stopped.in_pps, stopped.out_pps) == (0, 0, 0, 0)
    for name in STILL_FLOWING:
        rate = sample(points, name)
        assert rate.in_bps is not None
        assert rate.in_bps > 1_000_000


async def test_counter_reset_and_failed_poll_give_gaps_not_spikes_or_zeros(
    stepped: tuple[Wired, SteppedClock],
) -> None:
    wired, clock = stepped
    state = wired.simulator.state
    tracker = RateTracker()
    await poll(wired, tracker, clock.now)
    clock.now += STEP
    await poll(wired, tracker, clock.now)

    # The line card behind GE0/2/0 reboots: its counters restart near zero.
    state.advance()
    port = state.interfaces["GigabitEthernet0/2/0"]
    port.in_bytes = port.out_bytes = port.in_packets = port.out_packets = 0
    clock.now += STEP
    points = await poll(wired, tracker, clock.now)
    assert points["GigabitEthernet0/2/0"] == TrafficGap(
        ROUTER, "GigabitEthernet0/2/0", clock.now, GapReason.COUNTER_RESET
    )
    assert sample(points, "GigabitEthernet0/2/1").in_bps is not None

    # Next poll hangs past the command timeout: every interface gets a gap, none a zero.
    wired.simulator.faults.hang_commands = {"display interface"}
    clock.now += STEP
    with pytest.raises(RouterTimeout):
        await wired.engine.pools.get(ROUTER).run("display interface", timeout=0.5)
    gaps = tracker.poll_failed(ROUTER, clock.now)
    assert {g.interface for g in gaps} == tracker.interfaces(ROUTER)
    assert all(g.reason is GapReason.POLL_FAILED for g in gaps)
    assert "GigabitEthernet0/2/1" in {g.interface for g in gaps}

    wired.simulator.faults.hang_commands = set()
    clock.now += STEP
    assert await poll(wired, tracker, clock.now) == {}  # after a gap a new series starts
    clock.now += STEP
    points = await poll(wired, tracker, clock.now)
    after_reset = sample(points, "GigabitEthernet0/2/0")
    assert after_reset.in_bps == pytest.approx(port.rate_in_bps, rel=1e-6)
