"""Parser for `display interface description`: which circuit each port carries.

Operators know ports by their descriptions (`To-CORE-01 Gi0/1/0`), so the monitor joins
this table onto the state tables. Layout: an optional legend, the header
`Interface PHY Protocol Description`, then one row per interface. VRP abbreviates names
(`GE1/0/0`) and may append a `(10G)` marker; ``canonical_name`` gives the full name used
by the other commands. Descriptions contain spaces and may be empty.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.domain.errors import ParseError
from app.domain.interfaces import DescribedInterface, InterfaceDescriptions
from app.vrp.grammar import CommandSpec
from app.vrp.names import INTERFACE_TYPES, normalise_interface_name
from app.vrp.text import clean_lines, unexpected_output

HEADER_WORDS = ("Interface", "PHY", "Protocol", "Description")

_STATE = r"[*^#-]?(?:up|down)(?:\([A-Za-z]{1,3}\))*"
_LEGEND = re.compile(r"\s*\S{1,20}: \S")
_ROW = re.compile(
    rf"(?P<name>[^\s(]+)(?:\((?P<suffix>[^()\s]{{1,8}})\))?"
    rf"\s+(?P<phy>{_STATE})\s+(?P<protocol>{_STATE})(?:\s+(?P<description>.*))?"
)


def _find_header(lines: list[str]) -> int:
    """Index of the column header line; only legend lines (`PHY: Physical`) come before it."""
    for index, line in enumerate(lines):
        if tuple(line.split()) == HEADER_WORDS:
            return index
    # Point at the first line that is neither blank nor legend: a foreign header (`display
    # interface ethernet brief` has other columns) or whatever else the text is.
    raise unexpected_output(
        "expected the 'Interface PHY Protocol Description' header", lines, skip=_LEGEND
    )


def parse_interface_description(text: str) -> InterfaceDescriptions:
    """Parse `display interface description` into one :class:`DescribedInterface` per row.

    A line indented past the name column that is not a row is a description wrapped onto
    the next line by the router; it is joined to the row above (without inserting a space,
    since VRP cuts at the column limit, not at a word boundary).
    """
    lines = clean_lines(text)
    header_index = _find_header(lines)
    header = lines[header_index]
    base_indent = len(header) - len(header.lstrip(" "))
    rows: list[DescribedInterface] = []
    for index in range(header_index + 1, len(lines)):
        line = lines[index]
        stripped = line.strip()
        if not stripped:
            continue
        indent = len(line) - len(line.lstrip(" "))
        match = _ROW.fullmatch(stripped) if indent == base_indent else None
        if match is None:
            if rows and indent > base_indent + 8:
                rows[-1] = replace(rows[-1], description=rows[-1].description + stripped)
                continue
            raise ParseError("expected an interface row", line=line, line_number=index + 1)
        name = match["name"]
        rows.append(
            DescribedInterface(
                name=name,
                canonical_name=normalise_interface_name(name),
                phy=match["phy"],
                protocol=match["protocol"],
                description=(match["description"] or "").strip(),
            )
        )
    if not rows:
        raise ParseError(
            "header without any interface rows (truncated output?)",
            line=header,
            line_number=header_index + 1,
        )
    return InterfaceDescriptions(interfaces=tuple(rows))


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
