"""Parser for `display interface brief`: the cheap poll for port state and utilisation.

The output is a legend (`PHY: Physical`, `*down: administratively down`, ...), then the
header `Interface PHY Protocol InUti OutUti inErrors outErrors` and one row per interface.
The header is read by :mod:`app.vrp.table`, so columns a release adds are ignored and
columns it drops are None (never 0). A long name squeezes the next column to one space
and published copies collapse the padding, so a row is split on whitespace first and
only placed by column position when its cell count differs from the header's.

Eth-Trunk members are indented two spaces under their trunk; indentation is measured
against the header (some captures are indented as a whole). A row that does not read
(a damaged name, state or number) is skipped with a warning; members below a skipped
trunk row are skipped too, since their trunk is then unknown. State markers (`*down`,
`^down`, `#down`) are only accepted when the legend the router printed defines them.

This is the hot path of interface polling (thousands of rows on a BRAS), so rows that
split into exactly the header's cells are converted without any regular expression.
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError
from app.domain.interfaces import BriefInterface, InterfaceBrief
from app.domain.parsing import ParseWarning
from app.vrp.grammar import CommandSpec
from app.vrp.names import INTERFACE_CELL
from app.vrp.table import BadRow, Column, Header, Table, mark_in_padding
from app.vrp.text import clean_lines, unexpected_output
from app.vrp.values import BadValue

TABLE = Table(
    Column.of("interface"),
    Column.of("phy"),
    Column.of("protocol"),
    Column.of("inuti", required=False),
    Column.of("oututi", required=False),
    Column.of("inerrors", required=False),
    Column.of("outerrors", required=False),
    any_of=("inuti", "oututi", "inerrors", "outerrors"),
)

_LEGEND = re.compile(r"\s*\S{1,20}: \S")
_LEGEND_MARKER = re.compile(r"^\s*([*^#])down\s*:", re.MULTILINE)
# `up`, `down`, `*down`, `up(l)`, `down(E)(b)`, `up(ld)`: markers are 1-3 letters.
_STATE = re.compile(r"([*^#]?)(up|down)((?:\([A-Za-z]{1,3}\))*)", re.ASCII)
_NAME = INTERFACE_CELL
_SUFFIX = re.compile(r"\d{1,4}(?:\.\d{1,2})?[KMGT]|[a-z]{1,2}", re.ASCII)
_STANDARD_MARKERS = frozenset("*^#")
# A well-formed row of the usual seven columns, every cell checked in one C-level match
# (the hot path: thousands of rows per poll). Anything else takes the generic path.
_FAST_ROW = re.compile(
    r" *((?:\d{2,3}\|\d{2,3}GE|[A-Za-z0-9])[A-Za-z0-9/.:-]*)"
    r"(?:\((\d{1,4}(?:\.\d{1,2})?[KMGT]|[a-z]{1,2})\))?"
    r" +((?:[*^#]?down|up)(?:\([A-Za-z]{1,3}\))*) +((?:down|up)(?:\([A-Za-z]{1,3}\))*)"
    r" +(--|\d{1,3}(?:\.\d{1,2})?%) +(--|\d{1,3}(?:\.\d{1,2})?%) +(\d{1,20}) +(\d{1,20}) *",
    re.ASCII,
)
# str.translate table deleting the characters of a plain interface name: what is left
# over means the name needs the full check (a `(10G)` suffix, `50|100GE`, or damage).
_NAME_CHARS = str.maketrans(
    "", "", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/.:-"
)


class _States:
    """Reads PHY/protocol cells; the caches hold the few distinct spellings of one output."""

    def __init__(self, markers: frozenset[str]) -> None:
        self._markers = markers
        self.phy_cache: dict[str, tuple[bool, bool, bool]] = {}
        self.protocol_cache: dict[str, bool] = {}

    def phy(self, cell: str) -> tuple[bool, bool, bool]:
        """(up, admin down, standby) for a PHY cell; BadValue for anything else."""
        match = _STATE.fullmatch(cell)
        if match is None:
            raise BadValue(f"not an interface state: {cell!r}")
        marker, word = match[1], match[2]
        if marker and (marker not in self._markers or word != "down"):
            raise BadValue(f"state marker {marker!r} is not one the router defines")
        value = (word == "up", marker == "*", marker == "^")
        self.phy_cache[cell] = value
        return value

    def protocol(self, cell: str) -> bool:
        """True for an up protocol; markers never appear in this column."""
        match = _STATE.fullmatch(cell)
        if match is None or match[1]:
            raise BadValue(f"not a protocol state: {cell!r}")
        value = match[2] == "up"
        self.protocol_cache[cell] = value
        return value


def _utilisation(cell: str) -> float | None:
    """`14.44%` -> 14.44, `--` -> None; anything else (or over 100) is damage."""
    if cell == "--":
        return None
    if cell[-1:] == "%":
        body = cell[:-1]
        if body.replace(".", "", 1).isdigit() and body.isascii() and body[0] != ".":
            value = float(body)
            if value <= 100.0:
                return value
    raise BadValue(f"not a utilisation: {cell!r}")


def _count(cell: str) -> int:
    if cell.isdigit() and cell.isascii():
        return int(cell)
    raise BadValue(f"not an error count: {cell!r}")


def _name(cell: str) -> tuple[str, str | None]:
    match = _NAME.fullmatch(cell)
    if match is None:
        raise BadValue(f"not an interface name: {cell!r}")
    suffix = match[2]
    return match[1], suffix if suffix and suffix[0].isdigit() else None


def _suffix(suffix: str, cell: str) -> str | None:
    """The bandwidth of a `(10G)` suffix; None for a marker such as `(v)`."""
    if _SUFFIX.fullmatch(suffix) is None:
        raise BadValue(f"not an interface name: {cell!r}")
    return suffix if suffix[0].isdigit() else None


def _markers(lines: list[str], header_index: int) -> frozenset[str]:
    """The state markers the legend defines; all of them when no legend was printed."""
    defined = frozenset(_LEGEND_MARKER.findall("\n".join(lines[:header_index])))
    return defined if defined else _STANDARD_MARKERS


_Cells = tuple[str, str, str, str | None, str | None, str | None, str | None]


def _cells(header: Header, line: str) -> _Cells:
    """The seven cells of a row (None for columns the header lacks); BadRow if it does not fit."""
    found = header.cells(line)
    return (
        found["interface"],
        found["phy"],
        found["protocol"],
        found.get("inuti"),
        found.get("oututi"),
        found.get("inerrors"),
        found.get("outerrors"),
    )


def _find_header(lines: list[str], warnings: list[ParseWarning]) -> tuple[int, Header]:
    """The column header; only legend lines (`PHY: Physical`) come before it."""
    found = TABLE.locate(lines, warnings)
    if found is None:
        # Point at the first line that is neither blank nor legend: a foreign header
        # (`display interface ethernet brief` has other columns) or whatever else it is.
        raise unexpected_output(
            "expected the 'Interface PHY Protocol InUti OutUti inErrors outErrors' header",
            lines,
            skip=_LEGEND,
        )
    return found


_Row = tuple[str, str | None, str, str, str | None, str | None, int | None, int | None]


def _generic_row(
    header: Header, line: str, standard: bool, suffixes: dict[str, str | None]
) -> _Row:
    """A row the fast pattern did not take: split by the header, every cell checked."""
    at = header.position
    cells = line.split()
    if standard and len(cells) == 7 and line.isascii():
        name_cell, phy, protocol, in_cell, out_cell, ine_cell, oute_cell = cells
        in_errors: int | None = _count(ine_cell)
        out_errors: int | None = _count(oute_cell)
    else:
        if len(cells) == header.cell_count and line.isascii():
            name_cell, phy, protocol = (
                cells[at("interface")],
                cells[at("phy")],
                cells[at("protocol")],
            )  # type: ignore[index]
            in_cell, out_cell, ine_cell, oute_cell = (
                None if (i := at(key)) is None else cells[i]
                for key in ("inuti", "oututi", "inerrors", "outerrors")
            )
        else:
            name_cell, phy, protocol, in_cell, out_cell, ine_cell, oute_cell = _cells(header, line)
        in_errors = None if ine_cell is None else _count(ine_cell)
        out_errors = None if oute_cell is None else _count(oute_cell)
    name, bandwidth = name_cell, None
    if name_cell[-1] == ")":
        name, _, suffix = name_cell[:-1].rpartition("(")
        bandwidth = suffixes.get(suffix, "")
        if bandwidth == "":
            bandwidth = suffixes[suffix] = _suffix(suffix, name_cell)
    if name.translate(_NAME_CHARS) or not name[:1].isalnum() or not line.isascii():
        name, bandwidth = _name(name_cell)
    return name, bandwidth, phy, protocol, in_cell, out_cell, in_errors, out_errors


def parse_interface_brief(text: str) -> InterfaceBrief:
    """Parse `display interface brief` into one :class:`BriefInterface` per row."""
    lines = clean_lines(text)
    warnings: list[ParseWarning] = []
    header_index, header = _find_header(lines, warnings)
    base_indent = header.indent
    states = _States(_markers(lines, header_index))
    phy_cache, protocol_cache = states.phy_cache, states.protocol_cache
    width = header.cell_count
    at = header.position
    name_i, phy_i, protocol_i = at("interface"), at("phy"), at("protocol")
    in_i, out_i, ine_i, oute_i = at("inuti"), at("oututi"), at("inerrors"), at("outerrors")
    standard = (name_i, phy_i, protocol_i, in_i, out_i, ine_i, oute_i) == tuple(range(7))
    standard = standard and width == 7
    suffixes: dict[str, str | None] = {}
    fast_row = _FAST_ROW.fullmatch if standard else None
    phy_column = header.columns[phy_i].start if phy_i is not None else 0
    rows: list[BriefInterface] = []
    append = rows.append
    parent: str | None = None
    parent_lost = False  # the trunk row above could not be read
    for index in range(header_index + 1, len(lines)):
        line = lines[index]
        if not line:
            continue
        member = len(line) > base_indent and line[base_indent] == " "
        if member and parent is None:
            if parent_lost:
                warnings.append(
                    ParseWarning("trunk member below an unreadable trunk row", line, index + 1)
                )
                continue
            raise ParseError(
                "indented trunk member without a trunk row above it",
                line=line,
                line_number=index + 1,
            )
        try:
            match = fast_row(line) if fast_row is not None else None
            if match is not None:
                name, suffix, phy, protocol, in_cell, out_cell, ine_cell, oute_cell = match.groups()
                bandwidth = suffix if suffix is not None and suffix[0].isdigit() else None
                in_errors, out_errors = int(ine_cell), int(oute_cell)
                # The pattern checked the form (`--` or `12.34%`); only the range is left.
                in_util = None if in_cell == "--" else float(in_cell[:-1])
                out_util = None if out_cell == "--" else float(out_cell[:-1])
                if (in_util or 0.0) > 100.0 or (out_util or 0.0) > 100.0:
                    raise BadValue(f"utilisation above 100%: {in_cell} {out_cell}")
            else:
                name, bandwidth, phy, protocol, in_cell, out_cell, in_errors, out_errors = (
                    _generic_row(header, line, standard, suffixes)
                )
                in_util = None if in_cell is None else _utilisation(in_cell)
                out_util = None if out_cell is None else _utilisation(out_cell)
            phy_state = phy_cache.get(phy) or states.phy(phy)
            # A marked state: was the mark a damaged space in front of the column?
            if (
                phy[0] in _STANDARD_MARKERS
                and line[phy_column - 1 : phy_column] == phy[0]
                and mark_in_padding(header, line, "phy")
            ):
                raise BadValue(f"state mark in the padding: a damaged space ({phy!r})")
            protocol_up = protocol_cache.get(protocol)
            if protocol_up is None:
                protocol_up = states.protocol(protocol)
        except (BadRow, BadValue) as problem:
            warnings.append(ParseWarning(str(problem), line, index + 1))
            if not member:
                parent, parent_lost = None, True
            continue
        if not member:
            parent, parent_lost = name, False
        append(
            BriefInterface(  # positional, in field order: 5,000 rows are a hot path
                name,
                phy,
                phy_state[0],
                phy_state[1],
                phy_state[2],
                protocol,
                protocol_up,
                in_util,
                out_util,
                in_errors,
                out_errors,
                parent if member else None,
                bandwidth,
            )
        )
    if not rows:
        if warnings:
            first = warnings[0]
            raise ParseError(
                f"no interface row could be read ({first.message})",
                line=first.line,
                line_number=first.line_number,
            )
        raise ParseError(
            "header without any interface rows (truncated output?)",
            line=lines[header_index],
            line_number=header_index + 1,
        )
    return InterfaceBrief(interfaces=tuple(rows), warnings=tuple(warnings))


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display interface brief [main]",
        parse_interface_brief,
        "state, utilisation and error counts of every interface",
    ),
)
