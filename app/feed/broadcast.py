"""Fan-out of encoded messages to WebSocket clients, each behind a conflating queue.

Why it is shaped like this:

* A message is encoded **once** (UTF-8 bytes, sent as a text frame) and the same object is
  queued for every matching client, so 1000 clients cost one JSON encoding per update.
* A message for a client that is keeping up (nothing queued, its writer idle, its socket's
  buffer empty) is **written at once** by `publish` itself: no task wakes, no timer is set.
  With 1000 clients that machinery was most of the fan-out (45 us of server CPU per client
  per update, 14 us without it), and the fan-out's length is what the last client of each
  update waits.
* Otherwise the message goes to the client's **own queue**, and its **one writer task**
  hands everything queued to the socket at once (the frames are built once per message,
  :mod:`app.feed.frames`), and then waits only while the socket's buffer is full.
  `publish` never awaits, so no client can delay another or the engine.
* A client that falls behind gets the **newest state, not a backlog**: a queued
  `router_data` is replaced by a newer one of the same router carrying at least its
  sections, a queued `system_status` (or `heartbeat`) by a newer one; the newer message
  goes to the end of the queue, so no section's value ever goes back in time on the client.
  Alerts and replies are never replaced. So a queue holds at most one picture per router
  plus what must not be lost, and what a slow reader gets is at most one write old.
* The queue is still bounded: beyond `queue_size` the oldest message that may go is dropped
  (never an alert) and counted. A client that **stays behind** -- its queue overflowing on
  `lag_limit` consecutive messages, or one send not completing within `send_timeout` (a
  peer that stopped reading: its socket buffer is full) -- is disconnected with close code
  1008 and counted; a writer stuck on a dead socket is aborted.

The hub knows nothing of aiohttp: a client's socket is any :class:`Socket`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections import deque
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from app.feed.context import FeedStats
from app.feed.frames import text_frame

_log = logging.getLogger("ne8000monitor.feed.broadcast")

DEFAULT_QUEUE_SIZE = 64
DEFAULT_LAG_LIMIT = 64  # consecutive overflowing messages before a client is dropped
DEFAULT_SEND_TIMEOUT = 10.0  # seconds one batch of frames may take to be written
MAX_BATCH = 64  # frames handed to a socket at once
CLOSE_TIMEOUT = 2.0  # seconds for a polite close before the connection is aborted

CLOSE_GOING_AWAY = 1001
CLOSE_POLICY = 1008  # used for a client too slow to keep up

# Kinds whose newer message replaces a queued older one (the newest state is what counts).
STATE_KINDS = frozenset({"system_status", "heartbeat"})
ROUTER_DATA = "router_data"
KEPT_KINDS = frozenset({"alert"})  # never dropped, never replaced


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One encoded message and what it is about (for the router filter and conflation);
    `frame` is its WebSocket text frame, built once for every client."""

    data: bytes
    kind: str
    router: str | None = None
    sections: frozenset[str] = field(default_factory=frozenset)
    frame: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "frame", text_frame(self.data))

    def replaces(self, older: Outgoing) -> bool:
        """True when a client that has not read `older` needs only this one."""
        if self.kind != older.kind:
            return False
        if self.kind == ROUTER_DATA:
            return self.router == older.router and older.sections <= self.sections
        return self.kind in STATE_KINDS


class Socket(Protocol):
    """What the hub needs of a WebSocket connection."""

    async def send(self, messages: Sequence[Outgoing]) -> None:
        """Write the messages' frames in order; return once the peer's buffer has room
        again (so a peer that stops reading holds its writer here)."""

    def write_now(self, message: Outgoing) -> bool:
        """Write one frame at once if the connection takes it without waiting (nothing of
        it buffered yet); False, having written nothing, when it must go through the queue."""

    async def close(self, *, code: int, message: bytes) -> object: ...

    def abort(self) -> None:
        """Drop the connection at once (the peer does not read, a close would hang)."""


class Client:
    """One connected WebSocket client: its router filter, queue and writer."""

    def __init__(
        self,
        client_id: int,
        socket: Socket,
        routers: Collection[str] | None,
        queue_size: int,
    ) -> None:
        self.id = client_id
        self.socket = socket
        self.routers: frozenset[str] | None = None if routers is None else frozenset(routers)
        self.queue: deque[Outgoing] = deque()
        self.queue_size = queue_size
        self.dropped = 0
        self.conflated = 0
        self.sent = 0
        self.overflow_streak = 0
        self.closing = False
        self.idle = False  # its writer waits on an empty queue (not before the initial send)
        self.close_code: int | None = None
        self._ready = asyncio.Event()
        self.writer: asyncio.Task[None] | None = None

    def wants(self, router: str | None) -> bool:
        return router is None or self.routers is None or router in self.routers

    def offer(self, message: Outgoing) -> tuple[int, int]:
        """Queue without waiting: (messages it replaced, messages dropped for room)."""
        queue = self.queue
        replaced = 0
        if queue and (message.kind == ROUTER_DATA or message.kind in STATE_KINDS):
            kept = [old for old in queue if not message.replaces(old)]
            replaced = len(queue) - len(kept)
            if replaced:
                queue.clear()
                queue.extend(kept)
        queue.append(message)
        dropped = 0
        while len(queue) > self.queue_size:
            victim = next((m for m in queue if m.kind not in KEPT_KINDS), None)
            if victim is None:  # nothing but alerts: the laggard rule decides
                break
            queue.remove(victim)
            dropped += 1
        self.conflated += replaced
        self.dropped += dropped
        overflowed = dropped > 0 or len(queue) > self.queue_size
        self.overflow_streak = self.overflow_streak + 1 if overflowed else 0
        self._ready.set()
        return replaced, dropped

    async def next_batch(self) -> list[Outgoing] | None:
        """What is queued (oldest first, at most MAX_BATCH); None once the client is
        closing. Messages stay in the queue until the writer is free to send them, so a
        newer state can still replace them there."""
        while not self.queue:
            if self.closing:
                return None
            self.idle = True
            self._ready.clear()
            await self._ready.wait()
        self.idle = False
        if self.closing:
            return None
        queue = self.queue
        return [queue.popleft() for _ in range(min(len(queue), MAX_BATCH))]

    def wake(self) -> None:
        self._ready.set()


class Hub:
    """The set of connected clients and the broadcast to them."""

    def __init__(
        self,
        stats: FeedStats,
        *,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        lag_limit: int = DEFAULT_LAG_LIMIT,
        send_timeout: float = DEFAULT_SEND_TIMEOUT,
        close_timeout: float = CLOSE_TIMEOUT,
    ) -> None:
        if queue_size < 1 or lag_limit < 1 or send_timeout <= 0 or close_timeout <= 0:
            raise ValueError("queue sizes and timeouts must be positive")
        self.stats = stats
        self.queue_size = queue_size
        self.lag_limit = lag_limit
        self.send_timeout = send_timeout
        self.close_timeout = close_timeout
        self._clients: dict[int, Client] = {}
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()  # disconnects in progress
        self._closed = False

    @property
    def clients(self) -> list[Client]:
        return list(self._clients.values())

    @property
    def closed(self) -> bool:
        return self._closed

    def connect(
        self,
        socket: Socket,
        *,
        routers: Collection[str] | None = None,
        initial: Iterable[Outgoing] | Callable[[], Iterable[Outgoing]] = (),
    ) -> Client:
        """Register a client; its writer sends `initial` first, then what is broadcast.

        `initial` may be a function: it is called right after registration (so the picture
        it builds counts the new client). Registration and that snapshot happen in the
        same step (no await), so nothing published in between is lost or sent out of order.
        """
        if self._closed:
            raise RuntimeError("the feed is shutting down")
        client = Client(next(self._ids), socket, routers, self.queue_size)
        self._clients[client.id] = client
        self.stats.clients = len(self._clients)
        self.stats.connections += 1
        first = list(initial() if callable(initial) else initial)
        client.writer = asyncio.create_task(
            self._write(client, first), name=f"feed-writer-{client.id}"
        )
        return client

    def publish(self, message: Outgoing) -> int:
        """Send one encoded message to every client that wants its router (None: all).

        Returns how many clients it was written to or queued for. Never awaits.
        """
        self.stats.broadcasts += 1
        count = written = 0
        router = message.router
        for client in list(self._clients.values()):
            if client.closing or not client.wants(router):
                continue
            count += 1
            # Order holds: only a client with nothing queued and no batch in flight.
            if client.idle and not client.queue and client.socket.write_now(message):
                client.sent += 1
                client.overflow_streak = 0
                written += 1
            else:
                self.send(client, message)
        self.stats.messages_sent += written
        return count

    def send(self, client: Client, message: Outgoing) -> None:
        """Queue a message for one client (a reply); a laggard is disconnected."""
        if client.closing:
            return
        replaced, dropped = client.offer(message)
        self.stats.conflated += replaced
        self.stats.dropped += dropped
        if client.overflow_streak >= self.lag_limit:
            self._kick(client, "client too slow: its queue kept overflowing")

    def _kick(self, client: Client, reason: str) -> None:
        if client.closing:
            return
        _log.info("feed client %d disconnected: %s", client.id, reason)
        self.stats.disconnected_laggards += 1
        self._spawn(self.disconnect(client, code=CLOSE_POLICY, reason=reason))

    def _spawn(self, coroutine: object) -> None:
        task = asyncio.ensure_future(coroutine)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _write(self, client: Client, initial: list[Outgoing]) -> None:
        try:
            if initial:
                await self._send(client, initial)
            while (batch := await client.next_batch()) is not None:
                await self._send(client, batch)
        except TimeoutError:
            self._kick(client, "client too slow: a send did not complete in time")
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the peer went away mid-send: the reader ends it
            _log.debug("feed client %d: send failed: %s", client.id, error)
            self._spawn(self.disconnect(client, code=CLOSE_GOING_AWAY, reason="send failed"))

    async def _send(self, client: Client, batch: list[Outgoing]) -> None:
        async with asyncio.timeout(self.send_timeout):
            await client.socket.send(batch)
        client.sent += len(batch)
        self.stats.messages_sent += len(batch)

    async def disconnect(
        self, client: Client, *, code: int = CLOSE_GOING_AWAY, reason: str = ""
    ) -> None:
        """Stop the client's writer, close its socket (abort if that hangs), forget it.

        Safe to call more than once and from the client's own reader.
        """
        first = not client.closing
        client.closing = True
        client.wake()
        if client.close_code is None:
            client.close_code = code
        writer = client.writer
        if writer is not None and writer is not asyncio.current_task():
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
        if self._clients.pop(client.id, None) is not None:
            self.stats.clients = len(self._clients)
        if not first:
            return
        client.queue.clear()
        try:
            async with asyncio.timeout(self.close_timeout):
                await client.socket.close(code=code, message=reason.encode("utf-8")[:120])
        except Exception:  # includes TimeoutError: the peer does not read; drop it
            client.socket.abort()

    async def close(self) -> None:
        """Shutdown: every client is closed with 1001 (going away); nothing is left running."""
        self._closed = True
        await asyncio.gather(
            *(
                self.disconnect(c, code=CLOSE_GOING_AWAY, reason="server shutting down")
                for c in self.clients
            ),
            return_exceptions=True,
        )
        # Only unfinished tasks: gathering finished ones completes without yielding, so one
        # whose done-callback (the discard) is still queued would keep this loop spinning.
        while pending := [task for task in self._tasks if not task.done()]:
            await asyncio.gather(*pending, return_exceptions=True)
