"""The Qt side's copy of what the engine published, and the signals that say what changed.

Views never poll the engine for live data: :class:`LiveState` holds the newest sections,
connection states, alerts and bounded traffic rings per router, filled by the one bridge
task (:mod:`app.ui.bridge`). Signals only mark things dirty; the plots redraw on their own
timer, so a burst of samples costs one redraw, not one per sample.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.domain.alerts import Alert
from app.domain.messages import Message
from app.engine.freshness import Freshness, SectionRecord
from app.engine.pool import PoolState

# 24 h at a 5-second poll: the longest live window the traffic view offers.
TRAFFIC_CAPACITY = 17_280
CLEARED_ALERTS_KEPT = 500


class TrafficRing:
    """A bounded ring of (t, in_bps, out_bps); NaN marks a gap so plots break there.

    Storage starts small and doubles up to `capacity`, so the many interfaces that are
    sampled only briefly do not each hold a full day's array.
    """

    __slots__ = ("_data", "_size", "_start", "capacity")

    INITIAL = 256

    def __init__(self, capacity: int = TRAFFIC_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._data = np.full((min(self.INITIAL, capacity), 3), np.nan)
        self._start = 0
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, t: float, in_bps: float | None, out_bps: float | None) -> None:
        row = (t, math.nan if in_bps is None else in_bps, math.nan if out_bps is None else out_bps)
        allocated = len(self._data)
        if self._size == allocated and allocated < self.capacity:
            # Grow: unroll into a bigger array (the ring is full, so start..end is in order).
            grown = np.full((min(allocated * 2, self.capacity), 3), np.nan)
            grown[:allocated] = np.roll(self._data, -self._start, axis=0)
            self._data, self._start = grown, 0
            allocated = len(grown)
        if self._size < allocated:
            self._data[(self._start + self._size) % allocated] = row
            self._size += 1
        else:
            self._data[self._start] = row
            self._start = (self._start + 1) % allocated

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Times, in and out rates, oldest first (copies: safe to hand to a plot)."""
        return self.arrays_since(-math.inf)

    def arrays_since(self, start: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Like :meth:`arrays`, only samples at or after `start` (binary search, and only
        those rows are copied)."""
        allocated = len(self._data)
        end = self._start + self._size
        if end <= allocated:
            parts = [self._data[self._start : end]]
        else:  # wrapped: the oldest part runs to the end of the array, the rest from 0
            parts = [self._data[self._start :], self._data[: end - allocated]]
        kept = []
        for part in parts:
            first = int(np.searchsorted(part[:, 0], start, side="left"))
            if first < len(part):
                kept.append(part[first:])
        rows = np.concatenate(kept) if kept else np.empty((0, 3))
        return rows[:, 0], rows[:, 1], rows[:, 2]

    def latest(self) -> tuple[float, float | None, float | None] | None:
        if not self._size:
            return None
        t, i, o = self._data[(self._start + self._size - 1) % len(self._data)]
        return float(t), None if math.isnan(i) else float(i), None if math.isnan(o) else float(o)


@dataclass
class RouterLive:
    """Everything the views show about one router."""

    name: str
    state: PoolState = PoolState.IDLE
    error: str | None = None  # English technical detail of the connection's last error
    problem: Message | None = None  # the same, translatable (why it fails, why no password)
    sections: dict[str, tuple[Any, float]] = field(default_factory=dict)
    # Each section's engine record: answer time, last outcome, failures, error, raw text.
    records: dict[str, SectionRecord] = field(default_factory=dict)
    traffic: dict[str, TrafficRing] = field(default_factory=dict)
    last_update: float | None = None  # the newest real answer (never advanced without one)
    last_failure: tuple[str, str, float] | None = None  # section, message, time

    def data(self, section: str) -> Any:
        value = self.sections.get(section)
        return None if value is None else value[0]

    def taken_at(self, section: str) -> float | None:
        value = self.sections.get(section)
        return None if value is None else value[1]

    def record(self, section: str) -> SectionRecord:
        """The section's record; a never-answered one before the engine's first word."""
        record = self.records.get(section)
        return record if record is not None else SectionRecord(section, math.inf)

    def freshness(self, section: str, now: float) -> Freshness:
        """fresh / stale / never of `section` at `now` (the engine's one rule)."""
        record = self.records.get(section)
        return Freshness.NEVER if record is None else record.state(now)

    def is_fresh(self, section: str, now: float) -> bool:
        return self.freshness(section, now) is Freshness.FRESH


class LiveState(QObject):
    """Per-router live data plus the alert list, owned by the GUI thread."""

    routers_changed = Signal()
    section_changed = Signal(str, str)  # router, section
    state_changed = Signal(str)  # router
    traffic_changed = Signal(str)  # router
    section_failed = Signal(str, str, str)  # router, section, message
    alerts_changed = Signal()
    alert_raised = Signal(object)  # a newly raised Alert (tray notification, sound)
    error_occurred = Signal(str)  # something the operator must read
    notice = Signal(str)  # something done, for the status bar

    def __init__(
        self, parent: QObject | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(parent)
        self.clock = clock  # epoch seconds: what the views measure freshness against
        self.routers: dict[str, RouterLive] = {}
        self.alerts: dict[str, Alert] = {}  # active, by id
        self.cleared: deque[Alert] = deque(maxlen=CLEARED_ALERTS_KEPT)

    def router(self, name: str) -> RouterLive:
        """The router's live state to read; an unknown (or just removed) router reads as an
        empty one that is not kept, so a view of a removed router that refreshes once more
        can never bring it back into the overview."""
        return self.routers.get(name) or RouterLive(name)

    def _entry(self, name: str) -> RouterLive:
        """The router's live state to update, created on its first update."""
        live = self.routers.get(name)
        if live is None:
            live = self.routers[name] = RouterLive(name)
        return live

    def set_routers(self, names: list[str]) -> None:
        """Keep exactly these routers (in this order); forget the others' data."""
        if list(self.routers) == names:
            return
        self.routers = {name: self.routers.get(name) or RouterLive(name) for name in names}
        gone = [a for a in self.alerts.values() if a.router not in self.routers]
        for alert in gone:
            del self.alerts[alert.id]
        self.routers_changed.emit()
        if gone:
            self.alerts_changed.emit()

    # ---- updates (called by the bridge) ----

    def update_section(
        self,
        router: str,
        section: str,
        data: Any,
        timestamp: float,
        record: SectionRecord | None = None,
    ) -> None:
        live = self._entry(router)
        live.sections[section] = (data, timestamp)
        if record is not None:
            live.records[section] = record
        live.last_update = max(live.last_update or timestamp, timestamp)
        self.section_changed.emit(router, section)

    def update_state(
        self,
        router: str,
        state: PoolState,
        error: str | None,
        problem: Message | None = None,
    ) -> None:
        live = self._entry(router)
        if live.state == state and live.error == error and live.problem == problem:
            return
        live.state = state
        live.error = error
        live.problem = problem
        self.state_changed.emit(router)

    def add_traffic(
        self, router: str, interface: str, t: float, in_bps: float | None, out_bps: float | None
    ) -> None:
        live = self._entry(router)
        ring = live.traffic.get(interface)
        if ring is None:
            ring = live.traffic[interface] = TrafficRing()
        ring.append(t, in_bps, out_bps)

    def traffic_done(self, router: str) -> None:
        self.traffic_changed.emit(router)

    def poll_failed(
        self,
        router: str,
        section: str,
        message: str,
        timestamp: float,
        record: SectionRecord | None = None,
    ) -> None:
        live = self._entry(router)
        live.last_failure = (section, message, timestamp)
        if record is not None:
            live.records[section] = record
        self.section_failed.emit(router, section, message)

    def update_alert(self, alert: Alert) -> None:
        known = self.alerts.get(alert.id)
        if alert.active:
            self.alerts[alert.id] = alert
            newly = known is None or known.raised_at != alert.raised_at
        else:
            self.alerts.pop(alert.id, None)
            self.cleared.appendleft(alert)
            newly = False
        self.alerts_changed.emit()
        if newly:
            self.alert_raised.emit(alert)

    def set_alerts(self, alerts: list[Alert]) -> None:
        self.alerts = {alert.id: alert for alert in alerts}
        self.alerts_changed.emit()

    # ---- reading ----

    def active_alerts(self, router: str | None = None) -> list[Alert]:
        alerts = [a for a in self.alerts.values() if router is None or a.router == router]
        return sorted(alerts, key=lambda a: a.raised_at, reverse=True)
