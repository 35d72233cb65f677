"""Background polling of one router: each data set on its own interval, with jitter.

Why it is shaped like this:

* **One task per router** (its data sets run as child tasks of a task group), so a router
  whose commands hang or time out only ever delays itself; every command carries the
  profile's command timeout.
* **Jitter** (default +-10 %) on every interval, so many routers started together drift
  apart instead of hitting their VTY lines and the event loop in lockstep.
* **Reads go through the TTL cache** (single flight: the UI or the feed asking for the same
  command at the same moment shares the poll's command; see :meth:`RouterPoller.read`).
  Cached values carry the time the router answered. A poll reuses a cached reading only if
  it is newer than the one it reported last time and younger than half the interval, so a
  TTL longer than the interval never makes the history repeat an old reading; history and
  rates use the time of the answer, not of the poll.
* **Every section keeps its own record** (:class:`~app.engine.freshness.SectionRecord`):
  the newest good value with the time the router answered it, the last poll's outcome,
  consecutive failures, the last error as a stable code, and the router's own text when an
  answer could not be read or was read only in part. A section failing every poll stays
  visible while the others succeed; the router-wide last error is the newest error of a
  section that is still failing, so another section's success never clears it.
* **Derived values take the oldest time of their inputs**: the subscriber summary combines
  four commands and is as old as the oldest of the answers it shows, never "now".
* **Every outcome is published**: a parsed section as :class:`RouterDataUpdated`, a failed
  one as :class:`PollFailed` (both carrying the section's record) plus a gap (None) in the
  history -- never a zero -- and the alert rules are fed with what was seen, their
  raised/cleared alerts published as :class:`AlertChanged`. A parse failure is logged once
  per command and shape (:mod:`app.engine.failure_log`), not at every poll.
* **Traffic polls every up port and Eth-Trunk plus the monitored interfaces**, whatever is
  marked: marking an uplink "monitored" changes its alerts and where it is drawn, never
  which other interfaces have rates. Each interface's rate comes from its own two newest
  counter readings, at the times the router gave them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import zlib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from app.domain.alarms import AlarmList
from app.domain.alerts import Alert
from app.domain.errors import (
    CommandRejected,
    NE8000MonitorError,
    ParseError,
    UnknownCommandError,
)
from app.domain.interfaces import InterfaceBrief, InterfaceDetail, InterfaceDetails
from app.domain.parsing import ParseWarning, is_partial, warnings_of
from app.domain.router import CommandResult
from app.domain.subscribers import AccessUserCounters, AccessUserSlots, DomainList, IpPoolList
from app.domain.system import CpuUsage, MemoryUsage
from app.engine.alerts import AlertManager
from app.engine.cache import CacheKey, TtlCache
from app.engine.changes import InterfaceDirectory
from app.engine.events import (
    AlertChanged,
    EventBus,
    PollFailed,
    RouterDataUpdated,
    TrafficSampled,
)
from app.engine.failure_log import FailureLog
from app.engine.freshness import (
    ErrorCode,
    SectionError,
    SectionRecord,
    SectionValue,
    derive,
    failed,
    max_age_for,
    section_error,
    succeeded,
)
from app.engine.history import History
from app.engine.parse_memo import ParseMemo
from app.engine.rates import RateTracker, TrafficSample
from app.engine.snapshot import is_detail_candidate
from app.engine.subscribers import summarize_subscribers
from app.vrp.names import normalise_interface_name

_log = logging.getLogger("ne8000monitor.engine.poller")

__all__ = [  # SectionValue moved to app.engine.freshness; importing it from here still works
    "COMMANDS",
    "SECTIONS",
    "DataSet",
    "PollIntervals",
    "PollerParts",
    "PollerStatus",
    "Reading",
    "RouterPoller",
    "SectionValue",
    "UnreadableOutput",
]


class DataSet(StrEnum):
    """What is polled together on one interval; the value is the cache kind it uses."""

    SYSTEM = "system"
    INTERFACES = "interfaces"
    SUBSCRIBERS = "pppoe"
    TRAFFIC = "traffic"


# Data set -> (section, command) polled each time; `version` is added every few polls.
COMMANDS: Mapping[DataSet, tuple[tuple[str, str], ...]] = {
    DataSet.SYSTEM: (
        ("cpu", "display cpu-usage"),
        ("memory", "display memory-usage"),
        ("health", "display health"),
        ("alarms", "display alarm active"),
    ),
    DataSet.INTERFACES: (("interface_brief", "display interface brief"),),
    DataSet.SUBSCRIBERS: (
        ("online_total", "display access-user online-total"),
        ("domains", "display domain"),
        ("ip_pools", "display ip pool"),
        ("slots", "display access-user slot"),
    ),
    DataSet.TRAFFIC: (),  # one `display interface NAME` per chosen interface
}
VERSION = ("version", "display version")
TRAFFIC_SECTION = "traffic"  # data: {interface name: InterfaceDetail}
SUBSCRIBERS_SECTION = "subscribers"  # data: SubscriberSummary combined from its sources
# The sections the subscriber summary is built from (in the order of its arguments).
SUBSCRIBER_SOURCES: tuple[str, ...] = ("online_total", "domains", "slots", "ip_pools")

# Every section a snapshot has (None until first collected).
SECTIONS: tuple[str, ...] = (
    *(section for commands in COMMANDS.values() for section, _ in commands),
    VERSION[0],
    SUBSCRIBERS_SECTION,
    TRAFFIC_SECTION,
)

# Section -> the data set that polls it (the summary follows its sources' data set).
DATASET_OF: Mapping[str, DataSet] = {
    **{section: dataset for dataset, commands in COMMANDS.items() for section, _ in commands},
    VERSION[0]: DataSet.SYSTEM,
    SUBSCRIBERS_SECTION: DataSet.SUBSCRIBERS,
    TRAFFIC_SECTION: DataSet.TRAFFIC,
}

# Errors that mean the router did answer (its output was refused or unparsable).
_ANSWERED = (ParseError, CommandRejected, UnknownCommandError)


@dataclass(frozen=True, slots=True)
class PollIntervals:
    """Seconds between polls of each data set (defaults from the earlier service)."""

    interfaces: float = 30.0
    subscribers: float = 15.0
    system: float = 45.0
    traffic: float = 20.0  # the monitored interfaces' counters
    # The other up ports' counters: every `traffic_rounds`th traffic poll, so about this
    # often (never more often than `traffic`); None: three times `traffic`.
    traffic_others: float | None = None
    jitter: float = 0.1  # each wait is the interval times a factor in [1 - j, 1 + j]
    version_every: int = 20  # `display version` on the first system poll and every Nth

    def __post_init__(self) -> None:
        for name in ("interfaces", "subscribers", "system", "traffic", "traffic_others"):
            if name == "traffic_others" and self.traffic_others is None:
                continue
            if not getattr(self, name) > 0:
                raise ValueError(f"poll interval {name!r} must be positive")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")
        if self.version_every < 1:
            raise ValueError("version_every must be at least 1")

    def of(self, dataset: DataSet) -> float:
        return {
            DataSet.SYSTEM: self.system,
            DataSet.INTERFACES: self.interfaces,
            DataSet.SUBSCRIBERS: self.subscribers,
            DataSet.TRAFFIC: self.traffic,
        }[dataset]

    @property
    def traffic_rounds(self) -> int:
        """A port that is not monitored is read on one traffic poll in this many."""
        others = 3 * self.traffic if self.traffic_others is None else self.traffic_others
        return max(1, round(others / self.traffic))

    def of_section(self, section: str) -> float:
        """Seconds between two answers of `section` (`version`: every Nth system poll;
        `traffic`: its slowest part, the ports that are not monitored)."""
        interval = self.of(DATASET_OF[section])
        if section == VERSION[0]:
            return interval * self.version_every
        if section == TRAFFIC_SECTION:
            return interval * self.traffic_rounds
        return interval


class Runner(Protocol):
    """The router's session pool as the poller uses it."""

    async def run(self, command: str, *, timeout: float | None = None) -> CommandResult: ...


class HistorySink(Protocol):
    """Where samples go besides the ring buffers (the SQLite :class:`HistoryStore`)."""

    def record_many(
        self, router: str, timestamp: float, values: Mapping[str, float | None]
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class Reading:
    """A parsed command output and when the router answered it (epoch seconds).

    ``raw`` is the router's text, kept only when the parse was partial.
    """

    data: Any
    taken_at: float
    raw: str | None = None


class UnreadableOutput(ParseError):
    """The router answered but its text could not be read: the error, the text, the time.

    Still a :class:`ParseError` (the router answered: it is reachable); ``cause`` is what
    the parser raised (a :class:`RouterCommandError` for an `Error:` answer, or a bug's
    exception), ``raw`` the exact text for "Show router output".
    """

    def __init__(self, cause: Exception, raw: str, taken_at: float, command: str) -> None:
        if isinstance(cause, ParseError):
            super().__init__(
                cause.message,
                line=cause.line,
                line_number=cause.line_number,
                command=cause.command or command,
            )
        else:
            super().__init__(f"internal error: {type(cause).__name__}: {cause}", command=command)
        self.cause = cause
        self.raw = raw
        self.taken_at = taken_at


@dataclass(frozen=True, slots=True)
class PollerStatus:
    """What the UI shows about the polling of one router."""

    router: str
    last_error: str | None  # the newest error of a section that still fails
    last_error_at: float | None
    last_poll_seconds: dict[str, float]  # data set -> its last poll's duration, if answered
    polls: int
    failures: int
    sections: dict[str, SectionRecord] = field(default_factory=dict)
    last_answer_at: float | None = None  # when the router last answered anything


@dataclass
class PollerParts:
    """The shared engine pieces every router's poller reports into."""

    cache: TtlCache
    bus: EventBus
    history: History
    alerts: AlertManager
    rates: RateTracker = field(default_factory=RateTracker)
    store: HistorySink | None = None
    interfaces: InterfaceDirectory | None = None  # names the change workflow may use
    clock: Callable[[], float] = time.time  # epoch seconds, for events and history
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)
    failure_log: FailureLog = field(default_factory=lambda: FailureLog(_log))


@dataclass(frozen=True, slots=True)
class _PortReading:
    """One port's last traffic reading: what the router printed, when, what was odd in it.

    ``detail`` is None when the last answer could not be read (``raw`` keeps its text).
    """

    detail: InterfaceDetail | None
    taken_at: float
    warnings: tuple[ParseWarning, ...]
    raw: str | None


class RouterPoller:
    """Polls one router until stopped; keeps its latest data for snapshots."""

    def __init__(
        self,
        router: str,
        runner: Runner,
        parts: PollerParts,
        *,
        intervals: PollIntervals | None = None,
        timeout: float | None = None,
        monitored: Iterable[str] = (),
    ) -> None:
        self.router = router
        self.intervals = intervals or PollIntervals()
        self._runner = runner
        self._parts = parts
        self._timeout = timeout
        self._monitored: tuple[str, ...] = ()
        self.set_monitored(monitored)
        self._records: dict[str, SectionRecord] = {
            name: SectionRecord(name, max_age_for(self.intervals.of_section(name), timeout))
            for name in SECTIONS
        }
        self._task: asyncio.Task[None] | None = None
        self._wake: dict[DataSet, asyncio.Event] = {}
        self._system_polls = 0
        self._seen: dict[str, float] = {}  # command -> time of the reading last reported
        self._previous_pools: tuple[str, ...] = ()  # pool metrics of the last good poll
        self._durations: dict[str, float] = {}
        self._failure_order: dict[str, int] = {}  # section -> sequence of its last failure
        self._sequence = 0
        self._last_answer_at: float | None = None
        self._parsed = ParseMemo()  # an answer identical to the last one is not parsed again
        self._polls = 0
        self._failures = 0
        self._traffic_polls = 0
        # Per polled interface, the last good reading's time, warnings and raw text: a
        # traffic poll reads only some ports, the section shows them all.
        self._traffic_read: dict[str, _PortReading] = {}

    # ---- life cycle ----

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._wake = {dataset: asyncio.Event() for dataset in DataSet}
            self._task = asyncio.create_task(self._run(), name=f"poller {self.router}")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        """Cancel the polling and wait until it has really ended."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    def refresh(self, *datasets: DataSet) -> None:
        """Poll these data sets (all when none given) now instead of at their next turn."""
        for dataset in datasets or tuple(DataSet):
            event = self._wake.get(dataset)
            if event is not None:
                event.set()

    # ---- observation ----

    def set_monitored(self, names: Iterable[str]) -> list[Alert]:
        """Interfaces whose down state raises an alert (and that are always rate-polled)."""
        self._monitored = tuple(dict.fromkeys(normalise_interface_name(n) or n for n in names))
        changes = self._parts.alerts.set_monitored_interfaces(self.router, self._monitored)
        self._publish_alerts(changes)
        return changes

    @property
    def monitored(self) -> tuple[str, ...]:
        return self._monitored

    def latest(self, section: str) -> SectionValue | None:
        record = self._records.get(section)
        return None if record is None else record.value

    def sections(self) -> dict[str, SectionValue | None]:
        """Every known section with its latest good data, None for never collected."""
        return {name: self._records[name].value for name in SECTIONS}

    def records(self) -> dict[str, SectionRecord]:
        """Every section's record: value, time, last outcome, failures, error, raw text."""
        return dict(self._records)

    def status(self) -> PollerStatus:
        error, error_at = self._router_error()
        return PollerStatus(
            router=self.router,
            last_error=error,
            last_error_at=error_at,
            last_poll_seconds=dict(self._durations),
            polls=self._polls,
            failures=self._failures,
            sections=dict(self._records),
            last_answer_at=self._last_answer_at,
        )

    def _router_error(self) -> tuple[str | None, float | None]:
        """The newest failure among the sections that fail now (None when none does)."""
        failing = [r for r in self._records.values() if r.error is not None]
        if not failing:
            return None, None
        newest = max(failing, key=lambda r: self._failure_order.get(r.section, 0))
        assert newest.error is not None
        return f"{newest.section}: {newest.error.detail}", newest.error.at

    # ---- the loops ----

    async def _run(self) -> None:
        async with asyncio.TaskGroup() as group:
            for dataset in DataSet:
                group.create_task(self._loop(dataset), name=f"poll {self.router} {dataset}")

    async def _loop(self, dataset: DataSet) -> None:
        interval = self.intervals.of(dataset)
        jitter = self.intervals.jitter
        wake = self._wake[dataset]
        # The first poll comes soon, after a random slice of the jitter window, so routers
        # added together do not start (and then run) in lockstep.
        first = True
        while True:
            delay = interval * (
                self._parts.rng.uniform(0, jitter)
                if first
                else self._parts.rng.uniform(1 - jitter, 1 + jitter)
            )
            first = False
            await self._wait(wake, delay)
            wake.clear()
            try:
                await self.poll(dataset)
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug in one poll must not end the router's polling
                _log.exception("router %s: polling %s failed unexpectedly", self.router, dataset)

    async def _wait(self, wake: asyncio.Event, delay: float) -> None:
        if wake.is_set():
            return
        sleeper = asyncio.ensure_future(self._parts.sleep(delay))
        waiter = asyncio.ensure_future(wake.wait())
        try:
            await asyncio.wait((sleeper, waiter), return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waiter.cancel()

    async def poll(self, dataset: DataSet) -> None:
        """Poll one data set once and report everything it found (also used by tests)."""
        started = time.perf_counter()
        if dataset is DataSet.TRAFFIC:
            answered = await self._poll_traffic()
        else:
            commands = COMMANDS[dataset]
            if dataset is DataSet.SYSTEM:
                if self._system_polls % self.intervals.version_every == 0:
                    commands = (*commands, VERSION)
                self._system_polls += 1
            results = await asyncio.gather(
                *(self._read(dataset, command, self._seen.get(command)) for _, command in commands)
            )
            answered = self._report(dataset, commands, results)
        # Latency only from a real answer: a poll nobody answered measures a timeout, and
        # the data set's previous figure says nothing about the router now.
        if answered:
            self._durations[str(dataset)] = time.perf_counter() - started
        else:
            self._durations.pop(str(dataset), None)
        self._polls += 1

    async def read(self, dataset: DataSet, command: str) -> Reading | NE8000MonitorError:
        """One command's parsed output for an on-demand reader (a UI refresh, the feed).

        It shares the poller's cache entry (key: router, the data set's cache kind, the
        command) and any load in flight, so it never costs a second identical command.
        """
        return await self._read(dataset, command, None)

    async def _read(
        self, dataset: DataSet, command: str, newer_than: float | None
    ) -> Reading | NE8000MonitorError:
        """The parsed output of `command` through the cache, or the error that prevented it.

        A cached reading taken at or before `newer_than`, or older than half the data set's
        interval, is reloaded from the router. An answer that cannot be read comes back as
        :class:`UnreadableOutput`, holding the router's text.
        """
        key = CacheKey(self.router, str(dataset), command)
        cache = self._parts.cache

        async def load() -> Reading:
            result = await self._runner.run(command, timeout=self._timeout)
            taken_at = self._parts.clock()
            try:
                data = self._parsed.parse(command, result.output)
            except ParseError as error:
                raise UnreadableOutput(error, result.output, taken_at, command) from None
            except UnknownCommandError:
                raise
            except Exception as error:
                # A parser bug must cost one section, not the data set; the traceback is logged.
                _log.exception("router %s: parsing %r failed unexpectedly", self.router, command)
                raise UnreadableOutput(error, result.output, taken_at, command) from None
            return Reading(data, taken_at, result.output if is_partial(data) else None)

        try:
            reading: Reading = await cache.get(key, load)
            too_old = self._parts.clock() - reading.taken_at > self.intervals.of(dataset) / 2
            if too_old or (newer_than is not None and reading.taken_at <= newer_than):
                cache.invalidate(key)  # not what this poll wants: ask the router again
                reading = await cache.get(key, load)
        except NE8000MonitorError as error:
            return error
        except Exception as error:
            # A runner bug must cost one section, not the data set; the traceback is logged.
            _log.exception("router %s: %r failed unexpectedly", self.router, command)
            return ParseError(f"internal error: {type(error).__name__}: {error}", command=command)
        return reading

    # ---- reporting ----

    def _report(
        self,
        dataset: DataSet,
        commands: Iterable[tuple[str, str]],
        results: Iterable[Reading | NE8000MonitorError],
    ) -> bool:
        """Record and publish one data set's outcomes; True when the router answered."""
        now = self._parts.clock()
        outcomes: dict[str, Reading | NE8000MonitorError] = {}
        good: dict[str, Reading] = {}
        for (section, command), outcome in zip(commands, results, strict=True):
            outcomes[section] = outcome
            if isinstance(outcome, Reading):
                self._seen[command] = outcome.taken_at
                good[section] = outcome
                self._succeed(section, command, outcome, now)
            else:
                self._fail(section, outcome, now, command)
        answered = self._observe_reachability(outcomes.values())
        if dataset is DataSet.SYSTEM:
            self._report_system(good, now)
        elif dataset is DataSet.INTERFACES:
            self._report_interfaces(good)
        elif dataset is DataSet.SUBSCRIBERS:
            self._report_subscribers(good, now)
        return answered

    def _report_system(self, good: Mapping[str, Reading], now: float) -> None:
        alerts = self._parts.alerts
        cpu = _data(good, "cpu", CpuUsage)
        memory = _data(good, "memory", MemoryUsage)
        cpu_percent = None if cpu is None else cpu.cpu_percent
        memory_percent = None if memory is None else memory.memory_percent
        self._record(_taken(good, "cpu", now), {"cpu.percent": cpu_percent})
        self._record(_taken(good, "memory", now), {"memory.percent": memory_percent})
        changes = alerts.observe_cpu(self.router, cpu_percent)
        changes += alerts.observe_memory(self.router, memory_percent)
        alarms = _data(good, "alarms", AlarmList)
        if alarms is not None:
            changes += alerts.observe_alarms(self.router, alarms)
        self._publish_alerts(changes)

    def _report_interfaces(self, good: Mapping[str, Reading]) -> None:
        brief = _data(good, "interface_brief", InterfaceBrief)
        if brief is None:
            return
        if self._parts.interfaces is not None:
            self._parts.interfaces.remember(self.router, [row.name for row in brief.interfaces])
        self._publish_alerts(self._parts.alerts.observe_interfaces(self.router, brief))

    def _report_subscribers(self, good: Mapping[str, Reading], now: float) -> None:
        online = _data(good, "online_total", AccessUserCounters)
        pools = _data(good, "ip_pools", IpPoolList)
        total = None if online is None else online.total_users
        previous_pools = self._previous_pools
        summary = summarize_subscribers(
            online_total=self._current("online_total", AccessUserCounters),
            domains=self._current("domains", DomainList),
            slots=self._current("slots", AccessUserSlots),
            pools=self._current("ip_pools", IpPoolList),
        )
        self._derive(SUBSCRIBERS_SECTION, summary, SUBSCRIBER_SOURCES, now)
        self._record(_taken(good, "online_total", now), {"subscribers.total": total})
        if pools is not None:
            usage = {f"pool.{p.name}.percent": p.percent for p in summary.pools or ()}
            self._previous_pools = tuple(usage)
            self._record(_taken(good, "ip_pools", now), usage)
        else:  # the pool poll failed: a gap for every pool known from before
            self._record(now, dict.fromkeys(previous_pools))
        alerts = self._parts.alerts
        changes = alerts.observe_subscribers(self.router, total)
        if pools is not None:
            changes += alerts.observe_pools(self.router, pools)
        self._publish_alerts(changes)

    async def _poll_traffic(self) -> bool:
        """One traffic poll; True when the router answered any of its commands.

        It reads the monitored interfaces and a share of the other up ports (each of them
        every `traffic_rounds` polls); the section holds every port with its last reading
        and is as old as the oldest of them.
        """
        names = await self._traffic_interfaces()
        if names is None:
            return False
        due = self._traffic_due(names)
        # Only answers given during this poll: a rate needs two readings of its own.
        started = self._parts.clock()
        commands = [f"display interface {name}" for name in due]
        results = await asyncio.gather(
            *(self._read(DataSet.TRAFFIC, command, started) for command in commands)
        )
        now = self._parts.clock()
        details: dict[str, InterfaceDetail] = {}
        taken: dict[str, float] = {}  # detail name -> when the router printed its counters
        failed_names: list[str] = []
        errors: list[NE8000MonitorError] = []
        failure_notes: list[ParseWarning] = []
        for name, command, result in zip(due, commands, results, strict=True):
            detail = _detail_of(result.data) if isinstance(result, Reading) else None
            if isinstance(result, Reading) and detail is not None:
                details[name] = detail
                taken[detail.name] = result.taken_at
                raw = _raw_block(command, result.raw) if result.raw is not None else None
                self._traffic_read[name] = _PortReading(
                    detail, result.taken_at, tuple(warnings_of(result.data)), raw
                )
                continue
            self._traffic_read.pop(name, None)
            failed_names.append(name)
            error = (
                result
                if isinstance(result, NE8000MonitorError)
                else ParseError("no interface block in the answer", command=command)
            )
            errors.append(error)
            line = error.line if isinstance(error, ParseError) else None
            failure_notes.append(ParseWarning(" ".join(str(error).split()), line or command))
            if isinstance(error, UnreadableOutput):
                self._traffic_read[name] = _PortReading(
                    None, now, (), _raw_block(command, error.raw)
                )
        # Ports gone from the list (down, removed) are forgotten.
        for name in [n for n in self._traffic_read if n not in names]:
            del self._traffic_read[name]
        kept = [
            reading.detail.name
            for name, reading in self._traffic_read.items()
            if name not in details and reading.detail is not None
        ]
        answered = self._observe_reachability(results) if due else False
        newest = max(taken.values(), default=now)
        points = self._parts.rates.update(
            self.router, newest, details.values(), failed=failed_names, taken=taken, keep=kept
        )
        shown = {
            name: reading
            for name in names
            if (reading := self._traffic_read.get(name)) is not None and reading.detail
        }
        raws = [r.raw for r in self._traffic_read.values() if r.raw is not None]
        raw = "\n".join(raws) if raws else None
        if details:
            warnings = [w for reading in shown.values() for w in reading.warnings]
            oldest = min(reading.taken_at for reading in shown.values())
            data = {name: reading.detail for name, reading in shown.items()}
            self._succeed_with(
                TRAFFIC_SECTION, data, oldest, now, warnings=[*warnings, *failure_notes], raw=raw
            )
        elif errors:
            self._fail(TRAFFIC_SECTION, errors[0], now, commands[0], raw=raw)
        if points:
            self._parts.bus.publish(TrafficSampled(self.router, tuple(points), newest))
            for point in points:
                sample = point if isinstance(point, TrafficSample) else None
                self._record(
                    point.t,
                    {
                        f"if.{point.interface}.in_bps": sample.in_bps if sample else None,
                        f"if.{point.interface}.out_bps": sample.out_bps if sample else None,
                    },
                )
        return answered

    def _traffic_due(self, names: list[str]) -> list[str]:
        """The interfaces this traffic poll reads: the monitored ones, each other port on
        one poll in `traffic_rounds` (spread by its name, so every poll reads about the same
        number), and a port without a good reading yet at once."""
        rounds = self.intervals.traffic_rounds
        turn = self._traffic_polls % rounds
        self._traffic_polls += 1
        if rounds == 1:
            return names
        monitored = set(self._monitored)
        return [
            name
            for name in names
            if name in monitored
            or name not in self._traffic_read
            or self._traffic_read[name].detail is None
            or zlib.crc32(name.encode()) % rounds == turn
        ]

    async def _traffic_interfaces(self) -> list[str] | None:
        """Every up physical port and Eth-Trunk of the brief, plus the monitored ones.

        Which interfaces are marked never changes which others are polled, so marking one
        never costs another its rate. Without a brief (it cannot be read) the monitored
        interfaces alone are polled; with neither, the poll fails.
        """
        brief = self._current("interface_brief", InterfaceBrief)
        if brief is None:
            reading = await self._read(DataSet.INTERFACES, "display interface brief", None)
            if isinstance(reading, Reading) and isinstance(reading.data, InterfaceBrief):
                brief = reading.data
            elif self._monitored:
                return list(self._monitored)
            else:
                error = reading if isinstance(reading, NE8000MonitorError) else None
                now = self._parts.clock()
                if error is not None:
                    self._fail(TRAFFIC_SECTION, error, now, "display interface brief")
                    self._observe_reachability([error])
                gaps = self._parts.rates.poll_failed(self.router, now)
                for gap in gaps:
                    self._record(
                        now,
                        {f"if.{gap.interface}.in_bps": None, f"if.{gap.interface}.out_bps": None},
                    )
                if gaps:
                    self._parts.bus.publish(TrafficSampled(self.router, tuple(gaps), now))
                return None
        candidates = [row.name for row in brief.interfaces if is_detail_candidate(row)]
        return list(dict.fromkeys([*candidates, *self._monitored]))

    # ---- records ----

    def _current(self, section: str, kind: type) -> Any:
        value = self._records[section].value
        return value.data if value is not None and isinstance(value.data, kind) else None

    def _succeed(self, section: str, command: str, reading: Reading, now: float) -> None:
        warnings = warnings_of(reading.data)
        if warnings:
            first = warnings[0]
            self._parts.failure_log.partial(self.router, command, str(first), first.line)
        self._succeed_with(
            section, reading.data, reading.taken_at, now, warnings=warnings, raw=reading.raw
        )

    def _succeed_with(
        self,
        section: str,
        data: Any,
        taken_at: float,
        now: float,
        *,
        warnings: Iterable[ParseWarning] = (),
        raw: str | None = None,
    ) -> None:
        self._last_answer_at = max(self._last_answer_at or taken_at, taken_at)
        record = succeeded(
            self._records[section], data, taken_at, now, raw=raw, warnings=tuple(warnings)
        )
        self._records[section] = record
        self._parts.bus.publish(RouterDataUpdated(self.router, section, data, taken_at, record))

    def _derive(self, section: str, data: Any, sources: Iterable[str], now: float) -> None:
        """Store a value built from other sections, as old as the oldest of them."""
        record = derive(self._records[section], data, (self._records[s] for s in sources), now)
        self._records[section] = record
        if record.value is not None:  # nothing answered yet: nothing to show, no event
            self._parts.bus.publish(
                RouterDataUpdated(self.router, section, data, record.value.timestamp, record)
            )

    def _fail(
        self,
        section: str,
        error: NE8000MonitorError,
        now: float,
        command: str | None = None,
        *,
        raw: str | None = None,
    ) -> None:
        if isinstance(error, UnreadableOutput):
            raw = raw if raw is not None else error.raw
            self._last_answer_at = max(self._last_answer_at or error.taken_at, error.taken_at)
        details = section_error(error, now, command=command)
        previous = self._records[section]
        record = failed(previous, details, raw=raw)
        self._records[section] = record
        self._sequence += 1
        self._failure_order[section] = self._sequence
        self._failures += 1
        self._log_failure(section, details, previous)
        self._parts.bus.publish(PollFailed(self.router, section, details.detail, now, record))

    def _log_failure(self, section: str, error: SectionError, previous: SectionRecord) -> None:
        """Parse failures once per command and shape; others when a failure streak starts
        or its kind changes (an unreachable router is not logged at every poll)."""
        if error.code is ErrorCode.PARSE_ERROR:
            command = error.command or section
            self._parts.failure_log.unreadable(self.router, command, error.detail, error.line)
            return
        known = previous.error
        starts = known is None or known.code is not error.code
        _log.log(
            logging.INFO if starts else logging.DEBUG,
            "router %s: %s failed: %s",
            self.router,
            section,
            error.detail,
        )

    def _observe_reachability(self, outcomes: Iterable[object]) -> bool:
        """Reachable when any command was answered (even with an error or bad output)."""
        outcomes = list(outcomes)
        if not outcomes:
            return False
        answered = any(isinstance(o, (Reading, *_ANSWERED)) for o in outcomes)
        error = None
        if not answered:  # the error itself: a refused login is not "unreachable"
            error = next((o for o in outcomes if isinstance(o, Exception)), None)
        changes = self._parts.alerts.observe_reachability(self.router, answered, error)
        self._publish_alerts(changes)
        return answered

    def _record(self, timestamp: float, metrics: Mapping[str, float | None]) -> None:
        if not metrics:
            return
        for metric, value in metrics.items():
            try:
                self._parts.history.record(self.router, metric, timestamp, value)
            except ValueError:  # the wall clock stepped back; the ring keeps time order
                _log.debug("router %s: %s sample out of order, skipped", self.router, metric)
        if self._parts.store is not None:
            try:
                self._parts.store.record_many(self.router, timestamp, metrics)
            except Exception:  # a closed or broken store costs history, never polling
                _log.warning("router %s: history store refused samples", self.router, exc_info=True)

    def _publish_alerts(self, changes: Iterable[Alert]) -> None:
        now = self._parts.clock()
        for alert in changes:
            self._parts.bus.publish(AlertChanged(alert.router, alert, now))


def _data[T](readings: Mapping[str, Reading], section: str, kind: type[T]) -> T | None:
    reading = readings.get(section)
    return reading.data if reading is not None and isinstance(reading.data, kind) else None


def _taken(readings: Mapping[str, Reading], section: str, default: float) -> float:
    reading = readings.get(section)
    return default if reading is None else reading.taken_at


def _detail_of(data: Any) -> InterfaceDetail | None:
    """`display interface NAME` parses to a list with (normally) one block."""
    if isinstance(data, InterfaceDetail):
        return data
    if isinstance(data, InterfaceDetails) and data.interfaces:
        return data.interfaces[0]
    return None


def _raw_block(command: str, text: str) -> str:
    """One command's text in a combined raw view (traffic reads many commands)."""
    return f"<{command}>\n{text}"
