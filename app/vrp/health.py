"""Parser for `display health [verbose]`: CPU and memory per board in one command.

Layout: a header `Slot  CPU Usage  Memory Usage(Used/Total)` framed by rule lines, then
one row per board: `17  MPU(Master)  3%  12%  706MB/1724MB`. The `verbose` variant adds a
physical-memory column (`86%  25MB/903MB/44MB`) and, under a board, lines of per-CPU
figures (`cpu0  4%  cpu1  2%`). Rows are split on whitespace (one published capture has
its padding collapsed to single spaces). Published examples mask digits of the sizes
(`**06MB`); those sizes are unknown (None), not guessed, as is a figure printed as `-`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.domain.errors import ParseError
from app.domain.system import BoardHealth, CoreLoad, Health
from app.vrp.grammar import CommandSpec
from app.vrp.text import clean_lines, unexpected_output

_HEADER = re.compile(r"^\s*Slot\s+CPU Usage\s+Memory Usage\(Used/Total\)", re.IGNORECASE)
_RULE = re.compile(r"^\s*-{5,}\s*$")
_SIZE = r"[\d*]{1,9}MB"
# A figure the board does not report is printed as `-`, `--` or `NA`.
_NONE = r"-{1,2}|NA"
_PERCENT = rf"\d{{1,3}}%|{_NONE}"
_ROW = re.compile(
    rf"^\s*(?P<slot>\d{{1,3}}(?:/\d{{1,3}})?)\s+(?P<type>\S+)\s+(?P<cpu>{_PERCENT})"
    rf"\s+(?P<mem>{_PERCENT})\s+(?:(?P<used>{_SIZE})/(?P<total>{_SIZE})|{_NONE})"
    rf"(?:\s+(?P<physical>{_PERCENT})\s+(?:{_SIZE}/{_SIZE}/{_SIZE}|{_NONE}))?\s*$",
    re.IGNORECASE,
)
_CORES = re.compile(r"^\s*(?:(?:cpu\d{1,3})\s+\d{1,3}%\s*)+$", re.IGNORECASE)
_CORE = re.compile(r"(cpu\d{1,3})\s+(\d{1,3})%", re.IGNORECASE)
# Documentation examples end a shortened table with a line of dots.
_ELLIPSIS = re.compile(r"^\s*(?:\.{3}|…)\s*$")


def _megabytes(cell: str | None) -> int | None:
    """`706MB` -> 706; a masked `**06MB` or a missing cell -> None."""
    digits = (cell or "")[:-2]
    return int(digits) if digits.isdigit() else None


def _percent(cell: str | None) -> int | None:
    """`14%` -> 14; `-`, `--`, `NA` or an absent column -> None."""
    return int(cell[:-1]) if cell and cell.endswith("%") else None


def _board(match: re.Match[str]) -> BoardHealth:
    return BoardHealth(
        slot=match["slot"],
        type=match["type"],
        cpu_percent=_percent(match["cpu"]),
        memory_percent=_percent(match["mem"]),
        memory_used_mb=_megabytes(match["used"]),
        memory_total_mb=_megabytes(match["total"]),
        physical_memory_percent=_percent(match["physical"]),
    )


def parse_health(text: str) -> Health:
    """Parse `display health [verbose]` into one :class:`BoardHealth` per board row."""
    lines = clean_lines(text)
    header = next((i for i, line in enumerate(lines) if _HEADER.match(line)), None)
    if header is None:
        raise unexpected_output(
            "expected the `Slot  CPU Usage  Memory Usage(Used/Total)` header", lines
        )
    boards: list[BoardHealth] = []
    cores: list[CoreLoad] = []
    start = header + 1
    if start < len(lines) and _RULE.match(lines[start]):
        start += 1
    for index in range(start, len(lines)):
        line = lines[index]
        if _RULE.match(line):
            break
        if not line.strip() or _ELLIPSIS.match(line):
            continue
        if match := _ROW.match(line):
            if boards and cores:
                boards[-1] = replace(boards[-1], cores=tuple(cores))
                cores = []
            boards.append(_board(match))
        elif boards and _CORES.match(line):
            cores.extend(CoreLoad(name, int(value)) for name, value in _CORE.findall(line))
        else:
            raise ParseError(
                "expected a board row `SLOT TYPE CPU% MEM% USED/TOTAL`",
                line=line,
                line_number=index + 1,
            )
    if boards and cores:
        boards[-1] = replace(boards[-1], cores=tuple(cores))
    if not boards:
        raise ParseError(
            "expected at least one board row under the header",
            line=lines[header],
            line_number=header + 1,
        )
    return Health(boards=tuple(boards))


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display health [verbose]",
        parse_health,
        "per-board CPU and memory usage",
    ),
)
