"""The curve layer repaints only the strip that changed, and what it shows then is what a
full repaint of the same data shows (pytest-qt, offscreen)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPen
from pytestqt.qtbot import QtBot

from app.ui.curve_layer import CurveLayer
from app.ui.peak_buckets import PeakBuckets, SeriesPoints
from app.ui.plots import time_plot

START = 1_700_000_000.0
WIDTH = 5.0  # seconds per drawing bucket


def pen(colour: str, dashed: bool = False) -> QPen:
    result = QPen(QColor(colour))
    result.setCosmetic(True)
    if dashed:
        result.setStyle(Qt.PenStyle.DashLine)
    return result


def image(plot: pg.PlotWidget) -> QImage:
    return plot.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def differing_pixels(a: QImage, b: QImage) -> int:
    def pixels(img: QImage) -> np.ndarray:
        data = np.frombuffer(img.constBits(), dtype=np.uint32, count=img.width() * img.height())
        return data.copy()

    return int(np.count_nonzero(pixels(a) != pixels(b)))


def test_new_samples_repaint_only_their_strip_and_match_a_full_repaint(qtbot: QtBot) -> None:
    plot = time_plot()
    qtbot.addWidget(plot)
    plot.resize(800, 400)
    plot.show()
    layer = CurveLayer()
    plot.addItem(layer, ignoreBounds=True)
    plot.getPlotItem().vb.disableAutoRange()
    plot.setXRange(START, START + 3600, padding=0)
    plot.setYRange(0, 10, padding=0)
    layer.set_x_range(START, START + 3600)
    layer.set_y_range(0, 10)

    rng = np.random.default_rng(5)
    series = {}
    for key, colour, dashed in (("a", "#1e88e5", False), ("b", "#e53935", True)):
        points, buckets = SeriesPoints(), PeakBuckets(WIDTH)
        t = START + np.arange(0.0, 3000.0, 2.0)
        v = 5 + 3 * np.sin(t / 300) + rng.uniform(-0.5, 0.5, len(t))
        v[700:720] = math.nan  # a failed stretch: a break in the line
        points.extend(t, t, v, v, v)
        buckets.rebuild(points)
        layer.set_curve(key, *buckets.drawable(60.0), pen(colour, dashed))
        series[key] = (points, buckets, colour, dashed)
    image(plot)
    full_paint = layer.painted_points

    # Samples arrive: only the newest strip is painted again.
    for step in range(20):
        for key, (points, buckets, colour, dashed) in series.items():
            t = np.array([START + 3000.0 + 2.0 * step])
            v = np.array([9.0 if key == "a" else 1.0])
            points.extend(t, t, v, v, v)
            changed = buckets.add(t, t, v, v)
            layer.set_curve(key, *buckets.drawable(60.0), pen(colour, dashed), changed_from=changed)
        layer.commit()
        incremental = image(plot)
        assert 0 < layer.painted_points < full_paint / 20

    # The same data drawn from scratch by a new layer looks the same (a seam pixel or two
    # where a strip met the picture is the most that may differ).
    plot.removeItem(layer)
    fresh = CurveLayer()
    plot.addItem(fresh, ignoreBounds=True)
    fresh.set_x_range(START, START + 3600)
    fresh.set_y_range(0, 10)
    for key, (_, buckets, colour, dashed) in series.items():
        fresh.set_curve(key, *buckets.drawable(60.0), pen(colour, dashed))
    assert differing_pixels(incremental, image(plot)) <= 40
    assert fresh.painted_points == sum(len(b.drawable(60.0)[0]) for _, b, _, _ in series.values())


def test_a_hover_or_an_idle_frame_paints_no_curve(qtbot: QtBot) -> None:
    plot = time_plot()
    qtbot.addWidget(plot)
    plot.resize(600, 300)
    plot.show()
    layer = CurveLayer()
    plot.addItem(layer, ignoreBounds=True)
    plot.getPlotItem().vb.disableAutoRange()
    plot.setXRange(START, START + 100, padding=0)
    plot.setYRange(0, 1, padding=0)
    layer.set_x_range(START, START + 100)
    layer.set_y_range(0, 1)
    x = START + np.arange(100.0)
    layer.set_curve("a", x, np.full(100, 0.5), pen("#43a047"))
    image(plot)
    layer.painted_points = 0
    image(plot)  # nothing changed: the cached pixels are reused
    assert layer.painted_points == 0


def test_an_exported_png_draws_every_curve_in_full(qtbot: QtBot, tmp_path: Path) -> None:
    plot = time_plot()
    qtbot.addWidget(plot)
    plot.resize(800, 400)
    plot.show()
    layer = CurveLayer()
    plot.addItem(layer, ignoreBounds=True)
    plot.getPlotItem().vb.disableAutoRange()
    plot.setXRange(START, START + 3600, padding=0)
    plot.setYRange(0, 10, padding=0)
    layer.set_x_range(START, START + 3600)
    layer.set_y_range(0, 10)
    x = START + np.arange(0.0, 3600.0, 10.0)
    layer.set_curve("a", x, 5 + 3 * np.sin(x / 300), pen("#ff0000"))
    image(plot)  # the screen's cache exists; the export must not depend on it
    exporter = pyqtgraph.exporters.ImageExporter(plot.getPlotItem())
    exporter.parameters()["width"] = 800
    exporter.export(str(tmp_path / "plot.png"))
    exported = QImage(str(tmp_path / "plot.png")).convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(
        exported.constBits(), dtype=np.uint32, count=exported.width() * exported.height()
    ).reshape(exported.height(), exported.width())
    red = (pixels >> 16) & 0xFF
    green = (pixels >> 8) & 0xFF
    curve_columns = np.flatnonzero(((red > 200) & (green < 80)).any(axis=0))
    # The line crosses the whole plot area: from near its left edge to its right edge.
    assert curve_columns.min() < 100
    assert curve_columns.max() > 750
