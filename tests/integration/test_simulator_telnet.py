"""The optional telnet listener: VRP's Username/Password dialogue, then the same CLI."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
import telnetlib3

from app.simulator.server import SimulatorHandle, start_simulator
from app.simulator.telnet import AUTH_FAILED


@pytest.fixture
async def telnet_simulator() -> AsyncIterator[SimulatorHandle]:
    handle = await start_simulator(port=0, telnet_port=0, users=300, interfaces=8, seed=4)
    try:
        yield handle
    finally:
        await handle.close()


async def _read_until(reader: telnetlib3.TelnetReaderUnicode, pattern: str) -> str:
    regex = re.compile(pattern)
    text = ""

    async def _read() -> str:
        nonlocal text
        while not regex.search(text):
            chunk = await reader.read(4096)
            if not chunk:
                raise EOFError(f"closed; got {text[-300:]!r}")
            text += chunk
        return text

    return await asyncio.wait_for(_read(), 15)


async def _connect(handle: SimulatorHandle):
    assert handle.telnet_port is not None
    return await telnetlib3.open_connection(
        handle.host, handle.telnet_port, encoding="utf8", connect_minwait=0.05, connect_maxwait=1.0
    )


async def test_telnet_login_and_commands(telnet_simulator: SimulatorHandle) -> None:
    reader, writer = await _connect(telnet_simulator)
    try:
        assert "Login authentication" in await _read_until(reader, r"Username:$")
        writer.write("admin\r\n")
        await _read_until(reader, r"Password:$")
        writer.write("Admin@123\r\n")
        banner = await _read_until(reader, r"<NE8000>$")
        assert "Admin@123" not in banner
        assert "The max number of VTY users is 5" in banner
        writer.write("dis ver | no-more\r\n")
        version = await _read_until(reader, r"<NE8000>$")
        assert "VRP (R) software, Version 8." in version
        writer.write("display foo\r\n")
        error = await _read_until(reader, r"<NE8000>$")
        assert "Error: Unrecognized command found at '^' position." in error
        assert telnet_simulator.vty_online == 1
    finally:
        writer.close()


async def test_telnet_wrong_password_is_rejected(telnet_simulator: SimulatorHandle) -> None:
    reader, writer = await _connect(telnet_simulator)
    try:
        await _read_until(reader, r"Username:$")
        writer.write("admin\r\n")
        await _read_until(reader, r"Password:$")
        writer.write("nope\r\n")
        rejected = await _read_until(reader, r"Username:$")
        assert AUTH_FAILED in rejected
        assert telnet_simulator.vty_online == 0
    finally:
        writer.close()


@pytest.mark.slow
async def test_netmiko_huawei_telnet_driver_logs_in(telnet_simulator: SimulatorHandle) -> None:
    from netmiko import ConnectHandler

    def session() -> tuple[str, str]:
        connection = ConnectHandler(
            device_type="huawei_telnet",
            host=telnet_simulator.host,
            port=telnet_simulator.telnet_port,
            username=telnet_simulator.username,
            password=telnet_simulator.password,
            conn_timeout=15,
        )
        try:
            return connection.find_prompt(), connection.send_command("display interface brief")
        finally:
            connection.disconnect()

    prompt, brief = await asyncio.to_thread(session)
    assert prompt == "<NE8000>"
    assert re.search(r"(?m)^Interface\s+PHY\s+Protocol\s+InUti\s+OutUti", brief)
    assert "LoopBack0" in brief
