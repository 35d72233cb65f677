"""The one consumer of the engine's event bus: engine events -> feed messages -> the hub.

Events of one poll round arrive together (the poller publishes a data set's sections in
one go), so everything queued when the consumer wakes is drained first and then each
changed router gets *one* `router_data` with just its changed sections. Connection changes
and poll failures are folded into one `system_status`, sent only when what it says changed
(a state, a connection error, a poll error of a connected router, a section's freshness): a
router that keeps failing the same way does not repeat it every poll. Alerts go out as they
come. The
subscription is the engine's bounded one: if the feed falls behind, the engine drops the
oldest events for it, never waits.

Data also turns stale with no event at all (a command that hangs publishes nothing until
its timeout; a stopped engine publishes nothing ever), so a clock-driven check re-reads
every section's freshness each second and sends `router_data` for the sections whose state
changed (fresh, stale, never) and a `system_status` when any engine section's did.
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
from app.feed.sections import (
    FEED_SECTION_OF,
    FEED_SECTIONS,
    NETWORK_TRAFFIC,
    section_told,
)

_log = logging.getLogger("ne8000monitor.feed.publisher")

EVENT_TYPES = (RouterDataUpdated, RouterStateChanged, PollFailed, AlertChanged, TrafficSampled)
SUBSCRIPTION_QUEUE = 4096  # a round of 20 routers is ~15 events each; room for bursts
FRESHNESS_CHECK_INTERVAL = 1.0  # seconds between clock-driven freshness checks


class Publisher:
    """Runs the event consumer and the heartbeat for one feed server."""

    def __init__(
        self,
        ctx: FeedContext,
        hub: Hub,
        *,
        heartbeat_interval: float,
        freshness_interval: float = FRESHNESS_CHECK_INTERVAL,
    ) -> None:
        if heartbeat_interval <= 0 or freshness_interval <= 0:
            raise ValueError("heartbeat_interval and freshness_interval must be positive")
        assert ctx.traffic is not None
        self._ctx = ctx
        self._hub = hub
        self._traffic = ctx.traffic
        self._heartbeat_interval = heartbeat_interval
        self._freshness_interval = freshness_interval
        self._subscription: Subscription | None = None
        self._tasks: list[asyncio.Task[None]] = []
        # Last state told to clients, per (router, feed section), and the last system_status
        # in short (see `_status_summary`).
        self._sent: dict[tuple[str, str], tuple[str, str | None]] = {}
        self._last_status: object = None
        self._failed: set[str] = set()  # routers with a failed poll in the current round

    def start(self) -> None:
        self._subscription = self._ctx.monitor.subscribe(
            name="feed", types=EVENT_TYPES, max_queue=SUBSCRIPTION_QUEUE
        )
        self._tasks = [
            asyncio.create_task(self._consume(self._subscription), name="feed-publisher"),
            asyncio.create_task(self._heartbeat(), name="feed-heartbeat"),
            asyncio.create_task(self._watch_freshness(), name="feed-freshness"),
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

    async def _watch_freshness(self) -> None:
        while True:
            await asyncio.sleep(self._freshness_interval)
            try:
                self.check_freshness()
            except Exception:  # one bad check must not end the watch
                _log.exception("checking freshness failed")

    def check_freshness(self, routers: set[str] | None = None) -> None:
        """Tell clients about sections whose freshness changed since they last heard.

        Every feed section whose state (fresh / stale / never) or error code differs from
        the one last sent goes out in one `router_data` per router (a section stale by age
        that then fails says why); a `system_status` follows when what it says changed
        (e.g. an engine section's state).
        """
        now = self._ctx.clock()
        monitor = self._ctx.monitor
        for router in monitor.routers if routers is None else routers:
            try:
                snapshot = monitor.snapshot(router)
            except KeyError:  # removed meanwhile
                continue
            flipped = []
            for name in FEED_SECTIONS:
                state = section_told(snapshot, name, now)
                if self._sent.setdefault((router, name), state) != state:
                    flipped.append(name)
                    self._sent[(router, name)] = state
            if flipped:
                self._publish_router(router, flipped)
        self._publish_status_if_changed(now)

    def _publish_router(self, router: str, sections: list[str]) -> None:
        """A `router_data` with `sections` of `router`; new clients get the news too."""
        if self._ctx.picture is not None:
            self._ctx.picture.invalidate(router)
        self._hub.publish(messages.router_data(self._ctx, router, sections))

    def _publish_status_if_changed(self, now: float) -> None:
        """A `system_status` when what it says differs from the last one sent."""
        said = self._status_summary(now)
        if said == self._last_status:
            return
        self._last_status = said
        if self._ctx.picture is not None:
            self._ctx.picture.invalidate()
        self._hub.publish(messages.system_status(self._ctx))

    def _status_summary(self, now: float) -> tuple[object, ...]:
        """What a system_status tells a client, without its ever-moving counters: each
        router's state, connection error, poll error while connected (while it is not,
        every poll fails the same way and the connection error says why), and the state of
        each of its sections."""
        summary: list[object] = []
        for router in self._ctx.monitor.routers:
            for status in messages.status_of(self._ctx, router):
                pool = status.pool
                connected = pool.state is PoolState.CONNECTED
                poll_error = status.polling.last_error if connected else None
                sections = tuple(
                    (section, str(record.state(now)))
                    for section, record in sorted(status.polling.sections.items())
                )
                summary.append((router, str(pool.state), pool.last_error, poll_error, sections))
        return tuple(summary)

    def _note_sent(self, router: str, sections: list[str]) -> None:
        """Remember the state of sections just sent, so the check does not repeat them."""
        try:
            snapshot = self._ctx.monitor.snapshot(router)
        except KeyError:
            return
        now = self._ctx.clock()
        for name in sections:
            self._sent[(router, name)] = section_told(snapshot, name, now)

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
            self._hub.publish(messages.alert(self._ctx, event.alert))
        elif isinstance(event, PollFailed):
            self._failed.add(event.router)
            return True
        elif isinstance(event, RouterStateChanged):
            return True
        return False

    async def _flush(self, changed: dict[str, set[str]], status_changed: bool) -> None:
        """One `router_data` per changed router, then the status if it changed.

        The whole round is queued before the writers run, so each client gets the round in
        one write; the queues conflate, so a burst of many routers cannot overflow them.
        """
        routers = set(self._ctx.monitor.routers)
        for router, sections in changed.items():
            if router not in routers:
                self._traffic.forget(router)
                if self._ctx.picture is not None:
                    self._ctx.picture.forget(router)
                continue
            ordered = [name for name in FEED_SECTIONS if name in sections]
            self._publish_router(router, ordered)
            self._note_sent(router, ordered)
        if status_changed:
            self._publish_status_if_changed(self._ctx.clock())
        failed, self._failed = self._failed & routers, set()
        if failed:  # a failed poll turns its section stale at once: say so now
            self.check_freshness(failed)

