"""One GUI per user: a second start hands over to the first (which comes to the front)
instead of opening a second set of router sessions on scarce VTY lines.

A QLocalServer named per user (and per settings location, so tests and a second profile
do not collide) is the lock; a stale socket left by a crash is removed before listening.
"""

from __future__ import annotations

import getpass
import hashlib

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_TIMEOUT_MS = 500
ACTIVATE = b"activate\n"


def instance_key(scope: str = "") -> str:
    """A local-socket name unique per user (and per `scope`, e.g. a settings directory)."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name: the key only needs to be stable for this user
        user = "user"
    digest = hashlib.sha256(f"{user}\x1f{scope}".encode()).hexdigest()[:16]
    return f"ne8000monitor-{digest}"


def notify_running(key: str) -> bool:
    """Ask a running instance to show itself; True when one answered."""
    socket = QLocalSocket()
    socket.connectToServer(key)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    socket.write(ACTIVATE)
    socket.flush()
    socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later starts; emits `activation_requested` for each one."""

    activation_requested = Signal()

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._connection)

    def listen(self) -> bool:
        if self.server.listen(self.key):
            return True
        QLocalServer.removeServer(self.key)  # a crashed run left its socket file behind
        return self.server.listen(self.key)

    def _connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if ACTIVATE.strip() in bytes(socket.readAll().data()):
            self.activation_requested.emit()

    def close(self) -> None:
        self.server.close()
