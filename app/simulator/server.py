"""The simulated NE8000 on the network: SSH (and optionally telnet) listeners around one device.

:func:`start_simulator` builds a :class:`~app.simulator.device.DeviceState`, opens the
listeners and returns a :class:`SimulatorHandle` that tests and the ``simulate`` command use
to reach the state, switch faults and stop or restart the box. Every login takes one of the
router's VTY lines (5 by default, as on VRP); when all are in use the router prints
``All user interfaces are used, please try later!`` and closes the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import asyncssh

from app.simulator import defaults
from app.simulator.cli import CliSession, LoginInfo, login_banner
from app.simulator.device import DeviceState
from app.simulator.faults import FaultPlan
from app.simulator.hostkey import fingerprint, load_host_key
from app.simulator.telnet import start_telnet_server, stop_telnet_server
from app.simulator.terminal import SessionClosedError, Terminal

# What VRP's SSH server announces; clients sometimes switch behaviour on it.
SERVER_VERSION = "HUAWEI-1.5"
VTY_FULL_MESSAGE = "All user interfaces are used, please try later!"
PASSWORD_WARNING = "Warning: The initial password poses security risks."
PASSWORD_CHANGE_QUESTION = "The password needs to be changed. Change now? [Y/N]:"
# Seconds to wait for a peer to finish closing before giving up on it.
CLOSE_TIMEOUT = 5.0


class VtyPool:
    """The router's VTY lines: a login takes the lowest free one."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._used: set[int] = set()

    @property
    def online(self) -> int:
        """Lines in use."""
        return len(self._used)

    def acquire(self) -> int | None:
        """A free line number, or None when all are in use."""
        for index in range(self.limit):
            if index not in self._used:
                self._used.add(index)
                return index
        return None

    def release(self, index: int) -> None:
        self._used.discard(index)


@dataclass
class Simulator:
    """Everything the listeners share: device, faults, credentials, VTY lines."""

    state: DeviceState
    faults: FaultPlan
    username: str
    password: str
    max_vty: int = defaults.MAX_VTY
    idle_timeout: float | None = defaults.IDLE_TIMEOUT_MINUTES * 60
    clock: Callable[[], float] = time.time
    rng: random.Random = field(default_factory=random.Random)
    vty: VtyPool = field(init=False)
    last_logins: dict[str, tuple[datetime, str, str]] = field(default_factory=dict)
    # What the box saw, for tests and benchmarks that count who reached it: sessions that
    # got a VTY line since the start, logins refused for lack of one, the most at once.
    logins: int = 0
    refused_vty: int = 0
    peak_vty: int = 0

    def __post_init__(self) -> None:
        self.vty = VtyPool(self.max_vty)

    def check_login(self, username: str, password: str) -> bool:
        """True for the configured credentials, unless the refuse-auth fault is on."""
        if self.faults.refuse_auth:
            return False
        return username == self.username and password == self.password

    async def serve(
        self,
        terminal: Terminal,
        *,
        username: str,
        peer: str,
        transport: str,
        command: str | None = None,
    ) -> None:
        """Run one logged-in session on `terminal` until it ends; frees its VTY line."""
        terminal.idle_timeout = self.idle_timeout
        terminal.faults = self.faults
        line = self.vty.acquire()
        if line is None:
            self.refused_vty += 1
            with contextlib.suppress(SessionClosedError):
                terminal.write(VTY_FULL_MESSAGE + "\n")
                await terminal.drain()
            return
        self.logins += 1
        self.peak_vty = max(self.peak_vty, self.vty.online)
        try:
            session = CliSession(self.state, terminal, self.faults, clock=self.clock, rng=self.rng)
            if command is not None:
                await session.run_exec(command)
                return
            if self.faults.ask_password_change:
                await _ask_password_change(terminal)
            now = self.state.local(self.clock())
            info = LoginInfo(self.max_vty, self.vty.online, now, self.last_logins.get(username))
            self.last_logins[username] = (now, peer, transport)
            await session.run(login_banner(info))
        except (SessionClosedError, ConnectionError, asyncssh.Error):
            pass
        finally:
            terminal.close()
            self.vty.release(line)


async def _ask_password_change(terminal: Terminal) -> None:
    """VRP's first-login question; only N goes on (the simulator cannot change passwords)."""
    terminal.write(PASSWORD_WARNING + "\n")
    while True:
        terminal.write(PASSWORD_CHANGE_QUESTION)
        await terminal.drain()
        answer = await terminal.read_line()
        if answer is not None and answer.strip().lower() in ("n", "no"):
            return


class _SSHChannel:
    """An asyncssh server process as a terminal channel."""

    def __init__(self, process: asyncssh.SSHServerProcess[str]) -> None:
        self._process = process

    async def read(self) -> str:
        while True:
            try:
                return await self._process.stdin.read(4096)
            except (asyncssh.TerminalSizeChanged, asyncssh.BreakReceived, asyncssh.SignalReceived):
                continue
            except (ConnectionError, asyncssh.Error):
                return ""

    def write(self, text: str) -> None:
        try:
            self._process.stdout.write(text)
        except (BrokenPipeError, ConnectionError, asyncssh.Error) as error:
            raise SessionClosedError("connection lost") from error

    async def drain(self) -> None:
        try:
            await self._process.stdout.drain()
        except (BrokenPipeError, ConnectionError, asyncssh.Error) as error:
            raise SessionClosedError("connection lost") from error

    def abort(self) -> None:
        connection = self._process.get_extra_info("connection")
        if connection is not None:
            connection.abort()

    def close(self) -> None:
        with contextlib.suppress(OSError, asyncssh.Error):
            self._process.exit(0)

    async def hang_up(self) -> None:
        """End the session the way VRP does: once the output is out, the connection goes."""
        self.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._process.wait_closed(), CLOSE_TIMEOUT)
        connection = self._process.get_extra_info("connection")
        if connection is not None:
            connection.close()


class _SSHServer(asyncssh.SSHServer):
    """Password authentication against the simulator's single local user."""

    def __init__(self, listener: _SSHListener) -> None:
        self._listener = listener
        self._connection: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._connection = conn
        self._listener.connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._connection is not None:
            self._listener.connections.discard(self._connection)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return self._listener.simulator.check_login(username, password)


class _SSHListener:
    """One SSH listening socket and the connections it accepted."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self._acceptor: asyncssh.SSHAcceptor | None = None

    async def start(self, host: str, port: int, key: asyncssh.SSHKey) -> int:
        self._acceptor = await asyncssh.create_server(
            lambda: _SSHServer(self),
            host,
            port,
            server_host_keys=[key],
            process_factory=self._handle,
            line_editor=False,
            encoding="utf-8",
            errors="replace",
            server_version=SERVER_VERSION,
            reuse_address=True,
        )
        return int(self._acceptor.sockets[0].getsockname()[1])

    async def _handle(self, process: asyncssh.SSHServerProcess[str]) -> None:
        channel = _SSHChannel(process)
        peer = process.get_extra_info("peername") or ("", 0)
        username = process.get_extra_info("username") or ""
        try:
            await self.simulator.serve(
                Terminal(channel),
                username=username,
                peer=str(peer[0]),
                transport="SSH",
                command=process.command,
            )
        finally:
            await channel.hang_up()

    async def close(self) -> None:
        """Stop listening, then drop every connection (Server.wait_closed waits for them)."""
        acceptor, self._acceptor = self._acceptor, None
        if acceptor is not None:
            acceptor.close()
        for connection in list(self.connections):
            connection.close()
        for connection in list(self.connections):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.wait_closed(), CLOSE_TIMEOUT)
        self.connections.clear()
        if acceptor is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(acceptor.wait_closed(), CLOSE_TIMEOUT)


@dataclass
class SimulatorHandle:
    """A running simulator: where it listens, its state and faults, and how to stop it."""

    host: str
    port: int
    state: DeviceState
    faults: FaultPlan
    username: str
    password: str
    host_key_fingerprint: str
    telnet_port: int | None
    _simulator: Simulator = field(repr=False)
    _ssh: _SSHListener = field(repr=False)
    _telnet: object | None = field(repr=False)
    _host_key_path: Path | None = field(repr=False)

    @property
    def vty_online(self) -> int:
        """Logged-in sessions right now."""
        return self._simulator.vty.online

    @property
    def logins(self) -> int:
        """Sessions that got a VTY line since the simulator started (SSH and telnet)."""
        return self._simulator.logins

    @property
    def peak_vty(self) -> int:
        """The most VTY lines in use at once since the start."""
        return self._simulator.peak_vty

    @property
    def refused_vty(self) -> int:
        """Logins turned away because every VTY line was in use."""
        return self._simulator.refused_vty

    async def close(self) -> None:
        """Stop listening and drop every session (a powered-off router)."""
        await self._ssh.close()
        if self._telnet is not None:
            await stop_telnet_server(self._telnet)
            self._telnet = None

    async def restart(self) -> None:
        """Reboot: sessions drop, the same ports listen again, the device state survives.

        The host key is reloaded from its file, or regenerated when the host-key-change
        fault is set (or when the key was never stored).
        """
        await self.close()
        key = load_host_key(self._host_key_path, regenerate=self.faults.change_host_key)
        self.host_key_fingerprint = fingerprint(key)
        self._ssh = _SSHListener(self._simulator)
        await self._ssh.start(self.host, self.port, key)
        if self.telnet_port is not None:
            self._telnet, _ = await start_telnet_server(
                self._simulator, self.host, self.telnet_port
            )

    async def __aenter__(self) -> SimulatorHandle:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


async def start_simulator(
    *,
    host: str = defaults.HOST,
    port: int = 0,
    hostname: str = defaults.HOSTNAME,
    users: int = defaults.SUBSCRIBERS,
    interfaces: int = defaults.INTERFACES,
    seed: int | None = None,
    username: str = defaults.USERNAME,
    password: str = defaults.PASSWORD,
    latency_ms: float = 0.0,
    faults: FaultPlan | None = None,
    host_key_path: Path | None = None,
    telnet_port: int | None = None,
    max_vty: int = defaults.MAX_VTY,
    idle_timeout: float | None = defaults.IDLE_TIMEOUT_MINUTES * 60,
    clock: Callable[[], float] = time.time,
    state: DeviceState | None = None,
) -> SimulatorHandle:
    """Start a simulated NE8000 and return its handle (port 0 picks a free port).

    `host_key_path` None means an ephemeral host key (tests); a path is loaded or created.
    `latency_ms` seeds ``faults.latency_ms`` when no FaultPlan is given. `idle_timeout`
    (seconds, None = never) closes a VTY nobody types on, like VRP's ``idle-timeout``.
    """
    plan = faults if faults is not None else FaultPlan(latency_ms=latency_ms)
    device = state or DeviceState(
        hostname=hostname, subscribers=users, interfaces=interfaces, seed=seed, clock=clock
    )
    simulator = Simulator(
        state=device,
        faults=plan,
        username=username,
        password=password,
        max_vty=max_vty,
        idle_timeout=idle_timeout,
        clock=clock,
        rng=random.Random(seed),
    )
    key = load_host_key(host_key_path, regenerate=plan.change_host_key)
    ssh = _SSHListener(simulator)
    bound_port = await ssh.start(host, port, key)
    telnet_server: object | None = None
    bound_telnet: int | None = None
    if telnet_port is not None:
        try:
            telnet_server, bound_telnet = await start_telnet_server(simulator, host, telnet_port)
        except BaseException:
            await ssh.close()
            raise
    return SimulatorHandle(
        host=host,
        port=bound_port,
        state=device,
        faults=plan,
        username=username,
        password=password,
        host_key_fingerprint=fingerprint(key),
        telnet_port=bound_telnet,
        _simulator=simulator,
        _ssh=ssh,
        _telnet=telnet_server,
        _host_key_path=host_key_path,
    )


async def wait_forever() -> None:
    """Park the caller until cancelled (Ctrl+C in `simulate`)."""
    await asyncio.Event().wait()
