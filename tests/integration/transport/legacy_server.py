"""A test-only SSH server that speaks nothing but old algorithms, in front of the simulator CLI.

The simulator's own listener uses asyncssh defaults; old VRP5 boxes only offer SHA-1 DH
groups, CBC ciphers and MD5 MACs. This server restricts asyncssh to such a set and serves
the simulator's real VTY (banner, prompts, commands) behind it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import asyncssh

from app.simulator.device import DeviceState
from app.simulator.faults import FaultPlan
from app.simulator.server import Simulator
from app.simulator.terminal import Terminal

USERNAME = "admin"
PASSWORD = "Legacy@123"
HOSTNAME = "OLD-VRP5.box"


class _ProcessChannel:
    """An asyncssh server process as the simulator terminal's channel."""

    def __init__(self, process: asyncssh.SSHServerProcess[str]) -> None:
        self._process = process

    async def read(self) -> str:
        try:
            return await self._process.stdin.read(4096)
        except (asyncssh.Error, ConnectionError, asyncssh.TerminalSizeChanged):
            return ""

    def write(self, text: str) -> None:
        self._process.stdout.write(text)

    async def drain(self) -> None:
        await self._process.stdout.drain()

    def abort(self) -> None:
        self._process.close()

    def close(self) -> None:
        self._process.exit(0)


class _PasswordServer(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return (username, password) == (USERNAME, PASSWORD)


@dataclass
class LegacyServer:
    host: str
    port: int


@contextlib.asynccontextmanager
async def legacy_ssh_server(
    *,
    kex_algs: Sequence[str] = ("diffie-hellman-group1-sha1",),
    encryption_algs: Sequence[str] = ("aes128-cbc", "3des-cbc"),
    mac_algs: Sequence[str] = ("hmac-md5",),
    host_key_algorithm: str = "ssh-rsa",
) -> AsyncIterator[LegacyServer]:
    """Listen on a free loopback port with only the given algorithms enabled."""
    simulator = Simulator(
        state=DeviceState(hostname=HOSTNAME, subscribers=20, interfaces=4, seed=5),
        faults=FaultPlan(),
        username=USERNAME,
        password=PASSWORD,
    )

    async def serve(process: asyncssh.SSHServerProcess[str]) -> None:
        channel = _ProcessChannel(process)
        try:
            await simulator.serve(
                Terminal(channel), username=USERNAME, peer="127.0.0.1", transport="SSH"
            )
        finally:
            with contextlib.suppress(Exception):
                process.exit(0)

    acceptor = await asyncssh.create_server(
        _PasswordServer,
        "127.0.0.1",
        0,
        server_host_keys=[asyncssh.generate_private_key(host_key_algorithm)],
        kex_algs=list(kex_algs),
        encryption_algs=list(encryption_algs),
        mac_algs=list(mac_algs),
        process_factory=serve,
        encoding="utf-8",
        line_editor=False,
    )
    try:
        yield LegacyServer("127.0.0.1", int(acceptor.sockets[0].getsockname()[1]))
    finally:
        acceptor.close()
        await acceptor.wait_closed()
