"""One router's dashboard: the tabs (subscribers, system, interfaces, traffic, alarms,
console, actions) and the wiring between them (a context-menu shutdown opens the actions'
confirmation; a change result refreshes nothing by hand: the engine re-polls and the
tables follow its events)."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from app.ui.actions import ActionsView
from app.ui.console_view import ConsoleView
from app.ui.context import UiContext
from app.ui.formatting import format_count
from app.ui.views.alarms import AlarmsView
from app.ui.views.interfaces import InterfacesView
from app.ui.views.subscribers import SubscribersView
from app.ui.views.system import SystemView
from app.ui.views.traffic import TrafficView


class RouterDashboard(QTabWidget):
    """The tab set of one router."""

    def __init__(self, ctx: UiContext, router: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"dashboard:{router}")
        self.setDocumentMode(True)
        self.ctx = ctx
        self.router = router
        self.subscribers = SubscribersView(ctx, router, self)
        self.system = SystemView(ctx, router, self)
        self.interfaces = InterfacesView(ctx, router, self)
        self.traffic = TrafficView(ctx, router, self)
        self.alarms = AlarmsView(ctx, router, self)
        self.console = ConsoleView(ctx.runtime, router, self)
        self.actions = ActionsView(ctx.runtime, router, self)
        self.addTab(self.subscribers, self.tr("&Subscribers"))
        self.addTab(self.system, self.tr("S&ystem"))
        self.addTab(self.interfaces, self.tr("&Interfaces"))
        self.addTab(self.traffic, self.tr("&Traffic"))
        self.addTab(self.alarms, self.tr("&Alarms"))
        self.addTab(self.console, self.tr("&Console"))
        self.addTab(self.actions, self.tr("Ac&tions"))
        self.interfaces.action_requested.connect(self._interface_action)
        ctx.live.alerts_changed.connect(self._update_alarm_tab)
        self._update_alarm_tab()

    def _interface_action(self, router: str, interface: str, action: str) -> None:
        self.setCurrentWidget(self.actions)
        if action == "shutdown":
            self.actions.shutdown(interface)
        elif action == "undo_shutdown":
            self.actions.undo_shutdown(interface)

    def _update_alarm_tab(self) -> None:
        count = len(self.ctx.live.active_alerts(self.router))
        label = self.tr("&Alarms")
        if count:
            label += f" ({format_count(count)})"
        self.setTabText(self.indexOf(self.alarms), label)

    async def close_views(self) -> None:
        """Stop what the tabs started (console commands, pending actions)."""
        self.console.stop()
        for tasks in (self.console.tasks, self.actions.tasks):
            tasks.cancel_all()
        for tasks in (self.console.tasks, self.actions.tasks):
            await tasks.wait()
