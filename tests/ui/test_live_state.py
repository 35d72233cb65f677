"""The Qt-side live state: bounded traffic rings that keep gaps, and alert bookkeeping."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from app.domain.alerts import Alert, AlertKind, Severity, alert_id
from app.engine.events import TrafficSampled
from app.engine.rates import GapReason, TrafficGap, TrafficSample
from app.ui.bridge import apply_event
from app.ui.live import LiveState, TrafficRing


def test_traffic_ring_is_bounded_and_ordered() -> None:
    ring = TrafficRing(capacity=3)
    assert ring.latest() is None
    for t in range(5):
        ring.append(float(t), t * 10.0, None if t == 3 else t * 20.0)
    times, rx, tx = ring.arrays()
    assert list(times) == [2.0, 3.0, 4.0]
    assert list(rx) == [20.0, 30.0, 40.0]
    assert tx[0] == 40.0
    assert math.isnan(tx[1])
    assert tx[2] == 80.0
    assert ring.latest() == (4.0, 40.0, 80.0)
    assert len(ring) == 3


def test_traffic_ring_grows_then_wraps() -> None:
    ring = TrafficRing(capacity=600)
    for t in range(700):
        ring.append(float(t), float(t), float(-t))
    times, rx, tx = ring.arrays()
    assert len(ring) == 600
    assert list(times) == [float(t) for t in range(100, 700)]
    assert list(rx) == list(times)
    assert list(tx) == [-t for t in times]


def _alert(router: str, subject: str, *, cleared: bool = False) -> Alert:
    raised = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    return Alert(
        id=alert_id(router, AlertKind.INTERFACE_DOWN, subject),
        router=router,
        severity=Severity.MAJOR,
        kind=AlertKind.INTERFACE_DOWN,
        subject=subject,
        message=f"{subject} down",
        raised_at=raised,
        cleared_at=raised if cleared else None,
    )


def test_alerts_raise_once_and_clear(qapp: object) -> None:
    live = LiveState()
    raised: list[Alert] = []
    live.alert_raised.connect(raised.append)
    live.set_routers(["r1", "r2"])
    live.update_alert(_alert("r1", "GE0/1/0"))
    live.update_alert(_alert("r1", "GE0/1/0"))  # the same occurrence again (acknowledged)
    live.update_alert(_alert("r2", "GE0/2/0"))
    assert [a.subject for a in raised] == ["GE0/1/0", "GE0/2/0"]
    assert [a.subject for a in live.active_alerts("r1")] == ["GE0/1/0"]
    live.update_alert(_alert("r1", "GE0/1/0", cleared=True))
    assert live.active_alerts("r1") == []
    assert live.cleared[0].subject == "GE0/1/0"
    live.set_routers(["r1"])  # r2 removed: its alerts go with it
    assert live.alerts == {}


def test_bridge_keeps_traffic_gaps(qapp: object) -> None:
    live = LiveState()
    live.set_routers(["r1"])
    sample = TrafficSample("r1", "GE0/1/0", 10.0, 1e6, 2e6, None, None)
    gap = TrafficGap("r1", "GE0/1/0", 20.0, GapReason.POLL_FAILED)
    apply_event(live, TrafficSampled("r1", (sample,), 10.0))
    apply_event(live, TrafficSampled("r1", (gap,), 20.0))
    apply_event(live, TrafficSampled("other", (sample,), 30.0))  # not a known router: ignored
    times, rx, _ = live.router("r1").traffic["GE0/1/0"].arrays()
    assert list(times) == [10.0, 20.0]
    assert rx[0] == 1e6
    assert math.isnan(rx[1])
    assert "other" not in live.routers


def test_reading_a_removed_router_does_not_bring_it_back(qapp: object) -> None:
    """A view of a removed router may refresh once more before it is deleted; reading its
    state must not re-add the router (the overview would list it again)."""
    live = LiveState()
    live.set_routers(["a", "b"])
    live.set_routers(["a"])
    assert live.router("b").data("subscribers") is None  # reads as empty ...
    assert list(live.routers) == ["a"]  # ... and is not kept
