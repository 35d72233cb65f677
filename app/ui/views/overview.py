"""All routers at a glance: the summed subscriber count, one row per router (state,
subscribers with their trend over the last hour, uplink traffic, CPU, memory, active alerts
by severity, last data) and every router's active alerts.

Only routers whose subscriber figure is fresh count as "reporting"; a figure that is not
current is greyed (its tooltip says since when and why), and "Last data" is the time of the
router's last real answer, so it never advances without one. The uplink traffic is the sum
of the monitored interfaces' own newest rates, greyed when one of them is not current; the
trend comes from the history (memory or the store), redrawn every half minute."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from app.domain.alerts import Alert
from app.domain.subscribers import AccessUserCounters
from app.domain.system import CpuUsage, MemoryUsage
from app.engine.pool import PoolState
from app.ui import theme
from app.ui.context import UiContext
from app.ui.formatting import DASH, format_bps, format_count, format_local_time, format_percent
from app.ui.freshness import describe, dim_label, is_current, stale_colour
from app.ui.live import RouterLive
from app.ui.messages import translate
from app.ui.models import ROW_ROLE, Column, RowsModel, Sparkline, number_key
from app.ui.views.alarms import AlarmsView
from app.ui.views.common import big_label, heading, make_table
from app.ui.views.state_names import (
    SEVERITIES,
    severity_counts,
    severity_summary,
    state_colour,
    state_text,
    state_unknown,
    unknown_state_text,
)
from app.ui.views.subscribers import span_text

SUBSCRIBER_METRIC = "subscribers.total"
TREND_SECONDS = 3600.0
TREND_STEPS = 120
TREND_REFRESH_MS = 30_000


@dataclass(frozen=True, slots=True)
class Uplinks:
    """The summed newest rates of a router's monitored interfaces."""

    in_bps: float | None
    out_bps: float | None
    current: bool  # every monitored interface has a current rate
    lines: tuple[str, ...]  # one per interface, for the tooltip
    monitored: int


@dataclass(frozen=True, slots=True)
class RouterRow:
    name: str
    state: PoolState
    error: str | None
    subscribers: int | None
    cpu: int | None
    memory: int | None
    alerts: int
    last_update: float | None  # the router's last real answer
    subscribers_current: bool = False
    cpu_current: bool = False
    memory_current: bool = False
    problems: str = ""  # what is stale or failing, for the tooltip
    severities: dict[str, int] = field(default_factory=dict)  # active alerts per severity
    trend: Sparkline | None = None  # subscribers over the last hour
    uplinks: Uplinks | None = None
    problem: str = ""  # why the connection fails, translated
    state_unknown: bool = False  # a seat whose collector is out of reach cannot know it

    @property
    def reporting(self) -> bool:
        """Its subscriber figure is there and current."""
        return self.subscribers is not None and self.subscribers_current


def uplink_traffic(live: RouterLive, monitored: Sequence[str], now: float) -> Uplinks:
    """Sum the newest in/out rates of the monitored interfaces (missing stays missing)."""
    oldest = now - live.record("traffic").max_age
    total_in: float | None = None
    total_out: float | None = None
    current = bool(monitored)
    lines = []
    for name in monitored:
        ring = live.traffic.get(name)
        latest = None if ring is None else ring.latest()
        if latest is None:
            current = False
            lines.append(f"{name}: {DASH}")
            continue
        when, rate_in, rate_out = latest
        current = current and when >= oldest and rate_in is not None and rate_out is not None
        if rate_in is not None:
            total_in = (total_in or 0.0) + rate_in
        if rate_out is not None:
            total_out = (total_out or 0.0) + rate_out
        lines.append(f"{name}: \u2193 {format_bps(rate_in)}  \u2191 {format_bps(rate_out)}")
    return Uplinks(total_in, total_out, current, tuple(lines), len(monitored))


def router_row(
    live: RouterLive,
    alerts: Sequence[Alert],
    now: float,
    *,
    trend: Sparkline | None = None,
    monitored: Sequence[str] = (),
    problem: str = "",
) -> RouterRow:
    online = live.data("online_total")
    cpu = live.data("cpu")
    memory = live.data("memory")
    shown = ("online_total", "cpu", "memory")
    return RouterRow(
        name=live.name,
        state=live.state,
        error=live.error,
        subscribers=online.total_users if isinstance(online, AccessUserCounters) else None,
        cpu=cpu.cpu_percent if isinstance(cpu, CpuUsage) else None,
        memory=memory.memory_percent if isinstance(memory, MemoryUsage) else None,
        alerts=len(alerts),
        last_update=live.last_update,
        subscribers_current=is_current(live.record("online_total"), now),
        cpu_current=is_current(live.record("cpu"), now),
        memory_current=is_current(live.record("memory"), now),
        problems="\n".join(describe([live.record(s) for s in shown], now)),
        severities=severity_counts(alerts),
        trend=trend,
        uplinks=uplink_traffic(live, monitored, now),
        problem=problem,
        state_unknown=state_unknown(live.problem),
    )


def total_subscribers(rows: list[RouterRow]) -> int | None:
    """The sum over routers that reported a total; None when none has yet."""
    known = [row.subscribers for row in rows if row.subscribers is not None]
    return sum(known) if known else None


def _grey_unless(current: bool) -> QColor | None:
    return None if current else stale_colour()


def _alerts_text(row: RouterRow) -> str:
    """`1 critical, 2 minor` (minor and warning router alarms count), "0" for none."""
    return severity_summary(row.severities) or "0"


def _alerts_colour(row: RouterRow) -> QColor | None:
    """The colour of the worst severity present."""
    worst = next((s for s in SEVERITIES if row.severities.get(s)), None)
    return None if worst is None else theme.severity_text_colour(worst)


def _alerts_key(row: RouterRow) -> tuple[int, ...]:
    return tuple(row.severities.get(severity, 0) for severity in SEVERITIES)


def _uplink_text(row: RouterRow) -> str:
    uplinks = row.uplinks
    if uplinks is None or not uplinks.monitored:
        return DASH
    if uplinks.in_bps is None and uplinks.out_bps is None:
        return DASH
    return f"\u2193 {format_bps(uplinks.in_bps)}  \u2191 {format_bps(uplinks.out_bps)}"


# A row whose uplink text is as wide as it gets (the column allows for it from the start).
WIDEST_UPLINKS = RouterRow(
    "", PoolState.IDLE, None, None, None, None, 0, None,
    uplinks=Uplinks(888.8e9, 888.8e9, True, (), 1),
)


def _state_shown(row: RouterRow) -> str:
    return unknown_state_text() if row.state_unknown else state_text(row.state)


def _state_tooltip(row: RouterRow) -> str | None:
    parts = [part for part in (row.problem, row.error) if part]
    return "\n".join(parts) or None


class OverviewView(QWidget):
    """The "All routers" page."""

    router_activated = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overviewView")
        self.ctx = ctx
        self.trends: dict[str, Sparkline] = {}
        self._trend_query: asyncio.Task[None] | None = None
        self.total = big_label(self)
        self.total.setObjectName("overviewTotal")
        self.total.setText(DASH)
        self.detail = QLabel("", self)
        self.detail.setObjectName("overviewDetail")
        self.model = RowsModel(
            [
                Column(self.tr("Router"), lambda r: r.name),
                Column(self.tr("State"), _state_shown,
                       foreground=lambda r: QColor(state_colour(r.state, unknown=r.state_unknown)),
                       tooltip=_state_tooltip,
                       widest=lambda: [state_text(state) for state in PoolState]),
                Column(self.tr("Subscribers"), lambda r: format_count(r.subscribers),
                       sort=lambda r: number_key(r.subscribers), numeric=True,
                       foreground=lambda r: _grey_unless(r.subscribers_current),
                       tooltip=lambda r: r.problems or None,
                       widest=lambda: [format_count(888_888)]),
                Column(self.tr("Trend"), lambda r: "",
                       sort=lambda r: number_key(_trend_change(r.trend)),
                       foreground=lambda r: _grey_unless(r.subscribers_current),
                       tooltip=self._trend_tooltip,
                       spark=lambda r: r.trend),
                Column(self.tr("Uplinks in / out"), _uplink_text,
                       sort=lambda r: number_key(r.uplinks.in_bps if r.uplinks else None),
                       foreground=lambda r: _grey_unless(r.uplinks is None or r.uplinks.current),
                       tooltip=self._uplink_tooltip,
                       widest=lambda: [_uplink_text(WIDEST_UPLINKS)]),
                Column(self.tr("CPU"), lambda r: format_percent(r.cpu),
                       sort=lambda r: number_key(r.cpu), numeric=True,
                       foreground=lambda r: _grey_unless(r.cpu_current),
                       tooltip=lambda r: r.problems or None),
                Column(self.tr("Memory"), lambda r: format_percent(r.memory),
                       sort=lambda r: number_key(r.memory), numeric=True,
                       foreground=lambda r: _grey_unless(r.memory_current),
                       tooltip=lambda r: r.problems or None),
                Column(self.tr("Active alerts"), _alerts_text, sort=_alerts_key,
                       foreground=_alerts_colour),
                Column(self.tr("Last data"), lambda r: format_local_time(r.last_update),
                       sort=lambda r: number_key(r.last_update),
                       foreground=lambda r: _grey_unless(r.reporting),
                       tooltip=lambda r: r.problems or None,
                       widest=lambda: ["88:88:88"]),
            ],
            key=lambda r: r.name,
            parent=self,
        )
        # The trend takes the room that is left: on a big screen, a wider hour.
        self.table = make_table(self.model, self, name="overviewTable", stretch=3)
        self.table.doubleClicked.connect(self._activated)
        self.alarms = AlarmsView(ctx, None, self)

        top = QHBoxLayout()
        numbers = QVBoxLayout()
        numbers.addWidget(heading(self.tr("Online subscribers, all routers"), self))
        numbers.addWidget(self.total)
        numbers.addWidget(self.detail)
        top.addLayout(numbers)
        top.addStretch(1)
        routers_box = QWidget(self)
        routers_layout = QVBoxLayout(routers_box)
        routers_layout.setContentsMargins(0, 0, 0, 0)
        routers_layout.addWidget(heading(self.tr("Routers"), routers_box))
        routers_layout.addWidget(self.table)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("overviewSplitter")
        self.splitter.addWidget(routers_box)
        self.splitter.addWidget(self.alarms)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        live = ctx.live
        for signal in (live.routers_changed, live.state_changed, live.alerts_changed):
            signal.connect(self._mark)
        live.section_changed.connect(self._section_changed)
        self._dirty = True
        live.section_failed.connect(self._mark)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.refresh)  # figures turn stale by the clock alone
        self.timer.start()
        self.trend_timer = QTimer(self)
        self.trend_timer.setInterval(TREND_REFRESH_MS)
        self.trend_timer.timeout.connect(self.load_trends)
        self.trend_timer.start()
        live.routers_changed.connect(self.load_trends)
        self.refresh()
        self.load_trends()

    def _mark(self, *_args: object) -> None:
        self._dirty = True

    def _section_changed(self, _router: str, section: str) -> None:
        if section in {"subscribers", "cpu", "memory"}:
            self._dirty = True

    def refresh_if_dirty(self) -> None:
        if self._dirty:
            self.refresh()

    def _monitored(self, router: str) -> tuple[str, ...]:
        try:
            return self.ctx.monitor.monitored_interfaces(router)
        except KeyError:  # removed meanwhile
            return ()

    def refresh(self) -> None:
        self._dirty = False
        live = self.ctx.live
        now = live.clock()
        rows = [
            router_row(
                router,
                live.active_alerts(name),
                now,
                trend=self.trends.get(name),
                monitored=self._monitored(name),
                problem=translate(router.problem) if router.problem is not None else "",
            )
            for name, router in live.routers.items()
        ]
        self.model.set_rows(rows)
        self.total.setText(format_count(total_subscribers(rows)))
        # The sum is only current when every figure in it is.
        known = [row for row in rows if row.subscribers is not None]
        dim_label(self.total, not known or not all(row.reporting for row in known))
        reporting = sum(1 for row in rows if row.reporting)
        connected = sum(1 for row in rows if row.state is PoolState.CONNECTED)
        parts = [
            self.tr("%1 of %n routers reporting", "", len(rows)).replace("%1", str(reporting)),
            self.tr("%n connected", "", connected),
        ]
        alerts = severity_summary(severity_counts(live.alerts.values()))
        parts.append(alerts or self.tr("no active alerts"))
        self.detail.setText(", ".join(parts))

    # ---- trends (timer-driven, from the history) ----

    def load_trends(self) -> None:
        """Re-read every router's subscriber trend (one query at a time)."""
        if self._trend_query is not None and not self._trend_query.done():
            return
        self._trend_query = self.ctx.spawn(
            self._query_trends(), self.tr("Loading subscriber trends"), self._show_trends
        )

    async def _query_trends(self) -> dict[str, Sparkline]:
        now = self.ctx.live.clock()
        trends: dict[str, Sparkline] = {}
        for router in list(self.ctx.live.routers):
            try:
                result = await self.ctx.monitor.history_query(
                    router, SUBSCRIBER_METRIC, now - TREND_SECONDS, now
                )
            except KeyError:  # removed meanwhile
                continue
            trends[router] = trend_line(result.points, now - TREND_SECONDS, now)
        return trends

    def _show_trends(self, trends: dict[str, Sparkline]) -> None:
        self.trends = trends
        self.refresh()

    def _trend_tooltip(self, row: RouterRow) -> str:
        """What the line covers: since when (at most the last hour), lowest and highest."""
        values = [] if row.trend is None else row.trend.values
        if row.trend is None or not values:
            return self.tr("No subscriber history in the last hour yet")
        return (
            self.tr("Subscribers since %1 (%2): lowest %3, highest %4")
            .replace("%1", format_local_time(row.trend.start))
            .replace("%2", span_text(row.trend.end - row.trend.start))
            .replace("%3", format_count(min(values)))
            .replace("%4", format_count(max(values)))
        )

    def _uplink_tooltip(self, row: RouterRow) -> str:
        uplinks = row.uplinks
        if uplinks is None or not uplinks.monitored:
            return self.tr(
                "No monitored uplinks: tick Monitored on the router's Interfaces tab"
            )
        lines = list(uplinks.lines)
        if not uplinks.current:
            lines.append(self.tr("Not every rate is current (greyed)"))
        return "\n".join(lines)

    def _activated(self, index: object) -> None:
        row = index.data(ROW_ROLE) if hasattr(index, "data") else None
        if isinstance(row, RouterRow):
            self.router_activated.emit(row.name)


def trend_line(
    points: Sequence[tuple[float, float | None]], start: float, end: float
) -> Sparkline:
    """The trend of the last hour: from its first sample in `start`..`end` (a router added
    three minutes ago shows those three minutes, across the cell; the tooltip says the
    span) to `end`; every point when there are few, else the last of each of TREND_STEPS
    equal slices (a slice ending in a gap stays a gap)."""
    inside = [(when, value) for when, value in points if start <= when <= end]
    present = [when for when, value in inside if value is not None]
    if present:
        start = min(present)
    if len(inside) <= TREND_STEPS:
        return Sparkline(start, end, tuple(inside))
    width = (end - start) / TREND_STEPS
    slices: dict[int, tuple[float, float | None]] = {}
    for when, value in inside:
        slices[min(TREND_STEPS - 1, int((when - start) // width))] = (when, value)
    return Sparkline(start, end, tuple(slices[key] for key in sorted(slices)))


def _trend_change(trend: Sparkline | None) -> float | None:
    values = [] if trend is None else trend.values
    return values[-1] - values[0] if len(values) >= 2 else None
