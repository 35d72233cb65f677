"""Active alarms of the simulated box (standing ones plus those the simulation raises)."""

from __future__ import annotations

from dataclasses import dataclass

CRITICAL, MAJOR, MINOR, WARNING = 1, 2, 3, 4
SEVERITY_NAMES = {CRITICAL: "Critical", MAJOR: "Major", MINOR: "Minor", WARNING: "Warning"}


@dataclass(frozen=True, slots=True)
class Alarm:
    """One active alarm as `display alarm active [verbose]` shows it."""

    sequence: int
    alarm_id: str
    name: str
    alarm_type: str
    severity: int
    raised_at: float
    description: str


class AlarmTable:
    """Active alarms keyed by what raised them, numbered like the box (ever increasing)."""

    def __init__(self, first_sequence: int) -> None:
        self._next = first_sequence
        self._active: dict[str, Alarm] = {}

    def raise_alarm(self, key: str, *, alarm_id: str, name: str, alarm_type: str,
                    severity: int, at: float, description: str) -> Alarm:
        """Raise (or keep) the alarm for `key`; a key already active is not raised twice."""
        if key in self._active:
            return self._active[key]
        alarm = Alarm(self._next, alarm_id, name, alarm_type, severity, at, description)
        self._next += 1
        self._active[key] = alarm
        return alarm

    def clear(self, key: str) -> bool:
        """Clear the alarm for `key`; False when none was active."""
        return self._active.pop(key, None) is not None

    def is_active(self, key: str) -> bool:
        """Whether an alarm for `key` is active."""
        return key in self._active

    def active(self) -> list[Alarm]:
        """Active alarms, newest first (the box's order)."""
        return sorted(self._active.values(), key=lambda alarm: alarm.sequence, reverse=True)
