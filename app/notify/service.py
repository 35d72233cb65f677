"""The notification service: follows the engine's alerts and feeds both delivery channels.

One subscription to the event bus (`AlertChanged` only) drives the Alertmanager forwarder
and the direct (apprise) notifier; alerts already active when it starts (restored from the
last run) are handed to Alertmanager, which must keep hearing about them, but are not
notified again. Each channel keeps its own :class:`DeliveryStatus` for the UI.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime

from app.domain.alerts import Alert
from app.domain.notifications import Channel, DeliveryStatus, TargetResult
from app.engine.events import AlertChanged, Subscription
from app.engine.monitor import Monitor
from app.engine.settings import NotifySettings, Settings
from app.notify.alertmanager import AlertmanagerForwarder
from app.notify.apprise_sender import (
    NotifyConfigError,
    Target,
    in_worker_thread,
    load_targets,
    send_blocking,
)
from app.notify.digest import APP, Digest, Message, local_time
from app.notify.streak import DeliveryRecord

_log = logging.getLogger("ne8000monitor.notify")

FLUSH_TIMEOUT = 10.0  # seconds a last message may take while the app shuts down


class DirectNotifier:
    """Grouped, rate-limited messages to the apprise URLs of ``[notify]``."""

    def __init__(
        self, settings: NotifySettings, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        """Loads every URL first (NotifyConfigError names the bad one)."""
        self.settings = settings
        self.targets: list[Target] = load_targets(settings.urls)
        self.digest = Digest(settings)
        self.record = DeliveryRecord(
            Channel.NOTIFY, _log, enabled=True, targets=tuple(t.label for t in self.targets)
        )
        self._monotonic = monotonic
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()  # one send at a time
        self._task: asyncio.Task[None] | None = None
        self.sent: list[Message] = []  # delivered to at least one target (newest last, 20 kept)

    def seed(self, alerts: list[Alert]) -> None:
        self.digest.seed(alerts)

    def update(self, alert: Alert) -> None:
        if self.digest.add(alert, self._monotonic()):
            self.record.waiting(self.digest.pending)
            self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="notify-direct")

    async def stop(self) -> None:
        """Stop; changes still waiting for their group window go out in one last message."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        message = self.digest.flush()
        if message is not None:
            await self.deliver(message, timeout=FLUSH_TIMEOUT)

    async def _run(self) -> None:
        while True:
            wait = self.digest.due_in(self._monotonic())
            self._wake.clear()
            if wait is None or wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), wait)
                continue
            message = self.digest.take(self._monotonic())
            if message is not None:
                await self.deliver(message)
                self.record.waiting(self.digest.pending)

    async def deliver(
        self, message: Message, *, timeout: float | None = None
    ) -> list[TargetResult]:
        """Send to every target (in a worker thread); log and record each failure."""
        async with self._lock:
            results = await deliver(self.targets, message, timeout=timeout)
        failed = [result for result in results if not result.delivered]
        for result in failed:
            _log.warning("notification to %s failed: %s", result.target, result.error)
        if len(failed) < len(results):
            self.sent = [*self.sent[-19:], message]
        if failed:
            self.record.failed(
                "; ".join(f"{r.target}: {r.error}" for r in failed), waiting=self.digest.pending
            )
        else:
            self.record.succeeded(waiting=self.digest.pending)
        return results


async def deliver(
    targets: list[Target], message: Message, *, timeout: float | None = None
) -> list[TargetResult]:
    """`message` to every target from a worker thread; a send that hangs counts as failed."""
    if not targets:
        return []
    try:
        if timeout is None:
            return await in_worker_thread(lambda: send_blocking(targets, message))
        return await in_worker_thread(lambda: send_blocking(targets, message), timeout=timeout)
    except TimeoutError:
        return [TargetResult(t.label, False, "no answer in time (still trying)") for t in targets]


def probe_message(now: datetime | None = None) -> Message:
    """What the Settings dialog's test button sends."""
    when = local_time(now or datetime.now(UTC))
    host = socket.gethostname()
    return Message(
        f"{APP}: test notification",
        f"This is a test notification from {APP} on {host}, sent {when}. "
        "Alerts will reach you here.",
        "info",
    )


async def send_test(settings: NotifySettings) -> list[TargetResult]:
    """Send a test message to the URLs of `settings` (saved or not): one result per URL.

    Raises NotifyConfigError for a URL apprise cannot use."""
    targets = load_targets(settings.urls)
    results = await deliver(targets, probe_message())
    for result in results:
        if result.delivered:
            _log.info("test notification delivered to %s", result.target)
        else:
            _log.warning("test notification to %s failed: %s", result.target, result.error)
    return results


class NotificationService:
    """Alert delivery for one Monitor: Alertmanager and/or direct notifications."""

    def __init__(self, monitor: Monitor, settings: Settings) -> None:
        self._monitor = monitor
        self.settings = settings
        self.alertmanager: AlertmanagerForwarder | None = None
        self.direct: DirectNotifier | None = None
        self.notify_problem: str | None = None
        if settings.alertmanager.url is not None:
            self.alertmanager = AlertmanagerForwarder(settings.alertmanager)
        if settings.notify.urls:
            try:
                self.direct = DirectNotifier(settings.notify)
            except NotifyConfigError as error:
                self.notify_problem = str(error)
                _log.error("notifications are off: %s", error)
        self._task: asyncio.Task[None] | None = None

    @property
    def problem(self) -> str | None:
        """Why a configured channel cannot run (a bad URL), else None."""
        return self.notify_problem

    @property
    def active(self) -> bool:
        return self.alertmanager is not None or self.direct is not None

    async def start(self) -> None:
        if self._task is not None or not self.active:
            return
        subscription = self._monitor.subscribe(name="notify", types=[AlertChanged])
        active = self._monitor.active_alerts()
        if self.alertmanager is not None:
            self.alertmanager.seed(active)
            self.alertmanager.start()
        if self.direct is not None:
            self.direct.seed(active)
            self.direct.start()
        self._task = asyncio.create_task(self._follow(subscription), name="notify-events")
        _log.info(
            "alert delivery: %s",
            ", ".join(str(s.channel) for s in self.status() if s.enabled and not s.error),
        )

    async def _follow(self, subscription: Subscription) -> None:
        async with subscription:
            async for event in subscription:
                if not isinstance(event, AlertChanged):
                    continue
                if self.alertmanager is not None:
                    self.alertmanager.update(event.alert)
                if self.direct is not None:
                    self.direct.update(event.alert)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.alertmanager is not None:
            await self.alertmanager.stop()
        if self.direct is not None:
            await self.direct.stop()

    def status(self) -> tuple[DeliveryStatus, ...]:
        """Alertmanager first, then direct notifications; off channels say so."""
        alertmanager = (
            self.alertmanager.status
            if self.alertmanager is not None
            else DeliveryStatus(Channel.ALERTMANAGER, enabled=False)
        )
        if self.direct is not None:
            direct = self.direct.record.status
        elif self.notify_problem is not None:
            direct = DeliveryStatus(
                Channel.NOTIFY, enabled=True, healthy=False, error=self.notify_problem
            )
        else:
            direct = DeliveryStatus(Channel.NOTIFY, enabled=False)
        return (alertmanager, direct)
