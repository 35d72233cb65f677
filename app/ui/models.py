"""One table model for every list the window shows, described by columns.

Each view declares its columns (title, text, sort key, colours, usage bar, checkbox) and
hands rows in; rows keep their identity by key, so a refresh with the same rows only
repaints (selection, scroll position and sorting survive a poll) and a changed set resets.
A model whose data is not current is *dimmed*: every cell and bar turns grey, so stale
figures never look live.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.ui import theme

SORT_ROLE = Qt.ItemDataRole.UserRole
BAR_ROLE = Qt.ItemDataRole.UserRole + 1  # percent 0..100 for the usage bar, or None
BAR_COLOUR_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_ROLE = Qt.ItemDataRole.UserRole + 3  # the row object itself
SPARK_ROLE = Qt.ItemDataRole.UserRole + 4  # a small trend: a Sparkline

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """How one column shows a row."""

    title: str
    text: Callable[[Any], str]
    sort: Callable[[Any], Any] | None = None  # default: the text
    foreground: Callable[[Any], QColor | None] | None = None
    background: Callable[[Any], QColor | None] | None = None
    bar: Callable[[Any], float | None] | None = None  # percent for a usage bar
    bar_colour: Callable[[Any], QColor | None] | None = None
    checked: Callable[[Any], bool] | None = None  # a checkbox column
    tooltip: Callable[[Any], str | None] | None = None
    numeric: bool = False  # right-aligned
    # The widest texts the column may show (every state name, `888.8 Gbps`): its width
    # allows for them before they first appear.
    widest: Callable[[], Iterable[str]] | None = None
    spark: Callable[[Any], Sparkline | None] | None = None  # a sparkline column


def number_key(value: float | None) -> float:
    """Sort key for optional numbers: missing data sorts below every real value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return -math.inf
    return float(value)


class RowsModel(QAbstractTableModel):
    """A read-only table of rows (any objects) with an optional checkbox column."""

    check_toggled = Signal(object, bool)  # row key, new state

    def __init__(
        self,
        columns: Sequence[Column],
        key: Callable[[Any], Hashable],
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._key = key
        self.rows: list[Any] = []
        self._keys: list[Hashable] = []
        self.dimmed = False

    # ---- content ----

    def set_dimmed(self, dimmed: bool) -> None:
        """Grey every cell (the data is stale) or show the columns' own colours again."""
        if dimmed == self.dimmed:
            return
        self.dimmed = dimmed
        if self.rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.rows) - 1, len(self.columns) - 1)
            )

    def set_rows(self, rows: Sequence[Any]) -> None:
        keys = [self._key(row) for row in rows]
        if keys == self._keys and rows:
            self.rows = list(rows)
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(rows) - 1, len(self.columns) - 1)
            )
            return
        self.beginResetModel()
        self.rows = list(rows)
        self._keys = keys
        self.endResetModel()

    def row_of(self, key: Hashable) -> int | None:
        try:
            return self._keys.index(key)
        except ValueError:
            return None

    # ---- Qt model API ----

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.isValid() and self.columns[index.column()].checked is not None:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == SORT_ROLE:
            return column.sort(row) if column.sort is not None else column.text(row)
        if role == Qt.ItemDataRole.CheckStateRole and column.checked is not None:
            return Qt.CheckState.Checked if column.checked(row) else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole and self.dimmed:
            return QColor(theme.STALE)
        if role == Qt.ItemDataRole.ForegroundRole and column.foreground is not None:
            return column.foreground(row)
        if role == Qt.ItemDataRole.BackgroundRole and column.background is not None:
            return column.background(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        if role == BAR_ROLE and column.bar is not None:
            return column.bar(row)
        if role == BAR_COLOUR_ROLE and self.dimmed and column.bar is not None:
            return QColor(theme.STALE)
        if role == BAR_COLOUR_ROLE and column.bar_colour is not None:
            return column.bar_colour(row)
        if role == SPARK_ROLE and column.spark is not None:
            return column.spark(row)
        if role == ROW_ROLE:
            return row
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        column = self.columns[index.column()] if index.isValid() else None
        if column is None or column.checked is None or role != Qt.ItemDataRole.CheckStateRole:
            return False
        state = Qt.CheckState(value) if isinstance(value, int) else value
        self.check_toggled.emit(self._keys[index.row()], state == Qt.CheckState.Checked)
        return True


class BarDelegate(QStyledItemDelegate):
    """Draws a cell's percent (BAR_ROLE) as a filled bar behind its text."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        percent = index.data(BAR_ROLE)
        if percent is None:
            super().paint(painter, option, index)
            return
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        rect: QRect = option.rect.adjusted(3, 4, -3, -4)
        painter.setPen(Qt.PenStyle.NoPen)
        track = QColor(option.palette.mid().color())
        track.setAlpha(70)
        painter.setBrush(track)
        painter.drawRoundedRect(rect, 3, 3)
        colour = index.data(BAR_COLOUR_ROLE) or option.palette.highlight().color()
        fill = QColor(colour)
        fill.setAlpha(170)
        painter.setBrush(fill)
        width = int(rect.width() * max(0.0, min(100.0, float(percent))) / 100)
        painter.drawRoundedRect(QRect(rect.left(), rect.top(), width, rect.height()), 3, 3)
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)  # grey when dimmed
        painter.setPen(
            QColor(foreground) if foreground is not None else option.palette.text().color()
        )
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(index.data()))
        painter.restore()


@dataclass(frozen=True, slots=True)
class Sparkline:
    """A trend over a fixed time span: points placed by their time (a router added a
    minute ago draws a short line at the right end, not a stretched one); None is a gap."""

    start: float
    end: float
    points: tuple[tuple[float, float | None], ...]

    @property
    def values(self) -> list[float]:
        return [value for _, value in self.points if value is not None]


def spark_range(values: Sequence[float]) -> tuple[float, float]:
    """The vertical range of a trend: its values with a minimum span (1 % of the level,
    at least 10), so noise of a few dozen among 25,000 draws flat, not as a cliff."""
    low, high = min(values), max(values)
    pad = max(10.0, abs(high) * 0.01, (high - low) * 0.1)
    middle = (low + high) / 2
    half = max((high - low) / 2 + pad, pad)
    return middle - half, middle + half


class SparklineDelegate(QStyledItemDelegate):
    """Draws a cell's trend (SPARK_ROLE) as a line; a gap (None) breaks it. Dimmed grey
    when the model is (or the cell's foreground says the data is not current)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        spark = index.data(SPARK_ROLE)
        super().paint(painter, option, index)
        if not isinstance(spark, Sparkline) or len(spark.values) < 2 or spark.end <= spark.start:
            return
        low, high = spark_range(spark.values)
        rect: QRect = option.rect.adjusted(4, 4, -4, -4)
        span = spark.end - spark.start
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)
        colour = QColor(foreground) if foreground is not None else QColor(theme.SERIES[0])
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(colour, 1.5))
        path = QPainterPath()
        drawing = False
        for when, value in spark.points:
            if value is None:
                drawing = False
                continue
            x = rect.left() + (when - spark.start) / span * rect.width()
            y = rect.bottom() - (value - low) / (high - low) * rect.height()
            if drawing:
                path.lineTo(x, y)
            else:
                path.moveTo(x, y)
                drawing = True
        painter.drawPath(path)
        painter.restore()
