"""RouterPoller logic with a scripted runner, a hand-moved clock and a recording sleep."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping

import pytest

from app.domain.alerts import AlertKind
from app.domain.errors import CommandRejected, RouterUnreachable
from app.domain.router import CommandResult, PromptKind
from app.engine.alerts import AlertManager
from app.engine.cache import CacheKey, TtlCache
from app.engine.events import (
    AlertChanged,
    Event,
    EventBus,
    PollFailed,
    RouterDataUpdated,
    Subscription,
)
from app.engine.history import History
from app.engine.poller import DataSet, PollerParts, PollIntervals, Reading, RouterPoller
from tests.support.fixtures import fixture_text

CPU = fixture_text("display-cpu-usage__ce-vrp8-lab-notes__1.txt")  # 17 %
MEMORY = fixture_text("display-memory-usage__it-isp-vrp8-bras-script__1.txt")  # 22 %


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class ScriptedRunner:
    """Answers scripted commands; others are rejected, like an unsupported command."""

    def __init__(self, outputs: Mapping[str, str]) -> None:
        self.outputs = dict(outputs)
        self.fail: Exception | None = None
        self.calls: dict[str, int] = {}

    async def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        self.calls[command] = self.calls.get(command, 0) + 1
        if self.fail is not None:
            raise self.fail
        if command not in self.outputs:
            message = "Error: Unrecognized command found at '^' position."
            raise CommandRejected(message, router_message=message)
        return CommandResult(command, self.outputs[command], "<R1>", PromptKind.USER)


class RecordingSink:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, dict[str, float | None]]] = []

    def record_many(
        self, router: str, timestamp: float, values: Mapping[str, float | None]
    ) -> None:
        self.rows.append((router, timestamp, dict(values)))


def make(
    clock: Clock, runner: ScriptedRunner, *, ttl: float = 100.0
) -> tuple[RouterPoller, PollerParts, RecordingSink]:
    sink = RecordingSink()
    parts = PollerParts(
        cache=TtlCache(ttls=dict.fromkeys(("system", "pppoe", "interfaces"), ttl), clock=clock),
        bus=EventBus(),
        history=History(),
        alerts=AlertManager(),
        store=sink,
        clock=clock,
    )
    return RouterPoller("R1", runner, parts, timeout=1.0), parts, sink


async def drain(subscription: Subscription) -> list[Event]:
    """Everything published so far (publishing is synchronous, so it is all queued)."""
    return [await anext(subscription) for _ in range(subscription.statistics().queued)]


async def test_failed_polls_leave_gaps_and_raise_then_clear_unreachable() -> None:
    clock = Clock()
    runner = ScriptedRunner({"display cpu-usage": CPU, "display memory-usage": MEMORY})
    poller, parts, sink = make(clock, runner)
    sub = parts.bus.subscribe(name="t")
    runner.fail = RouterUnreachable("cannot connect: refused")

    await poller.poll(DataSet.SYSTEM)
    events = await drain(sub)
    failed = {e.section for e in events if isinstance(e, PollFailed)}
    assert failed == {"cpu", "memory", "health", "alarms", "version"}
    assert not [e for e in events if isinstance(e, AlertChanged)]  # one failure is not enough
    assert parts.history.latest("R1", "cpu.percent") == (clock.now, None)
    assert sink.rows == [
        ("R1", clock.now, {"cpu.percent": None}),
        ("R1", clock.now, {"memory.percent": None}),
    ]

    clock.now += 45
    await poller.poll(DataSet.SYSTEM)
    alerts = [e.alert for e in await drain(sub) if isinstance(e, AlertChanged)]
    assert [(a.kind, a.active) for a in alerts] == [(AlertKind.ROUTER_UNREACHABLE, True)]
    assert "cannot connect: refused" in alerts[0].message
    # The newest failure (the data set's last section) is what the status bar shows.
    assert poller.status().last_error == "alarms: cannot connect: refused"
    assert poller.sections()["cpu"] is None

    runner.fail = None
    clock.now += 45
    await poller.poll(DataSet.SYSTEM)
    events = await drain(sub)
    alerts = [e.alert for e in events if isinstance(e, AlertChanged)]
    assert [(a.kind, a.active) for a in alerts] == [(AlertKind.ROUTER_UNREACHABLE, False)]
    updated = {e.section: e.data for e in events if isinstance(e, RouterDataUpdated)}
    assert updated["cpu"].cpu_percent == 17
    assert updated["memory"].memory_percent == 22
    assert parts.history.between("R1", "cpu.percent") == [
        (clock.now - 90, None),
        (clock.now - 45, None),
        (clock.now, 17.0),
    ]
    assert sink.rows[-2:] == [
        ("R1", clock.now, {"cpu.percent": 17.0}),
        ("R1", clock.now, {"memory.percent": 22.0}),
    ]
    cpu = poller.latest("cpu")
    assert cpu is not None
    assert cpu.timestamp == clock.now


async def test_poll_reuses_only_a_newer_cached_reading_and_never_repeats_one() -> None:
    clock = Clock()
    t0 = clock.now
    runner = ScriptedRunner({"display cpu-usage": CPU, "display memory-usage": MEMORY})
    poller, parts, _sink = make(clock, runner, ttl=100.0)  # TTL far longer than the interval

    await poller.poll(DataSet.SYSTEM)
    clock.now = t0 + 10  # an on-demand reader shares the poll's fresh cached reading
    shared = await poller.read(DataSet.SYSTEM, "display cpu-usage")
    assert isinstance(shared, Reading)
    assert shared.taken_at == t0
    assert runner.calls["display cpu-usage"] == 1

    clock.now = t0 + 12  # the poll wants a reading newer than the one it reported
    await poller.poll(DataSet.SYSTEM)
    assert runner.calls["display cpu-usage"] == 2

    clock.now = t0 + 37  # 25 s old, over half the 45 s interval: the reader reloads
    await poller.read(DataSet.SYSTEM, "display cpu-usage")
    assert runner.calls["display cpu-usage"] == 3
    clock.now = t0 + 40  # ... and the next poll uses that newer reading
    await poller.poll(DataSet.SYSTEM)
    assert runner.calls["display cpu-usage"] == 3
    assert runner.calls["display memory-usage"] == 3

    # History carries the time each reading was taken, not when the poll ran.
    assert parts.history.between("R1", "cpu.percent") == [
        (t0, 17.0),
        (t0 + 12, 17.0),
        (t0 + 37, 17.0),
    ]
    assert [t for t, _ in parts.history.between("R1", "memory.percent")] == [t0, t0 + 12, t0 + 40]
    assert runner.calls["display version"] == 1  # the first of every `version_every` polls


async def test_schedule_has_jitter_and_stop_ends_every_task() -> None:
    clock = Clock()
    runner = ScriptedRunner({})
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)
        await asyncio.sleep(0)

    poller, parts, _sink = make(clock, runner)
    parts.sleep = sleep
    parts.rng = random.Random(4)
    poller.intervals = PollIntervals(
        interfaces=10.0, subscribers=10.0, system=10.0, traffic=10.0, jitter=0.1
    )
    poller.start()
    async with asyncio.timeout(5):
        while len(delays) < 24:
            await asyncio.sleep(0)
    await poller.stop()
    assert not poller.running
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith(("poller", "poll "))]
    first, rest = delays[:4], delays[4:]
    assert all(0 <= d <= 1.0 for d in first)
    assert all(9.0 <= d <= 11.0 for d in rest)
    assert len(set(rest)) == len(rest)  # every wait drawn anew, not one fixed offset


def test_intervals_are_validated() -> None:
    with pytest.raises(ValueError, match="traffic"):
        PollIntervals(traffic=0)
    with pytest.raises(ValueError, match="jitter"):
        PollIntervals(jitter=1.0)
    assert PollIntervals().of(DataSet.SUBSCRIBERS) == 15.0


async def test_unparsable_output_fails_the_section_but_not_reachability() -> None:
    clock = Clock()
    runner = ScriptedRunner({"display cpu-usage": "garbage\n", "display memory-usage": MEMORY})
    poller, parts, _sink = make(clock, runner, ttl=0.0)
    sub = parts.bus.subscribe(name="t")
    for _ in range(3):
        await poller.poll(DataSet.SYSTEM)
        clock.now += 45
    events = await drain(sub)
    assert [e.section for e in events if isinstance(e, PollFailed) and e.section == "cpu"] == [
        "cpu"
    ] * 3
    assert not [e for e in events if isinstance(e, AlertChanged)]  # it answered: reachable
    assert [v for _, v in parts.history.between("R1", "memory.percent")] == [22.0] * 3
    assert [v for _, v in parts.history.between("R1", "cpu.percent")] == [None] * 3


async def test_cancel_loads_ends_shielded_loads_of_one_router() -> None:
    cache = TtlCache()
    started = asyncio.Event()

    async def hang() -> str:
        started.set()
        await asyncio.Event().wait()
        return "never"

    async def quick() -> str:
        return "value"

    waiter = asyncio.create_task(cache.get(CacheKey("R1", "system", "x"), hang))
    await started.wait()
    other = await cache.get(CacheKey("R2", "system", "x"), quick)
    assert await cache.cancel_loads("R2") == 0
    assert await cache.cancel_loads("R1") == 1
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert other == "value"
    assert cache.statistics().loads_in_flight == 0
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("cache-load")]


async def test_a_traffic_poll_before_any_interface_poll_reads_the_brief_itself() -> None:
    """Without monitored interfaces, traffic picks ports from the brief, reading it if needed."""
    brief = fixture_text("display-interface-brief__huawei-doc-ne40e-v800r012c10__1.txt")
    runner = ScriptedRunner({"display interface brief": brief})
    poller, _parts, _sink = make(Clock(), runner)
    await poller.poll(DataSet.TRAFFIC)
    assert runner.calls["display interface brief"] == 1
    assert any(
        command.startswith("display interface ")
        for command in runner.calls
        if command != "display interface brief"
    )
