"""Small widgets the views share: a table set up the same way everywhere, headings."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QWidget

from app.ui.models import SORT_ROLE, BarDelegate, RowsModel, SparklineDelegate


def make_table(
    model: RowsModel,
    parent: QWidget | None = None,
    *,
    name: str = "",
    stretch: int | None = None,
) -> QTableView:
    """A sortable table over `model` (through a proxy), bars drawn where columns have them.

    Columns are sized to their content (and to the widest text a column declares it may
    show, so `connecting` or `15.5 Gbps` is never cut when it first appears); column
    `stretch` takes the room that is left (the last column when None). Widths only grow
    as content does, never jitter, and stop following the content once the operator has
    resized a column or a saved layout was restored.
    """
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
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSortIndicatorShown(True)
    header.setMinimumSectionSize(36)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    view.setProperty("stretch_column", -1 if stretch is None else stretch)
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the router's own order until clicked
    header.sectionResized.connect(lambda section, *_: _note_operator_resize(view, section))
    # New content is fitted at once, then at most every REFIT_DELAY_MS (a table that
    # updates every second is not measured every second).
    refit = QTimer(view)
    refit.setSingleShot(True)
    refit.setInterval(REFIT_DELAY_MS)
    pending = {"again": False}

    def content_changed(*_: object) -> None:
        if refit.isActive():
            pending["again"] = True
            return
        fit_columns(view)
        refit.start()

    def throttled() -> None:
        if pending["again"]:
            pending["again"] = False
            fit_columns(view)
            refit.start()

    refit.timeout.connect(throttled)
    model.modelReset.connect(lambda: fit_columns(view))
    model.dataChanged.connect(content_changed)
    bars = BarDelegate(view)
    sparklines = SparklineDelegate(view)
    for column, spec in enumerate(model.columns):
        if spec.bar is not None:
            view.setItemDelegateForColumn(column, bars)
        elif spec.spark is not None:
            view.setItemDelegateForColumn(column, sparklines)
    fit_columns(view)
    return view


MAX_FITTED_WIDTH = 320  # a long description or message is elided, with its tooltip
MIN_BAR_WIDTH = 140
MIN_SPARK_WIDTH = 110
CELL_PADDING = 18
REFIT_DELAY_MS = 1500


def _note_operator_resize(view: QTableView, section: int) -> None:
    """A column dragged by the operator keeps its width: fitting stops for that table.

    Resizes Qt makes on its own (the stretching column following the window) happen
    without a mouse button held on the header, and are not the operator's."""
    if view.property("fitting") or section == view.property("stretch_column"):
        return
    if QGuiApplication.mouseButtons() & Qt.MouseButton.LeftButton:
        view.setProperty("operator_sized", True)


def _source(view: QTableView) -> RowsModel | None:
    model = view.model()
    if isinstance(model, QSortFilterProxyModel):
        model = model.sourceModel()
    return model if isinstance(model, RowsModel) else None


def fitted_width(view: QTableView, column: int) -> int:
    """What `column` needs: its title, its content, the widest text it declares."""
    header = view.horizontalHeader()
    width = header.sectionSizeHint(column)
    if view.model().rowCount():
        width = max(width, view.sizeHintForColumn(column))
    width = min(width + 6, MAX_FITTED_WIDTH)
    source = _source(view)
    spec = source.columns[column] if source is not None else None
    if spec is not None and spec.widest is not None:
        metrics = view.fontMetrics()
        texts = list(spec.widest())
        if texts:
            width = max(width, max(map(metrics.horizontalAdvance, texts)) + CELL_PADDING)
    if spec is not None and spec.bar is not None:
        width = max(width, MIN_BAR_WIDTH)
    if spec is not None and spec.spark is not None:
        width = max(width, MIN_SPARK_WIDTH)
    return width


def fit_columns(view: QTableView) -> None:
    """Size every column but the stretching one to its content; widths only grow.

    Nothing changes once the operator resized a column or a saved layout was restored
    (the window sets the `restored` property then)."""
    if view.property("operator_sized") or view.property("restored"):
        return
    header = view.horizontalHeader()
    stretch = view.property("stretch_column")
    view.setProperty("fitting", True)
    try:
        for column in range(header.count()):
            if column == stretch or header.isSectionHidden(column):
                continue
            if stretch == -1 and column == header.count() - 1:
                continue  # the last section stretches
            wanted = fitted_width(view, column)
            if wanted > header.sectionSize(column) or not view.property("sized"):
                header.resizeSection(column, wanted)
        view.setProperty("sized", True)
    finally:
        view.setProperty("fitting", False)


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
