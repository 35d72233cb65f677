"""Parser for `display device`: the board inventory and each board's state.

The column set depends on the platform, so the header decides how a row is read (the
shared table reader, :mod:`app.vrp.table`):

- NE40E/ME60 (older VRP8): `Slot #  Type  Online  Register  Status  Primary`
- NE40E/NE8000 (VRP8):     `Slot #  Type  Online  Register  Status  Role  LsId  Primary`
- CloudEngine:             `Slot  Card  Type  Online  Power  Register  Alarm  Primary`,
  with indented sub-rows (fans, power modules of a stack member) that have no slot cell
  and belong to the slot above; `*CE6850...` marks a configured but unactivated board
  (only where the output's legend defines `*`: elsewhere a star is damage).

Cells are single words (a parenthesised part may hold a space: `CMU(MPU 9)`); one
published capture has its padding collapsed. A `-` cell means "no value" and becomes
None. Columns a release adds are ignored and trailing ones it leaves out are None. A row
whose cells do not read is left out with a warning (with the sub-rows of a slot whose own
row was unreadable), and the other boards are kept. A damaged chassis line is a warning
(the chassis is then None).
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError
from app.domain.parsing import ParseWarning
from app.domain.system import Board, Device
from app.vrp.grammar import CommandSpec
from app.vrp.table import BadRow, Column, Header, Table, is_rule
from app.vrp.text import clean_lines, unexpected_output
from app.vrp.values import BadValue, has_junk

_CHASSIS = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/+()-]{0,63}", re.ASCII)
_TITLE = re.compile(r"^\s*(?:(?P<chassis>\S.*?)'s\s+)?Device status\s*:\s*$", re.IGNORECASE)
TABLE = Table(
    Column.of("slot", "slot #", "slot", "slot/card"),
    Column.of("card", required=False),
    Column.of("type", "type", "card-type"),
    Column.of("online"),
    Column.of("power", required=False),
    Column.of("register", required=False),
    Column.of("status", "status", "alarm", required=False),
    Column.of("role", required=False),
    Column.of("lsid", required=False),
    Column.of("primary", required=False),
    cells=r"[^\s(]*\([^()]*\)\S*|\S+",
)
_CELLS = re.compile(r"[^\s(]*\([^()]*\)\S*|\S+")
_SLOT = re.compile(r"^(?:\d{1,3}(?:/\d{1,3})?|[A-Za-z]{2,8}\d{1,3})$", re.ASCII)
_STAR_LEGEND = re.compile(r"^\s*\*\s*:\s*\S")
_TYPE = re.compile(r"\*?[A-Za-z0-9][A-Za-z0-9_./+-]*(?:\([A-Za-z0-9 _./-]{1,24}\))?", re.ASCII)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]*(?:\([A-Za-z0-9 ]{1,16}\))?", re.ASCII)


def _cell(cells: dict[str, str], key: str) -> str | None:
    value = cells.get(key)
    if value is None or value in {"-", "--"}:  # `NA` is a value here: "not applicable"
        return None
    if _WORD.fullmatch(value) is None:
        raise BadValue(f"not a board {key}: {value!r}")
    return value


def _board(cells: dict[str, str], starred: bool) -> Board:
    """One board row; `starred`: the legend defines `*` (configured, unactivated)."""
    slot, board_type = cells["slot"], cells["type"]
    if _SLOT.match(slot) is None:
        raise BadValue(f"not a slot: {slot!r}")
    if _TYPE.fullmatch(board_type) is None or (board_type.startswith("*") and not starred):
        raise BadValue(f"not a board type: {board_type!r}")
    online = _cell(cells, "online")
    if online is None:
        raise BadValue(f"expected the board's presence, got {cells['online']!r}")
    return Board(
        slot=slot,
        type=board_type.lstrip("*"),
        online=online,
        status=_cell(cells, "status"),
        role=_cell(cells, "role"),
        primary=_cell(cells, "primary"),
        register=_cell(cells, "register"),
        card=_cell(cells, "card"),
        power=_cell(cells, "power"),
        configured_only=board_type.startswith("*"),
    )


def _sub_row(header: Header, line: str, slot: str) -> dict[str, str]:
    """A CloudEngine sub-row: the slot cell is left blank under the slot above."""
    return header.cells(f"{slot} {line.strip()}")


def parse_device(text: str) -> Device:
    """Parse `display device` into one :class:`Board` per row (sub-rows included)."""
    lines = clean_lines(text)
    warnings: list[ParseWarning] = []
    found = TABLE.locate(lines, warnings)
    if found is None:
        raise unexpected_output(
            "expected the `Slot #  Type  Online ...` header of `display device`", lines
        )
    header_index, header = found
    chassis = None
    for index, line in enumerate(lines[:header_index]):
        if match := _TITLE.match(line):
            chassis = match["chassis"]
            if has_junk(line) or (chassis is not None and _CHASSIS.fullmatch(chassis) is None):
                warnings.append(ParseWarning("damaged chassis line", line, index + 1))
                chassis = None
        elif has_junk(line) and not is_rule(line) and not _STAR_LEGEND.match(line):
            warnings.append(
                ParseWarning("damaged line (may have held the chassis)", line, index + 1)
            )
    starred = any(_STAR_LEGEND.match(line) for line in lines[:header_index])
    boards: list[Board] = []
    slot_lost = False
    start = header_index + 1
    if start < len(lines) and is_rule(lines[start]):
        start += 1
    for index in range(start, len(lines)):
        line = lines[index]
        if is_rule(line):
            break
        if not line.strip():
            continue
        try:
            width = len(_CELLS.findall(line))
            sub_row = line[:1].isspace() and header.has("card") and width == header.cell_count - 1
            if sub_row:
                if slot_lost or not boards:
                    raise BadRow("sub-row below an unreadable slot row")
                cells = _sub_row(header, line, boards[-1].slot)
            else:
                cells = header.cells(line)
            board = _board(cells, starred)
        except (BadRow, BadValue) as problem:
            warnings.append(ParseWarning(str(problem), line, index + 1))
            if not line[:1].isspace() or not header.has("card"):
                slot_lost = True
            continue
        if not sub_row:
            slot_lost = False
        boards.append(board)
    if not boards:
        if warnings:
            first = warnings[0]
            raise ParseError(first.message, line=first.line, line_number=first.line_number)
        raise ParseError(
            "expected at least one board row under the header",
            line=lines[header_index],
            line_number=header_index + 1,
        )
    return Device(boards=tuple(boards), chassis=chassis, warnings=tuple(warnings))


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display device",
        parse_device,
        "boards: type, presence, state, role",
    ),
)
