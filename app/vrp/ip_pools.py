"""Parsers for address-pool usage: `display ip pool [name X]`, `display ip-pool pool-usage`
and `display ip pool-group`.

`display ip pool` prints one block per pool (`Pool-Name : ...` then an `IP address
Statistic` block with `Total/Used/Free/.../Ratio`) and a box-wide block at the end;
`display ip pool name X` prints one pool's attributes and a section table (`ID start end
total used idle ...`) instead of the statistic block. Both are read by one block parser, so
a pool's counts come from whichever form the router printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.domain.errors import ParseError
from app.domain.subscribers import IpPool, IpPoolList
from app.vrp.grammar import CommandSpec
from app.vrp.text import clean_lines, unexpected_output

# `Key : value` pairs; a line may hold two or three (`Used :0   Free :4`).
# A value is one word ending the line or followed by 2+ spaces, so `Lease : 3 Days 0 Hours`
# is not read as the number 3.
_PAIR = re.compile(r"([A-Za-z][A-Za-z0-9 ()/_.-]*?)\s*:\s*(\S*)(?=\s{2,}|\s*$)")
_NUMBER = re.compile(r"^\d{1,20}$")
_PERCENT = re.compile(r"^(\d{1,3}(?:\.\d{1,2})?)%$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_SEPARATOR = re.compile(r"^\s*[-=]{5,}\s*$")
_ADDRESS_STATISTIC = re.compile(r"^\s*IP\s+address\s+Statistic\s*$", re.IGNORECASE)
_POOL_STATISTIC = re.compile(r"^\s*IP\s+address\s+pool\s+Statistic\s*$", re.IGNORECASE)
_USAGE_HEADER = re.compile(r"^\s*(?:Domain|Pool)[\s-]?name\s+(.*)$", re.IGNORECASE)
_USAGE_TOTAL = re.compile(r"^\s*Total\s+statistics\s+(.*)$", re.IGNORECASE)


def _number(value: str | None) -> int | None:
    return int(value) if value is not None and _NUMBER.match(value) else None


def _percent(value: str | None) -> float | None:
    match = _PERCENT.match(value or "")
    return float(match.group(1)) if match else None


def _text(value: str | None) -> str | None:
    return None if value in {None, "", "-", "--"} else value


def _pairs(line: str) -> list[tuple[str, str]]:
    return [(" ".join(key.split()), value) for key, value in _PAIR.findall(line.strip())]


@dataclass
class _Block:
    """What has been read of one pool so far (attributes, statistic, section table)."""

    name: str
    attributes: dict[str, str] = field(default_factory=dict)
    statistic: dict[str, str] = field(default_factory=dict)
    sections: dict[str, int] = field(default_factory=dict)
    section_rows: int = 0

    def to_pool(self) -> IpPool:
        attrs = {key.lower(): value for key, value in self.attributes.items()}
        stats = {key.lower(): value for key, value in self.statistic.items()}
        counters = {
            key: int(value)
            for key, value in (*self.attributes.items(), *self.statistic.items())
            if _NUMBER.match(value)
        }
        if self.statistic:
            total, used = _number(stats.get("total")), _number(stats.get("used"))
            free, ratio = _number(stats.get("free")), _percent(stats.get("ratio"))
        elif self.section_rows:
            counters.update(self.sections)
            total, used = self.sections.get("total"), self.sections.get("used")
            free, ratio = self.sections.get("idle"), None
        else:
            total, used, ratio = None, None, None
            free = _number(attrs.get("total idle"))
        return IpPool(
            name=self.name,
            total=total,
            used=used,
            free=free,
            usage_percent=ratio,
            pool_no=_number(attrs.get("pool-no", attrs.get("index"))),
            position=_text(attrs.get("position")),
            status=_text(attrs.get("status")),
            gateway=_text(attrs.get("gateway")),
            mask=_text(attrs.get("mask")),
            vpn_instance=_text(attrs.get("vpn instance")),
            counters=counters,
        )


@dataclass
class _SectionTable:
    """Column positions of a pool section table (`ID start end total used idle ...`)."""

    columns: list[str]

    @classmethod
    def from_header(cls, line: str) -> _SectionTable | None:
        words = line.split()
        lowered = [word.lower() for word in words]
        if (
            lowered[:1] == ["id"]
            and {"total", "used", "idle"} <= set(lowered)
            and "up-id" not in lowered
        ):
            return cls(columns=words)
        return None

    def read_row(self, tokens: list[str]) -> dict[str, int] | None:
        """The numeric columns of one row, or None if the row does not fit the header."""
        lowered = [column.lower() for column in self.columns]
        needed = max(lowered.index(name) for name in ("total", "used", "idle"))
        if len(tokens) <= needed or not _IPV4.match(tokens[1]):
            return None
        values = {}
        for column, token in zip(self.columns, tokens, strict=False):
            if column.lower() in {"id", "start", "end", "subnet", "mask", "status"}:
                continue
            if not _NUMBER.match(token):
                if column.lower() in {"total", "used", "idle"}:
                    return None
                continue
            key = column.lower() if column.lower() in {"total", "used", "idle"} else column
            values[key] = int(token)
        return values


def _parse_blocks(text: str, start_key: str) -> IpPoolList:
    """Pool blocks that start with `start_key : name` (`Pool-Name`, `Pool-Group name`)."""
    lines = clean_lines(text)
    blocks: list[_Block] = []
    current: _Block | None = None
    target: dict[str, str] | None = None  # where the next `Key : value` pairs go
    pool_counts: dict[str, str] = {}
    summary: dict[str, str] = {}
    table: _SectionTable | None = None
    skipping_rows = False  # inside a table that does not hold pool counts
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or _SEPARATOR.match(line):
            continue
        tokens = stripped.split()
        if table is not None and current is not None:
            if _NUMBER.match(tokens[0]):
                row = table.read_row(tokens)
                if row is not None:
                    current.section_rows += 1
                    for key, value in row.items():
                        current.sections[key] = current.sections.get(key, 0) + value
                    continue
                if len(tokens) <= 2:
                    continue  # the end of a row wrapped onto its own line
                raise ParseError("expected a pool section row", line=line, line_number=number)
            if len(tokens) == 1 and ":" not in stripped:
                continue  # the end of the header wrapped onto its own line (`atic-bind`)
            table = None
        if skipping_rows:
            if _NUMBER.match(tokens[0]):
                continue
            skipping_rows = False
        if current is not None and (header := _SectionTable.from_header(line)):
            table = header
            continue
        if tokens[0].lower() in {"id", "index"} and ":" not in stripped:
            skipping_rows = True  # per-address or subnet listing: not needed for counts
            continue
        if _POOL_STATISTIC.match(line):
            current, target = None, pool_counts
            continue
        if _ADDRESS_STATISTIC.match(line):
            target = current.statistic if current is not None else summary
            continue
        for key, value in _pairs(line):
            if key.lower() == start_key.lower():
                if not value:
                    raise ParseError("expected a pool name", line=line, line_number=number)
                current = _Block(name=value)
                blocks.append(current)
                target = current.attributes
                table = None
            elif target is not None:
                target.setdefault(key, value)
    counts = {key: int(value) for key, value in pool_counts.items() if _NUMBER.match(value)}
    # No pool block is a result only when the box-wide counts say there are no pools.
    if not blocks and not (counts and not any(counts.values())):
        raise unexpected_output(f"expected `{start_key} : <name>` blocks", lines)
    summary_pool = None
    if summary:
        summary_pool = _Block(name="total", statistic=summary).to_pool()
    return IpPoolList(
        pools=tuple(block.to_pool() for block in blocks),
        summary=summary_pool,
        pool_counts=counts,
    )


def parse_ip_pool(text: str) -> IpPoolList:
    """`display ip pool` (a block per pool) and `display ip pool name X` (pool detail).

    For the detail form, ``total``/``used``/``free`` are the sums of the section table's
    `total`/`used`/`idle` columns and ``usage_percent`` is None (the router prints no
    ratio there); without a section table only ``free`` is known, from `Total Idle`.
    """
    return _parse_blocks(text, "Pool-Name")


def parse_ip_pool_group(text: str) -> IpPoolList:
    """`display ip pool-group [name X]`: one statistic block per pool group."""
    return _parse_blocks(text, "Pool-Group name")


def parse_ip_pool_usage(text: str) -> IpPoolList:
    """`display ip-pool pool-usage`: `Domain name PoolLen Used Ratio` + `Total statistics`.

    ``free`` stays None: PoolLen minus Used would count conflicted and disabled addresses
    as free, so it is not an exact figure.
    """
    lines = clean_lines(text)
    found = next(
        ((i, match) for i, line in enumerate(lines) if (match := _USAGE_HEADER.match(line))),
        None,
    )
    if found is None:
        raise unexpected_output(
            "expected the pool-usage header (Domain name PoolLen Used Ratio)", lines
        )
    header_at, header = found
    columns = [column.lower() for column in header.group(1).split()]
    if not {"poollen", "used", "ratio"} <= set(columns):
        raise ParseError(
            "expected PoolLen, Used and Ratio columns",
            line=lines[header_at],
            line_number=header_at + 1,
        )
    pools: list[IpPool] = []
    summary: IpPool | None = None
    for number, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if not line.strip() or _SEPARATOR.match(line):
            continue
        total_match = _USAGE_TOTAL.match(line)
        name, values = (
            ("total", total_match.group(1).split())
            if total_match
            else (line.split()[0], line.split()[1:])
        )
        if len(values) != len(columns):
            raise ParseError("expected a pool-usage row", line=line, line_number=number)
        row = dict(zip(columns, values, strict=True))
        pool = IpPool(
            name=name,
            total=_number(row["poollen"]),
            used=_number(row["used"]),
            free=None,
            usage_percent=_percent(row["ratio"]),
        )
        if pool.total is None or pool.used is None or pool.usage_percent is None:
            raise ParseError("expected numbers in a pool-usage row", line=line, line_number=number)
        if total_match:
            summary = pool
            break
        pools.append(pool)
    if not pools and summary is None:
        raise ParseError(
            "expected pool-usage rows or `Total statistics`",
            line=lines[header_at],
            line_number=header_at + 1,
        )
    return IpPoolList(pools=tuple(pools), summary=summary)


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
        "display ip pool-group [name <word> [vpn-instance <word>]]",
        parse_ip_pool_group,
        "address pool groups with usage statistics",
    ),
    CommandSpec("display ip-pool pool-usage", parse_ip_pool_usage, "address pool usage per domain"),
)
