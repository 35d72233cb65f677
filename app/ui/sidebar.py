"""The router list: "All routers" first, then each router with a live state badge."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMenu, QWidget

from app.engine.pool import PoolState
from app.ui.freshness import describe
from app.ui.live import LiveState
from app.ui.messages import translate
from app.ui.views.state_names import router_state_colour, router_state_text

OVERVIEW = ""  # the key of the "All routers" entry
MAX_WIDTH = 420  # beyond this a very long router name is elided, not the window squeezed
NAME_ROLE = Qt.ItemDataRole.UserRole


def badge_icon(colour: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


class RouterList(QListWidget):
    """Selecting an entry emits `selected(name)` ("" = All routers)."""

    selected = Signal(str)
    # (router, action): "edit", "remove", "host_key", "reconnect"
    action_requested = Signal(str, str)

    def __init__(self, live: LiveState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("routerList")
        self.live = live
        self.setIconSize(QSize(14, 14))
        self.setMinimumWidth(180)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.currentItemChanged.connect(self._current_changed)
        live.routers_changed.connect(self.rebuild)
        live.state_changed.connect(self.update_badge)
        live.section_failed.connect(lambda router, *_: self.update_tooltip(router))
        live.section_changed.connect(lambda router, _section: self.update_tooltip(router))
        live.alerts_changed.connect(self._update_all)
        self.rebuild()

    def rebuild(self) -> None:
        current = self.current_router()
        self.blockSignals(True)
        self.clear()
        overview = QListWidgetItem(self.tr("All routers"), self)
        overview.setData(NAME_ROLE, OVERVIEW)
        font = overview.font()
        font.setBold(True)
        overview.setFont(font)
        for name in self.live.routers:
            item = QListWidgetItem(name, self)
            item.setData(NAME_ROLE, name)
        self._update_all()
        self.blockSignals(False)
        if not self.select(current or OVERVIEW):
            self.select(OVERVIEW)

    def item_of(self, name: str) -> QListWidgetItem | None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(NAME_ROLE) == name:
                return item
        return None

    def select(self, name: str) -> bool:
        item = self.item_of(name)
        if item is None:
            return False
        self.setCurrentItem(item)
        return True

    def current_router(self) -> str | None:
        item = self.currentItem()
        return None if item is None else item.data(NAME_ROLE)

    def update_badge(self, name: str) -> None:
        item = self.item_of(name)
        if item is None or name == OVERVIEW:
            return
        live = self.live.router(name)
        alerts = len(self.live.active_alerts(name))
        shown = router_state_text(live.state, live.problem)
        text = f"{name}\n  {shown}"
        if alerts:
            text += "  " + self.tr("(%n alerts)", "", alerts)
        item.setText(text)
        item.setIcon(badge_icon(router_state_colour(live.state, live.problem)))
        self.update_tooltip(name)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{name}: {shown}")

    def update_tooltip(self, name: str) -> None:
        """State, connection error, and the sections failing now (the others may succeed)."""
        item = self.item_of(name)
        if item is None or name == OVERVIEW:
            return
        live = self.live.router(name)
        lines = [router_state_text(live.state, live.problem)]
        if live.problem is not None:
            lines.append(translate(live.problem))
        if live.error:
            lines.append(live.error)  # the technical detail, as the system reported it
        failing = [r for r in live.records.values() if r.failures]
        lines += describe(failing, self.live.clock())
        tooltip = "\n".join(lines)
        if item.toolTip() != tooltip:
            item.setToolTip(tooltip)

    def _update_all(self) -> None:
        for name in self.live.routers:
            self.update_badge(name)
        overview = self.item_of(OVERVIEW)
        if overview is not None:
            count = len(self.live.alerts)
            overview.setText(
                self.tr("All routers") + ("  " + self.tr("(%n alerts)", "", count) if count else "")
            )
        self._fit_width()

    def _fit_width(self) -> None:
        """Wide enough for its longest entry ("Todos os roteadores  (12 alertas)"): a
        badge is never cut or scrolled sideways."""
        wanted = self.sizeHintForColumn(0) + 2 * self.frameWidth() + 8
        if self.verticalScrollBar().isVisible():
            wanted += self.verticalScrollBar().sizeHint().width()
        if wanted > self.minimumWidth():
            self.setMinimumWidth(min(wanted, MAX_WIDTH))

    def _current_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self.selected.emit(current.data(NAME_ROLE))

    def _context_menu(self, position: QPoint) -> None:
        item = self.itemAt(position)
        name = None if item is None else item.data(NAME_ROLE)
        if not name:
            return
        state = self.live.router(name).state
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def add(text: str, action: str) -> None:
            menu.addAction(text).triggered.connect(
                lambda: self.action_requested.emit(name, action)
            )

        if state is PoolState.HOST_KEY_CHANGED:
            add(self.tr("Review the new host key…"), "host_key")
        add(self.tr("Reconnect"), "reconnect")
        add(self.tr("Edit router…"), "edit")
        add(self.tr("Remove router…"), "remove")
        menu.popup(self.viewport().mapToGlobal(position))
