"""Parser for `display alarm active [verbose]` and the hardware list `display alarm all`.

Published layouts, all read into the same :class:`AlarmList`:
- VRP8 table: legend `1:Critical  2:Major  3:Minor  4:Warning`, header
  `Sequence AlarmId Level Date Time Description`. The Date column is too narrow for the
  time, so the time wraps onto the next line, and a UTC offset may wrap once more
  (`12:25:17+` / `05:30`). The description is hard-wrapped at a fixed width, in the middle
  of words (`TunnelName=T` / `unnel1055`).
- VRP8 verbose: blocks of `Key : value` pairs (`Sequence : 46`, `AlarmId : 0xD4D0001
  AlarmName : hwVplsVcDown`, `Severity : Major`, `StartTime`, `Description`).
- VRP5 switches: one line per alarm, fields separated by `/` as the `A/B/C/...` legend says.
- Hardware table (`display alarm all`, `display alarm hardware`): `Index Level Date Time
  Info`, the level as a name, the description wrapped as above; several sections may follow
  one header, each closed by a rule line.
`NO alarm` means an empty list; so does a complete (closed) table with no rows.

Damage: a line at the start of a row that is not a row (a damaged sequence, id, level or
date) is left out with a warning, together with its wrapped lines, so its text never
joins the alarm above; a verbose block with a damaged key line is left out the same way.
A row whose wrapped time (or UTC offset) does not read is left out: its time would be cut
short. In verbose blocks every value but the description is checked for damage, and a
key printed twice means two alarms ran together (the block is left out).
Descriptions are free text: one holding characters VRP does not print is kept with a
warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.domain.alarms import LEVEL_BY_SEVERITY, SEVERITY_BY_LEVEL, Alarm, AlarmList
from app.domain.errors import ParseError
from app.domain.parsing import ParseWarning
from app.vrp.grammar import CommandSpec
from app.vrp.text import clean_lines
from app.vrp.values import has_junk

_RULE = re.compile(r"^\s*-{5,}\s*$")
_NO_ALARM = re.compile(r"^\s*NO alarms?\.?\s*$", re.IGNORECASE)
_LEGEND = re.compile(r"^\s*1\s*:\s*Critical\s+2\s*:\s*Major\b", re.IGNORECASE)
_ACTIVE_HEADER = re.compile(
    r"^\s*Sequence\s+AlarmId\s+(?:Level|Severity)\s+Date\s+Time\s+Description\s*$",
    re.IGNORECASE,
)
_HARDWARE_HEADER = re.compile(r"^\s*Index\s+Level\s+Date\s+Time\s+Info\s*$", re.IGNORECASE)
_TIME = r"\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:[+-](?:\d{2}:\d{2})?)?"
_ACTIVE_ROW = re.compile(
    r"^\s*(?P<sequence>\d{1,10})\s+(?P<alarm_id>0x[0-9A-Fa-f]{1,10})"
    r"\s+(?P<level>\d|Critical|Major|Minor|Warning|Indeterminate|Cleared)"
    rf"\s+(?P<date>\d{{4}}-\d{{2}}-\d{{2}})(?:\s+(?P<time>{_TIME})(?=\s|$))?\s*(?P<text>.*)$"
)
_HARDWARE_ROW = re.compile(
    r"^\s*(?P<sequence>\d{1,10})\s+(?P<severity>[A-Za-z]{2,12})"
    rf"\s+(?P<date>\d{{4}}-\d{{2}}-\d{{2}})\s+(?P<time>{_TIME})(?=\s|$)\s*(?P<text>.*)$"
)
_WRAPPED_TIME = re.compile(rf"^(?P<time>{_TIME})(?:\s+|$)")
_WRAPPED_OFFSET = re.compile(r"^(?P<offset>\d{2}:\d{2})(?:\s+|$)")
_SLASH_LEGEND = re.compile(r"^\s*(?:A(?:/[B-J])+|[A-J]=.*)$")
_SLASH_ROW = re.compile(
    r"^\s*(?P<sequence>\d{1,10})/(?P<root_kind>[A-Za-z]+)/(?P<raised>[^/]*)/(?P<cleared>[^/]*)"
    r"/(?P<alarm_id>[^/\s]+)/(?P<name>[^/\s]*)/(?P<severity>[A-Za-z]+)/(?P<state>[A-Za-z]+)"
    r"/(?P<text>.*)$"
)
_VERBOSE_START = re.compile(r"^\s*Sequence\s*:\s*\S", re.IGNORECASE)
_VERBOSE_KEY = re.compile(
    r"(?:^\s*|\s{2,})(?P<key>[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*){0,3})\s*:(?=\s|$)"
)


@dataclass
class _Pending:
    """An alarm whose wrapped time and description are still being collected.

    ``chunks`` holds each line's piece of the description and whether a blank stood
    before it (the piece starts right of the description column).
    """

    sequence: int
    alarm_id: str | None
    level: int | None
    severity: str | None
    date: str
    time: str | None
    chunks: list[tuple[str, bool]] = field(default_factory=list)
    wants_time: bool = False
    wants_offset: bool = False
    damage: ParseWarning | None = None  # its wrapped time did not read: left out


def _fail(message: str, lines: list[str], index: int | None) -> ParseError:
    if index is None:
        index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        return ParseError(message)
    return ParseError(message, line=lines[index], line_number=index + 1)


def _join_wrapped(chunks: list[tuple[str, bool]], width: int) -> str:
    """Rejoin text hard-wrapped at `width` columns.

    A piece that fills the width was cut mid-text, so the next one follows directly; a
    shorter one lost the blank the router wrapped at (trailing blanks are stripped), and
    a piece that starts right of the column had a blank in front of it.
    """
    text = ""
    for index, (chunk, blank_before) in enumerate(chunks):
        if index and (blank_before or len(chunks[index - 1][0]) < width):
            text += " "
        text += chunk
    return text


def _continue_row(pending: _Pending, line: str, text_column: int, number: int) -> None:
    """Add one continuation line of a table row: a wrapped time first, then text.

    A time or offset the row is waiting for that does not read (damage) spoils the row:
    its time would otherwise be cut short without a word.
    """
    rest = line.lstrip()
    if pending.wants_offset:
        pending.wants_offset = False
        if match := _WRAPPED_OFFSET.match(rest):
            pending.time = f"{pending.time}{match['offset']}"
            rest = rest[match.end() :]
        elif pending.damage is None and has_junk(line[:text_column]):
            pending.damage = ParseWarning("damaged time of an alarm", line, number)
    elif pending.wants_time:
        pending.wants_time = False
        if match := _WRAPPED_TIME.match(rest):
            pending.time = match["time"]
            pending.wants_offset = pending.time.endswith(("+", "-"))
            rest = rest[match.end() :]
        elif pending.damage is None and has_junk(line[:text_column]):
            pending.damage = ParseWarning("damaged time of an alarm", line, number)
    text = rest.strip()
    if text:
        column = len(line) - len(rest.lstrip())
        pending.chunks.append((text, column > text_column))


def _start_active(match: re.Match[str]) -> _Pending:
    if match["level"].isdigit():
        level: int | None = int(match["level"])
        severity = SEVERITY_BY_LEVEL.get(level)
    else:
        severity = match["level"].capitalize()
        level = LEVEL_BY_SEVERITY.get(severity.lower())
    time = match["time"]
    return _Pending(
        sequence=int(match["sequence"]),
        alarm_id=match["alarm_id"],
        level=level,
        severity=severity,
        date=match["date"],
        time=time,
        chunks=[(match["text"], False)] if match["text"] else [],
        wants_time=time is None,
        wants_offset=bool(time) and time.endswith(("+", "-")),
    )


def _start_hardware(match: re.Match[str]) -> _Pending:
    severity = match["severity"]
    return _Pending(
        sequence=int(match["sequence"]),
        alarm_id=None,
        level=LEVEL_BY_SEVERITY.get(severity.lower()),
        severity=severity,
        date=match["date"],
        time=match["time"],
        chunks=[(match["text"], False)] if match["text"] else [],
    )


def _parse_table(
    lines: list[str],
    header: int,
    row: re.Pattern[str],
    start: Callable[[re.Match[str]], _Pending],
) -> AlarmList:
    """Rows of a wrapped table; rule lines separate sections and the table ends at prose.

    The wrap width is what the rule line leaves right of the description column, or the
    longest piece seen if longer (published examples trimmed their rules and padding).
    """
    pending: list[_Pending] = []
    warnings: list[ParseWarning] = []
    lost = False  # the row above could not be read: its wrapped lines go with it
    closed = positively_empty = False
    rule_width = 0
    text_column: int | None = None
    index = header + 1
    if index < len(lines) and _RULE.match(lines[index]):
        rule_width = len(lines[index])
        index += 1
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if _RULE.match(line):
            closed = True
        elif _NO_ALARM.match(line):
            positively_empty = True
        elif match := row.match(line):
            closed, lost = False, False
            pending.append(start(match))
            if text_column is None and match["text"]:
                text_column = match.start("text")
        elif stripped and closed:
            break  # prose after the closing rule is outside the table
        elif stripped:
            if not line[:1].isspace():
                if not pending and not warnings:
                    raise _fail("expected an alarm row or its wrapped continuation", lines, index)
                warnings.append(ParseWarning("expected an alarm row", line, index + 1))
                lost = True
            elif lost:
                pass  # wrapped text of a row that could not be read
            elif not pending:
                raise _fail("expected an alarm row or its wrapped continuation", lines, index)
            else:
                column = text_column if text_column is not None else len(line)
                _continue_row(pending[-1], line, column, index + 1)
        index += 1
    if not pending and not (closed or positively_empty):
        raise _fail("expected alarm rows under the header (or `NO alarm`)", lines, header)
    for item in pending:
        if item.damage is None and (item.wants_time or item.wants_offset):
            # The line that should have carried its time was not a continuation (damage).
            item.damage = ParseWarning(
                f"alarm {item.sequence}: its wrapped time is missing", lines[header], header + 1
            )
    warnings.extend(item.damage for item in pending if item.damage is not None)
    pending = [item for item in pending if item.damage is None]
    longest = max((len(chunk) for item in pending for chunk, _ in item.chunks), default=0)
    width = max(longest, rule_width - text_column if text_column is not None else 0)
    alarms = tuple(
        Alarm(
            sequence=item.sequence,
            alarm_id=item.alarm_id,
            severity=item.severity,
            raised_at=f"{item.date} {item.time}" if item.time else item.date,
            description=_join_wrapped(item.chunks, width),
            level=item.level,
        )
        for item in pending
    )
    if not alarms and warnings:
        first = warnings[0]
        raise ParseError(first.message, line=first.line, line_number=first.line_number)
    return AlarmList(alarms=alarms, warnings=tuple(warnings) + _text_warnings(alarms, lines))


def _text_warnings(alarms: tuple[Alarm, ...], lines: list[str]) -> tuple[ParseWarning, ...]:
    """Descriptions holding characters VRP does not print (kept, but not trusted)."""
    found: list[ParseWarning] = []
    for alarm in alarms:
        if not (alarm.description.isascii() and alarm.description.isprintable()):
            line = next((text for text in lines if str(alarm.sequence) in text), "")
            found.append(ParseWarning(f"alarm {alarm.sequence}: damaged description", line))
    return tuple(found)


def _parse_slash(lines: list[str], first: int) -> AlarmList:
    """VRP5 `A/B/C/...` lines: sequence/root kind/raised/cleared/id/name/level/state/text."""
    alarms: list[Alarm] = []
    warnings: list[ParseWarning] = []
    for index in range(first, len(lines)):
        line = lines[index]
        if not line.strip() or _SLASH_LEGEND.match(line) or _RULE.match(line):
            continue
        match = _SLASH_ROW.match(line)
        if not match:
            if not alarms and not warnings:
                raise _fail(
                    "expected an `N/Kind/time/-/id/name/level/state/text` alarm", lines, index
                )
            warnings.append(ParseWarning("expected an `N/Kind/.../text` alarm", line, index + 1))
            continue
        severity = match["severity"]
        text = match["text"]
        if match["root_kind"].lower() == "nonrootcause":
            text = re.sub(r"/\d+\s*$", "", text)  # trailing J: the root-cause sequence
        alarms.append(
            Alarm(
                sequence=int(match["sequence"]),
                alarm_id=match["alarm_id"],
                severity=severity,
                raised_at=match["raised"].strip() or None,
                description=text.strip(),
                level=LEVEL_BY_SEVERITY.get(severity.lower()),
                name=match["name"] or None,
                state=match["state"],
                root_kind=match["root_kind"],
            )
        )
    return AlarmList(alarms=tuple(alarms), warnings=tuple(warnings))


def _verbose_pairs(line: str) -> list[tuple[str, str]]:
    """`AlarmId : 0xD4D0001   AlarmName : hwVplsVcDown` -> [(key, value), ...].

    `Description` takes the rest of its line: its text may hold colons.
    """
    keys = list(_VERBOSE_KEY.finditer(line))
    pairs: list[tuple[str, str]] = []
    for number, match in enumerate(keys):
        key = match["key"]
        if key.lower() == "description":
            pairs.append((key, line[match.end() :].strip()))
            break
        end = keys[number + 1].start() if number + 1 < len(keys) else len(line)
        pairs.append((key, line[match.end() : end].strip()))
    return pairs


def _verbose_alarm(block: dict[str, str], lines: list[str], index: int) -> Alarm:
    sequence = block.get("sequence", "")
    if not sequence.isdigit():
        raise _fail("expected `Sequence : N` with a number", lines, index)
    if "description" not in block:
        raise _fail("expected a `Description :` line in the alarm block", lines, index)
    severity = block.get("severity") or None
    return Alarm(
        sequence=int(sequence),
        alarm_id=block.get("alarmid") or None,
        severity=severity,
        raised_at=block.get("starttime") or None,
        description=block["description"],
        level=LEVEL_BY_SEVERITY.get(severity.lower()) if severity else None,
        name=block.get("alarmname") or None,
        state=block.get("state") or None,
        root_kind=block.get("rootkindflag") or None,
    )


def _parse_verbose(lines: list[str], first: int) -> AlarmList:
    """Blocks of `Key : value` pairs, each starting at `Sequence :`."""
    alarms: list[Alarm] = []
    # Verbose output starts at its first `Sequence :`; a damaged line before it may have
    # been the start of an alarm that is now missing.
    warnings: list[ParseWarning] = [
        ParseWarning("damaged line before the first alarm", line, index + 1)
        for index, line in enumerate(lines[:first])
        if line.strip() and not _RULE.match(line) and (has_junk(line) or ":" in line)
    ]
    block: dict[str, str] | None = None
    block_start = first
    in_description = False
    damaged = False  # the current block holds a damaged key line: it is left out
    for index in range(first, len(lines)):
        line = lines[index]
        if not line.strip() or _RULE.match(line):
            in_description = False
            continue
        pairs = _verbose_pairs(line) if _VERBOSE_KEY.match(line) else []
        if not pairs:
            if block is not None and in_description:
                block["description"] = f"{block['description']} {line.strip()}".strip()
                continue
            if block is not None and has_junk(line):
                if not damaged:
                    warnings.append(ParseWarning("damaged alarm line", line, index + 1))
                damaged = True
                continue
            raise _fail("expected a `Key : value` line of a verbose alarm", lines, index)
        if _VERBOSE_START.match(line):
            if block is not None and not damaged:
                alarms.append(_verbose_alarm(block, lines, block_start))
            block, block_start, damaged = {}, index, False
        if block is None:
            raise _fail("expected `Sequence :` to start a verbose alarm", lines, index)
        for key, value in pairs:
            name = key.replace(" ", "").lower()
            if name in block and not damaged:
                warnings.append(
                    ParseWarning(f"{key} printed twice: two alarms ran together", line, index + 1)
                )
                damaged = True
            if key.lower() != "description" and has_junk(value) and not damaged:
                # Only the description is free text; any other value with damage in it
                # (`0x8130059   &`, `2026~11-27`) spoils the alarm.
                warnings.append(ParseWarning(f"damaged {key} {value!r}", line, index + 1))
                damaged = True
            block[name] = value
        in_description = pairs[-1][0].lower() == "description"
    if block is not None and not damaged:
        alarms.append(_verbose_alarm(block, lines, block_start))
    if not alarms and warnings:
        first_warning = warnings[0]
        raise ParseError(
            first_warning.message, line=first_warning.line, line_number=first_warning.line_number
        )
    return AlarmList(alarms=tuple(alarms), warnings=tuple(warnings))


def parse_alarm_active(text: str) -> AlarmList:
    """Parse any published layout of `display alarm active [verbose]` / `display alarm all`."""
    lines = clean_lines(text)
    for index, line in enumerate(lines):
        if _ACTIVE_HEADER.match(line):
            return _parse_table(lines, index, _ACTIVE_ROW, _start_active)
        if _HARDWARE_HEADER.match(line):
            return _parse_table(lines, index, _HARDWARE_ROW, _start_hardware)
        if _VERBOSE_START.match(line):
            return _parse_verbose(lines, index)
        if _SLASH_LEGEND.match(line) or _SLASH_ROW.match(line):
            return _parse_slash(lines, index)
        if _NO_ALARM.match(line):
            return AlarmList(alarms=())
    first_unknown = next(
        (
            i
            for i, line in enumerate(lines)
            if line.strip() and not _RULE.match(line) and not _LEGEND.match(line)
        ),
        None,
    )
    raise _fail("expected an alarm table, verbose alarm blocks or `NO alarm`", lines, first_unknown)


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "display alarm active [root] [verbose]",
        parse_alarm_active,
        "active alarms: sequence, id, severity, raised at, description",
    ),
    CommandSpec(
        "display alarm all",
        parse_alarm_active,
        "hardware alarms (same model as the active alarms; no alarm id)",
    ),
    CommandSpec(
        "display alarm hardware [history] [all]",
        parse_alarm_active,
        "hardware alarms, current or history",
    ),
)
