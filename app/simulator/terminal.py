"""A VTY terminal over any byte stream: keystrokes in, echo and CRLF text out.

The SSH and telnet servers hand the CLI a :class:`Channel`; this module does what a router's
VTY does on top of it — echo what is typed, handle backspace/Ctrl+C/Ctrl+Z, treat CR, LF,
CR LF and CR NUL alike as Enter (OpenSSH sends CR, netmiko LF, telnet CR LF), swallow
cursor-key escape sequences, and turn every ``\\n`` written into ``\\r\\n``.

What is written is sent the way a router's TCP stream arrives: in pieces. Writes collect in
a buffer that goes out when the terminal waits (for input, or for flow control in
:meth:`Terminal.drain`) or grows past :data:`WRITE_PIECE`, so the echo of a typed line is one
piece and an answer with its prompt is another. Sending every line or keystroke on its own
would cost an SSH client a packet (and a decryption) per line; the ``line_writes`` fault of
:class:`~app.simulator.faults.FaultPlan` brings exactly that back, to test readers with it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from app.simulator.faults import FaultPlan

ENTER = "\r"
CTRL_C = "\x03"
CTRL_Z = "\x1a"
_BACKSPACES = ("\x7f", "\x08")
_CTRL_U = "\x15"
# Characters buffered before they are sent without waiting for a pause: about what one SSH
# packet holds (asyncssh's default maximum packet is 32 KiB), so a long answer streams.
WRITE_PIECE = 16384


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

    def __init__(
        self,
        channel: Channel,
        *,
        idle_timeout: float | None = None,
        faults: FaultPlan | None = None,
    ) -> None:
        self.channel = channel
        self.idle_timeout = idle_timeout
        # Read at every write, so the line_writes fault can be switched at runtime.
        self.faults = faults
        self._unsent: list[str] = []
        self._unsent_size = 0
        self._pending = ""
        self._after_cr = False
        # The idle-timeout watchdog: one timer per idle period, not one per read. A timeout
        # around every read would leave a cancelled 10-minute timer behind each keystroke,
        # and loops such as qasync's keep cancelled timers until they would have fired.
        self._deadline = 0.0
        self._reader: asyncio.Task[object] | None = None
        self._watchdog: asyncio.Task[None] | None = None
        self._idled_out = False

    def close(self) -> None:
        """Send what is still buffered and stop the idle watchdog (the session is over)."""
        with contextlib.suppress(SessionClosedError, ConnectionError, OSError):
            self.flush()  # fails only when the client is already gone
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    async def _watch_idle(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            remaining = self._deadline - loop.time()
            if remaining <= 0 and self._reader is not None:
                self._idled_out = True
                self._reader.cancel()
                return
            # Not reading now (the CLI is busy): the next read sets a new deadline.
            await asyncio.sleep(remaining if remaining > 0 else self.idle_timeout or 1.0)

    async def _read_chunk(self) -> str:
        """The next chunk of input, or SessionClosedError after `idle_timeout` without any."""
        await self._send()  # whatever answers the input so far goes out before we wait
        if self.idle_timeout is None:
            return await self.channel.read()
        loop = asyncio.get_running_loop()
        self._deadline = loop.time() + self.idle_timeout
        if self._watchdog is None:
            self._watchdog = loop.create_task(self._watch_idle())
        self._reader = asyncio.current_task()
        try:
            return await self.channel.read()
        except asyncio.CancelledError:
            if not self._idled_out:
                raise
            if self._reader is not None:
                self._reader.uncancel()
            # VRP's `idle-timeout` (10 minutes by default): the VTY is simply closed.
            raise SessionClosedError("idle timeout") from None
        finally:
            self._reader = None

    def write(self, text: str) -> None:
        """Queue text to send; ``\\n`` becomes ``\\r\\n`` as on a real terminal line."""
        if not text:
            return
        text = text.replace("\n", "\r\n")
        self._unsent.append(text)
        self._unsent_size += len(text)
        if self._unsent_size >= WRITE_PIECE and not self._line_writes:
            self.flush()

    @property
    def _line_writes(self) -> bool:
        return self.faults is not None and self.faults.line_writes

    def _take_pieces(self) -> list[str]:
        """What was written, as the pieces to send: one, or a line (keystroke) each."""
        unsent, self._unsent, self._unsent_size = self._unsent, [], 0
        if not unsent:
            return []
        if self._line_writes:
            return [line for text in unsent for line in text.splitlines(keepends=True)]
        return ["".join(unsent)]

    def flush(self) -> None:
        """Send what has been written so far."""
        for piece in self._take_pieces():
            self.channel.write(piece)

    async def _send(self) -> None:
        """Send what has been written; with ``line_writes`` a line at a time, giving the
        event loop a turn after each so that every line leaves on its own."""
        if not self._line_writes:
            self.flush()
            return
        for piece in self._take_pieces():
            self.channel.write(piece)
            await self.channel.drain()
            await asyncio.sleep(0)

    async def drain(self) -> None:
        """Send what was written, then wait until the transport accepted it (flow control)."""
        await self._send()
        await self.channel.drain()

    async def _raw(self) -> str:
        while not self._pending:
            chunk = await self._read_chunk()
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
                self.flush()  # the echo leaves before the command runs, as on a router
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
