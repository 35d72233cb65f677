"""How alert delivery is going: what the UI shows about Alertmanager and direct notifications.

The notifiers (``app.notify``) fill these in; the UI reads them through the Runtime, so it
never imports the notifiers (or their HTTP libraries). Texts in here never hold a secret:
notification URLs are shown masked and error messages pass through the redaction helper.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    """Where alerts are delivered."""

    ALERTMANAGER = "alertmanager"  # Prometheus Alertmanager, API v2
    NOTIFY = "notify"  # direct notifications through apprise URLs


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """One channel: configured or not, and how its last attempts went."""

    channel: Channel
    enabled: bool
    healthy: bool | None = None  # None: nothing attempted yet
    last_success: datetime | None = None
    last_failure: datetime | None = None
    error: str | None = None  # why the last attempt failed, or why the channel cannot run
    failed_attempts: int = 0  # consecutive failures (0 once an attempt succeeds)
    waiting: int = 0  # alert changes not delivered yet (grouping, rate limit, retries)
    targets: tuple[str, ...] = ()  # where it delivers, secrets masked

    @property
    def failing(self) -> bool:
        return self.enabled and (self.healthy is False or (self.error is not None))


@dataclass(frozen=True, slots=True)
class TargetResult:
    """The outcome of one message to one notification URL (the test button shows these)."""

    target: str  # the URL with its secrets masked
    delivered: bool
    error: str | None = None
