"""Parsers for `display access-user ...`: online counts, user tables, per-user detail.

Shapes, each read through the shared key/value and table readers:

* counts (`online-total[-number]`, `summary`, `ip-type ipv4 summary`): `Total users : 9`
  and any other `name : number` pair. Where the router prints `Normal users`, `RUI Local
  users` and `RUI Remote users`, they must add up to `Total users`.
* plain `display access-user` on VRP8: the same counts, then a `Domain-name Online-user`
  table (`lsh : 9` or `lsh  9`) whose rows must add up to `Total users`. Older releases
  print the user table instead; its footer gives the counts.
* the user table (`display access-user domain|interface|username X`): the header names the
  columns (`UserID Username Interface IP address MAC [IPv6 address]`) and an optional
  second header line the fields of a second line per user (`Vlan IPv6 address Access
  type`). User names may hold spaces (`trunk 0/2/1:4096.28...`), so a row is read from
  both ends. The footer repeats the counts (`Total users : N`, or `Total N`).
* per-user detail (`... verbose`, `ip-address X`, `mac-address X`, `user-id N`): blocks
  of `Key : value` lines, one per user, each starting at `User access index`, optionally
  split into sections (`Basic:`, `AAA:`, `ACL&QoS:`).

Every value is checked (user ids and counts are numbers, addresses are addresses, names
use VRP's characters and at most one `@`); a user whose lines are damaged is left out
with a warning and never lends a value to the next one. The counts are whatever labels the
router prints, so any damaged line among them is a warning (it may have held a count).
Circuit and line ids (`Agent-Circuit-Id : VWXY`ab`) are free text written by the access
node: only what VRP cannot print is damage there. `Info: No online user!` is zero users.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.domain.errors import ParseError
from app.domain.parsing import ParseWarning
from app.domain.subscribers import (
    AccessUser,
    AccessUserCounters,
    AccessUserDetail,
    AccessUserDetails,
    AccessUserList,
    AccessUserSlots,
    SlotUsers,
)
from app.vrp.grammar import CommandSpec
from app.vrp.keyvalue import SECTION_TITLE, Block, Pair, read_blocks, read_record, split_pairs
from app.vrp.names import normalise_interface_name
from app.vrp.table import Column, Table, is_rule
from app.vrp.text import clean_lines, unexpected_output
from app.vrp.values import (
    INTERFACE_CHARS,
    NAME_CHARS,
    NO_VALUE,
    BadValue,
    has_junk,
    integer,
    ipv4,
    ipv6,
    is_clean,
    is_stray,
    mac,
    timestamp,
    username,
    vrp_name,
)

_TOTAL_USERS_KEY = re.compile(
    r"^(?:the\s+)?total\s+(?:number\s+of\s+)?(?:online\s+)?users?(?:\s+number)?$",
    re.IGNORECASE,
)
_RUI = ("normal users", "rui local users", "rui remote users")
_NO_USERS = re.compile(r"\bno\b.*\busers?\b|\busers?\b.*\bnot\s+exist", re.IGNORECASE)
_COUNT_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ()./_+-]*", re.ASCII)
_WATCHED_COUNTS = ("Total users", "users", "authentication", "Total")


def _none_if_dash(value: str) -> str | None:
    """VRP prints `-` (or `-/-` for a VLAN pair) where a value is absent."""
    return None if value in {"-", "--", "-/-", ""} else value


# ------------------------------------------------------------------------------ counters


def _count_pairs(
    lines: list[str], skip: set[int] | frozenset[int] = frozenset()
) -> tuple[int | None, dict[str, int], list[ParseWarning], Pair | None]:
    """Every `name : number` pair: (total users, other counts, warnings, total's pair)."""
    total: int | None = None
    total_pair: Pair | None = None
    counters: dict[str, int] = {}
    warnings: list[ParseWarning] = []
    record = read_record(lines, _WATCHED_COUNTS, skip=skip)
    reported: set[int] = set()
    for pair in record.block.pairs.values():
        if not pair.value or (not pair.value[:1].isdigit() and pair.value[:1] != "-"):
            if pair.value and has_junk(pair.value):
                warnings.append(
                    ParseWarning(f"damaged count {pair.value!r}", pair.line, pair.index + 1)
                )
                reported.add(pair.index)
            continue
        try:
            value = integer(pair.value)
            if _COUNT_LABEL.fullmatch(pair.label) is None:
                raise BadValue(f"damaged label {pair.label!r}")
        except BadValue as problem:
            if pair.value[:1].isdigit() or has_junk(pair.value):
                warnings.append(ParseWarning(str(problem), pair.line, pair.index + 1))
                reported.add(pair.index)
            continue
        if total is None and _TOTAL_USERS_KEY.match(pair.label):
            total, total_pair = value, pair
        else:
            counters.setdefault(pair.label, value)
    for pair in record.block.repeated:
        if (
            pair.value.isdigit()
            and pair.label not in counters
            and not _TOTAL_USERS_KEY.match(pair.label)
        ):
            counters[pair.label] = int(pair.value)
    for label, index, line in record.suspects:
        if index not in skip and index not in reported:
            warnings.append(
                ParseWarning(f"damaged line (may have held {label!r})", line, index + 1)
            )
            reported.add(index)
    # The counts are whatever the router prints, so any other damaged line may have
    # carried one: `Lac users : ~`, `Domain fibr! : 24`.
    for index, line in enumerate(lines):
        if index not in skip and index not in reported and has_junk(line) and not is_rule(line):
            warnings.append(ParseWarning("damaged line (may have held a count)", line, index + 1))
    return total, counters, warnings, total_pair


def _check_rui_sum(total: int | None, counters: dict[str, int], where: Pair | None) -> None:
    """`Normal` + `RUI Local` + `RUI Remote` users make up `Total users` when all printed."""
    lowered = {label.lower(): value for label, value in counters.items()}
    parts = [lowered.get(key) for key in _RUI]
    if total is None or any(part is None for part in parts):
        return
    added = sum(part for part in parts if part is not None)
    if added != total:
        raise ParseError(
            f"Normal and RUI users add up to {added}, `Total users` says {total}",
            line=where.line if where else None,
            line_number=where.index + 1 if where else None,
        )


def parse_access_user_counters(text: str) -> AccessUserCounters:
    """`display access-user online-total[-number]` and `summary`: every `name : N` pair.

    Titles, separators and prose are skipped. Output with neither a total nor any count
    is not this command's output and raises :class:`ParseError`; so does a damaged line
    that may have held `Total users`.
    """
    lines = clean_lines(text)
    total, counters, warnings, total_pair = _count_pairs(lines)
    if total is None and not counters and any(_NO_USERS.search(line) for line in lines):
        return AccessUserCounters(total_users=0, counters={})  # `Info: No online user!`
    if total is None:
        for warning in warnings:
            if "Total users" in warning.message:
                raise ParseError(
                    warning.message, line=warning.line, line_number=warning.line_number
                )
    if total is None and not counters:
        raise unexpected_output("expected `Total users : N` or other `name : number` counts", lines)
    _check_rui_sum(total, counters, total_pair)
    return AccessUserCounters(total_users=total, counters=counters, warnings=tuple(warnings))


# ----------------------------------------------------------- plain `display access-user`

DOMAIN_ROWS = Table(
    Column.of("domain", "domain-name", "domain name"),
    Column.of("online", "online-user", "online-users", "online user", "online users"),
)
_DOMAIN_ROW = re.compile(r"^\s*(?P<name>\S+)\s+(?::\s*)?(?P<online>\S+)\s*$")


def parse_access_user(text: str) -> AccessUserCounters:
    """Plain `display access-user`: the VRP8 summary, or an older release's user table.

    The VRP8 summary gives ``total_users``, the other counts and ``domains`` (online users
    per domain, from the `Domain-name Online-user` rows, which must add up to the total).
    When the router prints the user table instead, its footer gives the counts.
    """
    lines = clean_lines(text)
    if TABLE_HEAD.find_header(lines) is not None:
        listing = parse_access_user_list(text)
        return AccessUserCounters(
            total_users=listing.total_users,
            counters=dict(listing.counters),
            warnings=listing.warnings,
        )
    found = DOMAIN_ROWS.find_header(lines)
    domains: dict[str, int] = {}
    warnings: list[ParseWarning] = []
    table_lines: set[int] = set()
    damaged = DOMAIN_ROWS.damaged_header(lines) if found is None else None
    if damaged is not None:
        # The rows under a damaged header are domains, not counts: left out, with a word.
        warnings.append(
            ParseWarning(
                "damaged table header: the domains are left out", damaged[1], damaged[0] + 1
            )
        )
        end = next((i for i in range(damaged[0] + 2, len(lines)) if is_rule(lines[i])), len(lines))
        table_lines.update(range(damaged[0], end))
    if found is not None:
        header_index = found[0]
        index = header_index + 1
        if index < len(lines) and is_rule(lines[index]):
            index += 1
        while index < len(lines) and not is_rule(lines[index]):
            line = lines[index]
            table_lines.add(index)
            index += 1
            if not line.strip():
                continue
            match = _DOMAIN_ROW.match(line)
            try:
                if match is None:
                    raise BadValue("expected `domain : online users`")
                name = vrp_name(match["name"], NAME_CHARS)
                if name in domains:
                    raise BadValue(f"domain {name!r} printed twice")
                domains[name] = integer(match["online"])
            except BadValue as problem:
                warnings.append(ParseWarning(str(problem), line, index))
        table_lines.update(range(header_index, index))
    total, counters, count_warnings, total_pair = _count_pairs(lines, table_lines)
    warnings = count_warnings + warnings
    if total is None:
        for warning in warnings:
            if "Total users" in warning.message:
                raise ParseError(
                    warning.message, line=warning.line, line_number=warning.line_number
                )
        raise unexpected_output("expected `Total users : N` (the access-user summary)", lines)
    if domains and not warnings and sum(domains.values()) != total:
        raise ParseError(
            f"the domains' online users add up to {sum(domains.values())}, "
            f"`Total users` says {total}",
            line=total_pair.line if total_pair else None,
            line_number=total_pair.index + 1 if total_pair else None,
        )
    _check_rui_sum(total, counters, total_pair)
    return AccessUserCounters(
        total_users=total, counters=counters, domains=domains, warnings=tuple(warnings)
    )


# ---------------------------------------------------------------------------- user table

TABLE_HEAD = Table(
    Column.of("userid", "userid", "user id"),
    Column.of("username", "username", "user name", spaces=True),
    Column.of("interface"),
    Column.of("ip", "ip address", "ipv4 address"),
    Column.of("mac"),
    Column.of("ipv6", "ipv6 address", required=False),
)
SECOND_LINE = Table(
    Column.of("vlan", "vlan", "pevlan/cevlan", required=False),
    Column.of("ipv6", "ipv6 address", required=False),
    Column.of("access_type", "access type", "accesstype", required=False),
    any_of=("vlan", "ipv6", "access_type"),
)
_VLAN = re.compile(r"^(\d{1,4}|-)/(\d{1,4}|-)$")
_ACCESS_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,15}", re.ASCII)
_USER_ID = re.compile(r"^[0-9]{1,12}$")
# `GE0/1/2.1`, `Eth-Trunk100.3150`, `100GE0/1/0.20`, `Virtual-Template1:0`.
_INTERFACE = re.compile(r"^(?:\d{2,3}GE|[A-Za-z][A-Za-z-]*)\d[\d/.:]*$", re.IGNORECASE)
_FOOTER_TOTAL = re.compile(r"^\s*Total\s+(\d{1,9})\s*$", re.IGNORECASE)


def _user_name(words: list[str]) -> str | None:
    """The user name cell (it may hold spaces; `...` marks one cut by the router)."""
    name = " ".join(words)
    if name in NO_VALUE:
        return None
    if len(words) > 1 and any(is_stray(word) for word in words):
        raise BadValue(f"damage in the user name {name!r}")
    return username(name)


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
        interface, ip, address = tail[0], tail[1], tail[2]
        if not (_INTERFACE.match(interface) or interface == "-"):
            continue
        if ip != "-" and not _is(ipv4, ip):
            continue
        if address != "-" and not _is(mac, address):
            continue
        if width == 4 and not (tail[3] in {"-", "--"} or _is(ipv6, tail[3])):
            continue
        return tokens[1:start], tail
    return None


def _is(check: Callable[[str], str], value: str) -> bool:
    try:
        check(value)
    except BadValue:
        return False
    return True


def _vlan_numbers(vlan: str | None) -> tuple[int | None, int | None]:
    match = _VLAN.match(vlan or "")
    if not match:
        return None, None
    pe, ce = match.groups()
    return (None if pe == "-" else int(pe)), (None if ce == "-" else int(ce))


def _user(tokens: list[str], second: dict[str, str], ipv6_in_row: bool) -> AccessUser:
    """One user from its first line's words and its second line's fields."""
    split = _split_row(tokens, ipv6_in_row) if tokens and _USER_ID.match(tokens[0]) else None
    if split is None:
        raise BadValue("expected `UserID Username Interface IP MAC`")
    name_words, tail = split
    fields: dict[str, str | None] = {"ipv6": _none_if_dash(tail[3]) if len(tail) == 4 else None}
    for key, value in second.items():
        fields[key] = _none_if_dash(value)
    vlan = fields.get("vlan")
    if vlan is not None and not _VLAN.match(vlan):
        raise BadValue(f"expected `PeVlan/CeVlan`, got {vlan!r}")
    if fields.get("ipv6") is not None:
        ipv6(fields["ipv6"] or "")
    access_type = fields.get("access_type")
    if access_type is not None and _ACCESS_TYPE.fullmatch(access_type) is None:
        raise BadValue(f"not an access type: {access_type!r}")
    interface = _none_if_dash(tail[0])
    if interface is not None:
        vrp_name(interface, INTERFACE_CHARS)
    pe_vlan, ce_vlan = _vlan_numbers(vlan)
    return AccessUser(
        user_id=int(tokens[0]),
        username=_user_name(name_words),
        interface=interface,
        ipv4=_none_if_dash(tail[1]),
        mac=_none_if_dash(tail[2]),
        vlan=vlan,
        ipv6=fields.get("ipv6"),
        access_type=access_type,
        interface_name=normalise_interface_name(interface) if interface else None,
        pe_vlan=pe_vlan,
        ce_vlan=ce_vlan,
    )


def _is_second_line(line: str, columns: int) -> bool:
    """A per-user second line: indented, no user id first, as many words as its header."""
    words = line.split()
    return (
        bool(words)
        and line[:1].isspace()
        and not _USER_ID.match(words[0])
        and (len(words) == columns)
    )


def parse_access_user_list(text: str) -> AccessUserList:
    """`display access-user [domain X | interface X | username X]`: the user table.

    Returns an empty list only when the footer says `Total users : 0` or the router says
    there is no such user. A user whose lines do not read is left out with a warning.
    """
    lines = clean_lines(text)
    warnings: list[ParseWarning] = []
    found = TABLE_HEAD.locate(lines, warnings)
    if found is None:
        return _no_table(lines)
    header_index, header = found
    ipv6_in_row = header.has("ipv6")
    index = header_index + 1
    second_header = None
    # An optional second header line before the separator names the second-line fields.
    if index < len(lines) and lines[index].strip() and not is_rule(lines[index]):
        second_header = SECOND_LINE.header(lines[index])
        if second_header is None:
            raise ParseError(
                "expected the second access-user header line",
                line=lines[index],
                line_number=index + 1,
            )
        if second_header.damaged:
            warnings.append(
                ParseWarning("damaged table header: a column may be lost", lines[index], index + 1)
            )
        index += 1
    second_width = second_header.cell_count if second_header is not None else 0
    users: list[AccessUser] = []
    footer_start: int | None = None
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if not stripped or is_rule(line):
            index += 1
            continue
        words = stripped.split()
        if not _USER_ID.match(words[0]) and (split_pairs(line) or _FOOTER_TOTAL.match(line)):
            footer_start = index
            break
        first_at = index
        index += 1
        second: dict[str, str] = {}
        try:
            if second_header is not None:
                if index >= len(lines) or not _is_second_line(lines[index], second_width):
                    raise BadValue("expected the second line of an access-user row")
                second = second_header.cells(lines[index])
                index += 1
            users.append(_user(words, second, ipv6_in_row))
        except BadValue as problem:
            warnings.append(ParseWarning(str(problem), line, first_at + 1))
            # A damaged first line still owns the second line below it.
            if (
                second_header is not None
                and index < len(lines)
                and index == first_at + 1
                and _is_second_line(lines[index], second_width)
            ):
                index += 1
    total: int | None = None
    counters: dict[str, int] = {}
    if footer_start is not None:
        total_match = next(
            (m for line in lines[footer_start:] if (m := _FOOTER_TOTAL.match(line))), None
        )
        footer = lines[footer_start:]
        total, counters, footer_warnings, total_pair = _count_pairs(footer)
        warnings.extend(
            ParseWarning(w.message, w.line, (w.line_number or 0) + footer_start)
            for w in footer_warnings
        )
        if total is None and total_match is not None:
            total = int(total_match[1])
        _check_rui_sum(total, counters, total_pair)
    if not users and total is None:
        if warnings:
            first = warnings[0]
            raise ParseError(
                f"expected an access-user row ({first.message})",
                line=first.line,
                line_number=first.line_number,
            )
        raise ParseError(
            "expected access-user rows or a `Total users` footer",
            line=lines[header_index],
            line_number=header_index + 1,
        )
    return AccessUserList(
        users=tuple(users), total_users=total, counters=counters, warnings=tuple(warnings)
    )


def _no_table(lines: list[str]) -> AccessUserList:
    """Output without a table: only a positive `no user` message is an empty result."""
    if any(_NO_USERS.search(line) for line in lines):
        return AccessUserList(users=(), total_users=0)
    raise unexpected_output("expected the access-user table header (UserID Username ...)", lines)


# --------------------------------------------------------------------- per-user detail

_DETAIL_START = ("user access index",)
_DETAIL_WATCHED = (
    "User access index",
    "User name",
    "Domain name",
    "User access interface",
    "User access PeVlan/CeVlan",
    "User access slot",
    "User MAC",
    "User IP address",
    "User IPv6 address",
    "User access type",
    "Online time",
    "Access start time",
)
# Printed once per user: seeing one twice means a block lost its first line.
_ONCE_PER_USER = frozenset(
    {"user name", "user mac", "user ip address", "user access interface", "domain name"}
)
_ANNOTATION = re.compile(r"^(?P<value>[^()\s]+)\((?P<note>[A-Za-z ]{1,16})\)$")
_ONLINE = re.compile(r"^(\d{1,7}):([0-5]\d):([0-5]\d)$")
_STATE = re.compile(r"[A-Za-z][A-Za-z/-]{0,23}", re.ASCII)
_AUTH = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./-]{0,47}", re.ASCII)
_SLOT = re.compile(r"\d{1,4}(?:/\d{1,3})?", re.ASCII)


def _optional(pair: Pair | None, check: Callable[[str], str] | None = None) -> str | None:
    if pair is None or pair.value in NO_VALUE or pair.value in {"-/-", ""}:
        return None
    value = pair.value
    if check is not None:
        return check(value)
    if not is_clean(value):
        raise BadValue(f"damaged value {value!r}")
    return value


def _address(value: str, check: Callable[[str], str]) -> str:
    """`172.16.28.143(Radius)`: the address without the router's note."""
    match = _ANNOTATION.match(value)
    return check(match["value"] if match else value)


def _pattern(pattern: re.Pattern[str], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if pattern.fullmatch(value) is None:
            raise BadValue(f"not {what}: {value!r}")
        return value

    return check


def _online_seconds(value: str) -> int:
    match = _ONLINE.match(value)
    if match is None:
        raise BadValue(f"expected an online time h:min:sec, got {value!r}")
    hours, minutes, seconds = (int(part) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _damaged_detail_line(line: str) -> bool:
    """A detail line holding damage: `@` belongs in names only, `&` in section titles;
    circuit and line ids are free text, where only what VRP cannot print is damage."""
    if not has_junk(line) or SECTION_TITLE.match(line):
        return False
    label = line.partition(":")[0].lower()
    if any(word in label for word in _FREE_TEXT_LABELS):
        return not is_clean(line)
    return has_junk(line.replace("@", "")) or "name" not in label


# Labels of values the access node writes (any printable text): `Agent-Circuit-Id :
# VWXY`ab`, `Access-line-id Information(dhcpv6)`.
_FREE_TEXT_LABELS = ("circuit-id", "remote-id", "access-line-id", "option")


def _detail(block: Block) -> AccessUserDetail:
    pairs = block.pairs
    get = pairs.pairs.get
    repeated = [pair for pair in pairs.repeated if pair.key in _ONCE_PER_USER]
    if repeated:
        raise BadValue(f"{repeated[0].label!r} printed twice in one user (blocks ran together)")
    index = get("user access index")
    if index is None:
        raise BadValue("expected `User access index`")
    interface = _optional(get("user access interface"), lambda value: value)
    if interface is not None:
        vrp_name(interface.replace(" ", ""), INTERFACE_CHARS)
    vlan = _optional(get("user access pevlan/cevlan"))
    if vlan is not None and not _VLAN.match(vlan):
        raise BadValue(f"expected `PeVlan/CeVlan`, got {vlan!r}")
    pe_vlan, ce_vlan = _vlan_numbers(vlan)
    online = get("online time (h:min:sec)") or get("online time")
    start = _optional(get("access start time"), timestamp)
    fields = {pair.label: pair.value for pair in pairs.pairs.values()}
    name = _optional(get("user name"), username)
    domain = _optional(get("domain name"), lambda value: vrp_name(value, NAME_CHARS))
    return AccessUserDetail(
        user_id=integer(index.value),
        username=name,
        domain=domain,
        interface=interface,
        interface_name=normalise_interface_name(interface) if interface else None,
        physical_interface=_optional(
            get("user access physical interface"),
            lambda value: vrp_name(value, INTERFACE_CHARS),
        ),
        vlan=vlan,
        pe_vlan=pe_vlan,
        ce_vlan=ce_vlan,
        slot=_optional(get("user access slot"), _pattern(_SLOT, "a slot")),
        mac=_optional(get("user mac"), mac),
        ipv4=_optional(get("user ip address"), lambda value: _address(value, ipv4)),
        ipv6=_optional(get("user ipv6 address"), lambda value: _address(value, ipv6)),
        ipv6_prefix=_optional(get("user ipv6 pd prefix"), lambda value: _address(value, ipv6)),
        access_type=_optional(get("user access type"), _pattern(_ACCESS_TYPE, "an access type")),
        authentication=_optional(
            get("user authentication type"), _pattern(_AUTH, "an authentication type")
        ),
        state=_optional(get("state"), _pattern(_STATE, "a user state")),
        online_seconds=None if _optional(online) is None else _online_seconds(online.value),  # type: ignore[union-attr]
        access_start=start,
        fields=fields,
    )


def parse_access_user_detail(text: str) -> AccessUserDetails:
    """`display access-user ... verbose`, `ip-address X`, `mac-address X`, `user-id N`.

    One :class:`AccessUserDetail` per `User access index` block; a block with a damaged
    line, or that ran into the next, is left out with a warning. No block at all is an
    error unless the router says there is no such user.
    """
    lines = clean_lines(text)
    blocks, warnings = read_blocks(lines, _DETAIL_START, _DETAIL_WATCHED)
    users: list[AccessUserDetail] = []
    for number, block in enumerate(blocks):
        if block.damage is None:
            # `fields` keeps every value as printed, so any damaged line spoils the user.
            end = blocks[number + 1].start if number + 1 < len(blocks) else len(lines)
            block.damage = next(
                (
                    ParseWarning("damaged line", lines[index], index + 1)
                    for index in range(block.start, end)
                    if _damaged_detail_line(lines[index])
                ),
                None,
            )
        if block.damage is not None:
            warnings.append(block.damage)
            continue
        try:
            users.append(_detail(block))
        except BadValue as problem:
            warnings.append(ParseWarning(str(problem), lines[block.start], block.start + 1))
    if not users:
        if warnings:
            first = warnings[0]
            raise ParseError(
                f"no user could be read ({first.message})",
                line=first.line,
                line_number=first.line_number,
            )
        if any(_NO_USERS.search(line) for line in lines):
            return AccessUserDetails(users=())
        raise unexpected_output("expected `User access index : N` blocks", lines)
    return AccessUserDetails(users=tuple(users), warnings=tuple(warnings))


# ---------------------------------------------------------------------------- per slot

_SLOT_LINE = re.compile(r"^\s*Slot\s*:\s*(\S+)\s+Total\s+users?\s*:\s*(\S+)\s*$", re.I)


def parse_access_user_slot(text: str) -> AccessUserSlots:
    """`display access-user slot [N]`: `Slot : 1  Total  user : 1` then one count per line.

    A slot whose lines are damaged is left out with a warning; its counts must add up to
    its total.
    """
    lines = clean_lines(text)
    slots: list[SlotUsers] = []
    warnings: list[ParseWarning] = []
    current: tuple[str, int, dict[str, int], int] | None = None
    damaged = False

    def close() -> None:
        nonlocal current, damaged
        if current is not None and not damaged:
            name, total, counts, at = current
            if counts and sum(counts.values()) != total:
                warnings.append(
                    ParseWarning(
                        f"slot {name}: counts add up to {sum(counts.values())}, total {total}",
                        lines[at],
                        at + 1,
                    )
                )
            else:
                slots.append(SlotUsers(name, total, counts))
        current, damaged = None, False

    for number, line in enumerate(lines):
        if not line.strip() or is_rule(line):
            continue
        slot_match = _SLOT_LINE.match(line)
        if slot_match:
            close()
            try:
                current = (
                    vrp_name(slot_match.group(1), NAME_CHARS | frozenset("/")),
                    integer(slot_match.group(2)),
                    {},
                    number,
                )
            except BadValue as problem:
                warnings.append(ParseWarning(str(problem), line, number + 1))
                current, damaged = ("?", 0, {}, number), True
            continue
        pairs = split_pairs(line)
        if current is None:
            if "slot" in line.lower() or not is_clean(line):
                warnings.append(ParseWarning("damaged slot line", line, number + 1))
                continue
            raise ParseError(
                "expected `Slot : N  Total user : N` and per-type counts",
                line=line,
                line_number=number + 1,
            )
        try:
            if not pairs:
                raise BadValue("expected `name : number`")
            for label, value in pairs:
                if _COUNT_LABEL.fullmatch(" ".join(label.split())) is None:
                    raise BadValue(f"damaged label {label!r}")
                current[2].setdefault(" ".join(label.split()), integer(value))
        except BadValue as problem:
            warnings.append(ParseWarning(str(problem), line, number + 1))
            damaged = True
    close()
    if not slots:
        if warnings:
            first = warnings[0]
            raise ParseError(first.message, line=first.line, line_number=first.line_number)
        raise ParseError("expected `Slot : N  Total user : N`, got no output")
    return AccessUserSlots(slots=tuple(slots), warnings=tuple(warnings))


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
    CommandSpec(
        "display access-user ip-type <word> summary",
        parse_access_user_counters,
        "subscriber counts of one IP stack",
    ),
    CommandSpec(
        "display access-user domain <word> summary",
        parse_access_user_counters,
        "subscriber counts of a domain",
    ),
    CommandSpec(
        "display access-user",
        parse_access_user,
        "online subscribers: totals and users per domain",
    ),
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
        "display access-user domain <word> verbose",
        parse_access_user_detail,
        "every subscriber of a domain in detail",
    ),
    CommandSpec(
        "display access-user username <word> verbose",
        parse_access_user_detail,
        "a subscriber in detail, by user name",
    ),
    CommandSpec(
        "display access-user ip-address <word> [vpn-instance <word>]",
        parse_access_user_detail,
        "the subscriber holding an IP address, in detail",
    ),
    CommandSpec(
        "display access-user mac-address <word> [interface <ifname> [pevlan <int> [cevlan <int>]]]",
        parse_access_user_detail,
        "the subscriber with a MAC address, in detail",
    ),
    CommandSpec(
        "display access-user user-id <int> [verbose]",
        parse_access_user_detail,
        "a subscriber in detail, by user index",
    ),
    CommandSpec(
        "display access-user slot [<slot>]",
        parse_access_user_slot,
        "online subscribers per slot and authentication type",
    ),
)
