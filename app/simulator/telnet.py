"""Optional telnet access to the simulator (telnetlib3), with VRP's telnet login dialogue.

Some NOCs still reach old boxes over telnet, so the monitor supports it as an opt-in; the
simulator offers the same CLI behind ``Username:`` / ``Password:`` prompts, as VRP does.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

import telnetlib3

from app.simulator.terminal import SessionClosedError, Terminal

if TYPE_CHECKING:
    from app.simulator.server import Simulator

LOGIN_HEADER = "\nLogin authentication\n\n\n"
AUTH_FAILED = "Error: Local authentication is rejected."
MAX_LOGIN_TRIES = 3


class _TelnetChannel:
    """A telnetlib3 connection as a terminal channel."""

    def __init__(
        self, reader: telnetlib3.TelnetReaderUnicode, writer: telnetlib3.TelnetWriterUnicode
    ) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self) -> str:
        try:
            return await self._reader.read(4096)
        except (ConnectionError, asyncio.IncompleteReadError):
            return ""

    def write(self, text: str) -> None:
        if self._writer.is_closing():
            raise SessionClosedError("connection lost")
        self._writer.write(text)

    async def drain(self) -> None:
        try:
            await self._writer.drain()
        except ConnectionError as error:
            raise SessionClosedError("connection lost") from error

    def abort(self) -> None:
        transport = self._writer.transport
        if transport is not None:
            transport.abort()  # type: ignore[attr-defined]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._writer.close()


async def _login(simulator: Simulator, terminal: Terminal) -> str | None:
    """VRP's telnet login; the username on success, None after three failures."""
    terminal.write(LOGIN_HEADER)
    for _ in range(MAX_LOGIN_TRIES):
        terminal.write("Username:")
        await terminal.drain()
        username = await terminal.read_line()
        terminal.write("Password:")
        await terminal.drain()
        password = await terminal.read_line(echo=False)
        if (
            username is not None
            and password is not None
            and simulator.check_login(username.strip(), password)
        ):
            return username.strip()
        terminal.write(AUTH_FAILED + "\n\n")
    return None


async def start_telnet_server(
    simulator: Simulator, host: str, port: int
) -> tuple[telnetlib3.Server, int]:
    """Listen for telnet on host:port (0 = a free port); returns the server and its port."""

    async def shell(
        reader: telnetlib3.TelnetReaderUnicode, writer: telnetlib3.TelnetWriterUnicode
    ) -> None:
        channel = _TelnetChannel(reader, writer)
        terminal = Terminal(channel, faults=simulator.faults)
        peer = writer.get_extra_info("peername") or ("", 0)
        try:
            username = await _login(simulator, terminal)
            if username is not None:
                await simulator.serve(
                    terminal, username=username, peer=str(peer[0]), transport="TELNET"
                )
            else:
                await terminal.drain()
        except (SessionClosedError, ConnectionError):
            pass
        finally:
            channel.close()

    server = await telnetlib3.create_server(
        host=host,
        port=port,
        shell=shell,
        encoding="utf8",
        encoding_errors="replace",
        connect_maxwait=0.5,
        timeout=600,
    )
    sockets = server.sockets or ()
    return server, int(sockets[0].getsockname()[1])


async def stop_telnet_server(server: object) -> None:
    """Close the listener and every telnet session."""
    if isinstance(server, telnetlib3.Server):
        server.close()
        await server.wait_closed()
