"""The window says where router passwords are kept, and why a router has none.

With keyring's `fail` backend (no usable OS keyring) the app keeps passwords in memory for
this session only: the status bar says so, the router dialog too, and a router configured
in the settings file says why it has no password. With the real gnome-keyring (the suite's
private Secret Service session) a missing entry and a locked keyring each say their own
reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.bootstrap import AppPaths, start_runtime
from app.domain.alerts import AlertKind
from app.domain.messages import MessageId, message
from app.engine.pool import PoolState
from app.engine.runtime import Runtime
from app.engine.settings import Settings
from app.transport.credentials import SERVICE, KeyringSecretStore
from app.ui.application import GuiSession
from app.ui.dialogs.hostkey import HostKeyDialog
from app.ui.dialogs.router_dialog import RouterDialog
from tests.support.secret_service import locked_keyring, require_secret_service
from tests.ui.support_g2 import POLL_SCALE, profile_for, run, start_device, until, wait_widget


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A desktop without a Secret Service: no session bus answers (the app then finds no OS
    keyring), and keyring's own default is its `fail` backend."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/ne8000-test-bus")
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def _state(runtime: Runtime, router: str) -> PoolState:
    return runtime.monitor.router_status(router)[0].pool.state


def test_without_a_keyring_the_window_says_passwords_last_this_session_only(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path, no_keyring: None
) -> None:
    async def body() -> None:
        device = await start_device(tmp_path)
        profile = profile_for(device, name="edge")
        runtime = await start_runtime(  # no `secrets`: the app looks for the OS keyring
            paths=AppPaths(tmp_path / "config", tmp_path / "data"),
            settings=Settings().with_router(profile),
            demo=False,
            poll_scale=POLL_SCALE,
            history=False,
            routers_are_simulated=True,
        )
        session = GuiSession(runtime)
        try:
            assert not runtime.passwords.persistent
            assert runtime.passwords.problem is not None
            assert "no OS keyring was found" in runtime.passwords.problem
            window = session.window
            window.show()
            label = window.status.passwords
            assert label.isVisible()
            assert label.text() == "\u26a0 Passwords kept for this session only"
            assert "forgotten when the app closes" in label.toolTip()
            assert runtime.passwords.problem in label.toolTip()

            # The router of the settings file has had no password since the start: why.
            await until(lambda: _state(runtime, "edge") is PoolState.NO_CREDENTIALS, "lock")
            live = session.live.router("edge")
            await until(lambda: live.problem is not None, "the reason")
            assert live.problem == message(MessageId.PASSWORD_SESSION_ONLY)
            item = window.routers.item_of("edge")
            assert item is not None
            await until(lambda: "kept for this session only" in item.toolTip(), "tooltip")
            (alert,) = await until(
                lambda: [a for a in session.live.active_alerts("edge")
                         if a.kind is AlertKind.NO_PASSWORD],
                "the no_password alert",
            )
            assert "kept for this session only" in alert.message
            kinds = {a.kind for a in session.live.active_alerts("edge")}
            assert AlertKind.ROUTER_UNREACHABLE not in kinds

            # A new router: the password field never claims the OS keyring.
            adding = RouterDialog(runtime)
            qtbot.addWidget(adding)
            assert adding.password_edit.placeholderText() == (
                "kept for this session only (no OS keyring)"
            )
            adding.show()
            assert adding.password_note.isVisible()
            adding.close()

            # Editing the router says why it has no password, and fixes it.
            dialog = RouterDialog(runtime, runtime.settings.routers["edge"])
            qtbot.addWidget(dialog)
            saved: list[str] = []
            dialog.saved.connect(saved.append)
            dialog.open()
            assert dialog.password_edit.placeholderText() == (
                "leave empty to keep this session's password"
            )
            assert dialog.password_problem.isVisible()
            assert dialog.password_problem.text().startswith(
                "This router has no password: there is no usable OS keyring"
            )
            dialog.password_edit.setText(device.password)
            dialog.save_button.click()
            keys = await wait_widget("hostKeyDialog")  # never logged in: first contact
            assert isinstance(keys, HostKeyDialog)
            keys.accept_button.click()
            await until(lambda: saved, "the save")
            assert runtime.secrets.get_password("edge") == device.password
            assert device.password not in runtime.settings_path.read_text(encoding="utf-8")
            await until(lambda: _state(runtime, "edge") is PoolState.CONNECTED, "login")
            await until(
                lambda: not [a for a in session.live.active_alerts("edge")
                             if a.kind is AlertKind.NO_PASSWORD],
                "the alert to clear",
            )
        finally:
            await session.close(runtime=False)
            await runtime.close()
            await device.close()

    run(qapp, body())


def test_with_the_os_keyring_a_missing_entry_and_a_locked_keyring_say_why(
    qapp: QApplication, qtbot: QtBot, tmp_path: Path
) -> None:
    backend = require_secret_service()
    name = f"kr-{uuid.uuid4().hex[:10]}"

    async def body() -> None:
        device = await start_device(tmp_path)
        runtime = await start_runtime(
            paths=AppPaths(tmp_path / "config", tmp_path / "data"),
            settings=Settings().with_router(profile_for(device, name=name)),
            demo=False,
            secrets=KeyringSecretStore(backend),
            poll_scale=POLL_SCALE,
            history=False,
            routers_are_simulated=True,
        )
        session = GuiSession(runtime)
        try:
            window = session.window
            window.show()
            assert runtime.passwords.persistent
            assert not window.status.passwords.isVisible()
            adding = RouterDialog(runtime)
            qtbot.addWidget(adding)
            assert adding.password_edit.placeholderText() == "stored in the OS keyring"
            assert not adding.password_note.isVisible()

            live = session.live.router(name)
            await until(
                lambda: live.problem == message(MessageId.PASSWORD_NOT_STORED), "not stored"
            )
            item = window.routers.item_of(name)
            assert item is not None
            await until(lambda: "no password is stored for it" in item.toolTip(), "tooltip")

            backend.set_password(SERVICE, name, device.password)
            with locked_keyring():  # the screen lock locked the keyring
                await runtime.reset_router(name)
                await until(
                    lambda: live.problem == message(MessageId.PASSWORD_KEYRING_FAILED),
                    "the locked keyring",
                )
                await until(
                    lambda: "could not be read (is it locked?)" in item.toolTip(), "tooltip"
                )
            await runtime.reset_router(name)  # unlocked again: it connects
            await until(lambda: _state(runtime, name) is PoolState.CONNECTED, "login")
            await until(lambda: live.problem is None, "no problem left")
        finally:
            await session.close(runtime=False)
            await runtime.close()
            await device.close()
            backend.delete_password(SERVICE, name)

    run(qapp, body())
