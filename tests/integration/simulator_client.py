"""A small asyncssh client for talking to the simulator the way an operator's terminal does."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

import asyncssh

from app.simulator.server import SimulatorHandle

PROMPT = re.compile(r"(?:<[^<>\r\n]+>|\[[~*][^\[\]\r\n]+\])$")
ANY_PROMPT_LINE = re.compile(r"(?:<[^<>\r\n]+>|\[[~*][^\[\]\r\n]+\])")


@dataclass
class Shell:
    """An interactive PTY shell on the simulator."""

    connection: asyncssh.SSHClientConnection
    process: asyncssh.SSHClientProcess[str]
    seen: list[str] = field(default_factory=list)

    async def read_until(self, pattern: str | re.Pattern[str], timeout: float = 15.0) -> str:
        """Everything read until `pattern` matches the text so far."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        text = ""

        async def _read() -> str:
            nonlocal text
            while not regex.search(text):
                chunk = await self.process.stdout.read(65536)
                if not chunk:
                    raise EOFError(f"connection closed; got {text[-300:]!r}")
                text += chunk
            return text

        try:
            return await asyncio.wait_for(_read(), timeout)
        finally:
            self.seen.append(text)

    async def read_to_eof(self, timeout: float = 15.0) -> str:
        """Everything until the server closes the channel."""
        text = ""

        async def _read() -> str:
            nonlocal text
            while True:
                try:
                    chunk = await self.process.stdout.read(65536)
                except (asyncssh.ConnectionLost, asyncssh.DisconnectError, ConnectionError):
                    return text
                if not chunk:
                    return text
                text += chunk

        return await asyncio.wait_for(_read(), timeout)

    async def command(self, line: str, timeout: float = 15.0) -> str:
        """Send a line; the output between the echo and the next prompt."""
        self.process.stdin.write(line + "\r")
        text = await self.read_until(PROMPT, timeout)
        body = text.split("\r\n", 1)[1] if "\r\n" in text else ""
        return PROMPT.sub("", body)

    def close(self) -> None:
        self.connection.close()


async def open_shell(
    handle: SimulatorHandle,
    *,
    username: str | None = None,
    password: str | None = None,
    wait_prompt: bool = True,
    known_hosts: object = None,
) -> Shell:
    """Log in with a PTY like an operator; by default wait for the first prompt."""
    connection = await asyncssh.connect(
        handle.host,
        handle.port,
        username=username or handle.username,
        password=password if password is not None else handle.password,
        known_hosts=known_hosts,
        client_keys=None,
        preferred_auth="password",
    )
    process = await connection.create_process(term_type="vt100", term_size=(200, 24))
    shell = Shell(connection, process)
    if wait_prompt:
        await shell.read_until(PROMPT)
    return shell
