"""Parser for `display domain`: one row per AAA domain with its online-user count.

The columns differ between VRP8 releases (`CAR`, `BODNum`, `RptVSMNum` come and go), so
values are mapped by the header words rather than by position in a fixed layout.
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError
from app.domain.subscribers import Domain, DomainList
from app.vrp.grammar import CommandSpec
from app.vrp.text import clean_lines, unexpected_output

_SEPARATOR = re.compile(r"^\s*[-=]{5,}\s*$")
_HEADER = re.compile(r"^\s*Domain[\s-]?name\s+(.*)$", re.IGNORECASE)
_FOOTER = re.compile(r"^\s*Total\s*:?\s*(\d{1,9})\s*(?:,\s*(\d{1,9})\s*printed)?\s*$", re.I)
_NUMBER = re.compile(r"^\d{1,20}$")


def _number(value: str | None) -> int | None:
    return int(value) if value is not None and _NUMBER.match(value) else None


def _column(columns: dict[str, str], *names: str) -> str | None:
    lowered = {key.lower(): value for key, value in columns.items()}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


def parse_domain(text: str) -> DomainList:
    """`display domain`: rows under `Domain name State ... Online ...`, `Total N,N printed`."""
    lines = clean_lines(text)
    found = next(
        ((i, match) for i, line in enumerate(lines) if (match := _HEADER.match(line))), None
    )
    if found is None:
        raise unexpected_output(
            "expected the domain table header (Domain name State ... Online)", lines
        )
    header_at, header_match = found
    names = header_match.group(1).split()
    if not any(name.lower() == "online" for name in names):
        raise ParseError(
            "expected an `Online` column", line=lines[header_at], line_number=header_at + 1
        )
    domains: list[Domain] = []
    total: int | None = None
    printed: int | None = None
    for number, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
        if not line.strip() or _SEPARATOR.match(line):
            continue
        footer = _FOOTER.match(line)
        if footer:
            total = int(footer.group(1))
            printed = int(footer.group(2)) if footer.group(2) else None
            break
        tokens = line.split()
        if len(tokens) != len(names) + 1:
            raise ParseError("expected a domain row", line=line, line_number=number)
        columns = dict(zip(names, tokens[1:], strict=True))
        online = _number(_column(columns, "online"))
        if online is None:
            raise ParseError(
                "expected a number in the Online column", line=line, line_number=number
            )
        state = _column(columns, "state")
        domains.append(
            Domain(
                name=tokens[0],
                state=None if state in {None, "-"} else state,
                online=online,
                access_limit=_number(_column(columns, "access-limit", "accesslimit")),
                car=_number(_column(columns, "car")),
                columns=columns,
            )
        )
    if total is None and not domains:
        raise ParseError(
            "expected domain rows or a `Total N,N printed` footer",
            line=lines[header_at],
            line_number=header_at + 1,
        )
    return DomainList(domains=tuple(domains), total=total, printed=printed)


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("display domain", parse_domain, "AAA domains and their online users"),
)
