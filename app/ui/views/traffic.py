"""Traffic of one router: in/out bit/s of its interfaces over 15 minutes to 7 days.

The window is read from history when the tab opens or the window changes (so a restart
keeps the past: the engine's ring or the SQLite store, through the monitor), then grows with
the live samples; gaps stay gaps. Under the plot, a table (:mod:`app.ui.traffic_table`)
gives each interface's current, peak and 95th percentile rate over the window (in and out)
and the port's bandwidth, also drawn as a dotted capacity line.

Frame time: a 1-second timer redraws only when samples arrived. Each series keeps its points
and per-pixel min/max buckets aligned to time (:mod:`app.ui.traffic_series`), so a new
sample changes one bucket; the curves live in one :class:`~app.ui.curve_layer.CurveLayer`
that Qt caches in device pixels and repaints only from the first changed point; the time
axis moves in whole buckets and the y axis in round steps, so the axes' cached pictures
hold between frames.
"""

from __future__ import annotations

import asyncio
import csv
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QPen, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.engine.monitor import HistoryResult
from app.engine.traffic_stats import AVERAGE_SECONDS, EMPTY_SAMPLES, TrafficFigures, capacity_bps
from app.platform.files import narrow, open_private_text
from app.ui import theme
from app.ui.context import UiContext
from app.ui.curve_layer import CurveLayer
from app.ui.formatting import format_bps, format_local_time
from app.ui.freshness import FreshnessBar, is_current
from app.ui.models import RowsModel
from app.ui.plots import bucket_width, nice_ceiling, stepped_range, time_plot
from app.ui.traffic_series import RAW_WINDOW_LIMIT, SeriesHistory, TrafficSeries
from app.ui.traffic_table import PortRow, port_columns
from app.ui.views.common import make_table

# Visible windows in seconds (labels in `_window_labels`).
WINDOWS: tuple[float, ...] = (900.0, 3600.0, 6 * 3600.0, 86400.0, 7 * 86400.0)
DIRECTIONS = ("in", "out")
DEFAULT_VISIBLE = 8  # interfaces drawn when they first appear
PIXELS_PER_BUCKET = 2.0  # a drawing bucket (its low and high) every two pixels
# The time axis moves in steps of about this share of the window (whole buckets): the plot
# ends up to 2 % of the window past now (as pyqtgraph's usual padding would), and between
# steps the axes and the curves' cached pixels stay where they are.
X_STEP_FRACTION = 0.02
# A long window holds the store's rollups plus the live samples since it was read; reading
# it again every hour keeps that live part short (and the 5-minute figures the store's).
RELOAD_SECONDS = 3600.0

SeriesKey = tuple[str, str]  # interface, direction


class TrafficView(QWidget):
    """The traffic tab of one router."""

    def __init__(self, ctx: UiContext, router: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trafficView")
        self.ctx = ctx
        self.router = router
        self.paused = False
        self._dirty = True
        self._window = WINDOWS[0]
        self._generation = 0  # bumped by a window change: older loads are dropped
        self._loading: set[str] = set()
        self._loaded_at: float | None = None
        self._names: list[str] = []
        self._visible: dict[str, bool] = {}
        self._colours: dict[str, str] = {}
        self._series: dict[SeriesKey, TrafficSeries] = {}
        self._outdated: set[SeriesKey] = set()  # curves to hand to the layer in full
        self._shown_keys: set[SeriesKey] = set()  # drawn series, as of the last redraw
        self._pens: dict[SeriesKey, QPen] = {}
        self._bucket_width: float | None = None
        self._x_range: tuple[float, float] | None = None
        self._y_top: float | None = None
        self._capacity_lines: dict[str, pg.InfiniteLine] = {}
        self._rows: list[PortRow] = []

        self.show_in = QCheckBox(self.tr("In"), self)
        self.show_in.setChecked(True)
        self.show_out = QCheckBox(self.tr("Out"), self)
        self.show_out.setChecked(True)
        self.show_capacity = QCheckBox(self.tr("Capacity"), self)
        self.show_capacity.setToolTip(
            self.tr("Draw each port's bandwidth as a dotted line and scale the plot to it")
        )
        self.show_capacity.setChecked(True)
        for box in (self.show_in, self.show_out, self.show_capacity):
            box.toggled.connect(self._series_toggled)
        self.window_box = QComboBox(self)
        for label, seconds in zip(self._window_labels(), WINDOWS, strict=True):
            self.window_box.addItem(label, seconds)
        self.window_box.currentIndexChanged.connect(self._window_changed)
        self.resolution = QLabel("", self)
        self.resolution.setObjectName("trafficResolution")
        self.pause_button = QPushButton(self.tr("Pause"), self)
        self.pause_button.setObjectName("trafficPause")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self.set_paused)
        self.csv_button = QPushButton(self.tr("Export CSV…"), self)
        self.csv_button.clicked.connect(self._ask_csv)
        self.png_button = QPushButton(self.tr("Export PNG…"), self)
        self.png_button.clicked.connect(self._ask_png)
        self.readout = QLabel(self.tr("Hover over the plot to read values"), self)
        self.readout.setObjectName("trafficReadout")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.empty = QLabel(
            self.tr("No traffic samples yet: rates need two polls of an interface."), self
        )

        self.plot = time_plot(self)
        item = self.plot.getPlotItem()
        # The axis picks the SI prefix: "Traffic (Gbps)"; the curves stay in bit/s.
        item.setLabel("left", self.tr("Traffic"), units="bps")
        # The layer draws and decimates itself; the ranges come from what this view knows.
        item.setClipToView(False)
        item.setDownsampling(auto=False, ds=1)
        item.vb.disableAutoRange()
        item.vb.setMouseEnabled(x=False, y=False)  # the window follows now
        self.layer = CurveLayer()
        self.plot.addItem(self.layer, ignoreBounds=True)
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888888"))
        self.cursor.setVisible(False)
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self.plot.scene().sigMouseMoved.connect(self._hover)
        item.vb.sigResized.connect(self._resized)

        self.ports = RowsModel(port_columns(), key=lambda row: row.name, parent=self)
        self.ports.check_toggled.connect(self._port_toggled)
        self.table = make_table(self.ports, self, name="trafficPorts")
        self.table.horizontalHeader().setStretchLastSection(False)  # figures stay together

        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Window"), self))
        controls.addWidget(self.window_box)
        controls.addWidget(self.show_in)
        controls.addWidget(self.show_out)
        controls.addWidget(self.show_capacity)
        controls.addWidget(self.resolution)
        controls.addStretch(1)
        controls.addWidget(self.pause_button)
        controls.addWidget(self.csv_button)
        controls.addWidget(self.png_button)

        plot_box = QWidget(self)
        plot_layout = QVBoxLayout(plot_box)
        plot_layout.setContentsMargins(0, 0, 0, 0)
        plot_layout.addWidget(self.empty)
        plot_layout.addWidget(self.plot, 1)
        plot_layout.addWidget(self.readout)
        table_box = QWidget(self)
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.table)
        key = QLabel(
            self.tr("Solid line: in ↓   dashed line: out ↑   dotted line: port capacity"),
            table_box,
        )
        key.setWordWrap(True)
        table_layout.addWidget(key)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("trafficPlotSplitter")
        self.splitter.addWidget(plot_box)
        self.splitter.addWidget(table_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([520, 200])

        self.freshness = FreshnessBar(("traffic",), self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.freshness)
        layout.addLayout(controls)
        layout.addWidget(self.splitter, 1)

        ctx.live.traffic_changed.connect(self._traffic_changed)
        ctx.live.section_changed.connect(self._section_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self._sync_interfaces()
        self.show_freshness()

    def _window_labels(self) -> tuple[str, ...]:
        return (self.tr("15 min"), self.tr("1 h"), self.tr("6 h"), self.tr("24 h"), self.tr("7 d"))

    # ---- state ----

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self._tick()  # the history loads as soon as the tab opens

    def _tick(self) -> None:
        self._sync_interfaces()
        self._load_missing()
        self.redraw_if_dirty()
        self.show_freshness()  # data turns stale by the clock

    def show_freshness(self) -> None:
        """Say since when the rates are stale, and why (the plot keeps its gaps)."""
        live = self.ctx.live.router(self.router)
        self.freshness.update_records([live.record("traffic")], self.ctx.live.clock())

    def _traffic_changed(self, router: str) -> None:
        if router == self.router:
            self._dirty = True

    def _section_changed(self, router: str, section: str) -> None:
        if router == self.router and section == "traffic":
            self._dirty = True  # a port's bandwidth may have changed

    def _window_changed(self) -> None:
        self._window = float(self.window_box.currentData())
        self._generation += 1
        self._loading.clear()
        self._loaded_at = None
        for series in self._series.values():
            series.loaded = False
        self.layer.clear()  # nothing of the old window is drawn in the new one
        self._outdated.update(self._series)
        self._tick()

    def _resized(self) -> None:
        self._dirty = True  # the drawing buckets follow the plot's width
        self.redraw_if_dirty()

    def _series_toggled(self, *_args: object) -> None:
        self._dirty = True
        self.redraw_if_dirty()

    def _port_toggled(self, name: object, visible: bool) -> None:
        self._visible[str(name)] = visible
        self._dirty = True
        self.redraw_if_dirty()

    def set_paused(self, paused: bool) -> None:
        """Freeze the picture (samples keep arriving and show on resume)."""
        self.paused = paused
        self.pause_button.setChecked(paused)
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))
        if not paused:
            self._dirty = True
            self.redraw_if_dirty()

    def interfaces(self) -> list[str]:
        """Interfaces to offer: the monitored ones when any are chosen (their history shows
        even before the first poll after a restart), else every sampled one."""
        try:
            monitored = list(self.ctx.monitor.monitored_interfaces(self.router))
        except KeyError:
            monitored = []
        if monitored:
            return sorted(monitored)
        return sorted(self.ctx.live.router(self.router).traffic)

    def visible_interfaces(self) -> list[str]:
        return [name for name in self._names if self._visible.get(name)]

    def shown_series(self) -> list[SeriesKey]:
        """The series drawn now (visible, direction shown, at least two points)."""
        return [
            key
            for key, series in self._series.items()
            if series.loaded and self._shown(key) and len(series.points) >= 2
        ]

    def series(self, name: str, direction: str) -> TrafficSeries | None:
        return self._series.get((name, direction))

    def _shown(self, key: SeriesKey) -> bool:
        name, direction = key
        box = self.show_in if direction == "in" else self.show_out
        return bool(self._visible.get(name)) and box.isChecked()

    def _sync_interfaces(self) -> None:
        wanted = self.interfaces()
        if wanted == self._names:
            return
        for index, name in enumerate(wanted):
            if name not in self._visible:
                self._visible[name] = index < DEFAULT_VISIBLE
                self._colours[name] = theme.SERIES[len(self._colours) % len(theme.SERIES)]
            for direction in DIRECTIONS:
                if (name, direction) not in self._series:
                    self._series[(name, direction)] = TrafficSeries(self._bucket_width or 60.0)
        for name in set(self._names) - set(wanted):
            for direction in DIRECTIONS:
                self._series.pop((name, direction), None)
                self.layer.remove((name, direction))
            line = self._capacity_lines.pop(name, None)
            if line is not None:
                self.plot.removeItem(line)
        self._names = wanted
        self._dirty = True

    # ---- history ----

    def _load_missing(self) -> None:
        """Read history for the series that have none for this window (the tab opening,
        a window change, a new interface), and refresh long windows hourly."""
        if not self.isVisible():
            return
        now = self.ctx.live.clock()
        refresh = (
            self._window > RAW_WINDOW_LIMIT
            and self._loaded_at is not None
            and now - self._loaded_at >= RELOAD_SECONDS
        )
        names = [
            name
            for name in self._names
            if name not in self._loading
            and (refresh or not all(self._series[(name, d)].loaded for d in DIRECTIONS))
        ]
        if not names:
            return
        self._loading.update(names)
        if not self._loaded_at:
            self.resolution.setText(self.tr("Loading history…"))
        generation = self._generation
        self.ctx.spawn(
            self._read_history(names, self._window, now, generation),
            self.tr("Loading traffic history"),
            lambda loaded: self._history_read(generation, names, *loaded),
        )

    async def _read_history(
        self, names: list[str], window: float, now: float, generation: int
    ) -> tuple[float, dict[SeriesKey, SeriesHistory]]:
        try:
            return await self._query_history(names, window, now)
        except Exception as error:  # any store failure: say it, go on with the live samples
            # History is a cache of the past, never a reason to show nothing: the operator
            # reads why, and the tab shows the samples of this session.
            self.ctx.report(
                self.tr("Traffic history could not be read: %1").replace("%1", str(error))
            )
            keys = [(name, direction) for name in names for direction in DIRECTIONS]
            return now, {key: SeriesHistory((), (), "samples", now - window) for key in keys}
        finally:
            if generation == self._generation:
                self._loading.difference_update(names)

    async def _query_history(
        self, names: list[str], window: float, now: float
    ) -> tuple[float, dict[SeriesKey, SeriesHistory]]:
        start = now - window
        monitor = self.ctx.monitor
        split = now // AVERAGE_SECONDS * AVERAGE_SECONDS  # the current 5-minute bucket

        async def one(metric: str) -> SeriesHistory:
            if window <= RAW_WINDOW_LIMIT:
                polled = await monitor.history_query(
                    self.router, metric, start, now, resolution="raw"
                )
                return SeriesHistory((), polled.points, "samples", start)
            older, recent = await asyncio.gather(
                monitor.history_query(self.router, metric, start, split - 1e-3, resolution="5min"),
                monitor.history_query(self.router, metric, split, now, resolution="raw"),
            )
            return _long_window(older, recent, start, split)

        keys = [(name, direction) for name in names for direction in DIRECTIONS]
        found = await asyncio.gather(*(one(f"if.{n}.{d}_bps") for n, d in keys))
        return now, dict(zip(keys, found, strict=True))

    def _history_read(
        self, generation: int, names: list[str], now: float, found: dict[SeriesKey, SeriesHistory]
    ) -> None:
        if generation != self._generation:
            return  # the window changed meanwhile: the next tick reads it again
        live = self.ctx.live.router(self.router)
        for (name, direction), history in found.items():
            series = self._series.get((name, direction))
            if series is None:
                continue
            series.load(history)
            ring = live.traffic.get(name)
            if ring is not None:
                times, received, sent = ring.arrays_since(series.raw_from)
                series.take(times, received if direction == "in" else sent)
            self._outdated.add((name, direction))
        if set(names) >= set(self._names) or self._loaded_at is None:
            self._loaded_at = now
        long_read = any(h.basis == "averages" for h in found.values())
        self.resolution.setText(
            self.tr("5-minute averages, then every poll") if long_read else self.tr("Every poll")
        )
        self._dirty = True
        self.redraw_if_dirty()

    # ---- drawing ----

    def redraw_if_dirty(self) -> None:
        if self._dirty and not self.paused and self.isVisible():
            self.redraw()

    def redraw(self) -> None:
        """Take in new samples, expire old ones, and repaint what changed."""
        self._dirty = False
        self._sync_interfaces()
        now = self.ctx.live.clock()
        loaded = {key: s for key, s in self._series.items() if s.loaded}
        self._shown_keys = {key for key in self._series if self._shown(key)}
        oldest = min((float(s.points.t[0]) for s in loaded.values() if len(s.points)),
                     default=None)
        span = self._window if oldest is None else min(self._window, max(now - oldest, 30.0))
        pixels = max(self.plot.getPlotItem().vb.width(), 100.0)
        width = bucket_width(span, pixels, PIXELS_PER_BUCKET)
        self._bucket_width = width
        for key, series in loaded.items():
            if series.buckets.width != width:  # a new zoom, or loaded under an older one
                series.rebucket(width)
                self._outdated.add(key)
        self._take_live(loaded, now)
        figures = {key: series.figures.figures() for key, series in loaded.items()}
        self._set_ranges(figures, oldest, now, width, span)
        self._show_capacity()
        self._show_rows(figures, now)
        self.empty.setVisible(not self.shown_series() and not self._loading)

    def _take_live(self, loaded: dict[SeriesKey, TrafficSeries], now: float) -> None:
        live = self.ctx.live.router(self.router)
        start = now - self._window
        for name in self._names:
            pair = [(d, loaded.get((name, d))) for d in DIRECTIONS]
            ring = live.traffic.get(name)
            since = min((max(s.newest, s.raw_from) for _, s in pair if s), default=None)
            arrays = ring.arrays_since(since) if ring is not None and since is not None else None
            for direction, series in pair:
                if series is None:
                    continue
                key = (name, direction)
                changed_from = None
                if arrays is not None:
                    times, received, sent = arrays
                    changed_from = series.take(times, received if direction == "in" else sent)
                series.expire(start)
                if key not in self._shown_keys:
                    self.layer.set_visible(key, False)
                    if changed_from is not None:
                        self._outdated.add(key)
                    continue
                if key in self._outdated:
                    self._outdated.discard(key)
                    self.layer.set_curve(key, *series.drawable(), self._pen(key))
                elif changed_from is not None:
                    self.layer.set_curve(key, *series.drawable(), self._pen(key),
                                         changed_from=changed_from)
                self.layer.set_visible(key, True)
        self.layer.commit()

    def _set_ranges(
        self, figures: dict[SeriesKey, TrafficFigures], oldest: float | None, now: float,
        width: float, span: float,
    ) -> None:
        step = width * max(1, math.floor(X_STEP_FRACTION * span / width))
        x_range = stepped_range(self._window, oldest, now, step)
        if x_range != self._x_range:
            self._x_range = x_range
            self.layer.set_x_range(*x_range)
            self.plot.setXRange(*x_range, padding=0)
        peaks = [f.peak for key, f in figures.items() if key in self._shown_keys]
        if self.show_capacity.isChecked():
            peaks += [self._capacity(name) for name in self.visible_interfaces()]
        top = nice_ceiling(max((p for p in peaks if p), default=0.0) * 1.05 or 1000.0)
        if top != self._y_top:
            self._y_top = top
            self.plot.setYRange(0.0, top, padding=0)
            self.layer.set_y_range(0.0, top)

    def _pen(self, key: SeriesKey) -> QPen:
        pen = self._pens.get(key)
        if pen is None:
            name, direction = key
            pen = self._pens[key] = QPen(QColor(self._colours.get(name, theme.SERIES[0])))
            pen.setCosmetic(True)
            pen.setWidthF(1.0)  # wider cosmetic pens cost several times more to paint
            if direction == "out":
                pen.setStyle(Qt.PenStyle.DashLine)
        return pen

    # ---- capacity and the table ----

    def _bandwidth(self, name: str) -> str | None:
        details = self.ctx.live.router(self.router).data("traffic")
        detail = details.get(name) if isinstance(details, dict) else None
        return getattr(detail, "bandwidth", None)

    def _capacity(self, name: str) -> int | None:
        return capacity_bps(self._bandwidth(name))

    def _show_capacity(self) -> None:
        wanted = {}
        if self.show_capacity.isChecked():
            for name in self.visible_interfaces():
                capacity = self._capacity(name)
                if capacity:  # a trunk with no member up prints 0: no line to draw
                    wanted[name] = capacity
        for name in [n for n in self._capacity_lines if n not in wanted]:
            self.plot.removeItem(self._capacity_lines.pop(name))
        for name, capacity in wanted.items():
            line = self._capacity_lines.get(name)
            if line is None:
                pen = pg.mkPen(self._colours.get(name, theme.SERIES[0]), width=1,
                               style=Qt.PenStyle.DotLine)
                line = self._capacity_lines[name] = pg.InfiniteLine(
                    pos=capacity, angle=0, movable=False, pen=pen
                )
                self.plot.addItem(line, ignoreBounds=True)
            elif line.value() != capacity:
                line.setValue(capacity)

    def capacity_line(self, name: str) -> float | None:
        """Where the capacity line of `name` is drawn (bit/s), None when it is not."""
        line = self._capacity_lines.get(name)
        return None if line is None else float(line.value())

    def _show_rows(self, figures: dict[SeriesKey, TrafficFigures], now: float) -> None:
        current = is_current(self.ctx.live.router(self.router).record("traffic"), now)
        rows = []
        for name in self._names:
            bandwidth = self._bandwidth(name)
            rows.append(PortRow(
                name, self._colours[name], bool(self._visible.get(name)),
                capacity_bps(bandwidth), bandwidth,
                figures.get((name, "in"), EMPTY_SAMPLES),
                figures.get((name, "out"), EMPTY_SAMPLES),
                current,
            ))
        if rows != self._rows:
            self._rows = rows
            self.ports.set_rows(rows)

    def figures(self, name: str) -> PortRow | None:
        """The table row of `name` as last shown."""
        return next((row for row in self._rows if row.name == name), None)

    # ---- read-out ----

    def _hover(self, position: QPointF) -> None:
        view = self.plot.getPlotItem().vb
        if not self.plot.sceneBoundingRect().contains(position):
            return
        t = view.mapSceneToView(position).x()
        self.cursor.setPos(t)
        self.cursor.setVisible(True)
        parts = [f"<b>{format_local_time(t)}</b>"]
        for key in self.shown_series():
            name, direction = key
            found = self._series[key].value_at(t)
            if found is None:
                continue
            arrow = "\u2193" if direction == "in" else "\u2191"
            colour = self._colours.get(name, theme.SERIES[0])
            parts.append(
                f'<span style="color:{colour}">{name} {arrow} {format_bps(found[1])}</span>'
            )
        self.readout.setText("&nbsp;&nbsp;".join(parts))

    # ---- export ----

    def export_csv(self, path: Path) -> int:
        """Write the visible series' points over the window (bits/s, empty for a gap; a
        5-minute rollup as its average); returns rows."""
        rows = 0
        with open_private_text(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["timestamp", "local_time", "interface", "direction", "bps",
                             "resolution"])
            start = self.ctx.live.clock() - self._window
            for name, direction in sorted(self.shown_series()):
                points = self._series[(name, direction)].points
                first = int(np.searchsorted(points.t, start))  # the window, nothing before
                for t, end, value in zip(points.t[first:].tolist(), points.end[first:].tolist(),
                                         points.mid[first:].tolist(), strict=True):
                    writer.writerow([
                        f"{t:.3f}",
                        format_local_time(t, with_date=True),
                        name,
                        direction,
                        "" if math.isnan(value) else f"{value:.0f}",
                        "5min" if end > t else "poll",
                    ])
                    rows += 1
        return rows

    def export_png(self, path: Path) -> None:
        exporter = pyqtgraph.exporters.ImageExporter(self.plot.getPlotItem())
        exporter.parameters()["width"] = max(800, self.plot.width())
        exporter.export(str(path))
        narrow(path)  # Qt writes it with the umask's mode; exports are private like the rest

    def _ask_csv(self) -> None:
        self._ask_file(self.tr("Export traffic as CSV"), "CSV (*.csv)", ".csv", self._save_csv)

    def _ask_png(self) -> None:
        self._ask_file(self.tr("Export plot as PNG"), "PNG (*.png)", ".png", self.export_png)

    def _save_csv(self, path: Path) -> None:
        rows = self.export_csv(path)
        self.ctx.live.notice.emit(self.tr("%1 rows written to %2").replace(
            "%1", str(rows)).replace("%2", str(path)))

    def _ask_file(
        self, title: str, pattern: str, suffix: str, save: Callable[[Path], object]
    ) -> None:
        dialog = QFileDialog(self, title)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(pattern)
        dialog.setDefaultSuffix(suffix.lstrip("."))
        dialog.selectFile(f"traffic-{self.router}{suffix}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen(name: str) -> None:
            try:
                save(Path(name))
            except OSError as error:
                self.ctx.report(self.tr("Export failed: %1").replace("%1", str(error)))

        dialog.fileSelected.connect(chosen)
        dialog.open()  # window-modal without a nested event loop


def _long_window(
    older: HistoryResult, recent: HistoryResult, start: float, split: float
) -> SeriesHistory:
    """A window longer than 6 h: the store's rollups before the current 5-minute bucket,
    that bucket's polled rates after. Without a store, the engine's ring answered both
    parts with polled rates."""
    if older.store is not None and older.store.resolution == "5min":
        return SeriesHistory(older.store.points, recent.points, "averages", split)
    return SeriesHistory((), [*older.points, *recent.points], "samples", start)
