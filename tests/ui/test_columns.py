"""Columns are sized to their content at 1280x720, 1920x1080 and 4K: no state, figure or
rate is cut, and the alert message, not "Acknowledged", takes the room that is left."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QHeaderView, QTableView

from app.engine.pool import PoolState
from app.ui.formatting import format_bps
from app.ui.uistate import UiState
from app.ui.views.common import CELL_PADDING
from app.ui.views.state_names import state_text
from tests.ui.conftest import Runner, wait_for
from tests.ui.support_g1 import demo_session

SIZES = [(1280, 720), (1920, 1080), (3840, 2160)]


def cut_cells(view: QTableView, *, skip: set[int] = frozenset()) -> list[tuple[str, str]]:
    """(column title, text) of every visible cell whose text does not fit its column."""
    model = view.model()
    header = view.horizontalHeader()
    metrics = view.fontMetrics()
    cut = []
    for column in range(model.columnCount()):
        if column in skip or header.isSectionHidden(column):
            continue
        room = header.sectionSize(column) - CELL_PADDING // 2
        title = model.headerData(column, header.orientation())
        if metrics.horizontalAdvance(str(title)) > header.sectionSize(column):
            cut.append((str(title), str(title)))
        for row in range(model.rowCount()):
            text = model.index(row, column).data()
            if text and metrics.horizontalAdvance(str(text)) > room:
                cut.append((str(title), str(text)))
    return cut


def column(view: QTableView, title: str) -> int:
    model = view.model()
    titles = [model.headerData(i, view.horizontalHeader().orientation()) for i in
              range(model.columnCount())]
    return titles.index(title)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_nothing_is_cut_and_the_message_takes_the_room(
    run: Runner, tmp_path: Path, width: int, height: int
) -> None:
    async def body() -> None:
        async with demo_session(tmp_path, routers=3) as session:
            window = session.window
            window.resize(width, height)
            overview = window.overview
            await wait_for(lambda: overview.model.rowCount() == 3, what="three routers")
            await wait_for(
                lambda: overview.alarms.alerts.rowCount() >= 3, what="the demo's alarms"
            )
            table = overview.table
            state = column(table, "State")
            # Room for every state name before it appears (`connecting`, `host key changed`).
            metrics = table.fontMetrics()
            widest_state = max(metrics.horizontalAdvance(state_text(s)) for s in PoolState)
            assert table.horizontalHeader().sectionSize(state) >= widest_state
            assert cut_cells(table, skip={column(table, "Router")}) == []

            alerts = overview.alarms.alert_table
            header = alerts.horizontalHeader()
            message = column(alerts, "Message")
            acknowledged = column(alerts, "Acknowledged")
            assert header.sectionResizeMode(message) is QHeaderView.ResizeMode.Stretch
            assert not header.stretchLastSection()
            assert header.sectionSize(acknowledged) < 200  # not 350-650 px of nothing
            assert cut_cells(alerts, skip={message}) == []
            others = sum(
                header.sectionSize(i) for i in range(header.count()) if i != message
                and not header.isSectionHidden(i)
            )
            assert header.sectionSize(message) >= alerts.viewport().width() - others - 2

            # A router's interfaces: the rates have room for `888 Gbps` before they come.
            window.routers.select("demo-1")
            dashboard = window.dashboards["demo-1"]
            dashboard.setCurrentWidget(dashboard.interfaces)
            interfaces = dashboard.interfaces.table
            await wait_for(lambda: interfaces.model().rowCount() > 0, what="interfaces")
            rate = column(interfaces, "In bit/s")
            needed = interfaces.fontMetrics().horizontalAdvance(format_bps(888e9))
            assert interfaces.horizontalHeader().sectionSize(rate) >= needed
            description = column(interfaces, "Description")
            assert cut_cells(interfaces, skip={description}) == []

    run(body())


def test_fitted_widths_are_not_saved_but_dragged_ones_are(run: Runner, tmp_path: Path) -> None:
    """A width the app chose is chosen again at the next start (so a column keeps growing
    with its content); one the operator dragged comes back as it was."""

    async def body() -> None:
        async with demo_session(tmp_path) as session:
            await wait_for(lambda: session.window.overview.model.rowCount() == 1, what="a row")
            session.window.save_layout()
        async with demo_session(tmp_path) as session:
            table = session.window.overview.table
            assert not table.property("restored")  # fitted afresh
            header = table.horizontalHeader()
            state = column(table, "State")
            table.setProperty("operator_sized", True)  # as a drag on the header sets it
            header.resizeSection(state, 333)
            session.window.save_layout()
        async with demo_session(tmp_path) as session:
            table = session.window.overview.table
            assert table.property("restored")
            assert table.horizontalHeader().sectionSize(column(table, "State")) == 333

    run(body())


def test_a_layout_saved_for_other_columns_is_not_restored(run: Runner, tmp_path: Path) -> None:
    """A layout from a release with another set of columns would bring back phantom
    columns (a second "Last data") or give the widths to the wrong ones: it is dropped and
    the columns are fitted afresh. The file it lives in is the user's alone."""

    async def body() -> None:
        async with demo_session(tmp_path) as session:
            await wait_for(lambda: session.window.overview.model.rowCount() == 1, what="a row")
            table = session.window.overview.table
            count = table.model().columnCount()
            table.setProperty("operator_sized", True)
            table.horizontalHeader().resizeSection(column(table, "State"), 333)
        # Closed: the window saved its layout. Now as an older release would have: two
        # columns more.
        state = UiState()
        layout = state.header("overviewTable", count)
        assert layout is not None
        written = Path(state.qsettings.fileName())
        assert written.stat().st_mode & 0o777 == 0o600
        state.set_header("overviewTable", count + 2, layout)
        state.sync()
        async with demo_session(tmp_path) as session:
            table = session.window.overview.table
            assert not table.property("restored")
            assert table.horizontalHeader().count() == table.model().columnCount()
            assert table.horizontalHeader().sectionSize(column(table, "State")) != 333

    run(body())


def test_a_layout_file_left_readable_by_an_earlier_release_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "ne8000monitor.conf"
    path.write_text("[ui]\nselected_router=bras-sp1\n")
    path.chmod(0o644)
    UiState(QSettings(str(path), QSettings.Format.IniFormat))
    assert path.stat().st_mode & 0o777 == 0o600
