"""The picture a new WebSocket client gets first, encoded once and shared by everyone who
connects while it is current.

Building every router's full `router_data` for each new connection was most of the
server's work in a connection storm (a wall of screens coming up, 1000 clients after a
restart): a profile of 200 clients connecting spent 43 % of the server's CPU there. Now
each router's full picture and the `system_status` are built once and reused until the
publisher sends something newer about them (it invalidates them first) or they are older
than `max_age` seconds; their `timestamp` and `age_s` say when they were built, and each
section's `collected_at` when the router answered, so a reused picture never claims to be
newer than it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from app.feed import messages
from app.feed.broadcast import Outgoing
from app.feed.context import FeedContext

DEFAULT_MAX_AGE = 1.0  # seconds a built picture is reused without news


class Picture:
    """Encoded `router_data` (all sections) per router and `system_status`, cached."""

    def __init__(
        self,
        ctx: FeedContext,
        *,
        max_age: float = DEFAULT_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ctx = ctx
        self._max_age = max_age
        self._clock = clock
        self._routers: dict[str, tuple[float, Outgoing]] = {}
        self._status: tuple[float, Outgoing] | None = None

    def router_data(self, router: str) -> Outgoing:
        now = self._clock()
        cached = self._routers.get(router)
        if cached is None or now - cached[0] > self._max_age:
            cached = (now, messages.router_data(self._ctx, router))
            self._routers[router] = cached
        return cached[1]

    def system_status(self) -> Outgoing:
        now = self._clock()
        if self._status is None or now - self._status[0] > self._max_age:
            self._status = (now, messages.system_status(self._ctx))
        return self._status[1]

    def invalidate(self, router: str | None = None) -> None:
        """Something newer about `router` (None: the status) is about to be published."""
        if router is None:
            self._status = None
        else:
            self._routers.pop(router, None)

    def forget(self, router: str) -> None:
        self._routers.pop(router, None)
