"""Light and dark palettes follow the OS colour scheme, plots included."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from app.ui import theme


def test_dark_and_light_palettes_reach_existing_plots(qapp: QApplication) -> None:
    plot = pg.PlotWidget()
    try:
        theme.apply_palette(qapp, dark=True)
        assert qapp.palette().color(QPalette.ColorRole.Window).name() == "#2a2d32"
        assert qapp.palette().color(QPalette.ColorRole.Text).name() == "#e6e6e6"
        assert plot.backgroundBrush().color().name() == "#1f2226"
        theme.apply_palette(qapp, dark=False)
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 128
        assert plot.backgroundBrush().color().name() == "#ffffff"
    finally:
        theme.apply_palette(qapp)
        plot.deleteLater()


def test_follows_the_os_scheme(qapp: QApplication) -> None:
    theme.apply_palette(qapp)
    dark = qapp.styleHints().colorScheme() == Qt.ColorScheme.Dark
    assert theme.is_dark() is dark
    window = qapp.palette().color(QPalette.ColorRole.Window)
    assert (window.name() == "#2a2d32") is dark


def test_level_colours_follow_thresholds() -> None:
    assert theme.level_colour(None, 70, 80) is None
    assert theme.level_colour(50, 70, 80).name() == theme.OK
    assert theme.level_colour(70, 70, 80).name() == theme.WARN
    assert theme.level_colour(95, 70, 80).name() == theme.BAD
