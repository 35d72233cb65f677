"""Safe actions on a router: shut / un-shut an interface, look up and disconnect a subscriber.

Every change goes through the engine's one workflow: the request is planned (validated, the
exact lines built, nothing sent), the preview is shown verbatim, the operator confirms (for
a monitored uplink by typing the interface name, since shutting one cuts subscribers off),
and only then is the plan applied. The outcome and the audit-log entry it produced are
shown afterwards, successful or not. A subscriber is looked up by user name, IPv4 address
or MAC address (:mod:`app.engine.subscriber_lookup`, a read-only console command parsed
with the app's own VRP parser) and shown with its session's details; a cut disconnects the
account that lookup found, whichever way it was found.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFontDatabase, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import NE8000MonitorError
from app.engine.changes import (
    ChangeAbandoned,
    ChangePlan,
    ChangeRequest,
    ChangeResult,
    CutAccessUser,
    InterfaceShutdown,
    InterfaceUndoShutdown,
)
from app.engine.runtime import Runtime
from app.engine.subscriber_lookup import (
    LookupResult,
    SubscriberSession,
    look_up,
    parse_query,
)
from app.ui.dialogs.tasks import TaskSet, dialog_result
from app.ui.formatting import DASH, format_duration
from app.ui.messages import translate_error
from app.vrp.names import normalise_interface_name

_WARNING_STYLE = "QLabel { color: #b00020; font-weight: bold; }"
# What a lookup shows of each session (the detail commands print all of it).
SESSION_COLUMNS = (
    "username",
    "domain",
    "interface",
    "vlan",
    "mac",
    "ipv4",
    "online",
    "access_type",
)


def _monospace(widget: QWidget) -> None:
    widget.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))


def format_audit_entry(entry: dict[str, Any]) -> str:
    """One audit-log record as the operator reads it (the fields of AuditEntry, labelled
    in the interface language; the values as the log holds them)."""
    labels = {
        "time": QCoreApplication.translate("ActionsView", "time:"),
        "user": QCoreApplication.translate("ActionsView", "user:"),
        "router": QCoreApplication.translate("ActionsView", "router:"),
        "outcome": QCoreApplication.translate("ActionsView", "outcome:"),
        "commands": QCoreApplication.translate("ActionsView", "commands:"),
        "detail": QCoreApplication.translate("ActionsView", "detail:"),
    }
    width = max(len(label) for label in labels.values()) + 1
    lines = [
        f"{labels[key]:<{width}}{entry.get(key)}" for key in ("time", "user", "router", "outcome")
    ]
    lines.append(labels["commands"])
    lines += [f"  {command}" for command in entry.get("commands", ())]
    if entry.get("detail"):
        lines.append(f"{labels['detail']:<{width}}{entry['detail']}")
    return "\n".join(lines)


def transcript_text(result: ChangeResult) -> str:
    """What the router printed: each command at the prompt it was typed at."""
    return result.printed()


class ChangeConfirmDialog(QDialog):
    """The exact lines about to be sent, and the confirmation (typed name for an uplink)."""

    def __init__(
        self,
        title: str,
        summary: str,
        preview: str,
        *,
        type_to_confirm: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("changeConfirmDialog")
        self.setMinimumWidth(480)
        self.setWindowTitle(title)
        self.expected = type_to_confirm
        self.summary_label = QLabel(summary)
        self.summary_label.setWordWrap(True)
        self.preview = QPlainTextEdit(preview)
        self.preview.setObjectName("changePreview")
        self.preview.setReadOnly(True)
        _monospace(self.preview)
        buttons = QDialogButtonBox()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.confirm_button = buttons.addButton(
            self.tr("Send to router"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(QLabel(self.tr("These exact lines will be sent:")))
        layout.addWidget(self.preview)
        self.confirm_edit: QLineEdit | None = None
        if type_to_confirm is not None:
            warning = QLabel(
                self.tr(
                    "{name} is a monitored uplink: shutting it down can disconnect subscribers. "
                    "Type the interface name to confirm."
                ).format(name=type_to_confirm)
            )
            warning.setWordWrap(True)
            warning.setStyleSheet(_WARNING_STYLE)
            self.confirm_edit = QLineEdit()
            self.confirm_edit.setObjectName("typedConfirmation")
            self.confirm_edit.setPlaceholderText(type_to_confirm)
            self.confirm_edit.textChanged.connect(self._typed)
            layout.addWidget(warning)
            layout.addWidget(self.confirm_edit)
            self.confirm_button.setEnabled(False)
        layout.addWidget(buttons)
        # Enter must never send a change: Cancel is the default.
        self.confirm_button.setAutoDefault(False)
        self.cancel_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

    def _typed(self, text: str) -> None:
        self.confirm_button.setEnabled(text.strip() == self.expected)


class ActionsView(QWidget):
    """Interface and subscriber actions for one router, with the last result and audit entry."""

    change_applied = Signal(object)  # ChangeResult
    lookup_finished = Signal(object)  # AccessUserList or None

    def __init__(self, runtime: Runtime, router: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.router = router
        self.tasks = TaskSet(self._unexpected_error)
        self.last_users: tuple[SubscriberSession, ...] = ()
        self.last_lookup: LookupResult | None = None
        self.last_audit: dict[str, Any] | None = None
        self.setObjectName("actionsView")

        interfaces = QGroupBox(self.tr("Interface"))
        self.interface_combo = QComboBox()
        self.interface_combo.setObjectName("actionInterface")
        self.interface_combo.setEditable(True)
        self.interface_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.interface_combo.setMinimumContentsLength(24)
        self.refresh_button = QPushButton(self.tr("Refresh list"))
        self.shutdown_button = QPushButton(self.tr("Shut down…"))
        self.undo_button = QPushButton(self.tr("Undo shutdown…"))
        row = QHBoxLayout(interfaces)
        row.addWidget(self.interface_combo, 1)
        row.addWidget(self.refresh_button)
        row.addWidget(self.shutdown_button)
        row.addWidget(self.undo_button)

        subscribers = QGroupBox(self.tr("Subscriber"))
        self.username_edit = QLineEdit()
        self.username_edit.setObjectName("actionUsername")
        self.username_edit.setPlaceholderText(
            self.tr("user name, IPv4 or MAC address (user@isp, 10.1.2.3, 00e0-fc12-3456)")
        )
        self.lookup_button = QPushButton(self.tr("Look up"))
        self.cut_button = QPushButton(self.tr("Disconnect (cut)…"))
        self.cut_button.setEnabled(False)
        self.users_table = QTableWidget(0, len(SESSION_COLUMNS))
        self.users_table.setObjectName("subscriberTable")
        self.users_table.setHorizontalHeaderLabels(self._session_titles())
        self.users_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.users_table.verticalHeader().setVisible(False)
        self.users_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive
        )
        self.users_table.horizontalHeader().setStretchLastSection(True)
        lookup_row = QHBoxLayout()
        lookup_row.addWidget(self.username_edit, 1)
        lookup_row.addWidget(self.lookup_button)
        lookup_row.addWidget(self.cut_button)
        subscriber_layout = QVBoxLayout(subscribers)
        subscriber_layout.addLayout(lookup_row)
        subscriber_layout.addWidget(self.users_table)

        result = QGroupBox(self.tr("Result and audit entry"))
        self.result_view = QPlainTextEdit()
        self.result_view.setObjectName("actionResult")
        self.result_view.setReadOnly(True)
        _monospace(self.result_view)
        self.status_label = QLabel()
        self.status_label.setObjectName("actionStatus")
        self.status_label.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.hide()
        result_layout = QVBoxLayout(result)
        result_layout.addWidget(self.status_label)
        result_layout.addWidget(self.busy)
        result_layout.addWidget(self.result_view)

        layout = QVBoxLayout(self)
        layout.addWidget(interfaces)
        layout.addWidget(subscribers, 1)
        layout.addWidget(result, 1)

        self.refresh_button.clicked.connect(self.refresh_interfaces)
        self.shutdown_button.clicked.connect(
            lambda: self.shutdown(self.interface_combo.currentText())
        )
        self.undo_button.clicked.connect(
            lambda: self.undo_shutdown(self.interface_combo.currentText())
        )
        self.lookup_button.clicked.connect(lambda: self.lookup(self.username_edit.text()))
        self.username_edit.returnPressed.connect(lambda: self.lookup(self.username_edit.text()))
        self.cut_button.clicked.connect(self._cut_found)
        self.username_edit.textChanged.connect(self._username_edited)
        self.refresh_interfaces()

    # ---- interface list ----

    def interface_names(self) -> list[str]:
        """The interfaces of the router's last `display interface brief` poll."""
        brief = self.runtime.monitor.snapshot(self.router).data("interface_brief")
        rows = getattr(brief, "interfaces", ())
        return [row.name for row in rows]

    def refresh_interfaces(self) -> None:
        current = self.interface_combo.currentText()
        names = self.interface_names()
        self.interface_combo.clear()
        self.interface_combo.addItems(names)
        if current:
            self.interface_combo.setCurrentText(current)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        self.refresh_interfaces()  # interfaces may have appeared since the tab was built
        super().showEvent(event)

    def _is_monitored(self, name: str) -> bool:
        monitored = self.runtime.monitor.monitored_interfaces(self.router)
        return name in {normalise_interface_name(item) or item for item in monitored}

    # ---- busy / messages ----

    def _set_busy(self, message: str | None) -> None:
        busy = message is not None
        self.busy.setVisible(busy)
        if message is not None:
            self.status_label.setText(message)
        for button in (
            self.shutdown_button,
            self.undo_button,
            self.lookup_button,
            self.refresh_button,
        ):
            button.setEnabled(not busy)
        self.cut_button.setEnabled(not busy and self.cut_target() is not None)

    def _error(self, message: str) -> None:
        self.status_label.setText(message)
        self.status_label.setStyleSheet(_WARNING_STYLE)

    def _info(self, message: str) -> None:
        self.status_label.setText(message)
        self.status_label.setStyleSheet("")

    def _unexpected_error(self, error: BaseException) -> None:
        self._set_busy(None)
        self._error(self.tr("Unexpected error: {error}").format(error=error))

    # ---- interface changes ----

    def shutdown(self, interface: str) -> asyncio.Task[None]:
        return self.tasks.spawn(self._change(InterfaceShutdown(self.router, interface.strip())))

    def undo_shutdown(self, interface: str) -> asyncio.Task[None]:
        return self.tasks.spawn(self._change(InterfaceUndoShutdown(self.router, interface.strip())))

    def cut(self, username: str) -> asyncio.Task[None]:
        return self.tasks.spawn(self._change(CutAccessUser(self.router, username.strip())))

    def _cut_found(self) -> None:
        target = self.cut_target()
        if target is not None:
            self.cut(target)

    def _session_titles(self) -> list[str]:
        return [
            self.tr("Username"),
            self.tr("Domain"),
            self.tr("Interface"),
            self.tr("VLAN"),
            self.tr("MAC"),
            self.tr("IPv4 address"),
            self.tr("Online for"),
            self.tr("Access type"),
        ]

    def _describe(self, plan: ChangePlan) -> tuple[str, str, str | None]:
        """Title, summary and the name to type (None: a click confirms) for a plan."""
        request = plan.request
        if isinstance(request, CutAccessUser):
            sessions = sum(1 for user in self.last_users if user.username == request.username)
            return (
                self.tr("Disconnect subscriber"),
                self.tr(
                    "Disconnect every session of {user} on {router} ({count} found by the last "
                    "lookup). The subscriber can dial in again."
                ).format(user=request.username, router=self.router, count=sessions),
                None,
            )
        name = plan.steps[1].view or request.interface
        if isinstance(request, InterfaceShutdown):
            typed = name if self._is_monitored(name) else None
            return (
                self.tr("Shut down interface"),
                self.tr(
                    "Shut down {interface} on {router}. Traffic on it stops until it is "
                    "brought back with undo shutdown."
                ).format(interface=name, router=self.router),
                typed,
            )
        return (
            self.tr("Bring interface back (undo shutdown)"),
            self.tr("Bring {interface} on {router} back up (undo shutdown).").format(
                interface=name, router=self.router
            ),
            None,
        )

    async def _change(self, request: ChangeRequest) -> None:
        monitor = self.runtime.monitor
        try:
            plan = monitor.plan_change(request)
        except NE8000MonitorError as error:
            self._error(self.tr("Not sent: {error}").format(error=translate_error(error)))
            self.status_label.setToolTip(str(error))
            return
        title, summary, typed = self._describe(plan)
        dialog = ChangeConfirmDialog(
            title, summary, plan.preview, type_to_confirm=typed, parent=self
        )
        try:
            confirmed = await dialog_result(dialog) == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()
        if not confirmed:
            monitor.workflow.cancel(plan)
            self._info(self.tr("Cancelled; nothing was sent."))
            return
        self._set_busy(self.tr("Sending to {router}…").format(router=self.router))
        try:
            result = await monitor.run_change(plan, confirmation=plan.token)
        except ChangeAbandoned as error:
            self._set_busy(None)
            self._error(translate_error(error))
            await self._show_outcome(error.printed or str(error), plan)
            return
        except NE8000MonitorError as error:
            self._set_busy(None)
            self._error(self.tr("Failed: {error}").format(error=translate_error(error)))
            await self._show_outcome(str(error), plan)
            return
        self._set_busy(None)
        self._info(self._success_text(result))
        await self._show_outcome(transcript_text(result), plan)
        if isinstance(request, CutAccessUser):
            self.last_users = ()
            self.last_lookup = None
            self._fill_users(())
        self.change_applied.emit(result)

    def _success_text(self, result: ChangeResult) -> str:
        request = result.plan.request
        if isinstance(request, CutAccessUser):
            if result.users_cut is None:
                return self.tr(
                    "{user}: cut sent; the router did not say how many sessions ended."
                ).format(user=request.username)
            return self.tr("{user}: %n session(s) disconnected.", "", result.users_cut).format(
                user=request.username
            )
        if isinstance(request, InterfaceShutdown):
            return self.tr("{interface} shut down and committed.").format(
                interface=result.plan.steps[1].view
            )
        return self.tr("{interface} brought back up (undo shutdown committed).").format(
            interface=result.plan.steps[1].view
        )

    async def _show_outcome(self, router_text: str, plan: ChangePlan) -> None:
        entries = await asyncio.to_thread(self.runtime.audit.read)
        mine = [entry for entry in entries if entry.get("router") == plan.router]
        self.last_audit = mine[-1] if mine else None
        parts = [self.tr("Router answer:"), router_text, ""]
        parts.append(self.tr("Audit log entry:"))
        parts.append(
            format_audit_entry(self.last_audit)
            if self.last_audit is not None
            else self.tr("(no audit entry found)")
        )
        self.result_view.setPlainText("\n".join(parts))

    # ---- subscriber lookup ----

    def _username_edited(self) -> None:
        self.last_users = ()
        self.last_lookup = None
        self.cut_button.setEnabled(False)

    def lookup(self, text: str) -> asyncio.Task[None]:
        """Look a subscriber up by user name, IPv4 address or MAC address."""
        return self.tasks.spawn(self._lookup(text.strip()))

    async def _lookup(self, text: str) -> None:
        try:
            query = parse_query(text)
        except NE8000MonitorError as error:
            self._error(translate_error(error))
            self.lookup_finished.emit(None)
            return
        self._set_busy(self.tr("Looking up {user}…").format(user=query.value))
        try:
            result = await look_up(self.runtime.console, self.router, text)
        except NE8000MonitorError as error:
            self._set_busy(None)
            self._error(self.tr("Lookup failed: {error}").format(error=translate_error(error)))
            self.status_label.setToolTip(str(error))
            self.lookup_finished.emit(None)
            return
        self.last_lookup = result
        self.last_users = result.sessions
        self._fill_users(result.sessions)
        self._set_busy(None)
        if result.sessions:
            self._info(
                self.tr("{user}: %n session(s) online.", "", len(result.sessions)).format(
                    user=query.value
                )
            )
        else:
            self._info(self.tr("{user} is not online.").format(user=query.value))
        self.lookup_finished.emit(result)

    def cut_target(self) -> str | None:
        """The account a cut would disconnect: the one the last lookup found (by name, IP
        or MAC), None when it found none or several accounts."""
        if self.last_lookup is None or len(self.last_lookup.usernames) != 1:
            return None
        return self.last_lookup.usernames[0]

    def _fill_users(self, sessions: tuple[SubscriberSession, ...]) -> None:
        self.users_table.setSortingEnabled(False)
        self.users_table.setRowCount(len(sessions))
        for row, session in enumerate(sessions):
            values = (
                session.username,
                session.domain,
                session.interface,
                session.vlan,
                session.mac,
                session.ipv4,
                format_duration(session.online_seconds)
                if session.online_seconds is not None
                else None,
                session.access_type,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(DASH if value is None else str(value))
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if value is None:
                    item.setToolTip(self.tr("The router did not print this value"))
                self.users_table.setItem(row, column, item)
        self.users_table.resizeColumnsToContents()
