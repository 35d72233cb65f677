"""The tray icon: the active alert count in its tooltip, a notification for each new
critical or major alert, an optional beep for critical ones, show/hide and quit."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from app.domain.alerts import Alert, Severity
from app.ui.live import LiveState
from app.ui.views.state_names import (
    alert_text,
    severity_counts,
    severity_summary,
    severity_text,
)

NOTIFY = frozenset({Severity.CRITICAL, Severity.MAJOR})


class Tray(QObject):
    """Wraps QSystemTrayIcon; does nothing visible where the platform has no tray."""

    show_requested = Signal()
    quit_requested = Signal()

    def __init__(self, live: LiveState, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.live = live
        self.sound = False
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.icon = QSystemTrayIcon(icon, self)
        self.notifications: list[str] = []  # what was announced (tests, the log dock)
        menu = QMenu()
        menu.addAction(self.tr("Show window")).triggered.connect(self.show_requested.emit)
        menu.addSeparator()
        menu.addAction(self.tr("Quit")).triggered.connect(self.quit_requested.emit)
        self._menu: QMenu | None = menu
        self.icon.setContextMenu(menu)
        self.icon.activated.connect(self._activated)
        live.alerts_changed.connect(self.update_tooltip)
        live.alert_raised.connect(self.announce)
        self.update_tooltip()
        if self.available:
            self.icon.show()

    def update_tooltip(self) -> None:
        text = self.tr("NE8000 Monitor")
        summary = severity_summary(severity_counts(self.live.alerts.values()))
        if summary:
            text += " \u2014 " + summary
        self.icon.setToolTip(text)

    def announce(self, alert: Alert) -> None:
        if alert.severity not in NOTIFY:
            return
        title = f"{severity_text(alert.severity).upper()}: {alert.router}"
        message = alert_text(alert)
        self.notifications.append(f"{title} {message}")
        del self.notifications[:-50]
        if self.available and QSystemTrayIcon.supportsMessages():
            icon = (
                QSystemTrayIcon.MessageIcon.Critical
                if alert.severity is Severity.CRITICAL
                else QSystemTrayIcon.MessageIcon.Warning
            )
            self.icon.showMessage(title, message, icon, 10_000)
        if self.sound and alert.severity is Severity.CRITICAL:
            QApplication.beep()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_requested.emit()

    def hide(self) -> None:
        """Remove the icon and its menu (idempotent: the window and shutdown both call it)."""
        self.icon.hide()
        if self._menu is not None:
            self._menu.deleteLater()
            self._menu = None
