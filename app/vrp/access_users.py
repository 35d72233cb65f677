"""Parsers for `display access-user ...`: online counts, user tables and per-slot counts.

The user table prints two lines per user (`UserID Username Interface IP MAC` then
`Vlan IPv6 AccessType`); older layouts print one line with an `IPv6 address` column, or a
second line with only the IPv6 address. The header tells which, so it is read first.
Usernames may contain spaces (`trunk 0/2/1:4096.28...`), so a row is read from both ends.
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError
from app.domain.subscribers import (
    AccessUser,
    AccessUserCounters,
    AccessUserList,
    AccessUserSlots,
    SlotUsers,
)
from app.vrp.grammar import CommandSpec
from app.vrp.names import normalise_interface_name
from app.vrp.text import clean_lines, unexpected_output

# `name : 123` pairs; a line may hold several (`Slot : 1   Total  user : 1`). A name starts
# a word and may start with a digit (`802.1x authentication : 0`).
_PAIR = re.compile(r"(?<!\S)([A-Za-z0-9][A-Za-z0-9 ()./_+-]*?)\s*:\s*(\d{1,20})(?=\s|$)")
_SEPARATOR = re.compile(r"^\s*[-=]{5,}\s*$")
_TOTAL_USERS_KEY = re.compile(
    r"^(?:the\s+)?total\s+(?:number\s+of\s+)?(?:online\s+)?users?(?:\s+number)?(?:\s+is)?$",
    re.IGNORECASE,
)
_TABLE_HEADER = re.compile(r"^\s*UserID\s+Username\b", re.IGNORECASE)
_NO_USERS = re.compile(r"\bno\b.*\busers?\b|\busers?\b.*\bnot\s+exist", re.IGNORECASE)
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
# H-H-H or XX-XX-XX-XX-XX-XX; one published example has a stray seventh digit at the end.
_MAC = re.compile(
    r"^(?:[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}|[0-9a-f]{2}(?:[-:][0-9a-f]{2}){5}[0-9a-f]?)$",
    re.IGNORECASE,
)
_IPV6 = re.compile(r"^[0-9a-f:]*:[0-9a-f:.]*(?:/\d{1,3})?$", re.IGNORECASE)
_VLAN = re.compile(r"^(\d{1,4}|-)/(\d{1,4}|-)$")
# `GE0/1/2.1`, `Eth-Trunk100.3150`, `100GE0/1/0.20`, `Virtual-Template1:0`.
_INTERFACE = re.compile(r"^(?:\d{2,3}GE|[A-Za-z][A-Za-z-]*)\d[\d/.:]*$", re.IGNORECASE)
_USER_ID = re.compile(r"^[0-9]{1,12}$")
_SLOT_LINE = re.compile(r"^\s*Slot\s*:\s*(\S+)\s+Total\s+users?\s*:\s*(\d{1,20})\s*$", re.I)


def _key(name: str) -> str:
    """A counter name as printed, with runs of spaces collapsed."""
    return " ".join(name.split())


def _int(text: str, line: str, line_number: int) -> int:
    try:
        return int(text)
    except ValueError:
        raise ParseError("expected a number", line=line, line_number=line_number) from None


def _pairs(line: str) -> list[tuple[str, int]]:
    return [(_key(name), int(value)) for name, value in _PAIR.findall(line.strip())]


def _none_if_dash(value: str) -> str | None:
    """VRP prints `-` (or `-/-` for a VLAN pair) where a value is absent."""
    return None if value in {"-", "--", "-/-", ""} else value


# ---------------------------------------------------------------------------- counters


def parse_access_user_counters(text: str) -> AccessUserCounters:
    """`display access-user online-total[-number]` and `summary`: every `name : N` pair.

    No verbatim capture of these commands is known, so the parser is deliberately lenient:
    titles, separators and prose are skipped. Output with neither a total nor any count is
    not this command's output and raises :class:`ParseError`.
    """
    lines = clean_lines(text)
    total: int | None = None
    counters: dict[str, int] = {}
    for line in lines:
        for name, value in _pairs(line):
            if total is None and _TOTAL_USERS_KEY.match(name):
                total = value
            else:
                counters.setdefault(name, value)
    if total is None and not counters:
        raise unexpected_output("expected `Total users : N` or other `name : number` counts", lines)
    return AccessUserCounters(total_users=total, counters=counters)


# ---------------------------------------------------------------------------- user table


def _second_line_columns(header: str) -> tuple[str, ...]:
    """Which fields the per-user second line carries, from the second header line."""
    lowered = header.lower()
    columns: list[str] = []
    if "vlan" in lowered:
        columns.append("vlan")
    if "ipv6" in lowered:
        columns.append("ipv6")
    if "access" in lowered:
        columns.append("access_type")
    return tuple(columns)


def _split_row(tokens: list[str], ipv6_in_row: bool) -> tuple[list[str], list[str]] | None:
    """Split row tokens into (username words, [interface, ip, mac(, ipv6)]) or None.

    The tail is anchored on an interface-like token followed by an IPv4 (or `-`) and a MAC
    (or `-`); a trailing IPv6 address (or `-`) is accepted even where the header has no
    such column, as in several published examples.
    """
    candidates = (4, 3) if ipv6_in_row else (3, 4)
    for width in candidates:
        start = len(tokens) - width
        if start < 2:
            continue
        tail = tokens[start:]
        interface, ip, mac = tail[0], tail[1], tail[2]
        if not (_INTERFACE.match(interface) or interface == "-"):
            continue
        if not (_IPV4.match(ip) or ip == "-"):
            continue
        if not (_MAC.match(mac) or mac == "-"):
            continue
        if width == 4 and not (_IPV6.match(tail[3]) or tail[3] in {"-", "--"}):
            continue
        return tokens[1:start], tail
    return None


def _vlan_numbers(vlan: str | None) -> tuple[int | None, int | None]:
    match = _VLAN.match(vlan or "")
    if not match:
        return None, None
    pe, ce = match.groups()
    return (None if pe == "-" else int(pe)), (None if ce == "-" else int(ce))


def parse_access_user_list(text: str) -> AccessUserList:
    """`display access-user [domain X | interface X | username X]`: the user table.

    Returns an empty list only when the footer says `Total users : 0` or the router says
    there is no such user.
    """
    lines = clean_lines(text)
    header_index = next((i for i, line in enumerate(lines) if _TABLE_HEADER.match(line)), None)
    if header_index is None:
        return _no_table(lines)
    ipv6_in_row = "ipv6" in lines[header_index].lower()
    index = header_index + 1
    second_columns: tuple[str, ...] = ()
    # An optional second header line before the separator names the second-line fields.
    if index < len(lines) and lines[index].strip() and not _SEPARATOR.match(lines[index]):
        second_columns = _second_line_columns(lines[index])
        if not second_columns:
            raise ParseError(
                "expected the second access-user header line",
                line=lines[index],
                line_number=index + 1,
            )
        index += 1
    users: list[AccessUser] = []
    counters: dict[str, int] = {}
    total: int | None = None
    in_footer = False
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        index += 1
        if not stripped or _SEPARATOR.match(line):
            continue
        pairs = _pairs(line)
        if pairs and not _USER_ID.match(stripped.split()[0]):
            in_footer = True
            for name, value in pairs:
                if total is None and _TOTAL_USERS_KEY.match(name):
                    total = value
                else:
                    counters.setdefault(name, value)
            continue
        if in_footer:
            # Prose after the footer (a trailing mangled prompt, an `Info:` line) is harmless.
            continue
        user, index = _read_user(lines, index - 1, ipv6_in_row, second_columns)
        users.append(user)
    if not users and total is None:
        raise ParseError(
            "expected access-user rows or a `Total users` footer",
            line=lines[header_index],
            line_number=header_index + 1,
        )
    return AccessUserList(users=tuple(users), total_users=total, counters=counters)


def _read_user(
    lines: list[str], index: int, ipv6_in_row: bool, second_columns: tuple[str, ...]
) -> tuple[AccessUser, int]:
    """Read one user starting at ``lines[index]``; return it and the next line index."""
    line = lines[index]
    tokens = line.split()
    split = _split_row(tokens, ipv6_in_row) if tokens and _USER_ID.match(tokens[0]) else None
    if split is None:
        raise ParseError("expected an access-user row", line=line, line_number=index + 1)
    username_words, tail = split
    fields: dict[str, str | None] = {"ipv6": _none_if_dash(tail[3]) if len(tail) == 4 else None}
    index += 1
    if second_columns:
        if index >= len(lines):
            raise ParseError(
                "expected the second line of an access-user row", line=line, line_number=index
            )
        second = lines[index].split()
        if len(second) != len(second_columns) or (second and _USER_ID.match(second[0]) is not None):
            raise ParseError(
                "expected the second line of an access-user row",
                line=lines[index],
                line_number=index + 1,
            )
        for column, value in zip(second_columns, second, strict=True):
            fields[column] = _none_if_dash(value)
        vlan = fields.get("vlan")
        if vlan is not None and not _VLAN.match(vlan):
            raise ParseError("expected `PeVlan/CeVlan`", line=lines[index], line_number=index + 1)
        index += 1
    interface = _none_if_dash(tail[0])
    pe_vlan, ce_vlan = _vlan_numbers(fields.get("vlan"))
    user = AccessUser(
        user_id=int(tokens[0]),
        username=_none_if_dash(" ".join(username_words)),
        interface=interface,
        ipv4=_none_if_dash(tail[1]),
        mac=_none_if_dash(tail[2]),
        vlan=fields.get("vlan"),
        ipv6=fields.get("ipv6"),
        access_type=fields.get("access_type"),
        interface_name=normalise_interface_name(interface) if interface else None,
        pe_vlan=pe_vlan,
        ce_vlan=ce_vlan,
    )
    return user, index


def _no_table(lines: list[str]) -> AccessUserList:
    """Output without a table: only a positive `no user` message is an empty result."""
    if any(_NO_USERS.search(line) for line in lines):
        return AccessUserList(users=(), total_users=0)
    raise unexpected_output("expected the access-user table header (UserID Username ...)", lines)


# ---------------------------------------------------------------------------- per slot


def parse_access_user_slot(text: str) -> AccessUserSlots:
    """`display access-user slot [N]`: `Slot : 1  Total  user : 1` then one count per line."""
    lines = clean_lines(text)
    slots: list[SlotUsers] = []
    current: tuple[str, int, dict[str, int]] | None = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or _SEPARATOR.match(line):
            continue
        slot_match = _SLOT_LINE.match(line)
        if slot_match:
            if current:
                slots.append(SlotUsers(current[0], current[1], current[2]))
            current = (slot_match.group(1), _int(slot_match.group(2), line, number), {})
            continue
        pairs = _pairs(line)
        if current is None or not pairs:
            raise ParseError(
                "expected `Slot : N  Total user : N` and per-type counts",
                line=line,
                line_number=number,
            )
        for name, value in pairs:
            current[2].setdefault(name, value)
    if current is None:
        raise ParseError("expected `Slot : N  Total user : N`, got no output")
    slots.append(SlotUsers(current[0], current[1], current[2]))
    return AccessUserSlots(slots=tuple(slots))


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display access-user online-total",
        parse_access_user_counters,
        "number of online subscribers",
    ),
    CommandSpec(
        "display access-user online-total-number [domain <word>]",
        parse_access_user_counters,
        "number of online subscribers (of a domain)",
    ),
    CommandSpec("display access-user summary", parse_access_user_counters, "subscriber counts"),
    CommandSpec("display access-user", parse_access_user_list, "all online subscribers"),
    CommandSpec(
        "display access-user domain <word>",
        parse_access_user_list,
        "online subscribers of a domain",
    ),
    CommandSpec(
        "display access-user interface <ifname>",
        parse_access_user_list,
        "online subscribers on an interface",
    ),
    CommandSpec(
        "display access-user username [<word>]",
        parse_access_user_list,
        "online subscribers by user name",
    ),
    CommandSpec(
        "display access-user slot [<slot>]",
        parse_access_user_slot,
        "online subscribers per slot and authentication type",
    ),
)
