"""What a collector says it sees, kept as the engine's own picture and told as its events.

One :class:`Picture` per seat: every router's section records (the router's times, the
collector's verdicts), router states, active alerts and the newest traffic sample per
interface. Feed messages update it and become the engine's events on the seat's bus
(:mod:`app.engine.events`), so the window's bridge cannot tell a collector from an engine.
When the collector is lost, every section fails at once with "collector unreachable" and
every router turns unreachable: nothing shown is vouched for any more, and the time shown
stays the router's last answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

import msgspec

from app.domain.alerts import Alert
from app.domain.interfaces import InterfaceBrief
from app.engine.events import (
    AlertChanged,
    Event,
    EventBus,
    PollFailed,
    RouterDataUpdated,
    RoutersChanged,
    RouterStateChanged,
    TrafficSampled,
)
from app.engine.freshness import ErrorCode, SectionError, SectionRecord, failed
from app.engine.monitor import RouterSnapshot, RouterStatus
from app.engine.pool import PoolState
from app.feed.wire import messages as wire
from app.feed.wire import status as status_wire
from app.remote.errors import CollectorError
from app.remote.sections import router_records, traffic_points
from app.remote.status import router_status, unknown_status

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


def traffic_section(message: wire.RouterDataMessage) -> object:
    section = message.data.network_traffic
    return None if section is msgspec.UNSET else section


def event_for(
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


class Picture:
    """Routers, records, states and alerts as the collector reported them."""

    def __init__(self, bus: EventBus, clock: Callable[[], float]) -> None:
        """`clock` is the collector's (epoch seconds): what event times are stamped with."""
        self._bus = bus
        self._clock = clock
        self.routers: list[str] = []
        self._records: dict[str, dict[str, SectionRecord]] = {}
        self._status: dict[str, status_wire.RouterStatus] = {}
        self._states: dict[str, tuple[PoolState, str | None]] = {}
        self._alerts: dict[str, Alert] = {}
        self._traffic_seen: dict[str, dict[str, float]] = {}
        self.lost_because: str | None = None  # why the picture is not current (None: it is)

    # ----- a new picture -----------------------------------------------------------------

    def replace(
        self,
        routers: Iterable[str],
        messages: Iterable[wire.RouterDataMessage],
        status: wire.SystemStatusMessage,
        active: Iterable[wire.AlertBody],
    ) -> None:
        """Take the collector's whole picture (on every (re)connect) and let the window
        read it again at once (:class:`RoutersChanged`). Alerts still active stay without
        a second notification; those that cleared while this seat was away go; the ones
        raised meanwhile are announced as new."""
        self.routers = list(routers)
        self._records = {name: {} for name in self.routers}
        self._traffic_seen = {name: {} for name in self.routers}
        for message in messages:
            if message.router in self._records:
                self._records[message.router].update(router_records(message.data))
                traffic_points(
                    message.router,
                    traffic_section(message),
                    self._traffic_seen[message.router],
                )
        self._status = dict(status.status)
        self._states = {name: self._state_of(name) for name in self.routers}
        alerts = [alert_of(body) for body in active]
        still = {alert.id for alert in alerts}
        self._alerts = {key: known for key, known in self._alerts.items() if key in still}
        self.lost_because = None
        self._bus.publish(RoutersChanged(tuple(self.routers), self._clock()))
        for alert in alerts:
            self.take_alert(alert)

    # ----- live messages -----------------------------------------------------------------

    def apply(self, message: wire.ServerMessage) -> str | None:
        """Take one live message; returns a message for the operator, if there is one.

        CollectorError when the collector's picture changed shape (a router added or its
        feed started over): the caller connects again and takes the new picture whole."""
        if isinstance(message, wire.RouterDataMessage):
            self._take_router_data(message)
        elif isinstance(message, wire.SystemStatusMessage):
            self._take_status(message)
        elif isinstance(message, wire.AlertMessage):
            self.take_alert(alert_of(message.alert))
        elif isinstance(message, wire.WelcomeMessage):
            raise CollectorError("the collector started its feed again; reconnecting")
        elif isinstance(message, wire.ErrorMessage):
            return f"the collector says: {message.message} ({message.code})"
        return None

    def _take_router_data(self, message: wire.RouterDataMessage) -> None:
        router = message.router
        if router not in self._records:
            raise CollectorError(f"the collector now monitors {router!r}; reconnecting")
        known = self._records[router]
        now = self._clock()
        for name, record in router_records(message.data).items():
            previous = known.get(name)
            known[name] = record
            if record == previous:
                continue
            event = event_for(router, name, record, previous, now)
            if event is not None:
                self._bus.publish(event)
        seen = self._traffic_seen[router]
        points = traffic_points(router, traffic_section(message), seen)
        if points:
            self._bus.publish(TrafficSampled(router, tuple(points), now))

    def _take_status(self, message: wire.SystemStatusMessage) -> None:
        if set(message.status) != set(self.routers):  # it names every router it monitors
            raise CollectorError("the collector's routers changed; reconnecting")
        self._status.update(message.status)
        for router in self.routers:
            self._set_state(router, self._state_of(router))

    def take_alert(self, alert: Alert) -> None:
        if alert.active:
            self._alerts[alert.id] = alert
        else:
            self._alerts.pop(alert.id, None)
        self._bus.publish(AlertChanged(alert.router, alert, self._clock()))

    def _state_of(self, router: str) -> tuple[PoolState, str | None]:
        status = self._status.get(router)
        if status is None:
            return PoolState.IDLE, None
        return status.state, status.connection_error or status.last_error

    def _set_state(self, router: str, state: tuple[PoolState, str | None]) -> None:
        previous = self._states.get(router)
        if state == previous:
            return
        self._states[router] = state
        self._bus.publish(
            RouterStateChanged(
                router, state[0], None if previous is None else previous[0], state[1],
                self._clock(),
            )
        )

    # ----- the collector lost ------------------------------------------------------------

    def lose(self, error: str) -> None:
        """Nothing shown can be vouched for: every section fails ("collector unreachable",
        one more failed poll for each attempt), every router turns unreachable."""
        self.lost_because = error
        now = self._clock()
        cause = SectionError(ErrorCode.COLLECTOR_UNREACHABLE, f"{UNREACHABLE_TEXT}: {error}", now)
        for router, records in self._records.items():
            for name, record in list(records.items()):
                records[name] = failed(record, cause)
                self._bus.publish(PollFailed(router, name, cause.detail, now, records[name]))
            self._set_state(router, (PoolState.UNREACHABLE, cause.detail))

    # ----- reading ------------------------------------------------------------------------

    def known(self, router: str) -> dict[str, SectionRecord]:
        try:
            return self._records[router]
        except KeyError:
            raise KeyError(f"no router named {router!r}") from None

    def snapshot(self, router: str) -> RouterSnapshot:
        records = dict(self.known(router))
        return RouterSnapshot(router, {name: r.value for name, r in records.items()}, records)

    def router_status(self, router: str) -> RouterStatus:
        records = self.known(router)
        status = self._status.get(router)
        lost = self.lost_because
        if status is None:
            return unknown_status(router, records, f"{UNREACHABLE_TEXT}: {lost or 'no word yet'}")
        found = router_status(status, records)
        if lost is not None:  # the collector's last word is old: say why it is not current
            error = f"{UNREACHABLE_TEXT}: {lost}"
            found = replace(
                found,
                pool=replace(found.pool, state=PoolState.UNREACHABLE, last_error=error),
                # No round trip is being measured now: no latency is shown, not an old one.
                polling=replace(found.polling, last_poll_seconds={}),
            )
        return found

    def active_alerts(self, router: str | None = None) -> list[Alert]:
        alerts = [a for a in self._alerts.values() if router is None or a.router == router]
        return sorted(alerts, key=lambda a: a.raised_at, reverse=True)

    def alert(self, alert_id: str) -> Alert | None:
        return self._alerts.get(alert_id)

    def interface_names(self, router: str) -> tuple[str, ...]:
        """The router's interfaces as its last `display interface brief` showed them."""
        record = self.known(router).get("interface_brief")
        brief = None if record is None or record.value is None else record.value.data
        if not isinstance(brief, InterfaceBrief):
            return ()
        return tuple(row.name for row in brief.interfaces)
