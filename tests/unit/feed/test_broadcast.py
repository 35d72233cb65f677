"""The broadcast hub with in-memory sockets: bounded queues, laggards, order, shutdown."""

from __future__ import annotations

import asyncio

import pytest

from app.feed.broadcast import CLOSE_GOING_AWAY, CLOSE_POLICY, Hub
from app.feed.context import FeedStats


class FakeSocket:
    """Records what was sent; `stall()` makes sends (and closes) hang like a dead peer."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closed_with: tuple[int, bytes] | None = None
        self.aborted = False
        self._open = asyncio.Event()
        self._open.set()
        self.arrived = asyncio.Event()

    def stall(self) -> None:
        self._open.clear()

    def resume(self) -> None:
        self._open.set()

    async def send_str(self, data: str) -> None:
        await self._open.wait()
        self.sent.append(data)
        self.arrived.set()

    async def close(self, *, code: int, message: bytes) -> object:
        await self._open.wait()
        self.closed_with = (code, message)
        return True

    def abort(self) -> None:
        self.aborted = True

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(5):
            while len(self.sent) < count:
                self.arrived.clear()
                await self.arrived.wait()


async def publish(hub: Hub, message: str, router: str | None = None) -> None:
    """Publish and yield once, as the feed's publisher does between messages."""
    hub.publish(message, router)
    await asyncio.sleep(0)


def hub_tasks() -> list[str]:
    return [t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("feed-")]


async def test_initial_messages_come_first_then_broadcasts_in_order() -> None:
    stats = FeedStats()
    hub = Hub(stats)
    socket = FakeSocket()
    hub.connect(socket, initial=lambda: ["welcome", f"clients={stats.clients}"])
    for n in range(5):
        assert hub.publish(f"m{n}") == 1
    await socket.wait_for(7)
    assert socket.sent == ["welcome", "clients=1", "m0", "m1", "m2", "m3", "m4"]
    assert stats.messages_sent == 7
    assert stats.broadcasts == 5
    await hub.close()
    assert socket.closed_with == (CLOSE_GOING_AWAY, b"server shutting down")
    assert hub_tasks() == []
    assert stats.clients == 0


async def test_router_filter() -> None:
    hub = Hub(FeedStats())
    east, everything = FakeSocket(), FakeSocket()
    hub.connect(east, routers=["east"])
    hub.connect(everything)
    hub.publish("e1", "east")
    hub.publish("w1", "west")
    hub.publish("status")  # no router: everyone
    await everything.wait_for(3)
    await east.wait_for(2)
    assert east.sent == ["e1", "status"]
    assert everything.sent == ["e1", "w1", "status"]
    await hub.close()


async def test_a_stalled_client_keeps_only_the_newest_and_is_dropped_when_it_stays_behind() -> None:
    stats = FeedStats()
    hub = Hub(stats, queue_size=4, lag_limit=3, close_timeout=0.05)
    slow, fast = FakeSocket(), FakeSocket()
    slow_client = hub.connect(slow)
    hub.connect(fast)
    slow.stall()
    await publish(hub, "m0")
    await fast.wait_for(1)  # the slow writer now hangs in its send of m0
    for n in range(1, 5):  # fills its queue: m1..m4
        await publish(hub, f"m{n}")
    assert list(slow_client.queue) == ["m1", "m2", "m3", "m4"]
    assert stats.dropped == 0
    await publish(hub, "m5")
    await publish(hub, "m6")  # two overflows: the oldest go, the newest stay
    assert list(slow_client.queue) == ["m3", "m4", "m5", "m6"]
    assert (slow_client.dropped, stats.dropped) == (2, 2)
    assert not slow_client.closing
    await publish(hub, "m7")  # third overflow in a row: disconnected
    assert slow_client.closing
    assert stats.disconnected_laggards == 1
    await fast.wait_for(8)
    assert fast.sent == [f"m{n}" for n in range(8)]  # never delayed, nothing lost

    await hub.close()  # the close hangs too: the connection is aborted
    assert slow.aborted
    assert slow_client.close_code == CLOSE_POLICY
    assert len(slow_client.queue) == 0
    assert [c.id for c in hub.clients] == []
    assert hub_tasks() == []


async def test_a_client_that_catches_up_is_kept() -> None:
    stats = FeedStats()
    hub = Hub(stats, queue_size=2, lag_limit=2)
    socket = FakeSocket()
    client = hub.connect(socket)
    socket.stall()
    hub.publish("a")
    await asyncio.sleep(0)  # the writer takes `a` and hangs on it
    hub.publish("b")
    hub.publish("c")
    hub.publish("d")  # one overflow
    socket.resume()
    await socket.wait_for(3)
    hub.publish("e")  # room again: the streak is over
    await socket.wait_for(4)
    assert socket.sent == ["a", "c", "d", "e"]
    assert client.overflow_streak == 0
    assert not client.closing
    assert stats.disconnected_laggards == 0
    await hub.close()


async def test_a_send_that_never_completes_disconnects_the_client() -> None:
    stats = FeedStats()
    hub = Hub(stats, send_timeout=0.05, close_timeout=0.05)
    socket = FakeSocket()
    socket.stall()
    client = hub.connect(socket, initial=["welcome"])
    async with asyncio.timeout(5):
        while not client.closing:
            await asyncio.sleep(0.01)
    assert stats.disconnected_laggards == 1
    await hub.close()
    assert socket.aborted
    assert hub_tasks() == []


async def test_the_hub_refuses_clients_once_closed_and_checks_its_limits() -> None:
    hub = Hub(FeedStats())
    await hub.close()
    with pytest.raises(RuntimeError, match="shutting down"):
        hub.connect(FakeSocket())
    with pytest.raises(ValueError, match="positive"):
        Hub(FeedStats(), queue_size=0)
