"""Parser for `display interface brief`: the cheap poll for port state and utilisation.

The output is a legend (`PHY: Physical`, `*down: administratively down`, ...), then the
header `Interface PHY Protocol InUti OutUti inErrors outErrors` and one row per interface.
Columns are aligned by padding, but a long name squeezes the next column to one space, so
rows are split on whitespace, never by column position. Eth-Trunk members are indented two
spaces under their trunk. Some captures are indented as a whole (copied from docstrings):
indentation is measured relative to the header line.
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError
from app.domain.interfaces import BriefInterface, InterfaceBrief
from app.vrp.grammar import CommandSpec
from app.vrp.text import clean_lines, unexpected_output

HEADER_WORDS = ("Interface", "PHY", "Protocol", "InUti", "OutUti", "inErrors", "outErrors")

# A state as printed: optional `*` (admin down), `^` (standby), `#`/`-` (VRP5 LBDT/flap),
# then up/down, then any number of `(l)`, `(s)`, `(E)`, `(ld)` ... markers.
_STATE = r"[*^#-]?(?:up|down)(?:\([A-Za-z]{1,3}\))*"
_PERCENT = r"--|\d{1,3}(?:\.\d{1,4})?%"
_LEGEND = re.compile(r"\s*\S{1,20}: \S")
_ROW = re.compile(
    rf"(?P<indent> *)(?P<name>[^\s(]+)(?:\((?P<suffix>[^()\s]{{1,8}})\))?"
    rf"\s+(?P<phy>{_STATE})\s+(?P<protocol>{_STATE})"
    rf"\s+(?P<inuti>{_PERCENT})\s+(?P<oututi>{_PERCENT})"
    r"\s+(?P<inerr>\d{1,20})\s+(?P<outerr>\d{1,20})\s*",
    re.ASCII,
)
_BANDWIDTH = re.compile(r"\d+(?:\.\d+)?[KMGT]", re.IGNORECASE)


def _find_header(lines: list[str]) -> int:
    """Index of the column header line; only legend lines (`PHY: Physical`) come before it."""
    for index, line in enumerate(lines):
        if tuple(line.split()) == HEADER_WORDS:
            return index
    # Point at the first line that is neither blank nor legend: a foreign header (`display
    # interface ethernet brief` has other columns) or whatever else the text is.
    raise unexpected_output(
        "expected the 'Interface PHY Protocol InUti OutUti inErrors outErrors' header",
        lines,
        skip=_LEGEND,
    )


def parse_interface_brief(text: str) -> InterfaceBrief:
    """Parse `display interface brief` into one :class:`BriefInterface` per row."""
    lines = clean_lines(text)
    header_index = _find_header(lines)
    header = lines[header_index]
    base_indent = len(header) - len(header.lstrip(" "))
    row_match = _ROW.fullmatch
    rows: list[BriefInterface] = []
    parent: str | None = None
    for index in range(header_index + 1, len(lines)):
        line = lines[index]
        match = row_match(line)
        if match is None:
            if not line.strip():
                continue
            raise ParseError("expected an interface row", line=line, line_number=index + 1)
        indent, name, suffix, phy, protocol, in_util, out_util, in_errors, out_errors = (
            match.groups()
        )
        indent_width = len(indent) - base_indent
        if indent_width == 0:
            parent, trunk = name, None
        elif indent_width < 0 or parent is None:
            raise ParseError(
                "indented trunk member without a trunk row above it",
                line=line,
                line_number=index + 1,
            )
        else:
            trunk = parent
        rows.append(
            BriefInterface(  # positional, in field order: 5,000 rows are a hot path
                name,
                phy,
                phy[0] == "u",
                phy[0] == "*",
                phy[0] == "^",
                protocol,
                protocol[0] == "u",
                None if in_util == "--" else float(in_util[:-1]),
                None if out_util == "--" else float(out_util[:-1]),
                int(in_errors),
                int(out_errors),
                trunk,
                suffix if suffix and _BANDWIDTH.fullmatch(suffix) else None,
            )
        )
    if not rows:
        raise ParseError(
            "header without any interface rows (truncated output?)",
            line=header,
            line_number=header_index + 1,
        )
    return InterfaceBrief(interfaces=tuple(rows))


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display interface brief [main]",
        parse_interface_brief,
        "state, utilisation and error counts of every interface",
    ),
)
