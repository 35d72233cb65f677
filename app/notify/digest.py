"""What direct notifications say, and when: severity filter, grouping and a rate limit.

Pure bookkeeping with time passed in (no I/O, no clock of its own), so every rule is tested
exactly:

* only alerts at or above ``min_severity``; raises always, clears when ``send_cleared``;
  an acknowledgement is not news;
* alerts that change within ``group_seconds`` of the first pending one go out as one
  message (a router that drops takes its uplinks and pools with it: one message, not ten);
* at most ``max_per_hour`` messages in any hour. Beyond that nothing is dropped: changes
  keep gathering and go out together as soon as the limit allows, saying they waited.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

from app.domain.alerts import Alert, Severity
from app.engine.settings import NotifySettings

HOUR = 3600.0
MAX_LINES = 25  # changes listed in one message; the rest are counted
SEVERITY_RANK = {
    Severity.CRITICAL: 0,
    Severity.MAJOR: 1,
    Severity.MINOR: 2,
    Severity.WARNING: 3,
}
APP = "NE8000 Monitor"


@dataclass(frozen=True, slots=True)
class Change:
    """An alert that was raised (``raised``) or cleared."""

    alert: Alert
    raised: bool


@dataclass(frozen=True, slots=True)
class Message:
    """One notification: title, plain-text body and apprise's notification type."""

    title: str
    body: str
    kind: str  # apprise NotifyType value: failure, warning, success, info
    changes: tuple[Change, ...] = ()


def local_time(moment: datetime | None) -> str:
    """``2025-06-01 09:00:05 -0300``: the reader's local time, with its offset."""
    if moment is None:
        return "-"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %z")


def _line(change: Change) -> str:
    alert = change.alert
    if change.raised:
        return (
            f"RAISED {alert.severity.upper()} {alert.router}: {alert.message} "
            f"(at {local_time(alert.raised_at)})"
        )
    return (
        f"CLEARED {alert.severity.upper()} {alert.router}: {alert.message} "
        f"(raised {local_time(alert.raised_at)}, cleared {local_time(alert.cleared_at)})"
    )


def compose(changes: list[Change], *, waited: bool = False, limit: int = 0) -> Message:
    """The message for a group of changes (the order they happened in)."""
    raised = [c for c in changes if c.raised]
    cleared = [c for c in changes if not c.raised]
    if raised:
        worst = min(SEVERITY_RANK[c.alert.severity] for c in raised)
        kind = "failure" if worst <= SEVERITY_RANK[Severity.MAJOR] else "warning"
    else:
        kind = "success"
    if len(changes) == 1:
        alert = changes[0].alert
        state = alert.severity.upper() if changes[0].raised else "CLEARED"
        title = f"[{state}] {alert.router}: {alert.message}"
    else:
        routers = ", ".join(dict.fromkeys(c.alert.router for c in changes))
        counts = []
        if raised:
            counts.append(f"{len(raised)} alert{'s' if len(raised) != 1 else ''} raised")
        if cleared:
            counts.append(f"{len(cleared)} cleared")
        title = f"{APP}: {', '.join(counts)} ({routers})"
    lines = [_line(change) for change in changes[:MAX_LINES]]
    if len(changes) > MAX_LINES:
        lines.append(f"... and {len(changes) - MAX_LINES} more changes")
    if waited:
        lines.append(
            f"(these waited for the notification limit of {limit} messages per hour)"
        )
    return Message(title, "\n".join(lines), kind, tuple(changes))


class Digest:
    """Turns alert changes into grouped, rate-limited messages."""

    def __init__(self, settings: NotifySettings) -> None:
        self.settings = settings
        self._threshold = SEVERITY_RANK[Severity(settings.min_severity)]
        self._known: dict[str, datetime] = {}  # active alert id -> its raised_at
        self._pending: list[Change] = []
        self._first_pending: float | None = None  # when the oldest pending change came
        self._sent: deque[float] = deque()  # when each message of the last hour went out
        self._waited = False  # the pending changes were held back by the limit

    @property
    def pending(self) -> int:
        return len(self._pending)

    def seed(self, alerts: list[Alert]) -> None:
        """Alerts already active at start (notified by an earlier run): not news again."""
        for alert in alerts:
            if alert.active:
                self._known[alert.id] = alert.raised_at

    def change_of(self, alert: Alert) -> Change | None:
        """What an `AlertChanged` means for notifications (None: nothing to say)."""
        if alert.active:
            if self._known.get(alert.id) == alert.raised_at:
                return None  # acknowledged, or seen already
            self._known[alert.id] = alert.raised_at
            change = Change(alert, raised=True)
        else:
            self._known.pop(alert.id, None)
            if not self.settings.send_cleared:
                return None
            change = Change(alert, raised=False)
        if SEVERITY_RANK[alert.severity] > self._threshold:
            return None
        return change

    def add(self, alert: Alert, now: float) -> bool:
        """Queue the change `alert` brings (if any); True when something was queued."""
        change = self.change_of(alert)
        if change is None:
            return False
        if self._first_pending is None:
            self._first_pending = now
        self._pending.append(change)
        self._trim(now)
        if len(self._sent) >= self.settings.max_per_hour:
            self._waited = True  # the message will say these waited for the limit
        return True

    def _trim(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - HOUR:
            self._sent.popleft()

    def due_in(self, now: float) -> float | None:
        """Seconds until the pending changes may go out (None: nothing pending)."""
        if self._first_pending is None:
            return None
        self._trim(now)
        wait = self._first_pending + self.settings.group_seconds - now
        if len(self._sent) >= self.settings.max_per_hour:
            wait = max(wait, self._sent[0] + HOUR - now)
        return max(0.0, wait)

    def take(self, now: float) -> Message | None:
        """The message to send now, if the grouping window passed and the limit allows."""
        wait = self.due_in(now)
        if wait is None:
            return None
        if wait > 0:
            return None
        message = self.flush()
        self._sent.append(now)
        return message

    def flush(self) -> Message | None:
        """Every pending change in one message now, window and limit aside (shutdown)."""
        if not self._pending:
            return None
        message = compose(self._pending, waited=self._waited, limit=self.settings.max_per_hour)
        self._pending = []
        self._first_pending = None
        self._waited = False
        return message
