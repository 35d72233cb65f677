"""Add or edit a router: connection profile in the settings file, password in the OS keyring
(or, without a usable keyring, in memory for this session only: the dialog says so).

Saving a new SSH router (or one whose address changed) first fetches the key it offers and
shows the first-contact dialog, so the operator compares the fingerprint *before* the app
ever logs in. Then, unless the same values already passed it, a **test login** runs (the
host key checked, the login, `display version`); a router that fails it is saved only if
the operator says so, after reading why (a wrong password says "wrong password", not
"unreachable"). **Test login** runs the same check on demand. Telnet and legacy SSH
algorithms are opt-ins with a visible warning. Nothing blocks the window: the probe, the
test and the save run on the qasync loop while the dialog shows what it is doing.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import NE8000MonitorError
from app.domain.router import HOSTNAME, PROFILE_NAME, RouterProfile, TransportKind
from app.engine.freshness import classify
from app.engine.login_test import LoginTestResult
from app.engine.messages import error_message
from app.engine.pool import PoolState
from app.engine.runtime import Runtime
from app.engine.settings import MIN_COMMAND_TIMEOUT, MIN_CONNECT_TIMEOUT, MIN_KEEPALIVE_INTERVAL
from app.ui import theme
from app.ui.dialogs.hostkey import confirm_host_key
from app.ui.dialogs.tasks import TaskSet, dialog_result
from app.ui.messages import translate, translate_error

SSH_PORT = 22
TELNET_PORT = 23
_WARNING_STYLE = "QLabel { color: #b00020; font-weight: bold; }"
_NOTE_STYLE = f"QLabel {{ color: {theme.WARN}; }}"


class RouterDialog(QDialog):
    """The router form; `saved(name)` is emitted after the router was stored and started."""

    saved = Signal(str)

    def __init__(
        self, runtime: Runtime, profile: RouterProfile | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.original = profile
        self.tasks = TaskSet(self._unexpected_error)
        self.setObjectName("routerDialog")
        self.setMinimumWidth(460)
        self.setWindowTitle(
            self.tr("Add router")
            if profile is None
            else self.tr("Edit router {name}").format(name=profile.name)
        )
        defaults = profile or RouterProfile(name="router", host="127.0.0.1")

        self.name_edit = QLineEdit("" if profile is None else profile.name)
        self.name_edit.setPlaceholderText(self.tr("e.g. bras-sp1"))
        self.name_edit.setReadOnly(profile is not None)
        self.host_edit = QLineEdit("" if profile is None else profile.host)
        self.host_edit.setPlaceholderText(self.tr("IP address or host name"))
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(defaults.port)
        self.username_edit = QLineEdit(defaults.username)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self._password_placeholder())
        # Without a usable OS keyring the password lives for this session only: say so here.
        self.password_note = QLabel(
            self.tr(
                "There is no usable OS keyring: the password is kept in memory until the app "
                "closes (never written to a file); after a restart, enter it again here."
            )
        )
        self.password_note.setObjectName("passwordNote")
        self.password_note.setWordWrap(True)
        self.password_note.setStyleSheet(_NOTE_STYLE)
        self.password_note.setVisible(not runtime.passwords.persistent)
        self.password_problem = QLabel(self._missing_password_text())
        self.password_problem.setObjectName("passwordProblem")
        self.password_problem.setWordWrap(True)
        self.password_problem.setStyleSheet(_WARNING_STYLE)
        self.password_problem.setVisible(bool(self.password_problem.text()))
        self.protocol_combo = QComboBox()
        self.protocol_combo.addItem(self.tr("SSH"), TransportKind.SSH)
        self.protocol_combo.addItem(self.tr("Telnet (cleartext)"), TransportKind.TELNET)
        self.protocol_combo.setCurrentIndex(0 if defaults.transport is TransportKind.SSH else 1)
        self.telnet_warning = QLabel(
            self.tr(
                "Telnet sends the password and every command in cleartext. Use it only on a "
                "trusted, isolated management network."
            )
        )
        self.legacy_check = QCheckBox(self.tr("Allow legacy SSH algorithms"))
        self.legacy_check.setChecked(defaults.legacy_algorithms)
        self.legacy_warning = QLabel(
            self.tr(
                "Legacy algorithms (diffie-hellman-group1/group14-sha1, CBC ciphers) are weak. "
                "Enable them only for old routers that offer nothing better."
            )
        )
        for warning in (self.telnet_warning, self.legacy_warning):
            warning.setWordWrap(True)
            warning.setStyleSheet(_WARNING_STYLE)

        self.pool_spin = QSpinBox()
        self.pool_spin.setRange(1, 16)
        self.pool_spin.setValue(defaults.pool_size)
        self.pool_spin.setToolTip(
            self.tr("Sessions the app keeps open to this router (VTY lines are shared with people)")
        )
        self.vty_spin = QSpinBox()
        self.vty_spin.setRange(1, 21)
        self.vty_spin.setValue(defaults.vty_budget)
        self.vty_spin.setToolTip(self.tr("Most VTY lines the app may ever use on this router"))
        # The lower ends are the settings file's minimums (it refuses anything below them).
        self.connect_timeout = self._seconds(defaults.connect_timeout, MIN_CONNECT_TIMEOUT, 300.0)
        self.command_timeout = self._seconds(defaults.command_timeout, MIN_COMMAND_TIMEOUT, 600.0)
        self.keepalive = self._seconds(defaults.keepalive_interval, MIN_KEEPALIVE_INTERVAL, 3600.0)

        connection = QGroupBox(self.tr("Connection"))
        form = QFormLayout(connection)
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow(self.tr("Host:"), self.host_edit)
        form.addRow(self.tr("Port:"), self.port_spin)
        form.addRow(self.tr("Protocol:"), self.protocol_combo)
        form.addRow(self.telnet_warning)
        form.addRow(self.tr("Username:"), self.username_edit)
        form.addRow(self.tr("Password:"), self.password_edit)
        form.addRow(self.password_note)
        form.addRow(self.password_problem)
        form.addRow(self.legacy_check)
        form.addRow(self.legacy_warning)
        sessions = QGroupBox(self.tr("Sessions and intervals"))
        tuning = QFormLayout(sessions)
        tuning.addRow(self.tr("Sessions (pool size):"), self.pool_spin)
        tuning.addRow(self.tr("VTY budget:"), self.vty_spin)
        tuning.addRow(self.tr("Connect timeout:"), self.connect_timeout)
        tuning.addRow(self.tr("Command timeout:"), self.command_timeout)
        tuning.addRow(self.tr("Keepalive interval:"), self.keepalive)

        self.error_label = QLabel()
        self.error_label.setObjectName("routerDialogError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(_WARNING_STYLE)
        self.error_label.hide()
        self.status_label = QLabel()
        self.test_label = QLabel()
        self.test_label.setObjectName("loginTestResult")
        self.test_label.setWordWrap(True)
        self.test_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_label.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # indeterminate: a probe has no measurable progress
        self.progress.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.test_button = self.buttons.addButton(
            self.tr("Test login"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.test_button.setObjectName("testLogin")
        self.test_button.setToolTip(
            self.tr("Check the host key, log in and read display version, without saving")
        )
        self.test_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.test_button.clicked.connect(self.test)
        # The last test login and the values it was run with (a change makes it stale).
        self.last_test: LoginTestResult | None = None
        self._tested: tuple[RouterProfile, str] | None = None

        layout = QVBoxLayout(self)
        layout.addWidget(connection)
        layout.addWidget(sessions)
        layout.addWidget(self.error_label)
        layout.addWidget(self.test_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

        self.protocol_combo.currentIndexChanged.connect(self._protocol_changed)
        self.legacy_check.toggled.connect(self._update_warnings)
        for edit in (self.name_edit, self.host_edit, self.username_edit, self.password_edit):
            edit.textChanged.connect(self._values_changed)
        for spin in (self.port_spin, self.pool_spin, self.vty_spin):
            spin.valueChanged.connect(self._values_changed)
        self.protocol_combo.currentIndexChanged.connect(self._values_changed)
        self.legacy_check.toggled.connect(self._values_changed)
        self._update_warnings()

    def _password_placeholder(self) -> str:
        persistent = self.runtime.passwords.persistent
        if self.original is None:
            return (
                self.tr("stored in the OS keyring")
                if persistent
                else self.tr("kept for this session only (no OS keyring)")
            )
        return (
            self.tr("leave empty to keep the stored password")
            if persistent
            else self.tr("leave empty to keep this session's password")
        )

    def _missing_password_text(self) -> str:
        """For an edited router that has no password now: why (to be fixed right here)."""
        if self.original is None or self.original.name not in self.runtime.monitor.routers:
            return ""
        (status,) = self.runtime.monitor.router_status(self.original.name)
        if status.pool.state is not PoolState.NO_CREDENTIALS:
            return ""
        problem = self.runtime.monitor.connection_problem(self.original.name)
        reason = translate(problem) if problem is not None else ""
        return self.tr("This router has no password: {reason}. Enter it to connect.").format(
            reason=reason
        )

    def _seconds(self, value: float, low: float, high: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(low, high)
        spin.setDecimals(1)
        spin.setSuffix(self.tr(" s"))
        spin.setValue(value)
        return spin

    # ---- form behaviour ----

    @property
    def transport(self) -> TransportKind:
        return TransportKind(self.protocol_combo.currentData())

    def _protocol_changed(self) -> None:
        # Follow the protocol's well-known port unless the operator chose another one.
        if self.transport is TransportKind.TELNET and self.port_spin.value() == SSH_PORT:
            self.port_spin.setValue(TELNET_PORT)
        elif self.transport is TransportKind.SSH and self.port_spin.value() == TELNET_PORT:
            self.port_spin.setValue(SSH_PORT)
        self._update_warnings()

    def _update_warnings(self) -> None:
        telnet = self.transport is TransportKind.TELNET
        self.telnet_warning.setVisible(telnet)
        self.legacy_check.setEnabled(not telnet)
        self.legacy_warning.setVisible(not telnet and self.legacy_check.isChecked())

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _unexpected_error(self, error: BaseException) -> None:
        self._set_busy(None)
        self.show_error(self.tr("Unexpected error: {error}").format(error=error))

    def _set_busy(self, message: str | None) -> None:
        busy = message is not None
        self.status_label.setText(message or "")
        self.progress.setVisible(busy)
        self.save_button.setEnabled(not busy)
        self.test_button.setEnabled(not busy)
        for widget in (self.name_edit, self.host_edit, self.port_spin, self.password_edit):
            widget.setEnabled(not busy)

    # ---- test login ----

    def _values_changed(self, *_args: object) -> None:
        """A changed field makes the last test say nothing about what would be saved."""
        if self.last_test is not None:
            self.last_test = None
            self._tested = None
            self.test_label.hide()

    def _form_values(self) -> tuple[RouterProfile, str] | None:
        """What Save would store now (None while the form is invalid)."""
        try:
            return self.profile(), self.password_edit.text()
        except ValueError:
            return None

    def show_test_result(self, result: LoginTestResult) -> None:
        self.last_test = result
        if result.passed:
            text = "\u2714 " + self.tr("Test login passed: {result}").format(
                result=translate(result.message)
            )
            self.test_label.setStyleSheet(f"QLabel {{ color: {theme.OK}; }}")
        else:
            text = "\u2718 " + self.tr("Test login failed: {reason}").format(
                reason=self._failure_reason(result)
            )
            self.test_label.setStyleSheet(_WARNING_STYLE)
        self.test_label.setText(text)
        detail = self.tr("Details:") + " " + result.detail if result.detail else ""
        self.test_label.setToolTip(detail)
        self.test_label.show()

    def _failure_reason(self, result: LoginTestResult) -> str:
        reason = translate(result.message)
        if result.wrong_password:
            reason += " " + self.tr("(wrong username or password)")
        return reason

    def test(self) -> None:
        """Run a test login with the form's values (the Test login button)."""
        if self.tasks.busy:
            return
        try:
            profile = self.profile()
        except ValueError as error:
            self.show_error(str(error))
            return
        password = self.password_edit.text()
        if self.original is None and not password:
            self.show_error(self._password_required())
            return
        self.show_error("")
        self.tasks.spawn(self._test(profile, password or None))

    async def _test(self, profile: RouterProfile, password: str | None) -> LoginTestResult | None:
        """Host key (asked about when new or changed), login, `display version`. None when
        the operator declined the host key or edited the form meanwhile (nothing usable was
        tested, so Save stops too)."""
        if profile.transport is TransportKind.SSH:
            self._set_busy(
                self.tr("Contacting {host}:{port} for its host key…").format(
                    host=profile.host, port=profile.port
                )
            )
            try:
                probe = await self.runtime.probe_host_key(profile)
            except NE8000MonitorError as error:
                self._set_busy(None)
                result = LoginTestResult(False, error_message(error), str(error), classify(error))
                self.show_test_result(result)
                return result
            self._set_busy(self.tr("Waiting for the host key to be confirmed…"))
            if not await confirm_host_key(self, self.runtime, profile, probe):
                self._set_busy(None)
                self.show_error(self.tr("The host key was not trusted; nothing was tested."))
                return None
        self._set_busy(self.tr("Logging in to {host}:{port}…").format(
            host=profile.host, port=profile.port
        ))
        result = await self.runtime.test_login(profile, password)
        self._set_busy(None)
        if self._form_values() != (profile, password or ""):
            # Edited while the test ran: its verdict is about values the form no longer holds.
            self.show_error(self.tr("The form changed during the test login; test again."))
            return None
        self._tested = (profile, password or "")
        self.show_test_result(result)
        return result

    def _passed_for(self, profile: RouterProfile, password: str | None) -> bool:
        return (
            self.last_test is not None
            and self.last_test.passed
            and self._tested == (profile, password or "")
        )

    # ---- validation ----

    def profile(self) -> RouterProfile:
        """The profile the form describes; ValueError with a message for the operator."""
        name = self.name_edit.text().strip()
        host = self.host_edit.text().strip()
        username = self.username_edit.text().strip()
        if not name:
            raise ValueError(self.tr("Enter a name for the router."))
        if not PROFILE_NAME.match(name):
            raise ValueError(
                self.tr(
                    "The name may use letters, digits, '.', '_' and '-' (up to 64 characters, "
                    "starting with a letter or digit)."
                )
            )
        taken = name in self.runtime.settings.routers or name in self.runtime.monitor.routers
        if self.original is None and taken:
            raise ValueError(self.tr("A router named {name} already exists.").format(name=name))
        if not host:
            raise ValueError(self.tr("Enter the router's IP address or host name."))
        if not HOSTNAME.match(host):
            raise ValueError(
                self.tr("{host} is not a valid address or host name.").format(host=host)
            )
        if not username or any(ch.isspace() for ch in username):
            raise ValueError(self.tr("Enter a username without spaces."))
        if self.pool_spin.value() > self.vty_spin.value():
            raise ValueError(
                self.tr(
                    "The session count ({sessions}) cannot exceed the VTY budget ({budget})."
                ).format(sessions=self.pool_spin.value(), budget=self.vty_spin.value())
            )
        values = {
            "host": host,
            "port": self.port_spin.value(),
            "username": username,
            "transport": self.transport,
            "legacy_algorithms": self.legacy_check.isChecked() and not self._is_telnet(),
            "pool_size": self.pool_spin.value(),
            "vty_budget": self.vty_spin.value(),
            "connect_timeout": self.connect_timeout.value(),
            "command_timeout": self.command_timeout.value(),
            "keepalive_interval": self.keepalive.value(),
        }
        if self.original is not None:  # keep what the form does not show (monitored uplinks)
            return replace(self.original, **values)
        return RouterProfile(name=name, **values)

    def _is_telnet(self) -> bool:
        return self.transport is TransportKind.TELNET

    def _needs_probe(self, profile: RouterProfile) -> bool:
        if profile.transport is not TransportKind.SSH:
            return False
        old = self.original
        return old is None or (old.host, old.port, old.transport) != (
            profile.host,
            profile.port,
            profile.transport,
        )

    # ---- saving ----

    def submit(self) -> None:
        """Validate, then probe/save asynchronously (the Save button)."""
        if self.tasks.busy:
            return
        try:
            profile = self.profile()
        except ValueError as error:
            self.show_error(str(error))
            return
        password = self.password_edit.text()
        if self.original is None and not password:
            self.show_error(self._password_required())
            return
        self.show_error("")
        self.tasks.spawn(self._save(profile, password or None))

    def _password_required(self) -> str:
        if self.runtime.passwords.persistent:
            return self.tr("Enter the router's password (it is kept in the OS keyring).")
        return self.tr(
            "Enter the router's password (without an OS keyring it is kept for this session "
            "only)."
        )

    async def _save(self, profile: RouterProfile, password: str | None) -> None:
        verified = True
        if self._needs_probe(profile):
            verified = await self._check_host_key(profile)
            if verified is None:
                self._set_busy(None)
                return
        # An unreachable router the operator chose to save anyway is not tested again.
        if verified and not self._passed_for(profile, password):
            result = await self._test(profile, password)
            if result is None:
                return
            if not result.passed and not await self._ask_save_failed(result):
                return
        self._set_busy(self.tr("Saving…"))
        try:
            if self.original is None:
                await self.runtime.add_router(profile, password)
            else:
                await self.runtime.update_router(profile, password)
        except NE8000MonitorError as error:
            self._set_busy(None)
            self.show_error(
                self.tr("Could not save the router: {error}").format(error=translate_error(error))
            )
            self.error_label.setToolTip(str(error))
            return
        except (ValueError, OSError) as error:
            self._set_busy(None)
            self.show_error(self.tr("Could not save the router: {error}").format(error=error))
            return
        self._set_busy(None)
        self.saved.emit(profile.name)
        self.accept()

    async def _check_host_key(self, profile: RouterProfile) -> bool | None:
        """Fetch and confirm the router's SSH key: True when it is trusted, False when it
        could not be fetched and the operator saves anyway (unverified), None to stop."""
        self._set_busy(
            self.tr("Contacting {host}:{port} for its host key…").format(
                host=profile.host, port=profile.port
            )
        )
        try:
            probe = await self.runtime.probe_host_key(profile)
        except NE8000MonitorError as error:
            self._set_busy(None)
            return False if await self._ask_save_unverified(error) else None
        self._set_busy(self.tr("Waiting for the host key to be confirmed…"))
        if not await confirm_host_key(self, self.runtime, profile, probe):
            self.show_error(self.tr("The host key was not trusted; the router was not saved."))
            return None
        return True

    async def _ask_save_unverified(self, error: NE8000MonitorError) -> bool:
        reason = translate_error(error)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Router not reachable"),
            self.tr(
                "Could not fetch the router's host key: {reason}\n\nSave anyway? Its key will "
                "then be trusted on the first successful connection, without this check."
            ).format(reason=reason),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("saveUnverifiedBox")
        box.setDetailedText(str(error))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        try:
            answer = await dialog_result(box)
        finally:
            box.deleteLater()
        if answer != QMessageBox.StandardButton.Save:
            self.show_error(self.tr("Not saved: {reason}").format(reason=reason))
            return False
        return True

    async def _ask_save_failed(self, result: LoginTestResult) -> bool:
        """The test login failed: save anyway only if the operator says so (Cancel default)."""
        reason = self._failure_reason(result)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Test login failed"),
            self.tr(
                "The test login failed: {reason}\n\nSave the router anyway? The app will "
                "keep trying to connect with these settings."
            ).format(reason=reason),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("saveFailedLoginBox")
        if result.detail:
            box.setDetailedText(result.detail)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        try:
            answer = await dialog_result(box)
        finally:
            box.deleteLater()
        if answer != QMessageBox.StandardButton.Save:
            self.show_error(self.tr("Not saved: the test login failed."))
            return False
        return True

    def done(self, result: int) -> None:
        self.tasks.cancel_all()
        super().done(result)


async def remove_router(parent: QWidget | None, runtime: Runtime, name: str) -> bool:
    """Ask, then stop monitoring `name`, drop it from the settings and its keyring entry."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        QCoreApplication.translate("RouterDialog", "Remove router"),
        QCoreApplication.translate(
            "RouterDialog",
            "Stop monitoring {name} and delete its settings and stored password?",
        ).format(name=name),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setObjectName("removeRouterBox")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    try:
        if await dialog_result(box) != QMessageBox.StandardButton.Yes:
            return False
    finally:
        box.deleteLater()
    await runtime.remove_router(name)
    return True

