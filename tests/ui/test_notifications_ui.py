"""Alert delivery in the window: the Settings dialog's Notifications tab (URLs, minimum
severity, Alertmanager, "Send test notification") and the status bar's warning while
alerts cannot get out. Real runtime, real apprise, a local webhook receiver."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.alerts import AlertKind
from app.domain.notifications import Channel
from app.engine.seats import issue_seat
from app.engine.settings import AlertmanagerSettings, Settings, load_settings
from app.ui.application import GuiSession
from app.ui.dialogs.settings_dialog import SettingsDialog
from tests.ui.support_g2 import bench, run, until


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def receiver() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A local webhook taking apprise's json:// posts: (its json:// URL, what it received)."""
    received: list[dict[str, Any]] = []

    async def take(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response(text="ok")

    app = web.Application()
    app.add_routes([web.post("/hook", take)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"json://127.0.0.1:{runner.addresses[0][1]}/hook", received
    finally:
        await runner.cleanup()


def _store(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)


def test_send_test_notification_and_save(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, with_router=False) as setup, receiver() as (url, received):
            runtime = setup.runtime
            dialog = SettingsDialog(runtime, _store(tmp_path))
            qtbot.addWidget(dialog)
            dialog.open()
            dialog.test_button.click()
            assert dialog.test_result.text() == "Enter at least one notification URL first."

            nobody = f"json://127.0.0.1:{_free_port()}/nobody"
            dialog.notify_urls.setPlainText(f"{url}\n\n  {nobody}\n")
            dialog.test_button.click()
            await until(lambda: dialog.test_button.isEnabled() and received, "the test message")
            await until(lambda: "Not delivered" in dialog.test_result.text(), "the results")
            lines = dialog.test_result.text().splitlines()
            assert lines[0] == f"Delivered to {url}"
            assert lines[1].startswith(f"Not delivered to {nobody}: ")
            assert received[0]["title"] == "NE8000 Monitor: test notification"
            assert runtime.settings.notify.urls == ()  # testing saves nothing

            dialog.notify_urls.setPlainText(url)
            dialog.min_severity.setCurrentIndex(dialog.min_severity.findData("critical"))
            dialog.alertmanager_url.setText("http://127.0.0.1:9093/")
            saved: list[object] = []
            dialog.saved.connect(saved.append)
            dialog.save_button.click()
            await until(lambda: saved and not dialog.isVisible(), "the save")
            settings = runtime.settings
            assert settings.notify.urls == (url,)
            assert settings.notify.min_severity == "critical"
            assert settings.alertmanager.url == "http://127.0.0.1:9093"
            assert load_settings(runtime.settings_path) == settings
            assert runtime.notifications is not None
            assert [s.enabled for s in runtime.notifications.status()] == [True, True]

            again = SettingsDialog(runtime, _store(tmp_path))
            qtbot.addWidget(again)
            assert again.notify_urls.toPlainText() == url
            assert again.min_severity.currentData() == "critical"
            assert "Notifications: ready, nothing sent yet" in again.delivery_status.text()

    run(qapp, body())


def test_bad_urls_are_refused_in_the_dialog(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, with_router=False) as setup:
            runtime = setup.runtime
            dialog = SettingsDialog(runtime, _store(tmp_path))
            qtbot.addWidget(dialog)
            dialog.open()
            dialog.notify_urls.setPlainText("telegram bot 123")
            dialog.save_button.click()
            assert dialog.error_label.text().startswith(
                "Each notification URL needs a scheme (tgram://, mailto://, json:// …)"
            )
            dialog.notify_urls.setPlainText("")
            dialog.alertmanager_url.setText("alertmanager:9093")
            dialog.save_button.click()
            assert dialog.error_label.text() == (
                "The Alertmanager address must be an http:// or https:// URL."
            )
            # A URL with a scheme apprise does not know: saved, and the dialog says why
            # notifications cannot run.
            dialog.alertmanager_url.setText("")
            dialog.notify_urls.setPlainText("nosuch://abc")
            dialog.save_button.click()
            await until(dialog.error_label.isVisible, "the notification error")
            assert dialog.error_label.text().startswith(
                "Settings saved, but notifications cannot run: notify.urls[0]: apprise cannot"
            )
            assert dialog.isVisible()
            assert runtime.notifications is not None
            assert "Notifications: failing" in dialog.delivery_status.text()

    run(qapp, body())


def test_the_status_bar_warns_while_alertmanager_is_unreachable(
    qapp: QApplication, tmp_path: Path
) -> None:
    async def body() -> None:
        port = _free_port()
        unreachable = AlertmanagerSettings(url=f"http://127.0.0.1:{port}")
        async with bench(tmp_path, settings=Settings(alertmanager=unreachable)) as setup:
            session = GuiSession(setup.runtime)
            try:
                session.window.show()
                status_bar = session.window.status
                status_bar.refresh()
                assert not status_bar.delivery.isVisible()  # nothing to deliver yet
                await until(
                    lambda: setup.runtime.monitor.snapshot("sim").data("subscribers"),
                    "the first subscriber count",
                    timeout=30,
                )
                setup.device.faults.schedule_mass_drop(0.6)
                await until(
                    lambda: any(
                        a.kind is AlertKind.SUBSCRIBER_DROP
                        for a in setup.runtime.monitor.active_alerts()
                    ),
                    "the mass-drop alert",
                    timeout=30,
                )
                await until(status_bar.delivery.isVisible, "the delivery warning")
                assert status_bar.delivery.text() == "\u26a0 Alertmanager failing"
                tooltip = status_bar.delivery.toolTip()
                assert tooltip.startswith("Alertmanager: failing (")
                assert f"127.0.0.1:{port}" in tooltip
                assert "Notifications: off" in tooltip
                assert setup.runtime.notifications is not None
                (am, _) = setup.runtime.notifications.status()
                assert am.channel is Channel.ALERTMANAGER
            finally:
                await session.close(runtime=False)

    run(qapp, body())


def test_seat_tokens_count_as_tokens_for_a_network_bind(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        seat, _ = issue_seat("noc-1")
        settings = Settings(seats={"noc-1": seat})
        async with bench(tmp_path, with_router=False, settings=settings) as setup:
            runtime = setup.runtime
            dialog = SettingsDialog(runtime, _store(tmp_path))
            qtbot.addWidget(dialog)
            dialog.open()
            dialog.feed_host.setText("0.0.0.0")
            dialog.feed_token.clear()
            dialog.remote_commands.setChecked(True)
            saved: list[object] = []
            dialog.saved.connect(saved.append)
            dialog.save_button.click()
            await until(lambda: saved, "the save")
            assert runtime.settings.feed.host == "0.0.0.0"
            assert runtime.settings.feed.token is None
            assert load_settings(runtime.settings_path).seats == {"noc-1": seat}

    run(qapp, body())
