"""Per-router rate limits for operator-initiated work (console, changes, on-demand data).

A sliding window per (router, kind): at most `limit` events in the last `window` seconds.
Polling by the monitor itself is not limited here; this protects the router's CPU and VTY
lines from people and remote clients clicking faster than the box should be asked.
Defaults are those of the earlier service: 10 commands, 30 data fetches and 5 diagnostics
(ping/tracert) per minute.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from enum import StrEnum

from app.domain.errors import RateLimited


class LimitKind(StrEnum):
    """The three budgets a router has."""

    COMMAND = "command"
    DATA = "data"
    DIAGNOSTIC = "diagnostic"


DEFAULT_LIMITS: Mapping[LimitKind, int] = {
    LimitKind.COMMAND: 10,
    LimitKind.DATA: 30,
    LimitKind.DIAGNOSTIC: 5,
}
DEFAULT_WINDOW = 60.0


class RateLimitExceeded(RateLimited):
    """A budget is used up; `retry_after` says in how many seconds one slot frees up."""

    def __init__(
        self, router: str, kind: LimitKind, limit: int, window: float, retry_after: float
    ) -> None:
        super().__init__(
            f"{router}: rate limit of {limit} {kind} requests per {window:g} s reached; "
            f"retry in {math.ceil(retry_after)} s"
        )
        self.router = router
        self.kind = kind
        self.retry_after = retry_after


class RateLimiter:
    """Sliding-window limits per router and kind; the clock is injectable for tests."""

    def __init__(
        self,
        limits: Mapping[LimitKind, int] | None = None,
        *,
        window: float = DEFAULT_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        per_router: Mapping[str, Mapping[LimitKind, int]] | None = None,
    ) -> None:
        if window <= 0:
            raise ValueError("rate-limit window must be positive")
        self._limits = dict(DEFAULT_LIMITS if limits is None else limits)
        self._per_router = {name: dict(values) for name, values in (per_router or {}).items()}
        self._window = window
        self._clock = clock
        self._events: dict[tuple[str, LimitKind], deque[float]] = {}

    def limit(self, router: str, kind: LimitKind) -> int:
        """The budget for this router and kind (a router's own setting wins)."""
        return self._per_router.get(router, {}).get(kind, self._limits[kind])

    def _recent(self, router: str, kind: LimitKind, now: float) -> deque[float]:
        events = self._events.setdefault((router, kind), deque())
        while events and events[0] <= now - self._window:
            events.popleft()
        return events

    def remaining(self, router: str, kind: LimitKind) -> int:
        """How many more requests fit in the window right now."""
        events = self._recent(router, kind, self._clock())
        return max(0, self.limit(router, kind) - len(events))

    def acquire(self, router: str, kind: LimitKind) -> None:
        """Count one request, or raise RateLimitExceeded without counting it."""
        now = self._clock()
        events = self._recent(router, kind, now)
        limit = self.limit(router, kind)
        if len(events) >= limit:
            oldest = events[len(events) - limit] if limit else now
            retry_after = max(0.0, oldest + self._window - now) if limit else self._window
            raise RateLimitExceeded(router, kind, limit, self._window, retry_after)
        events.append(now)
