"""EventBus: non-blocking fan-out, bounded queues, filters, unsubscribe on exit, stats."""

from __future__ import annotations

import asyncio
import gc

import pytest

from app.engine.events import (
    EventBus,
    PollFailed,
    RouterDataUpdated,
    RouterStateChanged,
    TrafficSampled,
)
from app.engine.pool import PoolState
from app.engine.rates import GapReason, TrafficGap


def data(router: str, n: int) -> RouterDataUpdated:
    return RouterDataUpdated(router, "online_total", n, float(n))


async def take(subscription, count: int) -> list:
    events = []
    async for event in subscription:
        events.append(event)
        if len(events) == count:
            break
    return events


async def test_every_subscriber_gets_every_event_in_order() -> None:
    bus = EventBus()
    first, second = bus.subscribe(name="ui"), bus.subscribe(name="feed")
    events = [
        data("r1", 1),
        RouterStateChanged("r1", PoolState.UNREACHABLE, PoolState.CONNECTED, "timeout", 2.0),
        TrafficSampled("r1", (TrafficGap("r1", "GE0/1/0", 3.0, GapReason.POLL_FAILED),), 3.0),
        PollFailed("r1", "cpu", "session lost", 4.0),
    ]
    for event in events:
        bus.publish(event)
    assert await take(first, 4) == events
    assert await take(second, 4) == events
    stats = bus.statistics()
    assert (stats.subscribers, stats.published, stats.dropped) == (2, 4, 0)


async def test_consumer_that_never_reads_is_bounded_and_others_are_unaffected() -> None:
    bus = EventBus(queue_size=8)
    stalled = bus.subscribe(name="stalled")
    received: list[int] = []
    done = asyncio.Event()

    async def consume() -> None:
        async for event in bus.subscribe(name="live", max_queue=1000):
            received.append(event.data)
            if len(received) == 1000:
                done.set()
                return

    consumer = asyncio.create_task(consume())
    await asyncio.sleep(0)
    for n in range(1000):
        bus.publish(data("r1", n))
        if n % 50 == 0:
            await asyncio.sleep(0)  # the engine yields now and then, like a real poller
    await asyncio.wait_for(done.wait(), timeout=5)
    await consumer
    assert received == list(range(1000))
    stalled_stats = stalled.statistics()
    assert (stalled_stats.queued, stalled_stats.dropped, stalled_stats.delivered) == (8, 992, 0)
    # The stalled queue kept the newest events.
    assert [e.data for e in await take(stalled, 8)] == list(range(992, 1000))
    assert bus.statistics().dropped == 992


async def test_publish_never_waits_even_with_full_queues() -> None:
    bus = EventBus(queue_size=1)
    subscription = bus.subscribe()
    for n in range(100):
        bus.publish(data("r1", n))  # synchronous: returns without awaiting anything
    assert subscription.statistics().dropped == 99
    assert [e.data for e in await take(subscription, 1)] == [99]


async def test_filters_by_type_and_router() -> None:
    bus = EventBus()
    r2_data = bus.subscribe(types=[RouterDataUpdated], routers=["r2"])
    failures = bus.subscribe(types=(PollFailed,))
    bus.publish(data("r1", 1))
    bus.publish(data("r2", 2))
    bus.publish(PollFailed("r2", "cpu", "x", 3.0))
    assert [e.data for e in await take(r2_data, 1)] == [2]
    assert r2_data.statistics().queued == 0
    assert await take(failures, 1) == [PollFailed("r2", "cpu", "x", 3.0)]


async def test_leaving_the_loop_unsubscribes() -> None:
    bus = EventBus()
    bus.publish(data("r1", 0))  # before subscribing: not delivered

    async def first_event():
        async for event in bus.subscribe(name="once"):
            return event
        return None

    reader = asyncio.create_task(first_event())
    await asyncio.sleep(0)
    assert bus.statistics().subscribers == 1
    bus.publish(data("r1", 1))
    assert (await reader).data == 1
    gc.collect()  # not needed on CPython (refcounting); keeps the test honest elsewhere
    assert bus.statistics().subscribers == 0


async def test_context_manager_and_close_end_the_iteration() -> None:
    bus = EventBus()
    async with bus.subscribe(name="ctx") as subscription:
        assert bus.statistics().subscribers == 1
        bus.publish(data("r1", 1))
    assert subscription.closed
    assert bus.statistics().subscribers == 0
    assert [e.data for e in await take(subscription, 5)] == [1]  # queued events drain, then end

    waiting = bus.subscribe()
    reader = asyncio.create_task(take(waiting, 5))
    await asyncio.sleep(0)
    bus.publish(data("r1", 2))
    bus.close()
    assert [e.data for e in await asyncio.wait_for(reader, 5)] == [2]
    late = bus.subscribe()
    assert late.closed
    assert await take(late, 1) == []


async def test_cancelled_consumer_is_removed() -> None:
    bus = EventBus()

    async def forever() -> None:
        async for _ in bus.subscribe():
            pass

    task = asyncio.create_task(forever())
    await asyncio.sleep(0)
    assert bus.statistics().subscribers == 1
    task.cancel()
    await asyncio.wait([task])  # not `await task`: a held traceback would keep the frame
    assert task.cancelled()
    del task
    gc.collect()
    assert bus.statistics().subscribers == 0


def test_queue_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        EventBus(queue_size=0)
    with pytest.raises(ValueError, match="at least 1"):
        EventBus().subscribe(max_queue=0)


def test_events_are_frozen() -> None:
    event = data("r1", 1)
    with pytest.raises(AttributeError):
        event.router = "r2"  # type: ignore[misc]
