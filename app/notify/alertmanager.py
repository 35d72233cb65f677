"""Alerts to Prometheus Alertmanager, the way Prometheus itself sends them (API v2).

Every active alert is posted to ``POST /api/v2/alerts`` when it is raised and then again
every ``resend_interval`` (Prometheus re-sends each minute), with ``endsAt`` set four
intervals ahead: if this collector dies, Alertmanager resolves its alerts by itself instead
of keeping them forever. A cleared alert is posted once more with ``endsAt`` = the time it
cleared (repeated until Alertmanager took it). Labels identify the alert exactly
(``alertname``, ``router``, ``severity`` and ``interface``, ``pool`` or ``alarm`` where it
has one), so Alertmanager's grouping, silences, inhibition and routing work on them.

A failing Alertmanager is retried every few seconds; the failure is logged once per streak
and shown in the app (:class:`~app.domain.notifications.DeliveryStatus`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from app.domain.alerts import Alert, AlertKind
from app.domain.notifications import Channel, DeliveryStatus
from app.domain.redaction import redact
from app.engine.logging_setup import register_secret
from app.engine.settings import AlertmanagerSettings
from app.notify.streak import DeliveryRecord

_log = logging.getLogger("ne8000monitor.notify.alertmanager")

API_PATH = "/api/v2/alerts"
RETRY_SECONDS = 5.0  # after a failure, try again this soon (or at the resend interval)
VALID_FOR_INTERVALS = 4  # Prometheus: endsAt = now + 4 x max(resend delay, eval interval)
ERROR_EXCERPT = 200  # characters of an error answer kept for the status
# The label naming what an alert is about, for the kinds that are about something.
SUBJECT_LABELS = {
    AlertKind.INTERFACE_DOWN: "interface",
    AlertKind.POOL_HIGH: "pool",
    AlertKind.ROUTER_ALARM: "alarm",
}


def alert_name(kind: AlertKind) -> str:
    """``subscriber_drop`` -> ``SubscriberDrop`` (Prometheus alert names are CamelCase)."""
    return "".join(part.capitalize() for part in str(kind).split("_"))


def alert_labels(alert: Alert) -> dict[str, str]:
    """The labels that make the alert unique in Alertmanager (``instance`` is the router's
    address, as Prometheus names a scraped target, so alerts of two boxes that share a name
    stay apart)."""
    labels = {
        "alertname": alert_name(alert.kind),
        "router": alert.router,
        "severity": str(alert.severity),
    }
    if alert.host:  # the box itself: two routers that share a name never merge here
        port = "" if alert.port in (None, 22) else f":{alert.port}"
        labels["instance"] = f"{alert.host}{port}"
    label = SUBJECT_LABELS.get(alert.kind)
    if label is not None and alert.subject:
        labels[label] = alert.subject
    return labels


def rfc3339(moment: datetime) -> str:
    """UTC with milliseconds and a ``Z``, as Alertmanager prints times."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.removesuffix("+00:00") + "Z"


def alert_payload(alert: Alert, *, now: datetime, valid_for: timedelta) -> dict[str, Any]:
    """One ``postableAlert``: active alerts end `valid_for` from now unless re-sent."""
    annotations = {
        "summary": alert.message,
        "description": (
            f"{alert.message} (router {alert.router}, {alert.severity}, "
            f"raised {rfc3339(alert.raised_at)})"
        ),
    }
    if alert.acknowledged_by:
        annotations["acknowledged_by"] = alert.acknowledged_by
    ends = alert.cleared_at if alert.cleared_at is not None else now + valid_for
    return {
        "labels": alert_labels(alert),
        "annotations": annotations,
        "startsAt": rfc3339(alert.raised_at),
        "endsAt": rfc3339(ends),
    }


def _url_secrets(url: str) -> list[str]:
    parts = urlsplit(url)
    return [value for value in (parts.password,) if value]


class AlertmanagerForwarder:
    """Keeps the alerts Alertmanager must know about and posts them, on the event loop."""

    def __init__(
        self,
        settings: AlertmanagerSettings,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        if settings.url is None:
            raise ValueError("no Alertmanager URL configured")
        self.settings = settings
        self.endpoint = settings.url + API_PATH
        self._secrets = _url_secrets(settings.url)
        for secret in self._secrets:
            register_secret(secret)
        self._clock = clock
        self._retry = retry_seconds
        self._active: dict[str, Alert] = {}
        self._resolved: dict[str, Alert] = {}  # cleared, not yet taken by Alertmanager
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.record = DeliveryRecord(
            Channel.ALERTMANAGER,
            _log,
            enabled=True,
            targets=(redact(settings.url, self._secrets),),
        )
        self.posts = 0  # successful POSTs (tests and the status tooltip)

    @property
    def status(self) -> DeliveryStatus:
        return self.record.status

    @property
    def pending(self) -> int:
        return len(self._active) + len(self._resolved)

    def seed(self, alerts: Iterable[Alert]) -> None:
        """Alerts already active when forwarding starts (restored from the last run)."""
        for alert in alerts:
            if alert.active:
                self._active[alert.id] = alert
        self._wake.set()

    def update(self, alert: Alert) -> None:
        """An alert was raised, acknowledged or cleared: post soon."""
        if alert.active:
            self._active[alert.id] = alert
            self._resolved.pop(alert.id, None)
        else:
            self._active.pop(alert.id, None)
            self._resolved[alert.id] = alert
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="notify-alertmanager")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.settings.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                healthy = self.record.status.healthy is not False
                delay = self.settings.resend_interval
                if not healthy:
                    delay = min(delay, self._retry)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
                self._wake.clear()
                await self.send(session)

    async def send(self, session: aiohttp.ClientSession) -> bool:
        """Post every active and newly resolved alert at once; True when Alertmanager took
        them (nothing to post counts as success)."""
        if not self._active and not self._resolved:
            return True
        now = self._clock()
        valid_for = timedelta(seconds=self.settings.resend_interval * VALID_FOR_INTERVALS)
        resolved = dict(self._resolved)
        body = [
            alert_payload(alert, now=now, valid_for=valid_for)
            for alert in [*self._active.values(), *resolved.values()]
        ]
        error = await self._post(session, body)
        if error is not None:
            self.record.failed(error, waiting=self.pending)
            return False
        for alert_id, alert in resolved.items():
            if self._resolved.get(alert_id) is alert:
                del self._resolved[alert_id]
        self.posts += 1
        self.record.succeeded(waiting=0)
        return True

    async def _post(self, session: aiohttp.ClientSession, body: list[dict[str, Any]]) -> str | None:
        """None when Alertmanager answered 2xx, else why not (secrets masked)."""
        where = redact(self.endpoint, self._secrets)
        try:
            async with session.post(self.endpoint, json=body) as answer:
                if 200 <= answer.status < 300:
                    return None
                text = (await answer.text())[:ERROR_EXCERPT].strip()
                return redact(f"{where} answered HTTP {answer.status}: {text}", self._secrets)
        except TimeoutError:
            return f"{where} did not answer within {self.settings.timeout:g} s"
        except aiohttp.ClientError as error:
            return redact(f"cannot post to {where}: {error}", self._secrets)
