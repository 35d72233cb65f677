"""`ne8000monitor simulate` as a user runs it: help, startup message, a login, Ctrl+C."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import asyncssh
import pytest

from tests.support.fixtures import REPO_ROOT


def test_help_documents_the_defaults_without_loading_asyncssh() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "simulate", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr
    for default in ("127.0.0.1", "2222", "admin", "Admin@123", "NE8000", "25000", "48"):
        assert default in result.stdout
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from app.__main__ import build_parser; build_parser(); "
            "print('asyncssh' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPO_ROOT,
    )
    assert probe.stdout.strip() == "False", probe.stderr


async def _read_line(stream: asyncio.StreamReader) -> str:
    return (await asyncio.wait_for(stream.readline(), 30)).decode()


@pytest.mark.slow
async def test_simulate_prints_where_it_listens_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path,
) -> None:
    key_file = tmp_path / "key"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", "simulate", "--port", "0", "--users", "300",
        "--interfaces", "8", "--seed", "5", "--hostname", "BRAS-LAB-1", "--host-key", str(key_file),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=REPO_ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stderr is not None
    try:
        header = [await _read_line(process.stdout) for _ in range(4)]
        listening = re.search(
            r"SSH listening on 127\.0\.0\.1:(\d+)\s+\(host key (SHA256:\S+),", header[1]
        )
        assert listening, header
        assert "Login: username admin, password Admin@123" in header[2]
        assert header[3].strip() == "Press Ctrl+C to stop."
        port = int(listening.group(1))
        connection = await asyncssh.connect(
            "127.0.0.1", port, username="admin", password="Admin@123",
            known_hosts=None, client_keys=None,
        )  # fmt: skip
        session = await connection.create_process(term_type="vt100")
        text = ""
        while "<BRAS-LAB-1>" not in text:
            text += await asyncio.wait_for(session.stdout.read(4096), 15)
        assert key_file.is_file()
        assert asyncssh.read_private_key(str(key_file)).get_fingerprint() == listening.group(2)
    finally:
        # Ctrl+C while an operator is still logged in: the session is dropped, no traceback.
        process.send_signal(signal.SIGINT)
        rest, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert await asyncio.wait_for(session.stdout.read(), 15) == ""
    connection.close()
    assert process.returncode == 0
    assert "Traceback" not in stderr.decode()
    assert "Simulator stopped." in rest.decode()


def test_busy_port_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "app", "simulate", "--port", str(port), "--users", "50",
             "--interfaces", "4", "--host-key", str(tmp_path / "key")],
            capture_output=True, text=True, timeout=60, check=False, cwd=REPO_ROOT,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("ne8000monitor simulate: cannot start: ")
    assert "in use" in result.stderr
    assert "Traceback" not in result.stderr
