"""The collector-mode banner: where the window's data comes from, and whether it is live.

A seat in collector mode shows what a `serve` on the LAN collects. The banner says which
collector, as which seat, and the state of the connection the way a router's is shown:
connected since when, or unreachable since when with the reason and the next retry (the
sections themselves turn stale with "collector unreachable" at the same moment). It also
passes the collector's refusals (an acknowledgement it did not take, an audit log it could
not read) to the operator's error log. Refreshed once a second from the runtime's link.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from app.engine.runtime import CollectorLink, CollectorState, CollectorStatus
from app.ui import theme
from app.ui.context import UiContext
from app.ui.formatting import format_local_time


def managed_text() -> str:
    """Why router settings cannot be changed from this window (translated)."""
    return QCoreApplication.translate(
        "Collector",
        "Managed by the collector: routers, their passwords and host keys, the monitored "
        "interfaces, polling and alert delivery are changed in the collector's settings.",
    )


def state_line(status: CollectorStatus) -> str:
    """`Connected since 14:03:09` or `Collector unreachable since 14:03:09 – reason ...`."""
    since = format_local_time(status.since)
    if status.state is CollectorState.CONNECTED:
        return QCoreApplication.translate("Collector", "Connected since %1").replace("%1", since)
    if status.state is CollectorState.CONNECTING:
        return QCoreApplication.translate("Collector", "Connecting…")
    if status.state is CollectorState.REFUSED:
        text = QCoreApplication.translate("Collector", "Refused by the collector since %1")
    else:
        text = QCoreApplication.translate("Collector", "Collector unreachable since %1")
    text = text.replace("%1", since)
    if status.retry_in is not None:
        text += " \u2013 " + QCoreApplication.translate(
            "Collector", "retrying in %n s", "", max(1, round(status.retry_in))
        )
    return text


def identity_line(status: CollectorStatus) -> str:
    """`Collector mode – data from URL as seat noc-1 (collector 1.2.0)`."""
    if status.seat:
        text = QCoreApplication.translate(
            "Collector", "<b>Collector mode</b> \u2013 data from %1 as seat %2"
        ).replace("%2", status.seat)
    else:
        text = QCoreApplication.translate("Collector", "<b>Collector mode</b> \u2013 data from %1")
    text = text.replace("%1", status.url)
    if status.version:
        text += " " + QCoreApplication.translate("Collector", "(collector %1)").replace(
            "%1", status.version
        )
    return text


class CollectorBanner(QFrame):
    """Shown above the routers in collector mode; red while the collector is out of reach."""

    def __init__(self, ctx: UiContext, link: CollectorLink, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("collectorBanner")
        self.ctx = ctx
        self.link = link
        self._seen_problems = 0
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 10, 4)
        self.identity = QLabel(self)
        self.identity.setObjectName("collectorIdentity")
        self.state = QLabel(self)
        self.state.setObjectName("collectorState")
        self.state.setWordWrap(True)
        row.addWidget(self.identity, 1)
        row.addWidget(self.state, 1)
        self.setToolTip(managed_text())
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    @property
    def live(self) -> bool:
        return self.link.status().state is CollectorState.CONNECTED

    def refresh(self) -> None:
        status = self.link.status()
        self.identity.setText(identity_line(status))
        self.state.setText(state_line(status))
        self.state.setToolTip(status.error or "")
        colour = theme.OK if status.state is CollectorState.CONNECTED else "#b00020"
        if status.state is CollectorState.CONNECTING:
            colour = theme.WARN
        self.setStyleSheet(
            f"#collectorBanner {{ border: 1px solid {colour}; border-radius: 4px; }}"
            f"#collectorState {{ color: {colour}; font-weight: bold; }}"
        )
        self.setProperty("collectorState", str(status.state))
        self._pass_problems()

    def _pass_problems(self) -> None:
        self._seen_problems, problems = self.link.problems_since(self._seen_problems)
        for text in problems:
            self.ctx.report(text)
