"""`display interface [NAME]`: every published capture, both counter layouts, fuzzing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from app.domain.errors import ParseError, RouterCommandError
from app.domain.interfaces import InterfaceDetail, TrunkMember
from app.vrp.catalog import parse_output, resolve
from app.vrp.interface_detail import parse_interface_detail
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import mangled_or_random

VRP8_PORT = "display-interface__vrp8-router-textfsm-test__1.txt"
ME60 = "display-interface__me60-ring-parsers-docstring__1.txt"
DOC_MAIN = "display-interface__huawei-doc-ne40e-v800r012c10__1.txt"
DOC_PORT = "display-interface__huawei-doc-ne40e-v800r012c10__2.txt"
DOC_EXTENSIVE = "display-interface__huawei-doc-ne40e-v800r012c10__3.txt"
NTC_AR_ROUTER = "display-interface__ntc-templates__1.txt"
NTC_SWITCH = "display-interface__ntc-templates__2.txt"
NTC_DST = "display-interface__ntc-templates__3.txt"
NTC_DHCP = "display-interface__ntc-templates__4.txt"
NTC_DIALER = "display-interface__ntc-templates__5.txt"
NTC_PORTS = "display-interface__ntc-templates__6.txt"


def cfg(number: int) -> str:
    return f"display-interface__huawei-doc-ne40e-v800r012c10-cfg__{number}.txt"


def parse(name: str) -> tuple[InterfaceDetail, ...]:
    return parse_interface_detail(fixture_text(name)).interfaces


def by_name(name: str) -> dict[str, InterfaceDetail]:
    return {block.name: block for block in parse(name)}


def test_real_vrp8_port_physical_layout() -> None:
    (port,) = parse(VRP8_PORT)
    assert (port.name, port.current_state, port.ifindex) == ("GigabitEthernet0/2/5", "UP", 10)
    assert (port.phy_up, port.admin_down, port.protocol_state, port.protocol_up) == (
        True,
        False,
        "UP",
        True,
    )
    assert port.description == "To-UMOJA_INNERCORE_ATC-NBI0938-ATN910C-CSG-01-GE0/2/5"
    assert (port.mtu, port.bandwidth) == (1500, "10G")
    assert (port.internet_address, port.mac_address) == ("10.251.238.140/31", "8889-2f48-a095")
    assert port.last_up_time == "2023-08-27 06:12:59+03:00"
    assert port.last_down_time == "2023-08-27 06:12:48+03:00"
    assert port.last_protocol_up_time == "2023-08-27 06:12:59+03:00"
    assert port.rate_interval_seconds == 300
    assert (port.input_rate_bps, port.input_rate_pps) == (1274642, 1016)
    assert (port.output_rate_bps, port.output_rate_pps) == (914495418, 165600)
    assert (port.input_bytes, port.input_packets) == (34936765982979, 130496944382)
    assert (port.output_bytes, port.output_packets) == (671608254191369, 942009683952)
    assert (port.crc_errors, port.input_errors, port.output_errors) == (0, None, None)
    assert (port.input_util_percent, port.output_util_percent) == (0.01, 9.14)
    assert port.counter_order == "bytes-first"
    assert port.trunk_members == ()


def test_me60_counters_beyond_2_53_stay_exact() -> None:
    trunk, port = parse(ME60)
    assert (trunk.name, trunk.ifindex, trunk.protocol_up) == ("Eth-Trunk1", 35, True)
    assert (trunk.input_rate_bps, trunk.input_rate_pps) == (10346801693, 1022185)
    assert trunk.input_packets == 52777497075475
    assert trunk.input_bytes == 56580263369400625  # > 2**53: a float would round it
    assert trunk.input_bytes > 2**53
    assert (trunk.input_errors, trunk.counter_order) == (169, "packets-first")
    assert trunk.output_bytes is None  # trimmed by the author: absent, not zero
    assert trunk.description == ""
    assert (port.name, port.ifindex, port.bandwidth) == ("GigabitEthernet2/1/4", 150, "10G")
    assert port.protocol_state is None
    assert port.protocol_up is None
    assert (port.input_bytes, port.input_packets) == (18495439075977750, 16369881512913)
    assert port.crc_errors == 12535001
    assert port.output_rate_bps is None


def test_doc_main_interfaces_and_truncated_last_block() -> None:
    blocks = parse(DOC_MAIN)
    assert [b.name for b in blocks] == ["GE1/0/0", "GE1/0/1", "GE1/0/2"]
    first = blocks[0]
    assert (first.input_rate_bps, first.output_rate_bps) == (23513, 64319)
    assert (first.input_bytes, first.input_packets) == (183126871, 182525)
    assert (first.output_bytes, first.output_packets) == (509287017, 244628)
    assert first.last_up_time is None  # printed as `-`
    assert first.last_down_time == "2013-09-12 07:57:59"
    last = blocks[-1]
    assert (last.current_state, last.ifindex) == ("Administratively DOWN", 8)
    assert (last.admin_down, last.phy_up, last.protocol_up) == (True, False, None)
    assert (last.input_bytes, last.mtu, last.description) == (None, None, "")


def test_doc_single_port_with_description() -> None:
    (port,) = parse(DOC_PORT)
    assert port.description == "HUAWEI, GigabitEthernet1/0/0 Interface"
    assert (port.internet_address, port.mac_address) == ("10.1.1.1/1", "00e0-fc12-3458")
    assert port.last_protocol_up_time == "2013-07-29 15:39:29"
    assert (port.input_util_percent, port.output_util_percent) == (0.01, 0.01)


def test_extensive_keeps_interface_totals_not_ipv4_section() -> None:
    (port,) = parse(DOC_EXTENSIVE)
    assert (port.protocol_state, port.protocol_up) == ("DOWN", False)
    assert (port.input_rate_bps, port.output_rate_bps) == (93, 92)
    assert (port.input_bytes, port.input_packets) == (5216, 16)
    assert (port.output_bytes, port.output_packets) == (5120, 16)
    assert (port.input_util_percent, port.output_util_percent) == (0.01, 0.01)


@pytest.mark.parametrize(("number", "state", "protocol"), [(10, "UP", "UP"), (11, "DOWN", "DOWN")])
def test_doc_eth_trunk_logical_layout(number: int, state: str, protocol: str) -> None:
    (trunk,) = parse(cfg(number))
    assert (trunk.name, trunk.current_state, trunk.protocol_state) == (
        "Eth-Trunk1",
        state,
        protocol,
    )
    assert (trunk.mtu, trunk.bandwidth, trunk.internet_address) == (1500, "0M", "10.1.1.1/24")
    assert (trunk.input_packets, trunk.input_bytes, trunk.output_packets) == (0, 0, 0)
    assert (trunk.input_errors, trunk.output_errors) == (0, 0)
    assert trunk.counter_order == "packets-first"
    assert [m.name for m in trunk.trunk_members] == ["Gigabitethernet0/1/0", "Gigabitethernet0/2/0"]
    assert trunk.trunk_members[0].status == "DOWN"
    assert trunk.trunk_members[1].status == ("UP" if number == 10 else "DOWN")


def test_doc_eth_trunk_with_traffic_counters() -> None:
    (trunk,) = parse(cfg(13))
    assert (trunk.ifindex, trunk.bandwidth) == (28, "100Mbps")
    assert (trunk.input_packets, trunk.output_packets) == (210700, 244570)
    assert trunk.last_protocol_up_time == "2013-01-24 03:37:55"
    assert trunk.trunk_members == (
        TrunkMember("GigabitEthernet0/1/0", "DOWN", 1),
        TrunkMember("GigabitEthernet0/1/1", "UP", 1),
    )


def test_bras_eth_trunk_indented_with_dashes_first() -> None:
    (trunk,) = parse(cfg(16))
    assert (trunk.name, trunk.ifindex, trunk.phy_up, trunk.protocol_up) == (
        "Eth-Trunk1",
        33,
        True,
        False,
    )
    assert (trunk.output_rate_bps, trunk.output_packets, trunk.output_util_percent) == (
        1054,
        5,
        0.01,
    )
    assert (trunk.input_errors, trunk.output_errors) == (0, 0)
    assert trunk.trunk_members == (
        TrunkMember("GigabitEthernet0/1/0", "UP", 1),
        TrunkMember("GigabitEthernet0/1/1", "UP", 1),
    )


def test_mtu_on_a_line_wrapped_by_the_doc() -> None:
    # `...Current BW: 100` then `M, The Maximum Transmit Unit is 1500` on the next line.
    (trunk,) = parse(cfg(9))
    assert (trunk.ifindex, trunk.mtu, trunk.input_util_percent) == (19, 1500, 0.0)
    assert trunk.last_protocol_up_time == "2015-08-04 08:34:41"
    assert len(trunk.trunk_members) == 2


ARP_EXAMPLES = {  # file number -> address, mac, physical up time, protocol, packets in/out
    1: ("10.1.1.1/24", "00e0-fc21-0302", "2018-01-24 09:00:21", "UP", 1254, 1261),
    2: ("10.1.1.2/24", "00e0-fc41-0302", "2018-01-24 09:00:22", "UP", 1262, 1255),
    3: ("10.1.1.1/24", "00e0-fc21-0302", "2018-01-24 09:00:21", "UP", 1254, 1261),
    4: ("10.1.1.1/24", "00e0-fc21-0302", "2018-01-24 12:03:24", "DOWN", 1354, 1370),
}


@pytest.mark.parametrize("number", sorted(ARP_EXAMPLES))
def test_doc_arp_examples(number: int) -> None:
    address, mac, up, protocol, in_packets, out_packets = ARP_EXAMPLES[number]
    (port,) = parse(cfg(number))
    assert (port.name, port.ifindex, port.mtu) == ("GigabitEthernet0/1/1", 9, 1500)
    assert (port.internet_address, port.mac_address, port.last_up_time) == (address, mac, up)
    assert port.protocol_state == protocol
    assert (port.input_bytes, port.input_packets) == (0, in_packets)
    assert (port.output_bytes, port.output_packets) == (0, out_packets)
    assert port.counter_order == "bytes-first"


@pytest.mark.parametrize(
    ("number", "name"), [(14, "GigabitEthernet0/2/0"), (15, "GigabitEthernet0/1/3")]
)
def test_doc_mirroring_ports(number: int, name: str) -> None:
    (port,) = parse(cfg(number))
    assert port.name == name
    assert port.description == f"XXXXXX, {name} Interface"
    assert (port.bandwidth, port.input_bytes, port.input_packets) == ("1G", 560, 10)
    assert (port.output_bytes, port.output_packets, port.crc_errors) == (560, 10, 0)


def test_doc_port_with_ifindex_on_the_protocol_line() -> None:
    (port,) = parse(cfg(6))
    assert (port.protocol_state, port.ifindex) == ("UP", None)
    assert port.last_up_time == "0000-00-00 00:00:00"  # printed so, kept as printed


def test_doc_sub_interface_with_600_second_rates() -> None:
    (sub,) = parse(cfg(7))
    assert (sub.name, sub.current_state, sub.ifindex) == ("GigabitEthernet0/1/0.1", "DOWN", 33)
    assert sub.protocol_state == "DOWN (Main BFD status down)"
    assert sub.protocol_up is False
    assert (sub.mtu, sub.rate_interval_seconds, sub.input_rate_bps) == (9600, 600, 23513)
    assert (sub.input_bytes, sub.output_bytes) == (183126871, 509287017)
    assert sub.last_protocol_up_time == "2013-07-29 15:39:29"


def test_doc_port_with_current_bw_line() -> None:
    (port,) = parse(cfg(8))
    assert (port.bandwidth, port.protocol_state) == ("100 Mbits", "DOWN (BFD status down)")
    assert (port.input_rate_bps, port.input_rate_pps, port.input_packets) == (0, 4, 662126)


def test_doc_dwdm_port() -> None:
    (port,) = parse(cfg(17))
    assert (port.ifindex, port.bandwidth, port.protocol_up) == (521, "10G", False)
    assert (port.input_rate_bps, port.input_bytes, port.input_packets) == (79, 293740, 895)
    assert port.last_down_time == "2021-10-11 09:20:20"


def test_ar_router_every_interface_type() -> None:
    blocks = by_name(NTC_AR_ROUTER)
    assert len(blocks) == 20
    names = list(blocks)
    assert (names[0], names[-1]) == ("Cellular0/0/0", "Virtual-Ethernet0/0/1")
    dialer = blocks["Dialer1"]
    assert (dialer.protocol_state, dialer.protocol_up, dialer.mtu) == ("UP (spoofing)", True, 1492)
    assert dialer.internet_address == "192.214.198.156/32"
    assert dialer.input_bytes is None
    bound = blocks["Dialer1:0"]  # `current state : UP ,` and PPP `Input packets:` counters
    assert (bound.current_state, bound.input_packets, bound.input_bytes) == ("UP", 396, 39552)
    assert (bound.output_packets, bound.output_bytes) == (560, 41892)
    port = blocks["GigabitEthernet0/0/2"]
    assert (port.input_packets, port.input_bytes) == (31012, 3690428)
    assert (port.input_errors, port.output_errors, port.crc_errors) == (0, 0, 0)
    null = blocks["NULL0"]  # `Input: 0 bytes`: no packet count printed
    assert (null.input_bytes, null.input_packets, null.output_bytes) == (0, None, 0)
    tunnel = blocks["Tunnel0/0/2"]  # `300 seconds input rate`, `0 packets input,  0 bytes`
    assert (tunnel.rate_interval_seconds, tunnel.input_rate_bps) == (300, 0)
    assert (tunnel.input_packets, tunnel.input_bytes, tunnel.input_errors) == (0, 0, 0)
    assert tunnel.output_errors == 0
    assert blocks["Vlanif100"].description == "DMZ"
    assert blocks["Vlanif100"].internet_address == "100.95.15.241/30"


def test_switch_with_numeric_type_names_and_trunk_table() -> None:
    blocks = parse(NTC_SWITCH)
    assert len(blocks) == 38
    assert blocks[0].name == "Eth-Trunk0"
    assert blocks[0].trunk_members == (
        TrunkMember("40GE0/0/1", "DOWN", 1),
        TrunkMember("40GE0/0/2", "UP", 1),
    )
    assert (blocks[0].input_errors, blocks[0].output_errors, blocks[0].mtu) == (0, 0, None)
    assert [b.name for b in blocks[-6:]] == [f"40GE0/0/{port}" for port in range(1, 7)]
    xge = next(b for b in blocks if b.name == "XGigabitEthernet0/0/1")
    assert (xge.input_packets, xge.input_bytes) == (721, 94635)
    assert (xge.output_packets, xge.output_bytes) == (2326, 239211)
    assert (xge.input_rate_bps, xge.output_rate_bps, xge.output_rate_pps) == (440, 1840, 2)
    loopback = next(b for b in blocks if b.name == "LoopBack1")
    assert (loopback.input_errors, loopback.output_errors) == (0, 0)
    meth = next(b for b in blocks if b.name == "MEth0/0/1")
    assert meth.mtu == 1500  # `Route Port,The MTU is 1500`
    assert blocks[-1].output_errors is None  # that port prints no output `Total Error`


def test_dst_offsets_kept_in_timestamps() -> None:
    blocks = by_name(NTC_DST)
    assert len(blocks) == 5
    port = blocks["GigabitEthernet0/0/00"]
    assert port.last_up_time == "2000-01-01 00:00:00 UTC+01:00 DST"
    assert (port.input_util_percent, port.output_util_percent) == (0.09, 0.12)
    assert blocks["Vlanif30"].last_protocol_up_time == "2011-11-11 11:11:11 UTC+01:00"
    assert blocks["Vlanif30"].description == "My_description"


def test_dhcp_address_and_null() -> None:
    blocks = parse(NTC_DHCP)
    assert len(blocks) == 8
    wan = blocks[0]
    assert (wan.name, wan.description, wan.internet_address) == (
        "GigabitEthernet0/0/0",
        "WAN",
        "192.168.77.54/24",
    )
    assert (wan.input_packets, wan.input_bytes, wan.output_packets, wan.output_bytes) == (
        24,
        4936,
        8,
        1012,
    )
    assert (wan.input_util_percent, wan.output_util_percent) == (None, None)  # `--`
    assert blocks[-1].name == "NULL0"


def test_dialer_only_output() -> None:
    dialer, bound = parse(NTC_DIALER)
    assert (dialer.name, dialer.mtu, dialer.input_bytes) == ("Dialer1", 1492, None)
    assert (bound.name, bound.input_packets, bound.input_bytes) == ("Dialer1:0", 86, 8592)
    assert (bound.output_packets, bound.output_bytes) == (135, 10072)


def test_ar_ports_with_virtual_port() -> None:
    blocks = parse(NTC_PORTS)
    assert len(blocks) == 6
    assert blocks[0].name == "GigabitEthernet0/0/0"
    last = blocks[-1]
    assert (last.name, last.description, last.mtu) == ("GigabitEthernet0/0/5", "VirtualPort", 1500)
    assert (last.input_rate_bps, last.input_rate_pps) == (36064, 13)
    assert (last.input_packets, last.input_bytes) == (1832, 619216)


CX600_TRUNK = "display-interface__net-operations-cx600__1.txt"
CX600_PORT = "display-interface__net-operations-cx600__2.txt"


def test_live_cx600_trunk_of_a_bras() -> None:
    (trunk,) = parse_output("display interface Eth-Trunk1", fixture_text(CX600_TRUNK)).interfaces
    assert (trunk.name, trunk.current_state, trunk.protocol_state) == ("Eth-Trunk1", "UP", "DOWN")
    assert trunk.description == "[M][MBH]#NE=MBH_03_001_4#Eth-Trunk3"
    assert (trunk.mtu, trunk.bandwidth, trunk.mac_address) == (9600, "20G", "f098-38a8-e3f0")
    assert (trunk.input_rate_bps, trunk.input_rate_pps) == (4463529728, 589260)
    # Beyond 2^53: kept exact.
    assert (trunk.input_packets, trunk.input_bytes) == (6547539858030, 6290864104246023)
    assert (trunk.output_packets, trunk.output_bytes) == (6831122397042, 6297076719129902)
    assert (trunk.input_errors, trunk.output_errors) == (0, 0)
    assert (trunk.input_util_percent, trunk.output_util_percent) == (22.79, 22.15)
    assert trunk.trunk_members == (
        TrunkMember("GigabitEthernet1/1/0", "UP", 1),
        TrunkMember("GigabitEthernet1/1/1", "UP", 1),
    )
    assert trunk.counter_order == "packets-first"


def test_live_cx600_member_port() -> None:
    (port,) = parse_interface_detail(fixture_text(CX600_PORT)).interfaces
    assert port.name == "GigabitEthernet1/1/0"
    assert (port.last_up_time, port.last_down_time) == (
        "2023-02-21 01:16:01 UTC+08:00",
        "2023-02-21 01:06:17 UTC+08:00",
    )
    assert (port.input_bytes, port.input_packets) == (5646113842898631, 5868474037593)
    assert (port.crc_errors, port.bandwidth, port.counter_order) == (0, "10G", "bytes-first")


def test_every_fixture_is_covered() -> None:
    covered = {
        VRP8_PORT, ME60, DOC_MAIN, DOC_PORT, DOC_EXTENSIVE, NTC_AR_ROUTER, NTC_SWITCH,
        NTC_DST, NTC_DHCP, NTC_DIALER, NTC_PORTS, CX600_TRUNK, CX600_PORT,
        *(cfg(number) for number in (1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17)),
    }  # fmt: skip
    assert set(fixtures_for("display-interface")) == covered
    assert len(covered) == 28


def _echoed_command(name: str) -> str | None:
    match = re.match(
        r"^\s*(?:<[^<>]+>|\[[^\[\]]+\])\s*(\S.*?)\s*$", fixture_text(name).splitlines()[1]
    )
    return match[1] if match else None


ECHOED = [name for name in fixtures_for("display-interface") if _echoed_command(name)]


def test_most_doc_fixtures_carry_their_command() -> None:
    assert len(ECHOED) == 18


@pytest.mark.parametrize("name", ECHOED)
def test_echoed_command_resolves_to_this_parser(name: str) -> None:
    command = _echoed_command(name)
    assert command is not None
    text = fixture_text(name)
    assert parse_output(command, text) == parse_interface_detail(text)


@pytest.mark.parametrize(
    ("command", "canonical"),
    [
        ("display interface", "display interface"),
        ("dis int GigabitEthernet 0/1/1", "display interface GigabitEthernet0/1/1"),
        ("d int ge0/1/1", "display interface GigabitEthernet0/1/1"),
        ("display interface eth-trunk 1", "display interface Eth-Trunk1"),
        ("display interface 100GE0/3/0", "display interface 100GE0/3/0"),
        ("dis int Eth-Trunk 20.100", "display interface Eth-Trunk20.100"),
        ("display interface main", "display interface main"),
        ("dis int GE1/0/0 ext", "display interface GigabitEthernet1/0/0 extensive"),
    ],
)
def test_command_forms_resolve(command: str, canonical: str) -> None:
    match = resolve(command)
    assert match.canonical == canonical
    assert match.spec.parser is parse_interface_detail


def test_logical_layout_without_space_after_comma() -> None:
    text = (
        "<NE8000>display interface Eth-Trunk1\n"
        "Eth-Trunk1 current state : UP (ifindex: 35)\n"
        "Line protocol current state : UP\n"
        "Description:To-CORE\n"
        "    Last 300 seconds input rate 10346801693 bits/sec, 1022185 packets/sec\n"
        "    Last 300 seconds output rate 5 bits/sec, 1 packets/sec\n"
        "    Input: 52777497075475 packets,56580263369400625 bytes\n"
        "           169 errors,0 drops\n"
        "    Output:18446744073709551615 packets,18446744073709551616 bytes\n"
        "           7 errors,0 drops\n"
        "<NE8000>"
    )
    (trunk,) = parse_interface_detail(text).interfaces
    assert trunk.description == "To-CORE"
    assert (trunk.output_packets, trunk.output_bytes) == (2**64 - 1, 2**64)
    assert (trunk.input_errors, trunk.output_errors) == (169, 7)
    assert (trunk.output_rate_bps, trunk.output_rate_pps) == (5, 1)


def test_prose_before_the_first_block_is_ignored() -> None:
    text = "Info: collecting data.\nGigabitEthernet0/1/0 current state : DOWN\n"
    (port,) = parse_interface_detail(text).interfaces
    assert (port.name, port.phy_up, port.protocol_up, port.input_bytes) == (
        "GigabitEthernet0/1/0",
        False,
        None,
        None,
    )


def test_other_command_output_is_an_error() -> None:
    brief = fixture_text("display-interface-brief__it-bras-notes__1.txt")
    with pytest.raises(ParseError) as caught:
        parse_output("display interface", brief)
    assert caught.value.command == "display interface"
    assert caught.value.line_number == 1
    assert caught.value.line == "PHY: Physical"


@pytest.mark.parametrize("text", ["", "\n\n", "<NE8000>", "Line protocol current state : UP"])
def test_no_interface_block_is_an_error(text: str) -> None:
    with pytest.raises(ParseError, match="interface block"):
        parse_interface_detail(text)


def test_router_error_is_not_output() -> None:
    text = (
        "<NE8000>display interface gigabitethernet 9/9/9\n"
        "                                        ^\n"
        "Error: Wrong parameter found at '^' position.\n"
        "<NE8000>"
    )
    with pytest.raises(RouterCommandError):
        parse_interface_detail(text)


_SAMPLES = [fixture_text(name) for name in (VRP8_PORT, ME60, DOC_MAIN, cfg(16), NTC_DIALER)]


@settings(max_examples=150, deadline=None)
@given(text=mangled_or_random(_SAMPLES))
def test_any_input_gives_a_model_or_parse_error(text: str) -> None:
    try:
        result = parse_interface_detail(text)
    except ParseError:
        return
    assert result.interfaces
    for block in result.interfaces:
        assert block.name
        assert block.input_bytes is None or isinstance(block.input_bytes, int)


def test_counters_with_wide_spacing_around_colon_and_commas() -> None:  # issue 10 item 6
    """`Input :   207592 bytes,   616 packets`: other spacing, bytes before packets."""
    text = (
        "GigabitEthernet0/0/1 current state : UP\n"
        "Line protocol current state : UP\n"
        "Description : uplink   to   core\n"
        "    Input :   207592 bytes,   616 packets\n"
        "    Output :  15032 bytes,  88 packets\n"
    )
    (port,) = parse_interface_detail(text).interfaces
    assert (port.input_bytes, port.input_packets) == (207592, 616)
    assert (port.output_bytes, port.output_packets) == (15032, 88)
