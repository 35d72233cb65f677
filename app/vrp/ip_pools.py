"""Parsers for address-pool usage: `display ip pool [name X]`, `display ip pool-group` and
`display ip-pool pool-usage`.

`display ip pool` prints one block per pool (`Pool-Name : ...`, then an `IP address
Statistic` block with `Total/Used/Free/.../Ratio`) and a box-wide block at the end;
`display ip pool name X` prints one pool's attributes and a section table (`ID start end
total used idle ...`). Switches (VRP5, CloudEngine) print `Pool-name`, an `Address
Statistic: Total :253 Used :1` block with `Idle` for free, and a `Start End Total Used
Idle(Expired)` section table. All are read by one block parser through the shared
key/value and table readers, so a pool's counts come from whichever form was printed.

The pool counts feed the pool-usage alerts, so damage is never read as a figure:

* every number, percentage, address and name is checked (:mod:`app.vrp.values`);
* a pool whose block holds a damaged line, or a label printed twice (the sign of a block
  that lost its `Pool-Name` line and ran into its neighbour), is left out with a warning;
* used and free may not exceed total, and the box-wide `IP address Statistic` must equal
  the sum of the pools printed above it (when every pool was read).

Option values (`Option-value : boot\\x64\\wdsnbp.com`) are free text: there only what VRP
cannot print at all is damage. `pool-usage` names may carry the threshold mark of
`... all-threshold` (`Lsh(up)`, `Test(low)`), kept as printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from app.domain.errors import ParseError
from app.domain.parsing import ParseWarning
from app.domain.subscribers import IpPool, IpPoolList
from app.vrp.grammar import CommandSpec
from app.vrp.keyvalue import Pair, PairBlock, is_damaged_label, mentions, normalise_key, split_pairs
from app.vrp.table import BadRow, Column, Header, Table, is_rule
from app.vrp.text import clean_lines, unexpected_output
from app.vrp.values import (
    NAME_CHARS,
    BadValue,
    has_junk,
    integer,
    ipv4,
    is_clean,
    is_no_value,
    optional_percent,
    percent,
    vrp_name,
)

POOL_START = ("pool-name", "pool name")
GROUP_START = ("pool-group name",)
# Labels whose loss would lose a figure or attribute of a pool.
_WATCHED = (
    "Pool-Name",
    "Pool-name",
    "Pool name",
    "Pool-Group name",
    "Pool-No",
    "Position",
    "Status",
    "Gateway",
    "Mask",
    "Vpn instance",
    "IP address Statistic",
    "IP address pool Statistic",
    "Address Statistic",
    "Total",
    "Used",
    "Free",
    "Idle",
    "Ratio",
)
# Printed once per pool: seeing one twice means a block lost its first line and ran into
# the next. (`Status` is not here: a remote pool also prints its DHCP server's status.)
_ONCE_PER_POOL = frozenset(
    {"pool-no", "position", "mask", "total", "used", "free", "idle", "ratio", "total idle"}
)
# `IP address Statistic`, `IP address pool Statistic` (box-wide counts of pools by kind)
# and the switch form `All IP pool address statistic`.
_TITLE = re.compile(
    r"^\s*(?:IP\s+address\s+(pool\s+)?|All\s+IP\s+pool\s+address\s+)Statistic\s*$",
    re.IGNORECASE,
)
# `display ip pool name X` section tables: VRP8 routers and VRP5/CE switches.
SECTIONS = Table(
    Column.of("id", "id", required=False),
    Column.of("start", "start", "subnet"),
    Column.of("end", "end", "mask"),
    Column.of("total"),
    Column.of("used"),
    Column.of("idle", "idle", "idle(expired)"),
)
_SECTION_KEYS = frozenset({"id", "start", "end", "total", "used", "idle", "status"})
_LISTING = re.compile(r"^\s*(?:ID|Index)\s+(?!start\b|subnet\b)\S", re.IGNORECASE)
_SECTION_LABEL = re.compile(r"^\s*(?:Section\s+\d+\s*:|Network section)\s*$", re.IGNORECASE)
_IDLE = re.compile(r"(\d{1,20})(?:\((\d{1,20})\))?")
_USAGE_TOTAL = re.compile(r"^\s*Total\s+statistics\b", re.IGNORECASE)
USAGE = Table(
    Column.of("name", "domain name", "domain-name", "pool name", "vpn-instance name"),
    Column.of("poollen"),
    Column.of("used"),
    Column.of("ratio"),
)


class _Damaged(Exception):
    """A pool block that cannot be trusted; the message and line say why."""

    def __init__(self, message: str, line: str, index: int) -> None:
        super().__init__(message)
        self.warning = ParseWarning(message, line, index + 1)


@dataclass
class _Block:
    """What has been read of one pool so far."""

    name: Pair
    attributes: PairBlock = field(default_factory=PairBlock)
    statistic: PairBlock = field(default_factory=PairBlock)
    sections: dict[str, int] = field(default_factory=dict)
    section_rows: int = 0
    damage: ParseWarning | None = None

    def damaged(self, message: str, line: str, index: int) -> None:
        if self.damage is None:
            self.damage = ParseWarning(message, line, index + 1)


def _number(pair: Pair | None) -> int | None:
    if pair is None or is_no_value(pair.value):
        return None
    try:
        return integer(pair.value)
    except BadValue as problem:
        raise _Damaged(str(problem), pair.line, pair.index) from None


def _text(pair: Pair | None, check=None) -> str | None:
    if pair is None or is_no_value(pair.value) or not pair.value:
        return None
    if check is None:
        if not is_clean(pair.value):
            raise _Damaged(f"damaged value {pair.value!r}", pair.line, pair.index)
        return pair.value
    try:
        return check(pair.value)
    except BadValue as problem:
        raise _Damaged(str(problem), pair.line, pair.index) from None


def _word(value: str) -> str:
    """`Local`, `Unlocked`: one word of letters."""
    return vrp_name(value, NAME_CHARS)


def _pool(block: _Block) -> IpPool:
    """The pool a block describes; _Damaged when a figure cannot be trusted."""
    if block.damage is not None:
        raise _Damaged(block.damage.message, block.damage.line, (block.damage.line_number or 1) - 1)
    repeated = [
        pair
        for pair in block.attributes.repeated + block.statistic.repeated
        if pair.key in _ONCE_PER_POOL
    ]
    if repeated:
        first = repeated[0]
        raise _Damaged(
            f"{first.label!r} printed twice in one pool (a block ran into the next)",
            first.line,
            first.index,
        )
    name = _text(block.name, lambda value: vrp_name(value, NAME_CHARS))
    if name is None:
        raise _Damaged("expected a pool name", block.name.line, block.name.index)
    attrs, stats = block.attributes, block.statistic
    counters: dict[str, int] = {}
    for pair in (*attrs.pairs.values(), *stats.pairs.values()):
        if pair.value.isdigit() and pair.value.isascii():
            counters[pair.label] = int(pair.value)
    if len(stats):
        total, used = _number(stats.get("total")), _number(stats.get("used"))
        free = _number(stats.get("free", "idle"))
        ratio_pair = stats.get("ratio")
        ratio = None
        if ratio_pair is not None:
            try:
                ratio = optional_percent(ratio_pair.value)
            except BadValue as problem:
                raise _Damaged(str(problem), ratio_pair.line, ratio_pair.index) from None
        if total is None or used is None:
            anchor = next(iter(stats.pairs.values()))
            raise _Damaged("pool statistic without Total and Used", anchor.line, anchor.index)
        where = stats.get("used") or block.name
    elif block.section_rows:
        counters.update(block.sections)
        total, used = block.sections.get("total"), block.sections.get("used")
        free, ratio = block.sections.get("idle"), None
        where = block.name
    else:
        total, used, ratio = None, None, None
        free = _number(attrs.get("total idle"))
        where = block.name
    for figure, label in ((used, "used"), (free, "free")):
        if figure is not None and total is not None and figure > total:
            raise _Damaged(f"{label} ({figure}) exceeds total ({total})", where.line, where.index)
    return IpPool(
        name=name,
        total=total,
        used=used,
        free=free,
        usage_percent=ratio,
        pool_no=_number(attrs.get("pool-no", "index", "pool number")),
        position=_text(attrs.get("position"), _word),
        status=_text(attrs.get("status"), _word),
        gateway=_text(attrs.get("gateway", "gateway-0"), ipv4),
        mask=_text(attrs.get("mask"), ipv4),
        vpn_instance=_text(attrs.get("vpn instance"), lambda value: vrp_name(value, NAME_CHARS)),
        counters=counters,
    )


_PERCENT_SIGN = re.compile(r"(?<=\d)%")
# Option values are free text (`boot\x64\wdsnbp.com`): only what VRP cannot print at all
# (non-ASCII, control characters) is damage there.
_FREE_TEXT = re.compile(r"^\s*(?:Option-value|Option-\w+|Description)\s*:", re.IGNORECASE)


def _damaged_line(line: str) -> bool:
    """A line holding damage (a `%` after a number is the router's)."""
    if not has_junk(line):
        return False
    if _FREE_TEXT.match(line):
        return not is_clean(line)
    return has_junk(_PERCENT_SIGN.sub("", line))


@dataclass(frozen=True, slots=True)
class _LineFacts:
    """What one line is, on its own: the block parser's per-line tests, worked out once."""

    blank: bool = False
    rule: bool = False
    header: bool = False  # could be the section table's header (read again in place)
    header_damaged: bool = False  # damage in what is otherwise that header
    listing: bool = False  # a per-address or per-subnet listing's header
    section_label: bool = False
    title: bool | None = None  # a `... Statistic` title; True for the box-wide one
    # (label, normalised key, value, label damaged) per pair of the line
    pairs: tuple[tuple[str, str, str, bool], ...] = ()
    damaged: bool = False


_BLANK = _LineFacts(blank=True)
_RULE = _LineFacts(rule=True)


@lru_cache(maxsize=8192)
def _facts(line: str) -> _LineFacts:
    """The tests every line goes through, remembered by its text.

    The same lines come back poll after poll (names, gateways, masks, zero counters), and
    these tests took most of a parse (about 35 us a line, 8 ms for a 234-line answer of the
    simulator's 15 pools); they depend on the line alone, so a line seen before costs a
    dictionary look-up. What the line means in its block is still decided in place.
    """
    if not line.strip():
        return _BLANK
    if is_rule(line):
        return _RULE
    title = _TITLE.match(line)
    return _LineFacts(
        header=SECTIONS.header(line) is not None,
        header_damaged=SECTIONS.looks_damaged(line),
        listing=_LISTING.match(line) is not None and ":" not in line,
        section_label=_SECTION_LABEL.match(line) is not None,
        title=None if title is None else bool(title[1]),
        pairs=tuple(
            (label, normalise_key(label), value, is_damaged_label(label))
            for label, value in split_pairs(line)
        ),
        damaged=_damaged_line(line),
    )


def _idle(cell: str) -> int:
    """`251` or the switch form `251(0)` (idle, of which expired)."""
    match = _IDLE.fullmatch(cell)
    if match is None:
        raise BadValue(f"expected an idle count, got {cell!r}")
    return int(match[1])


def _read_sections(lines: list[str], index: int, header: Header, block: _Block) -> int:
    """Add a section table's rows to the block; return the index after the table.

    Documentation pages wrap long headers and rows; a line of one or two words inside
    the table is the wrapped end of the line above.
    """
    index += 1
    while index < len(lines):
        line = lines[index]
        tokens = line.split()
        if not tokens:
            index += 1
            continue
        if is_rule(line):
            if block.section_rows:
                return index + 1
            index += 1
            continue
        if len(tokens) <= 2 and ":" not in line:
            index += 1  # the end of a header or row wrapped onto its own line
            continue
        if not tokens[0][:1].isdigit():
            return index
        try:
            cells = header.cells(line, unknown=True)
            ipv4(cells["start"])
            values = {
                "total": integer(cells["total"]),
                "used": integer(cells["used"]),
                "idle": _idle(cells["idle"]),
            }
            for label, cell in cells.items():
                if label not in _SECTION_KEYS and not is_no_value(cell):
                    values[label] = integer(cell)
        except (BadRow, BadValue) as problem:
            block.damaged(f"section row: {problem}", line, index)
            index += 1
            continue
        block.section_rows += 1
        for key, value in values.items():
            block.sections[key] = block.sections.get(key, 0) + value
        index += 1
    return index


def _parse_blocks(text: str, start_keys: tuple[str, ...], start_label: str) -> IpPoolList:
    """Pool blocks that start with `start_label : name` (`Pool-Name`, `Pool-Group name`)."""
    lines = clean_lines(text)
    blocks: list[_Block] = []
    current: _Block | None = None
    target: PairBlock | None = None
    pool_counts = PairBlock()
    summary = PairBlock()
    loose_damage: ParseWarning | None = None  # damage before the first block
    index = 0
    while index < len(lines):
        line = lines[index]
        facts = _facts(line)
        if facts.blank:
            index += 1
            continue
        if facts.rule:
            if current is not None and target is current.statistic:
                target = None  # a pool's statistic ends at the rule; footers are not its
            index += 1
            continue
        if (
            current is not None
            and facts.header
            and (header := SECTIONS.header(line)) is not None
        ):
            if header.damaged:
                current.damaged("damaged table header: a column may be lost", line, index)
            index = _read_sections(lines, index, header, current)
            continue
        if current is not None and facts.header_damaged:
            current.damaged("damaged section table header", line, index)
        if facts.listing:
            index += 1  # per-address or per-subnet listing: counts come from elsewhere
            while index < len(lines) and (
                not lines[index].strip() or lines[index].split()[0].isdigit()
            ):
                index += 1
            continue
        if facts.section_label:
            index += 1
            continue
        if facts.title is not None:
            if facts.title:  # `IP address pool Statistic`: the box-wide part follows
                current, target = None, pool_counts
            else:
                target = current.statistic if current is not None else summary
            index += 1
            continue
        pairs = facts.pairs
        damaged = facts.damaged
        for label, key, value, damaged_label in pairs:
            if damaged_label:
                damaged = True
                continue
            pair = Pair(label, key, value, index, line)
            if key in start_keys:
                current = _Block(name=pair)
                blocks.append(current)
                target = current.attributes
            elif key == "address statistic" and current is not None:
                target = current.statistic  # CE: `Address Statistic: Total :253 ...`
            elif target is not None:
                target.add(pair)
        if damaged:
            # A pool prints many counts (kept in `counters`), so any damaged line of its
            # block may have held one; damage outside a block may have held a title.
            watched = mentions(line, _WATCHED)
            message = f"damaged line (may have held {watched!r})" if watched else "damaged line"
            if current is not None:
                current.damaged(message, line, index)
            elif loose_damage is None:
                loose_damage = ParseWarning(message, line, index + 1)
            if all(damaged_label for *_, damaged_label in pairs):
                target = None  # perhaps a title: what follows belongs to nothing known
        index += 1
    return _result(lines, blocks, pool_counts, summary, loose_damage, start_label)


def _result(  # noqa: PLR0917 - one call site, the parser's state
    lines: list[str],
    blocks: list[_Block],
    pool_counts: PairBlock,
    summary: PairBlock,
    loose_damage: ParseWarning | None,
    start_label: str,
) -> IpPoolList:
    counts: dict[str, int] = {}
    for pair in pool_counts.pairs.values():
        if pair.value.isdigit() and pair.value.isascii():
            counts[pair.label] = int(pair.value)
    # No pool block is a result only when the box-wide counts say there are no pools.
    if not blocks and not (counts and not any(counts.values())):
        if loose_damage is not None and "may have held" in loose_damage.message:
            raise ParseError(
                loose_damage.message, line=loose_damage.line, line_number=loose_damage.line_number
            )
        raise unexpected_output(f"expected `{start_label} : <name>` blocks", lines)
    pools: list[IpPool] = []
    warnings: list[ParseWarning] = [loose_damage] if loose_damage else []
    for block in blocks:
        try:
            pools.append(_pool(block))
        except _Damaged as damaged:
            warnings.append(damaged.warning)
    if blocks and not pools:
        first = warnings[0]
        raise ParseError(
            f"no pool could be read ({first.message})",
            line=first.line,
            line_number=first.line_number,
        )
    summary_pool = None
    if len(summary):
        anchor = next(iter(summary.pairs.values()))
        block = _Block(
            name=Pair("name", "name", "total", anchor.index, anchor.line), statistic=summary
        )
        try:
            summary_pool = _pool(block)
        except _Damaged as damaged:
            warnings.append(damaged.warning)
        else:
            _check_sums(pools, summary_pool, summary, warnings)
    return IpPoolList(
        pools=tuple(pools), summary=summary_pool, pool_counts=counts, warnings=tuple(warnings)
    )


def _check_sums(
    pools: list[IpPool], summary: IpPool, pairs: PairBlock, warnings: list[ParseWarning]
) -> None:
    """The box-wide figures are the sums of the pools (checked when every pool was read)."""
    if warnings or not pools or any(pool.total is None or pool.used is None for pool in pools):
        return
    for key, figure in (("total", summary.total), ("used", summary.used)):
        added = sum(getattr(pool, key) for pool in pools)
        if figure is not None and added != figure:
            pair = pairs.get(key)
            raise ParseError(
                f"the pools' {key} figures add up to {added}, the box-wide {key} says {figure}",
                line=pair.line if pair else None,
                line_number=pair.index + 1 if pair else None,
            )


def parse_ip_pool(text: str) -> IpPoolList:
    """`display ip pool` (a block per pool) and `display ip pool name X` (pool detail).

    For the detail form, ``total``/``used``/``free`` are the sums of the section table's
    `total`/`used`/`idle` columns and ``usage_percent`` is None (the router prints no
    ratio there); without a section table only ``free`` is known, from `Total Idle`.
    """
    return _parse_blocks(text, POOL_START, "Pool-Name")


def parse_ip_pool_group(text: str) -> IpPoolList:
    """`display ip pool-group [name X]`: one statistic block per pool group."""
    return _parse_blocks(text, GROUP_START, "Pool-Group name")


def parse_ip_pool_usage(text: str) -> IpPoolList:
    """`display ip-pool pool-usage`: `Domain name PoolLen Used Ratio` + `Total statistics`.

    ``free`` stays None: PoolLen minus Used would count conflicted and disabled addresses
    as free, so it is not an exact figure. The rows need not add up to `Total statistics`:
    a real capture counts pools no listed domain uses.
    """
    lines = clean_lines(text)
    found = USAGE.find_header(lines)
    if found is None:
        raise unexpected_output(
            "expected the pool-usage header (Domain name PoolLen Used Ratio)", lines
        )
    header_index, header = found
    pools: list[IpPool] = []
    warnings: list[ParseWarning] = []
    summary: IpPool | None = None
    for index in range(header_index + 1, len(lines)):
        line = lines[index]
        if not line.strip() or is_rule(line):
            continue
        is_total = bool(_USAGE_TOTAL.match(line))
        try:
            if is_total:
                values = line.split()[2:]
                if len(values) != 3:
                    raise BadRow(f"expected PoolLen, Used and Ratio, got {len(values)} values")
                cells = {
                    "name": "total",
                    "poollen": values[0],
                    "used": values[1],
                    "ratio": values[2],
                }
            else:
                cells = header.cells(line)
            pool = IpPool(
                name=cells["name"] if is_total else vrp_name(cells["name"], _USAGE_NAME),
                total=integer(cells["poollen"]),
                used=integer(cells["used"]),
                free=None,
                usage_percent=percent(cells["ratio"]),
            )
            if pool.used is not None and pool.total is not None and pool.used > pool.total:
                raise BadValue(f"used ({pool.used}) exceeds the pool size ({pool.total})")
        except (BadRow, BadValue) as problem:
            if is_total:
                raise ParseError(
                    f"expected a pool-usage row ({problem})", line=line, line_number=index + 1
                ) from None
            warnings.append(ParseWarning(str(problem), line, index + 1))
            continue
        if is_total:
            summary = pool
            break
        pools.append(pool)
    if not pools and summary is None:
        if warnings:
            first = warnings[0]
            raise ParseError(
                f"expected a pool-usage row ({first.message})",
                line=first.line,
                line_number=first.line_number,
            )
        raise ParseError(
            "expected pool-usage rows or `Total statistics`",
            line=lines[header_index],
            line_number=header_index + 1,
        )
    return IpPoolList(pools=tuple(pools), summary=summary, warnings=tuple(warnings))


# Domain names in `pool-usage` may carry a threshold mark: `Lsh(up)`, `Test(low)`.
_USAGE_NAME = NAME_CHARS | frozenset("()")


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("display ip pool", parse_ip_pool, "address pools with usage statistics"),
    CommandSpec("display ip pool name <word> [<int>]", parse_ip_pool, "one address pool in detail"),
    # Address listings after the detail; the pool's counts are read the same way.
    *(
        CommandSpec(
            f"display ip pool name <word> {listing}",
            parse_ip_pool,
            f"one address pool in detail with its {listing.split()[0]} addresses",
        )
        for listing in ("used", "idle", "conflict [decline]", "disable", "reserved", "static-bind")
    ),
    CommandSpec(
        "display ip pool ip-address <word>",
        parse_ip_pool,
        "the address pool holding an address",
    ),
    CommandSpec(
        "display ip pool interface <ifname>",
        parse_ip_pool,
        "the address pool of an interface (switches)",
    ),
    CommandSpec(
        "display ip pool-group [name <word> [vpn-instance <word>]]",
        parse_ip_pool_group,
        "address pool groups with usage statistics",
    ),
    CommandSpec(
        "display ip-pool pool-usage [domain <word>]",
        parse_ip_pool_usage,
        "address pool usage per domain",
    ),
    CommandSpec(
        "display ip-pool pool-usage vpn-instance [<word>]",
        parse_ip_pool_usage,
        "address pool usage per VPN instance",
    ),
    *(
        CommandSpec(
            f"display ip-pool pool-usage {threshold}",
            parse_ip_pool_usage,
            f"address pool usage of domains past their {threshold.split('-')[0]} alarm threshold",
        )
        for threshold in ("upper-threshold", "lower-threshold", "all-threshold")
    ),
)
