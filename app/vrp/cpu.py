"""Parser for `display cpu-usage`: the CPU load the monitor charts and alerts on.

Three published shapes share one structure, a block of `name : value` lines followed by
optional tables:
- VRP8 router: `System cpu use rate is : 54%`, a five-second / one-minute / five-minute
  line separated by `;`, `Max CPU Usage : 99%`, a service table (`ServiceName UseRate`)
  and a per-core table (`CPU Current FiveSec OneMin FiveMin Max MaxTime`).
- CloudEngine VRP8: `System CPU Using Percentage :  17%`, the averages separated by `,`.
- VRP5: `CPU Usage : 28% Max: 87%` and the averages separated by `:`; the `sorted`
  variant adds a task table (`TaskName ...`) that the monitor does not need.
The current overall figure is the one thing every shape prints, so its absence means the
text is not `display cpu-usage` output (`monitor cpu-usage`, the history graph, ...).
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError
from app.domain.system import CpuCore, CpuService, CpuUsage
from app.vrp.grammar import CommandSpec
from app.vrp.text import clean_lines, first_unrecognised

_CURRENT = re.compile(
    r"^\s*(?:System cpu use rate is|System CPU Using Percentage|CPU Usage)\s*:\s*"
    r"(?P<current>\d{1,3})%(?:\s*Max\s*:\s*(?P<max>\d{1,3})%)?\s*$",
    re.IGNORECASE,
)
_AVERAGES = re.compile(
    r"^\s*CPU utilization for five seconds\s*:\s*(?P<five_seconds>\d{1,3})%\s*[;:,]?"
    r"\s*one minute\s*:\s*(?P<one_minute>\d{1,3})%\s*[;:,]?"
    r"\s*five minutes\s*:\s*(?P<five_minutes>\d{1,3})%\s*\.?\s*$",
    re.IGNORECASE,
)
_MAX = re.compile(r"^\s*Max CPU Usage\s*:\s*(?P<max>\d{1,3})%\s*$", re.IGNORECASE)
_MAX_AT = re.compile(r"^\s*Max CPU Usage Stat\. Time\s*:\s*(?P<at>.+?)\.?\s*$", re.IGNORECASE)
_MEASURED_AT = re.compile(
    r"^\s*(?:CPU utilization statistics at\s+|CPU Usage Stat\. Time\s*:\s*)(?P<at>.+?)\s*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*-{5,}\s*$")
_SERVICE_HEADER = re.compile(r"^\s*ServiceName\s+UseRate\s*$", re.IGNORECASE)
_SERVICE_ROW = re.compile(r"^\s*(?P<name>\S(?:.*\S)?)\s+(?P<percent>\d{1,3})%\s*$")
_CORE_HEADER = re.compile(r"^\s*CPU\s+Current\b", re.IGNORECASE)
_TASK_HEADER = re.compile(r"^\s*TaskName\b", re.IGNORECASE)
_PERCENT_CELL = re.compile(r"^(\d{1,3})%$")

# Per-core table columns that hold a percentage, in the model's field names.
_CORE_COLUMNS = {
    "current": "current",
    "fivesec": "five_seconds",
    "onemin": "one_minute",
    "fivemin": "five_minutes",
    "max": "max_percent",
}


def _table_body(lines: list[str], header_index: int) -> tuple[list[int], int]:
    """Indices of the rows under a header framed by rule lines, and the index after it.

    Tables look like `header / ----- / rows / -----`; a missing closing rule (the output
    ended) closes the table at the end of the text.
    """
    index = header_index + 1
    if index < len(lines) and _RULE.match(lines[index]):
        index += 1
    rows: list[int] = []
    while index < len(lines) and not _RULE.match(lines[index]):
        if lines[index].strip():
            rows.append(index)
        index += 1
    return rows, index + 1


def _parse_core_row(line: str, columns: list[str], line_number: int) -> CpuCore:
    """`cpu0  40%  38%  40%  29%  99% 2021-02-04 16:02:20` following the header's columns."""
    cells = line.split()
    percent_count = len(columns)
    values: dict[str, int] = {}
    if len(cells) < 1 + percent_count:
        raise ParseError("expected a per-core CPU row", line=line, line_number=line_number)
    for column, cell in zip(columns, cells[1 : 1 + percent_count], strict=True):
        match = _PERCENT_CELL.match(cell)
        if not match:
            raise ParseError("expected a per-core CPU row", line=line, line_number=line_number)
        values[column] = int(match.group(1))
    rest = " ".join(cells[1 + percent_count :]) or None
    return CpuCore(
        name=cells[0],
        current=values.get("current"),
        five_seconds=values.get("five_seconds"),
        one_minute=values.get("one_minute"),
        five_minutes=values.get("five_minutes"),
        max_percent=values.get("max_percent"),
        max_at=rest if rest != "-" else None,
    )


def _core_columns(header: str, line_number: int) -> list[str]:
    """Model field names of the percentage columns named in the per-core header."""
    columns: list[str] = []
    for word in header.split()[1:]:
        key = word.lower()
        if key in _CORE_COLUMNS:
            columns.append(_CORE_COLUMNS[key])
        elif key != "maxtime":
            raise ParseError("unknown per-core CPU column", line=header, line_number=line_number)
    return columns


def parse_cpu_usage(text: str) -> CpuUsage:
    """Parse `display cpu-usage [slot N [cpu M]]`, `... service` and VRP5 `... sorted`."""
    lines = clean_lines(text)
    fields: dict[str, int] = {}
    stamps: dict[str, str] = {}
    cores: list[CpuCore] = []
    services: list[CpuService] = []
    recognised: set[int] = set()
    index = 0
    while index < len(lines):
        line = lines[index]
        start = index
        if _SERVICE_HEADER.match(line):
            rows, index = _table_body(lines, index)
            recognised.update(range(start, index))
            for row in rows:
                match = _SERVICE_ROW.match(lines[row])
                if not match:
                    raise ParseError(
                        "expected a `NAME  N%` service row", line=lines[row], line_number=row + 1
                    )
                services.append(CpuService(match["name"], int(match["percent"])))
            continue
        if _CORE_HEADER.match(line):
            columns = _core_columns(line, index + 1)
            rows, index = _table_body(lines, index)
            recognised.update(range(start, index))
            cores.extend(_parse_core_row(lines[row], columns, row + 1) for row in rows)
            continue
        if _TASK_HEADER.match(line):
            break  # VRP5 `sorted` task table: per-task ticks, not needed by the monitor
        recognised.add(index)
        if match := _CURRENT.match(line):
            fields["cpu_percent"] = int(match["current"])
            if match["max"] is not None:
                fields["max_percent"] = int(match["max"])
        elif match := _AVERAGES.match(line):
            for name in ("five_seconds", "one_minute", "five_minutes"):
                fields[name] = int(match[name])
        elif match := _MAX.match(line):
            fields["max_percent"] = int(match["max"])
        elif match := _MAX_AT.match(line):
            stamps["max_at"] = match["at"]
        elif match := _MEASURED_AT.match(line):
            stamps["measured_at"] = match["at"]
        else:
            recognised.discard(index)
        index += 1
    current = fields.get("cpu_percent")
    if current is None:
        where = first_unrecognised(lines, recognised) or (None, None)
        raise ParseError(
            "expected the overall CPU usage line (`System cpu use rate is : N%`)",
            line=where[1],
            line_number=where[0],
        )
    return CpuUsage(
        cpu_percent=current,
        five_seconds=fields.get("five_seconds"),
        one_minute=fields.get("one_minute"),
        five_minutes=fields.get("five_minutes"),
        max_percent=fields.get("max_percent"),
        cores=tuple(cores),
        services=tuple(services),
        measured_at=stamps.get("measured_at"),
        max_at=stamps.get("max_at"),
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display cpu-usage [service] [sorted] [slave] [slot <slot> [cpu <int>]]",
        parse_cpu_usage,
        "CPU usage: current, 5 s / 1 min / 5 min averages, peak, services and cores",
    ),
)
