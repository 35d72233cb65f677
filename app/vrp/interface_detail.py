"""Parser for `display interface [NAME]`: byte counters, rates and state of each interface.

This is the heaviest poll (30-40 lines per interface, thousands of interfaces on a BRAS).
The reader of record (`_read_lines`) makes one pass over the lines and dispatches on the
first four characters of each stripped line through a dict. Most lines (per-cast counters,
transceiver data) hit no entry and cost a dict lookup; only the dozen interesting lines of
a block run a regex, each on its own line. Output that passes a whole-text screen for
damage (no character VRP never prints) is first read by a scanner (`_scan_clean`): one
pattern per block whose alternatives each start with a literal, so the engine rejects an
uninteresting line after one comparison, and which captures the usual forms' values in
the same pass. It gives up (and the line reader reads the text) on anything it would not
take as read, so both give the same result for every text; tests/unit/vrp/
test_interface_scan.py checks that on every fixture and on garbled and mangled output.
Single-valued fields keep their first occurrence, so the IPv4/IPv6 sections of `extensive`
output do not overwrite the interface totals.

Two counter layouts exist and both are read:

* physical ports: `Last 300 seconds input rate: N bits/sec, M packets/sec` and
  `Input: N bytes, M packets` (bytes first);
* logical interfaces (Eth-Trunk, sub-interfaces, LoopBack) and VRP5 boxes:
  `Last 300 seconds input rate N bits/sec, ...` (no colon) and `Input: N packets,M bytes`
  (packets first, sometimes without a space).

Lines the parser does not know are ignored inside a block, since VRP releases keep adding
fields; text before the first `NAME current state :` header is ignored too (banners, notes).
Output without any header is not `display interface` output and raises ParseError.
Spacing around colons and commas may vary (`Input :   207592 bytes,   616 packets`).

Strict about damage: a value line is matched whole, so a damaged number is never read as a
shorter one. A block holding a damaged value line, a damaged line that may have been one
(a character VRP never prints where a known label was), or a second `Line protocol` line
(two blocks run together because a header was damaged) is left out with a warning naming
the interface; the other blocks are kept. Damage is found by one scan of the whole text
for such characters, so clean output pays nothing for the check.
"""

from __future__ import annotations

import re
from operator import itemgetter
from typing import Any

from app.domain.errors import ParseError
from app.domain.interfaces import InterfaceDetail, InterfaceDetails, TrunkMember
from app.domain.parsing import ParseWarning
from app.vrp.grammar import CommandSpec
from app.vrp.text import clean_lines, output_text, unexpected_output
from app.vrp.values import damaged_mention, has_junk

_A = re.ASCII
_HEADER = re.compile(r"(\d{0,3}[A-Za-z][\w./:|-]{0,63}) current state\s*:\s*(.*)", _A)
# `UP (ifindex: 9)`, `Administratively DOWN (ifindex: 8)....`, `UP ,`, `UP (spoofing)`.
_STATE = re.compile(r"(.*?)[\s,.]*(?:\(ifindex: *(\d{1,10})\)[\s,.]*)?", _A | re.DOTALL)
_STATE_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9 ():,./-]{0,47}", _A)
_INTERFACE = re.compile(r"(?:\d{2,3}\|\d{2,3}GE|[A-Za-z0-9])[A-Za-z0-9/.:_-]{0,63}", _A)
_PROTOCOL = re.compile(r"Line protocol current state\s*:\s*(.*)", _A)
_DESCRIPTION = re.compile(r"Description\s*:(.*)", _A)
# A number ends at a space, a comma or the line's end: `1%00` is damage, not `1`.
_END = r"(?![^\s,;])"
_MTU = re.compile(r"(?:Maximum Transmit Unit(?:\([^)]{0,8}\))?|The MTU) is (\d{1,6})" + _END, _A)
_BANDWIDTH = re.compile(r"(?:Port|Current) BW\s*:\s*([^,]*?)\s*(?:,|$)", _A)
_BANDWIDTH_VALUE = re.compile(r"\d{1,6}(?:\.\d{1,3})?\s?[KMGT]?(?:bps|bits|bit/s|b/s)?", _A)
_ADDRESS = re.compile(
    r"Internet (?:IPv6 )?Address is (?:negotiated, |allocated by DHCP, )?([0-9a-fA-F.:]+/\d{1,3})"
    + _END,
    _A,
)
_MAC = re.compile(r"Hardware address is ([^\s,]+)", _A)
# The usual line end, address checked in the same search (one regex for most blocks).
_MAC_CHECKED = re.compile(
    r"Hardware address is ([0-9a-fA-FxX]{4}-[0-9a-fA-FxX]{4}-[0-9a-fA-FxX]{4})\s*$", _A
)
# Documentation masks addresses as `xxxx-xxxx-xxxx`; those are kept as printed.
_MAC_VALUE = re.compile(
    r"[0-9a-fA-FxX]{4}-[0-9a-fA-FxX]{4}-[0-9a-fA-FxX]{4}|[0-9a-fA-F]{2}(?:[-:][0-9a-fA-F]{2}){5}",
    _A,
)
_TIME = re.compile(r"Last (physical up|physical down|line protocol up) time\s*:\s*(.*)", _A)
_TIME_LINE = re.compile(
    r"Last (physical up|physical down|line protocol up) time\s*:\s*"
    r"(-|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?: ?(?:UTC|DST)?[+-]\d{2}:\d{2}(?: DST)?| DST)?)\s*",
    _A,
)
_TIME_VALUE = re.compile(
    r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?: ?(?:UTC|DST)?[+-]\d{2}:\d{2}(?: DST)?| DST)?", _A
)
_RATE = re.compile(
    r"(?:Last )?(\d{1,6}) seconds (input|output) "
    r"(?:rate\s*:?\s*(?:\d+ bytes/sec\s*,?\s*)?(\d+) bits/sec\s*,?\s*(\d+) packets/sec\s*"
    r"|utility rate\s*:\s*(\d{1,3}(?:\.\d+)?)%\s*)",
    _A,
)
_COUNTERS = re.compile(
    r"(Input|Output)\s*:\s*(\d+)\s*([Bb]ytes|[Pp]ackets)(?:\s*,\s*(\d+)\s*([Bb]ytes|[Pp]ackets))?"
    r"\s*,?\s*",
    _A,
)
_UTIL = re.compile(r"(Input|Output) bandwidth utilization\s*:\s*(?:(\d{1,3}(?:\.\d+)?)%|--)\s*", _A)
# VRP5 PPP/dialer form: `Input packets:396,  39552 bytes`.
_PPP_COUNTERS = re.compile(r"(Input|Output) packets\s*:\s*(\d+),\s*(\d+) bytes\s*", _A)
# Lines that start with a number: `0 errors,0 drops` (logical layout, once per direction),
# `0 packets input,  0 bytes` and `0 input error` (VRP5 tunnels).
_NUMBER_LINE = re.compile(
    r"(\d+) (?:(errors)\b|packets (input|output), *(\d+) bytes|(input|output) errors?\b)", _A
)
_TOTAL_ERROR = re.compile(r"Total Error\s*:\s*(\d+)" + _END, _A)
_CRC = re.compile(r"CRC\s*:\s*(\d+)" + _END, _A)
_MEMBER = re.compile(r"(\S+) +(UP|DOWN)(?: +(\d{1,5}))?", _A)
# Characters VRP never prints in these lines (descriptions aside): damage. `%` and `~`
# are left out: utilisation and transceiver lines print them.
_JUNK_ASCII = "#&*@^|\\?!$"
_JUNK = re.compile(r"[^\t\n\r\x08\x1b\x20-\x7e]|[" + re.escape(_JUNK_ASCII) + "]")
# str.translate table deleting every character that is not damage: what is left over
# (usually nothing) says whether the slower per-line search is needed at all.
_NOT_JUNK = str.maketrans(
    "", "", "\t\n\r\x08\x1b" + "".join(chr(c) for c in range(32, 127) if chr(c) not in _JUNK_ASCII)
)
# Labels a damaged line may have carried (checked only for lines holding such characters).
_WATCHED = (
    "current state",
    "Line protocol",
    "Description",
    "Maximum Transmit Unit",
    "Internet Address",
    "Hardware address",
    "physical up time",
    "physical down time",
    "protocol up time",
    "seconds input rate",
    "seconds output rate",
    "utility rate",
    "Input:",
    "Output:",
    "Input",
    "Output",
    "bandwidth utilization",
    "CRC:",
    "Total Error",
    "errors",
    "BW:",
    "PortName",
    "packets",
    "bytes",
)

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
# InterfaceDetail fields between `description` and `trunk_members`, in declaration order.
_FIELD_ORDER = (
    "mtu",
    "bandwidth",
    "internet_address",
    "mac_address",
    "last_up_time",
    "last_down_time",
    "last_protocol_up_time",
    "rate_interval_seconds",
    "input_rate_bps",
    "input_rate_pps",
    "output_rate_bps",
    "output_rate_pps",
    "input_bytes",
    "input_packets",
    "output_bytes",
    "output_packets",
    "input_errors",
    "output_errors",
    "crc_errors",
    "input_util_percent",
    "output_util_percent",
)
_FIELDS_IN_ORDER = itemgetter(*_FIELD_ORDER)
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


class _Damage(Exception):
    """A value line of the current block is damaged; the block is left out."""


def _state(text: str) -> tuple[str, int | None]:
    """`UP (ifindex: 9)` -> ("UP", 9); `UP ,` -> "UP"; `UP (spoofing)` keeps its note."""
    known = _STATES.get(text)
    if known is not None:
        return known
    if "(ifindex" not in text:  # the usual protocol line: no regex needed
        state, ifindex = text.strip().rstrip(" ,."), None
    else:
        match = _STATE.fullmatch(text.strip())
        if match is None:  # pragma: no cover - the pattern matches any string
            raise _Damage(f"unreadable state {text!r}")
        state, ifindex = match[1], int(match[2]) if match[2] else None
    if state not in _STATE_TEXTS:  # `UP` of `UP (ifindex: 9)`: checked once per output
        if _STATE_TEXT.fullmatch(state) is None:
            raise _Damage(f"unreadable state {text.strip()!r}")
        if len(_STATE_TEXTS) < 64:
            _STATE_TEXTS.add(state)
    if ifindex is None and len(_STATES) < 64:
        _STATES[text] = (state, None)  # `UP`, `DOWN`, `Administratively DOWN`: read once
    return state, ifindex


_STATES: dict[str, tuple[str, int | None]] = {}
_STATE_TEXTS: set[str] = set()  # state texts `_STATE_TEXT` accepted


def _time(text: str) -> str | None:
    """`2023-08-27 06:12:59+03:00` as printed; `-` (never happened) -> None."""
    text = text.strip()
    if not text or text == "-":
        return None
    if _TIME_VALUE.fullmatch(text) is None:
        raise _Damage(f"unreadable time {text!r}")
    return text


def _counter_line(
    fields: dict[str, Any], line: str, section: str | None, suspect: bool
) -> str | None:
    """`Input: ...` / `Output: ...` lines; returns the section the following lines are in.

    `Input: 1234 bytes, 56 packets` (bytes first, physical ports), `Input: 56 packets,1234
    bytes` (packets first, logical interfaces), a bare `Input:` heading the per-cast
    section, VRP5 `Input packets:396,  39552 bytes` and `Input bandwidth utilization :
    0.05%`.
    """
    is_input = line[0] == "I"
    direction = "input" if is_input else "output"
    after = line[5:] if is_input else line[6:]
    if "utilization" in after:  # `Input bandwidth utilization  : 0.01%`
        match = _UTIL.fullmatch(line)
        if match:
            key = _KEYS[direction][5]
            if match[2] is not None and fields[key] is None:
                value = float(match[2])
                if value > 100.0:
                    raise _Damage(f"utilisation above 100%: {match[2]}")
                fields[key] = value
            return section
        if suspect:
            raise _Damage("damaged counter line")
        return section
    if after[:1] == ":" or after.lstrip()[:1] == ":":
        match = _COUNTERS.fullmatch(line)
        if match is not None:
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
        rest = after.lstrip()[1:].strip()
        if not rest:
            return direction  # VRP8 physical: a bare `Input:` heads the per-cast section
        if suspect or rest[:1].isdigit():
            raise _Damage("damaged counter line")
        return section
    if after.startswith(" packets"):
        match = _PPP_COUNTERS.fullmatch(line)
        if match:
            keys = _KEYS[direction]
            if fields[keys[0]] is None:
                fields[keys[1]] = int(match[2])
                fields[keys[0]] = int(match[3])
            return direction
    if suspect:
        raise _Damage("damaged counter line")
    return section


def _time_line(fields: dict[str, Any], line: str, suspect: bool) -> None:
    """`Last physical up time   : 2023-08-27 06:12:59+03:00`, `Last line protocol up time`."""
    match = _TIME_LINE.fullmatch(line)
    if match is not None:  # the usual form, checked in one go
        key = _TIME_FIELDS[match[1]]
        if fields[key] is None:
            value = match[2]
            fields[key] = None if value == "-" else value
        return
    match = _TIME.match(line)
    if match is None or suspect:
        if suspect:
            raise _Damage("damaged time line")
        return
    key = _TIME_FIELDS[match[1]]
    if fields[key] is None:
        value = match[2].strip()  # a time format not seen yet: kept as printed
        if has_junk(value):
            raise _Damage(f"unreadable time {value!r}")
        fields[key] = None if not value or value == "-" else value


def _rate_line(fields: dict[str, Any], line: str, suspect: bool) -> None:
    """`Last 300 seconds input rate: N bits/sec, M packets/sec` or the utility rate."""
    match = _RATE.fullmatch(line)
    if match is None:
        if suspect or ("seconds" in line and ("rate" in line or "utility" in line)):
            raise _Damage("damaged rate line")
        return
    keys = _KEYS[match[2]]
    if match[3] is not None:
        if fields[keys[3]] is None:
            fields[keys[3]] = int(match[3])
            fields[keys[4]] = int(match[4])
            if fields["rate_interval_seconds"] is None:
                fields["rate_interval_seconds"] = int(match[1])
    elif fields[keys[5]] is None:
        value = float(match[5])
        if value > 100.0:
            raise _Damage(f"utilisation above 100%: {match[5]}")
        fields[keys[5]] = value


def _number_line(fields: dict[str, Any], line: str, section: str | None, suspect: bool) -> None:
    """Lines starting with a number: per-direction errors, VRP5 tunnel counters and rates."""
    match = _NUMBER_LINE.match(line)
    if match is None:
        _rate_line(fields, line, suspect)  # `300 seconds input rate 0 bits/sec, ...`
        return
    if suspect:
        raise _Damage("damaged counter line")
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


def _error_line(fields: dict[str, Any], line: str, section: str | None, suspect: bool) -> None:
    """`Total Error: 0` or `Discard: 0,  Total Error: 0`, for the section's direction."""
    match = _TOTAL_ERROR.search(line)
    if match and section is not None and fields[_KEYS[section][2]] is None:
        fields[_KEYS[section][2]] = int(match[1])
    elif suspect:
        raise _Damage("damaged error counter line")


def _other_line(fields: dict[str, Any], kind: int, line: str, suspect: bool) -> None:
    """Identity lines: protocol, description, MTU, bandwidth, addresses, CRC."""
    match: re.Match[str] | None
    if kind == _MTU_LINE:  # most frequent kind, also carries bandwidth (`Current BW: 200M`)
        if suspect and ("Unit" in line or "MTU" in line or "BW" in line or "Hash" in line):
            raise _Damage("damaged MTU or bandwidth line")
        if fields["mtu"] is None and ("Unit" in line or "MTU" in line):
            match = _MTU.search(line)
            if match:
                fields["mtu"] = int(match[1])
        if fields["bandwidth"] is None and "BW" in line and (match := _BANDWIDTH.search(line)):
            value = match[1]
            if value and _BANDWIDTH_VALUE.fullmatch(value) is None:
                raise _Damage(f"unreadable bandwidth {value!r}")
            fields["bandwidth"] = value or None
    elif kind == _PROTOCOL_LINE:
        if match := _PROTOCOL.match(line):
            if fields["protocol_state"] is not None:
                raise _Damage("a second protocol line: two blocks ran together")
            fields["protocol_state"] = _state(match[1])[0]
        elif suspect:
            raise _Damage("damaged protocol line")
    elif kind == _DESCRIPTION_LINE:
        if fields["description"] is None and (match := _DESCRIPTION.match(line)):
            fields["description"] = match[1].strip()
    elif kind == _ADDRESS_LINE:
        if fields["internet_address"] is None and (match := _ADDRESS.match(line)):
            fields["internet_address"] = match[1]
        elif suspect and "Address" in line:
            raise _Damage("damaged address line")
    elif kind == _MAC_LINE:
        if fields["mac_address"] is None and (match := _MAC_CHECKED.search(line)):
            fields["mac_address"] = match[1]
        elif fields["mac_address"] is None and (match := _MAC.search(line)):
            if _MAC_VALUE.fullmatch(match[1]) is None:
                raise _Damage(f"unreadable hardware address {match[1]!r}")
            fields["mac_address"] = match[1]
        elif suspect:
            raise _Damage("damaged hardware address line")
    elif kind == _CRC_LINE:
        if fields["crc_errors"] is None and (match := _CRC.search(line)):
            fields["crc_errors"] = int(match[1])
        elif suspect:
            raise _Damage("damaged CRC line")


def _finish(
    name: str, state: tuple[str, int | None], fields: dict[str, Any], members: list[TrunkMember]
) -> InterfaceDetail:
    current_state, ifindex = state
    upper_state = current_state.upper()
    protocol_state = fields["protocol_state"]
    description = fields["description"]
    return InterfaceDetail(  # positional, in field order: thousands of blocks per poll
        name,
        current_state,
        upper_state.startswith("UP"),
        upper_state.startswith("ADMINISTRATIVELY"),
        protocol_state,
        protocol_state.upper().startswith("UP") if protocol_state else None,
        ifindex,
        description if description is not None else "",
        *_FIELDS_IN_ORDER(fields),
        tuple(members),
        fields["counter_order"],
    )


def _suspects(text: str) -> frozenset[str]:
    """The lines holding characters VRP never prints (one scan of the whole text)."""
    found: set[str] = set()
    for match in _JUNK.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.start())
        found.add(text[start : end if end >= 0 else len(text)].strip())
    return frozenset(found)


def parse_interface_detail(text: str) -> InterfaceDetails:
    """Parse `display interface [NAME]` into one :class:`InterfaceDetail` per block."""
    if text.translate(_NOT_JUNK):  # characters VRP never prints: find the damage line by line
        return _read_lines(text, _suspects(text))
    return _scan_clean(text) or _read_lines(text, frozenset())


def _read_lines(text: str, suspects: frozenset[str]) -> InterfaceDetails:
    """The reader of record: every line in turn, damage (``suspects``) reported per block."""
    lines = clean_lines(text)
    dispatch = _DISPATCH.get
    blocks: list[InterfaceDetail] = []
    warnings: list[ParseWarning] = []
    name: str | None = None
    state: tuple[str, int | None] = ("", None)
    fields: dict[str, Any] = {}
    members: list[TrunkMember] = []
    section: str | None = None  # `input` / `output`: which direction error lines belong to
    in_member_table = False
    damaged = False  # the current block holds a damaged line: it is left out
    check = bool(suspects)
    for index, raw in enumerate(lines):
        line = raw.lstrip()
        kind = dispatch(line[:4])
        suspect = check and line.rstrip() in suspects
        if kind is None:  # headers, numbered lines, member rows; most lines end here
            if "current state" in line and (header := _HEADER.fullmatch(line)):
                if name is not None and not damaged:
                    blocks.append(_finish(name, state, fields, members))
                name = header[1]
                fields, members, section, in_member_table = dict(_EMPTY_BLOCK), [], None, False
                damaged = suspect or _INTERFACE.fullmatch(name) is None
                if not damaged:
                    try:
                        state = _state(header[2])
                    except _Damage:
                        damaged = True
                if damaged:
                    warnings.append(ParseWarning(f"damaged header of {name}", raw, index + 1))
                continue
            if name is None:
                if suspect and _mentions_header(line):
                    warnings.append(ParseWarning("damaged interface header", raw, index + 1))
                continue
            if damaged or not line:
                continue
            if suspect and (label := _mentions(line)) is not None:
                damaged = True
                warnings.append(
                    ParseWarning(f"{name}: damaged line (may have held {label!r})", raw, index + 1)
                )
            elif in_member_table and (member := _MEMBER.fullmatch(line)):
                if _INTERFACE.fullmatch(member[1]) is None:
                    damaged = True
                    warnings.append(ParseWarning(f"{name}: damaged member row", raw, index + 1))
                    continue
                weight = member[3]
                members.append(TrunkMember(member[1], member[2], int(weight) if weight else None))
            elif line[0] in _DIGITS:
                try:
                    _number_line(fields, line, section, suspect)
                except _Damage as problem:
                    damaged = True
                    warnings.append(ParseWarning(f"{name}: {problem}", raw, index + 1))
            continue
        if name is None or damaged:
            continue  # banner or notes before the first interface, or a block left out
        try:
            if kind == _LAST_LINE:
                if line[5:6].isdigit():  # `Last 300 seconds input rate ...`
                    _rate_line(fields, line, suspect)
                else:
                    _time_line(fields, line, suspect)
            elif kind == _COUNTER_LINE:
                section = _counter_line(fields, line, section, suspect)
            elif kind == _ERROR_LINE:
                _error_line(fields, line, section, suspect)
            elif kind == _PORT_LINE:  # `Port BW: 10G, ...` or the trunk member table header
                if line.startswith("PortName"):
                    in_member_table = True
                else:
                    _other_line(fields, _MTU_LINE, line, suspect)
            else:
                _other_line(fields, kind, line, suspect)
        except _Damage as problem:
            damaged = True
            warnings.append(ParseWarning(f"{name}: {problem}", raw, index + 1))
    if name is None:
        raise unexpected_output("expected an interface block ('<name> current state : UP')", lines)
    if not damaged:
        blocks.append(_finish(name, state, fields, members))
    if not blocks:
        first = warnings[0]
        raise ParseError(
            f"no interface block could be read ({first.message})",
            line=first.line,
            line_number=first.line_number,
        )
    return InterfaceDetails(interfaces=tuple(blocks), warnings=tuple(warnings))


# The scanner of clean output. Text without one character VRP never prints (the screen in
# parse_interface_detail) holds no damage a per-line look could find, so each interface
# block is read with one pattern that picks out, in C, just the lines that can set a
# value, the usual forms with their values already captured. Every line it passes over
# is one the line reader passes over too; the lines it takes in another form go to the
# line reader's own functions. Whatever the scanner would not take as read (a damaged
# value, a doubtful header) sends the whole text to the line reader, which reports it:
# both readers give the same result for every text (tests/unit/vrp/test_interface_scan.py
# checks it on garbled and reshuffled output).
#
# Costs that shape the pattern (CPython's engine): an alternative whose first item is a
# literal or a character class is skipped for the price of one comparison when the line
# starts otherwise, so every alternative starts with one, grouped by first letter; and a
# match object copies every group of the pattern, so the pattern keeps to 24 groups (a
# match then fits Python's small-object allocator). The last group an alternative fills
# says which one matched (`match.lastindex`); the alternatives without groups are the
# lines handed to the line reader.
_EOL = r"[ \t]*$"
_END_NUMBER = r"(?![^\s,;])"
_MAC_FORM = r"[0-9a-fA-FxX]{4}-[0-9a-fA-FxX]{4}-[0-9a-fA-FxX]{4}"
_SOME_IDENTITY = r"(?=[^\n]*(?:Unit|MTU|BW))[^\n]*"  # an MTU or bandwidth in another form
_SCAN_FORMS = (
    # `Last 300 seconds input rate: N bits/sec, M packets/sec` (colon and bytes/sec
    # optional), the utility rate, the three times; any other `Last` line as it is.
    r"L(?:ast (?P<seconds>\d{1,6}) seconds (?P<direction>input|output) (?:rate[ \t]*:?[ \t]*"
    r"(?:\d+ bytes/sec[ \t]*,?[ \t]*)?(?P<bps>\d+) bits/sec[ \t]*,?[ \t]*(?P<pps>\d+) packets/sec"
    r"|utility rate[ \t]*:[ \t]*(?P<utility>\d{1,3}(?:\.\d+)?)%)"
    + _EOL
    + r"|ast (?P<time_label>physical up|physical down|line protocol up) time"
    + r"[ \t]*:[ \t]*(?P<time>-|"
    + _TIME_VALUE.pattern
    + ")"
    + _EOL
    + r"|ast[^\n]*"
    + r"|ine protocol current state[ \t]*:[ \t]*(?P<protocol>[^\n]*))",
    # `Input: N bytes, M packets` (either order), a bare `Input:` heading the per-cast
    # section, `Input bandwidth utilization : 0.01%`; the `p` group marks input.
    r"[IO](?:n(?P<input>p)ut|utput)"
    r"(?:[ \t]*:[ \t]*(?P<first>\d+)[ \t]*(?P<first_unit>[Bb]ytes|[Pp]ackets)"
    r"(?:[ \t]*,[ \t]*(?P<second>\d+)[ \t]*(?P<second_unit>[Bb]ytes|[Pp]ackets))?[ \t]*,?"
    + _EOL
    + r"|[ \t]*(?P<heading>:)"
    + _EOL
    + r"| bandwidth utilization[ \t]*:[ \t]*(?P<util>\d{1,3}(?:\.\d+)?%|--)"
    + _EOL
    + ")",
    r"I(?:nternet (?:IPv6 )?Address is (?:negotiated, |allocated by DHCP, )?"
    r"(?P<address>[0-9a-fA-F.:]+/\d{1,3})"
    + _END_NUMBER
    + rf"|P Sending Frames' Format is [A-Z0-9_]+, Hardware address is (?P<mac>{_MAC_FORM})"
    + _EOL
    + r"|npu[^\n](?:[ \t]*:| packets)[^\n]*|P S[^\n]*Hardware address is [^\n]*)",
    r"Outp[^\n]{2}(?:[ \t]*:| packets)[^\n]*",
    r"D(?:escription[ \t]*:(?P<description>[^\n]*)"
    r"|iscard[ \t]*:[ \t]*\d+,[ \t]*Total Error[ \t]*:[ \t]*(?P<discard>\d+)"
    + _END_NUMBER
    + r"|isc(?=[^\n]*Total Error)[^\n]*)",
    r"[RT](?:oute Port,The|he) Maximum Transmit Unit(?:\([^)\n]{0,8}\))? is (?P<mtu>\d{1,6})"
    + _END_NUMBER
    + r"[^\n]*",
    r"T(?:otal Error[ \t]*:[ \t]*(?P<total>\d+)"
    + _END_NUMBER
    + r"|ota[^\n]*|he "
    + _SOME_IDENTITY
    + "|PID"
    + _SOME_IDENTITY
    + ")",
    r"P(?:ort BW[ \t]*:[ \t]*(?P<bandwidth>[^,\n]*?)[ \t]*(?:,|$)[^\n]*|ortName[^\n]*|ort"
    + _SOME_IDENTITY
    + "|VID"
    + _SOME_IDENTITY
    + r"|hyE[^\n]*)",
    r"C(?:RC:[ \t]*(?P<crc>\d+)" + _END_NUMBER + r"|RC:[^\n]*|urr" + _SOME_IDENTITY + ")",
    "Rout" + _SOME_IDENTITY,
    "Swit" + _SOME_IDENTITY,
    "Hash" + _SOME_IDENTITY,
    "M, T" + _SOME_IDENTITY,
    # `0 errors,0 drops`; VRP5 tunnel counters (`0 packets input, 0 bytes`) and rates.
    r"\d(?:\d*+ errors\b(?P<errors>)|(?=\d*+ (?:packets (?:input|output), *\d+ bytes"
    r"|(?:input|output) errors?\b)|[^\n]*seconds)[^\n]*)",
)
# Below a trunk's `PortName Status Weight` header a line may also be a member row.
_MEMBER_FORM = r"\S\S*+ +(?P<member>UP|DOWN)(?: +\d{1,5})?" + _EOL
_SCAN = re.compile(r"\n[ \t]*+(?:" + "|".join(_SCAN_FORMS) + ")", _A | re.MULTILINE)
_SCAN_MEMBERS = re.compile(
    r"\n[ \t]*+(?:" + "|".join((*_SCAN_FORMS, _MEMBER_FORM)) + ")", _A | re.MULTILINE
)
# The last group each form fills says which form matched.
_S = _SCAN_MEMBERS.groupindex
_S_PPS, _S_UTILITY, _S_TIME, _S_PROTOCOL = _S["pps"], _S["utility"], _S["time"], _S["protocol"]
_S_INPUT, _S_FIRST_UNIT, _S_SECOND_UNIT = _S["input"], _S["first_unit"], _S["second_unit"]
_S_HEADING, _S_UTIL, _S_ADDRESS, _S_MAC = _S["heading"], _S["util"], _S["address"], _S["mac"]
_S_DESCRIPTION, _S_DISCARD, _S_MTU, _S_TOTAL = (
    _S["description"],
    _S["discard"],
    _S["mtu"],
    _S["total"],
)
_S_BANDWIDTH, _S_CRC, _S_ERRORS, _S_MEMBER = _S["bandwidth"], _S["crc"], _S["errors"], _S["member"]

_S_UNITS = frozenset((_S_FIRST_UNIT, _S_SECOND_UNIT))
_S_TOTALS = frozenset((_S_TOTAL, _S_DISCARD))
# (The branches below test the forms in order of how often VRP prints them.)

_HEADER_MARK = " current state"


def _headers(body: str) -> list[tuple[int, int, str, str]] | None:
    """(line start, line end, name, state text) of each block header, in order; None when
    a header is doubtful (the line reader reads and reports it)."""
    found: list[tuple[int, int, str, str]] = []
    find, rfind, size = body.find, body.rfind, len(body)
    at = find(_HEADER_MARK)
    while at >= 0:
        if at >= 13 and body.startswith("Line protocol", at - 13):
            # Never a header: `protocol` is no name at the start of its line.
            at = find(_HEADER_MARK, at + 14)
            continue
        start = rfind("\n", 0, at) + 1
        end = find("\n", at)
        end = size if end < 0 else end
        line = body[start:end].strip()
        if line[:4] not in _DISPATCH and (header := _HEADER.fullmatch(line)) is not None:
            if _INTERFACE.fullmatch(header[1]) is None:
                return None
            found.append((start, end, header[1], header[2]))
        at = find(_HEADER_MARK, end)
    return found


def _scan_clean(text: str) -> InterfaceDetails | None:
    """Read screened output block by block; None when the line reader must read it."""
    body = output_text(text)
    headers = _headers(body)
    if not headers:
        return None
    blocks: list[InterfaceDetail] = []
    ends = [start - 1 for start, _, _, _ in headers[1:]]
    ends.append(len(body))
    try:
        for (_, header_end, name, state_text), block_end in zip(headers, ends, strict=True):
            fields = dict(_EMPTY_BLOCK)
            members: list[TrunkMember] = []
            state = _state(state_text)
            if not _scan_block(body, header_end, block_end, fields, members):
                return None
            blocks.append(_finish(name, state, fields, members))
    except _Damage:
        return None
    return InterfaceDetails(interfaces=tuple(blocks))


def _scan_block(
    body: str, start: int, end: int, fields: dict[str, Any], members: list[TrunkMember]
) -> bool:
    """Set the values of the block `body[start:end]` (from its header's line end).

    False for a damaged value; raises _Damage where a line reader function does."""
    section: str | None = None  # `input` / `output`: which direction error lines belong to
    pattern = _SCAN
    while True:
        for match in pattern.finditer(body, start, end):
            kind = match.lastindex
            if kind == _S_PPS:
                seconds, direction, bps, pps = match.group(1, 2, 3, 4)
                keys = _KEYS[direction]
                if fields[keys[3]] is None:
                    fields[keys[3]] = int(bps)
                    fields[keys[4]] = int(pps)
                    if fields["rate_interval_seconds"] is None:
                        fields["rate_interval_seconds"] = int(seconds)
            elif kind == _S_TIME:
                label, value = match.group(kind - 1, kind)
                key = _TIME_FIELDS[label]
                if fields[key] is None:
                    fields[key] = None if value == "-" else value
            elif kind in _S_UNITS:
                section = "input" if match[_S_INPUT] else "output"
                keys = _KEYS[section]
                if fields[keys[0]] is None:
                    first, first_unit, second, second_unit = match.group(
                        _S_FIRST_UNIT - 1, _S_FIRST_UNIT, _S_SECOND_UNIT - 1, _S_SECOND_UNIT
                    )
                    bytes_first = first_unit[0] in "Bb"
                    if second is None:  # NULL0 on VRP5: `Input: 0 bytes`
                        if bytes_first:
                            fields[keys[0]] = int(first)
                    elif bytes_first != (second_unit[0] in "Bb"):
                        octets, packets = (first, second) if bytes_first else (second, first)
                        fields[keys[0]] = int(octets)
                        fields[keys[1]] = int(packets)
                        if fields["counter_order"] is None:
                            fields["counter_order"] = (
                                "bytes-first" if bytes_first else "packets-first"
                            )
            elif kind == _S_HEADING:
                section = "input" if match[_S_INPUT] else "output"
            elif kind == _S_UTIL:
                value = match[kind]
                key = _KEYS["input" if match[_S_INPUT] else "output"][5]
                if value != "--" and fields[key] is None:
                    number = float(value[:-1])
                    if number > 100.0:
                        return False
                    fields[key] = number
            elif kind == _S_UTILITY:
                keys = _KEYS[match[_S_PPS - 2]]
                if fields[keys[5]] is None:
                    value = float(match[kind])
                    if value > 100.0:
                        return False
                    fields[keys[5]] = value
            elif kind == _S_PROTOCOL:
                if fields["protocol_state"] is not None:
                    return False  # two blocks ran together
                fields["protocol_state"] = _state(match[kind].rstrip())[0]
            elif kind == _S_DESCRIPTION:
                if fields["description"] is None:
                    fields["description"] = match[kind].strip()
            elif kind == _S_MAC:
                if fields["mac_address"] is None:
                    fields["mac_address"] = match[kind]
            elif kind == _S_MTU:
                if "BW" in match[0]:
                    _other_line(fields, _MTU_LINE, match[0].strip(), False)
                elif fields["mtu"] is None:
                    fields["mtu"] = int(match[kind])
            elif kind == _S_ADDRESS:
                if fields["internet_address"] is None:
                    fields["internet_address"] = match[kind]
            elif kind == _S_CRC:
                if fields["crc_errors"] is None:
                    fields["crc_errors"] = int(match[kind])
            elif kind in _S_TOTALS:
                if section is not None and fields[_KEYS[section][2]] is None:
                    fields[_KEYS[section][2]] = int(match[kind])
            elif kind == _S_BANDWIDTH:
                line = match[0]
                if "Unit" in line or "MTU" in line:
                    _other_line(fields, _MTU_LINE, line.strip(), False)
                elif fields["bandwidth"] is None:
                    value = match[kind]
                    if value and _BANDWIDTH_VALUE.fullmatch(value) is None:
                        return False
                    fields["bandwidth"] = value or None
            elif kind == _S_ERRORS:
                if section is not None and fields[_KEYS[section][2]] is None:
                    fields[_KEYS[section][2]] = int(match[0].split(None, 1)[0])
            elif kind == _S_MEMBER:
                line = match[0].strip()
                if line[:4] in _DISPATCH:
                    continue  # a line the line reader takes by its first word (and passes over)
                row = _MEMBER.fullmatch(line)
                if row is None or _INTERFACE.fullmatch(row[1]) is None:
                    return False
                weight = row[3]
                members.append(TrunkMember(row[1], row[2], int(weight) if weight else None))
            else:  # a line in another form: read as the line reader reads it
                line = match[0].strip()
                line_kind = _DISPATCH.get(line[:4])
                if line_kind == _LAST_LINE:
                    if line[5:6].isdigit():
                        _rate_line(fields, line, False)
                    else:
                        _time_line(fields, line, False)
                elif line_kind == _COUNTER_LINE:
                    section = _counter_line(fields, line, section, False)
                elif line_kind == _ERROR_LINE:
                    _error_line(fields, line, section, False)
                elif line_kind is None:
                    _number_line(fields, line, section, False)
                elif not line.startswith("PortName"):
                    _other_line(fields, line_kind, line, False)
                elif pattern is _SCAN:  # member rows may follow: read on with them
                    start, pattern = match.end(), _SCAN_MEMBERS
                    break
        else:
            return True


def _mentions(line: str) -> str | None:
    """The watched label a damaged line may have carried, if any."""
    return next((label for label in _WATCHED if damaged_mention(line, label)), None)


def _mentions_header(line: str) -> bool:
    return damaged_mention(line, "current state")


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
