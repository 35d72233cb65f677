"""All routers at a glance: the summed subscriber count, one row per router (state,
subscribers, CPU, memory, alerts, last data) and every router's active alerts.

Only routers whose subscriber figure is fresh count as "reporting"; a figure that is not
current is greyed (its tooltip says since when and why), and "Last data" is the time of the
router's last real answer, so it never advances without one."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from app.domain.subscribers import AccessUserCounters
from app.domain.system import CpuUsage, MemoryUsage
from app.engine.pool import PoolState
from app.ui import theme
from app.ui.context import UiContext
from app.ui.formatting import DASH, format_count, format_local_time, format_percent
from app.ui.freshness import describe, dim_label, is_current, stale_colour
from app.ui.live import RouterLive
from app.ui.models import ROW_ROLE, Column, RowsModel, number_key
from app.ui.views.alarms import AlarmsView
from app.ui.views.common import big_label, heading, make_table
from app.ui.views.state_names import state_text


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

    @property
    def reporting(self) -> bool:
        """Its subscriber figure is there and current."""
        return self.subscribers is not None and self.subscribers_current


def router_row(live: RouterLive, alerts: int, now: float) -> RouterRow:
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
        alerts=alerts,
        last_update=live.last_update,
        subscribers_current=is_current(live.record("online_total"), now),
        cpu_current=is_current(live.record("cpu"), now),
        memory_current=is_current(live.record("memory"), now),
        problems="\n".join(describe([live.record(s) for s in shown], now)),
    )


def total_subscribers(rows: list[RouterRow]) -> int | None:
    """The sum over routers that reported a total; None when none has yet."""
    known = [row.subscribers for row in rows if row.subscribers is not None]
    return sum(known) if known else None


def _grey_unless(current: bool) -> QColor | None:
    return None if current else stale_colour()


class OverviewView(QWidget):
    """The "All routers" page."""

    router_activated = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overviewView")
        self.ctx = ctx
        self.total = big_label(self)
        self.total.setObjectName("overviewTotal")
        self.total.setText(DASH)
        self.detail = QLabel("", self)
        self.detail.setObjectName("overviewDetail")
        self.model = RowsModel(
            [
                Column(self.tr("Router"), lambda r: r.name),
                Column(self.tr("State"), lambda r: state_text(r.state),
                       foreground=lambda r: QColor(theme.STATE_COLOURS[r.state]),
                       tooltip=lambda r: r.error),
                Column(self.tr("Subscribers"), lambda r: format_count(r.subscribers),
                       sort=lambda r: number_key(r.subscribers), numeric=True,
                       foreground=lambda r: _grey_unless(r.subscribers_current),
                       tooltip=lambda r: r.problems or None),
                Column(self.tr("CPU"), lambda r: format_percent(r.cpu),
                       sort=lambda r: number_key(r.cpu), numeric=True,
                       foreground=lambda r: _grey_unless(r.cpu_current),
                       tooltip=lambda r: r.problems or None),
                Column(self.tr("Memory"), lambda r: format_percent(r.memory),
                       sort=lambda r: number_key(r.memory), numeric=True,
                       foreground=lambda r: _grey_unless(r.memory_current),
                       tooltip=lambda r: r.problems or None),
                Column(self.tr("Active alerts"), lambda r: str(r.alerts),
                       sort=lambda r: r.alerts, numeric=True,
                       foreground=lambda r: QColor(theme.BAD) if r.alerts else None),
                Column(self.tr("Last data"), lambda r: format_local_time(r.last_update),
                       sort=lambda r: number_key(r.last_update),
                       foreground=lambda r: _grey_unless(r.reporting),
                       tooltip=lambda r: r.problems or None),
            ],
            key=lambda r: r.name,
            parent=self,
        )
        self.table = make_table(self.model, self, name="overviewTable")
        self.table.setColumnWidth(0, 160)
        self.table.setColumnWidth(1, 140)
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
        self.refresh()

    def _mark(self, *_args: object) -> None:
        self._dirty = True

    def _section_changed(self, _router: str, section: str) -> None:
        if section in {"subscribers", "cpu", "memory"}:
            self._dirty = True

    def refresh_if_dirty(self) -> None:
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        self._dirty = False
        live = self.ctx.live
        now = live.clock()
        rows = [
            router_row(router, len(live.active_alerts(name)), now)
            for name, router in live.routers.items()
        ]
        self.model.set_rows(rows)
        self.total.setText(format_count(total_subscribers(rows)))
        # The sum is only current when every figure in it is.
        known = [row for row in rows if row.subscribers is not None]
        dim_label(self.total, not known or not all(row.reporting for row in known))
        reporting = sum(1 for row in rows if row.reporting)
        connected = sum(1 for row in rows if row.state is PoolState.CONNECTED)
        self.detail.setText(
            self.tr("%1 of %2 routers reporting, %3 connected, %4 active alerts")
            .replace("%1", str(reporting))
            .replace("%2", str(len(rows)))
            .replace("%3", str(connected))
            .replace("%4", str(len(live.alerts)))
        )

    def _activated(self, index: object) -> None:
        row = index.data(ROW_ROLE) if hasattr(index, "data") else None
        if isinstance(row, RouterRow):
            self.router_activated.emit(row.name)
