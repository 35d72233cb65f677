"""Telnet (opt-in, cleartext) against the simulator's telnet listener: same shell behaviour."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from app.domain.errors import (
    AuthenticationFailed,
    CommandRejected,
    RouterUnreachable,
    VtyLinesFull,
)
from app.domain.router import PromptKind, RouterProfile, TransportKind
from app.simulator.server import SimulatorHandle, start_simulator
from app.transport.telnet import open_telnet_session
from app.vrp.catalog import parse_output
from tests.integration.transport.conftest import SMALL

ProfileFactory = Callable[..., RouterProfile]


async def test_telnet_session_logs_in_runs_commands_and_warns_cleartext(
    telnet_simulator: SimulatorHandle,
    profile_for: ProfileFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    profile = profile_for(telnet_simulator, transport=TransportKind.TELNET)
    session = await open_telnet_session(profile, telnet_simulator.password)
    try:
        assert session.hostname == "NE8000"
        assert "The max number of VTY users is 5" in session.banner
        version = await session.run("display version")
        assert (version.prompt, version.prompt_kind) == ("<NE8000>", PromptKind.USER)
        assert parse_output("display version", version.output).vrp_version.startswith("8.")
        brief = await session.run("display interface brief")
        names = {i.name for i in parse_output("display interface brief", brief.output).interfaces}
        assert names == set(telnet_simulator.state.interface_names())
        with pytest.raises(CommandRejected, match="Unrecognized command"):
            await session.run("display foo")
        assert (await session.run("system-view")).prompt == "[~NE8000]"
    finally:
        await session.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("telnet is cleartext" in r.getMessage() for r in warnings)
    assert telnet_simulator.password not in caplog.text


async def test_telnet_wrong_password_is_authentication_failed_without_retry(
    telnet_simulator: SimulatorHandle, profile_for: ProfileFactory
) -> None:
    profile = profile_for(telnet_simulator, transport=TransportKind.TELNET)
    with pytest.raises(AuthenticationFailed, match="locks accounts"):
        await open_telnet_session(profile, "wrong-password")
    assert telnet_simulator.vty_online == 0


async def test_telnet_vty_lines_full(profile_for: ProfileFactory) -> None:
    async with await start_simulator(port=0, telnet_port=0, max_vty=1, **SMALL) as handle:
        profile = profile_for(handle, transport=TransportKind.TELNET)
        first = await open_telnet_session(profile, handle.password)
        try:
            with pytest.raises(VtyLinesFull):
                await open_telnet_session(profile, handle.password)
        finally:
            await first.close()


async def test_telnet_to_a_closed_port_is_unreachable() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    profile = RouterProfile(
        name="t", host="127.0.0.1", port=port, transport=TransportKind.TELNET, connect_timeout=5
    )
    with pytest.raises(RouterUnreachable, match="telnet is not listening"):
        await open_telnet_session(profile, "pw")
