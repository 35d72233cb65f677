"""The settings dialog: alert thresholds, polling, the local feed, alert delivery
(Alertmanager and direct notifications), operator mode, desktop prefs.

Engine settings are frozen dataclasses saved through the runtime (one atomic write of the
settings file); desktop preferences go to QSettings. The feed's one hard rule, no
non-loopback bind without a token, is checked here too so the operator reads it in the
dialog instead of finding a feed that silently did not start. "Send test notification"
sends to the URLs as typed, before they are saved, and shows the outcome per URL.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import replace

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import NE8000MonitorError
from app.domain.notifications import TargetResult
from app.engine.runtime import Runtime
from app.engine.settings import (
    HTTP_URL,
    MIN_POLL_INTERVAL,
    URL_LIST,
    AlertmanagerSettings,
    FeedSettings,
    Intervals,
    NotifySettings,
    Settings,
    Thresholds,
)
from app.ui.collector_banner import managed_text
from app.ui.delivery import delivery_line
from app.ui.dialogs.collector_tab import CollectorTab
from app.ui.dialogs.preferences import UiPreferences
from app.ui.dialogs.tasks import TaskSet

TOKEN_BYTES = 32
_ERROR_STYLE = "QLabel { color: #b00020; font-weight: bold; }"


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`: binds only this machine can reach."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def generate_token() -> str:
    """A random URL-safe token (256 bits) for the feed's Authorization header."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def _double(
    value: float, low: float, high: float, decimals: int = 1, suffix: str = ""
) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(low, high)
    spin.setDecimals(decimals)
    spin.setSuffix(suffix)
    spin.setValue(value)
    return spin


def _integer(value: int, low: int, high: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    return spin


class SettingsDialog(QDialog):
    """Edits `runtime.settings` and the desktop preferences; saves and switches the feed."""

    saved = Signal(object)  # the new Settings
    preferences_saved = Signal(object)  # the new UiPreferences

    def __init__(
        self,
        runtime: Runtime,
        store: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.store = store
        self.tasks = TaskSet(lambda error: self.show_error(str(error)))
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        settings = runtime.settings
        preferences = UiPreferences.load(store)

        tabs = QTabWidget()
        tabs.addTab(self._alerts_tab(settings.thresholds), self.tr("Alerts"))
        tabs.addTab(self._polling_tab(settings.intervals), self.tr("Polling"))
        tabs.addTab(self._feed_tab(settings.feed), self.tr("Feed"))
        tabs.addTab(
            self._delivery_tab(settings.alertmanager, settings.notify), self.tr("Notifications")
        )
        tabs.addTab(self._general_tab(settings.feed, preferences), self.tr("General"))
        self.collector_tab = CollectorTab(runtime, tabs)
        tabs.addTab(self.collector_tab, self.tr("Collector"))
        if not runtime.manages_routers:  # collector mode: those are the collector's settings
            for index in range(4):
                tabs.widget(index).setEnabled(False)
                tabs.setTabToolTip(index, managed_text())
            self.operator_mode.setEnabled(False)
            self.operator_mode.setToolTip(managed_text())

        self.error_label = QLabel()
        self.error_label.setObjectName("settingsError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(_ERROR_STYLE)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    # ---- tabs ----

    def _alerts_tab(self, thresholds: Thresholds) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        percent = self.tr(" %")
        self.drop_percent = _double(thresholds.mass_drop_percent, 0.1, 100.0, suffix=percent)
        self.drop_window = _double(thresholds.mass_drop_window, 1.0, 86400.0, 0, self.tr(" s"))
        self.cpu_percent = _double(thresholds.cpu_percent, 0.1, 100.0, suffix=percent)
        self.cpu_polls = _integer(thresholds.cpu_polls, 1, 1000)
        self.memory_percent = _double(thresholds.memory_percent, 0.1, 100.0, suffix=percent)
        self.memory_polls = _integer(thresholds.memory_polls, 1, 1000)
        self.pool_percent = _double(thresholds.pool_percent, 0.1, 100.0, suffix=percent)
        form.addRow(self.tr("Mass subscriber drop:"), self.drop_percent)
        form.addRow(self.tr("… within:"), self.drop_window)
        form.addRow(self.tr("CPU above:"), self.cpu_percent)
        form.addRow(self.tr("… for consecutive polls:"), self.cpu_polls)
        form.addRow(self.tr("Memory above:"), self.memory_percent)
        form.addRow(self.tr("… for consecutive polls:"), self.memory_polls)
        form.addRow(self.tr("IP pool usage above:"), self.pool_percent)
        return page

    def _polling_tab(self, intervals: Intervals) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        seconds = self.tr(" s")
        low = MIN_POLL_INTERVAL  # the settings file refuses faster polling
        self.interval_subscribers = _double(intervals.pppoe, low, 86400.0, suffix=seconds)
        self.interval_interfaces = _double(intervals.interfaces, low, 86400.0, suffix=seconds)
        self.interval_traffic = _double(intervals.traffic, low, 86400.0, suffix=seconds)
        self.interval_traffic_others = _double(
            intervals.traffic_others, low, 86400.0, suffix=seconds
        )
        self.interval_traffic.setToolTip(self.tr("Rates of the monitored interfaces"))
        self.interval_traffic_others.setToolTip(
            self.tr(
                "Rates of every other up port, read on every Nth traffic poll "
                "(rounded to a multiple of the traffic interval)"
            )
        )
        self.interval_system = _double(intervals.system, low, 86400.0, suffix=seconds)
        self.jitter = _double(intervals.jitter, 0.0, 0.99, 2)
        form.addRow(self.tr("Subscribers every:"), self.interval_subscribers)
        form.addRow(self.tr("Interfaces every:"), self.interval_interfaces)
        form.addRow(self.tr("Traffic of monitored interfaces every:"), self.interval_traffic)
        form.addRow(self.tr("Traffic of other up ports every:"), self.interval_traffic_others)
        form.addRow(self.tr("System (CPU, memory, alarms) every:"), self.interval_system)
        form.addRow(self.tr("Jitter (fraction of the interval):"), self.jitter)
        note = QLabel(self.tr("New polling intervals apply from the next start of the app."))
        note.setWordWrap(True)
        form.addRow(note)
        return page

    def _feed_tab(self, feed: FeedSettings) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.feed_enabled = QCheckBox(self.tr("Serve the local HTTP/WebSocket feed"))
        self.feed_enabled.setChecked(feed.enabled)
        self.feed_host = QLineEdit(feed.host)
        self.feed_host.setToolTip(
            self.tr("127.0.0.1 keeps the feed on this machine; any other address needs a token")
        )
        self.feed_port = _integer(feed.port, 1, 65535)
        self.feed_token = QLineEdit(feed.token or "")
        self.feed_token.setObjectName("feedToken")
        self.feed_token.setPlaceholderText(self.tr("none"))
        self.generate_button = QPushButton(self.tr("Generate"))
        self.generate_button.clicked.connect(lambda: self.feed_token.setText(generate_token()))
        token_row = QHBoxLayout()
        token_row.addWidget(self.feed_token)
        token_row.addWidget(self.generate_button)
        self.remote_commands = QCheckBox(
            self.tr("Allow feed clients holding the token to run commands")
        )
        self.remote_commands.setChecked(feed.remote_commands)
        self.feed_status = QLabel(self._feed_status_text())
        self.feed_status.setWordWrap(True)
        form.addRow(self.feed_enabled)
        form.addRow(self.tr("Bind address:"), self.feed_host)
        form.addRow(self.tr("Port:"), self.feed_port)
        form.addRow(self.tr("Token:"), token_row)
        form.addRow(self.remote_commands)
        form.addRow(self.feed_status)
        return page

    def _delivery_tab(self, alertmanager: AlertmanagerSettings, notify: NotifySettings) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.alertmanager_url = QLineEdit(alertmanager.url or "")
        self.alertmanager_url.setObjectName("alertmanagerUrl")
        self.alertmanager_url.setPlaceholderText(self.tr("http://alertmanager:9093 (empty: off)"))
        self.alertmanager_url.setToolTip(
            self.tr(
                "Every alert is posted to Prometheus Alertmanager, re-sent while active and "
                "ended when it clears; Alertmanager groups, silences and routes them."
            )
        )
        self.notify_urls = QPlainTextEdit("\n".join(notify.urls))
        self.notify_urls.setObjectName("notifyUrls")
        self.notify_urls.setPlaceholderText(
            self.tr("One apprise URL per line, e.g.\ntgram://BOT_TOKEN/CHAT_ID\n"
                    "mailto://user:password@smtp.example.com?to=noc@example.com")
        )
        self.notify_urls.setTabChangesFocus(True)
        self.min_severity = QComboBox()
        self.min_severity.setObjectName("notifyMinSeverity")
        for value, label in (
            ("critical", self.tr("Critical only")),
            ("major", self.tr("Major and critical")),
            ("minor", self.tr("Minor and above")),
            ("warning", self.tr("Everything (warning and above)")),
        ):
            self.min_severity.addItem(label, value)
        self.min_severity.setCurrentIndex(max(0, self.min_severity.findData(notify.min_severity)))
        secrets_note = QLabel(
            self.tr(
                "These URLs may hold passwords and bot tokens. They are kept in the settings "
                "file, which only your user can read, and are masked in the log."
            )
        )
        secrets_note.setWordWrap(True)
        self.test_button = QPushButton(self.tr("Send test notification"))
        self.test_button.setObjectName("sendTestNotification")
        self.test_button.clicked.connect(self.send_test)
        self.test_result = QLabel()
        self.test_result.setObjectName("notifyTestResult")
        self.test_result.setWordWrap(True)
        self.delivery_status = QLabel(self._delivery_status_text())
        self.delivery_status.setObjectName("deliveryStatus")
        self.delivery_status.setWordWrap(True)
        form.addRow(self.tr("Alertmanager:"), self.alertmanager_url)
        form.addRow(self.tr("Notification URLs:"), self.notify_urls)
        form.addRow(secrets_note)
        form.addRow(self.tr("Notify about:"), self.min_severity)
        form.addRow(self.test_button)
        form.addRow(self.test_result)
        form.addRow(self.delivery_status)
        return page

    def _general_tab(self, feed: FeedSettings, preferences: UiPreferences) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.operator_mode = QCheckBox(
            self.tr("Operator mode: allow configuration commands in the console")
        )
        self.operator_mode.setToolTip(
            self.tr(
                "Each configuration command is still shown and must be confirmed; it is "
                "written to the audit log."
            )
        )
        self.operator_mode.setChecked(feed.operator_mode)
        self.language = QComboBox()
        self.language.addItem(self.tr("System default"), "")
        # Language names are shown in their own language, as every OS does.
        self.language.addItem("English", "en")
        self.language.addItem("Português (Brasil)", "pt_BR")
        self.language.setCurrentIndex(max(0, self.language.findData(preferences.language)))
        self.close_to_tray = QCheckBox(self.tr("Closing the window keeps the app in the tray"))
        self.close_to_tray.setChecked(preferences.close_to_tray)
        self.alert_sound = QCheckBox(self.tr("Play a sound for critical alerts"))
        self.alert_sound.setChecked(preferences.alert_sound)
        form.addRow(self.operator_mode)
        form.addRow(self.tr("Language:"), self.language)
        form.addRow(QLabel(self.tr("A new language applies after restarting the app.")))
        form.addRow(self.close_to_tray)
        form.addRow(self.alert_sound)
        return page

    def _feed_status_text(self) -> str:
        feed = self.runtime.feed
        if feed is None:
            return self.tr("The feed is not available in this session.")
        if feed.running:
            return self.tr("Feed running at {url} ({clients} clients).").format(
                url=feed.url, clients=feed.client_count
            )
        return self.tr("Feed stopped.")

    def _delivery_status_text(self) -> str:
        control = self.runtime.notifications
        if control is None:
            return ""
        lines = [delivery_line(status) for status in control.status()]
        return "\n".join(line for line in lines if line)

    # ---- test notification ----

    def _typed_urls(self) -> tuple[str, ...]:
        return tuple(
            line.strip() for line in self.notify_urls.toPlainText().splitlines() if line.strip()
        )

    def send_test(self) -> None:
        """Send a test message to the URLs as typed; show what happened to each."""
        urls = self._typed_urls()
        if not urls:
            self.test_result.setText(self.tr("Enter at least one notification URL first."))
            return
        if not URL_LIST.accepts(list(urls)):
            self.test_result.setText(self._url_problem())
            return
        if self.runtime.notifications is None or self.tasks.busy:
            return
        self.test_button.setEnabled(False)
        self.test_result.setText(self.tr("Sending…"))
        self.tasks.spawn(self._send_test(NotifySettings(urls=urls)))

    async def _send_test(self, settings: NotifySettings) -> None:
        control = self.runtime.notifications
        assert control is not None
        try:
            results = await control.send_test(settings)
        except NE8000MonitorError as error:
            self.test_result.setText(str(error))
            return
        finally:
            self.test_button.setEnabled(True)
        self.test_result.setText("\n".join(self._result_text(result) for result in results))

    def _result_text(self, result: TargetResult) -> str:
        if result.delivered:
            return self.tr("Delivered to {target}").format(target=result.target)
        return self.tr("Not delivered to {target}: {error}").format(
            target=result.target, error=result.error or ""
        )

    def _url_problem(self) -> str:
        return self.tr(
            "Each notification URL needs a scheme (tgram://, mailto://, json:// …) and no "
            "spaces, one per line."
        )

    # ---- values ----

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def settings(self) -> Settings:
        """The settings the form describes; ValueError with a message for the operator."""
        old = self.runtime.settings
        if not self.runtime.manages_routers:  # collector mode: only the Collector tab is ours
            return replace(old, collector=self.collector_tab.choice().settings)
        host = self.feed_host.text().strip()
        token = self.feed_token.text().strip() or None
        if not host:
            raise ValueError(
                self.tr("Enter the feed's bind address (127.0.0.1 for this machine only).")
            )
        # Seat tokens (`ne8000monitor token add`) count as tokens too.
        tokens = token is not None or bool(old.seats)
        if not is_loopback(host) and not tokens:
            raise ValueError(
                self.tr(
                    "The feed would listen on {host}, reachable from the network, without a "
                    "token. Set a token (Generate) or bind to 127.0.0.1."
                ).format(host=host)
            )
        if self.remote_commands.isChecked() and not tokens:
            raise ValueError(
                self.tr("Remote commands need a token: set one (Generate) or untick them.")
            )
        if token is not None and any(ch.isspace() for ch in token):
            raise ValueError(self.tr("The token must not contain spaces."))
        thresholds = replace(
            old.thresholds,
            mass_drop_percent=self.drop_percent.value(),
            mass_drop_window=self.drop_window.value(),
            cpu_percent=self.cpu_percent.value(),
            cpu_polls=self.cpu_polls.value(),
            memory_percent=self.memory_percent.value(),
            memory_polls=self.memory_polls.value(),
            pool_percent=self.pool_percent.value(),
        )
        intervals = replace(
            old.intervals,
            pppoe=self.interval_subscribers.value(),
            interfaces=self.interval_interfaces.value(),
            traffic=self.interval_traffic.value(),
            traffic_others=self.interval_traffic_others.value(),
            system=self.interval_system.value(),
            jitter=self.jitter.value(),
        )
        alertmanager_url = self.alertmanager_url.text().strip() or None
        if alertmanager_url is not None and not HTTP_URL.accepts(alertmanager_url):
            raise ValueError(
                self.tr("The Alertmanager address must be an http:// or https:// URL.")
            )
        urls = self._typed_urls()
        if not URL_LIST.accepts(list(urls)):
            raise ValueError(self._url_problem())
        alertmanager = replace(
            old.alertmanager,
            url=None if alertmanager_url is None else HTTP_URL.normalise(alertmanager_url),
        )
        notify = replace(
            old.notify, urls=urls, min_severity=str(self.min_severity.currentData())
        )
        feed = replace(
            old.feed,
            enabled=self.feed_enabled.isChecked(),
            host=host,
            port=self.feed_port.value(),
            token=token,
            remote_commands=self.remote_commands.isChecked(),
            operator_mode=self.operator_mode.isChecked(),
        )
        return replace(
            old,
            thresholds=thresholds,
            intervals=intervals,
            feed=feed,
            alertmanager=alertmanager,
            notify=notify,
            collector=self.collector_tab.choice().settings,
        )

    def preferences(self) -> UiPreferences:
        return UiPreferences(
            language=str(self.language.currentData() or ""),
            close_to_tray=self.close_to_tray.isChecked(),
            alert_sound=self.alert_sound.isChecked(),
        )

    # ---- saving ----

    def submit(self) -> None:
        if self.tasks.busy:
            return
        try:
            settings = self.settings()
        except ValueError as error:
            self.show_error(str(error))
            return
        self.show_error("")
        self.tasks.spawn(self._save(settings, self.preferences()))

    async def _save(self, settings: Settings, preferences: UiPreferences) -> None:
        old_feed = self.runtime.settings.feed
        self.save_button.setEnabled(False)
        try:
            try:
                # The token first: a keyring that refuses it leaves the file unchanged.
                self.collector_tab.store_token(self.collector_tab.choice())
                self.runtime.save_settings(settings)
            except (NE8000MonitorError, OSError) as error:
                self.show_error(self.tr("Could not save the settings: {error}").format(error=error))
                return
            preferences.save(self.store)
            self.saved.emit(settings)
            self.preferences_saved.emit(preferences)
            try:
                await self._apply_feed(old_feed, settings.feed)
            except (NE8000MonitorError, OSError) as error:
                self.feed_status.setText(self._feed_status_text())
                self.show_error(
                    self.tr("Settings saved, but the feed could not start: {error}").format(
                        error=error
                    )
                )
                return
            notifications = self.runtime.notifications
            if notifications is not None:
                await notifications.apply(settings)
                self.delivery_status.setText(self._delivery_status_text())
                if notifications.problem is not None:
                    self.show_error(
                        self.tr("Settings saved, but notifications cannot run: {error}").format(
                            error=notifications.problem
                        )
                    )
                    return
        finally:
            self.save_button.setEnabled(True)
        self.accept()

    async def _apply_feed(self, old: FeedSettings, new: FeedSettings) -> None:
        feed = self.runtime.feed
        if feed is None:
            return
        if not new.enabled:
            if feed.running:
                await feed.stop()
            return
        if feed.running and new != old:
            await feed.stop()  # restart to bind the new address/port/token
        if not feed.running:
            await feed.start()

    def done(self, result: int) -> None:
        self.tasks.cancel_all()
        self.collector_tab.close_tasks()
        super().done(result)

