"""VRP sessions over real loopback SSH against the simulator: the happy path and its faults."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest

from app.domain.errors import CommandRejected, RouterTimeout, SessionLost
from app.domain.router import PromptKind, RouterProfile
from app.simulator.server import SimulatorHandle
from app.transport.hostkeys import HostKeyStore
from app.transport.ssh import open_ssh_session
from app.vrp.catalog import parse_output

ProfileFactory = Callable[..., RouterProfile]


async def test_login_banner_commands_and_views(
    simulator: SimulatorHandle, profile_for: ProfileFactory, host_keys: HostKeyStore
) -> None:
    session = await open_ssh_session(profile_for(simulator), simulator.password, host_keys)
    try:
        assert session.is_open
        assert session.hostname == "NE8000"
        assert "The max number of VTY users is 5" in session.banner
        version = await session.run("display version")
        assert (version.prompt, version.prompt_kind) == ("<NE8000>", PromptKind.USER)
        assert version.output.startswith("Huawei Versatile Routing Platform Software")
        assert "<NE8000>" not in version.output
        assert "display version" not in version.output
        parsed = parse_output("display version", version.output)
        assert parsed.vrp_version.startswith("8.")
        system = await session.run("system-view")
        assert (system.prompt, system.prompt_kind) == ("[~NE8000]", PromptKind.SYSTEM)
        name = simulator.state.interface_names()[0]
        view = await session.run(f"interface {name}")
        assert view.prompt == f"[~NE8000-{name}]"
        staged = await session.run("shutdown")
        assert (staged.prompt, staged.prompt_kind) == (f"[*NE8000-{name}]", PromptKind.PENDING)
        asked = await session.run("return")
        assert asked.prompt_kind is PromptKind.QUESTION
        assert asked.prompt.endswith("[Y(yes)/N(no)/C(cancel)]:")
        back = await session.run("N")
        assert (back.prompt, back.prompt_kind) == ("<NE8000>", PromptKind.USER)
        assert not simulator.state.is_admin_down(name)
    finally:
        await session.close()
    assert not session.is_open


async def test_rejected_command_carries_the_router_message_and_session_stays(
    simulator: SimulatorHandle, profile_for: ProfileFactory, host_keys: HostKeyStore
) -> None:
    session = await open_ssh_session(profile_for(simulator), simulator.password, host_keys)
    try:
        with pytest.raises(CommandRejected) as caught:
            await session.run("display foo")
        assert caught.value.router_message == ("Error: Unrecognized command found at '^' position.")
        assert session.is_open
        cpu = await session.run("display cpu-usage")
        assert "CPU" in cpu.output
    finally:
        await session.close()


async def test_password_change_question_is_answered_no(
    simulator: SimulatorHandle, profile_for: ProfileFactory, host_keys: HostKeyStore
) -> None:
    simulator.faults.ask_password_change = True
    session = await open_ssh_session(profile_for(simulator), simulator.password, host_keys)
    try:
        assert "Change now? [Y/N]:" in session.banner
        assert session.hostname == "NE8000"
        assert (await session.run("display version")).prompt == "<NE8000>"
    finally:
        await session.close()


async def test_paging_left_on_is_answered_with_space(
    simulator: SimulatorHandle,
    profile_for: ProfileFactory,
    host_keys: HostKeyStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="ne8000monitor.transport.shell")
    session = await open_ssh_session(profile_for(simulator), simulator.password, host_keys)
    try:
        unpaged = await session.run("display interface brief")
        await session.run("screen-length 10 temporary")
        paged = await session.run("display interface brief")
        assert len(unpaged.output.splitlines()) > 20
        assert paged.output == unpaged.output
        assert "More" not in paged.output
        assert "\x1b" not in paged.output
        pages = [r for r in caplog.records if "asking for the next page" in r.getMessage()]
        assert len(pages) == len(paged.output.splitlines()) // 10
        brief = parse_output("display interface brief", paged.output)
        assert sorted(i.name for i in brief.interfaces) == sorted(simulator.state.interface_names())
    finally:
        await session.close()


async def test_hung_command_times_out_and_closes_the_session(
    simulator: SimulatorHandle, profile_for: ProfileFactory, host_keys: HostKeyStore
) -> None:
    simulator.faults.hang_commands = {"display version"}
    session = await open_ssh_session(profile_for(simulator), simulator.password, host_keys)
    with pytest.raises(RouterTimeout, match="session was closed"):
        await session.run("display version", timeout=0.5)
    assert not session.is_open
    with pytest.raises(SessionLost):
        await session.run("display cpu-usage")
    for _ in range(100):  # the router notices the hang-up and frees its VTY line
        if simulator.vty_online == 0:
            break
        await asyncio.sleep(0.02)
    assert simulator.vty_online == 0


async def test_connection_dropped_mid_output_is_session_lost(
    simulator: SimulatorHandle, profile_for: ProfileFactory, host_keys: HostKeyStore
) -> None:
    session = await open_ssh_session(profile_for(simulator), simulator.password, host_keys)
    simulator.faults.drop_mid_output = True
    with pytest.raises(SessionLost):
        await session.run("display version")
    assert not session.is_open


async def test_garbled_output_is_returned_and_the_shell_stays_in_sync(
    simulator: SimulatorHandle, profile_for: ProfileFactory, host_keys: HostKeyStore
) -> None:
    session = await open_ssh_session(profile_for(simulator), simulator.password, host_keys)
    try:
        clean = await session.run("display version")
        simulator.faults.garble_rate = 0.2
        garbled = await session.run("display version")
        assert garbled.prompt == "<NE8000>"
        assert len(garbled.output.splitlines()) == len(clean.output.splitlines())
        assert garbled.output != clean.output
        simulator.faults.garble_rate = 0.0
        again = await session.run("display version")
        assert again.output.splitlines()[:2] == clean.output.splitlines()[:2]
        assert again.prompt == "<NE8000>"
    finally:
        await session.close()


async def test_concurrent_runs_on_one_session_each_get_their_own_output(
    simulator: SimulatorHandle, profile_for: ProfileFactory, host_keys: HostKeyStore
) -> None:
    simulator.faults.latency_ms = 20
    session = await open_ssh_session(profile_for(simulator), simulator.password, host_keys)
    try:
        commands = [
            "display version",
            "display cpu-usage",
            "display memory-usage",
            "display interface brief",
            "display version",
            "display domain",
        ]
        results = await asyncio.gather(*(session.run(command) for command in commands))
        assert [r.command for r in results] == commands
        for command, result in zip(commands, results, strict=True):
            parse_output(command, result.output)  # each output parses as its own command's
        assert results[0].output.startswith("Huawei Versatile Routing Platform")
        assert results[4].output.startswith("Huawei Versatile Routing Platform")
        assert "System cpu use rate" in results[1].output
        assert "Memory Using Percentage" in results[2].output
        assert "Interface" in results[3].output
    finally:
        await session.close()


async def test_password_never_reaches_any_log(
    simulator: SimulatorHandle,
    profile_for: ProfileFactory,
    host_keys: HostKeyStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    session = await open_ssh_session(profile_for(simulator), simulator.password, host_keys)
    try:
        await session.run("display version")
        with pytest.raises(CommandRejected) as caught:
            await session.run(f"local-user admin password irreversible-cipher {simulator.password}")
    finally:
        await session.close()
    assert simulator.password not in str(caught.value)
    assert any(r.name.startswith("ne8000monitor.transport") for r in caplog.records)
    assert simulator.password not in caplog.text
    assert "password irreversible-cipher ******" in caplog.text
