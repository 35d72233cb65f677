"""Every simulated command output parses with the project's parsers, and the numbers agree.

The simulator renders text on its own (it must not import the parsers), so this is the
check that both sides speak the same VRP8: parse what the simulator prints and compare the
parsed values with the simulator's state and with each other.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from app.simulator import render
from app.simulator.device import DeviceState
from app.vrp.catalog import parse_output
from app.vrp.names import normalise_interface_name

START = datetime(2026, 11, 27, 23, 30, tzinfo=UTC).timestamp()  # 20:30 local, near the peak


class FakeClock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def _steady(state: DeviceState, clock: FakeClock) -> None:
    for _ in range(4):
        clock.now += 30
        state.advance()


def _shutdowns(state: DeviceState, clock: FakeClock) -> None:
    _steady(state, clock)
    state.set_admin_down("GigabitEthernet0/2/5", True)
    state.set_admin_down("GigabitEthernet0/3/0", True)
    clock.now += 60
    state.advance()


def _mass_drop(state: DeviceState, clock: FakeClock) -> None:
    _steady(state, clock)
    state.mass_drop(0.3)


SCENARIOS: dict[str, Callable[[DeviceState, FakeClock], None]] = {
    "steady": _steady, "shutdowns": _shutdowns, "mass-drop": _mass_drop,
}


@pytest.fixture(scope="module", params=list(SCENARIOS))
def state(request: pytest.FixtureRequest) -> DeviceState:
    clock = FakeClock(START)
    device = DeviceState(subscribers=4000, interfaces=48, seed=2026, clock=clock)
    SCENARIOS[request.param](device, clock)
    return device


def test_subscriber_totals_agree_everywhere(state: DeviceState) -> None:
    total = state.total_users()
    assert total > 0
    online = parse_output("display access-user online-total",
                          render.render_access_user_online_total(state))
    number = parse_output("display access-user online-total-number",
                          render.render_access_user_online_total(state, number=True))
    summary = parse_output("display access-user summary", render.render_access_user_summary(state))
    assert online.total_users == number.total_users == summary.total_users == total
    assert online.counters["PPPoE users"] == total
    assert (online.counters["IPv4 users"] + online.counters["Dual-Stack users"]) == total

    domains = parse_output("display domain", render.render_domain(state)).domains
    assert sum(d.online for d in domains) == total
    assert {d.name: d.online for d in domains} == {
        name: state.subscribers.by_domain.get(name, 0) for name in state.subscribers.domains
    }

    pools = parse_output("display ip pool", render.render_ip_pool(state)).pools
    assert [p.name for p in pools] == list(state.subscribers.pools)
    assert sum(p.used for p in pools) == total
    assert all(p.total == p.used + p.free for p in pools)

    usage = parse_output("display ip-pool pool-usage", render.render_ip_pool_usage(state)).pools
    by_name = {p.name: p for p in usage}
    assert sum(by_name[d].used for d in state.subscribers.domains) == total

    slots = parse_output("display access-user slot", render.render_access_user_slot(state)).slots
    assert sum(s.total_users for s in slots) == total
    assert {int(s.slot): s.total_users for s in slots if s.total_users} == {
        slot: count for slot, count in state.subscribers.by_slot.items() if count
    }

    pppoe = parse_output("display pppoe statistics", render.render_pppoe_statistics(state))
    assert pppoe.counters["ACTIVE_SESSION"] == total
    per_slot = [
        parse_output(f"display pppoe statistics slot {s.slot}",
                     render.render_pppoe_statistics(state, s.slot)).counters["ACTIVE_SESSION"]
        for s in slots
    ]
    assert sum(per_slot) == total


def test_plain_access_user_is_the_vrp8_summary(state: DeviceState) -> None:
    parsed = parse_output("display access-user", render.render_access_user_overview(state))
    assert parsed.total_users == state.total_users()
    assert parsed.domains == {
        name: state.subscribers.by_domain.get(name, 0) for name in state.subscribers.domains
    }
    assert parsed.counters["Dual-Stack users"] == state.subscribers.ipv6_count
    assert parsed.warnings == ()


def test_every_user_row_parses_to_the_session_it_came_from(state: DeviceState) -> None:
    users = [
        user
        for domain in state.subscribers.domains
        for user in parse_output(
            f"display access-user domain {domain}",
            render.render_access_users(state, domain=domain),
        ).users
    ]
    users.sort(key=lambda user: user.user_id)
    sessions = state.subscribers.ordered()
    assert len(users) == len(sessions)
    for user, session in zip(users, sessions, strict=True):
        assert user.user_id == session.user_id
        assert user.username == session.username
        assert user.ipv4 == str(ipaddress.IPv4Address(session.ipv4))
        assert user.mac == session.mac
        assert normalise_interface_name(user.interface) == session.interface
        assert user.vlan == f"{session.pe_vlan}/{session.ce_vlan or '-'}"
        assert user.ipv6 == session.ipv6
        assert user.access_type == "PPPoE"


def test_domain_and_interface_filters_parse(state: DeviceState) -> None:
    for domain in ("isp", "fibra", "empresas", "temporario"):
        parsed = parse_output(f"display access-user domain {domain}",
                              render.render_access_users(state, domain=domain))
        assert parsed.total_users == len(parsed.users) == state.subscribers.by_domain[domain]
    name = "Eth-Trunk20.200"
    parsed = parse_output(f"display access-user interface {name}",
                          render.render_access_users(state, interface=name))
    assert parsed.total_users == state.subscribers.by_interface[name]
    assert {u.interface for u in parsed.users} <= {name}
    one = state.subscribers.ordered()[0]
    parsed = parse_output(f"display access-user username {one.username}",
                          render.render_access_users(state, username=one.username))
    assert [u.user_id for u in parsed.users] == [
        s.user_id for s in sorted(state.subscribers.by_username(one.username),
                                  key=lambda s: s.user_id)
    ]


def test_interface_brief_matches_the_state(state: DeviceState) -> None:
    brief = parse_output("display interface brief", render.render_interface_brief(state))
    rows = {row.name: row for row in brief.interfaces}
    assert sorted(rows) == sorted(state.interface_names())
    assert len(brief.interfaces) == len(state.interfaces)
    for name, iface in state.interfaces.items():
        row = rows[name]
        assert row.admin_down == iface.admin_down
        assert row.phy == ("*down" if iface.admin_down else ("up" if state.is_up(name)
                                                             else "down"))
        assert row.phy_up == state.is_up(name)
        parent = iface.parent if iface.kind == "physical" else None
        assert row.trunk == parent
        in_util, out_util = state.utilisation(name)
        assert row.in_util_percent == pytest.approx(in_util, abs=0.011)
        assert row.out_util_percent == pytest.approx(out_util, abs=0.011)
        assert row.bandwidth == ((iface.speed_tag or state.interfaces[iface.parent].speed_tag)
                                 if iface.kind == "subif" and iface.parent else iface.speed_tag)


def test_interface_details_carry_exact_64_bit_counters(state: DeviceState) -> None:
    details = parse_output("display interface", render.render_interface(state)).interfaces
    assert [d.name for d in details] == state.interface_names()
    big = 0
    for detail in details:
        in_bytes, in_packets, out_bytes, out_packets = state.counters(detail.name)
        in_bps, in_pps, out_bps, out_pps = state.rates(detail.name)
        assert (detail.input_bytes, detail.input_packets) == (in_bytes, in_packets)
        assert (detail.output_bytes, detail.output_packets) == (out_bytes, out_packets)
        assert (detail.input_rate_bps, detail.output_rate_bps) == (in_bps, out_bps)
        assert (detail.input_rate_pps, detail.output_rate_pps) == (in_pps, out_pps)
        assert detail.admin_down == state.is_admin_down(detail.name)
        assert detail.phy_up == state.is_up(detail.name)
        assert detail.description == state.interfaces[detail.name].description
        assert detail.mtu == state.interfaces[detail.name].mtu
        big += in_bytes > 2**53
    assert big >= 3  # both core members and the IX uplink
    trunk = next(d for d in details if d.name == "Eth-Trunk10")
    assert [m.name for m in trunk.trunk_members] == state.interfaces["Eth-Trunk10"].members
    physical = next(d for d in details if d.name == "GigabitEthernet0/2/1")
    assert physical.crc_errors == state.interfaces["GigabitEthernet0/2/1"].crc_errors
    assert physical.counter_order != trunk.counter_order

    single = parse_output("display interface Eth-Trunk1",
                          render.render_interface(state, "Eth-Trunk1")).interfaces
    assert len(single) == 1
    assert single[0].input_bytes == state.counters("Eth-Trunk1")[0] > 2**59


def test_interface_descriptions_match(state: DeviceState) -> None:
    parsed = parse_output("display interface description",
                          render.render_interface_description(state)).interfaces
    assert [p.canonical_name for p in parsed] == state.interface_names()
    assert [p.description for p in parsed] == [i.description for i in state.interfaces.values()]


def test_shutdowns_show_in_brief_detail_and_alarms(state: DeviceState) -> None:
    down = [name for name, iface in state.interfaces.items() if iface.admin_down]
    brief = {r.name: r for r in parse_output("display interface brief",
                                             render.render_interface_brief(state)).interfaces}
    assert all(brief[name].phy == "*down" for name in down)
    alarms = parse_output("display alarm active", render.render_alarm_active(state)).alarms
    verbose = parse_output("display alarm active verbose",
                           render.render_alarm_active(state, verbose=True)).alarms
    assert [a.sequence for a in alarms] == [a.sequence for a in state.alarms.active()]
    assert [a.description for a in alarms] == [a.description for a in state.alarms.active()]
    assert [(a.sequence, a.description, a.raised_at) for a in verbose] == [
        (a.sequence, a.description, a.raised_at) for a in alarms
    ]
    link_down = {a.description for a in alarms if a.alarm_id == "0x8520003"}
    committed = {name for name in down if state.alarms.is_active(f"linkDown:{name}")}
    assert len(link_down) == len(committed)
    for name in committed:
        assert any(f"ifName={name}," in text for text in link_down)
        assert brief[name].admin_down


def test_system_commands_match_the_state(state: DeviceState) -> None:
    cpu = parse_output("display cpu-usage", render.render_cpu_usage(state))
    meter = state.boards[9].cpu
    assert meter is not None
    assert cpu.cpu_percent == round(meter.current)
    assert cpu.max_percent == round(meter.maximum)
    assert [c.name for c in cpu.cores] == ["cpu0", "cpu1", "cpu2", "cpu3"]
    lpu = parse_output("display cpu-usage slot 2", render.render_cpu_usage(state, "2"))
    assert lpu.cpu_percent == round(state.boards[2].cpu.current)  # type: ignore[union-attr]

    memory = parse_output("display memory-usage", render.render_memory_usage(state))
    assert memory.total_bytes == 15766020 * 1024
    assert memory.used_bytes == round(state.boards[9].memory_used_kb) * 1024
    assert memory.memory_percent == state.boards[9].memory_percent

    health = parse_output("display health", render.render_health(state)).boards
    assert sorted(int(b.slot) for b in health) == sorted(
        slot for slot, board in state.boards.items() if board.cpu is not None)
    master = next(b for b in health if b.slot == "9")
    assert master.type == "MPU(Master)"
    assert master.memory_percent == state.boards[9].memory_percent

    device = parse_output("display device", render.render_device(state)).boards
    assert [int(b.slot) for b in device] == sorted(state.boards)
    assert {(b.slot, b.role, b.primary) for b in device if b.type == "MPU"} == {
        ("9", "MMB", "Master"), ("10", "MMB", "Slave")}

    version = parse_output("display version", render.render_version(state))
    assert version.model == "NE8000 M8"
    assert version.vrp_version == "8.210"
    assert version.product_version == "V800R021C10"
    assert version.uptime_seconds == int(state.uptime_seconds()) // 60 * 60


def _detail_matches(detail: object, session: object, state: DeviceState) -> None:
    assert detail.user_id == session.user_id  # type: ignore[attr-defined]
    assert detail.username == session.username  # type: ignore[attr-defined]
    assert detail.domain == session.domain  # type: ignore[attr-defined]
    assert detail.interface_name == session.interface  # type: ignore[attr-defined]
    assert detail.ipv4 == str(ipaddress.IPv4Address(session.ipv4))  # type: ignore[attr-defined]
    assert detail.mac == session.mac  # type: ignore[attr-defined]
    assert detail.pe_vlan == session.pe_vlan  # type: ignore[attr-defined]
    assert detail.ce_vlan == session.ce_vlan  # type: ignore[attr-defined]
    assert detail.ipv6 == session.ipv6  # type: ignore[attr-defined]
    assert detail.access_type == "PPPoE"  # type: ignore[attr-defined]
    online = int(state.now() - session.login_at)  # type: ignore[attr-defined]
    assert detail.online_seconds == online  # type: ignore[attr-defined]


def test_subscriber_lookup_by_name_address_and_mac(state: DeviceState) -> None:
    for session in state.subscribers.ordered()[:: max(1, len(state.subscribers) // 25)]:
        ip = str(ipaddress.IPv4Address(session.ipv4))
        for command, text in (
            (
                f"display access-user username {session.username} verbose",
                render.render_access_user_detail(state, username=session.username),
            ),
            (
                f"display access-user ip-address {ip}",
                render.render_access_user_detail(state, ip=ip),
            ),
            (
                f"display access-user mac-address {session.mac}",
                render.render_access_user_detail(state, mac=session.mac),
            ),
        ):
            users = parse_output(command, text).users
            found = next(user for user in users if user.user_id == session.user_id)
            _detail_matches(found, session, state)


def test_domain_verbose_lists_every_user_of_the_domain(state: DeviceState) -> None:
    parsed = parse_output(
        "display access-user domain empresas verbose",
        render.render_access_user_detail(state, domain="empresas"),
    )
    sessions = [s for s in state.subscribers.ordered() if s.domain == "empresas"]
    assert [user.user_id for user in parsed.users] == [s.user_id for s in sessions]
    for user, session in zip(parsed.users, sessions, strict=True):
        _detail_matches(user, session, state)


def test_version_of_each_card(state: DeviceState) -> None:
    for slot, board in state.boards.items():
        if board.kind not in {"MPU", "LPU"}:
            continue
        text = render.render_version_slot(state, slot)
        parsed = parse_output(f"display version slot {slot}", text)
        assert (parsed.slot, parsed.board) == (str(slot), board.kind)
        assert parsed.role == (board.primary if board.kind == "MPU" else None)
        assert parsed.uptime_seconds == int(state.uptime_seconds()) // 60 * 60
        assert parsed.pcb_version is not None
