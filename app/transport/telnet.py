"""Open a VRP CLI session over telnet (telnetlib3): strictly opt-in, and loud about it.

Telnet carries the password and every command in cleartext, so the app only uses it for a
router whose profile says ``transport = "telnet"`` and logs a warning on every connect
(the UI shows the same). Behind the ``Username:`` / ``Password:`` dialogue it is the same
:class:`~app.transport.shell.VrpShell` as SSH.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket

import telnetlib3

from app.domain.errors import RouterError, RouterTimeout, RouterUnreachable
from app.domain.router import RouterProfile
from app.transport.shell import VrpShell

_log = logging.getLogger("ne8000monitor.transport.telnet")

CLEARTEXT_WARNING = (
    "telnet is cleartext: the password and every command cross the network unencrypted; "
    "use SSH wherever the router supports it"
)
# Telnet's end of line is CR LF (RFC 854); VRP accepts it as Enter.
TELNET_NEWLINE = "\r\n"
TERM_TYPE = "vt100"
TERM_COLUMNS = 511
TERM_ROWS = 1000
READ_SIZE = 65536
# How long to wait for option negotiation before talking anyway.
NEGOTIATION_MIN_WAIT = 0.05
NEGOTIATION_MAX_WAIT = 1.0


class _TelnetStream:
    """A telnetlib3 connection as the VrpShell's text stream."""

    def __init__(
        self, reader: telnetlib3.TelnetReaderUnicode, writer: telnetlib3.TelnetWriterUnicode
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._closed = False

    @property
    def is_alive(self) -> bool:
        return not (self._closed or self._writer.is_closing() or self._reader.at_eof())

    async def read(self) -> str:
        try:
            return await self._reader.read(READ_SIZE)
        except (ConnectionError, asyncio.IncompleteReadError, EOFError):
            return ""

    def write(self, text: str) -> None:
        if self._writer.is_closing():
            raise ConnectionError("telnet connection closed")
        self._writer.write(text)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(Exception):
            self._writer.close()


async def open_telnet_session(profile: RouterProfile, password: str) -> VrpShell:
    """Connect, answer the login dialogue and return a shell at the first prompt.

    Raises RouterUnreachable, RouterTimeout, AuthenticationFailed, VtyLinesFull or
    SessionLost, each with a message for the operator.
    """
    where = f"{profile.host}:{profile.port}"
    _log.warning("%s: connecting to %s over telnet: %s", profile.name, where, CLEARTEXT_WARNING)
    stream: _TelnetStream | None = None
    try:
        async with asyncio.timeout(profile.connect_timeout):
            reader, writer = await telnetlib3.open_connection(
                profile.host,
                profile.port,
                encoding="utf8",
                encoding_errors="replace",
                term=TERM_TYPE,
                cols=TERM_COLUMNS,
                rows=TERM_ROWS,
                connect_minwait=NEGOTIATION_MIN_WAIT,
                connect_maxwait=NEGOTIATION_MAX_WAIT,
            )
            stream = _TelnetStream(reader, writer)  # type: ignore[arg-type]
            shell = VrpShell(
                stream,
                router=profile.name,
                secrets=(password,),
                newline=TELNET_NEWLINE,
                command_timeout=profile.command_timeout,
            )
            await shell.start(
                timeout=profile.connect_timeout, username=profile.username, password=password
            )
    except BaseException as error:
        # Whatever went wrong (cancellation included), no half-open connection is left.
        if stream is not None:
            await stream.close()
        if isinstance(error, RouterError) or not isinstance(error, Exception):
            raise
        if isinstance(error, TimeoutError):
            raise RouterTimeout(
                f"no answer from {where} within {profile.connect_timeout:g} s (connect timeout)",
                router=profile.name,
            ) from None
        if isinstance(error, OSError):
            raise _connect_error(error, profile) from None
        raise
    _log.info("%s: telnet session open to %s (cleartext)", profile.name, where)
    return shell


def _connect_error(error: OSError, profile: RouterProfile) -> RouterUnreachable:
    where = f"{profile.host}:{profile.port}"
    if isinstance(error, socket.gaierror):
        return RouterUnreachable(
            f"cannot resolve the router address {profile.host!r}: {error.strerror}",
            router=profile.name,
        )
    if isinstance(error, ConnectionRefusedError):
        return RouterUnreachable(
            f"connection to {where} refused: telnet is not listening there (wrong port, or "
            "telnet disabled on the router)",
            router=profile.name,
        )
    if error.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return RouterUnreachable(f"no route to {where}: {error.strerror}", router=profile.name)
    return RouterUnreachable(
        f"cannot connect to {where}: {error.strerror or error}", router=profile.name
    )
