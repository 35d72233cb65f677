"""Realism check: the plain OpenSSH client, on a real PTY, works interactively with the simulator.

The password is typed into the PTY exactly as a person would (no sshpass). Without an `ssh`
binary the test skips, unless NE8000_REQUIRE_ALL=1 (CI), where a missing client is a failure.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import termios
from pathlib import Path

import pytest

from app.simulator.paging import MORE
from app.simulator.server import SimulatorHandle
from tests.support.required import missing_tool


def _ssh_binary() -> str:
    path = shutil.which("ssh")
    if path is None:
        missing_tool("OpenSSH client `ssh` is not installed (apt-get install openssh-client)")
    return path


def _take_terminal() -> None:
    """In the child: make the PTY the controlling terminal so ssh asks for the password on it."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtySession:
    """A program on a pseudo-terminal, driven with expect-style reads."""

    def __init__(self, argv: list[str]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
        # preexec_fn is needed: the PTY must become the child's controlling terminal.
        self.process = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            preexec_fn=_take_terminal,  # noqa: PLW1509
        )
        os.close(slave)
        self.fd = master
        self.pending = ""
        self.transcript = ""

    def expect(self, pattern: str, timeout: float = 20.0) -> str:
        """Read until `pattern` matches; return the text up to the end of the match."""
        regex = re.compile(pattern, re.DOTALL)
        waited = 0.0
        while not regex.search(self.pending):
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            waited += 0.1
            if waited > timeout:
                raise AssertionError(f"no {pattern!r} in {self.pending[-500:]!r}")
            if ready:
                try:
                    data = os.read(self.fd, 65536).decode("utf-8", "replace")
                except OSError:  # EIO: the program ended and the PTY closed
                    data = ""
                if not data:
                    raise AssertionError(f"EOF before {pattern!r}; got {self.pending[-500:]!r}")
                self.pending += data
                self.transcript += data
        found = regex.search(self.pending)
        assert found is not None
        taken, self.pending = self.pending[: found.end()], self.pending[found.end() :]
        return taken

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def wait(self, timeout: float = 20.0) -> int:
        return self.process.wait(timeout=timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        os.close(self.fd)


@pytest.mark.slow
async def test_openssh_client_interactive_session(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    ssh = _ssh_binary()
    known_hosts = tmp_path / "known_hosts"
    argv = [
        ssh, "-F", "/dev/null", "-tt", "-p", str(simulator.port),
        "-o", f"UserKnownHostsFile={known_hosts}",
        "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "StrictHostKeyChecking=accept-new",
        "-o", "PubkeyAuthentication=no",
        "-o", "PreferredAuthentications=password,keyboard-interactive",
        "-o", "ConnectTimeout=15",
        f"{simulator.username}@{simulator.host}",
    ]  # fmt: skip

    def drive() -> tuple[str, int]:
        session = PtySession(argv)
        try:
            session.expect(r"[Pp]assword:\s*$")
            session.send(simulator.password + "\r")
            banner = session.expect(r"<NE8000>$")
            assert "Info: The max number of VTY users is 5" in banner
            session.send("dis ver | no-more\r")
            version = session.expect(r"VRP \(R\) software.*<NE8000>$")
            assert "Error" not in version
            session.send("display interface\r")
            session.expect(re.escape(MORE) + "$")
            session.send(" ")
            session.expect(re.escape(MORE) + "$")
            session.send("q")
            session.expect(r"<NE8000>$")
            session.send("system-view\r")
            session.expect(
                r"Enter system view, return user view with return command\.\r\n\[~NE8000\]$"
            )
            session.send("interface GigabitEthernet0/5/0\r")
            session.expect(r"\[~NE8000-GigabitEthernet0/5/0\]$")
            session.send("shutdown\r")
            session.expect(r"\[\*NE8000-GigabitEthernet0/5/0\]$")
            session.send("return\r")
            session.expect(re.escape("[Y(yes)/N(no)/C(cancel)]:") + "$")
            session.send("n\r")
            session.expect(r"<NE8000>$")
            session.send("quit\r")
            return session.transcript, session.wait()
        finally:
            session.close()

    transcript, status = await asyncio.to_thread(drive)
    assert status == 0, transcript[-500:]
    assert not simulator.state.is_admin_down("GigabitEthernet0/5/0")
    stored = known_hosts.read_text()
    assert stored.startswith(f"[{simulator.host}]:{simulator.port} ssh-ed25519 ")
