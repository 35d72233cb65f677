"""Alarm models: the active (and hardware) alarm lists an operator must see first."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.parsing import ParseWarning

# VRP8 prints the level as a digit and explains it in a legend line
# (`1:Critical  2:Major  3:Minor  4:Warning`); other layouts print the name.
SEVERITY_BY_LEVEL: dict[int, str] = {1: "Critical", 2: "Major", 3: "Minor", 4: "Warning"}
LEVEL_BY_SEVERITY: dict[str, int] = {
    name.lower(): level for level, name in SEVERITY_BY_LEVEL.items()
}


@dataclass(frozen=True, slots=True)
class Alarm:
    """One alarm.

    ``raised_at`` is the router's timestamp as printed, wrapped parts rejoined
    (`2023-12-03 12:25:17+05:30`); only the date when the output carries no time.
    ``description`` is the hard-wrapped text joined back into one line. ``alarm_id`` is
    None in the hardware table (`display alarm all`), which prints no id.
    """

    sequence: int
    alarm_id: str | None
    severity: str | None
    raised_at: str | None
    description: str
    level: int | None = None
    name: str | None = None
    state: str | None = None
    root_kind: str | None = None


@dataclass(frozen=True, slots=True)
class AlarmList:
    """`display alarm active [verbose]`, `display alarm all`: empty only on `NO alarm`."""

    alarms: tuple[Alarm, ...]
    warnings: tuple[ParseWarning, ...] = ()  # rows left out, or kept with damaged text
