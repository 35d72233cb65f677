"""The composition root wires alert delivery for the GUI and `serve`: settings in, the real
Alertmanager and a local webhook out, status and reconfiguration through the Runtime."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from app.bootstrap import AppPaths, start_runtime
from app.domain.notifications import Channel
from app.domain.router import RouterProfile
from app.engine.settings import AlertmanagerSettings, NotifySettings, Settings, save_settings
from app.transport.credentials import MemorySecretStore
from tests.integration.notify.conftest import WAIT, Webhook
from tests.support.alertmanager import free_port, running_alertmanager, webhook_receiver
from tests.support.cli import cli, environment

pytestmark = pytest.mark.slow


async def test_the_runtime_sends_alerts_to_alertmanager_and_apprise(
    tmp_path: Path, webhook: Webhook
) -> None:
    async with (
        webhook_receiver() as hook,
        running_alertmanager(tmp_path / "am", hook.url) as alertmanager,
    ):
        # A router nobody answers for: "unreachable" is the alert it raises.
        dead = RouterProfile(
            name="bras-dead", host="127.0.0.1", port=free_port(), connect_timeout=1.0
        )
        secrets = MemorySecretStore()
        secrets.set_password("bras-dead", "unused")
        settings = Settings(
            routers={"bras-dead": dead},
            alertmanager=AlertmanagerSettings(url=alertmanager.url, resend_interval=1.0),
            notify=NotifySettings(
                urls=(webhook.url(),), min_severity="critical", group_seconds=0.2
            ),
        )
        runtime = await start_runtime(
            paths=AppPaths(tmp_path / "config", tmp_path / "data"),
            settings=settings,
            secrets=secrets,
            poll_scale=0.05,
            environ={},
            history=False,
            routers_are_simulated=True,  # simulators: polled at the test speed
        )
        try:
            assert runtime.notifications is not None
            async with asyncio.timeout(WAIT):
                while not await alertmanager.alerts(alertname="RouterUnreachable"):
                    await asyncio.sleep(0.2)
            (post,) = await webhook.wait_posts(1)
            assert post["title"].startswith("[CRITICAL] bras-dead: ")
            am_status, notify_status = runtime.notifications.status()
            assert (am_status.channel, am_status.enabled, am_status.healthy) == (
                Channel.ALERTMANAGER, True, True
            )
            assert (notify_status.channel, notify_status.healthy) == (Channel.NOTIFY, True)

            # Settings saved without [notify]: direct notifications stop, Alertmanager stays.
            await runtime.notifications.apply(replace(settings, notify=NotifySettings()))
            am_status, notify_status = runtime.notifications.status()
            assert notify_status.enabled is False
            assert am_status.enabled is True
            async with asyncio.timeout(WAIT):  # the new forwarder re-sends what is active
                while not runtime.notifications.status()[0].healthy:
                    await asyncio.sleep(0.05)
            assert await alertmanager.alerts(alertname="RouterUnreachable")
        finally:
            await runtime.close()


async def test_without_settings_nothing_is_started(tmp_path: Path) -> None:
    runtime = await start_runtime(
        paths=AppPaths(tmp_path / "config", tmp_path / "data"),
        settings=Settings(),
        secrets=MemorySecretStore(),
        environ={},
        history=False,
    )
    try:
        assert runtime.notifications is not None
        assert [s.enabled for s in runtime.notifications.status()] == [False, False]
        assert runtime.notifications.problem is None
    finally:
        await runtime.close()


async def test_serve_refuses_a_notification_url_apprise_cannot_use(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    save_settings(
        Settings(notify=NotifySettings(urls=("json://127.0.0.1:9/ok", "nosuch://t0ken-123"))),
        settings,
    )
    status, _, err = await cli(
        environment(tmp_path), "serve", "--demo", "--port", "0", "--settings", str(settings)
    )
    assert status == 2
    assert "notify.urls[1]: apprise cannot use this nosuch:// URL" in err
    assert "t0ken-123" not in err
    assert "Traceback" not in err
