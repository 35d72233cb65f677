"""Live traffic of one router: in/out bits per second of the polled interfaces.

Samples land in LiveState's bounded rings as they arrive; this view redraws from a 1-second
timer only when something changed (and not while paused), with clip-to-view and peak
downsampling, so a 24-hour window of many series stays cheap. The y axis is scaled to
bps/kbps/Mbps/Gbps by the visible peak; gaps stay gaps.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.platform.files import narrow, open_private_text
from app.ui import theme
from app.ui.context import UiContext
from app.ui.formatting import format_bps, format_local_time, rate_unit
from app.ui.freshness import FreshnessBar
from app.ui.plots import decimate, follow_now, time_plot

# Visible windows in seconds (labels in `_window_labels`).
WINDOWS: tuple[float, ...] = (900.0, 3600.0, 6 * 3600.0, 86400.0)
DEFAULT_VISIBLE = 8  # series switched on when an interface first appears
MIN_DRAWN_POINTS = 300  # per series after peak decimation


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
        self._scale = 1.0
        # PlotCurveItem, not PlotDataItem: the lighter item, as this view decimates itself.
        self._curves: dict[tuple[str, str], pg.PlotCurveItem] = {}
        self._colours: dict[str, str] = {}
        # What the plot shows now (raw bits/s), for the hover read-out and the exports.
        self._drawn: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

        self.series = QListWidget(self)
        self.series.setObjectName("trafficSeries")
        self.series.itemChanged.connect(self._series_toggled)
        self.show_in = QCheckBox(self.tr("In"), self)
        self.show_in.setChecked(True)
        self.show_out = QCheckBox(self.tr("Out"), self)
        self.show_out.setChecked(True)
        for box in (self.show_in, self.show_out):
            box.toggled.connect(self._series_toggled)
        self.window_box = QComboBox(self)
        for label, seconds in zip(self._window_labels(), WINDOWS, strict=True):
            self.window_box.addItem(label, seconds)
        self.window_box.currentIndexChanged.connect(self._window_changed)
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

        self.plot = time_plot(self, left=self.tr("bit/s"))
        # This view clips to its window and peak-decimates itself (`decimate`), once per
        # redraw; pyqtgraph's own clip/downsample would redo it on every range change.
        self.plot.getPlotItem().setClipToView(False)
        self.plot.getPlotItem().setDownsampling(auto=False, ds=1)
        # Both ranges are set from the data this view already scanned (no auto-range pass
        # over every curve per frame); rates start at 0.
        self.plot.getPlotItem().vb.disableAutoRange()
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888888"))
        self.cursor.setVisible(False)
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self.plot.scene().sigMouseMoved.connect(self._hover)

        controls = QHBoxLayout()
        controls.addWidget(QLabel(self.tr("Window"), self))
        controls.addWidget(self.window_box)
        controls.addWidget(self.show_in)
        controls.addWidget(self.show_out)
        controls.addStretch(1)
        controls.addWidget(self.pause_button)
        controls.addWidget(self.csv_button)
        controls.addWidget(self.png_button)

        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel(self.tr("Interfaces"), side))
        side_layout.addWidget(self.series)
        key = QLabel(self.tr("Solid line: in ↓   dashed line: out ↑"), side)
        key.setWordWrap(True)
        side_layout.addWidget(key)
        plot_box = QWidget(self)
        plot_layout = QVBoxLayout(plot_box)
        plot_layout.setContentsMargins(0, 0, 0, 0)
        plot_layout.addWidget(self.empty)
        plot_layout.addWidget(self.plot, 1)
        plot_layout.addWidget(self.readout)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("trafficSplitter")
        self.splitter.addWidget(side)
        self.splitter.addWidget(plot_box)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([220, 800])

        self.freshness = FreshnessBar(("traffic",), self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.freshness)
        layout.addLayout(controls)
        layout.addWidget(self.splitter, 1)

        ctx.live.traffic_changed.connect(self._traffic_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.redraw_if_dirty)
        self.timer.timeout.connect(self.show_freshness)  # data turns stale by the clock
        self.timer.start()
        self.redraw()
        self.show_freshness()

    def show_freshness(self) -> None:
        """Say since when the rates are stale, and why (the plot keeps its gaps)."""
        live = self.ctx.live.router(self.router)
        self.freshness.update_records([live.record("traffic")], self.ctx.live.clock())

    def _window_labels(self) -> tuple[str, ...]:
        return (self.tr("15 min"), self.tr("1 h"), self.tr("6 h"), self.tr("24 h"))

    # ---- state ----

    def _traffic_changed(self, router: str) -> None:
        if router == self.router:
            self._dirty = True

    def _window_changed(self) -> None:
        self._window = float(self.window_box.currentData())
        self._dirty = True
        self.redraw_if_dirty()

    def _series_toggled(self, *_args: object) -> None:
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
        """Interfaces to offer: the monitored ones when any are chosen, else all sampled."""
        live = self.ctx.live.router(self.router)
        try:
            monitored = set(self.ctx.monitor.monitored_interfaces(self.router))
        except KeyError:
            monitored = set()
        names = sorted(live.traffic)
        if monitored:
            names = [name for name in names if name in monitored]
        return names

    def visible_interfaces(self) -> list[str]:
        names = []
        for row in range(self.series.count()):
            item = self.series.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                names.append(item.text())
        return names

    def _sync_series_list(self) -> None:
        wanted = self.interfaces()
        present = [self.series.item(row).text() for row in range(self.series.count())]
        if present == wanted:
            return
        checked = set(self.visible_interfaces())
        self.series.blockSignals(True)
        self.series.clear()
        for index, name in enumerate(wanted):
            colour = self._colours.setdefault(
                name, theme.SERIES[len(self._colours) % len(theme.SERIES)]
            )
            item = QListWidgetItem(name, self.series)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = name in checked or (name not in present and index < DEFAULT_VISIBLE)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            item.setForeground(QColor(colour))
        self.series.blockSignals(False)

    # ---- drawing ----

    def redraw_if_dirty(self) -> None:
        if self._dirty and not self.paused and self.isVisible():
            self.redraw()

    def _visible_data(self) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
        live = self.ctx.live.router(self.router)
        start = time.time() - self._window
        data = {}
        for name in self.visible_interfaces():
            ring = live.traffic.get(name)
            if ring is None:
                continue
            times, rx, tx = ring.arrays_since(start)
            if self.show_in.isChecked():
                data[(name, "in")] = (times, rx)
            if self.show_out.isChecked():
                data[(name, "out")] = (times, tx)
        return data

    def redraw(self) -> None:
        self._dirty = False
        self._sync_series_list()
        data = self._drawn = self._visible_data()
        # A point every other pixel: buckets of four pixels, each drawn as its min and max,
        # so a spike stays visible at any zoom while 32 day-long curves still redraw within
        # a frame. Peak decimation keeps every bucket's maximum, so the scale's peak comes
        # from the (far smaller) drawn arrays.
        points = max(MIN_DRAWN_POINTS, int(self.plot.getPlotItem().vb.width()) // 2)
        shown = {key: decimate(times, values, points) for key, (times, values) in data.items()}
        peak = max(
            (float(np.fmax.reduce(v)) for _, v in shown.values() if len(v)),
            default=math.nan,
        )
        unit, self._scale = rate_unit(None if math.isnan(peak) else peak)
        self.plot.getPlotItem().setLabel("left", unit)
        for key in [key for key in self._curves if key not in data]:
            self.plot.removeItem(self._curves.pop(key))
        # The x range first, so each curve computes what it shows once, not twice.
        oldest = min((float(t[0]) for t, _ in data.values() if len(t)), default=None)
        follow_now(self.plot, self._window, oldest, time.time())
        for key, (shown_t, shown_v) in shown.items():
            curve = self._curves.get(key)
            if curve is None:
                name, direction = key
                pen = QPen(QColor(self._colours.get(name, theme.SERIES[0])))
                pen.setCosmetic(True)
                pen.setWidthF(1.0)  # wider cosmetic pens cost several times more to paint
                if direction == "out":
                    pen.setStyle(Qt.PenStyle.DashLine)
                curve = self._curves[key] = pg.PlotCurveItem(pen=pen)
                self.plot.addItem(curve)
            curve.setData(shown_t, shown_v / self._scale, connect="finite")
        top = 1.0 if math.isnan(peak) or peak <= 0 else peak / self._scale
        self.plot.setYRange(0.0, top * 1.05, padding=0)
        self.empty.setVisible(not any(len(t) for t, _ in data.values()))

    def _hover(self, position: QPointF) -> None:
        view = self.plot.getPlotItem().vb
        if not self.plot.sceneBoundingRect().contains(position):
            return
        t = view.mapSceneToView(position).x()
        self.cursor.setPos(t)
        self.cursor.setVisible(True)
        parts = [f"<b>{format_local_time(t)}</b>"]
        for (name, direction), (times, values) in self._drawn.items():
            if not len(times):
                continue
            index = int(np.clip(np.searchsorted(times, t), 0, len(times) - 1))
            if index > 0 and abs(times[index - 1] - t) < abs(times[index] - t):
                index -= 1
            value = float(values[index])
            arrow = "\u2193" if direction == "in" else "\u2191"
            colour = self._colours.get(name, theme.SERIES[0])
            text = format_bps(None if math.isnan(value) else value)
            parts.append(f'<span style="color:{colour}">{name} {arrow} {text}</span>')
        self.readout.setText("&nbsp;&nbsp;".join(parts))

    # ---- export ----

    def export_csv(self, path: Path) -> int:
        """Write every visible series' samples (bits/s, empty for a gap); returns rows."""
        rows = 0
        with open_private_text(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["timestamp", "local_time", "interface", "direction", "bps"])
            for (name, direction), (times, values) in sorted(self._visible_data().items()):
                for t, v in zip(times, values, strict=True):
                    writer.writerow([
                        f"{t:.3f}",
                        format_local_time(float(t), with_date=True),
                        name,
                        direction,
                        "" if math.isnan(v) else f"{v:.0f}",
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
