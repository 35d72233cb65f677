"""Add / edit / remove a router through the dialogs, against a simulated NE8000 over SSH.

The password must land in the secret store (and never in the settings file); a new SSH
router's key is shown and pinned before the app logs in; a changed key is shown loudly with
both fingerprints and only accepted after an explicit confirmation.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.domain.router import RouterProfile, TransportKind
from app.engine.pool import PoolState
from app.engine.runtime import Runtime
from app.simulator.server import SimulatorHandle
from app.transport.credentials import SERVICE, KeyringSecretStore
from app.ui.dialogs.hostkey import HostKeyDialog, resolve_changed_host_key
from app.ui.dialogs.router_dialog import RouterDialog, remove_router
from tests.support.secret_service import require_secret_service
from tests.ui.support_g2 import (
    ROUTER,
    bench,
    run,
    start_device,
    until,
    wait_widget,
)


def _fill(dialog: RouterDialog, name: str, host: str, port: int, password: str) -> None:
    dialog.name_edit.setText(name)
    dialog.host_edit.setText(host)
    dialog.port_spin.setValue(port)
    dialog.username_edit.setText("admin")
    dialog.password_edit.setText(password)


def _state(runtime: Runtime, router: str) -> PoolState:
    return runtime.monitor.router_status(router)[0].pool.state


async def _change_host_key(runtime: Runtime, device: SimulatorHandle) -> tuple[str, str]:
    """Reboot the simulated router with a new host key and wait until the pool refuses it;
    returns the (old, new) fingerprints."""
    await until(lambda: _state(runtime, ROUTER) is PoolState.CONNECTED, "first login")
    old = device.host_key_fingerprint
    device.faults.change_host_key = True
    await device.restart()
    new = device.host_key_fingerprint
    assert new != old
    await until(
        lambda: _state(runtime, ROUTER) is PoolState.HOST_KEY_CHANGED,
        "the changed key to stop the router",
        timeout=40,
    )
    return old, new


async def _add_through_dialog(
    qtbot: QtBot, runtime: Runtime, device: SimulatorHandle, name: str
) -> RouterDialog:
    """Fill the add-router form for `device`, trust its key in the first-contact dialog."""
    dialog = RouterDialog(runtime)
    qtbot.addWidget(dialog)
    saved: list[str] = []
    dialog.saved.connect(saved.append)
    dialog.open()
    _fill(dialog, name, device.host, device.port, device.password)
    dialog.save_button.click()
    keys = await wait_widget("hostKeyDialog")
    assert isinstance(keys, HostKeyDialog)
    assert not keys.changed
    assert keys.offered_label.text() == device.host_key_fingerprint
    assert keys.reject_button.isDefault()  # Enter never trusts a key by accident
    assert not keys.accept_button.isDefault()
    keys.accept_button.click()
    await until(lambda: saved, "the router to be saved")
    assert saved == [name]
    assert dialog.result() == QDialog.DialogCode.Accepted
    return dialog


def test_add_router_pins_the_key_and_keeps_the_password_out_of_the_file(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, with_router=False) as setup:
            runtime, device = setup.runtime, setup.device
            await _add_through_dialog(qtbot, runtime, device, "edge-1")
            assert setup.secrets.get_password("edge-1") == device.password
            text = runtime.settings_path.read_text(encoding="utf-8")
            assert "[routers.edge-1]" in text
            assert f"port = {device.port}" in text
            assert device.password not in text
            assert "password" not in text.split("[routers.edge-1]")[1]
            assert runtime.settings.routers["edge-1"].transport is TransportKind.SSH
            assert "edge-1" in runtime.monitor.routers
            probe = await runtime.probe_host_key(runtime.settings.routers["edge-1"])
            assert probe.pinned == probe.offered == device.host_key_fingerprint
            # The app logs in with the stored password and the pinned key.
            await until(lambda: _state(runtime, "edge-1") is PoolState.CONNECTED, "login")

    run(qapp, body())


def test_declining_the_first_contact_key_saves_nothing(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, with_router=False) as setup:
            runtime, device = setup.runtime, setup.device
            dialog = RouterDialog(runtime)
            qtbot.addWidget(dialog)
            dialog.open()
            _fill(dialog, "edge-2", device.host, device.port, device.password)
            dialog.save_button.click()
            keys = await wait_widget("hostKeyDialog")
            assert isinstance(keys, HostKeyDialog)
            keys.reject_button.click()
            await until(dialog.error_label.isVisible, "the error message")
            assert dialog.error_label.text() == (
                "The host key was not trusted; the router was not saved."
            )
            assert dialog.isVisible()  # still open, to try again or cancel
            assert "edge-2" not in runtime.settings.routers
            assert "edge-2" not in runtime.monitor.routers
            assert setup.secrets.get_password("edge-2") is None
            assert not runtime.settings_path.exists()
            probe = await runtime.probe_host_key(
                RouterProfile(name="edge-2", host=device.host, port=device.port)
            )
            assert probe.pinned is None

    run(qapp, body())


def test_form_validation_messages(qapp: QApplication, qtbot: QtBot, tmp_path: Path) -> None:
    async def body() -> None:
        async with bench(tmp_path) as setup:
            dialog = RouterDialog(setup.runtime)
            qtbot.addWidget(dialog)
            cases = [
                (("", "10.0.0.1", "pw"), "Enter a name for the router."),
                (
                    ("bad name", "10.0.0.1", "pw"),
                    "The name may use letters, digits, '.', '_' "
                    "and '-' (up to 64 characters, starting with a letter or digit).",
                ),
                ((ROUTER, "10.0.0.1", "pw"), f"A router named {ROUTER} already exists."),
                (("edge", "", "pw"), "Enter the router's IP address or host name."),
                (
                    ("edge", "10.0.0.1;reboot", "pw"),
                    "10.0.0.1;reboot is not a valid address or host name.",
                ),
                (  # the bench keeps passwords in memory: the message never claims a keyring
                    ("edge", "10.0.0.1", ""),
                    "Enter the router's password (without an OS keyring it is kept for this "
                    "session only).",
                ),
            ]
            for (name, host, password), message in cases:
                dialog.name_edit.setText(name)
                dialog.host_edit.setText(host)
                dialog.password_edit.setText(password)
                dialog.submit()
                assert dialog.error_label.text() == message
                assert not dialog.tasks.busy
            dialog.name_edit.setText("edge")
            dialog.host_edit.setText("10.0.0.1")
            dialog.password_edit.setText("pw")
            dialog.vty_spin.setValue(2)
            dialog.pool_spin.setValue(3)
            dialog.submit()
            assert dialog.error_label.text() == (
                "The session count (3) cannot exceed the VTY budget (2)."
            )
            dialog.username_edit.setText("two words")
            dialog.pool_spin.setValue(1)
            dialog.submit()
            assert dialog.error_label.text() == "Enter a username without spaces."
            assert list(setup.runtime.settings.routers) == [ROUTER]

    run(qapp, body())


def test_telnet_and_legacy_algorithms_show_their_warnings(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, with_router=False) as setup:
            dialog = RouterDialog(setup.runtime)
            qtbot.addWidget(dialog)
            dialog.show()
            assert dialog.port_spin.value() == 22
            assert not dialog.telnet_warning.isVisible()
            assert not dialog.legacy_warning.isVisible()
            dialog.legacy_check.setChecked(True)
            assert dialog.legacy_warning.isVisible()
            assert "weak" in dialog.legacy_warning.text()
            dialog.protocol_combo.setCurrentIndex(1)  # Telnet
            assert dialog.transport is TransportKind.TELNET
            assert dialog.port_spin.value() == 23  # follows the protocol's port
            assert dialog.telnet_warning.isVisible()
            assert "cleartext" in dialog.telnet_warning.text()
            assert not dialog.legacy_check.isEnabled()  # SSH-only option
            assert not dialog.legacy_warning.isVisible()
            _fill(dialog, "old-box", "10.0.0.9", 23, "pw")
            profile = dialog.profile()
            assert profile.transport is TransportKind.TELNET
            assert profile.legacy_algorithms is False
            assert not dialog._needs_probe(profile)  # no SSH key to check over telnet
            dialog.protocol_combo.setCurrentIndex(0)
            assert dialog.port_spin.value() == 22

    run(qapp, body())


def test_unreachable_router_asks_before_saving_unverified(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, with_router=False) as setup:
            with socket.socket() as probe:  # a loopback port nobody listens on
                probe.bind(("127.0.0.1", 0))
                closed_port = probe.getsockname()[1]
            dialog = RouterDialog(setup.runtime)
            qtbot.addWidget(dialog)
            dialog.open()
            _fill(dialog, "edge-3", "127.0.0.1", closed_port, "pw")
            dialog.save_button.click()
            box = await wait_widget("saveUnverifiedBox")
            assert isinstance(box, QMessageBox)
            assert "Could not fetch the router's host key" in box.text()
            assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
            box.button(QMessageBox.StandardButton.Cancel).click()
            await until(lambda: dialog.error_label.text().startswith("Not saved: "), "refusal")
            assert "edge-3" not in setup.runtime.settings.routers
            assert dialog.save_button.isEnabled()
            # Saving anyway is the operator's explicit choice.
            dialog.save_button.click()
            box = await wait_widget("saveUnverifiedBox")
            box.button(QMessageBox.StandardButton.Save).click()
            await until(lambda: "edge-3" in setup.runtime.settings.routers, "the save")
            assert setup.secrets.get_password("edge-3") == "pw"

    run(qapp, body())


def test_edit_then_remove_a_router(qapp: QApplication, qtbot: QtBot, tmp_path: Path) -> None:
    async def body() -> None:
        async with bench(tmp_path) as setup:
            runtime = setup.runtime
            # Connected once: its host key is pinned, so the edit asks nothing about it.
            await until(lambda: _state(runtime, ROUTER) is PoolState.CONNECTED, "first login")
            original = runtime.settings.routers[ROUTER]
            dialog = RouterDialog(runtime, original)
            qtbot.addWidget(dialog)
            assert dialog.name_edit.isReadOnly()
            assert dialog.windowTitle() == f"Edit router {ROUTER}"
            saved: list[str] = []
            dialog.saved.connect(saved.append)
            dialog.open()
            dialog.command_timeout.setValue(42.0)
            dialog.password_edit.setText("N3w-secret")
            dialog.save_button.click()  # same address: no host-key question
            # The simulator does not know that password: the test login says so before
            # anything is saved, and saving anyway is the operator's explicit choice.
            box = await wait_widget("saveFailedLoginBox")
            assert isinstance(box, QMessageBox)
            assert "wrong username or password" in box.text()
            assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
            box.button(QMessageBox.StandardButton.Save).click()
            await until(lambda: saved, "the edit to be saved")
            assert runtime.settings.routers[ROUTER].command_timeout == 42.0
            assert setup.secrets.get_password(ROUTER) == "N3w-secret"
            text = runtime.settings_path.read_text(encoding="utf-8")
            assert "command_timeout = 42.0" in text
            assert "N3w-secret" not in text

            task = asyncio.ensure_future(remove_router(None, runtime, ROUTER))
            box = await wait_widget("removeRouterBox")
            assert isinstance(box, QMessageBox)
            assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
            box.button(QMessageBox.StandardButton.Yes).click()
            assert await task is True
            assert ROUTER not in runtime.settings.routers
            assert ROUTER not in runtime.monitor.routers
            assert setup.secrets.get_password(ROUTER) is None
            assert f"[routers.{ROUTER}]" not in runtime.settings_path.read_text(encoding="utf-8")

    run(qapp, body())


def test_changed_host_key_dialog_shows_both_fingerprints(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path) as setup:
            runtime, device = setup.runtime, setup.device
            old, new = await _change_host_key(runtime, device)
            task = asyncio.ensure_future(resolve_changed_host_key(None, runtime, ROUTER))
            keys = await wait_widget("hostKeyDialog")
            assert isinstance(keys, HostKeyDialog)
            assert keys.changed
            assert keys.pinned_label is not None
            assert keys.verified is not None
            assert keys.pinned_label.text() == old
            assert keys.offered_label.text() == new
            assert "has CHANGED" in keys.headline.text()
            assert keys.reject_button.isDefault()
            assert not keys.accept_button.isEnabled()  # not before the explicit tick
            keys.verified.setChecked(True)
            assert keys.accept_button.isEnabled()
            keys.accept_button.click()
            assert await task is True
            await until(lambda: _state(runtime, ROUTER) is PoolState.CONNECTED, "re-login")
            probe = await runtime.probe_host_key(runtime.settings.routers[ROUTER])
            assert probe.pinned == new

    run(qapp, body())


def test_rejecting_a_changed_key_keeps_the_router_stopped(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path) as setup:
            runtime, device = setup.runtime, setup.device
            old, _new = await _change_host_key(runtime, device)
            task = asyncio.ensure_future(resolve_changed_host_key(None, runtime, ROUTER))
            keys = await wait_widget("hostKeyDialog")
            keys.reject()
            assert await task is False
            assert _state(runtime, ROUTER) is PoolState.HOST_KEY_CHANGED
            probe = await runtime.probe_host_key(runtime.settings.routers[ROUTER])
            assert probe.pinned == old

    run(qapp, body())


def test_password_lands_in_the_real_keyring(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    """Same flow with no test double: the Secret Service keyring (skips where there is none)."""
    backend = require_secret_service()
    name = f"ui-{uuid.uuid4().hex[:10]}"

    async def body() -> None:
        async with bench(tmp_path, with_router=False, secrets=KeyringSecretStore(backend)) as setup:
            runtime, device = setup.runtime, setup.device
            await _add_through_dialog(qtbot, runtime, device, name)
            assert backend.get_password(SERVICE, name) == device.password
            assert device.password not in runtime.settings_path.read_text(encoding="utf-8")
            task = asyncio.ensure_future(remove_router(None, runtime, name))
            box = await wait_widget("removeRouterBox")
            box.button(QMessageBox.StandardButton.Yes).click()
            assert await task is True
            assert backend.get_password(SERVICE, name) is None

    try:
        run(qapp, body())
    finally:
        with contextlib.suppress(Exception):
            backend.delete_password(SERVICE, name)


def test_moving_a_router_to_a_new_address_checks_the_new_key(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path) as setup:
            runtime = setup.runtime
            await until(lambda: _state(runtime, ROUTER) is PoolState.CONNECTED, "first login")
            replacement = await start_device(tmp_path / "second")
            try:
                dialog = RouterDialog(runtime, runtime.settings.routers[ROUTER])
                qtbot.addWidget(dialog)
                saved: list[str] = []
                dialog.saved.connect(saved.append)
                dialog.open()
                dialog.port_spin.setValue(replacement.port)
                dialog.save_button.click()
                keys = await wait_widget("hostKeyDialog")
                assert isinstance(keys, HostKeyDialog)
                assert not keys.changed  # a new address: first contact, not a changed key
                assert keys.offered_label.text() == replacement.host_key_fingerprint
                assert replacement.host_key_fingerprint != setup.device.host_key_fingerprint
                keys.accept_button.click()
                await until(lambda: saved, "the edit to be saved")
                assert runtime.settings.routers[ROUTER].port == replacement.port
                await until(
                    lambda: _state(runtime, ROUTER) is PoolState.CONNECTED, "login at the new port"
                )
                assert replacement.vty_online >= 1
            finally:
                await replacement.close()

    run(qapp, body())
