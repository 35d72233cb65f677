"""A VTY terminal over any byte stream: keystrokes in, echo and CRLF text out.

The SSH and telnet servers hand the CLI a :class:`Channel`; this module does what a router's
VTY does on top of it — echo what is typed, handle backspace/Ctrl+C/Ctrl+Z, treat CR, LF,
CR LF and CR NUL alike as Enter (OpenSSH sends CR, netmiko LF, telnet CR LF), swallow
cursor-key escape sequences, and turn every ``\\n`` written into ``\\r\\n``.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

ENTER = "\r"
CTRL_C = "\x03"
CTRL_Z = "\x1a"
_BACKSPACES = ("\x7f", "\x08")
_CTRL_U = "\x15"


class SessionClosedError(Exception):
    """The client went away, or the session must end now."""


class Channel(Protocol):
    """The transport under a terminal (an SSH channel or a telnet connection)."""

    async def read(self) -> str:
        """The next chunk of input; the empty string at end of input."""
        ...

    def write(self, text: str) -> None: ...

    async def drain(self) -> None: ...

    def abort(self) -> None:
        """Cut the connection at once, as a crashed or rebooted box would."""
        ...

    def close(self) -> None:
        """End the session politely."""
        ...


class Terminal:
    """Keystrokes and lines from a channel, with VRP's echo and line endings."""

    def __init__(self, channel: Channel, *, idle_timeout: float | None = None) -> None:
        self.channel = channel
        self.idle_timeout = idle_timeout
        self._pending = ""
        self._after_cr = False

    def write(self, text: str) -> None:
        """Write text; ``\\n`` becomes ``\\r\\n`` as on a real terminal line."""
        if text:
            self.channel.write(text.replace("\n", "\r\n"))

    async def drain(self) -> None:
        """Wait until the transport accepted what was written (flow control)."""
        await self.channel.drain()

    async def _raw(self) -> str:
        while not self._pending:
            try:
                chunk = await asyncio.wait_for(self.channel.read(), self.idle_timeout)
            except TimeoutError:
                # VRP's `idle-timeout` (10 minutes by default): the VTY is simply closed.
                raise SessionClosedError("idle timeout") from None
            if not chunk:
                raise SessionClosedError("end of input")
            self._pending = chunk
        char, self._pending = self._pending[0], self._pending[1:]
        return char

    async def key(self) -> str:
        """The next keystroke: Enter is always ``"\\r"``; escape sequences are skipped."""
        while True:
            char = await self._raw()
            if self._after_cr and char in "\n\0":
                self._after_cr = False
                continue
            self._after_cr = char == "\r"
            if char == "\n":
                return ENTER
            if char == "\x1b":
                await self._skip_escape_sequence()
                continue
            return char

    async def _skip_escape_sequence(self) -> None:
        introducer = await self._raw()
        if introducer not in "[O":
            return
        while not "@" <= await self._raw() <= "~":
            pass

    def discard_typeahead(self) -> None:
        """Forget input typed ahead (the router flushes it after Ctrl+C in the pager)."""
        self._pending = ""

    async def read_line(self, *, echo: bool = True) -> str | None:
        """One edited line. None after Ctrl+C; :data:`CTRL_Z` when Ctrl+Z was pressed."""
        buffer: list[str] = []
        while True:
            key = await self.key()
            if key == ENTER:
                self.write("\n")
                return "".join(buffer)
            if key == CTRL_C:
                self.write("\n")
                return None
            if key == CTRL_Z:
                self.write("\n")
                return CTRL_Z
            if key in _BACKSPACES:
                if buffer:
                    buffer.pop()
                    if echo:
                        self.write("\b \b")
            elif key == _CTRL_U:
                if echo:
                    self.write("\b \b" * len(buffer))
                buffer.clear()
            elif key >= " ":
                buffer.append(key)
                if echo:
                    self.write(key)
