"""Alerts to a real Prometheus Alertmanager (the Debian binary, on loopback).

A mass subscriber drop on the simulated NE8000 must show up in Alertmanager's own API with
the right labels and times, reach Alertmanager's receivers as firing, and end (resolved,
with the time it cleared) once the alert clears. A missing Alertmanager is retried, logged
once, shown as failing, and caught up with when it comes back.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.domain.alerts import Alert, AlertKind, Severity
from app.engine.events import AlertChanged
from app.engine.settings import AlertmanagerSettings, Settings
from app.notify.alertmanager import AlertmanagerForwarder, rfc3339
from app.notify.service import NotificationService
from tests.integration.notify.conftest import ROUTER, WAIT, EngineRig, wait_alert
from tests.support.alertmanager import (
    free_port,
    running_alertmanager,
    webhook_receiver,
)

pytestmark = pytest.mark.slow


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_a_mass_drop_fires_in_alertmanager_and_resolves_when_it_clears(
    engine_rig: EngineRig, tmp_path: Path
) -> None:
    async with (
        webhook_receiver() as hook,
        running_alertmanager(tmp_path / "am", hook.url) as alertmanager,
    ):
        settings = Settings(
            alertmanager=AlertmanagerSettings(url=alertmanager.url, resend_interval=1.0)
        )
        service = NotificationService(engine_rig.monitor, settings)
        await service.start()
        try:
            await engine_rig.wait_for_subscribers()
            cleared_events = engine_rig.monitor.subscribe(name="test", types=[AlertChanged])
            raised = await engine_rig.mass_drop()

            # In Alertmanager's API, with labels that say what and where.
            async with asyncio.timeout(WAIT):
                while not (found := await alertmanager.alerts(alertname="SubscriberDrop")):
                    await asyncio.sleep(0.2)
            (alert,) = found
            assert alert["labels"] == {
                "alertname": "SubscriberDrop",
                "router": ROUTER,
                "severity": "critical",
                "instance": f"{engine_rig.simulator.host}:{engine_rig.simulator.port}",
            }
            assert alert["annotations"]["summary"] == raised.message
            assert ROUTER in alert["annotations"]["description"]
            assert parse_time(alert["startsAt"]) == raised.raised_at.replace(
                microsecond=raised.raised_at.microsecond // 1000 * 1000
            )
            assert parse_time(alert["endsAt"]) > datetime.now(UTC)  # valid while re-sent
            assert alert["status"]["state"] == "active"

            # Alertmanager's own notification to its receiver: firing.
            # (The simulator's own mass-drop alarm may reach it too, as a RouterAlarm.)
            async with asyncio.timeout(WAIT):
                while not drops(hook.alerts("firing")):
                    await asyncio.sleep(0.1)

            # The drop settles, the alert clears: Alertmanager ends it at that time.
            async with cleared_events:
                cleared = await wait_alert(
                    cleared_events, AlertKind.SUBSCRIBER_DROP, active=False
                )
            assert cleared.cleared_at is not None
            async with asyncio.timeout(WAIT):
                while await alertmanager.alerts(alertname="SubscriberDrop"):
                    await asyncio.sleep(0.2)  # resolved alerts leave the active list
                while not drops(hook.alerts("resolved")):
                    await asyncio.sleep(0.1)
            resolved = drops(hook.alerts("resolved"))[0]
            assert parse_time(resolved["endsAt"]) == parse_time(rfc3339(cleared.cleared_at))

            (status, _) = service.status()
            assert status.healthy is True
            assert status.failed_attempts == 0
            assert service.alertmanager is not None
            assert service.alertmanager.posts >= 2  # raised, (re-sent,) resolved
        finally:
            await service.stop()


def an_alert(now: datetime) -> Alert:
    return Alert(
        id="a1b2c3d4e5f60718",
        router="bras-poa1",
        severity=Severity.MAJOR,
        kind=AlertKind.INTERFACE_DOWN,
        subject="100GE0/1/2",
        message="Uplink 100GE0/1/2 is down",
        raised_at=now,
    )


async def test_an_absent_alertmanager_is_logged_once_retried_and_caught_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()  # nobody listens here yet
    forwarder = AlertmanagerForwarder(
        AlertmanagerSettings(url=f"http://127.0.0.1:{port}", resend_interval=30.0),
        retry_seconds=0.1,
    )
    alert = an_alert(datetime.now(UTC))
    caplog.set_level(logging.DEBUG, logger="ne8000monitor.notify")
    forwarder.update(alert)
    forwarder.start()
    try:
        async with asyncio.timeout(WAIT):
            while forwarder.status.failed_attempts < 4:
                await asyncio.sleep(0.05)
        status = forwarder.status
        assert status.healthy is False
        assert status.failing
        assert f"127.0.0.1:{port}" in (status.error or "")
        assert status.waiting == 1
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 1  # one line for the whole streak, not one per attempt
        assert "delivery failed" in warnings[0].getMessage()

        async with (
            webhook_receiver() as hook,
            running_alertmanager(tmp_path / "am", hook.url, port=port) as alertmanager,
        ):
            async with asyncio.timeout(WAIT):
                while not forwarder.status.healthy:
                    await asyncio.sleep(0.05)
            (found,) = await alertmanager.alerts(alertname="InterfaceDown")
            assert found["labels"] == {
                "alertname": "InterfaceDown",
                "router": "bras-poa1",
                "severity": "major",
                "interface": "100GE0/1/2",
            }
            assert any("delivering again after" in r.getMessage() for r in caplog.records)
            assert forwarder.status.error is None
            assert forwarder.status.waiting == 0
    finally:
        await forwarder.stop()


def drops(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The mass subscriber drop among Alertmanager's notifications."""
    return [alert for alert in alerts if alert["labels"]["alertname"] == "SubscriberDrop"]
