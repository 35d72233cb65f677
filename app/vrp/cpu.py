"""Parser for `display cpu-usage`: the CPU load the monitor charts and alerts on.

Every published shape is a block of `Key : value` lines followed by optional tables, read
by the shared key/value and table readers (:mod:`app.vrp.keyvalue`, :mod:`app.vrp.table`):

- VRP8 router: `System cpu use rate is : 54%`, the five-second / one-minute / five-minute
  line separated by `;`, `Max CPU Usage : 99%`, a service table (`ServiceName UseRate`,
  names may hold spaces: `IP STACK`) and a per-core table (`CPU Current FiveSec OneMin
  FiveMin Max MaxTime`, any subset of those columns).
- CloudEngine VRP8: `System CPU Using Percentage :  17%`, the averages separated by `,`,
  and a `Dataplane CPU Using Percentage` line.
- VRP5 (CX600, ME60, S-series): `CPU Usage : 28% Max: 87%` and the averages separated
  by `:`; `sorted` adds a task table (`TaskName ...`) that the monitor does not need.
- Access points and small routers: `CPU Usage: 4.7% Max: 46.7%` (decimals).

The current overall figure is the one thing every shape prints, so its absence means the
text is not `display cpu-usage` output (`monitor cpu-usage`, the history graph, ...); a
damaged current figure is an error naming the line. A damaged average, peak or time is
left out (None) with a warning, and so is a damaged service or core row, a damaged
`CPU utilization statistics at` time and a damaged table header (its rows are then read
only where they fit it).
"""

from __future__ import annotations

import re

from app.domain.errors import ParseError
from app.domain.parsing import ParseWarning
from app.domain.system import CpuCore, CpuService, CpuUsage
from app.vrp.grammar import CommandSpec
from app.vrp.keyvalue import Pair, Record, read_record
from app.vrp.table import Column, Table, read_rows
from app.vrp.text import clean_lines, first_unrecognised
from app.vrp.values import NO_VALUE, BadValue, damaged_mention, percent, timestamp

_CURRENT = ("system cpu use rate", "system cpu using percentage", "cpu usage")
_CURRENT_LABELS = ("System cpu use rate", "System CPU Using Percentage", "CPU Usage")
_AVERAGES = (
    ("five_seconds", ("cpu utilization for five seconds",), "five seconds"),
    ("one_minute", ("one minute",), "one minute"),
    ("five_minutes", ("five minutes",), "five minutes"),
)
_MAX = ("max cpu usage", "max")
_MAX_AT = ("max cpu usage stat. time", "cpu usage max. time")
_KNOWN_KEYS = frozenset(
    {*_CURRENT, *_MAX, *_MAX_AT, *(key for _, keys, _ in _AVERAGES for key in keys)}
)
_MEASURED_AT = re.compile(
    r"^\s*(?:CPU utilization statistics at\s+|CPU Usage Stat\. Time\s*:\s*)(?P<at>.+?)\s*$",
    re.IGNORECASE,
)
_MEASURED_AT_LABELS = ("CPU utilization statistics at", "CPU Usage Stat. Time")
_WATCHED = (
    *_CURRENT_LABELS,
    "five seconds",
    "one minute",
    "five minutes",
    "Max CPU Usage",
    "Max",
    "Stat. Time",
)
SERVICES = Table(
    Column.of("name", "servicename", "service name", spaces=True),
    Column.of("rate", "userate", "use rate"),
)
CORES = Table(
    Column.of("name", "cpu"),
    Column.of("current", required=False),
    Column.of("five_seconds", "fivesec", required=False),
    Column.of("one_minute", "onemin", required=False),
    Column.of("five_minutes", "fivemin", required=False),
    Column.of("max_percent", "max", required=False),
    Column.of("max_at", "maxtime", required=False, rest=True, blank=True),
    any_of=("current",),
)
_TASKS = re.compile(r"^\s*TaskName\b", re.IGNORECASE)
_SERVICE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*(?: [A-Za-z0-9_./-]+)*", re.ASCII)
_CORE_NAME = re.compile(r"cpu\d{1,3}", re.IGNORECASE)


def _whole(value: float) -> float:
    """Whole percentages stay ints (`54`), decimals are kept (`4.7`)."""
    return int(value) if value == int(value) else value


def _percentage(cell: str | None) -> float | None:
    if cell is None or cell in NO_VALUE or cell == "":
        return None
    return _whole(percent(cell))


def _service(cells: dict[str, str], index: int) -> CpuService:
    name = cells["name"]
    if _SERVICE_NAME.fullmatch(name) is None:
        raise BadValue(f"not a service name: {name!r}")
    rate = _percentage(cells["rate"])
    if rate is None:
        raise BadValue(f"expected a usage, got {cells['rate']!r}")
    return CpuService(name, rate)  # type: ignore[arg-type]


def _core(cells: dict[str, str], index: int) -> CpuCore:
    name = cells["name"]
    if _CORE_NAME.fullmatch(name) is None:
        raise BadValue(f"not a CPU core name: {name!r}")
    max_at = cells.get("max_at") or None
    if max_at is not None and max_at not in NO_VALUE:
        max_at = timestamp(max_at)
    elif max_at is not None:
        max_at = None
    return CpuCore(
        name=name,
        current=_percentage(cells.get("current")),  # type: ignore[arg-type]
        five_seconds=_percentage(cells.get("five_seconds")),  # type: ignore[arg-type]
        one_minute=_percentage(cells.get("one_minute")),  # type: ignore[arg-type]
        five_minutes=_percentage(cells.get("five_minutes")),  # type: ignore[arg-type]
        max_percent=_percentage(cells.get("max_percent")),  # type: ignore[arg-type]
        max_at=max_at,
    )


class _Figures:
    """Reads the labelled figures of one output, turning damage into warnings."""

    def __init__(self, record: Record, warnings: list[ParseWarning]) -> None:
        self.record = record
        self.warnings = warnings

    def percent(self, keys: tuple[str, ...], label: str) -> float | None:
        pair = self.record.block.get(*keys)
        if pair is None:
            self._missing(label)
            return None
        try:
            return _percentage(pair.value)
        except BadValue as problem:
            self.warnings.append(ParseWarning(str(problem), pair.line, pair.index + 1))
            return None

    def time(self, keys: tuple[str, ...], label: str) -> str | None:
        pair = self.record.block.get(*keys)
        if pair is None:
            self._missing(label)
            return None
        return self.time_of(pair)

    def time_of(self, pair: Pair) -> str | None:
        try:
            return timestamp(pair.value)
        except BadValue as problem:
            self.warnings.append(ParseWarning(str(problem), pair.line, pair.index + 1))
            return None

    def _missing(self, label: str) -> None:
        lost = self.record.lost(label)
        if lost is not None:
            self.warnings.append(
                ParseWarning(f"damaged line (may have held {label!r})", lost[1], lost[0] + 1)
            )


def parse_cpu_usage(text: str) -> CpuUsage:
    """Parse `display cpu-usage [slot N [cpu M]]`, `... service` and VRP5 `... sorted`."""
    lines = clean_lines(text)
    warnings: list[ParseWarning] = []
    tables: set[int] = set()
    services: list[CpuService] = []
    cores: list[CpuCore] = []
    tasks = next((index for index, line in enumerate(lines) if _TASKS.match(line)), len(lines))
    tables.update(range(tasks, len(lines)))  # VRP5 per-task ticks: not needed
    found = SERVICES.locate(lines, warnings, stop=tasks)
    if found is not None:
        rows = read_rows(lines, *found, _service)
        services, tables = rows.items, tables | set(range(found[0], rows.end))
        warnings.extend(rows.warnings)
    found = CORES.locate(lines, warnings, stop=tasks)
    if found is not None:
        rows = read_rows(lines, *found, _core)
        cores, tables = rows.items, tables | set(range(found[0], rows.end))
        warnings.extend(rows.warnings)
    record = read_record(lines, _WATCHED, skip=tables)
    current_pair = record.block.get(*_CURRENT)
    if current_pair is None:
        lost = record.lost(*_CURRENT_LABELS)
        known = tables | {
            pair.index for pair in record.block.pairs.values() if pair.key in _KNOWN_KEYS
        }
        where = (lost[0] + 1, lost[1]) if lost else first_unrecognised(lines, known) or (None, None)
        raise ParseError(
            "expected the overall CPU usage line (`System cpu use rate is : N%`)",
            line=where[1],
            line_number=where[0],
        )
    try:
        current = _whole(percent(current_pair.value))
    except BadValue as problem:
        raise ParseError(
            str(problem), line=current_pair.line, line_number=current_pair.index + 1
        ) from None
    figures = _Figures(record, warnings)
    averages = {field: figures.percent(keys, label) for field, keys, label in _AVERAGES}
    measured_at = None
    for index, line in enumerate(lines):
        if index in tables:
            continue
        if match := _MEASURED_AT.match(line):
            measured_at = figures.time_of(Pair("at", "at", match["at"], index, line))
            break
        if any(damaged_mention(line, label) for label in _MEASURED_AT_LABELS):
            warnings.append(ParseWarning("damaged line (may have held the time)", line, index + 1))
            break
    return CpuUsage(
        cpu_percent=current,
        five_seconds=averages["five_seconds"],
        one_minute=averages["one_minute"],
        five_minutes=averages["five_minutes"],
        max_percent=figures.percent(_MAX, "Max CPU Usage"),
        cores=tuple(cores),
        services=tuple(services),
        measured_at=measured_at,
        max_at=figures.time(_MAX_AT, "Stat. Time"),
        warnings=tuple(warnings),
    )


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display cpu-usage [service] [sorted] [slave] [slot <slot> [cpu <int>]]",
        parse_cpu_usage,
        "CPU usage: current, 5 s / 1 min / 5 min averages, peak, services and cores",
    ),
)
