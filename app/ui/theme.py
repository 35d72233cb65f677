"""Colours and palettes: light or dark following the OS, one place for status colours.

Status colours are chosen to stay readable on both palettes (mid-saturation fills with
text drawn in the palette's own text colour), so a view never hard-codes black or white.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from app.domain.alerts import Severity
from app.engine.pool import PoolState

SEVERITY_COLOURS: dict[Severity, str] = {
    Severity.CRITICAL: "#d32f2f",
    Severity.MAJOR: "#f57c00",
    Severity.MINOR: "#fbc02d",
    Severity.WARNING: "#1e88e5",
}

STATE_COLOURS: dict[PoolState, str] = {
    PoolState.IDLE: "#9e9e9e",
    PoolState.CONNECTING: "#1e88e5",
    PoolState.CONNECTED: "#43a047",
    PoolState.UNREACHABLE: "#d32f2f",
    PoolState.AUTH_FAILED: "#8e24aa",
    PoolState.NO_CREDENTIALS: "#8e24aa",
    PoolState.HOST_KEY_CHANGED: "#c2185b",
    PoolState.CLOSED: "#757575",
}

# Interface states in the interfaces table (also shown in its legend).
IF_UP = "#43a047"
IF_DOWN = "#d32f2f"
IF_ADMIN_DOWN = "#757575"
IF_STANDBY = "#fbc02d"

OK = "#43a047"
WARN = "#f57c00"
BAD = "#d32f2f"
STALE = "#8a8f96"  # values that are not current: grey, readable on light and dark palettes

# Distinct series colours for plots (traffic in/out pairs take two shades of one hue).
SERIES = (
    "#1e88e5",
    "#e53935",
    "#43a047",
    "#fb8c00",
    "#8e24aa",
    "#00acc1",
    "#6d4c41",
    "#c0ca33",
    "#d81b60",
    "#3949ab",
    "#00897b",
    "#f4511e",
)


# Severity as the colour of text (counts, a summary): readable on light and dark palettes,
# so minor is a dark amber rather than the yellow of the fills.
SEVERITY_TEXT_COLOURS: dict[Severity, str] = {
    Severity.CRITICAL: "#d32f2f",
    Severity.MAJOR: "#e65100",
    Severity.MINOR: "#a67c00",
    Severity.WARNING: "#1e88e5",
}


def severity_text_colour(severity: Severity | str | None) -> QColor:
    try:
        return QColor(SEVERITY_TEXT_COLOURS[Severity(str(severity).lower())])
    except (ValueError, KeyError):
        return QColor("#9e9e9e")


def severity_colour(severity: Severity | str | None) -> QColor:
    try:
        return QColor(SEVERITY_COLOURS[Severity(str(severity).lower())])
    except (ValueError, KeyError):
        return QColor("#9e9e9e")


def level_colour(percent: float | None, warn: float, critical: float) -> QColor | None:
    """Green below `warn`, orange from it, red from `critical`; None for no data."""
    if percent is None:
        return None
    if percent >= critical:
        return QColor(BAD)
    if percent >= warn:
        return QColor(WARN)
    return QColor(OK)


def is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def dark_palette() -> QPalette:
    palette = QPalette()
    base = QColor("#1f2226")
    window = QColor("#2a2d32")
    text = QColor("#e6e6e6")
    palette.setColor(QPalette.ColorRole.Window, window)
    palette.setColor(QPalette.ColorRole.WindowText, text)
    palette.setColor(QPalette.ColorRole.Base, base)
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#272a2f"))
    palette.setColor(QPalette.ColorRole.ToolTipBase, window)
    palette.setColor(QPalette.ColorRole.ToolTipText, text)
    palette.setColor(QPalette.ColorRole.Text, text)
    palette.setColor(QPalette.ColorRole.Button, window)
    palette.setColor(QPalette.ColorRole.ButtonText, text)
    palette.setColor(QPalette.ColorRole.BrightText, QColor("#ff5252"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#2f6fb5"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Link, QColor("#64b5f6"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8a8f96"))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7f86"))
    return palette


def apply_palette(app: QApplication, dark: bool | None = None) -> None:
    """Fusion with a dark or light palette (None: as the OS colour scheme), plots included."""
    app.setStyle("Fusion")
    dark = is_dark() if dark is None else dark
    app.setPalette(dark_palette() if dark else app.style().standardPalette())
    background = QColor("#1f2226") if dark else QColor("#ffffff")
    foreground = QColor("#d0d0d0") if dark else QColor("#303030")
    pg.setConfigOptions(background=background, foreground=foreground, antialias=False)
    # Plots made before a live switch (the OS changed its scheme) follow as well.
    for widget in app.allWidgets():
        if isinstance(widget, pg.PlotWidget):
            widget.setBackground(background)
            for name in ("left", "bottom"):
                axis = widget.getPlotItem().getAxis(name)
                axis.setPen(foreground)
                axis.setTextPen(foreground)
