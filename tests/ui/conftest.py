"""GUI tests: offscreen Qt, a qasync loop per test, QSettings in a temporary directory,
and a check that no top-level widget outlives its test.

Async GUI code is driven by running a coroutine on a qasync QEventLoop (`run` fixture):
Qt events and asyncio callbacks then interleave as in the application. Conditions are
polled with `await asyncio.sleep` (see `wait_for`); never `qtbot.waitUntil` inside a
running coroutine.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication

from app.ui.uistate import APPLICATION, ORGANISATION
from tests.ui.support_g2 import run as run_on_loop

QCoreApplication.setOrganizationName(ORGANISATION)
QCoreApplication.setApplicationName(APPLICATION)

Runner = Callable[[Coroutine[Any, Any, Any]], Any]


@pytest.fixture(autouse=True)
def _qsettings_in_tmp(tmp_path: Path) -> Path:
    """Every QSettings() of the test (window layout, preferences) lives in tmp_path."""
    folder = tmp_path / "qsettings"
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return folder


def _flush_deletions() -> None:
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()


@pytest.fixture(autouse=True)
def _no_leaked_windows(qapp: QApplication) -> Iterator[None]:
    """Fail a test that leaves a top-level widget behind (windows, dialogs, menus)."""
    _flush_deletions()
    before = set(map(id, QApplication.topLevelWidgets()))
    yield
    _flush_deletions()
    leaked = [
        f"{type(w).__name__}({w.objectName()!r})"
        for w in QApplication.topLevelWidgets()
        if id(w) not in before
    ]
    for widget in QApplication.topLevelWidgets():
        if id(widget) not in before:
            widget.close()
            widget.deleteLater()
    _flush_deletions()
    assert not leaked, f"top-level widgets leaked: {leaked}"


@pytest.fixture
def run(qapp: QApplication) -> Runner:
    """`run(coro)`: run a coroutine to completion on the session's qasync loop.

    One loop for the whole session, shared with the dialog tests (`support_g2.run`):
    closing a qasync loop per test leaves Qt timers that late asyncssh callbacks touch.
    """
    return lambda body: run_on_loop(qapp, body, timeout=120)


async def wait_for(
    condition: Callable[[], object], *, timeout: float = 20.0, step: float = 0.05, what: str = ""
) -> Any:
    """Poll `condition` on the running loop until it is truthy; its value is returned.

    The timeout only bounds a broken test; nothing asserts on how long it took.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = condition()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await asyncio.sleep(step)
