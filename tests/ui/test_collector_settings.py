"""Settings > Collector: "Test connection" asks a real collector who this seat is, saving
puts the address in the settings file and the token only in the keyring; in collector mode
the collector's own settings (alerts, polling, feed, notifications, operator mode) are shown
but cannot be changed here, and saying why."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QTabWidget
from pytestqt.qtbot import QtBot

from app.bootstrap import AppPaths, start_collector_runtime
from app.engine.runtime import collector_token_entry
from app.engine.settings import load_settings
from app.transport.credentials import MemorySecretStore
from app.ui.collector_banner import managed_text
from app.ui.dialogs.settings_dialog import SettingsDialog
from tests.support.collector import running_collector
from tests.ui.support_g2 import bench, run, until


def _store(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat)


def test_connecting_a_seat_to_a_collector_from_settings(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with (
            running_collector(tmp_path / "collector", "--demo") as collector,
            bench(tmp_path, with_router=False) as setup,
        ):
            runtime = setup.runtime
            token = collector.tokens["noc-2"]
            dialog = SettingsDialog(runtime, _store(tmp_path))
            qtbot.addWidget(dialog)
            dialog.open()
            tab = dialog.collector_tab
            assert not tab.url.isEnabled()  # off until "Connect to a collector" is ticked
            tab.enabled.setChecked(True)
            tab.url.setText(collector.url + "/")
            tab.token.setText("wrong.token")
            tab.test_button.click()
            await until(lambda: tab.result.text().startswith("Not connected:"), "a refusal")
            tab.token.setText(token)
            tab.test_button.click()
            await until(lambda: tab.result.text().startswith("Connected:"), "the probe")
            assert "seat noc-2" in tab.result.text()
            assert "routers: demo" in tab.result.text()
            dialog.save_button.click()
            await until(lambda: not dialog.isVisible(), "the dialog to close")
            saved = load_settings(runtime.settings_path)
            assert saved.collector.url == collector.url
            assert saved.collector.fingerprint is None
            assert setup.secrets.get_password(collector_token_entry(collector.url)) == token
            assert token not in runtime.settings_path.read_text(encoding="utf-8")

            again = SettingsDialog(runtime, _store(tmp_path))
            qtbot.addWidget(again)
            assert again.collector_tab.enabled.isChecked()
            assert "leave empty to keep" in again.collector_tab.token.placeholderText()
            again.collector_tab.fingerprint.setText("12:34")
            again.save_button.click()
            assert again.error_label.text() == (
                "A certificate fingerprint needs an https:// collector address."
            )
            again.collector_tab.url.setText("https://collector.noc:8443")
            again.save_button.click()
            assert "64 hexadecimal" in again.error_label.text()
            assert load_settings(runtime.settings_path).collector.url == collector.url
            again.reject()

    run(qapp, body(), timeout=120)


def test_in_collector_mode_the_collectors_settings_are_shown_not_edited(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with running_collector(tmp_path / "collector", "--demo") as collector:
            secrets = MemorySecretStore()
            secrets.set_password(collector_token_entry(collector.url), collector.tokens["noc-1"])
            runtime = await start_collector_runtime(
                url=collector.url,
                paths=AppPaths(tmp_path / "config", tmp_path / "data"),
                secrets=secrets,  # the token comes from the keyring
            )
            try:
                assert runtime.collector is not None
                assert runtime.collector.status().seat == "noc-1"
                dialog = SettingsDialog(runtime, _store(tmp_path))
                qtbot.addWidget(dialog)
                dialog.open()
                tabs = dialog.findChild(QTabWidget)
                assert tabs is not None
                for index in range(4):  # alerts, polling, feed, notifications
                    assert not tabs.widget(index).isEnabled()
                    assert tabs.tabToolTip(index) == managed_text()
                assert not dialog.operator_mode.isEnabled()
                assert dialog.operator_mode.isChecked()  # the collector's operator mode
                assert dialog.collector_tab.isEnabled()
                dialog.save_button.click()
                await until(lambda: not dialog.isVisible(), "the dialog to close")
                text = runtime.settings_path.read_text(encoding="utf-8")
                assert "operator_mode = true" not in text  # the collector's value stays there
            finally:
                await runtime.close()

    run(qapp, body(), timeout=120)
