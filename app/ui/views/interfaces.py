"""The interfaces of one router: a sortable, filterable table with coloured states, the
"monitored" checkbox (alert rules and the traffic view follow it; saved across restarts)
and a context menu for the shutdown / undo shutdown actions.

Each interface's bit/s is its own newest rate (from its own two newest counter readings);
a rate older than the traffic data's max age is greyed, and the table greys out as a whole
when `display interface brief` is not current. Ticking "monitored" changes nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.interfaces import BriefInterface, InterfaceBrief, InterfaceDetail
from app.ui import theme
from app.ui.collector_banner import managed_text
from app.ui.context import UiContext
from app.ui.formatting import DASH, format_bps, format_count, format_percent
from app.ui.freshness import FreshnessBar, is_current, stale_colour
from app.ui.models import ROW_ROLE, Column, RowsModel, number_key
from app.ui.views.common import make_table

SECTIONS_SHOWN = ("interface_brief", "traffic")
SECTIONS = frozenset(SECTIONS_SHOWN)


@dataclass(frozen=True, slots=True)
class InterfaceRow:
    """One table row: the brief line plus what the traffic poll knows about the port."""

    brief: BriefInterface
    description: str | None
    in_bps: float | None
    out_bps: float | None
    monitored: bool
    rate_current: bool = True  # False: the newest rate is older than the traffic max age

    @property
    def name(self) -> str:
        return self.brief.name


def phy_colour(brief: BriefInterface) -> QColor:
    if brief.admin_down:
        return QColor(theme.IF_ADMIN_DOWN)
    if brief.standby:
        return QColor(theme.IF_STANDBY)
    return QColor(theme.IF_UP if brief.phy_up else theme.IF_DOWN)


def protocol_colour(brief: BriefInterface) -> QColor:
    if brief.admin_down:
        return QColor(theme.IF_ADMIN_DOWN)
    return QColor(theme.IF_UP if brief.protocol_up else theme.IF_DOWN)


def _rate_colour(row: InterfaceRow) -> QColor | None:
    return None if row.rate_current else stale_colour()


def _widest_rates() -> list[str]:
    """The widest rates a port shows (`888 Gbps`, `88.8 Gbps`): room before they come."""
    return [format_bps(888e9), format_bps(88.8e9), format_bps(888e6)]


def _legend_chip(text: str, colour: str, parent: QWidget) -> QLabel:
    label = QLabel(f'<span style="color:{colour}">\u25a0</span> {text}', parent)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class InterfacesView(QWidget):
    """The interfaces tab of one router."""

    # (router, interface, action): "shutdown" or "undo_shutdown"; the window runs the dialog.
    action_requested = Signal(str, str, str)

    def __init__(self, ctx: UiContext, router: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("interfacesView")
        self.ctx = ctx
        self.router = router
        self.model = RowsModel(
            [
                Column(self.tr("Monitored"), lambda r: "", sort=lambda r: r.monitored,
                       checked=lambda r: r.monitored),
                Column(self.tr("Interface"), lambda r: r.name),
                Column(self.tr("Description"), lambda r: r.description or DASH,
                       tooltip=lambda r: r.description),
                Column(self.tr("PHY"), lambda r: r.brief.phy,
                       foreground=lambda r: phy_colour(r.brief)),
                Column(self.tr("Protocol"), lambda r: r.brief.protocol,
                       foreground=lambda r: protocol_colour(r.brief)),
                Column(self.tr("In util."), lambda r: format_percent(r.brief.in_util_percent, 2),
                       sort=lambda r: number_key(r.brief.in_util_percent), numeric=True),
                Column(self.tr("Out util."), lambda r: format_percent(r.brief.out_util_percent, 2),
                       sort=lambda r: number_key(r.brief.out_util_percent), numeric=True),
                Column(self.tr("In errors"), lambda r: format_count(r.brief.in_errors),
                       sort=lambda r: number_key(r.brief.in_errors), numeric=True),
                Column(self.tr("Out errors"), lambda r: format_count(r.brief.out_errors),
                       sort=lambda r: number_key(r.brief.out_errors), numeric=True),
                Column(self.tr("In bit/s"), lambda r: format_bps(r.in_bps),
                       sort=lambda r: number_key(r.in_bps), numeric=True,
                       foreground=_rate_colour, widest=_widest_rates),
                Column(self.tr("Out bit/s"), lambda r: format_bps(r.out_bps),
                       sort=lambda r: number_key(r.out_bps), numeric=True,
                       foreground=_rate_colour, widest=_widest_rates),
            ],
            key=lambda r: r.name,
            parent=self,
        )
        self.model.check_toggled.connect(self._toggle_monitored)
        # The description takes what is left (and elides, with its tooltip): the figures
        # are never cut.
        self.table: QTableView = make_table(self.model, self, name="interfaceTable", stretch=2)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        self.filter = QLineEdit(self)
        self.filter.setObjectName("interfaceFilter")
        self.filter.setPlaceholderText(self.tr("Filter interfaces (name, description, state)"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)
        self.only_monitored = QCheckBox(self.tr("Only monitored"), self)
        self.only_monitored.toggled.connect(self.refresh)
        self.count = QLabel("", self)

        legend = QHBoxLayout()
        legend.addWidget(QLabel(self.tr("Legend:"), self))
        legend.addWidget(_legend_chip(self.tr("up"), theme.IF_UP, self))
        legend.addWidget(_legend_chip(self.tr("down"), theme.IF_DOWN, self))
        legend.addWidget(_legend_chip(self.tr("administratively down (*down)"),
                                      theme.IF_ADMIN_DOWN, self))
        legend.addWidget(_legend_chip(self.tr("standby (^down)"), theme.IF_STANDBY, self))
        legend.addStretch(1)
        legend.addWidget(self.count)

        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.only_monitored)
        self.freshness = FreshnessBar(SECTIONS_SHOWN, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.freshness)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(legend)

        ctx.live.section_changed.connect(self._section_changed)
        ctx.live.section_failed.connect(self._section_failed)
        ctx.live.traffic_changed.connect(self._traffic_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.refresh)  # rates and data turn stale by the clock
        self.timer.start()
        self.refresh()

    @property
    def proxy(self) -> QSortFilterProxyModel:
        proxy = self.table.model()
        assert isinstance(proxy, QSortFilterProxyModel)
        return proxy

    def _section_changed(self, router: str, section: str) -> None:
        if router == self.router and section in SECTIONS:
            self.refresh()

    def _section_failed(self, router: str, section: str, _message: str) -> None:
        if router == self.router and section in SECTIONS:
            self.refresh()

    def _traffic_changed(self, router: str) -> None:
        if router == self.router:
            self.refresh()

    def _filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)

    def monitored(self) -> set[str]:
        try:
            return set(self.ctx.monitor.monitored_interfaces(self.router))
        except KeyError:  # the router was removed meanwhile
            return set()

    def rows(self) -> list[InterfaceRow]:
        live = self.ctx.live.router(self.router)
        brief = live.data("interface_brief")
        if not isinstance(brief, InterfaceBrief):
            return []
        details = live.data("traffic")
        details = details if isinstance(details, dict) else {}
        monitored = self.monitored()
        # A rate is current while its own newest sample is younger than the traffic max age.
        oldest = self.ctx.live.clock() - live.record("traffic").max_age
        rows = []
        for line in brief.interfaces:
            detail = details.get(line.name)
            latest = live.traffic[line.name].latest() if line.name in live.traffic else None
            row = InterfaceRow(
                brief=line,
                description=detail.description or None
                if isinstance(detail, InterfaceDetail) else None,
                in_bps=None if latest is None else latest[1],
                out_bps=None if latest is None else latest[2],
                monitored=line.name in monitored,
                rate_current=latest is None or latest[0] >= oldest,
            )
            if self.only_monitored.isChecked() and not row.monitored:
                continue
            rows.append(row)
        return rows

    def refresh(self) -> None:
        rows = self.rows()
        self.model.set_rows(rows)
        live = self.ctx.live.router(self.router)
        now = self.ctx.live.clock()
        self.model.set_dimmed(not is_current(live.record("interface_brief"), now))
        self.freshness.update_records([live.record(s) for s in SECTIONS_SHOWN], now)
        self.count.setText(self.count_text(rows, live.data("interface_brief") is not None))

    def count_text(self, rows: list[InterfaceRow], answered: bool) -> str:
        """`67 interfaces, 32 down` (plurals per language); "no data yet" before the first
        answer, never "0 interfaces, 0 down"."""
        if not answered:
            return self.tr("Interfaces: no data yet")
        down = sum(1 for r in rows if not r.brief.phy_up)
        return self.tr("%n interfaces", "", len(rows)) + ", " + self.tr("%n down", "", down)

    def _toggle_monitored(self, name: object, checked: bool) -> None:
        if not self.ctx.runtime.manages_routers:  # collector mode: the collector's choice
            self.ctx.live.notice.emit(managed_text())
            self.refresh()
            return
        names = self.monitored()
        if checked:
            names.add(str(name))
        else:
            names.discard(str(name))
        ordered = sorted(names)
        try:
            # Saved in the router's settings profile (real routers) and in QSettings
            # (demo routers, whose profiles are not saved).
            self.ctx.runtime.set_monitored(self.router, ordered)
        except (KeyError, ValueError, OSError) as error:
            self.ctx.report(self.tr("Cannot change monitored interfaces: %1").replace(
                "%1", str(error)))
            return
        self.ctx.state.set_monitored(self.router, ordered)
        self.refresh()

    def selected_interface(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        row = index.data(ROW_ROLE)
        return row.name if isinstance(row, InterfaceRow) else None

    def _context_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        row = index.data(ROW_ROLE) if index.isValid() else None
        if not isinstance(row, InterfaceRow):
            return
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        name = row.name
        menu.addAction(self.tr("Shut down %1…").replace("%1", name)).triggered.connect(
            lambda: self.action_requested.emit(self.router, name, "shutdown")
        )
        menu.addAction(self.tr("Undo shutdown of %1…").replace("%1", name)).triggered.connect(
            lambda: self.action_requested.emit(self.router, name, "undo_shutdown")
        )
        menu.addSeparator()
        monitored = row.monitored
        menu.addAction(
            self.tr("Stop monitoring") if monitored else self.tr("Monitor this interface")
        ).triggered.connect(lambda: self._toggle_monitored(name, not monitored))
        # popup, not exec: no nested event loop under qasync.
        menu.popup(self.table.viewport().mapToGlobal(position))
