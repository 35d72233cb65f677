"""Test login in the router dialog, against a simulated NE8000 over loopback SSH.

The dialog checks the host key, logs in and reads `display version`, and shows the result
in the operator's language; a router that fails it (a wrong password, a box refusing every
login, a changed host key) is saved only when the operator insists, and a wrong password
becomes an `auth_failed` alert, never "router unreachable".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.domain.alerts import AlertKind
from app.engine.freshness import ErrorCode
from app.engine.pool import PoolState
from app.engine.runtime import Runtime
from app.ui.dialogs.hostkey import HostKeyDialog
from app.ui.dialogs.router_dialog import RouterDialog
from app.ui.i18n import install_translator
from tests.ui.support_g2 import ROUTER, bench, run, until, visible_widget, wait_widget


def _fill(dialog: RouterDialog, name: str, host: str, port: int, password: str) -> None:
    dialog.name_edit.setText(name)
    dialog.host_edit.setText(host)
    dialog.port_spin.setValue(port)
    dialog.username_edit.setText("admin")
    dialog.password_edit.setText(password)


async def _trust_first_contact() -> None:
    keys = await wait_widget("hostKeyDialog")
    assert isinstance(keys, HostKeyDialog)
    assert not keys.changed
    keys.accept_button.click()


async def _first_login(runtime: Runtime) -> None:
    """The monitor's own session is up: the router and its host key are known."""
    await until(
        lambda: runtime.monitor.router_status(ROUTER)[0].pool.state is PoolState.CONNECTED,
        "first login",
    )


def _open_dialog_of_the_router(runtime: Runtime, qtbot: QtBot) -> RouterDialog:
    dialog = RouterDialog(runtime, runtime.settings.routers[ROUTER])
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


@pytest.fixture
def portuguese(qapp: QApplication) -> Iterator[None]:
    try:
        install_translator(qapp, "pt_BR")
        yield
    finally:
        install_translator(qapp, "en")
        QLocale.setDefault(QLocale.system())


def test_test_login_passes_and_save_does_not_ask_again(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, with_router=False) as setup:
            runtime, device = setup.runtime, setup.device
            dialog = RouterDialog(runtime)
            qtbot.addWidget(dialog)
            saved: list[str] = []
            dialog.saved.connect(saved.append)
            dialog.open()
            _fill(dialog, "edge-ok", device.host, device.port, device.password)
            dialog.test_button.click()
            await _trust_first_contact()
            await until(dialog.test_label.isVisible, "the test result")
            assert dialog.last_test is not None
            assert dialog.last_test.passed
            text = dialog.test_label.text()
            assert text.startswith("\u2714 Test login passed: logged in as admin and read the")
            assert "NE8000" in text
            assert "edge-ok" not in runtime.settings.routers  # a test saves nothing
            assert setup.secrets.get_password("edge-ok") is None

            dialog.save_button.click()  # same values: no second login, no warning
            await until(lambda: saved, "the save")
            assert visible_widget("saveFailedLoginBox") is None
            assert "edge-ok" in runtime.settings.routers

    run(qapp, body())


def test_a_wrong_password_fails_the_test_and_is_saved_only_on_request(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, with_router=False) as setup:
            runtime, device = setup.runtime, setup.device
            dialog = RouterDialog(runtime)
            qtbot.addWidget(dialog)
            saved: list[str] = []
            dialog.saved.connect(saved.append)
            dialog.open()
            _fill(dialog, "edge-bad", device.host, device.port, "not-the-password")
            dialog.save_button.click()  # Save alone runs the test login first
            await _trust_first_contact()
            box = await wait_widget("saveFailedLoginBox")
            assert isinstance(box, QMessageBox)
            assert box.text().startswith(
                "The test login failed: the login failed (wrong username or password)"
            )
            assert "rejected user 'admin'" in box.detailedText()
            assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
            box.button(QMessageBox.StandardButton.Cancel).click()
            await until(lambda: dialog.error_label.text() != "", "the refusal")
            assert dialog.error_label.text() == "Not saved: the test login failed."
            assert dialog.test_label.text().startswith("\u2718 Test login failed: the login")
            assert dialog.last_test is not None
            assert dialog.last_test.code is ErrorCode.AUTH_FAILED
            assert "edge-bad" not in runtime.settings.routers
            assert dialog.isVisible()

            dialog.save_button.click()  # the operator insists
            box = await wait_widget("saveFailedLoginBox")
            box.button(QMessageBox.StandardButton.Save).click()
            await until(lambda: saved, "the save")
            assert "edge-bad" in runtime.settings.routers
            # Polling meets the same refusal: its own alert, never "router unreachable".
            monitor = runtime.monitor
            await until(
                lambda: [a for a in monitor.active_alerts("edge-bad")
                         if a.kind is AlertKind.AUTH_FAILED],
                "the auth_failed alert",
            )
            assert monitor.router_status("edge-bad")[0].pool.state is PoolState.AUTH_FAILED
            kinds = {a.kind for a in monitor.active_alerts("edge-bad")}
            assert AlertKind.ROUTER_UNREACHABLE not in kinds

    run(qapp, body())


def test_a_router_refusing_every_login_is_reported_in_portuguese(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path, portuguese: None
) -> None:
    async def body() -> None:
        async with bench(tmp_path) as setup:
            runtime, device = setup.runtime, setup.device
            device.faults.refuse_auth = True  # the box rejects even the right password
            dialog = _open_dialog_of_the_router(runtime, qtbot)
            dialog.test_button.click()  # the stored password, the pinned (or new) key
            keys = await until(lambda: visible_widget("hostKeyDialog") or dialog.last_test,
                               "the host key question or the result")
            if isinstance(keys, HostKeyDialog):  # the first poll had not pinned it yet
                keys.accept_button.click()
            await until(dialog.test_label.isVisible, "the test result")
            assert dialog.test_label.text() == (
                "\u2718 Falha no teste de login: o login falhou (usuário ou senha errados)"
            )
            assert "rejected" in dialog.test_label.toolTip()  # the detail, as reported

    run(qapp, body())


def test_a_changed_host_key_is_asked_about_before_any_login(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path) as setup:
            runtime, device = setup.runtime, setup.device
            await _first_login(runtime)
            old = device.host_key_fingerprint
            device.faults.change_host_key = True
            await device.restart()
            logins = device.vty_online
            dialog = _open_dialog_of_the_router(runtime, qtbot)
            dialog.test_button.click()
            keys = await wait_widget("hostKeyDialog")
            assert isinstance(keys, HostKeyDialog)
            assert keys.changed
            assert keys.pinned_label is not None
            assert keys.pinned_label.text() == old
            assert keys.offered_label.text() == device.host_key_fingerprint
            keys.reject_button.click()
            await until(lambda: dialog.error_label.text() != "", "the refusal")
            assert dialog.error_label.text() == "The host key was not trusted; nothing was tested."
            assert dialog.last_test is None
            assert device.vty_online <= logins  # no login was attempted with that key

    run(qapp, body())


@pytest.mark.parametrize("while_running", [False, True], ids=["after", "during"])
def test_editing_values_drops_the_test_verdict(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path, while_running: bool
) -> None:
    """A verdict is about the values the form held when the test ran: an edit made after it,
    or while it runs (the fields stay editable), must not leave it shown as if it were
    about the new values."""

    async def body() -> None:
        async with bench(tmp_path) as setup:
            runtime = setup.runtime
            await _first_login(runtime)
            dialog = _open_dialog_of_the_router(runtime, qtbot)
            dialog.test_button.click()
            if while_running:
                assert dialog.tasks.busy
            else:
                await until(dialog.test_label.isVisible, "the test result")
                assert dialog.last_test is not None
                assert dialog.last_test.passed
            dialog.username_edit.setText("someone-else")
            await dialog.tasks.wait()
            assert dialog.last_test is None
            assert not dialog.test_label.isVisible()
            if while_running:
                assert "changed during the test" in dialog.error_label.text()

    run(qapp, body())
