"""Online subscribers of one router: the big number, its 5-minute change, the history plot
(15 min to 7 days) and the per-domain and per-pool fill tables.

Each part follows its own command's freshness: the big number `display access-user
online-total`, the domains `display domain`, the pools `display ip pool`. A part whose data
is not current is greyed, the number says "Stale since HH:MM:SS" (or "No data yet"), and the
freshness bar says why, with the router's own text when an answer could not be read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.engine.monitor import HistoryResult
from app.engine.subscribers import DomainUsage, PoolUsage, SubscriberSummary
from app.ui import theme
from app.ui.context import UiContext
from app.ui.formatting import DASH, format_count, format_decimal, format_delta, format_percent
from app.ui.freshness import FreshnessBar, caption, dim_label, is_current
from app.ui.models import Column, RowsModel, number_key
from app.ui.plots import follow_now, points_to_arrays, set_curve, time_plot
from app.ui.views.common import big_label, heading, make_table

METRIC = "subscribers.total"
# The sections this view shows: the total, the domain table, the pool table.
SHOWN = ("online_total", "domains", "ip_pools")
CHANGE_WINDOW = 300.0
CHANGE_SLACK = 30.0  # a poll's worth: 4 min 40 s of data still reads as "the last 5 min"
# The plot ranges the operator can choose, in seconds (labels in `_range_labels`).
RANGES: tuple[float, ...] = (900.0, 3600.0, 6 * 3600.0, 86400.0, 7 * 86400.0)


def domain_percent(domain: DomainUsage) -> float | None:
    if domain.online is None or not domain.access_limit:
        return None
    return domain.online * 100 / domain.access_limit


@dataclass(frozen=True, slots=True)
class Change:
    """The change of the total between two readings, and the time between them."""

    delta: float  # newest minus oldest
    span: float  # seconds between the two readings (the figure covers no more)
    base: float  # the older reading

    def alarming(self, drop_percent: float) -> bool:
        """A drop as big as the mass-drop alert's threshold (not any drop: -18 of 25,948
        is noise)."""
        return self.delta < 0 and -self.delta >= self.base * drop_percent / 100


def change_over(points: list[tuple[float, float | None]]) -> Change | None:
    """Newest value minus the oldest in the window, and the span between them; None when
    fewer than two readings are there (gaps are not readings)."""
    values = [(t, v) for t, v in points if v is not None]
    if len(values) < 2:
        return None
    (first_t, first), (last_t, last) = values[0], values[-1]
    return Change(last - first, last_t - first_t, first)


def span_text(seconds: float) -> str:
    """`36 s`, `4 min`: how long a change figure really covers."""
    if seconds < 120:
        return f"{max(0, round(seconds))} s"
    return f"{round(seconds / 60)} min"


class SubscribersView(QWidget):
    """The subscriber dashboard tab of one router."""

    def __init__(self, ctx: UiContext, router: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("subscribersView")
        self.ctx = ctx
        self.router = router
        self._range = RANGES[0]
        self._query_running = False
        self._dirty = True

        self.total = big_label(self)
        self.total.setObjectName("subscriberTotal")
        self.total.setText(DASH)
        self.total_caption = QLabel("", self)
        self.total_caption.setObjectName("subscriberFreshness")
        self.change = QLabel(DASH, self)
        self.change.setObjectName("subscriberChange")
        self.freshness = FreshnessBar(SHOWN, self)
        self.range_box = QComboBox(self)
        for label, seconds in zip(self._range_labels(), RANGES, strict=True):
            self.range_box.addItem(label, seconds)
        self.range_box.currentIndexChanged.connect(self._range_changed)
        self.source = QLabel("", self)

        self.plot = time_plot(self, left=self.tr("Online subscribers"))
        self.curve = self.plot.plot(pen=theme.SERIES[0])

        pool_warn, pool_critical = self._pool_levels()
        self.domains = RowsModel(
            [
                Column(self.tr("Domain"), lambda d: d.name),
                Column(self.tr("Online"), lambda d: format_count(d.online),
                       sort=lambda d: number_key(d.online), numeric=True),
                Column(self.tr("Limit"), lambda d: format_count(d.access_limit),
                       sort=lambda d: number_key(d.access_limit), numeric=True),
                Column(
                    self.tr("Usage"),
                    lambda d: format_percent(domain_percent(d), 1),
                    sort=lambda d: number_key(domain_percent(d)),
                    bar=domain_percent,
                    bar_colour=lambda d: theme.level_colour(
                        domain_percent(d), pool_warn, pool_critical
                    ),
                ),
                Column(self.tr("State"), lambda d: d.state or DASH),
            ],
            key=lambda d: d.name,
            parent=self,
        )
        self.pools = RowsModel(
            [
                Column(self.tr("IP pool"), lambda p: p.name),
                Column(self.tr("Used"), lambda p: format_count(p.used),
                       sort=lambda p: number_key(p.used), numeric=True),
                Column(self.tr("Total"), lambda p: format_count(p.total),
                       sort=lambda p: number_key(p.total), numeric=True),
                Column(
                    self.tr("Usage"),
                    lambda p: format_percent(p.percent, 1),
                    sort=lambda p: number_key(p.percent),
                    bar=lambda p: p.percent,
                    bar_colour=lambda p: theme.level_colour(p.percent, pool_warn, pool_critical),
                ),
            ],
            key=lambda p: p.name,
            parent=self,
        )
        self.domain_table = make_table(self.domains, self, name="domainTable")
        self.pool_table = make_table(self.pools, self, name="poolTable")

        top = QHBoxLayout()
        numbers = QVBoxLayout()
        numbers.addWidget(heading(self.tr("Online subscribers"), self))
        numbers.addWidget(self.total)
        numbers.addWidget(self.total_caption)
        numbers.addWidget(self.change)
        numbers.addStretch(1)
        top.addLayout(numbers)
        top.addStretch(1)
        ranges = QVBoxLayout()
        ranges.addWidget(QLabel(self.tr("Range"), self))
        ranges.addWidget(self.range_box)
        ranges.addWidget(self.source)
        ranges.addStretch(1)
        top.addLayout(ranges)

        tables = QSplitter(Qt.Orientation.Horizontal, self)
        tables.setObjectName("subscriberTables")
        for title, table in ((self.tr("Domains"), self.domain_table),
                             (self.tr("IP pools"), self.pool_table)):
            box = QWidget(tables)
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(heading(title, box, size=1.0))
            layout.addWidget(table)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("subscriberSplitter")
        self.splitter.addWidget(self.plot)
        self.splitter.addWidget(tables)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addWidget(self.freshness)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        ctx.live.section_changed.connect(self._section_changed)
        ctx.live.section_failed.connect(self._section_failed)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self.timer.timeout.connect(self.show_freshness)  # data turns stale by the clock
        self.timer.start()
        self.show_summary()

    def _range_labels(self) -> tuple[str, ...]:
        return (self.tr("15 min"), self.tr("1 h"), self.tr("6 h"), self.tr("24 h"), self.tr("7 d"))

    def _pool_levels(self) -> tuple[float, float]:
        critical = float(self.ctx.runtime.settings.thresholds.pool_percent)
        return max(0.0, critical - 10.0), critical

    # ---- live data ----

    def _section_changed(self, router: str, section: str) -> None:
        if router == self.router and section == "subscribers":
            self.show_summary()
            self._dirty = True
        elif router == self.router and section in SHOWN:
            self.show_freshness()

    def _section_failed(self, router: str, section: str, _message: str) -> None:
        if router == self.router and section in SHOWN:
            self.show_freshness()

    def show_summary(self) -> None:
        summary = self.ctx.live.router(self.router).data("subscribers")
        if isinstance(summary, SubscriberSummary):
            self.total.setText(format_count(summary.total))
            self.domains.set_rows(list(summary.domains or ()))
            rows: list[PoolUsage] = list(summary.pools or ())
            if summary.pool_summary is not None:
                rows.append(summary.pool_summary)
            self.pools.set_rows(rows)
        self.show_freshness()

    def show_freshness(self) -> None:
        """Grey what is not current and say why (also on the timer: no event needed)."""
        live = self.ctx.live.router(self.router)
        now = self.ctx.live.clock()
        total = live.record("online_total")
        dim_label(self.total, not is_current(total, now))
        self.total_caption.setText(caption(total, now))
        self.domains.set_dimmed(not is_current(live.record("domains"), now))
        self.pools.set_dimmed(not is_current(live.record("ip_pools"), now))
        self.freshness.update_records([live.record(section) for section in SHOWN], now)

    def show_change(self, change: Change | None) -> None:
        """`-120 in the last 5 min`, or `±0 in the last 36 s` when that is all the data
        there is; red only for a drop as big as the mass-drop alert's threshold."""
        if change is None:
            self.change.setText(self.tr("%1 in the last 5 min").replace("%1", format_delta(None)))
            self.change.setStyleSheet("")
            return
        covered = min(change.span, CHANGE_WINDOW)
        if covered >= CHANGE_WINDOW - CHANGE_SLACK:
            text = self.tr("%1 in the last 5 min").replace("%1", format_delta(change.delta))
        else:
            text = (
                self.tr("%1 in the last %2")
                .replace("%1", format_delta(change.delta))
                .replace("%2", span_text(covered))
            )
        self.change.setText(text)
        threshold = float(self.ctx.runtime.settings.thresholds.mass_drop_percent)
        alarming = change.alarming(threshold)
        self.change.setStyleSheet(f"color: {theme.BAD};" if alarming else "")
        self.change.setProperty("alarming", alarming)
        self.change.setToolTip(
            self.tr("Red from a drop of %1% (the mass-drop alert's threshold)").replace(
                "%1", format_decimal(threshold)
            )
        )

    def _range_changed(self) -> None:
        self._range = float(self.range_box.currentData())
        self._dirty = True
        self._tick()

    # ---- plot (timer-driven) ----

    def _tick(self) -> None:
        if not self._dirty or self._query_running or not self.isVisible():
            return
        self._dirty = False
        self._query_running = True
        self.ctx.spawn(self._query(), self.tr("Loading subscriber history"), self._show)

    async def _query(self) -> tuple[HistoryResult, HistoryResult]:
        try:
            now = time.time()
            monitor = self.ctx.monitor
            series = await monitor.history_query(self.router, METRIC, now - self._range, now)
            recent = await monitor.history_query(self.router, METRIC, now - CHANGE_WINDOW, now)
            return series, recent
        finally:
            self._query_running = False

    def _fit_counts(self, values: np.ndarray) -> None:
        """A flat or nearly flat count gets a readable span (whole numbers, not 24084.6)."""
        finite = values[np.isfinite(values)]
        if not len(finite):
            return
        low, high = float(finite.min()), float(finite.max())
        pad = max(10.0, high * 0.01, (high - low) * 0.1)
        self.plot.setYRange(max(0.0, low - pad), high + pad, padding=0)

    def _show(self, results: tuple[HistoryResult, HistoryResult]) -> None:
        series, recent = results
        times, values = points_to_arrays(series.points)
        set_curve(self.curve, times, values)
        self._fit_counts(values)
        follow_now(self.plot, self._range, float(times[0]) if len(times) else None, time.time())
        self.show_change(change_over(recent.points))
        self.source.setText(
            self.tr("from memory") if series.source == "memory" else self.tr("from history")
        )
