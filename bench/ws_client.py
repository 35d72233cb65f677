"""A lean WebSocket client (RFC 6455) for the feed benchmark's client processes.

Why: with 1000 clients on a 2-core machine, aiohttp's client cost about 43 us of CPU per
received message (a future and a task switch per message and client, a UTF-8 decode), so
four client processes took 64 % of a core and the time a message waited for its client
process to run showed up as publish-to-receipt delay. This client is an asyncio Protocol:
the bytes of every frame that arrived in one read are taken apart in the read callback
itself, and the receipt time is the moment that read returned. It does what a client must:
the upgrade handshake (its `Sec-WebSocket-Accept` checked), unmasked server frames of any
length, fragmented messages, a masked `pong` for every `ping`, and the close handshake.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import time
from collections.abc import Callable

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10
MAX_HEADER = 16 * 1024  # bytes of HTTP response accepted before the upgrade is refused

OnMessage = Callable[[int, bytes, float], None]  # (opcode, payload, receipt time)


class HandshakeError(ConnectionError):
    """The server did not upgrade the connection to a WebSocket."""


def masked_frame(opcode: int, payload: bytes) -> bytes:
    """One final client frame; a client must mask what it sends (RFC 6455 5.3)."""
    key = os.urandom(4)
    size = len(payload)
    if size >= 126:
        raise ValueError("only short control frames are sent")
    body = bytes(byte ^ key[i % 4] for i, byte in enumerate(payload))
    return bytes((0x80 | opcode, 0x80 | size)) + key + body


class LeanClient(asyncio.Protocol):
    """One WebSocket connection; `on_message` gets each whole text or binary message."""

    def __init__(self, host: str, port: int, path: str, on_message: OnMessage) -> None:
        self._request_key = base64.b64encode(os.urandom(16))
        self._request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: "
        ).encode() + self._request_key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n"
        self._on_message = on_message
        self._buffer = bytearray()
        self._upgraded = False
        self._fragments: list[bytes] = []
        self._fragment_opcode = 0
        self._transport: asyncio.Transport | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        transport.write(self._request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            if exc is None and self._upgraded:
                self.closed.set_result(None)
            else:
                self.closed.set_exception(exc or ConnectionResetError("closed during handshake"))

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self._buffer += data
        if not self._upgraded and not self._read_handshake():
            return
        self._read_frames(now)

    def close(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()

    def _fail(self, error: Exception) -> None:
        if not self.closed.done():
            self.closed.set_exception(error)
        if self._transport is not None:
            self._transport.abort()

    def _read_handshake(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HEADER:
                self._fail(HandshakeError("no end to the HTTP response"))
            return False
        head = bytes(self._buffer[:end]).decode("latin-1")
        del self._buffer[: end + 4]
        lines = head.split("\r\n")
        if not lines[0].startswith("HTTP/1.1 101"):
            self._fail(HandshakeError(f"not upgraded: {lines[0]!r}"))
            return False
        fields = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:])
        }
        expected = base64.b64encode(hashlib.sha1(self._request_key + GUID).digest()).decode()
        if fields.get("sec-websocket-accept") != expected:
            self._fail(HandshakeError("wrong Sec-WebSocket-Accept"))
            return False
        self._upgraded = True
        return True

    def _read_frames(self, now: float) -> None:
        buffer = self._buffer
        size_of_buffer = len(buffer)
        pos = 0
        while size_of_buffer - pos >= 2:
            first, second = buffer[pos], buffer[pos + 1]
            if second & 0x80:
                self._fail(ConnectionError("the server masked a frame"))
                return
            size, head = second & 0x7F, 2
            if size == 126:
                if size_of_buffer - pos < 4:
                    break
                size, head = int.from_bytes(buffer[pos + 2 : pos + 4], "big"), 4
            elif size == 127:
                if size_of_buffer - pos < 10:
                    break
                size, head = int.from_bytes(buffer[pos + 2 : pos + 10], "big"), 10
            if size_of_buffer - pos < head + size:
                break
            payload = bytes(buffer[pos + head : pos + head + size])
            pos += head + size
            self._frame(first & 0x80, first & 0x0F, payload, now)
        del buffer[:pos]

    def _frame(self, fin: int, opcode: int, payload: bytes, now: float) -> None:
        transport = self._transport
        if opcode == OP_PING:
            if transport is not None:
                transport.write(masked_frame(OP_PONG, payload))
        elif opcode == OP_CLOSE:
            if transport is not None and not transport.is_closing():
                transport.write(masked_frame(OP_CLOSE, payload[:2]))
                transport.close()
        elif opcode in (OP_TEXT, OP_BINARY) and fin:
            self._on_message(opcode, payload, now)
        elif opcode in (OP_TEXT, OP_BINARY):
            self._fragment_opcode, self._fragments = opcode, [payload]
        elif opcode == OP_CONTINUATION and self._fragments:
            self._fragments.append(payload)
            if fin:
                message, self._fragments = b"".join(self._fragments), []
                self._on_message(self._fragment_opcode, message, now)


async def connect(
    host: str, port: int, path: str, on_message: OnMessage, *, timeout: float
) -> LeanClient:
    """Open the TCP connection and send the upgrade request (the answer comes as data)."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(timeout):
        _, client = await loop.create_connection(
            lambda: LeanClient(host, port, path, on_message), host, port
        )
    return client
