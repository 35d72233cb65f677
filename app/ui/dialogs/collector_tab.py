"""Settings > Collector: connect this window to a collector (a `serve` on the LAN) instead of
logging in to the routers from this machine.

The address and an optional pinned certificate fingerprint go to the settings file
(`[collector]`); the seat's token goes to the OS keyring only (entry ``collector:URL``),
never to a file. "Test connection" asks the collector who this seat is before anything is
saved. The switch takes effect at the next start of the window.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.domain.errors import NE8000MonitorError
from app.engine.runtime import CollectorProbe, Runtime, collector_token_entry
from app.engine.settings import FINGERPRINT, HTTP_URL, CollectorSettings
from app.ui.dialogs.tasks import TaskSet


@dataclass(frozen=True, slots=True)
class CollectorChoice:
    """What the tab describes: the settings section, and a new token (None: unchanged)."""

    settings: CollectorSettings
    token: str | None


class CollectorTab(QWidget):
    """The "Collector" page of the settings dialog."""

    def __init__(self, runtime: Runtime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("collectorTab")
        self.runtime = runtime
        self.tasks = TaskSet(lambda error: self.result.setText(str(error)))
        saved = runtime.settings.collector
        form = QFormLayout(self)
        intro = QLabel(
            self.tr(
                "A collector is an `ne8000monitor serve` on the LAN that holds the only "
                "sessions to the routers. Connected to it, this window shows its data and "
                "sends console lines and changes through it, opening no session of its own."
            )
        )
        intro.setWordWrap(True)
        self.enabled = QCheckBox(self.tr("Connect to a collector"))
        self.enabled.setObjectName("collectorEnabled")
        self.enabled.setChecked(saved.url is not None)
        self.url = QLineEdit(saved.url or "")
        self.url.setObjectName("collectorUrl")
        self.url.setPlaceholderText(self.tr("https://collector.noc.example:8000"))
        self.token = QLineEdit()
        self.token.setObjectName("collectorToken")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(
            self.tr("kept in the OS keyring; leave empty to keep the stored one")
            if self._has_token(saved.url)
            else self.tr("this seat's token (ne8000monitor token add NAME on the collector)")
        )
        self.fingerprint = QLineEdit(saved.fingerprint or "")
        self.fingerprint.setObjectName("collectorFingerprint")
        self.fingerprint.setPlaceholderText(
            self.tr("only for a self-signed https certificate: the SHA-256 `serve` prints")
        )
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setObjectName("collectorTest")
        self.test_button.clicked.connect(self.test)
        self.result = QLabel()
        self.result.setObjectName("collectorTestResult")
        self.result.setWordWrap(True)
        note = QLabel(
            self.tr(
                "The window connects to the collector (or back to the routers) at its next "
                "start."
            )
        )
        note.setWordWrap(True)
        form.addRow(intro)
        form.addRow(self.enabled)
        form.addRow(self.tr("Address:"), self.url)
        form.addRow(self.tr("Token:"), self.token)
        form.addRow(self.tr("Certificate fingerprint:"), self.fingerprint)
        form.addRow(self.test_button)
        form.addRow(self.result)
        form.addRow(note)
        self.enabled.toggled.connect(self._follow_enabled)
        self._follow_enabled(self.enabled.isChecked())

    def _has_token(self, url: str | None) -> bool:
        if url is None:
            return False
        try:
            return bool(self.runtime.secrets.get_password(collector_token_entry(url)))
        except NE8000MonitorError:  # no usable keyring: the field says what to type
            return False

    def _follow_enabled(self, on: bool) -> None:
        for widget in (self.url, self.token, self.fingerprint, self.test_button):
            widget.setEnabled(on)

    # ---- values ----

    def choice(self) -> CollectorChoice:
        """The section and token the form describes; ValueError with a message if wrong."""
        if not self.enabled.isChecked():
            return CollectorChoice(CollectorSettings(), None)
        url = self.url.text().strip()
        if not HTTP_URL.accepts(url):
            raise ValueError(
                self.tr("The collector's address must be an http:// or https:// URL.")
            )
        url = HTTP_URL.normalise(url)
        fingerprint = self.fingerprint.text().strip() or None
        if fingerprint is not None:
            if not url.lower().startswith("https://"):
                raise ValueError(
                    self.tr("A certificate fingerprint needs an https:// collector address.")
                )
            if not FINGERPRINT.accepts(fingerprint):
                raise ValueError(
                    self.tr(
                        "The fingerprint is 64 hexadecimal digits (AB:CD:… as the collector "
                        "prints it)."
                    )
                )
        token = self.token.text().strip() or None
        if token is not None and any(ch.isspace() for ch in token):
            raise ValueError(self.tr("The token must not contain spaces."))
        settings = CollectorSettings(
            url=url,
            fingerprint=None if fingerprint is None else FINGERPRINT.normalise(fingerprint),
        )
        return CollectorChoice(settings, token)

    def store_token(self, choice: CollectorChoice) -> None:
        """Put a newly typed token in the keyring (raises when the keyring refuses)."""
        url = choice.settings.url
        if url is not None and choice.token is not None:
            self.runtime.secrets.set_password(collector_token_entry(url), choice.token)

    # ---- test ----

    def test(self) -> None:
        if self.tasks.busy:
            return
        try:
            choice = self.choice()
        except ValueError as error:
            self.result.setText(str(error))
            return
        url = choice.settings.url
        probe = self.runtime.probe_collector
        if url is None or probe is None:
            return
        token = choice.token
        if token is None:
            try:
                token = self.runtime.secrets.get_password(collector_token_entry(url))
            except NE8000MonitorError:
                token = None
        self.test_button.setEnabled(False)
        self.result.setText(self.tr("Asking the collector…"))
        self.tasks.spawn(self._test(probe(url, token, choice.settings.fingerprint)))

    async def _test(self, asking: object) -> None:
        try:
            found: CollectorProbe = await asking  # type: ignore[misc]
        except NE8000MonitorError as error:
            self.result.setText(self.tr("Not connected: {error}").format(error=error))
            return
        finally:
            self.test_button.setEnabled(True)
        self.result.setText(self.describe(found))

    def describe(self, found: CollectorProbe) -> str:
        seat = found.seat or self.tr("(shared token or none)")
        text = self.tr(
            "Connected: collector {version}, seat {seat}, routers: {routers}."
        ).format(version=found.version, seat=seat, routers=", ".join(found.routers) or "-")
        if not found.remote_commands:
            text += " " + self.tr("It does not accept console lines or changes from seats.")
        elif not found.operator_mode:
            text += " " + self.tr("It accepts read-only console lines; no changes.")
        return text

    def close_tasks(self) -> None:
        self.tasks.cancel_all()
