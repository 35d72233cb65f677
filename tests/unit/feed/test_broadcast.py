"""The broadcast hub with in-memory sockets: conflation, bounded queues, laggards, order,
shutdown."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Sequence

import pytest

from app.feed.broadcast import CLOSE_GOING_AWAY, CLOSE_POLICY, Hub, Outgoing
from app.feed.context import FeedStats


def message(text: str, kind: str = "bulk", router: str | None = None, *sections: str) -> Outgoing:
    """An encoded message whose bytes are just `text` (the hub never looks inside)."""
    return Outgoing(text.encode(), kind, router, frozenset(sections))


def data(text: str, router: str, *sections: str) -> Outgoing:
    return message(text, "router_data", router, *sections)


class FakeSocket:
    """Records what was sent; `stall()` makes sends (and closes) hang like a dead peer, and
    makes it refuse immediate writes as a socket with a full buffer does."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.written_now = 0
        self.closed_with: tuple[int, bytes] | None = None
        self.aborted = False
        self._open = asyncio.Event()
        self._open.set()
        self.arrived = asyncio.Event()

    def stall(self) -> None:
        self._open.clear()

    def resume(self) -> None:
        self._open.set()

    async def send(self, messages: Sequence[Outgoing]) -> None:
        await self._open.wait()
        self.sent.extend(message.data.decode() for message in messages)
        self.arrived.set()

    def write_now(self, message: Outgoing) -> bool:
        if not self._open.is_set():
            return False
        self.sent.append(message.data.decode())
        self.written_now += 1
        self.arrived.set()
        return True

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


async def publish(hub: Hub, text: str) -> None:
    """Publish and yield once, as the feed's publisher does between messages."""
    hub.publish(message(text))
    await asyncio.sleep(0)


async def push(hub: Hub, outgoing: Outgoing) -> None:
    hub.publish(outgoing)
    await asyncio.sleep(0)


def texts(queue: Iterable[Outgoing]) -> list[str]:
    return [m.data.decode() for m in queue]


def hub_tasks() -> list[str]:
    return [t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("feed-")]


async def test_initial_messages_come_first_then_broadcasts_in_order() -> None:
    stats = FeedStats()
    hub = Hub(stats)
    socket = FakeSocket()
    hub.connect(socket, initial=lambda: [message("welcome"), message(f"clients={stats.clients}")])
    for n in range(5):
        assert hub.publish(message(f"m{n}")) == 1
    await socket.wait_for(7)
    assert socket.sent == ["welcome", "clients=1", "m0", "m1", "m2", "m3", "m4"]
    assert stats.messages_sent == 7
    assert stats.broadcasts == 5
    await hub.close()
    assert socket.closed_with == (CLOSE_GOING_AWAY, b"server shutting down")
    assert hub_tasks() == []
    assert stats.clients == 0


async def test_a_client_that_keeps_up_is_written_to_at_once_and_in_order() -> None:
    stats = FeedStats()
    hub = Hub(stats)
    socket = FakeSocket()
    hub.connect(socket, initial=lambda: [message("welcome")])
    hub.publish(message("early"))  # its writer has not run yet: behind the welcome
    await socket.wait_for(2)
    await asyncio.sleep(0)
    socket.stall()  # a full buffer: through the queue
    hub.publish(message("queued"))
    socket.resume()
    hub.publish(message("behind"))  # something is queued: behind it, not ahead
    await socket.wait_for(4)
    await asyncio.sleep(0)
    for n in range(3):
        hub.publish(message(f"now{n}"))
    assert socket.sent == ["welcome", "early", "queued", "behind", "now0", "now1", "now2"]
    assert socket.written_now == 3  # no await above: written by publish itself
    assert stats.messages_sent == 7
    await hub.close()


async def test_router_filter() -> None:
    hub = Hub(FeedStats())
    east, everything = FakeSocket(), FakeSocket()
    hub.connect(east, routers=["east"])
    hub.connect(everything)
    hub.publish(message("e1", "alert", "east"))
    hub.publish(message("w1", "alert", "west"))
    hub.publish(message("status"))  # no router: everyone
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
    assert texts(slow_client.queue) == ["m1", "m2", "m3", "m4"]
    assert stats.dropped == 0
    await publish(hub, "m5")
    await publish(hub, "m6")  # two overflows: the oldest go, the newest stay
    assert texts(slow_client.queue) == ["m3", "m4", "m5", "m6"]
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
    hub.publish(message("a"))
    await asyncio.sleep(0)  # the writer takes `a` and hangs on it
    hub.publish(message("b"))
    hub.publish(message("c"))
    hub.publish(message("d"))  # one overflow
    socket.resume()
    await socket.wait_for(3)
    hub.publish(message("e"))  # room again: the streak is over
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
    client = hub.connect(socket, initial=[message("welcome")])
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


async def test_a_slow_client_gets_the_newest_state_not_a_backlog() -> None:
    stats = FeedStats()
    hub = Hub(stats, queue_size=16)
    slow, fast = FakeSocket(), FakeSocket()
    slow_client = hub.connect(slow)
    hub.connect(fast)
    slow.stall()
    await publish(hub, "first")  # the slow writer hangs in this send
    await fast.wait_for(1)
    # Each publish is followed by a yield (as the publisher does): the fast client keeps up.
    await push(hub, data("east-1", "east", "online_total", "pppoe_stats"))
    await push(hub, message("status-1", "system_status"))
    await push(hub, message("alert-1", "alert", "east"))
    await push(hub, data("west-1", "west", "online_total"))
    await push(hub, data("east-2", "east", "online_total", "pppoe_stats"))  # replaces east-1
    await push(hub, message("status-2", "system_status"))  # replaces status-1
    await push(hub, message("alert-2", "alert", "east"))  # alerts are never replaced
    await push(hub, data("east-3", "east", "online_total"))  # east-2 also carries pppoe_stats
    assert texts(slow_client.queue) == [
        "alert-1",
        "west-1",
        "east-2",
        "status-2",
        "alert-2",
        "east-3",
    ]
    assert (slow_client.conflated, stats.conflated, stats.dropped) == (2, 2, 0)
    slow.resume()
    await slow.wait_for(7)
    assert slow.sent == [
        "first",
        "alert-1",
        "west-1",
        "east-2",
        "status-2",
        "alert-2",
        "east-3",
    ]
    # The fast client read everything as it came: nothing was replaced for it.
    await fast.wait_for(9)
    assert fast.sent[1:] == [
        "east-1",
        "status-1",
        "alert-1",
        "west-1",
        "east-2",
        "status-2",
        "alert-2",
        "east-3",
    ]
    assert not slow_client.closing
    await hub.close()


async def test_a_full_queue_drops_what_may_go_and_keeps_every_alert() -> None:
    stats = FeedStats()
    hub = Hub(stats, queue_size=3, lag_limit=100)
    socket = FakeSocket()
    client = hub.connect(socket)
    socket.stall()
    await publish(hub, "first")
    hub.publish(message("alert-1", "alert", "r"))
    hub.publish(message("bulk-1"))
    hub.publish(message("alert-2", "alert", "r"))
    hub.publish(message("alert-3", "alert", "r"))  # full: the bulk message goes
    assert texts(client.queue) == ["alert-1", "alert-2", "alert-3"]
    hub.publish(message("alert-4", "alert", "r"))  # nothing but alerts: none is lost
    assert texts(client.queue) == ["alert-1", "alert-2", "alert-3", "alert-4"]
    assert (client.dropped, stats.dropped) == (1, 1)
    assert client.overflow_streak == 2  # the laggard rule still counts
    await hub.close()


async def test_a_client_that_does_not_read_at_all_is_still_disconnected() -> None:
    """Conflation keeps its queue short, so the send timeout is what catches it."""
    stats = FeedStats()
    hub = Hub(stats, send_timeout=0.05, close_timeout=0.05)
    socket = FakeSocket()
    client = hub.connect(socket)
    socket.stall()
    for n in range(50):
        hub.publish(data(f"east-{n}", "east", "online_total"))
        await asyncio.sleep(0)
    assert len(client.queue) <= 1
    async with asyncio.timeout(5):
        while not client.closing:
            await asyncio.sleep(0.01)
    assert stats.disconnected_laggards == 1
    assert stats.conflated >= 48
    await hub.close()
    assert socket.aborted


def test_a_frame_is_the_rfc_6455_text_frame_of_the_message() -> None:
    """Unmasked, final, text; 7-bit, 16-bit and 64-bit lengths (what every client parses)."""
    for size, header in ((5, b"\x81\x05"), (200, b"\x81\x7e\x00\xc8"), (70000, b"\x81\x7f")):
        payload = b"x" * size
        frame = Outgoing(payload, "bulk").frame
        assert frame.startswith(header)
        assert frame.endswith(payload)
        assert len(frame) - len(payload) == {5: 2, 200: 4, 70000: 10}[size]
    assert Outgoing(b"x" * 70000, "bulk").frame[2:10] == (70000).to_bytes(8, "big")


def test_close_right_after_a_disconnect_finished_returns() -> None:
    """A disconnect task that has just finished is still listed until its done-callback
    runs; close() must not spin on it (gathering finished tasks never yields)."""

    async def scenario() -> bool:
        hub = Hub(FeedStats())

        async def disconnect() -> None:
            await asyncio.sleep(0)

        hub._spawn(disconnect())
        for _ in range(2):  # the task runs and finishes; its discard is only queued
            await asyncio.sleep(0)
        await hub.close()
        return hub.closed

    outcome: list[bool] = []
    runner = threading.Thread(target=lambda: outcome.append(asyncio.run(scenario())), daemon=True)
    runner.start()
    runner.join(timeout=10)
    assert not runner.is_alive(), "Hub.close spun on a finished task"
    assert outcome == [True]
