"""WebSocket text frames built once per message and written as they are to every client.

A server's frames are not masked (RFC 6455 section 5.1) and the feed negotiates no
compression, so a message's frame is the same bytes for every client: header and payload
are joined once here, and a client's writer hands a batch of ready frames to its socket in
one call (one system call where the transport can; a profile of 1000 clients showed the
socket writes, one per frame and client, as most of the server's time).
"""

from __future__ import annotations

import struct

FIN_TEXT = 0x81  # FIN bit + opcode 1 (text)
_SHORT = struct.Struct("!BB")
_MEDIUM = struct.Struct("!BBH")
_LONG = struct.Struct("!BBQ")


def text_frame(payload: bytes) -> bytes:
    """One unmasked, uncompressed, final text frame carrying UTF-8 `payload`."""
    size = len(payload)
    if size < 126:
        header = _SHORT.pack(FIN_TEXT, size)
    elif size < 65536:
        header = _MEDIUM.pack(FIN_TEXT, 126, size)
    else:
        header = _LONG.pack(FIN_TEXT, 127, size)
    return header + payload
