"""`RemoteMonitor`: the engine facade the window uses, fed by a collector instead of routers.

It holds the picture the collector's feed describes -- every router's section records
with the router's own times, the router states, the active alerts -- and publishes the
engine's events (:mod:`app.engine.events`) on its own bus as feed messages arrive, so the
window's bridge and views work unchanged. It opens no session to any router: reads come
from `/ws/monitor` and `/api/history`; console lines, changes and acknowledgements go to
the collector, which checks, rate-limits and audits them under this seat's token.

The connection to the collector is watched like a router's: when it is lost, every section
of every router fails at once with "collector unreachable" (so the window shows "Stale since
..." with the time the router last answered, never the time a message arrived), every
router turns unreachable, and reconnects follow a capped, jittered backoff. On reconnect
the collector's picture replaces the old one wholesale (routers, records, alerts: an alert
that cleared meanwhile is gone).

Times: section times are the router's as the collector saw them. Freshness is judged
against :meth:`RemoteMonitor.now`, the collector's clock as estimated from its messages,
so a seat whose own clock is off does not see fresh data as stale (or the reverse).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Literal

import aiohttp
import msgspec

from app.domain.alerts import Alert
from app.domain.errors import NE8000MonitorError, RateLimited
from app.domain.interfaces import InterfaceBrief
from app.domain.router import CommandResult, PromptKind
from app.engine.backoff import Backoff
from app.engine.cache import CacheStatistics
from app.engine.changes import (
    ChangeAbandoned,
    ChangePlan,
    ChangeRequest,
    ChangeResult,
    ConfirmationError,
    CutAccessUser,
    InterfaceShutdown,
    change_steps,
)
from app.engine.events import (
    AlertChanged,
    Event,
    EventBus,
    PollFailed,
    RouterDataUpdated,
    RoutersChanged,
    RouterStateChanged,
    Subscription,
    TrafficSampled,
)
from app.engine.freshness import ErrorCode, SectionError, SectionRecord, failed
from app.engine.history_store import HistoryPoint, Resolution, SeriesData
from app.engine.monitor import HistoryResult, RouterSnapshot, RouterStatus
from app.engine.pool import PoolState
from app.engine.runtime import CollectorState, CollectorStatus
from app.feed.wire import messages as wire
from app.feed.wire import status as status_wire
from app.feed.wire.collector import (
    AcknowledgeAnswer,
    AcknowledgeRequest,
    AlertsAnswer,
    ChangeRequestBody,
    ChangeResultAnswer,
    CollectorInfoAnswer,
)
from app.feed.wire.history import HistoryAnswer, HistorySeries
from app.remote.client import CollectorClient
from app.remote.errors import (
    CollectorError,
    CollectorRefused,
    CollectorUnreachable,
    ManagedByCollector,
)
from app.remote.sections import router_records, traffic_points
from app.remote.status import EMPTY_CACHE, cache_statistics, router_status, unknown_status

_log = logging.getLogger("ne8000monitor.remote")

ServerMessage = (
    wire.WelcomeMessage
    | wire.RouterDataMessage
    | wire.SystemStatusMessage
    | wire.AlertMessage
    | wire.HeartbeatMessage
    | wire.SubscribedMessage
    | wire.PongMessage
    | wire.ErrorMessage
    | wire.CommandResultMessage
)
_DECODER = msgspec.json.Decoder(ServerMessage)

RECONNECT = Backoff(initial=1.0, maximum=30.0)
SILENCE_LIMIT = 45.0  # seconds without a message (heartbeats come every 15 s): lost
FIRST_MESSAGE_TIMEOUT = 30.0
REFRESH_INTERVAL = 15.0  # cache counters and the collector's rules, while connected
HISTORY_MAX_POINTS = 10_000
HISTORY_SPLIT_DEPTH = 6  # a decimated answer is asked again in halves, this deep at most
OFFSET_SAMPLES = 64
PROBLEMS_KEPT = 50
UNREACHABLE_TEXT = "collector unreachable"


def alert_of(body: wire.AlertBody) -> Alert:
    """The feed's alert object as the engine's Alert (times as aware datetimes)."""

    def moment(text: str | None) -> datetime | None:
        return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))

    raised = moment(body.raised_at)
    assert raised is not None
    return Alert(
        id=body.id,
        router=body.router,
        severity=body.severity,
        kind=body.kind,
        subject=body.subject,
        message=body.message,
        raised_at=raised,
        cleared_at=moment(body.cleared_at),
        acknowledged_by=body.acknowledged_by,
        acknowledged_at=moment(body.acknowledged_at),
    )


def prompt_kind_of(prompt: str, kind: PromptKind | None = None) -> PromptKind:
    """The prompt's kind as the collector said it, else as its shape says (`<H>`, `[~H]`)."""
    if kind is not None:
        return kind
    text = prompt.strip()
    if text.startswith("[*"):
        return PromptKind.PENDING
    if text.startswith("["):
        return PromptKind.SYSTEM
    if text.endswith(":"):
        return PromptKind.QUESTION
    return PromptKind.USER


class RemotePlans:
    """Previews of changes for a seat: the exact lines, built by the engine's one definition
    (:func:`app.engine.changes.change_steps`) against the router's interface list as the
    collector reported it. Nothing is sent here; the collector builds the lines again when
    the change is confirmed and refuses it unless they are the ones shown."""

    def __init__(self, monitor: RemoteMonitor) -> None:
        self._monitor = monitor
        self._outstanding: set[str] = set()

    def plan(self, request: ChangeRequest) -> ChangePlan:
        names = self._monitor.interface_names(request.router)
        steps = change_steps(request, names)
        token = secrets.token_hex(16)
        self._outstanding.add(token)
        return ChangePlan(request.router, request, steps, token, time.monotonic())

    def cancel(self, plan: ChangePlan) -> None:
        """The operator declined: the preview can no longer be sent."""
        self._outstanding.discard(plan.token)

    def take(self, plan: ChangePlan, confirmation: str) -> None:
        """Use up a confirmed preview (once); ConfirmationError for any other token."""
        if confirmation != plan.token or plan.token not in self._outstanding:
            raise ConfirmationError("this change was already sent or cancelled; plan again")
        self._outstanding.discard(plan.token)


class RemoteMonitor:
    """A collector's picture behind the engine's Monitor facade (see the module docstring)."""

    def __init__(
        self,
        client: CollectorClient,
        *,
        clock: Callable[[], float] = time.time,
        backoff: Backoff = RECONNECT,
        rng: random.Random | None = None,
        silence_limit: float = SILENCE_LIMIT,
    ) -> None:
        self.client = client
        self.bus = EventBus()
        self.workflow = RemotePlans(self)
        self._clock = clock
        self._backoff = backoff
        self._rng = rng or random.Random()
        self._silence_limit = silence_limit
        self._routers: list[str] = []
        self._records: dict[str, dict[str, SectionRecord]] = {}
        self._status: dict[str, status_wire.RouterStatus] = {}
        self._states: dict[str, tuple[PoolState, str | None]] = {}
        self._alerts: dict[str, Alert] = {}
        self._traffic_seen: dict[str, dict[str, float]] = {}
        self._cache: CacheStatistics = EMPTY_CACHE
        self._offsets: deque[float] = deque(maxlen=OFFSET_SAMPLES)
        self._rules: CollectorInfoAnswer | None = None
        self._info_listeners: list[Callable[[CollectorInfoAnswer], None]] = []
        # The link, as the window shows it.
        self._state = CollectorState.CONNECTING
        self._since = clock()
        self._error: str | None = None
        self._retry_at: float | None = None
        self._attempts = 0
        self._problems: deque[tuple[int, str]] = deque(maxlen=PROBLEMS_KEPT)
        self._problem_count = 0
        self._ready = asyncio.Event()  # the first complete picture (or the first failure)
        self._task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._stopped = False

    # ----- the link ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.client.url

    @property
    def rules(self) -> CollectorInfoAnswer | None:
        """What the collector said about itself on the last connection (None: never)."""
        return self._rules

    def on_rules(self, listener: Callable[[CollectorInfoAnswer], None]) -> None:
        """Call `listener` with the collector's rules each time they are read."""
        self._info_listeners.append(listener)

    def status(self) -> CollectorStatus:
        rules = self._rules
        retry_in = None
        if self._retry_at is not None:
            retry_in = max(0.0, self._retry_at - time.monotonic())
        return CollectorStatus(
            url=self.url,
            state=self._state,
            since=self._since,
            error=self._error,
            retry_in=retry_in,
            seat=None if rules is None else rules.seat,
            version=None if rules is None else rules.version,
            remote_commands=False if rules is None else rules.remote_commands,
            operator_mode=False if rules is None else rules.operator_mode,
            attempts=self._attempts,
        )

    def problems_since(self, seen: int) -> tuple[int, list[str]]:
        return self._problem_count, [text for number, text in self._problems if number > seen]

    def report(self, text: str) -> None:
        """A message for the operator (the window shows it in the status bar and log)."""
        self._problem_count += 1
        self._problems.append((self._problem_count, text))
        _log.warning("%s", text)

    @property
    def connected(self) -> bool:
        return self._state is CollectorState.CONNECTED

    def _set_state(self, state: CollectorState, error: str | None = None) -> None:
        if state is not self._state:
            self._since = self._clock()
            _log.info("collector %s: %s%s", self.url, state, f" ({error})" if error else "")
        self._state = state
        self._error = error

    # ----- life cycle ----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._stopped

    async def start(self) -> None:
        """Connect (and keep reconnecting) in the background."""
        if self._stopped:
            raise RuntimeError("the monitor was stopped; build a new one")
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="collector-feed"
            )

    async def wait_ready(self, timeout: float) -> bool:
        """Wait until the first picture is complete, the first attempt failed, or
        `timeout`; True when the collector's data is here."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout)
        return self.connected

    async def stop(self) -> None:
        """Disconnect and end every event subscription. Final."""
        if self._stopped:
            return
        self._stopped = True
        tasks = [t for t in (self._task, *self._background) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.client.close()
        self.bus.close()

    async def _run(self) -> None:
        while True:
            refused = False
            try:
                await self._session()
                error = "the collector closed the feed"
            except CollectorRefused as problem:
                error, refused = str(problem), True
            except CollectorError as problem:
                error = str(problem)
            except asyncio.CancelledError:
                raise
            except Exception as problem:  # a bug here must not end the reconnects
                _log.exception("collector feed failed")
                error = f"{type(problem).__name__}: {problem}"
            self._attempts += 1
            self._lost(error, refused=refused)
            delay = self._backoff.delay(self._attempts, self._rng)
            self._retry_at = time.monotonic() + delay
            self._ready.set()  # the window may open now; it shows the collector unreachable
            await asyncio.sleep(delay)
            self._retry_at = None

    async def _session(self) -> None:
        """One connection: the rules, the live feed until it ends (CollectorError)."""
        client = self.client
        if self._state is not CollectorState.CONNECTED and self._attempts == 0:
            self._set_state(CollectorState.CONNECTING)
        rules = await client.get("/api/collector", CollectorInfoAnswer)
        self._take_rules(rules)
        ws = await client.websocket()
        refresher: asyncio.Task[None] | None = None
        try:
            welcome = await self._receive(ws, FIRST_MESSAGE_TIMEOUT)
            if not isinstance(welcome, wire.WelcomeMessage):
                raise CollectorError(f"the collector's feed did not start with welcome: {welcome}")
            alerts = await client.get("/api/alerts", AlertsAnswer)
            await self._first_picture(ws, welcome, alerts)
            self._ready.set()
            refresher = asyncio.get_running_loop().create_task(
                self._refresh(), name="collector-refresh"
            )
            while True:
                message = await self._receive(ws, self._silence_limit)
                if message is None:
                    return
                self._apply(message)
        finally:
            if refresher is not None:
                refresher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await refresher
            with contextlib.suppress(Exception):
                await ws.close()

    async def _receive(
        self, ws: aiohttp.ClientWebSocketResponse, timeout: float
    ) -> wire.ServerMessage | None:
        """The next server message (None when the collector closed the feed)."""
        while True:
            try:
                frame = await ws.receive(timeout=timeout)
            except TimeoutError:
                raise CollectorUnreachable(
                    f"no word from the collector for {timeout:.0f} s"
                ) from None
            if frame.type is aiohttp.WSMsgType.TEXT:
                arrived = time.time()
                try:
                    message = _DECODER.decode(frame.data)
                except msgspec.DecodeError as error:
                    _log.warning("skipped a feed message this release cannot read: %s", error)
                    continue
                self._offsets.append(message.epoch - arrived)
                return message
            if frame.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING,
                              aiohttp.WSMsgType.CLOSED):
                return None
            if frame.type is aiohttp.WSMsgType.ERROR:
                raise CollectorUnreachable(f"the collector's feed broke: {ws.exception()}")

    def _take_rules(self, rules: CollectorInfoAnswer) -> None:
        self._rules = rules
        for listener in self._info_listeners:
            try:
                listener(rules)
            except Exception:
                _log.exception("a listener of the collector's rules failed")

    async def _refresh(self) -> None:
        """While connected: the collector's cache counters and rules, now and then."""
        while True:
            try:
                answer = await self.client.get(
                    "/api/cache_statistics", status_wire.CacheStatisticsAnswer
                )
                self._cache = cache_statistics(answer.data)
                self._take_rules(await self.client.get("/api/collector", CollectorInfoAnswer))
            except CollectorError as error:  # the feed's own watch notices a lost collector
                _log.debug("refreshing the collector's counters failed: %s", error)
            await asyncio.sleep(REFRESH_INTERVAL)

    # ----- the picture -------------------------------------------------------------------

    async def _first_picture(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        welcome: wire.WelcomeMessage,
        alerts: AlertsAnswer,
    ) -> None:
        """Take the collector's whole picture (each router's sections, then the status),
        replace the old one with it, and let the window re-read everything at once."""
        routers = list(welcome.routers)
        waiting = set(routers)
        records: dict[str, dict[str, SectionRecord]] = {name: {} for name in routers}
        traffic: dict[str, dict[str, float]] = {name: {} for name in routers}
        statuses: dict[str, status_wire.RouterStatus] | None = None
        early: list[wire.ServerMessage] = []
        while waiting or statuses is None:
            message = await self._receive(ws, FIRST_MESSAGE_TIMEOUT)
            if message is None:
                raise CollectorUnreachable("the collector closed the feed while starting")
            if isinstance(message, wire.RouterDataMessage) and message.router in records:
                records[message.router].update(router_records(message.data))
                traffic_points(
                    message.router, _traffic_of(message), traffic[message.router]
                )
                waiting.discard(message.router)
            elif isinstance(message, wire.SystemStatusMessage):
                statuses = dict(message.status)
            else:
                early.append(message)
        fetched = {body.id for body in alerts.alerts}
        self._routers = routers
        self._records = records
        self._traffic_seen = traffic
        self._status = statuses
        self._states = {name: self._state_of(name) for name in routers}
        # Alerts still active stay (no second notification); those that cleared while this
        # seat was away go; the ones raised meanwhile arrive as `alert` messages next.
        self._alerts = {k: v for k, v in self._alerts.items() if k in fetched}
        self._attempts = 0
        self._set_state(CollectorState.CONNECTED)
        self.bus.publish(RoutersChanged(tuple(routers), self.now()))
        for body in alerts.alerts:
            self._take_alert(alert_of(body))
        for message in early:
            self._apply(message)

    def _state_of(self, router: str) -> tuple[PoolState, str | None]:
        status = self._status.get(router)
        if status is None:
            return PoolState.IDLE, None
        return status.state, status.connection_error or status.last_error

    def _apply(self, message: wire.ServerMessage) -> None:
        if isinstance(message, wire.RouterDataMessage):
            self._take_router_data(message)
        elif isinstance(message, wire.SystemStatusMessage):
            self._take_status(message)
        elif isinstance(message, wire.AlertMessage):
            self._take_alert(alert_of(message.alert))
        elif isinstance(message, wire.WelcomeMessage):
            raise CollectorError("the collector started its feed again; reconnecting")
        elif isinstance(message, wire.ErrorMessage):
            self.report(f"the collector says: {message.message} ({message.code})")

    def _take_router_data(self, message: wire.RouterDataMessage) -> None:
        router = message.router
        if router not in self._records:  # a router added on the collector: start over
            raise CollectorError(f"the collector now monitors {router!r}; reconnecting")
        known = self._records[router]
        now = self.now()
        for name, record in router_records(message.data).items():
            previous = known.get(name)
            known[name] = record
            if record == previous:
                continue
            event = _event_for(router, name, record, previous, now)
            if event is not None:
                self.bus.publish(event)
        points = traffic_points(router, _traffic_of(message), self._traffic_seen[router])
        if points:
            self.bus.publish(TrafficSampled(router, tuple(points), now))

    def _take_status(self, message: wire.SystemStatusMessage) -> None:
        self._status.update(message.status)
        now = self.now()
        for router in self._routers:
            state = self._state_of(router)
            previous = self._states.get(router)
            if state != previous:
                self._states[router] = state
                self.bus.publish(
                    RouterStateChanged(
                        router, state[0], None if previous is None else previous[0], state[1], now
                    )
                )

    def _take_alert(self, alert: Alert) -> None:
        if alert.active:
            self._alerts[alert.id] = alert
        else:
            self._alerts.pop(alert.id, None)
        self.bus.publish(AlertChanged(alert.router, alert, self.now()))

    def _lost(self, error: str, *, refused: bool) -> None:
        """The collector is out of reach: nothing shown can be vouched for any more."""
        self._set_state(CollectorState.REFUSED if refused else CollectorState.UNREACHABLE, error)
        now = self.now()
        cause = SectionError(ErrorCode.COLLECTOR_UNREACHABLE, f"{UNREACHABLE_TEXT}: {error}", now)
        for router, records in self._records.items():
            for name, record in list(records.items()):
                records[name] = failed(record, cause)
                self.bus.publish(PollFailed(router, name, cause.detail, now, records[name]))
            state = (PoolState.UNREACHABLE, f"{UNREACHABLE_TEXT}: {error}")
            previous = self._states.get(router)
            if previous != state:
                self._states[router] = state
                self.bus.publish(
                    RouterStateChanged(
                        router, state[0], None if previous is None else previous[0], state[1], now
                    )
                )

    # ----- reading (the facade) -----------------------------------------------------------

    @property
    def routers(self) -> list[str]:
        return list(self._routers)

    def now(self) -> float:
        """The collector's clock (epoch seconds): this seat's clock corrected by the
        offset its messages show (the smallest network delay of the recent ones)."""
        offset = max(self._offsets) if self._offsets else 0.0
        return self._clock() + offset

    def _known(self, router: str) -> None:
        if router not in self._records:
            raise KeyError(f"no router named {router!r}")

    def snapshot(self, router: str) -> RouterSnapshot:
        self._known(router)
        records = dict(self._records[router])
        return RouterSnapshot(router, {name: r.value for name, r in records.items()}, records)

    def router_status(self, router: str | None = None) -> list[RouterStatus]:
        names = [router] if router is not None else list(self._routers)
        result = []
        for name in names:
            self._known(name)
            records = self._records[name]
            status = self._status.get(name)
            if status is None:
                result.append(unknown_status(name, records, self._error or UNREACHABLE_TEXT))
                continue
            found = router_status(status, records)
            if not self.connected:  # the last word is old: say why it is not current
                error = f"{UNREACHABLE_TEXT}: {self._error}"
                found = replace(
                    found,
                    pool=replace(found.pool, state=PoolState.UNREACHABLE, last_error=error),
                )
            result.append(found)
        return result

    def subscribe(
        self,
        *,
        name: str = "",
        types: Iterable[type] | None = None,
        routers: Collection[str] | None = None,
        max_queue: int | None = None,
    ) -> Subscription:
        return self.bus.subscribe(name=name, types=types, routers=routers, max_queue=max_queue)

    def cache_statistics(self) -> CacheStatistics:
        """The collector's cache (a seat has none: it asks the collector)."""
        return self._cache

    def monitored_interfaces(self, router: str) -> tuple[str, ...]:
        self._known(router)
        rules = self._rules
        if rules is None or router not in rules.routers:
            return ()
        return tuple(rules.routers[router].monitored)

    def set_monitored_interfaces(self, router: str, names: Iterable[str]) -> list[Alert]:
        raise ManagedByCollector(
            "the monitored interfaces are the collector's: change them in its settings"
        )

    def interface_names(self, router: str) -> tuple[str, ...]:
        """The router's interfaces as its last `display interface brief` showed them."""
        self._known(router)
        record = self._records[router].get("interface_brief")
        brief = None if record is None or record.value is None else record.value.data
        if not isinstance(brief, InterfaceBrief):
            return ()
        return tuple(row.name for row in brief.interfaces)

    def active_alerts(self, router: str | None = None) -> list[Alert]:
        alerts = [a for a in self._alerts.values() if router is None or a.router == router]
        return sorted(alerts, key=lambda a: a.raised_at, reverse=True)

    async def history_query(
        self,
        router: str,
        metric: str,
        start: float,
        end: float | None = None,
        *,
        resolution: Resolution | Literal["auto"] = "auto",
    ) -> HistoryResult:
        """The collector's stored series, from `/api/history` (its ring or its store)."""
        self._known(router)
        end = self.now() if end is None else end
        series = await self._series(
            router, metric, (start, end), resolution, HISTORY_SPLIT_DEPTH
        )
        points = [(t, value) for t, value in series.points]
        if series.resolution == "5min":
            rollups = series.rollups or [(t, v, v, v, 1 if v is not None else 0,
                                          0 if v is not None else 1) for t, v in points]
            store = SeriesData(
                router,
                metric,
                "5min",
                tuple(HistoryPoint(t, avg, low, high, count, gaps)
                      for t, avg, low, high, count, gaps in rollups),
            )
            return HistoryResult("store", points, store)
        return HistoryResult("memory", points)

    async def _series(
        self,
        router: str,
        metric: str,
        span: tuple[float, float],
        resolution: str,
        depth: int,
    ) -> HistorySeries:
        start, end = span
        answer = await self.client.get(
            "/api/history",
            HistoryAnswer,
            params=[
                ("router", router),
                ("metric", metric),
                ("since", repr(start)),
                ("until", repr(end)),
                ("resolution", resolution),
                ("max_points", str(HISTORY_MAX_POINTS)),
                ("rollups", "1"),
            ],
        )
        series = answer.series[0]
        if not series.decimated or depth <= 0:
            return series
        # Averaged groups would flatten peaks and percentiles: ask in halves instead.
        middle = (start + end) / 2
        chosen = series.resolution
        first = await self._series(router, metric, (start, middle), chosen, depth - 1)
        second = await self._series(router, metric, (middle + 1e-3, end), chosen, depth - 1)
        rollups = None
        if first.rollups is not None or second.rollups is not None:
            rollups = [*(first.rollups or ()), *(second.rollups or ())]
        return msgspec.structs.replace(
            series,
            points=[*first.points, *second.points],
            decimated=first.decimated or second.decimated,
            rollups=rollups,
        )

    # ----- acting through the collector ---------------------------------------------------

    def acknowledge_alert(self, alert_id: str, user: str) -> Alert | None:
        """Ask the collector to acknowledge the alert for every seat; the new state comes
        back as an `alert` message. None when the alert is unknown or the collector out of
        reach (nothing was sent)."""
        alert = self._alerts.get(alert_id)
        if alert is None or not self.connected:
            return None
        task = asyncio.get_running_loop().create_task(
            self._acknowledge(alert, user), name=f"acknowledge-{alert_id}"
        )
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return alert

    async def _acknowledge(self, alert: Alert, user: str) -> None:
        try:
            await self.client.post(
                "/api/alerts/acknowledge",
                AcknowledgeRequest(id=alert.id, user=user),
                AcknowledgeAnswer,
            )
        except CollectorError as error:
            self.report(f"{alert.router}: the alert was not acknowledged: {error}")

    def plan_change(self, request: ChangeRequest) -> ChangePlan:
        """The exact lines of a change (validated here; the collector checks them again)."""
        self._known(request.router)
        return self.workflow.plan(request)

    async def run_change(self, plan: ChangePlan, *, confirmation: str) -> ChangeResult:
        """Send a previewed change to the collector, pinned to the lines shown."""
        self.workflow.take(plan, confirmation)
        request = plan.request
        if isinstance(request, CutAccessUser):
            action, target = "cut_user", request.username
            body = ChangeRequestBody(
                router=plan.router, action="cut_user", username=target, confirm=target,
                lines=list(plan.lines),
            )
        else:
            action = "shutdown" if isinstance(request, InterfaceShutdown) else "undo_shutdown"
            target = plan.steps[1].view or request.interface
            body = ChangeRequestBody(
                router=plan.router, action=action, interface=target, confirm=target,  # type: ignore[arg-type]
                lines=list(plan.lines),
            )
        try:
            answer = await self.client.post("/api/change", body, ChangeResultAnswer)
        except CollectorError as error:
            raise _change_error(plan, error) from None
        transcript = tuple(
            CommandResult(step.command, step.output, step.prompt,
                          prompt_kind_of(step.prompt, step.prompt_kind))
            for step in answer.transcript
        )
        return ChangeResult(plan, answer.outcome, transcript, answer.users_cut)

    # ----- what a seat cannot do ------------------------------------------------------------

    def add_router(self, *_args: object, **_kwargs: object) -> None:
        raise ManagedByCollector("routers are the collector's: add them in its settings")

    async def remove_router(self, name: str) -> None:
        raise ManagedByCollector("routers are the collector's: remove them in its settings")


def _traffic_of(message: wire.RouterDataMessage) -> object:
    section = message.data.network_traffic
    return None if section is msgspec.UNSET else section


def _event_for(
    router: str, name: str, record: SectionRecord, previous: SectionRecord | None, now: float
) -> Event | None:
    """What happened to one section, as the engine would have published it."""
    value = record.value
    before = None if previous is None else previous.value
    newer = value is not None and (before is None or value.timestamp != before.timestamp)
    if newer or (value is not None and not record.failures):
        assert value is not None
        return RouterDataUpdated(router, name, value.data, value.timestamp, record)
    if record.failures:
        error = record.error
        detail = error.detail if error is not None else "the poll failed"
        return PollFailed(router, name, detail, error.at if error is not None else now, record)
    return None


def _change_error(plan: ChangePlan, error: CollectorError) -> NE8000MonitorError:
    """The collector's refusal as the error the change workflow itself would raise."""
    if error.status == 429:
        return RateLimited(str(error))
    if error.status == 504:
        return ChangeAbandoned(
            str(error), router=plan.router, router_message=None, sent=plan.lines,
            outcome_unknown=True,
        )
    if error.status == 502:
        return ChangeAbandoned(
            str(error), router=plan.router, router_message=str(error), sent=(),
        )
    return error
