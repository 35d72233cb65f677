"""The event bus between the engine and its consumers (Qt bridge, feed, alerts, history).

The engine must never wait for a consumer: `publish` only appends to each subscriber's own
bounded queue and returns. A consumer that falls behind loses its oldest events (counted),
never the engine's time or another consumer's events: the feed and the UI want the newest
picture, not a backlog.

Subscriptions are consumed with ``async for event in bus.subscribe(...)`` (or inside
``async with``). The bus holds subscriptions weakly, so one whose consumer is gone (the loop
ended, the task died) unsubscribes itself once its frame is released; `close` and
``async with`` end it deterministically.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from app.domain.alerts import Alert
from app.engine.freshness import SectionRecord
from app.engine.pool import PoolState
from app.engine.rates import TrafficPoint

DEFAULT_QUEUE_SIZE = 256


@dataclass(frozen=True, slots=True)
class RouterDataUpdated:
    """A section of a router's data was collected and parsed (``data`` is the model).

    ``timestamp`` is when the router answered (for a derived section: the oldest of its
    inputs); ``record`` is the section's whole record after this poll (outcome, failures,
    warnings of a partial parse), so consumers need not ask the engine.
    """

    router: str
    section: str  # e.g. `online_total`, `interface_brief`, `cpu`
    data: Any
    timestamp: float  # epoch seconds
    record: SectionRecord | None = None


@dataclass(frozen=True, slots=True)
class RouterStateChanged:
    """A router's connection state changed (connected, unreachable, auth failed, ...)."""

    router: str
    state: PoolState
    previous: PoolState | None
    error: str | None  # the last error, when the new state is a failure
    timestamp: float


@dataclass(frozen=True, slots=True)
class TrafficSampled:
    """Rates (and gaps) of one router's interfaces from one poll."""

    router: str
    points: tuple[TrafficPoint, ...]
    timestamp: float


@dataclass(frozen=True, slots=True)
class PollFailed:
    """Collecting a section failed; its data stays as it was (shown as stale, not zero).

    ``error`` is the English detail; ``record.last_error`` has its stable code, the first
    line not understood, and ``record.raw`` the router's text when it answered.
    """

    router: str
    section: str
    error: str
    timestamp: float
    record: SectionRecord | None = None


@dataclass(frozen=True, slots=True)
class AlertChanged:
    """An alert was raised, cleared or acknowledged (``alert`` is its new state)."""

    router: str
    alert: Alert
    timestamp: float


@dataclass(frozen=True, slots=True)
class RoutersChanged:
    """The set of monitored routers changed without the UI asking (a collector's feed said
    so after a reconnect): consumers re-read the router list. ``router`` is empty: the
    event is about no router in particular (subscriptions filtered by router skip it)."""

    routers: tuple[str, ...]
    timestamp: float
    router: str = ""


Event = (
    RouterDataUpdated
    | RouterStateChanged
    | TrafficSampled
    | PollFailed
    | AlertChanged
    | RoutersChanged
)


@dataclass(frozen=True, slots=True)
class SubscriptionStatistics:
    name: str
    queued: int
    max_queue: int
    delivered: int  # events handed to the consumer
    dropped: int  # oldest events dropped because the queue was full


@dataclass(frozen=True, slots=True)
class BusStatistics:
    subscribers: int
    published: int
    dropped: int  # over all subscriptions, closed ones included
    subscriptions: tuple[SubscriptionStatistics, ...]


class Subscription:
    """One consumer's bounded queue of events; async-iterable until closed."""

    def __init__(
        self,
        bus: EventBus,
        name: str,
        max_queue: int,
        types: tuple[type, ...] | None,
        routers: frozenset[str] | None,
    ) -> None:
        self.name = name
        self._bus = bus
        self._queue: deque[Event] = deque(maxlen=max_queue)
        self._types = types
        self._routers = routers
        self._ready = asyncio.Event()
        self._closed = False
        self.delivered = 0
        self.dropped = 0

    @property
    def closed(self) -> bool:
        return self._closed

    def wants(self, event: Event) -> bool:
        if self._types is not None and not isinstance(event, self._types):
            return False
        return self._routers is None or event.router in self._routers

    def offer(self, event: Event) -> None:
        """Queue `event` without waiting; a full queue drops its oldest event."""
        if self._closed:
            return
        if len(self._queue) == self._queue.maxlen:
            self.dropped += 1
            self._bus._count_drop()
        self._queue.append(event)  # deque(maxlen) discards the oldest itself
        self._ready.set()

    def close(self) -> None:
        """Unsubscribe; a consumer waiting in `async for` ends after the queued events."""
        if not self._closed:
            self._closed = True
            self._ready.set()
            self._bus._remove(self)

    def statistics(self) -> SubscriptionStatistics:
        return SubscriptionStatistics(
            self.name, len(self._queue), self._queue.maxlen or 0, self.delivered, self.dropped
        )

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        while not self._queue:
            if self._closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        self.delivered += 1
        return self._queue.popleft()

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()


class EventBus:
    """Fan-out of engine events to any number of independent, bounded subscriptions."""

    def __init__(self, *, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        _check_size(queue_size)
        self._queue_size = queue_size
        self._subscriptions: weakref.WeakSet[Subscription] = weakref.WeakSet()
        self._published = 0
        self._dropped = 0
        self._closed = False

    def subscribe(
        self,
        *,
        name: str = "",
        types: Iterable[type] | None = None,
        routers: Collection[str] | None = None,
        max_queue: int | None = None,
    ) -> Subscription:
        """A new subscription; it receives events published from now on.

        `types` keeps only those event classes, `routers` only events of those routers
        (None: all). `max_queue` overrides the bus's queue size for this subscriber.
        """
        size = self._queue_size if max_queue is None else max_queue
        _check_size(size)
        subscription = Subscription(
            self,
            name,
            size,
            None if types is None else tuple(types),
            None if routers is None else frozenset(routers),
        )
        if self._closed:
            subscription.close()
        else:
            self._subscriptions.add(subscription)
        return subscription

    def publish(self, event: Event) -> None:
        """Hand `event` to every interested subscription; never blocks, never raises for them.

        Call it on the event loop's thread (the engine's); the queues are not thread-safe.
        """
        self._published += 1
        for subscription in list(self._subscriptions):
            if subscription.wants(event):
                subscription.offer(event)

    def close(self) -> None:
        """End every subscription (shutdown); later subscriptions start closed."""
        self._closed = True
        for subscription in list(self._subscriptions):
            subscription.close()

    def statistics(self) -> BusStatistics:
        subscriptions = tuple(s.statistics() for s in list(self._subscriptions))
        return BusStatistics(len(subscriptions), self._published, self._dropped, subscriptions)

    def _count_drop(self) -> None:
        self._dropped += 1

    def _remove(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)


def _check_size(size: int) -> None:
    if size < 1:
        raise ValueError(f"queue size must be at least 1, got {size}")
