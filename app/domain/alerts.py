"""Alert records: what the engine tells an operator about a router, and its life cycle.

An alert is one *occurrence* of a condition on a router: raised once when the condition
starts, cleared once when it ends, possibly acknowledged by a person in between (or after).
The ``id`` depends only on (router identity, kind, subject), so the same condition coming
back on the same box gets the same id, and the same name on another box another one;
``raised_at`` tells occurrences apart. Times are timezone-aware datetimes.

``message`` is the English text (the feed, notifications, logs); ``operator_message`` the
same as an id and parameters, which the window translates.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.domain.messages import Message


class Severity(StrEnum):
    """The four levels VRP itself uses, so router alarms keep their own severity."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    WARNING = "warning"


class AlertKind(StrEnum):
    """What condition raised the alert; also the feed's `kind` field."""

    ROUTER_UNREACHABLE = "router_unreachable"
    AUTH_FAILED = "auth_failed"  # the router refused the login (wrong password or user)
    NO_PASSWORD = "no_password"  # nothing to log in with (no keyring entry, keyring locked)
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


def alert_id(router: str, kind: str, subject: str, address: str = "") -> str:
    """A short id that is the same for the same (router, kind, subject) on every run.

    `address` (`host:port`) is part of the router's identity: the same name on another box
    gives another id. Hashed rather than joined because names and subjects may hold any
    character.
    """
    parts = (router, str(kind), subject, address) if address else (router, str(kind), subject)
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8"), usedforsecurity=False)
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
    operator_message: Message | None = None  # `message` as an id and parameters
    host: str | None = None  # the router's address when raised (None: not known)
    port: int | None = None

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

    def to_record(self) -> dict[str, Any]:
        """:meth:`to_dict` plus what the history keeps: the message's id and parameters,
        the router's address (the feed's wire format stays :meth:`to_dict`)."""
        record = self.to_dict()
        record["operator_message"] = (
            None if self.operator_message is None else self.operator_message.to_dict()
        )
        record["host"] = self.host
        record["port"] = self.port
        return record

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        """Inverse of :meth:`to_dict` and :meth:`to_record`; raises KeyError/ValueError on a
        malformed record. A message id this release does not know leaves it English only."""
        translatable = data.get("operator_message")
        try:
            operator_message = None if not translatable else Message.from_dict(translatable)
        except (KeyError, ValueError, TypeError, AttributeError):
            operator_message = None
        port = data.get("port")
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
            operator_message=operator_message,
            host=data.get("host"),
            port=None if port is None else int(port),
        )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _from_iso(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
