"""Parser for `display device`: the board inventory and each board's state.

The column set depends on the platform, so the header decides how a row is read:
- NE40E/ME60 (older VRP8): `Slot #  Type  Online  Register  Status  Primary`
- NE40E/NE8000 (VRP8):     `Slot #  Type  Online  Register  Status  Role  LsId  Primary`
- CloudEngine:             `Slot  Card  Type  Online  Power  Register  Alarm  Primary`,
  with indented sub-rows (fans, power modules of a stack member) that have no slot cell
  and belong to the slot above; `*CE6850...` marks a configured but unactivated board.
Cells are single words (a parenthesised part may hold a space: `CMU(MPU 9)`), so rows are
split on whitespace, never by column position (one published capture has its padding
collapsed). A `-` cell means "no value" and becomes None.
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError
from app.domain.system import Board, Device
from app.vrp.grammar import CommandSpec
from app.vrp.text import clean_lines, unexpected_output

_TITLE = re.compile(r"^\s*(?:(?P<chassis>\S.*?)'s\s+)?Device status\s*:\s*$", re.IGNORECASE)
_RULE = re.compile(r"^\s*-(?:\s?-){4,}\s*$")
# Header words -> model field (None: a column the model does not keep).
_COLUMNS: dict[str, str | None] = {
    "slot": "slot",
    "slot/card": "slot",
    "card": "card",
    "type": "type",
    "card-type": "type",
    "online": "online",
    "power": "power",
    "register": "register",
    "status": "status",
    "alarm": "status",
    "role": "role",
    "lsid": None,
    "primary": "primary",
}
# A cell is one word, or a word with a parenthesised part that may hold spaces (`CMU(MPU 9)`).
_CELL = re.compile(r"[^\s(]*\([^()]*\)\S*|\S+")
_SLOT = re.compile(r"^(?:\d{1,3}(?:/\d{1,3})?|[A-Za-z]{2,8}\d{1,3})$")


def _header_columns(line: str) -> list[str | None] | None:
    """Field names of a `Slot ... Type ... Online ...` header, or None for other lines."""
    words = [word for word in line.split() if word != "#"]
    if not words or words[0].lower() not in {"slot", "slot/card"}:
        return None
    if any(word.lower() not in _COLUMNS for word in words):
        return None
    columns = [_COLUMNS[word.lower()] for word in words]
    if "type" not in columns or "online" not in columns:
        return None
    return columns


def _board(cells: dict[str, str]) -> Board:
    def cell(name: str) -> str | None:
        value = cells.get(name)
        return None if value in (None, "-") else value

    board_type = cells["type"]
    configured_only = board_type.startswith("*")
    return Board(
        slot=cells["slot"],
        type=board_type.lstrip("*"),
        online=cells["online"],
        status=cell("status"),
        role=cell("role"),
        primary=cell("primary"),
        register=cell("register"),
        card=cell("card"),
        power=cell("power"),
        configured_only=configured_only,
    )


def parse_device(text: str) -> Device:
    """Parse `display device` into one :class:`Board` per row (sub-rows included)."""
    lines = clean_lines(text)
    chassis = None
    header = columns = None
    for index, line in enumerate(lines):
        if match := _TITLE.match(line):
            chassis = match["chassis"]
        elif (found := _header_columns(line)) is not None:
            header, columns = index, found
            break
    if header is None or columns is None:
        raise unexpected_output(
            "expected the `Slot #  Type  Online ...` header of `display device`", lines
        )
    boards: list[Board] = []
    start = header + 1
    if start < len(lines) and _RULE.match(lines[start]):
        start += 1
    for index in range(start, len(lines)):
        line = lines[index]
        if _RULE.match(line):
            break
        if not line.strip():
            continue
        words = _CELL.findall(line)
        if len(words) == len(columns) and _SLOT.match(words[0]):
            cells = dict(zip(columns, words, strict=True))
        elif "card" in columns and len(words) == len(columns) - 1 and boards and line[:1].isspace():
            # A sub-row of the slot above (CloudEngine stack member's fan or power module).
            cells = dict(zip(columns, [boards[-1].slot, *words], strict=True))
        else:
            raise ParseError(
                f"expected a board row with {len(columns)} columns",
                line=line,
                line_number=index + 1,
            )
        boards.append(_board({key: value for key, value in cells.items() if key}))
    if not boards:
        raise ParseError(
            "expected at least one board row under the header",
            line=lines[header],
            line_number=header + 1,
        )
    return Device(boards=tuple(boards), chassis=chassis)


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display device",
        parse_device,
        "boards: type, presence, state, role",
    ),
)
