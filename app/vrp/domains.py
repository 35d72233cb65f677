"""Parser for `display domain [X]`: the AAA domains and their online-user counts.

Two layouts are read:

* the table (`Domain name  State  CAR  Access-limit  Online  BODNum  RptVSMNum`, footer
  `Total 17,17 printed`). Columns come and go between VRP8 releases, so cells are mapped
  by the header through the shared table reader; only `Online` is required.
* the detail blocks (`Domain-name : isp1`, `Domain-state : Active`, `Online-number : 0`,
  `User-access-limit : 1045504`, ...) printed by `display domain X` and, on some releases,
  by plain `display domain`.

Domain names are checked against VRP's character set and counts are exact numbers; a row
that does not read is left out with a warning, and the footer's printed count must match
the rows (read or left out), so a cut or repeated table is an error.
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError
from app.domain.parsing import ParseWarning
from app.domain.subscribers import Domain, DomainList
from app.vrp.grammar import CommandSpec
from app.vrp.keyvalue import normalise_key, read_blocks, split_pairs
from app.vrp.table import BadRow, Column, Header, Table, is_rule
from app.vrp.text import clean_lines, unexpected_output
from app.vrp.values import NAME_CHARS, NO_VALUE, BadValue, has_junk, integer, vrp_name

TABLE = Table(
    Column.of("name", "domain name", "domain-name", "domainname"),
    Column.of("state", required=False),
    Column.of("car", required=False),
    Column.of("access_limit", "access-limit", "accesslimit", required=False),
    Column.of("online"),
)
_FOOTER = re.compile(r"^\s*Total\s*:?\s*(\d{1,9})\s*(?:,\s*(\d{1,9})\s*printed)?\s*$", re.I)
_STATE = re.compile(r"[A-Za-z][A-Za-z-]{0,15}", re.ASCII)
_DETAIL_START = ("domain-name",)
_DETAIL_WATCHED = ("Domain-name", "Domain-state", "Online-number", "User-access-limit")


def _limit(value: str | None) -> int | None:
    """`1045504` -> 1045504; `-`, `No` (no limit) -> None."""
    if value is None or value in NO_VALUE or value.lower() == "no":
        return None
    return integer(value)


def _state(value: str | None) -> str | None:
    if value is None or value in NO_VALUE:
        return None
    if _STATE.fullmatch(value) is None:
        raise BadValue(f"not a domain state: {value!r}")
    return value


def _row(header: Header, line: str) -> Domain:
    cells = header.cells(line)
    labelled = header.labelled(line)
    labelled.pop(next(iter(labelled)), None)  # the name column is the domain itself
    for label, value in list(labelled.items()):
        if has_junk(label):  # a column name spoilt by damage (the header is warned about)
            del labelled[label]
        elif has_junk(value):
            raise BadValue(f"damaged {label} {value!r}")
    car = cells.get("car")
    return Domain(
        name=vrp_name(cells["name"], NAME_CHARS),
        state=_state(cells.get("state")),
        online=integer(cells["online"]),
        access_limit=_limit(cells.get("access_limit")),
        car=None if car is None or car in NO_VALUE else integer(car),
        columns=labelled,
    )


def _parse_table(
    lines: list[str], header_index: int, header: Header, warnings: list[ParseWarning]
) -> DomainList:
    domains: list[Domain] = []
    total: int | None = None
    printed: int | None = None
    footer_at: int | None = None
    for index in range(header_index + 1, len(lines)):
        line = lines[index]
        if not line.strip() or is_rule(line):
            continue
        footer = _FOOTER.match(line)
        if footer:
            total = int(footer.group(1))
            printed = int(footer.group(2)) if footer.group(2) else None
            footer_at = index
            break
        try:
            domains.append(_row(header, line))
        except (BadRow, BadValue) as problem:
            warnings.append(ParseWarning(str(problem), line, index + 1))
    if not domains:
        if warnings:
            first = warnings[0]
            raise ParseError(
                f"expected a domain row ({first.message})",
                line=first.line,
                line_number=first.line_number,
            )
        if total is None:
            raise ParseError(
                "expected domain rows or a `Total N,N printed` footer",
                line=lines[header_index],
                line_number=header_index + 1,
            )
    seen = len(domains) + sum(warning.line_number != header_index + 1 for warning in warnings)
    if printed is not None and footer_at is not None and printed != seen:
        raise ParseError(
            f"the footer says {printed} domains were printed, the table holds {seen}",
            line=lines[footer_at],
            line_number=footer_at + 1,
        )
    return DomainList(
        domains=tuple(domains), total=total, printed=printed, warnings=tuple(warnings)
    )


def _parse_detail(lines: list[str]) -> DomainList:
    """`Domain-name : isp1` blocks, one per domain."""
    blocks, warnings = read_blocks(lines, _DETAIL_START, _DETAIL_WATCHED)
    domains: list[Domain] = []
    for block in blocks:
        if block.damage is not None:
            warnings.append(block.damage)
            continue
        pairs = block.pairs
        try:
            name = vrp_name(pairs.value(*_DETAIL_START) or "", NAME_CHARS)
            online = pairs.get("online-number", "online number")
            domains.append(
                Domain(
                    name=name,
                    state=_state(pairs.value("domain-state", "domain state")),
                    online=None if online is None else integer(online.value),
                    access_limit=_limit(pairs.value("user-access-limit")),
                    columns={pair.label: pair.value for pair in pairs.pairs.values()},
                )
            )
        except BadValue as problem:
            warnings.append(ParseWarning(str(problem), lines[block.start], block.start + 1))
    if not domains:
        first = warnings[0] if warnings else None
        raise ParseError(
            "expected `Domain-name : <name>` blocks",
            line=first.line if first else None,
            line_number=first.line_number if first else None,
        )
    return DomainList(domains=tuple(domains), total=None, printed=None, warnings=tuple(warnings))


def parse_domain(text: str) -> DomainList:
    """`display domain [X]`: the domain table or the per-domain detail blocks."""
    lines = clean_lines(text)
    warnings: list[ParseWarning] = []
    found = TABLE.locate(lines, warnings)
    if found is not None:
        return _parse_table(lines, *found, warnings)
    keys = {normalise_key(label) for line in lines for label, _ in split_pairs(line)}
    if "domain-name" in keys and "domain-state" in keys:
        return _parse_detail(lines)
    loose = Table(Column.of("name", "domain name", "domain-name"))
    header = loose.find_header(lines)
    if header is not None:
        raise ParseError(
            "expected an `Online` column", line=lines[header[0]], line_number=header[0] + 1
        )
    raise unexpected_output(
        "expected the domain table header (Domain name State ... Online)", lines
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("display domain", parse_domain, "AAA domains and their online users"),
    CommandSpec("display domain <word>", parse_domain, "one AAA domain in detail"),
)
