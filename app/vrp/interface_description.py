"""Parser for `display interface description`: which circuit each port carries.

Operators know ports by their descriptions (`To-CORE-01 Gi0/1/0`), so the monitor joins
this table onto the state tables. Layout: an optional legend, the header
`Interface PHY Protocol Description`, then one row per interface. VRP abbreviates names
(`GE1/0/0`) and may append a `(10G)` marker; ``canonical_name`` gives the full name used
by the other commands. Descriptions contain spaces and may be empty.

A row that does not read (a damaged name or state) is left out with a warning, with the
description lines wrapped under it. State marks (`*down`, `^down`, `#down`) are accepted
only where the legend defines them (all of them when no legend was printed), and a mark
in the padding before the PHY column of an otherwise aligned row is a damaged space, not
a mark. A description is free text: one holding characters VRP cannot print is kept and
warned about.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.domain.errors import ParseError
from app.domain.interfaces import DescribedInterface, InterfaceDescriptions
from app.domain.parsing import ParseWarning
from app.vrp.grammar import CommandSpec
from app.vrp.names import INTERFACE_CELL, INTERFACE_TYPES, normalise_interface_name
from app.vrp.table import BadRow, Column, Header, Table, mark_in_padding
from app.vrp.text import clean_lines, unexpected_output
from app.vrp.values import BadValue

TABLE = Table(
    Column.of("interface"),
    Column.of("phy"),
    Column.of("protocol"),
    Column.of("description", rest=True, blank=True),
)
_STATE = re.compile(r"(?:[*^#]?down|up)(?:\([A-Za-z]{1,3}\))*", re.ASCII)
_LEGEND_MARKER = re.compile(r"^\s*([*^#])down\s*:", re.MULTILINE)
_LEGEND = re.compile(r"\s*\S{1,20}: \S")


def _find_header(lines: list[str], warnings: list[ParseWarning]) -> tuple[int, Header]:
    """The column header and its index; only legend lines come before it."""
    found = TABLE.locate(lines, warnings)
    if found is None or found[1].cell_count != 4:
        # Point at the first line that is neither blank nor legend: a foreign header
        # (`display interface brief` has other columns) or whatever else the text is.
        raise unexpected_output(
            "expected the 'Interface PHY Protocol Description' header", lines, skip=_LEGEND
        )
    return found


def _row(line: str, header: Header, markers: frozenset[str]) -> DescribedInterface:
    cells = line.split(None, 3)
    if len(cells) < 3:
        raise BadRow("expected `Interface PHY Protocol [Description]`")
    name_cell, phy, protocol = cells[:3]
    description = cells[3].strip() if len(cells) == 4 else ""
    match = INTERFACE_CELL.fullmatch(name_cell)
    if match is None:
        raise BadValue(f"not an interface name: {name_cell!r}")
    if _STATE.fullmatch(phy) is None:
        raise BadValue(f"not an interface state: {phy!r}")
    if phy[0] in "*^#" and (phy[0] not in markers or mark_in_padding(header, line, "phy")):
        raise BadValue(f"state marker {phy[0]!r} is not one the router printed")
    if _STATE.fullmatch(protocol) is None or protocol[0] in "*^#":
        raise BadValue(f"not a protocol state: {protocol!r}")
    name = match[1]
    return DescribedInterface(
        name=name,
        canonical_name=normalise_interface_name(name),
        phy=phy,
        protocol=protocol,
        description=description,
    )


def parse_interface_description(text: str) -> InterfaceDescriptions:
    """Parse `display interface description` into one :class:`DescribedInterface` per row.

    A line indented past the name column that is not a row is a description wrapped onto
    the next line by the router; it is joined to the row above (without inserting a space,
    since VRP cuts at the column limit, not at a word boundary). A row that does not read
    is left out with a warning, and so are its wrapped lines. Descriptions are free text;
    one holding characters VRP cannot print (non-ASCII, control) is kept and warned about.
    """
    lines = clean_lines(text)
    warnings: list[ParseWarning] = []
    header_index, header = _find_header(lines, warnings)
    base_indent = header.indent
    # The markers the legend defines; all of them when no legend was printed.
    markers = frozenset(_LEGEND_MARKER.findall("\n".join(lines[:header_index]))) or frozenset("*^#")
    rows: list[DescribedInterface] = []
    lost = False  # the row above could not be read: its wrapped lines go with it
    for index in range(header_index + 1, len(lines)):
        line = lines[index]
        stripped = line.strip()
        if not stripped:
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent > base_indent + 8 and (rows or lost):
            if lost:
                continue
            rows[-1] = replace(rows[-1], description=rows[-1].description + stripped)
            continue
        try:
            if indent != base_indent:
                raise BadRow("expected an interface row")
            row = _row(line, header, markers)
        except (BadRow, BadValue) as problem:
            warnings.append(ParseWarning(str(problem), line, index + 1))
            lost = True
            continue
        lost = False
        if not (row.description.isascii() and row.description.isprintable()):
            warnings.append(
                ParseWarning("description holds characters VRP does not print", line, index + 1)
            )
        rows.append(row)
    if not rows:
        if warnings:
            first = warnings[0]
            raise ParseError(
                f"expected an interface row ({first.message})",
                line=first.line,
                line_number=first.line_number,
            )
        raise ParseError(
            "header without any interface rows (truncated output?)",
            line=lines[header_index],
            line_number=header_index + 1,
        )
    return InterfaceDescriptions(interfaces=tuple(rows), warnings=tuple(warnings))


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display interface description [<ifname>]",
        parse_interface_description,
        "description of every interface (or of one)",
    ),
    # `display interface description gigabitethernet` lists every port of one type. One
    # keyword spec per type keeps it unambiguous: an arbitrary word would also accept junk.
    *(
        CommandSpec(
            f"display interface description {type_name.lower()}",
            parse_interface_description,
            f"description of every {type_name} interface",
        )
        for type_name in INTERFACE_TYPES
    ),
)
