"""The settings dialog (engine settings + desktop preferences, the feed switch) and About."""

from __future__ import annotations

import asyncio
import socket
import urllib.error
import urllib.request
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.engine.settings import load_settings
from app.ui.dialogs.about import AboutDialog
from app.ui.dialogs.preferences import UiPreferences
from app.ui.dialogs.settings_dialog import SettingsDialog, generate_token, is_loopback
from tests.ui.support_g2 import bench, run, until


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:  # an HTTP answer all the same
        return error.code


def _store(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)


def test_loopback_rule_and_token_generation() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("127.8.9.10")
    assert is_loopback("::1")
    assert is_loopback("[::1]")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("10.1.2.3")
    assert not is_loopback("monitor.example.net")
    first, second = generate_token(), generate_token()
    assert first != second
    assert len(first) == 43  # 32 random bytes, URL-safe base64 without padding
    assert all(ch.isalnum() or ch in "-_" for ch in first)


def test_network_bind_without_a_token_is_refused(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, with_router=False) as setup:
            runtime = setup.runtime
            before = runtime.settings
            dialog = SettingsDialog(runtime, _store(tmp_path))
            qtbot.addWidget(dialog)
            dialog.open()
            dialog.feed_enabled.setChecked(True)
            dialog.feed_host.setText("0.0.0.0")
            dialog.feed_token.clear()
            dialog.save_button.click()
            assert dialog.error_label.text() == (
                "The feed would listen on 0.0.0.0, reachable from the network, without a "
                "token. Set a token (Generate) or bind to 127.0.0.1."
            )
            assert dialog.isVisible()
            assert runtime.settings is before
            assert not runtime.settings_path.exists()
            assert runtime.feed is not None
            assert not runtime.feed.running

            dialog.feed_host.setText("127.0.0.1")
            dialog.feed_enabled.setChecked(False)
            dialog.remote_commands.setChecked(True)
            dialog.save_button.click()
            assert dialog.error_label.text() == (
                "Remote commands need a token: set one (Generate) or untick them."
            )
            dialog.generate_button.click()
            token = dialog.feed_token.text()
            assert len(token) == 43
            dialog.feed_host.setText("0.0.0.0")
            saved: list[object] = []
            dialog.saved.connect(saved.append)
            dialog.save_button.click()
            await until(lambda: saved, "the save")
            assert runtime.settings.feed.host == "0.0.0.0"
            assert runtime.settings.feed.token == token
            assert runtime.settings.feed.remote_commands is True
            assert load_settings(runtime.settings_path) == runtime.settings

    run(qapp, body())


def test_thresholds_intervals_operator_mode_and_preferences_are_saved(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path) as setup:
            runtime = setup.runtime
            store = _store(tmp_path)
            dialog = SettingsDialog(runtime, store)
            qtbot.addWidget(dialog)
            dialog.open()
            dialog.cpu_percent.setValue(70.0)
            dialog.cpu_polls.setValue(5)
            dialog.pool_percent.setValue(80.0)
            dialog.drop_percent.setValue(25.0)
            dialog.interval_subscribers.setValue(20.0)
            dialog.jitter.setValue(0.2)
            dialog.operator_mode.setChecked(True)
            dialog.language.setCurrentIndex(dialog.language.findData("pt_BR"))
            dialog.close_to_tray.setChecked(True)
            dialog.alert_sound.setChecked(True)
            preferences: list[UiPreferences] = []
            dialog.preferences_saved.connect(preferences.append)
            dialog.save_button.click()
            await until(lambda: preferences, "the save")
            assert not dialog.isVisible()
            settings = runtime.settings
            assert settings.thresholds.cpu_percent == 70.0
            assert settings.thresholds.cpu_polls == 5
            assert settings.thresholds.pool_percent == 80.0
            assert settings.thresholds.mass_drop_percent == 25.0
            assert settings.intervals.pppoe == 20.0
            assert settings.intervals.jitter == 0.2
            assert settings.feed.operator_mode is True
            assert list(settings.routers) == ["sim"]  # the routers are untouched
            assert load_settings(runtime.settings_path) == settings
            expected = UiPreferences(language="pt_BR", close_to_tray=True, alert_sound=True)
            assert preferences == [expected]
            assert UiPreferences.load(_store(tmp_path)) == expected

            # Reopened, the dialog shows what was saved.
            again = SettingsDialog(runtime, _store(tmp_path))
            qtbot.addWidget(again)
            assert again.cpu_percent.value() == 70.0
            assert again.operator_mode.isChecked()
            assert again.language.currentData() == "pt_BR"
            assert again.close_to_tray.isChecked()

    run(qapp, body())


def test_saving_switches_the_feed_on_and_off(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path) as setup:
            runtime = setup.runtime
            feed = runtime.feed
            assert feed is not None
            port = _free_port()
            dialog = SettingsDialog(runtime, _store(tmp_path))
            qtbot.addWidget(dialog)
            dialog.open()
            dialog.feed_enabled.setChecked(True)
            dialog.feed_port.setValue(port)
            dialog.save_button.click()
            await until(lambda: feed.running, "the feed to start")
            await until(lambda: not dialog.isVisible(), "the dialog to close")
            assert feed.url == f"http://127.0.0.1:{port}"
            # The server answers on the loop, so the blocking client runs in a thread.
            # /health is 503 while a router is not healthy yet: either way the feed answers.
            status = await asyncio.to_thread(_status, f"http://127.0.0.1:{port}/health")
            assert status in {200, 503}

            again = SettingsDialog(runtime, _store(tmp_path))
            qtbot.addWidget(again)
            assert f"Feed running at http://127.0.0.1:{port}" in again.feed_status.text()
            again.open()
            again.feed_enabled.setChecked(False)
            again.save_button.click()
            await until(lambda: not feed.running, "the feed to stop")
            assert runtime.settings.feed.enabled is False

    run(qapp, body())


def test_about_shows_version_and_locations(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, with_router=False) as setup:
            runtime = setup.runtime
            dialog = AboutDialog(runtime)
            qtbot.addWidget(dialog)
            texts = [label.text() for label in dialog.findChildren(QLabel)]
            assert f"NE8000 Monitor {runtime.version}" in texts
            assert str(runtime.settings_path) in texts
            assert str(runtime.data_dir) in texts
            assert "kept in memory for this session only" in texts

    run(qapp, body())


def test_a_feed_that_cannot_start_is_reported_in_the_dialog(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, with_router=False) as setup:
            runtime = setup.runtime
            with socket.socket() as taken:  # another program already listens on the port
                taken.bind(("127.0.0.1", 0))
                taken.listen()
                port = taken.getsockname()[1]
                dialog = SettingsDialog(runtime, _store(tmp_path))
                qtbot.addWidget(dialog)
                dialog.open()
                dialog.feed_enabled.setChecked(True)
                dialog.feed_port.setValue(port)
                saved: list[object] = []
                dialog.saved.connect(saved.append)
                dialog.save_button.click()
                await until(dialog.error_label.isVisible, "the feed error")
            assert dialog.error_label.text().startswith(
                "Settings saved, but the feed could not start: "
            )
            assert dialog.isVisible()  # open, so the port can be changed right away
            assert dialog.save_button.isEnabled()
            assert len(saved) == 1
            assert runtime.settings.feed.enabled is True
            assert runtime.feed is not None
            assert not runtime.feed.running
            assert dialog.feed_status.text() == "Feed stopped."

    run(qapp, body())
