"""Parser for `display health [verbose]`: CPU and memory per board in one command.

Layout: a header `Slot  CPU Usage  Memory Usage(Used/Total)` framed by rule lines, then
one row per board: `17  MPU(Master)  3%  12%  706MB/1724MB`. The header is read by the
shared table reader (:mod:`app.vrp.table`), so columns a release adds are read or ignored
rather than breaking every row: CloudEngine and newer VRP8 add `DataPlane CPU Usage`,
`verbose` adds `Physical Memory Usage(Free/Total/Cache)` (`86%  25MB/903MB/44MB`) and,
under a board, lines of per-CPU figures (`cpu0  4%  cpu1  2%`). Published copies collapse
the padding; a type may hold a space in parentheses (`MPU(System master)`).

Published examples mask the leading digits of the sizes with two stars (`**06MB`); those
sizes are unknown (None), not guessed, as is a figure printed as `-`. A single star in a
size is damage. A damaged header (a column name spoilt, a mark in its padding) is a
warning: the rows are then read only where they fit it cell for cell. A board row whose
cells do not read (damage, used above total, a percentage over 100) is left out with a
warning, and so is a board whose per-CPU line is damaged; the other boards are kept.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.domain.errors import ParseError
from app.domain.parsing import ParseWarning
from app.domain.system import BoardHealth, CoreLoad, Health
from app.vrp.grammar import CommandSpec
from app.vrp.table import BadRow, Column, Table, is_rule
from app.vrp.text import clean_lines, unexpected_output
from app.vrp.values import NO_VALUE, BadValue, int_percent

TABLE = Table(
    Column(("slot", "type"), ("slot",)),
    Column.of("cpu", "cpu usage"),
    Column(("memory", "memory_sizes"), ("memory usage(used/total)", "memory usage")),
    Column(
        ("physical", "physical_sizes"),
        ("physical memory usage(free/total/cache)", "physical memory usage"),
        required=False,
    ),
    Column.of("dataplane", "dataplane cpu usage", required=False),
    cells=r"[^\s(]*\([^()]*\)\S*|\S+",
)
_SLOT = re.compile(r"(?:[A-Za-z]{1,6}\d{0,3}/)?\d{1,3}(?:/\d{1,3})?", re.ASCII)
_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*(?:\([A-Za-z ]{1,24}\))?", re.ASCII)
# Documentation masks the leading digits of a size with two stars (`**06MB`).
_SIZE = re.compile(r"(?:\*\*)?\d{1,9}MB", re.ASCII)
_CORES = re.compile(r"^\s*(?:(?:cpu\d{1,3})\s+\d{1,3}%\s*)+$", re.IGNORECASE)
_CORE = re.compile(r"(cpu\d{1,3})\s+(\d{1,3})%", re.IGNORECASE)
# Documentation examples end a shortened table with a line of dots.
_ELLIPSIS = re.compile(r"^\s*(?:\.{3,}|…)\s*$")


def _percent(cell: str | None) -> int | None:
    """`14%` -> 14; `-`, `--`, `NA` or an absent column -> None; anything else is damage."""
    if cell is None or cell in NO_VALUE:
        return None
    return int_percent(cell)


def _megabytes(cell: str) -> int | None:
    """`706MB` -> 706; a masked `**06MB` -> None (unknown, not guessed)."""
    if _SIZE.fullmatch(cell) is None:
        raise BadValue(f"expected a size in MB, got {cell!r}")
    digits = cell[:-2]
    return int(digits) if digits.isdigit() else None


def _sizes(cell: str | None, count: int) -> tuple[int | None, ...]:
    """`706MB/1724MB` (or `free/total/cache`) -> megabytes; `-` -> Nones."""
    if cell is None or cell in NO_VALUE:
        return (None,) * count
    parts = cell.split("/")
    if len(parts) != count:
        raise BadValue(f"expected {count} sizes, got {cell!r}")
    return tuple(_megabytes(part) for part in parts)


def _board(cells: dict[str, str]) -> BoardHealth:
    slot, board_type = cells["slot"], cells["type"]
    if _SLOT.fullmatch(slot) is None:
        raise BadValue(f"not a slot: {slot!r}")
    if _TYPE.fullmatch(board_type) is None:
        raise BadValue(f"not a board type: {board_type!r}")
    used, total = _sizes(cells["memory_sizes"], 2)
    if used is not None and total is not None and used > total:
        raise BadValue(f"memory used ({used}MB) exceeds the total ({total}MB)")
    physical = cells.get("physical")
    if physical is not None:
        _sizes(cells.get("physical_sizes"), 3)  # checked; the model keeps the percentage
    return BoardHealth(
        slot=slot,
        type=board_type,
        cpu_percent=_percent(cells["cpu"]),
        memory_percent=_percent(cells["memory"]),
        memory_used_mb=used,
        memory_total_mb=total,
        physical_memory_percent=_percent(physical),
        dataplane_cpu_percent=_percent(cells.get("dataplane")),
    )


def parse_health(text: str) -> Health:
    """Parse `display health [verbose]` into one :class:`BoardHealth` per board row."""
    lines = clean_lines(text)
    warnings: list[ParseWarning] = []
    found = TABLE.locate(lines, warnings)
    if found is None:
        raise unexpected_output(
            "expected the `Slot  CPU Usage  Memory Usage(Used/Total)` header", lines
        )
    header_index, header = found
    boards: list[BoardHealth] = []
    cores: list[CoreLoad] = []
    lost = False  # the board row above could not be read; its per-CPU lines go with it

    def close_board() -> None:
        nonlocal cores
        if boards and cores:
            boards[-1] = replace(boards[-1], cores=tuple(cores))
        cores = []

    start = header_index + 1
    if start < len(lines) and is_rule(lines[start]):
        start += 1
    for index in range(start, len(lines)):
        line = lines[index]
        if is_rule(line):
            break
        if not line.strip() or _ELLIPSIS.match(line):
            continue
        if _CORES.match(line):
            if lost:
                warnings.append(
                    ParseWarning("per-CPU line of an unreadable board", line, index + 1)
                )
            elif boards:
                cores.extend(CoreLoad(name, int(value)) for name, value in _CORE.findall(line))
                if any(core.percent > 100 for core in cores):
                    warnings.append(ParseWarning("per-CPU figure above 100%", line, index + 1))
                    close_board()
                    boards.pop()
                    lost = True
            continue
        if line[:1].isspace() and not line.strip()[:1].isdigit() and boards and not lost:
            # An indented line under a board that is not a per-CPU line: damaged.
            warnings.append(ParseWarning("unreadable per-CPU line", line, index + 1))
            cores = []
            boards.pop()
            lost = True
            continue
        close_board()
        try:
            board = _board(header.cells(line))
        except (BadRow, BadValue) as problem:
            warnings.append(ParseWarning(str(problem), line, index + 1))
            lost = True
            continue
        boards.append(board)
        lost = False
    close_board()
    if not boards:
        if warnings:
            first = warnings[0]
            raise ParseError(
                f"expected a board row `SLOT TYPE CPU% MEM% USED/TOTAL` ({first.message})",
                line=first.line,
                line_number=first.line_number,
            )
        raise ParseError(
            "expected at least one board row under the header",
            line=lines[header_index],
            line_number=header_index + 1,
        )
    return Health(boards=tuple(boards), warnings=tuple(warnings))


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display health [verbose]",
        parse_health,
        "per-board CPU and memory usage",
    ),
)
