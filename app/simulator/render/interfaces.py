"""`display interface brief`, `display interface [X]` and `display interface description`."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from app.simulator.errors import WRONG_PARAMETER, CommandError
from app.simulator.render._text import join, short_ifname, stamp, util
from app.simulator.topology import LOOPBACK, NULL, PHYSICAL, SUBIF, TRUNK, VIRTUAL_TEMPLATE

if TYPE_CHECKING:
    from app.simulator.device import DeviceState
    from app.simulator.topology import Interface

_LEGEND = (
    "PHY: Physical",
    "*down: administratively down",
    "^down: standby",
    "(l): loopback",
    "(s): spoofing",
    "(E): E-Trunk down",
    "(b): BFD down",
    "(B): Bit-error-detection down",
    "(e): ETHOAM down",
    "(d): Dampening Suppressed",
    "(p): port alarm down",
    "(ld): loop-detect trigger down",
    "(td): transceiver unmatch down",
    "(mf): mac-flapping blocked",
    "(c): CFM down",
    "(sd): STP instance discarding",
)


def _phy(state: DeviceState, iface: Interface) -> str:
    if iface.admin_down:
        return "*down"
    return "up" if state.is_up(iface.name) else "down"


def _protocol(state: DeviceState, iface: Interface) -> str:
    if iface.kind in (LOOPBACK, NULL):
        return "up(s)"
    return "up" if state.is_up(iface.name) else "down"


def _label(state: DeviceState, iface: Interface) -> str:
    """Name as the brief prints it: `GigabitEthernet0/2/0(10G)` for 10GE ports."""
    tag = iface.speed_tag
    if iface.kind == SUBIF and iface.parent:
        tag = state.interfaces[iface.parent].speed_tag
    return f"{iface.name}({tag})" if tag else iface.name


def _brief_row(state: DeviceState, iface: Interface, indent: str = "") -> str:
    in_util, out_util = state.utilisation(iface.name)
    label = indent + _label(state, iface)
    errors = state.crc_errors(iface.name) if iface.kind in (PHYSICAL, TRUNK) else 0
    return (f"{label:<27} {_phy(state, iface):<6}{_protocol(state, iface):<5}"
            f"{util(in_util):>10}{util(out_util):>7}{errors:>11}{0:>11}")


def render_interface_brief(state: DeviceState) -> str:
    """`display interface brief`: legend, then one row per interface, members indented."""
    lines = [*_LEGEND, "InUti/OutUti: input utility/output utility",
             "Interface                   PHY   Protocol  InUti OutUti   inErrors  outErrors"]
    for iface in state.interfaces.values():
        if iface.kind == PHYSICAL and iface.parent is not None:
            continue  # printed under its Eth-Trunk
        lines.append(_brief_row(state, iface))
        if iface.kind == TRUNK:
            lines += [_brief_row(state, state.interfaces[m], "  ") for m in iface.members]
    return join(lines)


def render_interface_description(state: DeviceState, name: str | None = None) -> str:
    """`display interface description [X]`: names abbreviated (`GE0/2/0(10G)`) as the box does.

    With an interface argument the box prints only the header and that row (no legend).
    """
    lines = [] if name else [
        line for line in _LEGEND if not line.startswith(("(td)", "(mf)", "(c)", "(sd)"))
    ]
    lines.append("Interface                     PHY     Protocol Description")
    for iface in _selected(state, name):
        label = short_ifname(_label(state, iface))
        lines.append(f"{label:<29} {_phy(state, iface):<8}"
                     f"{_protocol(state, iface):<9}{iface.description}".rstrip())
    return join(lines)


def _selected(state: DeviceState, name: str | None) -> list[Interface]:
    if name is None:
        return list(state.interfaces.values())
    if name not in state.interfaces:
        raise CommandError(WRONG_PARAMETER)
    return [state.interfaces[name]]


def render_interface(state: DeviceState, name: str | None = None) -> str:
    """`display interface [X]`: physical or logical block layout per interface."""
    blocks = []
    for iface in _selected(state, name):
        if iface.kind == PHYSICAL:
            blocks.append(_physical_block(state, iface))
        else:
            blocks.append(_logical_block(state, iface))
    return "\n\n".join(join(block) for block in blocks)


def _state_line(state: DeviceState, iface: Interface) -> str:
    if iface.admin_down:
        word = "Administratively DOWN"
    else:
        word = "UP" if state.is_up(iface.name) else "DOWN"
    return f"{iface.name} current state : {word} (ifindex: {iface.ifindex})"


def _address_line(iface: Interface) -> str:
    if iface.address is None:
        return "Internet protocol processing : disabled"
    network = ipaddress.IPv4Interface(iface.address)
    return f"Internet Address is {network.ip}/{network.network.prefixlen}"


def _physical_block(state: DeviceState, iface: Interface) -> list[str]:
    up = state.is_up(iface.name)
    local = state.local
    in_bps, in_pps, out_bps, out_pps = state.rates(iface.name)
    in_bytes, in_packets, out_bytes, out_packets = state.counters(iface.name)
    in_util, out_util = state.utilisation(iface.name)
    lines = [_state_line(state, iface),
             f"Line protocol current state : {'UP' if up else 'DOWN'} "]
    if up:
        lines.append(f"Last line protocol up time : {stamp(local(iface.last_up_at))}")
        lines.append("Link quality grade : GOOD")
    lines += [
        f"Description: {iface.description}",
        f"Route Port,The Maximum Transmit Unit is {iface.mtu}",
        _address_line(iface),
        f"IP Sending Frames' Format is PKTFMT_ETHNT_2, Hardware address is {iface.mac}",
    ]
    if iface.cabled:
        gbit = iface.bandwidth_bps // 10**9
        lines += [
            "The Vendor PN is 02311KNL" if gbit >= 100 else "The Vendor PN is 34060599",
            "The Vendor Name is HUAWEI",
            f"Port BW: {gbit}G, Transceiver max BW: {gbit}G, Transceiver Mode: SingleMode",
            "WaveLength: 1310nm, Transmission Distance: 10km",
            f"Rx Power:  {-3.1 - (iface.ifindex % 7) * 0.43:.2f}dBm, "
            "Warning range: [-14.400,  0.499]dBm",
            f"Tx Power:  {-2.0 - (iface.ifindex % 5) * 0.17:.2f}dBm, "
            "Warning range: [-8.498,  0.499]dBm",
        ]
    lines += [
        "Loopback:none, LAN full-duplex mode, Pause Flowcontrol:Receive Enable and Send Disable",
        f"Last physical up time   : {stamp(local(iface.last_up_at)) if iface.cabled else '-'}",
        f"Last physical down time : {stamp(local(iface.last_down_at))}",
        f"Current system time: {stamp(local())}",
        "Statistics last cleared:never",
        f"    Last 300 seconds input rate: {in_bps} bits/sec, {in_pps} packets/sec",
        f"    Last 300 seconds output rate: {out_bps} bits/sec, {out_pps} packets/sec",
        f"    Input peak rate {round(iface.peak_in_bps)} bits/sec, "
        f"Record time: {stamp(local(iface.peak_in_at)) if iface.peak_in_bps else '-'}",
        f"    Output peak rate {round(iface.peak_out_bps)} bits/sec, "
        f"Record time: {stamp(local(iface.peak_out_at)) if iface.peak_out_bps else '-'}",
        f"    Input: {in_bytes} bytes, {in_packets} packets",
        f"    Output: {out_bytes} bytes, {out_packets} packets",
    ]
    in_multi, in_broad = in_packets // 3100, in_packets // 52000
    out_multi, out_broad = out_packets // 2900, out_packets // 61000
    lines += [
        "    Input:",
        f"      Unicast: {in_packets - in_multi - in_broad} packets, "
        f"Multicast: {in_multi} packets",
        f"      Broadcast: {in_broad} packets, JumboOctets: {in_packets // 45} packets",
        f"      CRC: {iface.crc_errors} packets, Symbol: {iface.crc_errors // 7} packets",
        "      Overrun: 0 packets, InRangeLength: 0 packets",
        "      LongPacket: 0 packets, Jabber: 0 packets, Alignment: 0 packets",
        "      Fragment: 0 packets, Undersized Frame: 0 packets",
        "      RxPause: 0 packets",
        "    Output:",
        f"      Unicast: {out_packets - out_multi - out_broad} packets, "
        f"Multicast: {out_multi} packets",
        f"      Broadcast: {out_broad} packets, JumboOctets: {out_packets // 38} packets",
        "      Lost: 0 packets, Overflow: 0 packets, Underrun: 0 packets",
        "      System: 0 packets, Overruns: 0 packets",
        "      TxPause: 0 packets",
        "    Local fault: normal, Remote fault: normal.",
        f"    Last 300 seconds input utility rate:  {in_util:.2f}%",
        f"    Last 300 seconds output utility rate: {out_util:.2f}%",
    ]
    return lines


def _logical_block(state: DeviceState, iface: Interface) -> list[str]:
    up = state.is_up(iface.name)
    local = state.local
    in_bps, in_pps, out_bps, out_pps = state.rates(iface.name)
    in_bytes, in_packets, out_bytes, out_packets = state.counters(iface.name)
    spoofing = iface.kind in (LOOPBACK, NULL)
    protocol = "UP (spoofing)" if spoofing else ("UP" if up else "DOWN")
    lines = [_state_line(state, iface), f"Line protocol current state : {protocol}"]
    if up and not spoofing:
        lines.append(f"Last line protocol up time : {stamp(local(iface.last_up_at))}")
    if iface.kind == TRUNK:
        lines.append("Link quality grade : GOOD")
    lines.append(f"Description: {iface.description}")
    if iface.kind == TRUNK:
        maximal = sum(state.interfaces[m].bandwidth_bps for m in iface.members) // 10**9
        current = state.bandwidth(iface.name) // 10**9
        lines.append(f"Route Port,Hash arithmetic : According to flow,Maximal BW: {maximal}G, "
                     f"Current BW: {current}G, The Maximum Transmit Unit is {iface.mtu}")
    else:
        lines.append(f"Route Port,The Maximum Transmit Unit is {iface.mtu}")
    lines.append(_address_line(iface))
    if iface.kind in (TRUNK, SUBIF, VIRTUAL_TEMPLATE):
        lines.append("IP Sending Frames' Format is PKTFMT_ETHNT_2, "
                     f"Hardware address is {iface.mac}")
    physical = {TRUNK: "ETH_TRUNK", LOOPBACK: "Loopback", NULL: "NULL DEV",
                VIRTUAL_TEMPLATE: "VIRTUAL_TEMPLATE"}.get(iface.kind)
    lines.append(f"Current system time: {stamp(local())}")
    if physical:
        lines.append(f"Physical is {physical}")
    unicast_in = in_packets - in_packets // 3100 - in_packets // 52000
    unicast_out = out_packets - out_packets // 2900 - out_packets // 61000
    lines += [
        f"    Last 300 seconds input rate {in_bps} bits/sec, {in_pps} packets/sec",
        f"    Last 300 seconds output rate {out_bps} bits/sec, {out_pps} packets/sec",
        f"    Input: {in_packets} packets,{in_bytes} bytes",
        f"           {unicast_in} unicast,{in_packets // 52000} broadcast,"
        f"{in_packets // 3100} multicast",
        f"           {state.crc_errors(iface.name)} errors,0 drops",
        f"    Output:{out_packets} packets,{out_bytes} bytes",
        f"           {unicast_out} unicast,{out_packets // 61000} broadcast,"
        f"{out_packets // 2900} multicast",
        "           0 errors,0 drops",
    ]
    if iface.kind in (TRUNK, SUBIF):
        in_util, out_util = state.utilisation(iface.name)
        lines += [f"    Last 300 seconds input utility rate:  {in_util:.2f}%",
                  f"    Last 300 seconds output utility rate: {out_util:.2f}%"]
    if iface.kind == TRUNK:
        rule = "-" * 53
        lines += ["", rule, "PortName                Status              Weight", rule]
        for member in iface.members:
            status = "UP" if state.is_up(member) else "DOWN"
            lines.append(f"{member:<24}{status:<20}1")
        up_count = sum(1 for m in iface.members if state.is_up(m))
        lines += [rule, f"The Number of Ports in Trunk : {len(iface.members)}",
                  f"The Number of UP Ports in Trunk : {up_count}"]
    return lines
