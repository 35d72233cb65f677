"""Small widgets the views share: a table set up the same way everywhere, headings."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QWidget

from app.ui.models import SORT_ROLE, BarDelegate, RowsModel


def make_table(model: RowsModel, parent: QWidget | None = None, *, name: str = "") -> QTableView:
    """A sortable table over `model` (through a proxy), bars drawn where columns have them."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setSortIndicatorShown(True)
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the router's own order until clicked
    model.modelReset.connect(lambda: fit_columns_once(view))
    delegate = BarDelegate(view)
    for column, spec in enumerate(model.columns):
        if spec.bar is not None:
            view.setItemDelegateForColumn(column, delegate)
    return view


MAX_FITTED_WIDTH = 260
MIN_BAR_WIDTH = 140


def fit_columns_once(view: QTableView) -> None:
    """Size columns to their content the first time rows arrive, unless the operator's
    saved widths were restored (the window sets the `restored` property then)."""
    if view.property("sized") or view.property("restored") or view.model().rowCount() == 0:
        return
    view.setProperty("sized", True)
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    source = view.model()
    if isinstance(source, QSortFilterProxyModel):
        source = source.sourceModel()
    bars = {i for i, c in enumerate(getattr(source, "columns", ())) if c.bar is not None}
    for column in range(header.count()):
        width = min(MAX_FITTED_WIDTH, header.sectionSize(column) + 6)
        if column in bars:
            width = max(width, MIN_BAR_WIDTH)  # a usage bar needs room to read
        header.resizeSection(column, width)


def heading(text: str, parent: QWidget | None = None, *, size: float = 1.1) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * size)
    label.setFont(font)
    return label


def big_label(parent: QWidget | None = None, *, size: float = 3.0) -> QLabel:
    label = QLabel(parent)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * size)
    label.setFont(font)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
