"""Operator-facing names of the connection states (translated, shared by every view)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.engine.pool import PoolState


def state_text(state: PoolState) -> str:
    # Literal QCoreApplication.translate calls: pyside6-lupdate only finds those.
    names = {
        PoolState.IDLE: QCoreApplication.translate("RouterState", "waiting"),
        PoolState.CONNECTING: QCoreApplication.translate("RouterState", "connecting"),
        PoolState.CONNECTED: QCoreApplication.translate("RouterState", "connected"),
        PoolState.UNREACHABLE: QCoreApplication.translate("RouterState", "unreachable"),
        PoolState.AUTH_FAILED: QCoreApplication.translate("RouterState", "auth failed"),
        PoolState.NO_CREDENTIALS: QCoreApplication.translate("RouterState", "no password"),
        PoolState.HOST_KEY_CHANGED: QCoreApplication.translate("RouterState", "host key changed"),
        PoolState.CLOSED: QCoreApplication.translate("RouterState", "closed"),
    }
    return names[state]
