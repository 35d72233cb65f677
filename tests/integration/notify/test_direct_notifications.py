"""Direct notifications with apprise, to local receivers: a webhook (an aiohttp server taking
apprise's json:// posts) and an SMTP server (aiosmtpd). No part of apprise is replaced."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from app.domain.alerts import Alert, AlertKind, Severity
from app.engine.events import RouterDataUpdated
from app.engine.settings import NotifySettings, Settings
from app.notify.apprise_sender import NotifyConfigError
from app.notify.service import DirectNotifier, NotificationService, send_test
from tests.integration.notify.conftest import (
    ROUTER,
    SMTP_PASSWORD,
    WAIT,
    EngineRig,
    Mailbox,
    Webhook,
)

pytestmark = pytest.mark.slow

WEBHOOK_USER = "noc"
WEBHOOK_PASSWORD = "W3bh00k-secret"


def alert(number: int, severity: Severity = Severity.MAJOR, router: str = "bras-poa1") -> Alert:
    return Alert(
        id=f"{number:016x}",
        router=router,
        severity=severity,
        kind=AlertKind.INTERFACE_DOWN,
        subject=f"GE0/1/{number}",
        message=f"Uplink GE0/1/{number} is down",
        raised_at=datetime(2025, 6, 1, 12, 0, number, tzinfo=UTC),
    )


async def test_a_mass_drop_arrives_as_one_grouped_message_then_its_clear(
    engine_rig: EngineRig, webhook: Webhook
) -> None:
    settings = Settings(
        notify=NotifySettings(urls=(webhook.url(),), min_severity="major", group_seconds=2.0)
    )
    service = NotificationService(engine_rig.monitor, settings)
    await service.start()
    try:
        await engine_rig.wait_for_subscribers()
        raised = await engine_rig.mass_drop()
        engine_rig.monitor.acknowledge_alert(raised.id, "noc-1")  # not news: no message
        (first,) = await webhook.wait_posts(1)
        # The drop and the router's own alarm about it came within the window: one message.
        assert first["type"] == "failure"
        assert first["title"] == f"NE8000 Monitor: 2 alerts raised ({ROUTER})"
        lines = first["message"].splitlines()
        assert any(line.startswith(f"RAISED CRITICAL {ROUTER}: {raised.message}") for line in lines)
        assert any(line.startswith(f"RAISED MAJOR {ROUTER}: ") for line in lines)

        posts = await webhook.wait_posts(2)  # the drop settles and clears
        second = posts[1]
        assert second["type"] == "success"
        assert second["title"] == f"[CLEARED] {ROUTER}: {raised.message}"
        assert "cleared" in second["message"]
        await asyncio.sleep(0)  # nothing else was sent: the acknowledgement was not news
        assert len(webhook.posts) == 2
        (_, direct) = service.status()
        assert direct.healthy is True
        assert direct.targets == (f"json://127.0.0.1:{webhook.port}/hook",)
    finally:
        await service.stop()


async def test_a_failing_receiver_is_shown_and_logged_without_its_secret(
    webhook: Webhook, caplog: pytest.LogCaptureFixture
) -> None:
    webhook.status = 500
    url = webhook.url(f"{WEBHOOK_USER}:{WEBHOOK_PASSWORD}@")
    notifier = DirectNotifier(NotifySettings(urls=(url,), group_seconds=0.1))
    caplog.set_level(logging.DEBUG)
    notifier.start()
    try:
        notifier.update(alert(1))
        async with asyncio.timeout(WAIT):
            while notifier.record.status.healthy is not False:
                await asyncio.sleep(0.05)
        status = notifier.record.status
        assert status.failing
        assert status.failed_attempts == 1
        assert f"json://{WEBHOOK_USER}:****@127.0.0.1:{webhook.port}/hook" in (status.error or "")
        assert "500" in (status.error or "")  # apprise's reason, kept for the operator
        assert webhook.auth[0] is not None  # the password was really used
        logged = "\n".join(record.getMessage() for record in caplog.records)
        assert "notification to json://noc:****@" in logged
        assert WEBHOOK_PASSWORD not in logged
        assert WEBHOOK_PASSWORD not in repr(status)

        webhook.status = 200  # the receiver is fixed: the next message goes through
        notifier.update(alert(2))
        async with asyncio.timeout(WAIT):
            while not notifier.record.status.healthy:
                await asyncio.sleep(0.05)
        (post,) = await webhook.wait_posts(1)
        assert post["title"] == "[MAJOR] bras-poa1: Uplink GE0/1/2 is down"
        assert notifier.record.status.error is None
    finally:
        await notifier.stop()


async def test_the_rate_limit_holds_changes_back_and_merges_them(webhook: Webhook) -> None:
    notifier = DirectNotifier(
        NotifySettings(urls=(webhook.url(),), group_seconds=0.05, max_per_hour=1)
    )
    notifier.start()
    try:
        notifier.update(alert(1))
        await webhook.wait_posts(1)
        for number in (2, 3, 4):
            notifier.update(alert(number))
        async with asyncio.timeout(WAIT):
            while notifier.record.status.waiting != 3:
                await asyncio.sleep(0.05)
        assert len(webhook.posts) == 1
    finally:
        await notifier.stop()  # what waited goes out in one last message
    (first, last) = await webhook.wait_posts(2)
    assert first["title"] == "[MAJOR] bras-poa1: Uplink GE0/1/1 is down"
    assert last["title"] == "NE8000 Monitor: 3 alerts raised (bras-poa1)"
    assert "waited for the notification limit of 1 messages per hour" in last["message"]


async def test_email_through_a_local_smtp_server_with_its_password(
    mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    results = await send_test(NotifySettings(urls=(mailbox.url(),)))
    assert [(r.delivered, r.error) for r in results] == [(True, None)]
    assert results[0].target == f"mailto://noc:****@localhost:{mailbox.port}/ops%40example.com"
    (mail,) = await mailbox.wait_messages(1)
    assert mailbox.authenticated == [True]
    assert mail["Subject"] == "NE8000 Monitor: test notification"
    assert mail["To"] == "ops@example.com"
    body = mail.get_body(("plain",))
    assert body is not None
    assert "This is a test notification from NE8000 Monitor" in body.get_content()
    assert SMTP_PASSWORD not in "\n".join(r.getMessage() for r in caplog.records)


async def test_a_slow_smtp_server_never_holds_up_polling(
    engine_rig: EngineRig, mailbox: Mailbox
) -> None:
    await engine_rig.wait_for_subscribers()
    notifier = DirectNotifier(NotifySettings(urls=(mailbox.url(),), group_seconds=0.05))
    mailbox.hold.clear()  # the server takes the message but does not answer it
    notifier.start()
    try:
        notifier.update(alert(7, Severity.CRITICAL))
        async with asyncio.timeout(WAIT):
            while not mailbox.holding.is_set():
                await asyncio.sleep(0.02)
        # While apprise waits for the SMTP server, the engine keeps polling the router.
        subscription = engine_rig.monitor.subscribe(name="test", types=[RouterDataUpdated])
        async with subscription, asyncio.timeout(WAIT):
            seen = 0
            async for _ in subscription:
                seen += 1
                if seen == 10:
                    break
        assert mailbox.holding.is_set()  # still waiting: the polls came meanwhile
        assert mailbox.messages == []
        mailbox.hold.set()
        (mail,) = await mailbox.wait_messages(1)
        assert mail["Subject"] == "[CRITICAL] bras-poa1: Uplink GE0/1/7 is down"
        async with asyncio.timeout(WAIT):
            while not notifier.record.status.healthy:
                await asyncio.sleep(0.05)
    finally:
        mailbox.hold.set()
        await notifier.stop()


async def test_the_test_button_reports_each_url(webhook: Webhook, mailbox: Mailbox) -> None:
    broken = "json://127.0.0.1:9/nobody-listens"
    results = await send_test(NotifySettings(urls=(webhook.url(), broken, mailbox.url())))
    assert [r.delivered for r in results] == [True, False, True]
    assert results[1].target == "json://127.0.0.1:9/nobody-listens"
    assert results[1].error
    (post,) = await webhook.wait_posts(1)
    assert post["title"] == "NE8000 Monitor: test notification"
    assert post["type"] == "info"


async def test_a_url_apprise_cannot_use_is_named_by_its_key() -> None:
    with pytest.raises(NotifyConfigError, match=r"notify\.urls\[1\]: apprise cannot use this "
                                                r"nosuch:// URL"):
        DirectNotifier(NotifySettings(urls=("json://127.0.0.1:9/ok", "nosuch://secret-token")))
    with pytest.raises(NotifyConfigError) as raised:
        await send_test(NotifySettings(urls=("tgram://not-a-bot-token",)))
    assert "not-a-bot-token" not in str(raised.value)
