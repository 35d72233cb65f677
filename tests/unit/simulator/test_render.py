"""The rendered text has the layout of the real VRP8 captures of each command."""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime

import pytest

from app.simulator import render
from app.simulator.device import DeviceState
from app.simulator.errors import WRONG_PARAMETER, CommandError
from tests.support.fixtures import fixture_text

START = datetime(2026, 11, 28, 0, 0, tzinfo=UTC).timestamp()  # 21:00 local


class FakeClock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def state() -> DeviceState:
    return DeviceState(subscribers=2000, seed=11, clock=FakeClock(START))


def fixture_lines(name: str) -> list[str]:
    """Fixture lines without the provenance comment and the command echo."""
    return fixture_text(name).splitlines()[2:]


def test_brief_legend_and_header_are_the_ne8000_ones(state: DeviceState) -> None:
    real = fixture_lines("display-interface-brief__it-bras-notes__1.txt")
    header = next(i for i, line in enumerate(real) if line.startswith("Interface   "))
    lines = render.render_interface_brief(state).splitlines()
    assert lines[: header + 1] == real[: header + 1]


def test_brief_rows_line_up_like_the_capture(state: DeviceState) -> None:
    lines = render.render_interface_brief(state).splitlines()
    rows = {line.split()[0]: line for line in lines[18:]}
    assert rows["Eth-Trunk10"].startswith("Eth-Trunk10                 up    up    ")
    assert rows["GigabitEthernet0/2/0(10G)"].startswith("  GigabitEthernet0/2/0(10G) up    up")
    assert rows["GigabitEthernet0/2/8(10G)"].startswith("GigabitEthernet0/2/8(10G)   *down down")
    assert rows["LoopBack0"] == (
        "LoopBack0                   up    up(s)        0%     0%          0          0"
    )
    # Members print once, indented under their trunk.
    assert sum("GigabitEthernet0/2/0(10G)" in line for line in lines) == 1
    trunk_at = lines.index(rows["Eth-Trunk10"])
    assert lines[trunk_at + 1].startswith("  GigabitEthernet0/2/0(10G)")
    utilisation = re.compile(r"^(?:0|\d{1,3}\.\d\d)%$")
    for line in lines[18:]:
        in_util, out_util = line.split()[3:5]
        assert utilisation.match(in_util)
        assert utilisation.match(out_util)


def test_brief_shows_a_committed_shutdown_as_star_down() -> None:
    clock = FakeClock(START)
    state = DeviceState(subscribers=300, seed=3, clock=clock)
    state.set_admin_down("GigabitEthernet0/2/5", True)
    lines = render.render_interface_brief(state).splitlines()
    row = next(line for line in lines if line.startswith("GigabitEthernet0/2/5(10G) "))
    assert row.split()[1:3] == ["*down", "down"]
    sub = next(line for line in lines if line.startswith("GigabitEthernet0/2/5.2002(10G)"))
    assert sub.split()[1:3] == ["down", "down"]


def test_physical_block_uses_colon_rates_and_bytes_first(state: DeviceState) -> None:
    text = render.render_interface(state, "100GE0/1/0")
    in_bytes, in_packets, out_bytes, out_packets = state.counters("100GE0/1/0")
    in_bps, in_pps, out_bps, out_pps = state.rates("100GE0/1/0")
    assert text.splitlines()[0] == "100GE0/1/0 current state : UP (ifindex: 4)"
    assert f"    Last 300 seconds input rate: {in_bps} bits/sec, {in_pps} packets/sec" in text
    assert f"    Last 300 seconds output rate: {out_bps} bits/sec, {out_pps} packets/sec" in text
    assert f"    Input: {in_bytes} bytes, {in_packets} packets" in text
    assert f"    Output: {out_bytes} bytes, {out_packets} packets" in text
    assert re.search(r"^Current system time: 2026-11-27 21:00:00-03:00$", text, re.M)
    assert "      CRC: 0 packets, Symbol: 0 packets" in text


def test_logical_blocks_use_no_colon_and_packets_first(state: DeviceState) -> None:
    for name in ("Eth-Trunk10", "Eth-Trunk10.100", "LoopBack0"):
        text = render.render_interface(state, name)
        in_bytes, in_packets, out_bytes, out_packets = state.counters(name)
        in_bps, in_pps, _, _ = state.rates(name)
        assert f"    Last 300 seconds input rate {in_bps} bits/sec, {in_pps} packets/sec" in text
        assert f"    Input: {in_packets} packets,{in_bytes} bytes" in text
        assert f"    Output:{out_packets} packets,{out_bytes} bytes" in text
    trunk = render.render_interface(state, "Eth-Trunk10").splitlines()
    assert "Physical is ETH_TRUNK" in trunk
    assert trunk[-2:] == ["The Number of Ports in Trunk : 4", "The Number of UP Ports in Trunk : 4"]
    assert "GigabitEthernet0/3/1    UP                  1" in trunk
    assert "Line protocol current state : UP (spoofing)" in render.render_interface(
        state, "LoopBack0"
    )


def test_every_interface_gets_one_block(state: DeviceState) -> None:
    text = render.render_interface(state)
    starts = re.findall(r"^(\S+) current state : ", text, re.M)
    assert starts == state.interface_names()


def test_admin_down_block_says_administratively_down() -> None:
    state = DeviceState(subscribers=100, seed=5, clock=FakeClock(START))
    state.set_admin_down("100GE0/1/2", True)
    lines = render.render_interface(state, "100GE0/1/2").splitlines()
    assert lines[0].startswith("100GE0/1/2 current state : Administratively DOWN (ifindex: ")
    assert lines[1] == "Line protocol current state : DOWN "


def test_unknown_interface_is_a_wrong_parameter(state: DeviceState) -> None:
    with pytest.raises(CommandError) as error:
        render.render_interface(state, "GigabitEthernet9/9/9")
    assert error.value.message == WRONG_PARAMETER
    assert error.value.word_index is None


def test_access_users_two_lines_per_user_and_footer(state: DeviceState) -> None:
    lines = render.render_access_users(state, domain="isp").splitlines()
    online = state.subscribers.by_domain["isp"]
    assert lines[1] == "  UserID     Username                Interface      IP address       MAC"
    assert lines[2] == "             Vlan          IPv6 address             Access type"
    body = lines[4:-5]
    assert len(body) == 2 * online
    assert re.match(r"^  \d+ +cliente\d{5}@isp +\S+ +\d+\.\d+\.\d+\.\d+ +[0-9a-f]{4}-", body[0])
    assert re.match(r"^ {13}\d+/(?:\d+|-) +\S+ +PPPoE +$", body[1])
    assert lines[-4:] == [
        f"  Normal users                       : {online}",
        "  RUI Local users                    : 0",
        "  RUI Remote users                   : 0",
        f"  Total users                        : {online}",
    ]


def test_access_users_by_username_and_interface(state: DeviceState) -> None:
    session = next(s for s in state.subscribers.ordered() if s.interface.startswith("Gig"))
    text = render.render_access_users(state, username=session.username)
    assert f"  {session.user_id:<11}{session.username}" in text
    assert "GE0/2/" in text
    assert text.endswith("  Total users                        : 1")
    by_port = render.render_access_users(state, interface=session.interface.split(".")[0])
    count = state.subscribers.by_interface[session.interface]
    assert by_port.endswith(f"  Total users                        : {count}")
    nobody = render.render_access_users(state, username="ninguem@isp")
    assert nobody.endswith("  Total users                        : 0")


def test_unknown_domain_is_a_wrong_parameter(state: DeviceState) -> None:
    with pytest.raises(CommandError, match="Wrong parameter"):
        render.render_access_users(state, domain="nope")


def test_domain_table_matches_the_capture_layout(state: DeviceState) -> None:
    lines = render.render_domain(state).splitlines()
    real = fixture_lines("display-domain__huawei-doc-ne40e-v800r012c10__1.txt")
    assert lines[:3] == real[:3]
    assert lines[3] == real[3]  # default0 row, identical
    isp = next(line for line in lines if line.startswith("  isp "))
    assert isp.split() == [
        "isp",
        "Active",
        "0",
        "1045504",
        str(state.subscribers.by_domain["isp"]),
        "0",
        "0",
    ]
    assert lines[-1] == "  Total 7,7 printed"


def test_pool_usage_rows_add_up(state: DeviceState) -> None:
    lines = render.render_ip_pool_usage(state).splitlines()
    assert lines[1] == " Domain name        PoolLen   Used    Ratio"
    rows = [line.split() for line in lines[3:-3]]
    total_row = lines[-2].split()
    assert sum(int(r[2]) for r in rows) == int(total_row[3]) == state.total_users()
    assert sum(int(r[1]) for r in rows) == int(total_row[2])


def test_ip_pool_detail_and_unknown_pool(state: DeviceState) -> None:
    pool = state.subscribers.pools["isp-pool01"]
    text = render.render_ip_pool(state, "isp-pool01")
    assert "  Pool-Name      : isp-pool01" in text
    assert re.search(
        rf"^ +0 +100\.64\.0\.2 +100\.64\.31\.254 +{pool.total} +{pool.used} "
        rf"+{pool.total - pool.used} ",
        text,
        re.M,
    )
    with pytest.raises(CommandError):
        render.render_ip_pool(state, "nope")


def test_pppoe_statistics_two_columns_of_counters(state: DeviceState) -> None:
    text = render.render_pppoe_statistics(state, "2")
    active = state.subscribers.by_slot[2]
    assert f" ACTIVE_SESSION      : {active:<13}TOTAL_SESSION       : {active:<13}" in text
    assert "                                                 Slot:  2" in text
    assert all(len(line) <= 71 for line in text.splitlines())
    with pytest.raises(CommandError):
        render.render_pppoe_statistics(state, "7")


def test_access_user_slot_blocks(state: DeviceState) -> None:
    text = render.render_access_user_slot(state, "3")
    assert f"Slot                     : 3      Total  user : {state.subscribers.by_slot[3]}" in text
    with pytest.raises(CommandError):
        render.render_access_user_slot(state, "abc")


def test_online_total_and_summary(state: DeviceState) -> None:
    total = state.total_users()
    assert f"  Total users                        : {total}" in (
        render.render_access_user_online_total(state)
    )
    number = render.render_access_user_online_total(state, number=True).splitlines()
    assert number[1] == f"  Total users                        : {total}"
    assert len(number) == 6
    summary = render.render_access_user_summary(state)
    assert f"  Domain isp                         : {state.subscribers.by_domain['isp']}" in summary


def test_cpu_usage_layout(state: DeviceState) -> None:
    lines = render.render_cpu_usage(state).splitlines()
    assert re.match(r"^Cpu utilization statistics at 2026-11-27 21:00:00 \d+ ms$", lines[0])
    assert re.match(r"^System cpu use rate is : \d+%$", lines[1])
    assert re.match(
        r"^Cpu utilization for five seconds: \d+% ;  one minute: \d+% ;  "
        r"five minutes: \d+%\.$",
        lines[2],
    )
    assert re.match(r"^Max CPU Usage : \d+%$", lines[3])
    assert lines[6:8] == ["ServiceName  UseRate", "-" * 27]
    cores = [line for line in lines if line.startswith("cpu")]
    assert len(cores) == 4
    assert re.match(
        r"^cpu0 +\d+% +\d+% +\d+% +\d+% +\d+% \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", cores[0]
    )
    one = render.render_cpu_usage(state, "9", "2")
    assert [line[:4] for line in one.splitlines() if line.startswith("cpu")] == ["cpu2"]
    for slot in ("4", "13", "x"):
        with pytest.raises(CommandError):
            render.render_cpu_usage(state, slot)


def test_memory_usage_in_kbytes(state: DeviceState) -> None:
    lines = render.render_memory_usage(state).splitlines()
    assert lines[1] == "System Total Memory Is: 15766020 Kbytes"
    used = int(lines[2].split()[-2])
    assert lines[2] == f"Total Memory Used Is: {used} Kbytes"
    assert lines[3] == f"Memory Using Percentage Is: {round(100 * used / 15766020)}%"
    processes = [int(line.split()[-1]) for line in lines[9:-1]]
    assert sum(processes) == used


def test_health_and_device_list_the_boards(state: DeviceState) -> None:
    health = render.render_health(state).splitlines()
    assert health[1] == "Slot                       CPU Usage  Memory Usage(Used/Total)"
    assert health[3].startswith("9       MPU(Master) ")
    assert health[-2].startswith("10      MPU(Slave) ")
    assert re.match(r"^2 +LPU +\d+% +\d+% +\d+MB/4096MB$", health[5])
    device = render.render_device(state).splitlines()
    assert device[0] == "NE8000 M8's Device status:"
    assert device[2] == "Slot #   Type Online     Register     Status     Role   LsId   Primary"
    assert "  9      MPU  Present    Registered   Normal     MMB    0      Master " in device
    assert sum(" PWR " in line for line in device) == 4


def test_version_header(state: DeviceState) -> None:
    lines = render.render_version(state).splitlines()
    assert lines[1] == "VRP (R) software, Version 8.210 (NE8000 V800R021C10SPC600)"
    days = int(state.uptime_seconds() // 86400)
    assert re.match(
        rf"^HUAWEI NE8000 M8 uptime is {days} days, \d+ hours?, \d+ minutes?$", lines[3]
    )


def test_alarm_active_wraps_time_and_description_like_the_capture() -> None:
    state = DeviceState(subscribers=100, seed=9, clock=FakeClock(START))
    state.set_admin_down("GigabitEthernet0/5/0", True)
    lines = render.render_alarm_active(state).splitlines()
    assert lines[0] == "1:Critical  2:Major  3:Minor  4:Warning"
    assert lines[2].startswith("Sequence   AlarmId    Level Date Time  Description")
    assert re.match(
        r"^\d+ +0x8520003  2     2026-11-27 The interface status changes\. "
        r"\(ifName=Gig$",
        lines[4],
    )
    assert lines[5] == " " * 29 + "21:00:00- abitEthernet0/5/0, AdminStatus=DOWN, Oper"
    assert lines[6] == " " * 28 + "03:00      Status=DOWN, Reason=The interface is shut"
    assert lines[7] == " " * 39 + " down.)".ljust(41)
    assert all(len(line) <= 80 for line in lines)
    verbose = render.render_alarm_active(state, verbose=True).splitlines()
    assert verbose[1].startswith("AlarmId     : 0x8520003 ")
    assert verbose[1].endswith("AlarmName : linkDown")
    assert verbose[2].startswith("AlarmType   : communication ")
    assert "Severity  : Major " in verbose[2]


def test_no_alarm() -> None:
    state = DeviceState(subscribers=10, seed=9, clock=FakeClock(START))
    for alarm_key in ("license", "rxPower:GigabitEthernet0/2/0"):
        state.alarms.clear(alarm_key)
    assert render.render_alarm_active(state) == "NO alarm"


def test_description_lists_every_interface(state: DeviceState) -> None:
    lines = render.render_interface_description(state).splitlines()
    header = lines.index("Interface                     PHY     Protocol Description")
    rows = lines[header + 1 :]
    assert len(rows) == len(state.interfaces)
    assert "Eth-Trunk10                   up      up       ACESSO-OLT-01" in rows
    assert "GE0/2/8(10G)                  *down   down     RESERVADO" in rows
    one = render.render_interface_description(state, "GigabitEthernet0/2/4.2001").splitlines()
    assert one == [
        "Interface                     PHY     Protocol Description",
        "GE0/2/4.2001(10G)             up      up       PPPoE-QINQ-POP01",
    ]


def test_shutting_a_whole_access_trunk_takes_its_subinterfaces_and_users_down() -> None:
    clock = FakeClock(START)
    state = DeviceState(subscribers=800, seed=4, clock=clock)
    on_trunk = sum(state.subscribers.by_interface[f"Eth-Trunk10.{v}"] for v in range(100, 104))
    before = state.total_users()
    state.set_admin_down("Eth-Trunk10", True)
    assert state.total_users() == before - on_trunk
    brief = render.render_interface_brief(state).splitlines()
    assert next(r for r in brief if r.startswith("Eth-Trunk10 ")).split()[1:3] == ["*down", "down"]
    assert next(r for r in brief if r.startswith("Eth-Trunk10.100 ")).split()[1:3] == [
        "down",
        "down",
    ]
    assert "Eth-Trunk10.1" not in render.render_access_users(state)
    clock.now += 300
    state.advance()
    assert state.rates("GigabitEthernet0/2/0") == (0, 0, 0, 0)
    assert state.subscribers.by_interface["Eth-Trunk10.100"] == 0


def test_a_box_without_subscribers_still_renders_everything() -> None:
    state = DeviceState(subscribers=0, seed=1, clock=FakeClock(START))
    assert state.total_users() == 0
    assert render.render_access_users(state).endswith("Total users                        : 0")
    assert " Total statistics   " in render.render_ip_pool_usage(state)
    assert "Ratio       :0%" in render.render_ip_pool(state)
    assert state.rates("Eth-Trunk10") == (0, 0, 0, 0)
    assert render.render_interface(state)


def test_same_seed_and_clock_render_the_same_text() -> None:
    outputs = []
    for _ in range(2):
        clock = FakeClock(START)
        state = DeviceState(subscribers=500, seed=99, clock=clock)
        clock.now += 120
        state.advance()
        outputs.append(
            [
                render.render_interface_brief(state),
                render.render_cpu_usage(state),
                render.render_access_users(state),
                render.render_alarm_active(state),
                render.render_interface(state),
                render.render_ip_pool(state),
            ]
        )
    assert outputs[0] == outputs[1]


def test_plain_access_user_is_the_vrp8_summary_with_domains(state: DeviceState) -> None:
    lines = render.render_access_user_overview(state).splitlines()
    total = state.total_users()
    # Same layout as the NE40E V800R012C10 documentation example of `display access-user`.
    documented = fixture_lines("display-access-user__huawei-doc-ne40e-v800r012c10__2.txt")
    assert lines[1] == f"  Total users                        : {total}"
    assert [line.split(":")[0] for line in lines[1:17]] == [
        line.split(":")[0] for line in documented[1:17]
    ]
    header = next(index for index, line in enumerate(lines) if "Online-user" in line)
    assert lines[header] == "  Domain-name                        Online-user"
    rows = [line for line in lines[header + 2 :] if ":" in line]
    counts = {line.split(":")[0].strip(): int(line.split(":")[1]) for line in rows}
    assert counts == {
        name: state.subscribers.by_domain.get(name, 0) for name in state.subscribers.domains
    }
    assert sum(counts.values()) == total


def test_user_detail_blocks_by_domain_name_ip_and_mac(state: DeviceState) -> None:
    session = state.subscribers.ordered()[7]
    ip = str(ipaddress.IPv4Address(session.ipv4))
    for text in (
        render.render_access_user_detail(state, username=session.username),
        render.render_access_user_detail(state, ip=ip),
        render.render_access_user_detail(state, mac=session.mac),
    ):
        lines = text.splitlines()
        assert lines[1] == "Basic:"
        assert f"  {'User access index':<30}: {session.user_id}" in lines
        assert f"  {'User name':<30}: {session.username}" in lines
        assert f"  {'User MAC':<30}: {session.mac}" in lines
        assert f"  {'User IP address':<30}: {ip}" in lines
        assert any(line.startswith("  Online time (h:min:sec)       : ") for line in lines)
    by_domain = render.render_access_user_detail(state, domain=session.domain)
    assert by_domain.count("User access index") == state.subscribers.by_domain[session.domain]


def test_user_detail_of_nobody_and_bad_arguments(state: DeviceState) -> None:
    assert render.render_access_user_detail(state, ip="192.0.2.1") == (
        "Info: The user does not exist."
    )
    with pytest.raises(CommandError) as caught:
        render.render_access_user_detail(state, mac="not-a-mac")
    assert caught.value.message == WRONG_PARAMETER
    with pytest.raises(CommandError):
        render.render_access_user_detail(state, domain="no-such-domain")


def test_version_slot_of_a_line_card_and_of_the_main_board(state: DeviceState) -> None:
    line_card = next(slot for slot, board in state.boards.items() if board.kind == "LPU")
    lines = render.render_version_slot(state, line_card).splitlines()
    # The layout of the documentation example (`display version slot 1`).
    assert lines[1] == "LPU version information:"
    assert re.match(rf"^LPU {line_card} : uptime is \d+ days?, \d+ hours?, \d+ minutes?$", lines[3])
    assert "  PCB         Version : CR8D00EKBF REV A" in lines
    main = next(slot for slot, board in state.boards.items() if board.kind == "MPU")
    assert render.render_version_slot(state, main).splitlines()[3].startswith("MPU (")
    fan = next(slot for slot, board in state.boards.items() if board.kind not in {"MPU", "LPU"})
    for wrong in (fan, 99, "x"):
        with pytest.raises(CommandError):
            render.render_version_slot(state, wrong)
