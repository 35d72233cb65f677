"""The status bar: connection, last data and the poll latency, cache hit rate, the feed, and
a busy indicator while routers are connecting. Errors appear here (and stay in the tooltip),
and so does alert delivery (Alertmanager, notifications) whenever it is failing.

"Last data" is the router's last real answer; the latency comes only from polls the router
answered (a timed-out poll is not a round trip, and is not shown)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from app.engine.pool import PoolState
from app.ui import theme
from app.ui.context import UiContext
from app.ui.delivery import delivery_line, failing_summary
from app.ui.formatting import DASH, format_local_time
from app.ui.messages import translate
from app.ui.views.state_names import router_state_text

BUSY_STATES = frozenset({PoolState.IDLE, PoolState.CONNECTING})
ERROR_SHOWN_MS = 15_000


class StatusBar(QStatusBar):
    """Refreshed once a second from the live state and the engine's statistics."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.ctx = ctx
        self.router: str | None = None
        self.busy = QProgressBar(self)
        self.busy.setObjectName("connectingProgress")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(90)
        self.busy.setMaximumHeight(14)
        self.busy.setTextVisible(False)
        self.connection = QLabel(self)
        self.connection.setObjectName("statusConnection")
        self.poll = QLabel(self)
        self.poll.setObjectName("statusPoll")
        self.cache = QLabel(self)
        self.cache.setObjectName("statusCache")
        self.feed = QLabel(self)
        self.feed.setObjectName("statusFeed")
        self.delivery = QLabel(self)
        self.delivery.setObjectName("statusDelivery")
        self.delivery.setStyleSheet("QLabel { color: #b00020; font-weight: bold; }")
        self.delivery.hide()
        self.passwords = QLabel(self)
        self.passwords.setObjectName("statusPasswords")
        self.passwords.setStyleSheet(f"QLabel {{ color: {theme.WARN}; font-weight: bold; }}")
        self._show_password_storage()
        self.addPermanentWidget(self.busy)
        for label in (
            self.passwords,
            self.delivery,
            self.connection,
            self.poll,
            self.cache,
            self.feed,
        ):
            self.addPermanentWidget(label)
        ctx.live.state_changed.connect(lambda _router: self.refresh())
        ctx.live.error_occurred.connect(self.show_error)
        ctx.live.notice.connect(lambda text: self.showMessage(text, 5000))
        self.last_error: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    def _show_password_storage(self) -> None:
        """Without a usable OS keyring, say (for as long as the window is open) that
        passwords live for this session only, and why."""
        storage = self.ctx.runtime.passwords
        self.passwords.setVisible(not storage.persistent)
        if storage.persistent:
            return
        self.passwords.setText("\u26a0 " + self.tr("Passwords kept for this session only"))
        lines = [
            self.tr(
                "No usable OS keyring: router passwords are kept in memory and forgotten "
                "when the app closes, never written to a file. After a restart each router "
                "needs its password again (Edit router)."
            ),
            self.tr(
                "To keep them, run the app where an OS keyring is available: GNOME Keyring "
                "or KWallet (Secret Service) on Linux, the macOS Keychain, the Windows "
                "Credential Manager."
            ),
        ]
        if storage.problem:
            lines.append(self.tr("Details:") + " " + storage.problem)
        self.passwords.setToolTip("\n\n".join(lines))

    def set_router(self, router: str | None) -> None:
        self.router = router or None
        self.refresh()

    def show_error(self, message: str) -> None:
        self.last_error = message
        self.showMessage("\u26a0 " + message, ERROR_SHOWN_MS)
        self.setToolTip(message)

    def refresh(self) -> None:
        live = self.ctx.live
        routers = list(live.routers.values())
        connecting = [r for r in routers if r.state in BUSY_STATES]
        self.busy.setVisible(bool(connecting))
        if connecting:
            self.busy.setToolTip(
                self.tr("Connecting: %1").replace("%1", ", ".join(r.name for r in connecting))
            )
        if self.router is not None and self.router in live.routers:
            one = live.routers[self.router]
            self.connection.setText(f"{one.name}: {router_state_text(one.state, one.problem)}")
            problem = translate(one.problem) if one.problem is not None else ""
            self.connection.setToolTip("\n".join(p for p in (problem, one.error) if p))
            self.poll.setText(self._poll_text(self.router))
        else:
            connected = sum(1 for r in routers if r.state is PoolState.CONNECTED)
            self.connection.setText(
                self.tr("%1 of %n routers connected", "", len(routers)).replace(
                    "%1", str(connected)
                )
            )
            self.connection.setToolTip("")
            newest = max((r.last_update for r in routers if r.last_update), default=None)
            self.poll.setText(self.tr("Last data: %1").replace("%1", format_local_time(newest)))
        stats = self.ctx.monitor.cache_statistics()
        rate = stats.hit_rate
        self.cache.setText(
            self.tr("Cache hits: %1").replace("%1", DASH if rate is None else f"{rate:.0%}")
        )
        self.feed.setText(self._feed_text())
        self._show_delivery()

    def _show_delivery(self) -> None:
        """A red warning while alerts cannot get out; the reasons in its tooltip."""
        control = self.ctx.runtime.notifications
        statuses = control.status() if control is not None else ()
        summary = failing_summary(statuses)
        self.delivery.setVisible(summary is not None)
        if summary is not None:
            self.delivery.setText("\u26a0 " + summary)
            self.delivery.setToolTip("\n".join(delivery_line(status) for status in statuses))

    def _poll_text(self, router: str) -> str:
        live = self.ctx.live.routers[router]
        try:
            status = self.ctx.monitor.router_status(router)[0].polling
        except KeyError:
            return DASH
        now = self.ctx.live.clock()
        # The engine keeps a data set's duration only while its last poll was answered.
        latency = max(status.last_poll_seconds.values(), default=None)
        when = format_local_time(live.last_update)
        age = "" if live.last_update is None else f" ({max(0.0, now - live.last_update):.0f} s)"
        latency_text = DASH if latency is None else f"{latency * 1000:.0f} ms"
        return self.tr("Last data: %1%2, latency %3").replace("%1", when).replace(
            "%2", age).replace("%3", latency_text)

    def _feed_text(self) -> str:
        feed = self.ctx.runtime.feed
        if feed is None or not feed.running:
            return self.tr("Feed: off")
        return self.tr("Feed: %1 (%n clients)", "", feed.client_count).replace(
            "%1", feed.url or DASH
        )
