"""The Traffic tab's table: per interface, its capacity and its current, peak and 95th
percentile rate in and out over the visible window, with tooltips saying when and over what.

Plain functions, not methods of the view: a column holding the view would make a reference
cycle that keeps a closed view (and its plot's menus) alive until a garbage collection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from app.engine.traffic_stats import TrafficFigures
from app.ui import theme
from app.ui.formatting import format_bps, format_local_time, format_percent
from app.ui.models import Column, number_key


@dataclass(frozen=True, slots=True)
class PortRow:
    """One table row: an interface, its capacity and its figures over the window."""

    name: str
    colour: str
    visible: bool
    capacity: int | None
    bandwidth: str | None  # the router's own text (`10G`, `100Mbps`)
    received: TrafficFigures
    sent: TrafficFigures
    current: bool  # the traffic data is fresh


def _figures_of(row: PortRow, direction: str) -> TrafficFigures:
    return row.received if direction == "in" else row.sent


def port_columns() -> list[Column]:
    """The columns of the interface table: the interface (ticked: drawn), its capacity,
    and current, peak and 95th percentile in and out."""

    def figure(direction: str, part: str) -> Callable[[PortRow], float | None]:
        return lambda row: getattr(_figures_of(row, direction), part)

    def current_colour(row: PortRow) -> QColor | None:
        return None if row.current else QColor(theme.STALE)

    columns = [
        Column(
            QCoreApplication.translate("TrafficView", "Interface"),
            lambda row: row.name,
            foreground=lambda row: QColor(row.colour),
            checked=lambda row: row.visible,
        ),
        Column(
            QCoreApplication.translate("TrafficView", "Capacity"),
            lambda row: format_bps(row.capacity),
            sort=lambda row: number_key(row.capacity),
            numeric=True,
            tooltip=capacity_tip,
        ),
    ]
    titles = {
        "in": (
            QCoreApplication.translate("TrafficView", "In now"),
            QCoreApplication.translate("TrafficView", "In peak"),
            QCoreApplication.translate("TrafficView", "In 95th pct"),
        ),
        "out": (
            QCoreApplication.translate("TrafficView", "Out now"),
            QCoreApplication.translate("TrafficView", "Out peak"),
            QCoreApplication.translate("TrafficView", "Out 95th pct"),
        ),
    }
    for direction, (now_title, peak_title, p95_title) in titles.items():
        current, peak, p95 = (figure(direction, p) for p in ("current", "peak", "p95"))
        columns += [
            Column(now_title, lambda row, f=current: format_bps(f(row)),
                   sort=lambda row, f=current: number_key(f(row)), numeric=True,
                   foreground=current_colour,
                   tooltip=lambda row, d=direction: current_tip(row, d)),
            Column(peak_title, lambda row, f=peak: format_bps(f(row)),
                   sort=lambda row, f=peak: number_key(f(row)), numeric=True,
                   tooltip=lambda row, d=direction: peak_tip(row, d)),
            Column(p95_title, lambda row, f=p95: format_bps(f(row)),
                   sort=lambda row, f=p95: number_key(f(row)), numeric=True,
                   tooltip=lambda row, d=direction: p95_tip(row, d)),
        ]
    return columns


def capacity_tip(row: PortRow) -> str:
    if row.bandwidth is None:
        return QCoreApplication.translate(
            "TrafficView", "The router has not reported this port's bandwidth yet"
        )
    return QCoreApplication.translate(
        "TrafficView", "Bandwidth as the router prints it: %1"
    ).replace("%1", row.bandwidth)


def current_tip(row: PortRow, direction: str) -> str:
    figures = _figures_of(row, direction)
    if figures.current_at is None:
        return QCoreApplication.translate("TrafficView", "No sample in this window")
    when = format_local_time(figures.current_at, with_date=True)
    if figures.current is None:
        return QCoreApplication.translate(
            "TrafficView", "The newest poll (%1) gave no rate"
        ).replace("%1", when)
    text = QCoreApplication.translate("TrafficView", "Polled at %1").replace("%1", when)
    if not row.current:
        text += "\n" + QCoreApplication.translate(
            "TrafficView", "Not current: see the note above the plot"
        )
    return text


def peak_tip(row: PortRow, direction: str) -> str:
    figures = _figures_of(row, direction)
    if figures.peak is None or figures.peak_at is None:
        return QCoreApplication.translate("TrafficView", "No rate in this window")
    when = format_local_time(figures.peak_at, with_date=True)
    text = QCoreApplication.translate("TrafficView", "At %1").replace("%1", when)
    if row.capacity:
        share = format_percent(figures.peak * 100 / row.capacity, 1)
        text += "\n" + QCoreApplication.translate(
            "TrafficView", "%1 of the port's capacity"
        ).replace("%1", share)
    return text


def p95_tip(row: PortRow, direction: str) -> str:
    figures = _figures_of(row, direction)
    if figures.basis == "averages":
        return QCoreApplication.translate(
            "TrafficView", "95th percentile over the window (5-minute averages: %n)", "",
            figures.levels,
        )
    return QCoreApplication.translate(
        "TrafficView", "95th percentile over the window (polled rates: %n)", "", figures.levels
    )
