"""The one consumer of the engine's event bus: engine events -> feed messages -> the hub.

Events of one poll round arrive together (the poller publishes a data set's sections in
one go), so everything queued when the consumer wakes is drained first and then each
changed router gets *one* `router_data` with just its changed sections. Connection changes
and poll failures are folded into one `system_status`, sent only when what it says changed
(a state, a connection error, a poll error of a connected router): a router that keeps
failing the same way does not repeat it every poll. Alerts go out as they come. The
subscription is the engine's bounded one: if the feed falls behind, the engine drops the
oldest events for it, never waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from app.engine.events import (
    AlertChanged,
    Event,
    PollFailed,
    RouterDataUpdated,
    RouterStateChanged,
    Subscription,
    TrafficSampled,
)
from app.engine.pool import PoolState
from app.feed import messages
from app.feed.broadcast import Hub
from app.feed.context import FeedContext
from app.feed.sections import FEED_SECTION_OF, FEED_SECTIONS, NETWORK_TRAFFIC

_log = logging.getLogger("ne8000monitor.feed.publisher")

EVENT_TYPES = (RouterDataUpdated, RouterStateChanged, PollFailed, AlertChanged, TrafficSampled)
SUBSCRIPTION_QUEUE = 4096  # a round of 20 routers is ~15 events each; room for bursts


class Publisher:
    """Runs the event consumer and the heartbeat for one feed server."""

    def __init__(self, ctx: FeedContext, hub: Hub, *, heartbeat_interval: float) -> None:
        if heartbeat_interval <= 0:
            raise ValueError("heartbeat_interval must be positive")
        assert ctx.traffic is not None
        self._ctx = ctx
        self._hub = hub
        self._traffic = ctx.traffic
        self._heartbeat_interval = heartbeat_interval
        self._subscription: Subscription | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._last_status: object = None  # what the last system_status said, in short

    def start(self) -> None:
        self._subscription = self._ctx.monitor.subscribe(
            name="feed", types=EVENT_TYPES, max_queue=SUBSCRIPTION_QUEUE
        )
        self._tasks = [
            asyncio.create_task(self._consume(self._subscription), name="feed-publisher"),
            asyncio.create_task(self._heartbeat(), name="feed-heartbeat"),
        ]

    async def stop(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_interval)
            self._hub.publish(messages.heartbeat(self._ctx))

    async def _consume(self, subscription: Subscription) -> None:
        changed: dict[str, set[str]] = {}
        status_changed = False
        async for event in subscription:
            status_changed |= self._take(event, changed)
            while subscription.statistics().queued:  # the rest of this round, no waiting
                status_changed |= self._take(await anext(subscription), changed)
            try:
                await self._flush(changed, status_changed)
            except Exception:  # one bad message must not end the feed
                _log.exception("building feed messages failed")
            changed = {}
            status_changed = False

    def _take(self, event: Event, changed: dict[str, set[str]]) -> bool:
        """Note what `event` changed; alerts go out at once. True if the status changed."""
        if isinstance(event, RouterDataUpdated):
            section = FEED_SECTION_OF.get(event.section)
            if section is not None:
                changed.setdefault(event.router, set()).add(section)
        elif isinstance(event, TrafficSampled):
            self._traffic.update(event.router, event.points)
            changed.setdefault(event.router, set()).add(NETWORK_TRAFFIC)
        elif isinstance(event, AlertChanged):
            self._hub.publish(messages.alert(self._ctx, event.alert), event.router)
        elif isinstance(event, RouterStateChanged | PollFailed):
            return True
        return False

    async def _flush(self, changed: dict[str, set[str]], status_changed: bool) -> None:
        """One `router_data` per changed router, then the status if it changed.

        Yields after each message so the writers of clients that keep up send it before the
        next one is queued: a burst (many routers in one round) must not overflow them.
        """
        routers = set(self._ctx.monitor.routers)
        for router, sections in changed.items():
            if router not in routers:
                self._traffic.forget(router)
                continue
            ordered = [name for name in FEED_SECTIONS if name in sections]
            self._hub.publish(messages.router_data(self._ctx, router, ordered), router)
            await asyncio.sleep(0)
        if status_changed:
            said = self._status_summary()
            if said != self._last_status:
                self._last_status = said
                self._hub.publish(messages.system_status(self._ctx))

    def _status_summary(self) -> tuple[tuple[str, str, str | None, str | None], ...]:
        """What a system_status tells a client, without its ever-moving counters: each
        router's state, connection error, and poll error while connected (while it is not,
        every poll fails the same way and the connection error says why)."""
        summary = []
        for router in self._ctx.monitor.routers:
            for status in messages.status_of(self._ctx, router):
                pool = status.pool
                connected = pool.state is PoolState.CONNECTED
                poll_error = status.polling.last_error if connected else None
                summary.append((router, str(pool.state), pool.last_error, poll_error))
        return tuple(summary)
