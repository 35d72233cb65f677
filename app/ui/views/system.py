"""System health of one router: CPU and memory now and over the last hour, the boards table,
and the platform identity (model, software version, uptime). Each value greys out when its
command's data is not current, and the freshness bar says since when and why."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFormLayout, QGridLayout, QLabel, QVBoxLayout, QWidget

from app.domain.system import BoardHealth, CpuUsage, Health, MemoryUsage, Version
from app.engine.monitor import HistoryResult
from app.ui import theme
from app.ui.context import UiContext
from app.ui.formatting import DASH, format_duration, format_mb, format_percent
from app.ui.freshness import FreshnessBar, dim_label, is_current
from app.ui.models import Column, RowsModel, number_key
from app.ui.plots import follow_now, points_to_arrays, set_curve, time_plot
from app.ui.views.common import big_label, heading, make_table

PLOT_SECONDS = 3600.0
SECTIONS_SHOWN = ("cpu", "memory", "health", "version")
SECTIONS = frozenset(SECTIONS_SHOWN)


def slot_key(slot: str) -> str:
    """Slots sort as numbers (`2` before `10`); names like `CFCARD` after them."""
    return f"{int(slot):06d}" if slot.isdigit() else f"~{slot}"


class SystemView(QWidget):
    """The system tab of one router."""

    def __init__(self, ctx: UiContext, router: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("systemView")
        self.ctx = ctx
        self.router = router
        self._dirty = True
        self._query_running = False
        thresholds = ctx.runtime.settings.thresholds
        self._cpu_levels = (max(0.0, thresholds.cpu_percent - 15), float(thresholds.cpu_percent))
        self._mem_levels = (
            max(0.0, thresholds.memory_percent - 15),
            float(thresholds.memory_percent),
        )

        self.cpu = big_label(self, size=2.2)
        self.cpu.setObjectName("cpuNow")
        self.memory = big_label(self, size=2.2)
        self.memory.setObjectName("memoryNow")
        self.memory_detail = QLabel(DASH, self)
        self.model = QLabel(DASH, self)
        self.model.setObjectName("systemModel")
        self.software = QLabel(DASH, self)
        self.software.setWordWrap(True)
        self.uptime = QLabel(DASH, self)
        for label in (self.cpu, self.memory):
            label.setText(DASH)
        self.freshness = FreshnessBar(tuple(SECTIONS_SHOWN), self)
        self._level_colours: dict[str, QColor | None] = {"cpu": None, "memory": None}

        self.plot = time_plot(self, left=self.tr("%"))
        self.plot.addLegend(offset=(10, 10))
        self.plot.setYRange(0, 100)
        self.cpu_curve = self.plot.plot(pen=theme.SERIES[0], name=self.tr("CPU"))
        self.memory_curve = self.plot.plot(pen=theme.SERIES[3], name=self.tr("Memory"))

        cpu_levels, mem_levels = self._cpu_levels, self._mem_levels
        self.boards = RowsModel(
            [
                Column(self.tr("Slot"), lambda b: b.slot, sort=lambda b: slot_key(b.slot)),
                Column(self.tr("Type"), lambda b: b.type),
                Column(self.tr("CPU"), lambda b: format_percent(b.cpu_percent),
                       sort=lambda b: number_key(b.cpu_percent),
                       bar=lambda b: b.cpu_percent,
                       bar_colour=lambda b: theme.level_colour(b.cpu_percent, *cpu_levels)),
                Column(self.tr("Memory"), lambda b: format_percent(b.memory_percent),
                       sort=lambda b: number_key(b.memory_percent),
                       bar=lambda b: b.memory_percent,
                       bar_colour=lambda b: theme.level_colour(b.memory_percent, *mem_levels)),
                Column(self.tr("Memory used"),
                       lambda b: format_mb(b.memory_used_mb, b.memory_total_mb),
                       sort=lambda b: number_key(b.memory_used_mb), numeric=True),
            ],
            key=lambda b: b.slot,
            parent=self,
        )
        self.board_table = make_table(self.boards, self, name="boardTable")

        grid = QGridLayout()
        grid.addWidget(heading(self.tr("CPU"), self), 0, 0)
        grid.addWidget(self.cpu, 1, 0)
        grid.addWidget(heading(self.tr("Memory"), self), 0, 1)
        grid.addWidget(self.memory, 1, 1)
        grid.addWidget(self.memory_detail, 2, 1)
        identity = QFormLayout()
        identity.addRow(self.tr("Model:"), self.model)
        identity.addRow(self.tr("Software:"), self.software)
        identity.addRow(self.tr("Uptime:"), self.uptime)
        grid.addLayout(identity, 0, 2, 3, 1)
        grid.setColumnStretch(2, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.freshness)
        layout.addLayout(grid)
        layout.addWidget(self.plot, 3)
        layout.addWidget(heading(self.tr("Boards"), self, size=1.0))
        layout.addWidget(self.board_table, 2)

        ctx.live.section_changed.connect(self._section_changed)
        ctx.live.section_failed.connect(self._section_failed)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self.timer.timeout.connect(self.show_freshness)  # data turns stale by the clock
        self.timer.start()
        self.show_now()

    def _section_changed(self, router: str, section: str) -> None:
        if router == self.router and section in SECTIONS:
            self.show_now()
            self._dirty = True

    def _section_failed(self, router: str, section: str, _message: str) -> None:
        if router == self.router and section in SECTIONS:
            self.show_freshness()

    def show_freshness(self) -> None:
        """Grey what is not current and say why (also on the timer: no event needed)."""
        live = self.ctx.live.router(self.router)
        now = self.ctx.live.clock()
        for section, label in (("cpu", self.cpu), ("memory", self.memory)):
            current = is_current(live.record(section), now)
            dim_label(label, not current, self._level_colours[section])
        dim_label(self.memory_detail, not is_current(live.record("memory"), now))
        self.boards.set_dimmed(not is_current(live.record("health"), now))
        version_current = is_current(live.record("version"), now)
        for label in (self.model, self.software, self.uptime):
            dim_label(label, not version_current)
        self.freshness.update_records([live.record(s) for s in SECTIONS_SHOWN], now)

    def show_now(self) -> None:
        live = self.ctx.live.router(self.router)
        cpu = live.data("cpu")
        memory = live.data("memory")
        health = live.data("health")
        version = live.data("version")
        if isinstance(cpu, CpuUsage):
            self._show_level("cpu", self.cpu, cpu.cpu_percent, self._cpu_levels)
        if isinstance(memory, MemoryUsage):
            self._show_level("memory", self.memory, memory.memory_percent, self._mem_levels)
            self.memory_detail.setText(
                format_mb(memory.used_bytes // 1048576, memory.total_bytes // 1048576)
            )
        if isinstance(health, Health):
            boards: list[BoardHealth] = list(health.boards)
            self.boards.set_rows(boards)
        if isinstance(version, Version):
            self.model.setText(version.model or DASH)
            self.software.setText(version.software_version or version.vrp_version or DASH)
            # Uptime as of the `display version` answer, advanced to now.
            taken = live.taken_at("version") or time.time()
            self.uptime.setText(format_duration(version.uptime_seconds + time.time() - taken))
        self.show_freshness()

    def _show_level(
        self, section: str, label: QLabel, percent: float | None, levels: tuple[float, float]
    ) -> None:
        label.setText(format_percent(percent))
        self._level_colours[section] = theme.level_colour(percent, *levels)

    def _tick(self) -> None:
        if not self._dirty or self._query_running or not self.isVisible():
            return
        self._dirty = False
        self._query_running = True
        self.ctx.spawn(self._query(), self.tr("Loading CPU and memory history"), self._show)

    async def _query(self) -> tuple[HistoryResult, HistoryResult]:
        try:
            now = time.time()
            monitor = self.ctx.monitor
            cpu = await monitor.history_query(self.router, "cpu.percent", now - PLOT_SECONDS, now)
            mem = await monitor.history_query(
                self.router, "memory.percent", now - PLOT_SECONDS, now
            )
            return cpu, mem
        finally:
            self._query_running = False

    def _show(self, results: tuple[HistoryResult, HistoryResult]) -> None:
        cpu, memory = results
        set_curve(self.cpu_curve, *points_to_arrays(cpu.points))
        set_curve(self.memory_curve, *points_to_arrays(memory.points))
        oldest = min((p[0] for p in (*cpu.points[:1], *memory.points[:1])), default=None)
        follow_now(self.plot, PLOT_SECONDS, oldest, time.time())
