"""Slow clients, connection churn and shutdown: nothing delays others, nothing leaks."""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import replace

import aiohttp
import pytest
import websockets

from app.feed.broadcast import CLOSE_GOING_AWAY, CLOSE_POLICY, Outgoing
from app.feed.server import FeedServer
from tests.integration.feed.conftest import LOCAL, WAIT, FeedRig, MakeRig, receive_json

QUEUE = 8
LAG = 8


async def stalled_client(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A WebSocket client that completes the handshake and then never reads again."""
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.setblocking(False)
    await asyncio.get_running_loop().sock_connect(raw, ("127.0.0.1", port))
    reader, writer = await asyncio.open_connection(sock=raw)
    writer.write(
        (
            "GET /ws/monitor HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    async with asyncio.timeout(WAIT):
        head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101")
    return reader, writer


def feed_tasks() -> list[str]:
    return sorted(t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("feed-"))


async def wait_clients(rig: FeedRig, count: int) -> None:
    async with asyncio.timeout(WAIT):
        while rig.server.client_count != count:
            await asyncio.sleep(0.01)


async def test_a_client_that_never_reads_is_dropped_without_hurting_others(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(
        start_monitor=False, heartbeat_interval=3600, queue_size=QUEUE, lag_limit=LAG
    )
    hub = rig.server.hub
    assert hub is not None
    _, stalled_writer = await stalled_client(rig.server.port or 0)
    await wait_clients(rig, 1)
    (stalled,) = hub.clients
    received: list[int] = []
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor", max_msg_size=0) as good:
        for _ in range(3):
            await receive_json(good)
        await wait_clients(rig, 2)
        pad = "p" * 65536
        longest = 0
        for seq in range(3000):
            bulk = json.dumps({"type": "bulk", "seq": seq, "pad": pad}).encode()
            hub.publish(Outgoing(bulk, "bulk"))
            longest = max(longest, len(stalled.queue))
            message = await receive_json(good)
            received.append(message["seq"])
            if rig.server.context.stats.disconnected_laggards:
                break
        else:
            pytest.fail("the stalled client was never disconnected")
        await wait_clients(rig, 1)
        # The good client keeps receiving after the laggard is gone.
        hub.publish(Outgoing(b'{"type": "bulk", "seq": -1}', "bulk"))
        assert (await receive_json(good))["seq"] == -1
    stalled_writer.close()

    stats = rig.server.context.stats
    assert received == list(range(len(received)))  # nothing lost or reordered for it
    assert longest <= QUEUE  # memory per client stays bounded
    assert stalled.dropped >= LAG
    assert stats.dropped == stalled.dropped
    assert stats.disconnected_laggards == 1
    assert stalled.close_code == CLOSE_POLICY
    assert feed_tasks() == ["feed-freshness", "feed-heartbeat", "feed-publisher"]


async def read_frame(reader: asyncio.StreamReader) -> bytes:
    """One unmasked server frame's payload (the stalled client reads frames by hand)."""
    head = await reader.readexactly(2)
    length = head[1] & 0x7F
    if length == 126:
        length = int.from_bytes(await reader.readexactly(2), "big")
    elif length == 127:
        length = int.from_bytes(await reader.readexactly(8), "big")
    return await reader.readexactly(length)


async def test_a_slow_reader_gets_the_newest_state_not_a_backlog(make_rig: MakeRig) -> None:
    rig = await make_rig(start_monitor=False, heartbeat_interval=3600)
    hub = rig.server.hub
    assert hub is not None
    reader, writer = await stalled_client(rig.server.port or 0)
    await wait_clients(rig, 1)
    (slow,) = hub.clients
    pad = "p" * 65536
    total = 300
    longest = 0
    for seq in range(total):  # one router's state, again and again, faster than it reads
        body = json.dumps({"type": "router_data", "router": "sim", "seq": seq, "pad": pad})
        hub.publish(Outgoing(body.encode(), "router_data", "sim", frozenset({"online_total"})))
        longest = max(longest, len(slow.queue))
        await asyncio.sleep(0)
    assert longest <= 1  # never a backlog: the queued state is replaced by the newer one
    assert slow.conflated > 0
    seqs: list[int] = []
    async with asyncio.timeout(WAIT):
        while total - 1 not in seqs:
            message = json.loads(await read_frame(reader))
            if "seq" in message:
                seqs.append(message["seq"])
    assert seqs == sorted(set(seqs))  # in order, nothing twice: never back in time
    assert len(seqs) < total  # what it could not read in time was replaced, not queued
    assert rig.server.context.stats.conflated == slow.conflated == total - len(seqs)
    assert rig.server.context.stats.disconnected_laggards == 0
    writer.close()


async def cycle_aiohttp(rig: FeedRig, count: int) -> None:
    for _ in range(count):
        async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
            assert (await receive_json(ws))["type"] == "welcome"


async def cycle_abrupt(rig: FeedRig, count: int) -> None:
    """Clients that vanish without a close handshake (the TCP connection is just cut)."""
    for _ in range(count):
        websocket = await websockets.connect(rig.ws_url + "/ws/router")
        assert '"welcome"' in await websocket.recv()
        websocket.transport.abort()
        await websocket.wait_closed()


async def test_500_connect_disconnect_cycles_leak_nothing(make_rig: MakeRig) -> None:
    rig = await make_rig(heartbeat_interval=0.05)
    await rig.collected("sim", ("online_total",))
    await cycle_aiohttp(rig, 5)
    await wait_clients(rig, 0)
    await asyncio.sleep(0.1)
    subscriptions = rig.monitor.bus.statistics().subscribers
    tasks_before = len(asyncio.all_tasks())

    await asyncio.gather(cycle_aiohttp(rig, 250), cycle_aiohttp(rig, 200), cycle_abrupt(rig, 50))

    await wait_clients(rig, 0)
    stats = rig.server.context.stats
    assert stats.connections == 505
    assert rig.server.hub is not None
    assert rig.server.hub.clients == []
    assert rig.monitor.bus.statistics().subscribers == subscriptions
    async with asyncio.timeout(WAIT):  # aiohttp's per-connection tasks end a little later
        while len(asyncio.all_tasks()) > tasks_before:
            await asyncio.sleep(0.02)
    assert feed_tasks() == ["feed-freshness", "feed-heartbeat", "feed-publisher"]
    assert stats.disconnected_laggards == 0


async def read_until_closed(ws: aiohttp.ClientWebSocketResponse) -> None:
    """Read like a live client does (it answers the server's close while reading)."""
    while (await ws.receive()).type not in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
        pass


async def test_stop_closes_every_client_and_leaves_nothing_running(make_rig: MakeRig) -> None:
    rig = await make_rig()
    await rig.collected("sim", ("online_total",))
    subscriptions = rig.monitor.bus.statistics().subscribers
    port = rig.server.port
    first = await rig.http.ws_connect(rig.ws_url + "/ws/monitor")
    second = await rig.http.ws_connect(rig.ws_url + "/ws/router?router=sim")
    third = await websockets.connect(rig.ws_url + "/ws/monitor")
    await wait_clients(rig, 3)
    readers = [asyncio.create_task(read_until_closed(ws)) for ws in (first, second)]

    await rig.server.stop()

    async with asyncio.timeout(WAIT):
        await asyncio.gather(*readers)
    assert [ws.close_code for ws in (first, second)] == [CLOSE_GOING_AWAY] * 2
    async with asyncio.timeout(WAIT):
        await third.wait_closed()
    assert third.close_code == CLOSE_GOING_AWAY
    assert feed_tasks() == []
    assert rig.monitor.bus.statistics().subscribers == subscriptions - 1
    assert rig.server.client_count == 0
    assert rig.server.running is False
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)
    await rig.server.stop()  # idempotent


async def test_a_port_in_use_fails_start_cleanly(make_rig: MakeRig) -> None:
    rig = await make_rig(start_monitor=False)
    subscriptions = rig.monitor.bus.statistics().subscribers
    taken = replace(LOCAL, port=rig.server.port or 0)
    second = FeedServer(rig.monitor, taken, console=None, version="x")
    with pytest.raises(OSError, match="address already in use"):
        await second.start()
    assert second.running is False
    assert second.port is None
    assert rig.monitor.bus.statistics().subscribers == subscriptions
    # Only the first server's tasks run.
    assert feed_tasks() == ["feed-freshness", "feed-heartbeat", "feed-publisher"]
    await second.stop()
    status, _ = await rig.get("/api/online_total")
    assert status == 200
