"""Parser for `display interface [NAME]`: byte counters, rates and state of each interface.

This is the heaviest poll (30-40 lines per interface, thousands of interfaces on a BRAS), so
the parser makes one pass over the lines and dispatches on the first four characters of
each stripped line through a dict. Most lines (per-cast counters, transceiver data) hit no
entry and cost a dict lookup; only the dozen interesting lines of a block run a regex, and
each regex runs on its own line, never searched across a block. (A single alternation regex
over the whole text was tried: CPython's engine tries every branch at every line and was
twice as slow.) Single-valued
fields keep their first occurrence, so the IPv4/IPv6 sections of `extensive` output do not
overwrite the interface totals.

Two counter layouts exist and both are read:

* physical ports: `Last 300 seconds input rate: N bits/sec, M packets/sec` and
  `Input: N bytes, M packets` (bytes first);
* logical interfaces (Eth-Trunk, sub-interfaces, LoopBack) and VRP5 boxes:
  `Last 300 seconds input rate N bits/sec, ...` (no colon) and `Input: N packets,M bytes`
  (packets first, sometimes without a space).

Lines the parser does not know are ignored inside a block, since VRP releases keep adding
fields; text before the first `NAME current state :` header is ignored too (banners, notes).
Output without any header is not `display interface` output and raises ParseError.
"""

from __future__ import annotations

import re
from typing import Any

from app.domain.interfaces import InterfaceDetail, InterfaceDetails, TrunkMember
from app.vrp.grammar import CommandSpec
from app.vrp.text import clean_lines, unexpected_output

_A = re.ASCII
_HEADER = re.compile(r"(\d{0,3}[A-Za-z][\w./:-]{0,63}) current state ?: ?(.*)", _A)
# `UP (ifindex: 9)`, `Administratively DOWN (ifindex: 8)....`, `UP ,`, `UP (spoofing)`.
_STATE = re.compile(r"(.*?)[\s,.]*(?:\(ifindex: *(\d{1,10})\)[\s,.]*)?", _A | re.DOTALL)
_PROTOCOL = re.compile(r"Line protocol current state ?: ?(.*)", _A)
_DESCRIPTION = re.compile(r"Description ?:(.*)", _A)
_MTU = re.compile(r"(?:Maximum Transmit Unit(?:\([^)]{0,8}\))?|The MTU) is (\d{1,6})", _A)
_BANDWIDTH = re.compile(r"(?:Port|Current) BW: *([^,]*?) *(?:,|$)", _A)
_ADDRESS = re.compile(
    r"Internet Address is (?:negotiated, |allocated by DHCP, )?([0-9a-fA-F.:]+/\d{1,3})", _A
)
_MAC = re.compile(r"Hardware address is ([^\s,]+)", _A)
_TIME = re.compile(r"Last (physical up|physical down|line protocol up) time *: *(.*)", _A)
_RATE = re.compile(
    r"(?:Last )?(\d{1,6}) seconds (input|output) "
    r"(?:rate:? *(?:\d+ bytes/sec,? )?(\d+) bits/sec,? *(\d+) packets/sec"
    r"|utility rate: *(\d{1,3}(?:\.\d+)?)%)",
    _A,
)
_COUNTERS = re.compile(
    r"(Input|Output): *(\d+) ([Bb]ytes|[Pp]ackets)(?:, *(\d+) ([Bb]ytes|[Pp]ackets))?", _A
)
_UTIL = re.compile(r"(Input|Output) bandwidth utilization *: *(?:(\d{1,3}(?:\.\d+)?)%|--)", _A)
# VRP5 PPP/dialer form: `Input packets:396,  39552 bytes`.
_PPP_COUNTERS = re.compile(r"(Input|Output) packets: *(\d+), *(\d+) bytes", _A)
# Lines that start with a number: `0 errors,0 drops` (logical layout, once per direction),
# `0 packets input,  0 bytes` and `0 input error` (VRP5 tunnels).
_NUMBER_LINE = re.compile(
    r"(\d+) (?:(errors)\b|packets (input|output), *(\d+) bytes|(input|output) errors?\b)", _A
)
_TOTAL_ERROR = re.compile(r"Total Error: *(\d+)", _A)
_CRC = re.compile(r"CRC: *(\d+)", _A)
_MEMBER = re.compile(r"(\S+) +(UP|DOWN)(?: +(\d{1,5}))?", _A)

# First four characters of a stripped line -> what it may carry.
_PROTOCOL_LINE, _DESCRIPTION_LINE, _MTU_LINE, _ADDRESS_LINE, _MAC_LINE = range(5)
_LAST_LINE, _COUNTER_LINE, _CRC_LINE, _ERROR_LINE, _PORT_LINE = range(5, 10)
_DISPATCH: dict[str, int] = {
    "Line": _PROTOCOL_LINE,
    "Desc": _DESCRIPTION_LINE,
    "Rout": _MTU_LINE,  # Route Port,The Maximum Transmit Unit is 1500 / Hash arithmetic ...
    "Swit": _MTU_LINE,
    "The ": _MTU_LINE,
    "M, T": _MTU_LINE,  # a wrapped `...Current BW: 100M, The Maximum Transmit Unit is 1500`
    "PVID": _MTU_LINE,
    "TPID": _MTU_LINE,
    "Hash": _MTU_LINE,
    "Inte": _ADDRESS_LINE,
    "IP S": _MAC_LINE,
    "Last": _LAST_LINE,
    "Inpu": _COUNTER_LINE,
    "Outp": _COUNTER_LINE,
    "CRC:": _CRC_LINE,
    "PhyE": _CRC_LINE,  # PhyErr: 0 , CRC: 0
    "Tota": _ERROR_LINE,
    "Disc": _ERROR_LINE,  # Discard: 0,  Total Error: 0
    "Port": _PORT_LINE,
    "Curr": _MTU_LINE,  # Current BW: 100 Mbits
}
_DIGITS = frozenset("0123456789")

_EMPTY_BLOCK: dict[str, Any] = {
    "protocol_state": None,
    "description": None,
    "mtu": None,
    "bandwidth": None,
    "internet_address": None,
    "mac_address": None,
    "last_up_time": None,
    "last_down_time": None,
    "last_protocol_up_time": None,
    "rate_interval_seconds": None,
    "input_rate_bps": None,
    "input_rate_pps": None,
    "output_rate_bps": None,
    "output_rate_pps": None,
    "input_bytes": None,
    "input_packets": None,
    "output_bytes": None,
    "output_packets": None,
    "input_errors": None,
    "output_errors": None,
    "crc_errors": None,
    "input_util_percent": None,
    "output_util_percent": None,
    "counter_order": None,
}
_KEYS = {  # direction -> field names, so the hot loop builds no strings
    direction: tuple(
        f"{direction}_{name}"
        for name in ("bytes", "packets", "errors", "rate_bps", "rate_pps", "util_percent")
    )
    for direction in ("input", "output")
}
_TIME_FIELDS = {
    "physical up": "last_up_time",
    "physical down": "last_down_time",
    "line protocol up": "last_protocol_up_time",
}


def _state(text: str) -> tuple[str, int | None]:
    """`UP (ifindex: 9)` -> ("UP", 9); `UP ,` -> "UP"; `UP (spoofing)` keeps its note."""
    if "(ifindex" not in text:  # the usual protocol line: no regex needed
        return text.strip().rstrip(" ,."), None
    match = _STATE.fullmatch(text.strip())
    if match is None:  # pragma: no cover - the pattern matches any string
        return text.strip(), None
    return match[1], int(match[2]) if match[2] else None


def _time(text: str) -> str | None:
    """`2023-08-27 06:12:59+03:00` as printed; `-` (never happened) -> None."""
    text = text.strip()
    return None if not text or text == "-" else text


def _counter_line(fields: dict[str, Any], line: str, section: str | None) -> str | None:
    """`Input: ...` / `Output: ...` lines; returns the section the following lines are in."""
    is_input = line[0] == "I"
    rest = line[5:7] if is_input else line[6:8]
    if rest[:1] == ":":
        direction = "input" if is_input else "output"
        match = _COUNTERS.match(line)
        if match is None:  # VRP8 physical: a bare `Input:` heads the per-cast section
            return direction
        keys = _KEYS[direction]
        if fields[keys[0]] is None:
            first, first_unit, second, second_unit = match.group(2, 3, 4, 5)
            bytes_first = first_unit[0] in "Bb"
            if second is None:  # NULL0 on VRP5: `Input: 0 bytes`
                if bytes_first:
                    fields[keys[0]] = int(first)
            elif bytes_first != (second_unit[0] in "Bb"):
                octets, packets = (first, second) if bytes_first else (second, first)
                fields[keys[0]] = int(octets)
                fields[keys[1]] = int(packets)
                if fields["counter_order"] is None:
                    fields["counter_order"] = "bytes-first" if bytes_first else "packets-first"
        return direction
    if rest == " p":  # `Input peak rate ...` / `Input packets:396,  39552 bytes` (VRP5 PPP)
        match = _PPP_COUNTERS.match(line)
        if match:
            direction = "input" if is_input else "output"
            keys = _KEYS[direction]
            if fields[keys[0]] is None:
                fields[keys[1]] = int(match[2])
                fields[keys[0]] = int(match[3])
            return direction
        return section
    match = _UTIL.match(line)
    if match and match[2] is not None:
        key = _KEYS["input" if is_input else "output"][5]
        if fields[key] is None:
            fields[key] = float(match[2])
    return section


def _time_line(fields: dict[str, Any], line: str) -> None:
    """`Last physical up time   : 2023-08-27 06:12:59+03:00`, `Last line protocol up time`."""
    match = _TIME.match(line)
    if match:
        key = _TIME_FIELDS[match[1]]
        if fields[key] is None:
            fields[key] = _time(match[2])


def _rate_line(fields: dict[str, Any], line: str) -> None:
    """`Last 300 seconds input rate: N bits/sec, M packets/sec` or the utility rate."""
    match = _RATE.match(line)
    if match is None:
        return
    keys = _KEYS[match[2]]
    if match[3] is not None:
        if fields[keys[3]] is None:
            fields[keys[3]] = int(match[3])
            fields[keys[4]] = int(match[4])
            if fields["rate_interval_seconds"] is None:
                fields["rate_interval_seconds"] = int(match[1])
    elif fields[keys[5]] is None:
        fields[keys[5]] = float(match[5])


def _number_line(fields: dict[str, Any], line: str, section: str | None) -> None:
    """Lines starting with a number: per-direction errors, VRP5 tunnel counters and rates."""
    match = _NUMBER_LINE.match(line)
    if match is None:
        _rate_line(fields, line)  # `300 seconds input rate 0 bits/sec, 0 packets/sec`
        return
    if match[2]:  # `0 errors,0 drops`: the direction is the section the line is in
        if section is not None and fields[_KEYS[section][2]] is None:
            fields[_KEYS[section][2]] = int(match[1])
    elif match[3]:  # `0 packets input,  0 bytes`
        keys = _KEYS[match[3]]
        if fields[keys[0]] is None:
            fields[keys[1]] = int(match[1])
            fields[keys[0]] = int(match[4])
    else:  # `0 input error`
        key = _KEYS[match[5]][2]
        if fields[key] is None:
            fields[key] = int(match[1])


def _other_line(fields: dict[str, Any], kind: int, line: str) -> None:
    """Identity lines: protocol, description, MTU, bandwidth, addresses, CRC."""
    match: re.Match[str] | None
    if kind == _MTU_LINE:  # most frequent kind, also carries bandwidth (`Current BW: 200M`)
        if fields["mtu"] is None and ("Unit" in line or "MTU" in line):
            match = _MTU.search(line)
            if match:
                fields["mtu"] = int(match[1])
        if fields["bandwidth"] is None and "BW:" in line and (match := _BANDWIDTH.search(line)):
            fields["bandwidth"] = match[1] or None
    elif kind == _PROTOCOL_LINE:
        if fields["protocol_state"] is None and (match := _PROTOCOL.match(line)):
            fields["protocol_state"] = _state(match[1])[0]
    elif kind == _DESCRIPTION_LINE:
        if fields["description"] is None and (match := _DESCRIPTION.match(line)):
            fields["description"] = match[1].strip()
    elif kind == _ADDRESS_LINE:
        if fields["internet_address"] is None and (match := _ADDRESS.match(line)):
            fields["internet_address"] = match[1]
    elif kind == _MAC_LINE:
        if fields["mac_address"] is None and (match := _MAC.search(line)):
            fields["mac_address"] = match[1]
    elif kind == _CRC_LINE and fields["crc_errors"] is None and (match := _CRC.search(line)):
        fields["crc_errors"] = int(match[1])


def _finish(
    name: str, state_text: str, fields: dict[str, Any], members: list[TrunkMember]
) -> InterfaceDetail:
    current_state, ifindex = _state(state_text)
    upper_state = current_state.upper()
    protocol_state = fields["protocol_state"]
    description = fields.pop("description")
    return InterfaceDetail(
        name=name,
        current_state=current_state,
        phy_up=upper_state.startswith("UP"),
        admin_down=upper_state.startswith("ADMINISTRATIVELY"),
        protocol_up=protocol_state.upper().startswith("UP") if protocol_state else None,
        ifindex=ifindex,
        description=description if description is not None else "",
        trunk_members=tuple(members),
        **fields,
    )


def parse_interface_detail(text: str) -> InterfaceDetails:
    """Parse `display interface [NAME]` into one :class:`InterfaceDetail` per block."""
    lines = clean_lines(text)
    dispatch = _DISPATCH.get
    blocks: list[InterfaceDetail] = []
    name: str | None = None
    state_text = ""
    fields: dict[str, Any] = {}
    members: list[TrunkMember] = []
    section: str | None = None  # `input` / `output`: which direction error lines belong to
    in_member_table = False
    for raw in lines:
        line = raw.lstrip()
        kind = dispatch(line[:4])
        if kind is None:  # headers, numbered lines, member rows; most lines end here
            if "current state" in line and (header := _HEADER.fullmatch(line)):
                if name is not None:
                    blocks.append(_finish(name, state_text, fields, members))
                name, state_text = header[1], header[2]
                fields, members, section, in_member_table = dict(_EMPTY_BLOCK), [], None, False
            elif name is None or not line:
                continue
            elif in_member_table and (member := _MEMBER.fullmatch(line)):
                weight = member[3]
                members.append(TrunkMember(member[1], member[2], int(weight) if weight else None))
            elif line[0] in _DIGITS:
                _number_line(fields, line, section)
        elif name is None:
            continue  # banner or notes before the first interface
        elif kind == _LAST_LINE:
            if line[5:6].isdigit():  # `Last 300 seconds input rate ...`
                _rate_line(fields, line)
            else:
                _time_line(fields, line)
        elif kind == _COUNTER_LINE:
            section = _counter_line(fields, line, section)
        elif kind == _ERROR_LINE:
            match = _TOTAL_ERROR.search(line)
            if match and section is not None and fields[_KEYS[section][2]] is None:
                fields[_KEYS[section][2]] = int(match[1])
        elif kind == _PORT_LINE:  # `Port BW: 10G, ...` or the trunk member table header
            if line.startswith("PortName"):
                in_member_table = True
            else:
                _other_line(fields, _MTU_LINE, line)
        else:
            _other_line(fields, kind, line)
    if name is None:
        raise unexpected_output("expected an interface block ('<name> current state : UP')", lines)
    blocks.append(_finish(name, state_text, fields, members))
    return InterfaceDetails(interfaces=tuple(blocks))


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display interface [<ifname>]",
        parse_interface_detail,
        "state, counters and rates of every interface (or of one)",
    ),
    CommandSpec(
        "display interface <ifname> extensive",
        parse_interface_detail,
        "one interface with extended statistics",
    ),
    CommandSpec(
        "display interface main",
        parse_interface_detail,
        "every main interface (no sub-interfaces)",
    ),
)
