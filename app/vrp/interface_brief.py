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

A state mark in the padding one column left of PHY, in a row otherwise aligned as the
router aligns rows, is a damaged space (`  down` -> ` ^down`), not a mark; a
documentation copy with shifted cells keeps its mark.

This is the hot path of interface polling (thousands of rows on a BRAS): when every row is
well formed, one pattern without groups checks the whole table in C, the cells are taken
by one split and the rows are built column by column; the output below the header is
then never split into lines. Otherwise the rows a row pattern takes are read in order and
every other line goes through the header, cell by cell. Both give the same result
(tests/unit/vrp/test_interface_brief_whole.py).
"""

from __future__ import annotations

import re
from itertools import compress, repeat
from operator import contains, itemgetter

from app.domain.errors import ParseError
from app.domain.interfaces import BriefInterface, InterfaceBrief
from app.domain.parsing import ParseWarning
from app.vrp.grammar import CommandSpec
from app.vrp.names import INTERFACE_CELL
from app.vrp.table import BadRow, Column, Header, Table, mark_in_padding
from app.vrp.text import clean_lines, output_text, unexpected_output
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
# The legend and the header take about 15 lines: the fast path splits only this many.
_HEAD_LINES = 40
# A well-formed row of the usual seven columns, every cell checked in one C-level scan of
# the whole table (the hot path: thousands of rows per poll). Anything else is read by
# the header, cell by cell.
# A utilisation of at most 100 % (a higher one is damage, read by the general path);
# the group holds the number without `%`, and is empty for `--`.
_UTIL_FORM = r"(?:--|(100(?:\.0{1,2})?|\d{1,2}(?:\.\d{1,2})?)%)"
_FAST_ROWS = re.compile(
    r"^( *)((?:\d{2,3}\|\d{2,3}GE|[A-Za-z0-9])[A-Za-z0-9/.:-]*)"
    r"(?:\((\d{1,4}(?:\.\d{1,2})?[KMGT]|[a-z]{1,2})\))?"
    r" +((?:[*^#]?down|up)(?:\([A-Za-z]{1,3}\))*) +((?:down|up)(?:\([A-Za-z]{1,3}\))*)"
    rf" +{_UTIL_FORM} +{_UTIL_FORM} +(\d{{1,20}}) +(\d{{1,20}}) *$",
    re.ASCII | re.MULTILINE,
)
# The same row without groups, possessive where no backtracking could change the match,
# the usual alternative first (a row matches the whole line whichever alternative takes
# it): the whole table is checked by one `fullmatch` without building a tuple per row.
_ROW_FORM = (
    r" *+(?:[A-Za-z0-9]|\d{2,3}\|\d{2,3}GE)[A-Za-z0-9/.:-]*+"
    r"(?:\((?:\d{1,4}(?:\.\d{1,2})?[KMGT]|[a-z]{1,2})\))?"
    r" ++(?:up|[*^#]?down)(?:\([A-Za-z]{1,3}\))*+ ++(?:up|down)(?:\([A-Za-z]{1,3}\))*+"
    r" ++(?:\d{1,2}+(?:\.\d{1,2}+)?+%|100(?:\.0{1,2})?+%|--)"
    r" ++(?:\d{1,2}+(?:\.\d{1,2}+)?+%|100(?:\.0{1,2})?+%|--)"
    r" ++\d{1,20}+ ++\d{1,20}+"  # no trailing blank: the cleaned lines have none
)
_WHOLE_TABLE = re.compile(rf"(?:{_ROW_FORM}\n)*+{_ROW_FORM}", re.ASCII)
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


def _utilisations(cells: list[str]) -> list[float | None]:
    """A column of checked utilisations without `%`; `--` (none for this interface) -> None."""
    if "--" not in cells:
        return list(map(float, cells))
    return [None if cell == "--" else float(cell) for cell in cells]


def _counts(cells: list[str]) -> list[int]:
    """A column of checked error counts; most are `0` (cheaper to compare than to parse)."""
    return [0 if cell == "0" else int(cell) for cell in cells]


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


class _Reader:
    """Rows of one output: the good ones, warnings for the others, the trunk above."""

    def __init__(self, header: Header, markers: frozenset[str]) -> None:
        self.header = header
        self.states = _States(markers)
        self.base_indent = header.indent
        at = header.position
        columns = (at("interface"), at("phy"), at("protocol"), at("inuti"), at("oututi"))
        columns += (at("inerrors"), at("outerrors"))
        self.standard = columns == tuple(range(7)) and header.cell_count == 7
        self.phy_column = header.columns[at("phy") or 0].start
        self.suffixes: dict[str, str | None] = {}
        self.rows: list[BriefInterface] = []
        self.warnings: list[ParseWarning] = []
        self.parent: str | None = None
        self.parent_lost = False  # the trunk row above could not be read

    def marked_in_padding(self, phy: str, line: str) -> bool:
        """A state mark one column left of PHY in an aligned row: a damaged space."""
        return (
            phy[0] in _STANDARD_MARKERS
            and line[self.phy_column - 1 : self.phy_column] == phy[0]
            and mark_in_padding(self.header, line, "phy")
        )

    def line(self, line: str, index: int) -> None:
        """One row read by the header (the general path); a bad row becomes a warning."""
        if not line:
            return
        member = len(line) > self.base_indent and line[self.base_indent] == " "
        if member and self.parent is None:
            if self.parent_lost:
                self.warnings.append(
                    ParseWarning("trunk member below an unreadable trunk row", line, index + 1)
                )
                return
            raise ParseError(
                "indented trunk member without a trunk row above it",
                line=line,
                line_number=index + 1,
            )
        states = self.states
        try:
            name, bandwidth, phy, protocol, in_cell, out_cell, in_errors, out_errors = _generic_row(
                self.header, line, self.standard, self.suffixes
            )
            in_util = None if in_cell is None else _utilisation(in_cell)
            out_util = None if out_cell is None else _utilisation(out_cell)
            phy_state = states.phy_cache.get(phy) or states.phy(phy)
            if self.marked_in_padding(phy, line):
                raise BadValue(f"state mark in the padding: a damaged space ({phy!r})")
            protocol_up = states.protocol_cache.get(protocol)
            if protocol_up is None:
                protocol_up = states.protocol(protocol)
        except (BadRow, BadValue) as problem:
            self.warnings.append(ParseWarning(str(problem), line, index + 1))
            if not member:
                self.parent, self.parent_lost = None, True
            return
        if not member:
            self.parent, self.parent_lost = name, False
        self.rows.append(
            BriefInterface(
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
                self.parent if member else None,
                bandwidth,
            )
        )

    def whole(self, body: str) -> bool:
        """The usual case, fastest: every line of `body` (the rows under the header, no
        blank line, no trailing blank) is a well-formed row whose states are plain. One
        pattern without groups checks the whole table in C; the cells are then taken by
        splitting it (a row that matched holds exactly seven, none with a space) and
        converted column by column. False (nothing read) when any row needs a closer
        look."""
        if _WHOLE_TABLE.fullmatch(body) is None:
            return False
        cells = body.replace("%", "").split()  # `14.44%` -> `14.44`: the float's text
        names, phys, protocols = cells[0::7], cells[1::7], cells[2::7]
        states = self.states
        phy_cache, protocol_cache = states.phy_cache, states.protocol_cache
        distinct_phys = set(phys)
        try:
            for phy in distinct_phys:
                if phy not in phy_cache:
                    states.phy(phy)
            for protocol in set(protocols):
                if protocol not in protocol_cache:
                    states.protocol(protocol)
        except BadValue:
            return False  # a state the legend does not define: read row by row
        rows = body.split("\n")
        # A row indented deeper than the header is a member (rows start with their indent).
        if self.base_indent == 0:
            members = [row[0] == " " for row in rows]
        else:
            members = list(map(str.startswith, rows, repeat(" " * (self.base_indent + 1))))
        if members[0]:
            return False  # a member without its trunk
        column = self.phy_column
        if (
            any(phy[0] in _STANDARD_MARKERS for phy in distinct_phys)
            # (a mark must sit one column left of PHY: look for one there, in C, first)
            and not _STANDARD_MARKERS.isdisjoint(map(itemgetter(slice(column - 1, column)), rows))
            and any(
                self.marked_in_padding(phy, row)
                for phy, row in zip(phys, rows, strict=True)
                if phy[0] in _STANDARD_MARKERS
            )
        ):
            return False
        count = len(names)
        bandwidths: list[str | None] = [None] * count
        # `GigabitEthernet0/1/0(10G)`: the pattern checked the suffix (the only `)` a name
        # holds); only those names are visited (compress picks their positions in C).
        suffixed = list(map(contains, names, repeat(")")))
        if any(suffixed):
            positions = compress(range(count), suffixed)
            parts = map(str.rpartition, compress(names, suffixed), repeat("("))
            for index, (name, _, suffix) in zip(positions, parts, strict=True):
                names[index] = name
                if suffix[0].isdigit():
                    bandwidths[index] = suffix[:-1]
        # A member's trunk is the last row above it that is not a member (the first row
        # is not one): the trunk row itself or the member above.
        trunks: list[str | None] = [None] * count
        for index in compress(range(count), members):
            trunks[index] = trunks[index - 1] if members[index - 1] else names[index - 1]
        # (up, admin down, standby) of each distinct PHY cell, looked up per row in C.
        up, admin_down, standby = (
            {phy: phy_cache[phy][at] for phy in distinct_phys} for at in range(3)
        )
        self.rows.extend(
            map(
                BriefInterface,
                names,
                phys,
                map(up.__getitem__, phys),
                map(admin_down.__getitem__, phys),
                map(standby.__getitem__, phys),
                protocols,
                map(protocol_cache.__getitem__, protocols),
                _utilisations(cells[3::7]),
                _utilisations(cells[4::7]),
                _counts(cells[5::7]),
                _counts(cells[6::7]),
                trunks,
                bandwidths,
            )
        )
        return True

    def scan(self, lines: list[str], first: int) -> None:
        """The hot path: one pattern over the whole table finds the well-formed rows in C;
        the lines between two of them (anything unusual) go through :meth:`line`."""
        body = "\n".join(lines[first:])
        states = self.states
        phy_cache, protocol_cache = states.phy_cache, states.protocol_cache
        base_indent = self.base_indent
        append = self.rows.append
        marks = _STANDARD_MARKERS
        parent = self.parent
        index = first  # line index of the next unread line
        position = 0  # its offset in `body`
        for match in _FAST_ROWS.finditer(body):
            start, end = match.span()
            if start != position:  # lines the pattern did not take
                self.parent = parent
                for line in body[position : start - 1].split("\n"):
                    self.line(line, index)
                    index += 1
                parent = self.parent
            position = end + 1
            indent, name, suffix, phy, protocol, in_cell, out_cell, ine_cell, oute_cell = (
                match.groups()
            )
            member = len(indent) > base_indent
            phy_state = phy_cache.get(phy)
            protocol_up = protocol_cache.get(protocol)
            if (
                phy_state is None
                or protocol_up is None
                or (member and parent is None)
                or (phy[0] in marks and self.marked_in_padding(phy, match[0]))
            ):
                # First sight of a state, an orphan member or a doubtful mark: the
                # general path reads it (and reports it).
                self.parent = parent
                self.line(match[0], index)
                parent = self.parent
                index += 1
                continue
            if not member:
                parent = name
            append(
                BriefInterface(  # positional, in field order: 5,000 rows are a hot path
                    name,
                    phy,
                    phy_state[0],
                    phy_state[1],
                    phy_state[2],
                    protocol,
                    protocol_up,
                    float(in_cell) if in_cell else None,
                    float(out_cell) if out_cell else None,
                    int(ine_cell),
                    int(oute_cell),
                    parent if member else None,
                    suffix if suffix is not None and suffix[0].isdigit() else None,
                )
            )
            index += 1
        self.parent = parent  # (`parent_lost` only matters while there is no parent)
        if position <= len(body):
            for line in body[position:].split("\n"):
                self.line(line, index)
                index += 1


def parse_interface_brief(text: str) -> InterfaceBrief:
    """Parse `display interface brief` into one :class:`BriefInterface` per row."""
    return _read_clean_table(text) or _read_table(text)


def _read_clean_table(text: str) -> InterfaceBrief | None:
    """The usual output, fastest: the standard header near the top, then only well-formed
    rows. Only the lines down to the header are split; the table below it is checked and
    read as one string (:meth:`_Reader.whole`). None, so that :func:`_read_table` reads
    (and reports) it, for anything else: the same result, one step slower."""
    body = output_text(text)
    head = body.split("\n", _HEAD_LINES)  # the lines above the header, the rest in one
    lines = [line.rstrip() for line in head[:_HEAD_LINES]]
    warnings: list[ParseWarning] = []
    found = TABLE.locate(lines, warnings)
    if found is None or warnings:
        return None
    header_index, header = found
    reader = _Reader(header, _markers(lines, header_index))
    # The text below the header line (the lines it spans, each with its line break).
    table = body[sum(map(len, head[: header_index + 1])) + header_index + 1 :]
    if not reader.standard or not reader.whole(table):
        return None
    return InterfaceBrief(interfaces=tuple(reader.rows))


def _read_table(text: str) -> InterfaceBrief:
    """The reader of record: the cleaned lines, the header found and every row placed by
    it; rows the fast pattern takes are read in C, the others cell by cell."""
    lines = clean_lines(text)
    warnings: list[ParseWarning] = []
    header_index, header = _find_header(lines, warnings)
    reader = _Reader(header, _markers(lines, header_index))
    reader.warnings = warnings
    if reader.standard:
        table = "\n".join(line for line in lines[header_index + 1 :] if line)
        if not reader.whole(table):
            reader.scan(lines, header_index + 1)
    else:
        for index in range(header_index + 1, len(lines)):
            reader.line(lines[index], index)
    rows = reader.rows
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
