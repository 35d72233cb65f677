"""The main window: router list, overview and per-router dashboards, menus, tool bar,
status bar, tray, demo banner; layout saved to and restored from QSettings.

Closing the window (unless it closes to the tray) emits `closed`; the application's
`main` coroutine awaits that and shuts the runtime down cleanly.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.domain.paths import resources_dir
from app.domain.router import RouterProfile
from app.ui.collector_banner import CollectorBanner, managed_text
from app.ui.context import UiContext
from app.ui.dashboard import RouterDashboard
from app.ui.dialogs.about import AboutDialog
from app.ui.dialogs.hostkey import resolve_changed_host_key
from app.ui.dialogs.preferences import UiPreferences
from app.ui.dialogs.router_dialog import RouterDialog, remove_router
from app.ui.dialogs.settings_dialog import SettingsDialog
from app.ui.sidebar import OVERVIEW, RouterList
from app.ui.statusbar import StatusBar
from app.ui.tray import Tray
from app.ui.views.overview import OverviewView
from app.ui.views.state_names import severity_counts, severity_summary

TITLE = "NE8000 Monitor"
# Saved column layouts live under "columns" with the number of columns they were taken
# for (UiState.header); "header" (before columns were sized to their content) is ignored,
# so a layout saved with a 600 px "Acknowledged" column does not come back.


def app_icon() -> QIcon:
    for name in ("ne8000monitor.svg", "ne8000monitor.png"):
        path = resources_dir() / "icons" / name
        if path.exists():
            return QIcon(str(path))
    return QIcon()


class MainWindow(QMainWindow):
    """The operator's window over one runtime."""

    closed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.ctx = ctx
        self.quitting = False
        self.preferences = UiPreferences.load(ctx.state.qsettings)
        self.dashboards: dict[str, RouterDashboard] = {}
        self.setWindowIcon(app_icon())
        self.resize(1280, 820)

        self.routers = RouterList(ctx.live, self)
        self.overview = OverviewView(ctx, self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.overview)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.routers)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([220, 1060])

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        self.banner = self._demo_banner(central)
        if self.banner is not None:
            layout.addWidget(self.banner)
        link = ctx.runtime.collector
        self.collector_banner = None if link is None else CollectorBanner(ctx, link, central)
        if self.collector_banner is not None:
            layout.addWidget(self.collector_banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.status = StatusBar(ctx, self)
        self.setStatusBar(self.status)
        self.tray = Tray(ctx.live, self.windowIcon(), self)
        self.tray.sound = self.preferences.alert_sound
        self.tray.show_requested.connect(self.bring_to_front)
        self.tray.quit_requested.connect(self.quit)
        self._build_actions()

        self.routers.selected.connect(self.show_router)
        self.routers.action_requested.connect(self.router_action)
        self.overview.router_activated.connect(self.routers.select)
        ctx.live.routers_changed.connect(self._routers_changed)
        ctx.live.alerts_changed.connect(self.update_title)
        self.update_title()
        self.restore_layout()

    # ---- building ----

    def _demo_banner(self, parent: QWidget) -> QFrame | None:
        demo = self.ctx.runtime.demo
        if demo is None:
            return None
        frame = QFrame(parent)
        frame.setObjectName("demoBanner")
        frame.setStyleSheet(
            "#demoBanner { background: #fff3cd; border: 1px solid #e0c36a; border-radius: 4px; }"
            "#demoBanner QLabel { color: #5c4400; }"
        )
        row = QHBoxLayout(frame)
        row.setContentsMargins(10, 4, 10, 4)
        where = ", ".join(
            self.tr("%1 on %2").replace("%1", name).replace("%2", address)
            for name, address in demo.addresses()
        )
        text = QLabel(
            self.tr(
                "<b>Demo \u2014 simulated NE8000</b> (%1). Add a router to monitor a real one."
            ).replace("%1", where),
            frame,
        )
        text.setObjectName("demoBannerText")
        text.setWordWrap(True)
        row.addWidget(text, 1)
        add = QPushButton(self.tr("Add router…"), frame)
        add.setObjectName("demoAddRouter")
        add.clicked.connect(self.add_router)
        row.addWidget(add)
        return frame

    def _update_demo_banner(self) -> None:
        """The demo banner goes once a real router is monitored (it asks to add one)."""
        demo = self.ctx.runtime.demo
        if self.banner is None or demo is None:
            return
        real = [name for name in self.ctx.live.routers if name not in demo.routers]
        self.banner.setVisible(not real)

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.add_action = self._action(
            self.tr("&Add router…"), self.add_router, QKeySequence.StandardKey.New
        )
        self.edit_action = self._action(self.tr("&Edit router…"), self.edit_router, "Ctrl+E")
        self.remove_action = self._action(self.tr("&Remove router…"), self.remove_router)
        self.settings_action = self._action(
            self.tr("&Settings…"), self.open_settings, QKeySequence.StandardKey.Preferences
        )
        if self.settings_action.shortcut().isEmpty():
            self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.quit_action = self._action(self.tr("&Quit"), self.quit, QKeySequence.StandardKey.Quit)
        if self.quit_action.shortcut().isEmpty():
            self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.overview_action = self._action(
            self.tr("All &routers"), lambda: self.routers.select(OVERVIEW), "Ctrl+0"
        )
        self.next_action = self._action(
            self.tr("&Next router"), lambda: self._step_router(1), "Ctrl+PgDown"
        )
        self.prev_action = self._action(
            self.tr("&Previous router"), lambda: self._step_router(-1), "Ctrl+PgUp"
        )
        self.ack_action = self._action(
            self.tr("&Acknowledge selected alerts"), self.acknowledge, "Ctrl+K"
        )
        self.pause_action = self._action(
            self.tr("&Pause/resume traffic"), self.toggle_pause, "Ctrl+P"
        )
        self.filter_action = self._action(
            self.tr("&Find interface"), self.find_interface, QKeySequence.StandardKey.Find
        )
        self.fullscreen_action = self._action(
            self.tr("&Full screen"), self.toggle_full_screen, QKeySequence.StandardKey.FullScreen
        )
        self.about_action = self._action(self.tr("&About"), self.about)
        self.tab_actions = [
            self._action(
                self.tr("Tab %1").replace("%1", str(n)),
                lambda _=False, n=n: self.show_tab(n - 1),
                f"Ctrl+{n}",
            )
            for n in range(1, 8)
        ]

        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        for action in (self.add_action, self.edit_action, self.remove_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = bar.addMenu(self.tr("&View"))
        for action in (self.overview_action, self.next_action, self.prev_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.fullscreen_action)
        tools = bar.addMenu(self.tr("&Tools"))
        for action in (self.ack_action, self.pause_action, self.filter_action):
            tools.addAction(action)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.about_action)

        toolbar = QToolBar(self.tr("Main"), self)
        toolbar.setObjectName("mainToolBar")
        toolbar.setMovable(False)
        for action in (self.add_action, self.settings_action, self.ack_action, self.pause_action):
            toolbar.addAction(action)
        self.addToolBar(toolbar)
        self._update_router_actions()

    # ---- routers and dashboards ----

    def _routers_changed(self) -> None:
        self._update_demo_banner()
        for name in [n for n in self.dashboards if n not in self.ctx.live.routers]:
            dashboard = self.dashboards.pop(name)
            self.stack.removeWidget(dashboard)
            self.ctx.spawn(self._dispose(dashboard), self.tr("Closing dashboard"))
        self._update_router_actions()

    async def _dispose(self, dashboard: RouterDashboard) -> None:
        await dashboard.close_views()
        dashboard.deleteLater()

    def dashboard(self, router: str) -> RouterDashboard:
        """The dashboard of `router`, built on first use."""
        dashboard = self.dashboards.get(router)
        if dashboard is None:
            dashboard = self.dashboards[router] = RouterDashboard(self.ctx, router, self.stack)
            self.stack.addWidget(dashboard)
            self._restore_dashboard(router, dashboard)
        return dashboard

    def _restore_dashboard(self, router: str, dashboard: RouterDashboard) -> None:
        state = self.ctx.state
        with contextlib.suppress(ValueError):
            dashboard.setCurrentIndex(int(state.text(f"layout/tabs/{router}", "0")))
        for view in dashboard.findChildren(QTableView):
            saved = state.header(view.objectName(), view.model().columnCount())
            if saved is not None and view.objectName():
                view.horizontalHeader().restoreState(saved)
                view.setProperty("restored", True)
        for splitter in dashboard.findChildren(QSplitter):
            saved = state.bytes(f"splitter/{splitter.objectName()}")
            if saved is not None and splitter.objectName():
                splitter.restoreState(saved)

    def show_router(self, router: str) -> None:
        if router == OVERVIEW or router not in self.ctx.live.routers:
            self.stack.setCurrentWidget(self.overview)
            self.status.set_router(None)
        else:
            self.stack.setCurrentWidget(self.dashboard(router))
            self.status.set_router(router)
        self._update_router_actions()

    def current_router(self) -> str | None:
        name = self.routers.current_router()
        return name or None

    def current_dashboard(self) -> RouterDashboard | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, RouterDashboard) else None

    def show_tab(self, index: int) -> None:
        dashboard = self.current_dashboard()
        if dashboard is not None and index < dashboard.count():
            dashboard.setCurrentIndex(index)

    def _step_router(self, step: int) -> None:
        count = self.routers.count()
        if count:
            self.routers.setCurrentRow((self.routers.currentRow() + step) % count)

    def _update_router_actions(self) -> None:
        has_router = self.current_router() is not None
        manages = self.ctx.runtime.manages_routers
        self.add_action.setEnabled(manages)
        self.edit_action.setEnabled(has_router and manages)
        self.remove_action.setEnabled(has_router and manages)
        if not manages:  # collector mode: say why instead of offering what cannot be done
            for action in (self.add_action, self.edit_action, self.remove_action):
                action.setToolTip(managed_text())
                action.setStatusTip(managed_text())

    # ---- title, alerts ----

    def update_title(self) -> None:
        """`1 critical, 2 minor – NE8000 Monitor`: active alerts by severity first (what
        a taskbar shows), minor and warning ones (low optical power, a licence expiring)
        counted too."""
        title = TITLE
        if self.ctx.runtime.is_demo:
            title += " [" + self.tr("demo") + "]"
        if self.ctx.runtime.collector is not None:
            title += " [" + self.tr("collector") + "]"
        summary = severity_summary(severity_counts(self.ctx.live.alerts.values()))
        if summary:
            title = f"{summary} \u2013 {title}"
        self.setWindowTitle(title)

    def acknowledge(self) -> None:
        dashboard = self.current_dashboard()
        view = dashboard.alarms if dashboard is not None else self.overview.alarms
        if view.acknowledge_selected() == 0:
            self.status.showMessage(self.tr("Select active alerts to acknowledge"), 4000)

    def toggle_pause(self) -> None:
        dashboard = self.current_dashboard()
        if dashboard is not None:
            dashboard.traffic.set_paused(not dashboard.traffic.paused)

    def find_interface(self) -> None:
        dashboard = self.current_dashboard()
        if dashboard is not None:
            dashboard.setCurrentWidget(dashboard.interfaces)
            dashboard.interfaces.filter.setFocus()
            dashboard.interfaces.filter.selectAll()

    def toggle_full_screen(self) -> None:
        self.setWindowState(self.windowState() ^ Qt.WindowState.WindowFullScreen)

    # ---- dialogs ----

    def add_router(self) -> None:
        self._open_router_dialog(None)

    def edit_router(self) -> None:
        router = self.current_router()
        if router is None:
            return
        profile = self.ctx.runtime.settings.routers.get(router)
        if profile is None:
            with contextlib.suppress(KeyError):
                profile = self.ctx.monitor.pools.get(router).profile
        if profile is not None:
            self._open_router_dialog(profile)

    def _open_router_dialog(self, profile: RouterProfile | None) -> None:
        dialog = RouterDialog(self.ctx.runtime, profile, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.router_saved)
        dialog.open()

    def router_saved(self, name: str) -> None:
        """A router was added or edited: follow the engine's routers and show it."""
        self.ctx.bridge_resync()
        self.routers.select(name)
        self.status.showMessage(self.tr("Router %1 saved").replace("%1", name), 5000)

    def remove_router(self) -> None:
        router = self.current_router()
        if router is not None:
            self.ctx.spawn(
                self._remove(router), self.tr("Removing router %1").replace("%1", router)
            )

    async def _remove(self, router: str) -> None:
        if await remove_router(self, self.ctx.runtime, router):
            self.ctx.bridge_resync()
            self.status.showMessage(self.tr("Router %1 removed").replace("%1", router), 5000)

    def router_action(self, router: str, action: str) -> None:
        self.routers.select(router)
        if not self.ctx.runtime.manages_routers:
            self.status.showMessage(managed_text(), 10_000)
            return
        if action == "edit":
            self.edit_router()
        elif action == "remove":
            self.remove_router()
        elif action == "reconnect":
            self.ctx.spawn(
                self.ctx.runtime.reset_router(router),
                self.tr("Reconnecting %1").replace("%1", router),
            )
        elif action == "host_key":
            self.ctx.spawn(
                resolve_changed_host_key(self, self.ctx.runtime, router),
                self.tr("Checking the host key of %1").replace("%1", router),
            )

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.ctx.runtime, self.ctx.state.qsettings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.preferences_saved.connect(self._preferences_saved)
        dialog.open()

    def _preferences_saved(self, preferences: UiPreferences) -> None:
        language_changed = preferences.language != self.preferences.language
        self.preferences = preferences
        self.tray.sound = preferences.alert_sound
        if language_changed:
            self.status.showMessage(self.tr("The new language applies after a restart."), 8000)

    def about(self) -> None:
        dialog = AboutDialog(self.ctx.runtime, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    # ---- window life cycle ----

    def bring_to_front(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def quit(self) -> None:
        self.quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if not self.quitting and self.preferences.close_to_tray and self.tray.available:
            event.ignore()
            self.hide()
            self.status.showMessage(self.tr("Still running in the tray"), 4000)
            return
        self.save_layout()
        self.tray.hide()
        event.accept()
        self.closed.emit()

    def save_layout(self) -> None:
        state = self.ctx.state
        state.set_bytes("geometry", self.saveGeometry())
        state.set_bytes("windowState", self.saveState())
        for widget in self._splitters():
            state.set_bytes(f"splitter/{widget.objectName()}", widget.saveState())
        for name, dashboard in self.dashboards.items():
            state.set_text(f"layout/tabs/{name}", str(dashboard.currentIndex()))
            # Column widths and splitters are shared by every router's dashboard.
            for view in dashboard.findChildren(QTableView):
                if view.objectName():
                    self._save_columns(view)
            for splitter in dashboard.findChildren(QSplitter):
                if splitter.objectName():
                    state.set_bytes(f"splitter/{splitter.objectName()}", splitter.saveState())
        self._save_columns(self.overview.table)
        state.set_text("ui/selected_router", self.current_router() or "")
        state.sync()

    def _save_columns(self, view: QTableView) -> None:
        """Keep the widths the operator dragged; otherwise none, so the next start sizes
        the columns to what they show then (a saved fit would stop them growing)."""
        chosen = view.property("operator_sized") or view.property("restored")
        self.ctx.state.set_header(
            view.objectName(),
            view.model().columnCount(),
            view.horizontalHeader().saveState() if chosen else QByteArray(),
        )

    def restore_layout(self) -> None:
        state = self.ctx.state
        geometry = state.bytes("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        window_state = state.bytes("windowState")
        if window_state is not None:
            self.restoreState(window_state)
        for widget in self._splitters():
            saved = state.bytes(f"splitter/{widget.objectName()}")
            if saved is not None:
                widget.restoreState(saved)
        table = self.overview.table
        header = state.header(table.objectName(), table.model().columnCount())
        if header is not None:
            self.overview.table.horizontalHeader().restoreState(header)
            self.overview.table.setProperty("restored", True)
        selected = state.text("ui/selected_router")
        if selected and selected in self.ctx.live.routers:
            # After the event loop starts, so the dashboard is built with the window shown.
            QTimer.singleShot(0, lambda: self.routers.select(selected))

    def _splitters(self) -> list[QSplitter]:
        return [self.splitter, self.overview.splitter]


def focus_window(window: MainWindow) -> None:
    """Bring the window up (second instance started, tray click)."""
    window.bring_to_front()
    QApplication.alert(window)
