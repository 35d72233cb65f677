"""The simulator over real loopback SSH (asyncssh client): login, VTY limit, and every fault."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import asyncssh
import pytest

from app.simulator.faults import FaultPlan
from app.simulator.paging import MORE
from app.simulator.server import VTY_FULL_MESSAGE, SimulatorHandle, start_simulator
from tests.integration.simulator_client import PROMPT, Shell, open_shell

BANNER = re.compile(
    r"^Info: The max number of VTY users is 5, the number of current VTY users online is 1, "
    r"and total number of terminal users online is 1\.\r\n"
    r"      The current login time is \d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d\d:\d\d\.\r\n"
    r"<NE8000>$"
)


async def test_login_shows_the_vrp8_banner_and_prompt(simulator: SimulatorHandle) -> None:
    shell = await open_shell(simulator, wait_prompt=False)
    try:
        text = await shell.read_until(PROMPT)
        assert BANNER.match(text), text
        assert simulator.vty_online == 1
        second = await open_shell(simulator, wait_prompt=False)
        again = await second.read_until(PROMPT)
        assert "the number of current VTY users online is 2" in again
        assert re.search(r"The last login time is .+ from 127\.0\.0\.1 through SSH\.", again)
        second.close()
    finally:
        shell.close()


async def test_password_change_question_comes_before_the_banner(
    simulator: SimulatorHandle,
) -> None:
    simulator.faults.ask_password_change = True
    shell = await open_shell(simulator, wait_prompt=False)
    try:
        asked = await shell.read_until(r"Change now\? \[Y/N\]:$")
        assert asked == (
            "Warning: The initial password poses security risks.\r\n"
            "The password needs to be changed. Change now? [Y/N]:"
        )
        shell.process.stdin.write("y\r")
        await shell.read_until(r"y\r\nThe password needs to be changed\. Change now\? \[Y/N\]:$")
        shell.process.stdin.write("n\r")
        text = await shell.read_until(PROMPT)
        assert text.startswith("n\r\nInfo: The max number of VTY users is 5")
    finally:
        shell.close()


async def test_server_announces_itself_like_vrp(simulator: SimulatorHandle) -> None:
    shell = await open_shell(simulator)
    try:
        assert shell.connection.get_extra_info("server_version") == "SSH-2.0-HUAWEI-1.5"
    finally:
        shell.close()


async def test_wrong_password_is_refused(simulator: SimulatorHandle) -> None:
    with pytest.raises(asyncssh.PermissionDenied):
        await open_shell(simulator, password="wrong")
    with pytest.raises(asyncssh.PermissionDenied):
        await open_shell(simulator, username="root")


async def test_commands_and_paging_over_ssh(simulator: SimulatorHandle) -> None:
    shell = await open_shell(simulator)
    try:
        version = await shell.command("dis ver | no-more")
        assert "VRP (R) software, Version 8." in version
        shell.process.stdin.write("display interface\r")
        await shell.read_until(re.escape(MORE) + "$")
        shell.process.stdin.write("q")
        await shell.read_until("<NE8000>$")
        info = await shell.command("screen-length 0 temporary")
        assert info == (
            "Info: The configuration takes effect on the current user terminal interface only.\r\n"
        )
        whole = await shell.command("display interface")
        assert MORE not in whole
        headers = re.findall(r"(?m)^\S+ current state :", whole)
        assert len(headers) == len(simulator.state.interface_names())
    finally:
        shell.close()


async def test_paged_terminal_output_parses_like_a_real_capture(
    simulator: SimulatorHandle,
) -> None:
    """Pager marks and ESC[16D erasures included, the transcript parses with the project parsers."""
    from app.vrp.catalog import parse_output

    simulator.state.set_admin_down("GigabitEthernet0/5/0", True)
    shell = await open_shell(simulator)
    try:
        shell.process.stdin.write("display interface brief\r")
        transcript = ""
        while True:
            transcript += await shell.read_until(f"(?:{re.escape(MORE)}|<NE8000>)$")
            if not transcript.endswith(MORE):
                break
            shell.process.stdin.write(" ")
    finally:
        shell.close()
    assert transcript.count(MORE) >= 1
    assert "\x1b[16D" in transcript
    brief = parse_output("display interface brief", "<NE8000>" + transcript)
    rows = {row.name: row for row in brief.interfaces}
    assert set(rows) == set(simulator.state.interface_names())
    assert rows["GigabitEthernet0/5/0"].admin_down
    assert rows["LoopBack0"].phy_up


async def test_exec_request_runs_one_command(simulator: SimulatorHandle) -> None:
    async with asyncssh.connect(
        simulator.host,
        simulator.port,
        username=simulator.username,
        password=simulator.password,
        known_hosts=None,
        client_keys=None,
    ) as connection:
        result = await connection.run("display version", timeout=15)
    assert "VRP (R) software" in str(result.stdout)
    assert "<NE8000>" not in str(result.stdout)


async def test_sixth_login_is_refused_like_vrp(simulator: SimulatorHandle) -> None:
    shells = [await open_shell(simulator) for _ in range(5)]
    try:
        assert simulator.vty_online == 5
        sixth = await open_shell(simulator, wait_prompt=False)
        refused = await sixth.read_to_eof()
        assert refused == VTY_FULL_MESSAGE + "\r\n"
        assert simulator.vty_online == 5
        shells.pop().close()
        for _ in range(200):
            if simulator.vty_online == 4:
                break
            await asyncio.sleep(0.01)
        late = await open_shell(simulator)
        shells.append(late)
        assert simulator.vty_online == 5
    finally:
        for shell in shells:
            shell.close()


async def test_latency_fault_delays_the_answer(simulator: SimulatorHandle) -> None:
    shell = await open_shell(simulator)
    try:
        simulator.faults.latency_ms = 1500
        shell.process.stdin.write("display version | no-more\r")
        with pytest.raises(TimeoutError):
            await shell.read_until("VRP", timeout=0.3)
        simulator.faults.latency_ms = 0
        assert "VRP (R) software" in await shell.read_until(PROMPT)
    finally:
        shell.close()


async def test_hang_fault_never_answers_but_others_still_work(simulator: SimulatorHandle) -> None:
    simulator.faults.hang_commands.add("display version")
    hung = await open_shell(simulator)
    other = await open_shell(simulator)
    try:
        hung.process.stdin.write("dis ver\r")
        with pytest.raises(TimeoutError):
            await hung.read_until(PROMPT, timeout=0.5)
        assert "display health" not in "".join(hung.seen)
        health = await other.command("display health")
        assert "Slot" in health or "slot" in health.lower()
    finally:
        hung.close()
        other.close()


async def test_drop_fault_cuts_the_connection_mid_output(simulator: SimulatorHandle) -> None:
    shell = await open_shell(simulator)
    await shell.command("screen-length 0 temporary")
    simulator.faults.drop_mid_output = True
    shell.process.stdin.write("display interface\r")
    text = await shell.read_to_eof()
    headers = re.findall(r"(?m)^\S+ current state :", text)
    assert 0 < len(headers) < len(simulator.state.interface_names())
    assert not PROMPT.search(text.rstrip("\r\n"))
    simulator.faults.drop_mid_output = False
    for _ in range(200):
        if simulator.vty_online == 0:
            break
        await asyncio.sleep(0.01)
    assert simulator.vty_online == 0


async def test_garble_fault_damages_the_text(simulator: SimulatorHandle) -> None:
    shell = await open_shell(simulator)
    try:
        clean = await shell.command("display version | no-more")
        assert not set(clean) & set("§¤ÿþ¿½ÆØ¶¦")
        simulator.faults.garble_rate = 0.3
        garbled = await shell.command("display version | no-more")
        assert set(garbled) & set("§¤ÿþ¿½ÆØ¶¦")
        assert garbled.count("\r\n") == clean.count("\r\n")
    finally:
        shell.close()


async def test_refuse_auth_fault_rejects_the_right_password(simulator: SimulatorHandle) -> None:
    simulator.faults.refuse_auth = True
    with pytest.raises(asyncssh.PermissionDenied):
        await open_shell(simulator)
    simulator.faults.refuse_auth = False
    (await open_shell(simulator)).close()


async def test_mass_drop_fault_removes_a_third_of_the_subscribers(
    simulator: SimulatorHandle,
) -> None:
    shell = await open_shell(simulator)
    try:
        await shell.command("display access-user online-total")
        before = simulator.state.total_users()
        simulator.faults.schedule_mass_drop(0.3)
        await shell.command("display access-user online-total")
        after = simulator.state.total_users()
        assert before * 0.6 < after < before * 0.75
    finally:
        shell.close()


async def test_host_key_persists_and_changes_only_with_the_fault(tmp_path: Path) -> None:
    key_file = tmp_path / "host_key"
    known_hosts = tmp_path / "known_hosts"
    handle = await start_simulator(port=0, users=50, interfaces=4, seed=1, host_key_path=key_file)
    try:
        original = handle.host_key_fingerprint
        assert original.startswith("SHA256:")
        public = asyncssh.read_private_key(str(key_file)).export_public_key().decode()
        known_hosts.write_text(f"[127.0.0.1]:{handle.port} {public}")
        shell = await open_shell(handle, known_hosts=str(known_hosts))
        shell.close()

        await handle.restart()
        assert handle.host_key_fingerprint == original
        (await open_shell(handle, known_hosts=str(known_hosts))).close()

        handle.faults.change_host_key = True
        await handle.restart()
        assert handle.host_key_fingerprint != original
        with pytest.raises(asyncssh.HostKeyNotVerifiable):
            await open_shell(handle, known_hosts=str(known_hosts))
    finally:
        await handle.close()


async def test_restart_drops_sessions_and_keeps_the_device(simulator: SimulatorHandle) -> None:
    shell = await open_shell(simulator)
    simulator.state.set_admin_down("GigabitEthernet0/5/0", True)
    await simulator.restart()
    assert await shell.read_to_eof() == ""
    again = await open_shell(simulator)
    try:
        assert simulator.state.is_admin_down("GigabitEthernet0/5/0")
    finally:
        again.close()


async def test_idle_vty_is_closed_and_freed() -> None:
    handle = await start_simulator(port=0, users=50, interfaces=4, seed=3, idle_timeout=0.3)
    try:
        shell = await open_shell(handle)
        assert handle.vty_online == 1
        assert await shell.read_to_eof() == ""
        for _ in range(200):
            if handle.vty_online == 0:
                break
            await asyncio.sleep(0.01)
        assert handle.vty_online == 0
    finally:
        await handle.close()


@pytest.mark.slow
async def test_25k_subscribers_stream_without_paging() -> None:
    handle = await start_simulator(port=0, users=25000, interfaces=48, seed=9)
    shell: Shell | None = None
    try:
        shell = await open_shell(handle)
        domains = await shell.command("display domain")
        online = {
            row.split()[0]: int(row.split()[4])
            for row in domains.split("\r\n")
            if re.match(r"^\s+\S+\s+Active\s+\d+\s+\d+\s+\d+", row)
        }
        busiest = max(online, key=lambda name: online[name])
        assert online[busiest] > 5000
        listing = await shell.command(f"display access-user domain {busiest} | no-more", timeout=60)
        assert MORE not in listing
        rows = re.findall(r"(?m)^\s+\d+\s+\S+@" + re.escape(busiest) + r"\s", listing)
        total = re.search(r"Total users\s*:\s*(\d+)", listing)
        assert total is not None
        assert len(rows) == int(total.group(1))
        assert abs(len(rows) - online[busiest]) < online[busiest] * 0.01
    finally:
        if shell is not None:
            shell.close()
        await handle.close()


def test_fault_plan_hang_matching_uses_full_keywords() -> None:
    plan = FaultPlan(hang_commands={"display interface"})
    assert plan.hangs("display interface brief")
    assert plan.hangs("DISPLAY INTERFACE")
    assert not plan.hangs("display interface-group")
    assert not plan.hangs("display version")
