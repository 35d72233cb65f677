"""A seat's picture of its collector, from feed messages to engine events: a reconnect
replaces the picture whole (an alert that cleared while the seat was away is gone, one
still active is not announced twice), a lost collector fails every section at once with
the router's time kept, and a change in the collector's routers starts over."""

from __future__ import annotations

import math

import pytest

from app.domain.alerts import AlertKind, Severity
from app.engine.events import (
    AlertChanged,
    EventBus,
    PollFailed,
    RouterDataUpdated,
    RoutersChanged,
    RouterStateChanged,
    Subscription,
)
from app.engine.freshness import ErrorCode, Freshness, Outcome
from app.engine.pool import PoolState
from app.feed.wire import messages as wire
from app.feed.wire import status as status_wire
from app.feed.wire.sections import OnlineTotalSection, RouterSections, SectionStatus
from app.remote.errors import CollectorError
from app.remote.picture import Picture

T0 = 1_750_000_000.0
STAMP = {"timestamp": "2025-06-15T15:06:40.000Z", "epoch": T0}


def _status(router: str, state: PoolState = PoolState.CONNECTED) -> status_wire.RouterStatus:
    return status_wire.RouterStatus(
        router=router, state=state, reachable=state is PoolState.CONNECTED,
        latency_seconds=0.1, last_poll_seconds={"subscribers": 0.1}, last_answer_at=None,
        failing_sections=[], sections={}, last_error=None, last_error_at=None,
        connection_error=None, poll_error=None, retry_in=None,
        sessions=status_wire.Sessions(size=2, open=2, busy=0), connection_failures=0,
        polls=3, poll_failures=0,
    )


def _system_status(*routers: str) -> wire.SystemStatusMessage:
    return wire.SystemStatusMessage(
        **STAMP,
        status={name: _status(name) for name in routers},
        feed=status_wire.FeedStats(
            clients=1, connections=1, messages_sent=1, broadcasts=1, dropped=0, conflated=0,
            disconnected_laggards=0, errors_sent=0,
        ),
    )


def _online(router: str, total: int, at: float) -> wire.RouterDataMessage:
    source = SectionStatus(
        state=Freshness.FRESH, collected_at=None, collected_epoch=at, age_s=0.0,
        max_age_s=60.0, outcome=Outcome.OK, partial=False, consecutive_failures=0,
        error=None, last_error=None,
    )
    section = OnlineTotalSection(
        collected_at=None, collected_epoch=at, age_s=0.0, stale=False, state=Freshness.FRESH,
        fresh_until=None, fresh_until_epoch=None, partial=False, warnings=[], error=None,
        sources={"online_total": source}, total=total, counters={},
    )
    return wire.RouterDataMessage(
        **STAMP, router=router, data=RouterSections(online_total=section)
    )


def _alert(alert_id: str, *, cleared: bool = False) -> wire.AlertBody:
    return wire.AlertBody(
        id=alert_id, router="r1", severity=Severity.MAJOR, kind=AlertKind.CPU_HIGH,
        subject="cpu", message="CPU high", raised_at="2025-06-15T15:00:00.000Z",
        cleared_at="2025-06-15T15:05:00.000Z" if cleared else None, acknowledged_by=None,
        acknowledged_at=None,
    )


def _picture() -> tuple[Picture, Subscription]:
    bus = EventBus()
    subscription = bus.subscribe(name="t", max_queue=1000)
    return Picture(bus, lambda: T0 + 5.0), subscription


async def _published(subscription: Subscription) -> list[object]:
    """The events published so far (the queue holds them; nothing waits)."""
    events = []
    while subscription.statistics().queued:
        events.append(await anext(subscription))
    return events


async def test_a_reconnect_replaces_the_picture_and_keeps_only_active_alerts() -> None:
    picture, subscription = _picture()
    picture.replace(["r1"], [_online("r1", 1000, T0)], _system_status("r1"),
                    [_alert("a1"), _alert("a2")])
    events = await _published(subscription)
    assert isinstance(events[0], RoutersChanged)
    assert {a.id for a in picture.active_alerts()} == {"a1", "a2"}
    assert picture.snapshot("r1").data("online_total").total_users == 1000
    assert picture.snapshot("r1").record("online_total").collected_at == T0

    picture.lose("connection refused")
    events = await _published(subscription)
    failed = [e for e in events if isinstance(e, PollFailed)]
    assert [e.section for e in failed] == ["online_total"]
    record = picture.snapshot("r1").record("online_total")
    assert record.collected_at == T0  # the router's time stays
    assert record.error.code is ErrorCode.COLLECTOR_UNREACHABLE
    assert record.state(T0 + 5.0) is Freshness.STALE
    [state] = [e for e in events if isinstance(e, RouterStateChanged)]
    assert state.state is PoolState.UNREACHABLE
    [status] = [picture.router_status("r1")]
    assert status.pool.state is PoolState.UNREACHABLE
    assert status.polling.last_poll_seconds == {}  # no latency while nothing is measured

    picture.replace(["r1"], [_online("r1", 1010, T0 + 30)], _system_status("r1"), [_alert("a2")])
    assert [a.id for a in picture.active_alerts()] == ["a2"]  # a1 cleared meanwhile
    assert picture.lost_because is None
    assert picture.router_status("r1").pool.state is PoolState.CONNECTED


async def test_live_messages_become_engine_events() -> None:
    picture, subscription = _picture()
    picture.replace(["r1"], [_online("r1", 1000, T0)], _system_status("r1"), [])
    await _published(subscription)
    picture.apply(_online("r1", 990, T0 + 15))
    picture.apply(wire.AlertMessage(**STAMP, router="r1", alert=_alert("a3")))
    picture.apply(wire.AlertMessage(**STAMP, router="r1", alert=_alert("a3", cleared=True)))
    events = await _published(subscription)
    [data] = [e for e in events if isinstance(e, RouterDataUpdated)]
    assert (data.section, data.timestamp, data.data.total_users) == ("online_total", T0 + 15, 990)
    alerts = [e for e in events if isinstance(e, AlertChanged)]
    assert [a.alert.active for a in alerts] == [True, False]
    assert picture.active_alerts() == []
    assert math.isfinite(picture.snapshot("r1").record("online_total").max_age)


def test_a_change_in_the_collectors_routers_starts_over() -> None:
    picture, _ = _picture()
    picture.replace(["r1"], [_online("r1", 1000, T0)], _system_status("r1"), [])
    with pytest.raises(CollectorError, match="reconnecting"):
        picture.apply(_system_status("r1", "r2"))  # a router added on the collector
    with pytest.raises(CollectorError, match="reconnecting"):
        picture.apply(_online("r9", 5, T0))
    with pytest.raises(CollectorError, match="reconnecting"):
        picture.apply(wire.WelcomeMessage(**STAMP, message="hi", server_time=STAMP["timestamp"],
                                          version="x", routers=["r1"],
                                          mass_drop_percent=50.0))
    with pytest.raises(KeyError):
        picture.snapshot("r9")
