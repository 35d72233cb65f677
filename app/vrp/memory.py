"""Parser for `display memory-usage`: total, used and percentage, normalised to bytes.

Every published spelling carries the same three figures as `Key : value` lines, read by
the shared key/value reader (:mod:`app.vrp.keyvalue`), so spacing, an optional `Is` and
the unit do not matter:

* VRP8: `System Total Memory Is: 15766020 Kbytes`, `Total Memory Used Is`, `Memory Using
  Percentage Is: 22%`, then a per-process table (`ProcessId ProcessName Used(Kbytes)`);
* VRP5: the same lines in plain `bytes`; CX600/ME60 add `Slot 5 Memory utilization Info:`;
* CloudEngine `display memory`: `Total Physical Available Memory: N Kbytes`, `Total
  Physical Memory Used`, `Physical Memory Using Percentage`, `Slot: 1   CPU: 0`;
* routers and access points without `Is`: `System Total Memory: 1976072 Kbytes`.

Sizes become bytes (1 Kbyte = 1024 bytes) so a consumer never has to know which box it
asked. Used must not exceed total, and the percentage must agree with them (within the
router's own rounding); a damaged figure is an error naming the line, a damaged process
row, process header, time or slot line a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.domain.errors import ParseError
from app.domain.parsing import ParseWarning
from app.domain.system import MemoryUsage, ProcessMemory
from app.vrp.grammar import CommandSpec
from app.vrp.keyvalue import Pair, Record, read_record
from app.vrp.table import Column, Table, read_rows
from app.vrp.text import clean_lines, first_unrecognised
from app.vrp.values import (
    BadValue,
    damaged_mention,
    integer,
    percent,
    size_bytes,
    timestamp,
    vrp_name,
)

_TOTAL = (
    "system total memory",
    "total physical available memory",
    "total physical memory",
    "total memory",
    "memory total",
)
_USED = ("total memory used", "total physical memory used", "used memory", "memory used")
_PERCENT = (
    "memory using percentage",
    "physical memory using percentage",
    "memory usage",
    "memory utilization",
)
_WATCHED = (
    "System Total Memory",
    "Total Physical Available Memory",
    "Total Physical Memory",
    "Total Memory Used",
    "Total Physical Memory Used",
    "Memory Using Percentage",
    "Physical Memory Using Percentage",
    "Slot",
    "CPU",
)
_MEASURED_AT = re.compile(r"^\s*Memory utilization statistics at\s+(?P<at>.+?)\s*$", re.I)
_SLOT_TITLE = re.compile(r"^\s*Slot\s+(\w{1,8})\s+Memory utilization Info", re.IGNORECASE)
_PROCESSES = Table(
    Column.of("pid", "processid", "process id"),
    Column.of("name", "processname", "process name"),
    Column.of("used", "used(kbytes)", "used(bytes)", "used(mbytes)", "used"),
)
_PROCESS_UNIT = re.compile(r"Used\((Kbytes|bytes|Mbytes)\)", re.IGNORECASE)
_PROCESS_NAME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def _figure(
    record: Record, keys: tuple[str, ...], what: str, lines: list[str], known: set[int]
) -> Pair:
    pair = record.block.get(*keys)
    if pair is not None:
        return pair
    lost = record.lost(*_WATCHED)
    where = (lost[0] + 1, lost[1]) if lost else first_unrecognised(lines, known) or (None, None)
    raise ParseError(
        f"expected the memory {what} line (`System Total Memory Is`, `Total Memory Used Is`, "
        "`Memory Using Percentage Is`)",
        line=where[1],
        line_number=where[0],
    )


def _read[T](pair: Pair, convert: Callable[[str], T]) -> T:
    try:
        return convert(pair.value)
    except BadValue as problem:
        raise ParseError(str(problem), line=pair.line, line_number=pair.index + 1) from None


def parse_memory_usage(text: str) -> MemoryUsage:
    """Parse `display memory-usage [slot N]` (VRP8 Kbytes, VRP5 bytes) or `display memory`."""
    lines = clean_lines(text)
    processes: list[ProcessMemory] = []
    warnings: list[ParseWarning] = []
    table_lines: set[int] = set()
    found = _PROCESSES.locate(lines, warnings)
    if found is not None:
        header_index, header = found
        unit = _PROCESS_UNIT.search(lines[header_index])
        scale = size_bytes(f"1 {unit[1]}") if unit else 1024

        def process(cells: dict[str, str], index: int) -> ProcessMemory:
            return ProcessMemory(
                integer(cells["pid"]),
                vrp_name(cells["name"], _PROCESS_NAME),
                integer(cells["used"]) * scale,
            )

        rows = read_rows(lines, header_index, header, process)
        processes = rows.items
        warnings.extend(rows.warnings)
        table_lines = set(range(header_index, rows.end))
    record = read_record(lines, _WATCHED, skip=table_lines)
    known = table_lines | {pair.index for pair in record.block.pairs.values()}
    known |= {index for index, line in enumerate(lines) if _MEASURED_AT.match(line)}
    total_pair = _figure(record, _TOTAL, "total", lines, known)
    used_pair = _figure(record, _USED, "used", lines, known)
    percent_pair = _figure(record, _PERCENT, "percentage", lines, known)
    total = _read(total_pair, size_bytes)
    used = _read(used_pair, size_bytes)
    value = _read(percent_pair, percent)
    memory_percent = int(value) if value == int(value) else value
    if used > total:
        raise ParseError(
            f"used memory ({used} bytes) exceeds the total ({total} bytes)",
            line=used_pair.line,
            line_number=used_pair.index + 1,
        )
    if total and abs(100 * used / total - value) > 2:
        raise ParseError(
            f"memory percentage {value}% does not match used/total ({100 * used / total:.1f}%)",
            line=percent_pair.line,
            line_number=percent_pair.index + 1,
        )
    measured_at = None
    for index, line in enumerate(lines):
        if match := _MEASURED_AT.match(line):
            try:
                measured_at = timestamp(match["at"])
            except BadValue as problem:
                warnings.append(ParseWarning(str(problem), line, index + 1))
            break
        if index not in table_lines and damaged_mention(line, "Memory utilization statistics at"):
            warnings.append(ParseWarning("damaged line (may have held the time)", line, index + 1))
            break
    slot = record.block.get("slot")
    cpu = record.block.get("cpu")
    if slot is None:  # CX600/ME60 `display memory-usage slave`: `Slot 5 Memory utilization Info:`
        titled = next(filter(None, map(_SLOT_TITLE.match, lines)), None)
        if titled is not None:
            slot = Pair("Slot", "slot", titled[1], 0, titled.string)
    for label, pair in (("Slot", slot), ("CPU", cpu)):
        lost = record.lost(label) if pair is None or not pair.value.isalnum() else None
        if lost is not None:
            warnings.append(
                ParseWarning(f"damaged line (may have held {label!r})", lost[1], lost[0] + 1)
            )
    return MemoryUsage(
        total_bytes=total,
        used_bytes=used,
        memory_percent=memory_percent,
        measured_at=measured_at,
        slot=slot.value if slot is not None and slot.value.isalnum() else None,
        cpu=cpu.value if cpu is not None and cpu.value.isalnum() else None,
        processes=tuple(processes),
        warnings=tuple(warnings),
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display memory-usage [slave] [slot <slot> [cpu <int>]]",
        parse_memory_usage,
        "memory: total, used (bytes) and percentage, with the per-process table",
    ),
)
