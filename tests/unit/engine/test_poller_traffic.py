"""Traffic polls read the monitored interfaces every time and the other up ports in turns.

The router is the simulator's device model answering in-process (no SSH), on a hand-moved
clock, so every reading's time is known exactly.
"""

from __future__ import annotations

from app.domain.errors import CommandRejected
from app.domain.interfaces import InterfaceDetail
from app.domain.router import CommandResult, PromptKind
from app.engine.alerts import AlertManager
from app.engine.cache import TtlCache
from app.engine.events import EventBus, TrafficSampled
from app.engine.freshness import Freshness
from app.engine.history import History
from app.engine.poller import TRAFFIC_SECTION, DataSet, PollerParts, PollIntervals, RouterPoller
from app.engine.rates import TrafficSample
from app.simulator.device import DeviceState
from app.simulator.render import render_interface, render_interface_brief
from tests.unit.engine.test_poller import Clock, RecordingSink, drain

INTERVALS = PollIntervals(traffic=20.0, traffic_others=60.0, jitter=0.0)


class DeviceRunner:
    """The simulator's device model as the poller's runner: brief and per-port detail.

    Each answer takes 10 ms of the hand-moved clock; `calls` keeps when each was given.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.state = DeviceState(interfaces=12, seed=2024, clock=clock)
        self.calls: list[tuple[str, float]] = []

    async def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        self.clock.now += 0.01
        self.calls.append((command, self.clock.now))
        if command == "display interface brief":
            text = render_interface_brief(self.state)
        elif command.startswith("display interface "):
            text = render_interface(self.state, command.removeprefix("display interface "))
        else:
            message = "Error: Unrecognized command found at '^' position."
            raise CommandRejected(message, router_message=message)
        return CommandResult(command, text, "<R1>", PromptKind.USER)


def _poller(clock: Clock) -> tuple[RouterPoller, DeviceRunner, PollerParts]:
    runner = DeviceRunner(clock)
    parts = PollerParts(
        cache=TtlCache(ttls={"interfaces": 1.0}, clock=clock),
        bus=EventBus(),
        history=History(),
        alerts=AlertManager(),
        store=RecordingSink(),
        clock=clock,
    )
    poller = RouterPoller("R1", runner, parts, intervals=INTERVALS, timeout=5.0)
    return poller, runner, parts


def _port_reads(runner: DeviceRunner) -> dict[str, float]:
    """The ports read since the last call, in order, with when each answered."""
    ports = {c.removeprefix("display interface "): at for c, at in runner.calls}
    runner.calls.clear()
    ports.pop("brief", None)
    return ports


def test_other_ports_are_read_every_third_poll_by_default() -> None:
    assert PollIntervals().traffic_rounds == 3
    assert PollIntervals(traffic=20.0, traffic_others=20.0).traffic_rounds == 1
    assert PollIntervals(traffic=60.0, traffic_others=20.0).traffic_rounds == 1  # never faster
    assert PollIntervals(traffic=0.3).traffic_rounds == 3  # scaled intervals keep the ratio
    # The section holds readings up to a whole round old, and its age allows for that.
    assert INTERVALS.of_section(TRAFFIC_SECTION) == 60.0


async def test_monitored_ports_every_poll_others_once_a_round_and_the_section_keeps_all() -> None:
    clock = Clock()
    poller, runner, parts = _poller(clock)
    events = parts.bus.subscribe(name="test", types=[TrafficSampled])
    await poller.poll(DataSet.TRAFFIC)
    read_at = _port_reads(runner)
    everything = list(read_at)
    assert len(everything) >= 4  # the first poll reads every up port
    uplink, others = everything[0], everything[1:]
    poller.set_monitored([uplink])
    await drain(events)

    rated: dict[str, list[float]] = {}
    for _ in range(INTERVALS.traffic_rounds):
        clock.now += INTERVALS.traffic
        await poller.poll(DataSet.TRAFFIC)
        polled = _port_reads(runner)
        assert next(iter(polled)) == uplink  # the monitored uplink on every poll
        read_at.update(polled)
        record = poller.records()[TRAFFIC_SECTION]
        assert record.value is not None
        details = record.value.data
        # Every up port stays in the section with its own last reading ...
        assert list(details) == everything
        assert all(isinstance(detail, InterfaceDetail) for detail in details.values())
        # ... and the section is as old as the oldest of them, never stamped "now".
        assert record.value.timestamp == min(read_at.values())
        assert record.state(clock.now) is Freshness.FRESH
        for event in await drain(events):
            assert isinstance(event, TrafficSampled)
            for point in event.points:
                assert isinstance(point, TrafficSample)
                rated.setdefault(point.interface, []).append(point.t)

    # Over a round, each other port was read exactly once and got one rate from its own
    # two readings; the uplink got one every poll.
    assert len(rated[uplink]) == INTERVALS.traffic_rounds
    assert sorted(port for port in rated if port != uplink) == sorted(others)
    assert all(len(rated[port]) == 1 and rated[port][0] == read_at[port] for port in others)
    # About a third of the other ports per poll, not all of them at once.
    assert max(read_at[port] for port in others) > min(read_at[port] for port in others)
