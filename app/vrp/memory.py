"""Parser for `display memory-usage`: total, used and percentage, normalised to bytes.

VRP8 prints `System Total Memory Is: 15766020 Kbytes`, VRP5 the same line in plain
`bytes`; both become bytes here so a consumer never has to know which box it asked. VRP8
adds a per-process table (`ProcessId ProcessName Used(Kbytes)`). The CloudEngine-style
`display memory` page (`Total Physical Available Memory: N Kbytes`, `Slot: 1   CPU: 0`)
carries the same three figures and is read by the same function.
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError
from app.domain.system import MemoryUsage, ProcessMemory
from app.vrp.grammar import CommandSpec
from app.vrp.text import clean_lines, first_unrecognised

_UNIT_BYTES = {"bytes": 1, "byte": 1, "kbytes": 1024, "kb": 1024, "mbytes": 1024**2, "mb": 1024**2}
_SIZE = r"(?P<value>\d{1,20})\s*(?P<unit>Kbytes|Mbytes|bytes|KB|MB)"
_TOTAL = re.compile(
    rf"^\s*(?:System Total Memory Is|Total Physical Available Memory)\s*:\s*{_SIZE}\s*$",
    re.IGNORECASE,
)
_USED = re.compile(
    rf"^\s*(?:Total Memory Used Is|Total Physical Memory Used)\s*:\s*{_SIZE}\s*$",
    re.IGNORECASE,
)
_PERCENT = re.compile(
    r"^\s*(?:Physical )?Memory Using Percentage(?: Is)?\s*:\s*(?P<percent>\d{1,3})%\s*$",
    re.IGNORECASE,
)
_MEASURED_AT = re.compile(r"^\s*Memory utilization statistics at\s+(?P<at>.+?)\s*$", re.I)
_SLOT_CPU = re.compile(r"^\s*Slot\s*:\s*(?P<slot>\S+)\s+CPU\s*:\s*(?P<cpu>\S+)\s*$", re.I)
_PROCESS_HEADER = re.compile(
    r"^\s*ProcessId\s+ProcessName\s+Used\((?P<unit>Kbytes|bytes|Mbytes)\)\s*$", re.IGNORECASE
)
_PROCESS_ROW = re.compile(r"^\s*(?P<pid>\d{1,10})\s+(?P<name>\S+)\s+(?P<used>\d{1,20})\s*$")
_RULE = re.compile(r"^\s*-{5,}\s*$")


def _bytes(match: re.Match[str]) -> int:
    return int(match["value"]) * _UNIT_BYTES[match["unit"].lower()]


def _processes(lines: list[str], header_index: int, unit: str) -> tuple[list[ProcessMemory], int]:
    """Rows of the per-process table (framed by rule lines) and the index after it."""
    scale = _UNIT_BYTES[unit.lower()]
    index = header_index + 1
    if index < len(lines) and _RULE.match(lines[index]):
        index += 1
    rows: list[ProcessMemory] = []
    while index < len(lines) and not _RULE.match(lines[index]):
        line = lines[index]
        if line.strip():
            match = _PROCESS_ROW.match(line)
            if not match:
                raise ParseError(
                    "expected a `ProcessId ProcessName Used` row", line=line, line_number=index + 1
                )
            rows.append(ProcessMemory(int(match["pid"]), match["name"], int(match["used"]) * scale))
        index += 1
    return rows, index + 1


def parse_memory_usage(text: str) -> MemoryUsage:
    """Parse `display memory-usage [slot N]` (VRP8 Kbytes, VRP5 bytes) or `display memory`."""
    lines = clean_lines(text)
    total = used = percent = None
    measured_at = slot = cpu = None
    processes: list[ProcessMemory] = []
    recognised: set[int] = set()
    index = 0
    while index < len(lines):
        line = lines[index]
        if match := _PROCESS_HEADER.match(line):
            start = index
            rows, index = _processes(lines, index, match["unit"])
            processes.extend(rows)
            recognised.update(range(start, index))
            continue
        recognised.add(index)
        if match := _TOTAL.match(line):
            total = _bytes(match)
        elif match := _USED.match(line):
            used = _bytes(match)
        elif match := _PERCENT.match(line):
            percent = int(match["percent"])
        elif match := _MEASURED_AT.match(line):
            measured_at = match["at"]
        elif match := _SLOT_CPU.match(line):
            slot, cpu = match["slot"], match["cpu"]
        else:
            recognised.discard(index)
        index += 1
    if total is None or used is None or percent is None:
        missing = next(
            name
            for name, value in (("total", total), ("used", used), ("percentage", percent))
            if value is None
        )
        where = first_unrecognised(lines, recognised) or (None, None)
        raise ParseError(
            f"expected the memory {missing} line (`System Total Memory Is`, "
            "`Total Memory Used Is`, `Memory Using Percentage Is`)",
            line=where[1],
            line_number=where[0],
        )
    return MemoryUsage(
        total_bytes=total,
        used_bytes=used,
        memory_percent=percent,
        measured_at=measured_at,
        slot=slot,
        cpu=cpu,
        processes=tuple(processes),
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display memory-usage [slave] [slot <slot> [cpu <int>]]",
        parse_memory_usage,
        "memory: total, used (bytes) and percentage, with the per-process table",
    ),
)
