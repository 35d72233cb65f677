"""Alert records: what the engine tells an operator about a router, and its life cycle.

An alert is one *occurrence* of a condition on a router: raised once when the condition
starts, cleared once when it ends, possibly acknowledged by a person in between (or after).
The ``id`` depends only on (router, kind, subject), so the same condition coming back gets
the same id; ``raised_at`` tells occurrences apart. Times are timezone-aware datetimes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """The four levels VRP itself uses, so router alarms keep their own severity."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    WARNING = "warning"


class AlertKind(StrEnum):
    """What condition raised the alert; also the feed's `kind` field."""

    ROUTER_UNREACHABLE = "router_unreachable"
    SUBSCRIBER_DROP = "subscriber_drop"
    INTERFACE_DOWN = "interface_down"
    CPU_HIGH = "cpu_high"
    MEMORY_HIGH = "memory_high"
    POOL_HIGH = "pool_high"
    ROUTER_ALARM = "router_alarm"


class AlertEvent(StrEnum):
    """A change in an alert's life cycle, as recorded in the append-only alert history."""

    RAISED = "raised"
    CLEARED = "cleared"
    ACKNOWLEDGED = "acknowledged"


def alert_id(router: str, kind: str, subject: str) -> str:
    """A short id that is the same for the same (router, kind, subject) on every run.

    Hashed rather than joined because router names and subjects may hold any character.
    """
    digest = hashlib.sha1(
        "\x1f".join((router, str(kind), subject)).encode("utf-8"), usedforsecurity=False
    )
    return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Alert:
    """One occurrence of an alert condition on one router.

    ``subject`` names what the alert is about within its kind: an interface name, a pool
    name, `cpu`, a router alarm's sequence and id; empty for router-wide conditions.
    """

    id: str
    router: str
    severity: Severity
    kind: AlertKind
    subject: str
    message: str
    raised_at: datetime
    cleared_at: datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.cleared_at is None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    def cleared(self, when: datetime) -> Alert:
        return replace(self, cleared_at=when)

    def acknowledge(self, user: str, when: datetime) -> Alert:
        return replace(self, acknowledged_by=user, acknowledged_at=when)

    def to_dict(self) -> dict[str, Any]:
        """The feed's `alert` object (ISO 8601 times, None for what has not happened)."""
        return {
            "id": self.id,
            "router": self.router,
            "severity": str(self.severity),
            "kind": str(self.kind),
            "subject": self.subject,
            "message": self.message,
            "raised_at": self.raised_at.isoformat(),
            "cleared_at": _iso(self.cleared_at),
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_at": _iso(self.acknowledged_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        """Inverse of :meth:`to_dict`; raises KeyError/ValueError on a malformed record."""
        return cls(
            id=str(data["id"]),
            router=str(data["router"]),
            severity=Severity(data["severity"]),
            kind=AlertKind(data["kind"]),
            subject=str(data["subject"]),
            message=str(data["message"]),
            raised_at=datetime.fromisoformat(data["raised_at"]),
            cleared_at=_from_iso(data.get("cleared_at")),
            acknowledged_by=data.get("acknowledged_by"),
            acknowledged_at=_from_iso(data.get("acknowledged_at")),
        )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _from_iso(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
