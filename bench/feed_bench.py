"""Benchmark the HTTP/WebSocket feed: a connection storm of up to 1000 clients, the delay
from publish to receipt, the server's CPU, and a side-by-side with the seed's design.

Run from the repository root (the `bench` extra installs FastAPI and uvicorn):

    .venv/bin/python bench/feed_bench.py --clients 1000            # live, 60 s
    .venv/bin/python bench/feed_bench.py --minutes 10              # the 10-minute RSS figure
    .venv/bin/python bench/feed_bench.py --compare 50,200,1000     # side by side
    .venv/bin/python bench/feed_bench.py --smoke                   # both, tiny (CI)

**Live** (default). Every part in its own process, so each figure belongs to the process it
describes:

* **simulators**: 20 simulated NE8000s (SSH on loopback), sized like `serve --demo`;
* **server**: what `ne8000monitor serve` runs -- `start_runtime` (engine, Monitor, SQLite
  history) with every data set polled every second, and the feed on a free port;
* **clients**: N WebSocket clients on `/ws/monitor` (the lean client of `bench/ws_client.py`,
  or aiohttp's with `--client-kind aiohttp`), spread over several client
  processes (about 250 each), which all connect at the same moment (a storm, like a wall of
  screens after a power cut); plus one deliberately stalled client: a raw socket that
  completes the handshake and never reads again.

Figures: how long the storm took until every client had its `welcome` (target: all 1000
within 10 s), the delay publish -> receipt of every `router_data` (receipt clock minus the
message's own `epoch`, set when the server built it; same machine, same clock; target p99
under 50 ms on a quiet machine), the server's CPU per update without clients and with
them, what happened to the stalled client, and the server's RSS over the run.

**Side by side** (`--compare`). The messages of `serve --demo --demo-routers 5` are
captured for a few seconds, then replayed at the same rate, with a fresh `epoch`, by two
servers in turn, each in its own process with the same client processes:

* **project**: the project's own feed (`FeedServer`: aiohttp, the hub with per-client
  conflating queues, each message encoded once);
* **fastapi**: the seed's design -- FastAPI on uvicorn, a connection manager that
  `send_json`s each message to each client in turn.

For each client count both servers' p50/p99 and server CPU per client-message (server CPU
beyond its no-client baseline, divided by the messages the clients received).

The machine is shared: quote figures with the load average (printed) and take the final
ones on a quiet machine. Exit status: 0 when the live targets are met (p99, all connected
within 10 s, nobody dropped; RSS for runs of 10 minutes or more); `--smoke` and
`--compare` exit 0 when they ran.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import children  # noqa: E402  (the bench package, found through ROOT)

warnings.filterwarnings("ignore", module=r"asyncssh\.crypto(\.|$)")  # as the app does

ROUTERS = 20
CLIENTS = 200
CLIENTS_PER_PROCESS = 250
CLIENT_KINDS = ("lean", "aiohttp")
POLL_SECONDS = 1.0
DEFAULT_SECONDS = 60.0
BASELINE_SECONDS = 15.0
WARMUP_SECONDS = 5.0  # after every router answered once, before anything is measured
SETTLE_SECONDS = 2.0  # after the storm, before measuring: every initial picture is sent
P99_TARGET = 0.050
CONNECT_TARGET = 10.0
RSS_GROWTH_TARGET = 20 * 1024 * 1024
STALLED_RCVBUF = 4096  # the stalled client's receive buffer: fills after a few messages
BUCKET = 0.0001  # delay histogram resolution: 0.1 ms
MAX_DELAY = 10.0  # longer delays land in the last bucket (the true maximum is kept apart)
ROUTER_DATA = b'"type":"router_data"'
ROUTER_DATA_SPACED = b'"type": "router_data"'  # json.dumps (the FastAPI server)
EPOCH = re.compile(rb'"epoch":\s*([0-9.eE+-]+)')
COMPARE_DEMO_ROUTERS = 5
CAPTURE_SECONDS = 12.0
COMPARE_SECONDS = 20.0
COMPARE_BASELINE_SECONDS = 4.0


# ----- child processes ------------------------------------------------------------------------


class Child(children.Child):
    """A role of this script in its own process (see bench/children.py)."""

    def __init__(self, *args: str) -> None:
        super().__init__(__file__, *args)


async def _stdin_lines() -> asyncio.Queue[str | None]:
    """Lines the driver writes to this child (None once it closes stdin)."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def pump() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line.strip())
        loop.call_soon_threadsafe(queue.put_nowait, None)

    loop.run_in_executor(None, pump)
    return queue


async def _until(queue: asyncio.Queue[str | None], wanted: str | None) -> None:
    while (line := await queue.get()) != wanted:
        if line is None:
            raise SystemExit(0)  # the driver went away


def _say(value: Any) -> None:
    print(json.dumps(value), flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ----- role: simulators -----------------------------------------------------------------------


async def run_simulators(count: int) -> None:
    from app.bootstrap import DEMO_SUBSCRIBERS
    from app.simulator.server import start_simulator

    logging.disable(logging.WARNING)  # clients vanishing mid-write at shutdown
    handles = [
        await start_simulator(
            host="127.0.0.1",
            port=0,
            hostname=f"NE8000-BRAS-{index + 1:02d}",
            users=DEMO_SUBSCRIBERS[index % len(DEMO_SUBSCRIBERS)],
            seed=index + 1,
        )
        for index in range(count)
    ]
    _say({"ports": [h.port for h in handles], "password": handles[0].password})
    await _until(await _stdin_lines(), None)
    await asyncio.gather(*(handle.close() for handle in handles))


# ----- role: server (live) --------------------------------------------------------------------


async def run_server(ports: list[int], password: str, poll: float, data_dir: Path) -> None:
    """`serve` without its embedded simulators: settings -> start_runtime -> feed."""
    from app.bootstrap import DEMO_MONITORED, AppPaths, start_runtime
    from app.domain.router import RouterProfile
    from app.engine.settings import FeedSettings, Intervals, Settings
    from app.transport.credentials import MemorySecretStore

    logging.disable(logging.WARNING)  # first-contact host-key notices, one per router
    secrets = MemorySecretStore()
    routers = {}
    for index, port in enumerate(ports):
        name = f"bras-{index + 1:02d}"
        routers[name] = RouterProfile(
            name=name, host="127.0.0.1", port=port, monitored=DEMO_MONITORED
        )
        secrets.set_password(name, password)
    settings = Settings(
        routers=routers,
        intervals=Intervals(interfaces=poll, pppoe=poll, system=poll, traffic=poll),
        feed=FeedSettings(enabled=True, host="127.0.0.1", port=0),
    )
    runtime = await start_runtime(
        paths=AppPaths(data_dir / "config", data_dir / "data"),
        settings=settings,
        demo=False,
        secrets=secrets,
    )
    try:
        assert runtime.feed is not None
        await runtime.feed.start()
        _say({"url": runtime.feed.url})
        await _until(await _stdin_lines(), None)
    finally:
        await runtime.close()


# ----- role: replay servers (side by side) ---------------------------------------------------


@dataclass(frozen=True)
class Captured:
    """One captured `router_data` message: its text and what it is about."""

    text: bytes
    router: str
    sections: frozenset[str]


def load_capture(path: Path) -> list[Captured]:
    captured = []
    for line in path.read_bytes().splitlines():
        message = json.loads(line)
        captured.append(Captured(line, message["router"], frozenset(message["data"])))
    return captured


def restamp(text: bytes, now: float) -> bytes:
    """The message with `epoch` set to `now` (the moment it is published)."""
    return EPOCH.sub(f'"epoch":{now!r}'.encode(), text, count=1)


async def replay(publish: Any, captured: list[Captured], rate: float) -> None:
    """Publish the captured messages round and round at `rate` per second."""
    interval = 1.0 / rate
    start = time.monotonic()
    sent = 0
    while True:
        await publish(captured[sent % len(captured)])
        sent += 1
        delay = start + sent * interval - time.monotonic()
        await asyncio.sleep(max(0.0, delay))


async def run_replay_project(capture: Path, rate: float, data_dir: Path) -> None:
    """The project's own feed server (aiohttp, the hub) broadcasting the captured messages."""
    from app.bootstrap import AppPaths, build_engine
    from app.engine.monitor import build_monitor
    from app.engine.settings import FeedSettings
    from app.feed.broadcast import Outgoing
    from app.feed.server import FeedServer
    from app.transport.credentials import MemorySecretStore

    logging.disable(logging.WARNING)
    captured = load_capture(capture)
    engine = build_engine(
        AppPaths(data_dir / "config", data_dir / "data"), profiles={}, secrets=MemorySecretStore()
    )
    monitor = build_monitor(engine.pools, engine.workflow, engine.interfaces)
    server = FeedServer(
        monitor, FeedSettings(host="127.0.0.1", port=0), console=None, version="bench"
    )
    await server.start()
    hub = server.hub
    assert hub is not None

    async def publish(message: Captured) -> None:
        data = restamp(message.text, time.time())
        hub.publish(Outgoing(data, "router_data", message.router, message.sections))
        await asyncio.sleep(0)  # as the project's publisher does between messages

    lines = await _stdin_lines()
    _say({"url": server.url})
    await _until(lines, "go")
    task = asyncio.create_task(replay(publish, captured, rate))
    await _until(lines, None)
    task.cancel()
    await server.stop()
    await engine.close()


async def run_replay_fastapi(capture: Path, rate: float) -> None:
    """The seed's design: FastAPI on uvicorn, a manager that `send_json`s to each client."""
    import uvicorn
    from fastapi import FastAPI, WebSocket, WebSocketDisconnect

    logging.disable(logging.WARNING)
    captured = load_capture(capture)
    messages = [json.loads(message.text) for message in captured]

    class ConnectionManager:
        def __init__(self) -> None:
            self.active: list[WebSocket] = []

        async def connect(self, websocket: WebSocket) -> None:
            await websocket.accept()
            self.active.append(websocket)
            await websocket.send_json({"type": "welcome", "timestamp": time.time()})

        def disconnect(self, websocket: WebSocket) -> None:
            if websocket in self.active:
                self.active.remove(websocket)

        async def broadcast(self, message: dict[str, Any]) -> None:
            for connection in list(self.active):
                try:
                    await connection.send_json(message)
                except Exception:
                    self.disconnect(connection)

    manager = ConnectionManager()
    app = FastAPI()

    async def monitor(websocket: WebSocket) -> None:
        await manager.connect(websocket)
        try:
            while True:
                if await websocket.receive_text() == "ping":
                    await websocket.send_json({"type": "pong"})
        except WebSocketDisconnect:
            manager.disconnect(websocket)

    # FastAPI reads the parameter's type from the annotation; this module's annotations are
    # strings (PEP 563) naming a class imported here, so hand it the class itself.
    monitor.__annotations__ = {"websocket": WebSocket, "return": None}
    app.websocket("/ws/monitor")(monitor)

    sent = 0

    async def publish(message: Captured) -> None:
        nonlocal sent
        body = dict(messages[sent % len(messages)])
        sent += 1
        body["epoch"] = time.time()
        await manager.broadcast(body)

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    lines = await _stdin_lines()
    _say({"url": f"http://127.0.0.1:{port}"})
    await _until(lines, "go")
    task = asyncio.create_task(replay(publish, captured, rate))
    await _until(lines, None)
    task.cancel()
    server.should_exit = True
    await serving


# ----- role: clients --------------------------------------------------------------------------


@dataclass
class Histogram:
    """Delays in 0.1 ms buckets: fixed memory however long the run."""

    counts: array = field(default_factory=lambda: array("L", [0] * int(MAX_DELAY / BUCKET + 1)))
    total: int = 0
    maximum: float = 0.0
    negative: int = 0  # clock oddities (would mean the delay is below the clock's resolution)

    def add(self, delay: float) -> None:
        if delay < 0:
            self.negative += 1
            delay = 0.0
        index = min(int(delay / BUCKET), len(self.counts) - 1)
        self.counts[index] += 1
        self.total += 1
        self.maximum = max(self.maximum, delay)

    def percentile(self, share: float) -> float | None:
        if not self.total:
            return None
        wanted = share * self.total
        seen = 0
        for index, count in enumerate(self.counts):
            seen += count
            if seen >= wanted:
                return (index + 1) * BUCKET
        return self.maximum

    def summary(self) -> dict[str, Any]:
        return {
            "messages": self.total,
            "p50": self.percentile(0.50),
            "p99": self.percentile(0.99),
            "max": self.maximum if self.total else None,
            "negative": self.negative,
        }

    def to_json(self) -> dict[str, Any]:
        sparse = {str(i): c for i, c in enumerate(self.counts) if c}
        return {"sparse": sparse, "max": self.maximum, "negative": self.negative}

    @classmethod
    def merged(cls, parts: Sequence[dict[str, Any]]) -> Histogram:
        merged = cls()
        for part in parts:
            for index, count in part["sparse"].items():
                merged.counts[int(index)] += count
                merged.total += count
            merged.maximum = max(merged.maximum, part["max"])
            merged.negative += part["negative"]
        return merged


def open_stalled_client(host: str, port: int) -> socket.socket:
    """Handshake as a WebSocket client, then never read: the server's sends pile up."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, STALLED_RCVBUF)
    sock.connect((host, port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws/monitor HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(1)  # byte by byte: leave every WebSocket frame unread
        if not chunk:
            raise RuntimeError("the server closed the stalled client's handshake")
        answer += chunk
    if not answer.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(f"stalled client not upgraded: {answer[:80]!r}")
    return sock


def delay_of(data: bytes, now: float) -> float | None:
    """Receipt clock minus the `epoch` of a `router_data` message (None for others)."""
    head = data[:160]
    if ROUTER_DATA not in head and ROUTER_DATA_SPACED not in head:
        return None
    match = EPOCH.search(data, 0, 400)
    return None if match is None else now - float(match.group(1))


async def run_clients(url: str, count: int, seconds: float, stalled: bool, kind: str) -> None:
    """`count` clients (`kind`: the lean client of bench/ws_client.py or aiohttp's); the
    driver says when to connect ("connect"), when to measure ("go") and when the stalled
    client was counted out ("stall-closed")."""
    import aiohttp

    from bench import ws_client

    ws_url = url.replace("http://", "ws://") + "/ws/monitor"
    host, port = url.removeprefix("http://").rsplit(":", 1)
    lines = await _stdin_lines()
    _say({"ready": True})
    await _until(lines, "connect")
    measuring = False
    stalled_open = True  # until the driver says the stalled client (in any process) is gone
    during, after = Histogram(), Histogram()
    received = [0] * count
    welcomed = [False] * count
    connect_times: list[float] = []
    closed_early: list[int] = []
    failed: list[str] = []
    all_connected = asyncio.Event()
    storm = time.monotonic()

    def on_text(index: int, data: bytes, now: float, started: float) -> None:
        if not welcomed[index]:
            welcomed[index] = True
            connect_times.append(time.monotonic() - started)
            if len(connect_times) == count:
                all_connected.set()
        received[index] += 1
        if measuring:
            delay = delay_of(data, now)
            if delay is not None:
                (during if stalled_open else after).add(delay)

    def on_failure(error: Exception) -> None:  # a failed connect is a result, not a crash
        failed.append(type(error).__name__)
        if len(connect_times) + len(failed) == count:
            all_connected.set()

    async def aiohttp_client(index: int, session: aiohttp.ClientSession) -> None:
        started = time.monotonic()
        try:
            async with session.ws_connect(ws_url, max_msg_size=0, timeout=60) as ws:
                async for frame in ws:
                    if frame.type is aiohttp.WSMsgType.TEXT:
                        on_text(index, frame.data.encode(), time.time(), started)
        except Exception as error:
            on_failure(error)
            return
        closed_early.append(index)

    async def lean_client(index: int, session: aiohttp.ClientSession) -> None:
        started = time.monotonic()

        def on_message(opcode: int, payload: bytes, now: float) -> None:
            if opcode == ws_client.OP_TEXT:
                on_text(index, payload, now, started)

        client = None
        try:
            client = await ws_client.connect(
                host, int(port), "/ws/monitor", on_message, timeout=60
            )
            await client.closed
        except asyncio.CancelledError:
            if client is not None:
                client.close()
            raise
        except Exception as error:
            on_failure(error)
            return
        closed_early.append(index)

    client = lean_client if kind == "lean" else aiohttp_client
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [asyncio.create_task(client(index, session)) for index in range(count)]
        try:
            async with asyncio.timeout(120):
                await all_connected.wait()
        except TimeoutError:
            pass
        connected_after = time.monotonic() - storm
        stall = open_stalled_client(host, int(port)) if stalled else None
        times = sorted(connect_times)
        _say(
            {
                "connected": len(connect_times),
                "failed": failed[:5],
                "failures": len(failed),
                "all_connected_after": connected_after if len(times) == count else None,
                "connect_p50": times[len(times) // 2] if times else None,
                "connect_p99": times[min(len(times) - 1, int(len(times) * 0.99))]
                if times
                else None,
                "connect_max": times[-1] if times else None,
            }
        )
        await _until(lines, "go")
        measuring = True
        finished = asyncio.create_task(asyncio.sleep(seconds))
        while not finished.done():
            waiting = asyncio.create_task(lines.get())
            done, _ = await asyncio.wait({finished, waiting}, return_when=asyncio.FIRST_COMPLETED)
            if waiting in done and waiting.result() == "stall-closed":
                stalled_open = False
            elif waiting not in done:
                waiting.cancel()
        measuring = False
        counts = sorted(received)
        _say(
            {
                "connected": count - len(closed_early) - len(failed),
                "closed_early": len(closed_early),
                "during_stall": during.to_json(),
                "after_stall": after.to_json(),
                "messages_per_client": {
                    "min": counts[0],
                    "median": counts[len(counts) // 2],
                    "max": counts[-1],
                },
            }
        )
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if stall is not None:
            stall.close()


# ----- the driver: helpers --------------------------------------------------------------------


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.load(answer)


def wait_for_routers(url: str, count: int, timeout: float = 180.0) -> None:
    """Until every router is connected and has been polled in all four data sets."""
    deadline = time.monotonic() + timeout
    ready: list[Any] = []
    while time.monotonic() < deadline:
        routers = get_json(url + "/api/router_status")["routers"]
        ready = [r for r in routers if r["reachable"] and len(r["last_poll_seconds"]) == 4]
        if len(ready) == count:
            return
        time.sleep(0.5)
    raise RuntimeError(f"only {len(ready)} of {count} routers came up")


@dataclass
class Window:
    """Server CPU and feed counters over an interval."""

    cpu: float
    broadcasts: int
    messages_sent: int
    seconds: float

    @property
    def cpu_per_update(self) -> float | None:
        return self.cpu / self.broadcasts if self.broadcasts else None


def measure(server: Child, url: str, start: tuple[float, dict[str, Any], float]) -> Window:
    cpu0, stats0, t0 = start
    stats = get_json(url + "/api/websocket_stats")["data"]
    return Window(
        cpu=server.cpu_seconds() - cpu0,
        broadcasts=stats["broadcasts"] - stats0["broadcasts"],
        messages_sent=stats["messages_sent"] - stats0["messages_sent"],
        seconds=time.monotonic() - t0,
    )


def mark(server: Child, url: str) -> tuple[float, dict[str, Any], float]:
    return server.cpu_seconds(), get_json(url + "/api/websocket_stats")["data"], time.monotonic()


@dataclass
class ClientFleet:
    """Client processes that connect together, measure together and report together."""

    processes: list[Child]
    connects: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        url: str,
        clients: int,
        seconds: float,
        *,
        stalled: bool,
        per_process: int,
        kind: str,
    ) -> ClientFleet:
        parts = max(1, math.ceil(clients / per_process))
        sizes = [clients // parts + (1 if i < clients % parts else 0) for i in range(parts)]
        processes = []
        for index, size in enumerate(sizes):
            args = ["--role", "clients", "--url", url, "--clients", str(size)]
            args += ["--seconds", str(seconds), "--client-kind", kind]
            if stalled and index == 0:
                args.append("--stalled")
            processes.append(Child(*args))
        for process in processes:
            process.read()  # ready: imported and listening for the word
        return cls(processes)

    def connect(self) -> dict[str, Any]:
        """The storm: every process connects all of its clients at once."""
        for process in self.processes:
            process.tell("connect")
        self.connects = [process.read() for process in self.processes]
        connected = sum(c["connected"] for c in self.connects)
        afters = [c["all_connected_after"] for c in self.connects]
        return {
            "connected": connected,
            "failures": sum(c["failures"] for c in self.connects),
            "errors": sorted({e for c in self.connects for e in c["failed"]}),
            "all_connected_after": None if None in afters else max(afters),
            "p99": max((c["connect_p99"] or 0) for c in self.connects),
            "max": max((c["connect_max"] or 0) for c in self.connects),
        }

    def go(self) -> None:
        for process in self.processes:
            process.tell("go")

    def tell(self, line: str) -> None:
        for process in self.processes:
            process.tell(line)

    def results(self) -> dict[str, Any]:
        parts = [process.read() for process in self.processes]
        during = Histogram.merged([p["during_stall"] for p in parts])
        after = Histogram.merged([p["after_stall"] for p in parts])
        overall = Histogram.merged(
            [p["during_stall"] for p in parts] + [p["after_stall"] for p in parts]
        )
        per = [p["messages_per_client"] for p in parts]
        return {
            "connected": sum(p["connected"] for p in parts),
            "closed_early": sum(p["closed_early"] for p in parts),
            "during_stall": during.summary(),
            "after_stall": after.summary(),
            "overall": overall.summary(),
            "messages_per_client": {
                "min": min(x["min"] for x in per),
                "median": sorted(x["median"] for x in per)[len(per) // 2],
                "max": max(x["max"] for x in per),
            },
        }

    def cpu_seconds(self) -> float:
        return sum(process.cpu_seconds() for process in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 1000:.1f} ms"


def _s(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def _mb(value: float) -> str:
    return f"{value / 1024 / 1024:.1f} MB"


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


# ----- the driver: live -----------------------------------------------------------------------


def drive(
    routers: int,
    clients: int,
    poll: float,
    seconds: float,
    *,
    per_process: int,
    baseline: float,
    kind: str,
) -> int:
    with tempfile.TemporaryDirectory() as folder:
        simulators = Child("--role", "simulators", "--routers", str(routers))
        server: Child | None = None
        fleet: ClientFleet | None = None
        try:
            started = simulators.read()
            server = Child(
                "--role",
                "server",
                "--ports",
                json.dumps(started["ports"]),
                "--password",
                started["password"],
                "--poll",
                str(poll),
                "--data",
                folder,
            )
            url = server.read()["url"]
            print(f"server {url}: waiting for {routers} routers to be polled once ...", flush=True)
            wait_for_routers(url, routers)
            time.sleep(WARMUP_SECONDS)
            start = mark(server, url)
            time.sleep(baseline)
            no_clients = measure(server, url, start)
            print(f"baseline done; {clients} clients + 1 stalled connect at once ...", flush=True)
            fleet = ClientFleet.start(
                url, clients, seconds, stalled=True, per_process=per_process, kind=kind
            )
            storm_start = mark(server, url)
            connect = fleet.connect()
            storm = measure(server, url, storm_start)
            time.sleep(SETTLE_SECONDS)
            rss_start = server.rss_bytes()
            start = mark(server, url)
            others_start = (simulators.cpu_seconds(), fleet.cpu_seconds())
            load_start = os.getloadavg()[0]
            fleet.go()
            rss_samples = [rss_start]
            laggards_at = None
            t0 = time.monotonic()
            while time.monotonic() - t0 < seconds:
                time.sleep(1.0)
                stats = get_json(url + "/api/websocket_stats")["data"]
                if laggards_at is None and stats["disconnected_laggards"] > 0:
                    laggards_at = time.monotonic() - t0
                    fleet.tell("stall-closed")
                rss_samples.append(server.rss_bytes())
            result = fleet.results()
            loaded = measure(server, url, start)
            others = (
                simulators.cpu_seconds() - others_start[0],
                fleet.cpu_seconds() - others_start[1],
            )
            load_end = os.getloadavg()[0]
            rss_end = server.rss_bytes()
            final_stats = get_json(url + "/api/websocket_stats")["data"]
        finally:
            if fleet is not None:
                fleet.stop()
            for child in (server, simulators):
                if child is not None:
                    child.stop()

    report(
        kind=kind,
        routers=routers,
        clients=clients,
        processes=len(fleet.processes),
        poll=poll,
        seconds=seconds,
        baseline=no_clients,
        storm=storm,
        connect=connect,
        loaded=loaded,
        result=result,
        stats=final_stats,
        laggards_at=laggards_at,
        rss=(rss_start, rss_end, rss_samples),
        others=others,
        load=(load_start, load_end),
    )
    p99 = result["overall"]["p99"]
    after = connect["all_connected_after"]
    ok = (
        p99 is not None
        and p99 < P99_TARGET
        and result["closed_early"] == 0
        and after is not None
        and after < CONNECT_TARGET
    )
    if seconds >= 600:
        ok = ok and rss_end - rss_start < RSS_GROWTH_TARGET
    return 0 if ok else 1


def report(
    *,
    kind: str,
    routers: int,
    clients: int,
    processes: int,
    poll: float,
    seconds: float,
    baseline: Window,
    storm: Window,
    connect: dict[str, Any],
    loaded: Window,
    result: dict[str, Any],
    stats: dict[str, Any],
    laggards_at: float | None,
    rss: tuple[int, int, list[int]],
    others: tuple[float, float],
    load: tuple[float, float],
) -> None:
    print()
    print(
        f"Feed benchmark: {routers} simulated routers, every data set polled every {poll:g} s; "
        f"{clients} {kind} WebSocket clients in {processes} processes + 1 stalled; "
        f"{seconds:g} s measured"
    )
    print(f"machine: {_load()} (at the end)")
    print()
    print(
        f"Connection storm: {connect['connected']} of {clients} got their welcome, all after "
        f"{_s(connect['all_connected_after'])} (target < {CONNECT_TARGET:g} s); per client "
        f"p99 {_s(connect['p99'])}, max {_s(connect['max'])}; failures {connect['failures']} "
        f"{connect['errors'] or ''}; server CPU meanwhile {storm.cpu:.2f} s"
    )
    print()
    print("Delay publish -> receipt of router_data (receipt clock - message epoch):")
    for label, key in (
        ("while the stalled client was connected", "during_stall"),
        ("after it was disconnected", "after_stall"),
        ("whole run", "overall"),
    ):
        part = result[key]
        print(
            f"  {label:40} {part['messages']:>9} msgs   p50 {_ms(part['p50']):>9}   "
            f"p99 {_ms(part['p99']):>9}   max {_ms(part['max']):>9}"
        )
    print(f"  target p99 < {P99_TARGET * 1000:.0f} ms (on a quiet machine)")
    print()
    print("Server CPU (utime+stime of the server process):")
    for label, window in (("no clients", baseline), (f"{clients} clients", loaded)):
        rate = window.broadcasts / window.seconds
        print(
            f"  {label:14} {window.cpu / window.seconds * 100:5.1f} % of one core; "
            f"{rate:5.1f} updates/s; {_ms(window.cpu_per_update)} CPU per update "
            f"({window.messages_sent / window.seconds:,.0f} frames/s sent)"
        )
    if baseline.cpu_per_update is not None and loaded.cpu_per_update is not None:
        extra = loaded.cpu_per_update - baseline.cpu_per_update
        print(
            f"  fan-out to {clients} clients: {_ms(extra)} per update "
            f"({extra / clients * 1e6:.0f} us per client per update)"
        )
    print(
        f"  meanwhile: simulators {others[0] / loaded.seconds * 100:.0f} %, clients "
        f"{others[1] / loaded.seconds * 100:.0f} % of one core; 1-min load average "
        f"{load[0]:.1f} -> {load[1]:.1f} (other work on the machine included)"
    )
    print()
    print("Stalled client (never reads after the handshake):")
    if laggards_at is None:
        print("  NOT disconnected by the server")
    else:
        print(
            f"  disconnected by the server as a laggard ~{laggards_at:.0f} s after it stopped "
            f"reading (laggards counted: {stats['disconnected_laggards']}; messages dropped "
            f"for slow clients: {stats['dropped']}; replaced by newer state: "
            f"{stats['conflated']})"
        )
    per = result["messages_per_client"]
    print(
        f"  other clients: {result['connected']} of {clients} still connected, "
        f"{result['closed_early']} dropped; messages per client min {per['min']} / median "
        f"{per['median']} / max {per['max']}"
    )
    print()
    rss_start, rss_end, samples = rss
    print(
        f"Server RSS: {_mb(rss_start)} when the clients started, {_mb(rss_end)} after "
        f"{seconds:g} s: growth {_mb(rss_end - rss_start)} (peak {_mb(max(samples))}); "
        f"target < {_mb(RSS_GROWTH_TARGET)} over 10 minutes"
    )
    # The shape matters as much as the end point: a plateau is a warm cache, a slope a leak.
    step = max(1, (len(samples) - 1) // 5)
    trail = ", ".join(f"{i}s {_mb(samples[i])}" for i in range(0, len(samples), step))
    print(f"  over time: {trail}")


# ----- the driver: side by side ---------------------------------------------------------------


def capture_demo(folder: Path, routers: int, seconds: float) -> tuple[Path, float, int]:
    """`router_data` messages of `serve --demo --demo-routers N`: (file, per second, bytes)."""
    env = dict(os.environ)
    env.update(
        XDG_CONFIG_HOME=str(folder / "config"),
        XDG_DATA_HOME=str(folder / "data"),
        XDG_STATE_HOME=str(folder / "state"),
        PYTHONPATH=str(ROOT),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    serve = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "serve",
            "--demo",
            "--demo-routers",
            str(routers),
            "--port",
            "0",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert serve.stderr is not None
        url = None
        for line in serve.stderr:
            if match := re.search(r"feed listening on (http://\S+)", line):
                url = match.group(1)
                break
        if url is None:
            raise RuntimeError(f"serve --demo exited with {serve.wait()}")
        messages, elapsed = asyncio.run(_capture(url, seconds))
    finally:
        serve.terminate()
        serve.wait(timeout=60)
    path = folder / "router_data.jsonl"
    path.write_bytes(b"\n".join(messages) + b"\n")
    size = sum(len(m) for m in messages) // max(1, len(messages))
    return path, len(messages) / elapsed, size


async def _capture(url: str, seconds: float) -> tuple[list[bytes], float]:
    import aiohttp

    messages: list[bytes] = []
    ws_url = url.replace("http://", "ws://") + "/ws/monitor"
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url) as ws:
        opened = time.monotonic()
        start = opened + 3.0  # past the initial picture and the first polls
        while (now := time.monotonic()) < start + seconds:
            try:
                frame = await asyncio.wait_for(ws.receive(), start + seconds - now)
            except TimeoutError:
                break
            if (
                now >= start
                and frame.type is aiohttp.WSMsgType.TEXT
                and '"router_data"' in frame.data[:40]
            ):
                messages.append(frame.data.encode())
    return messages, seconds


def run_side(
    kind: str,
    capture: Path,
    rate: float,
    clients: int,
    *,
    seconds: float,
    folder: Path,
    per_process: int,
    client_kind: str,
) -> dict[str, Any]:
    args = ["--role", f"replay-{kind}", "--capture", str(capture), "--rate", str(rate)]
    server = Child(*args, "--data", str(folder / kind))
    fleet = None
    try:
        url = server.read()["url"]
        server.tell("go")
        time.sleep(1.0)
        cpu0 = server.cpu_seconds()
        time.sleep(COMPARE_BASELINE_SECONDS)
        idle = (server.cpu_seconds() - cpu0) / COMPARE_BASELINE_SECONDS
        fleet = ClientFleet.start(
            url, clients, seconds, stalled=False, per_process=per_process, kind=client_kind
        )
        connect = fleet.connect()
        time.sleep(SETTLE_SECONDS)
        cpu0, t0 = server.cpu_seconds(), time.monotonic()
        fleet.go()
        result = fleet.results()
        cpu = server.cpu_seconds() - cpu0
        elapsed = time.monotonic() - t0
    finally:
        if fleet is not None:
            fleet.stop()
        server.stop()
    received = result["overall"]["messages"]
    fanout = max(0.0, cpu - idle * elapsed)
    return {
        "kind": kind,
        "clients": clients,
        "connected": connect["connected"],
        "all_connected_after": connect["all_connected_after"],
        "p50": result["overall"]["p50"],
        "p99": result["overall"]["p99"],
        "max": result["overall"]["max"],
        "messages": received,
        "cpu_percent": cpu / elapsed * 100,
        "cpu_per_message": fanout / received if received else None,
        "closed_early": result["closed_early"],
    }


def compare(
    counts: list[int], seconds: float, per_process: int, capture_seconds: float, client_kind: str
) -> int:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        print(
            f"capturing router_data of serve --demo --demo-routers {COMPARE_DEMO_ROUTERS} "
            f"for {capture_seconds:g} s ...",
            flush=True,
        )
        capture, rate, size = capture_demo(folder, COMPARE_DEMO_ROUTERS, capture_seconds)
        if rate <= 0:
            raise RuntimeError("serve --demo sent no router_data to capture")
        print(f"  {rate:.1f} messages/s of {size / 1024:.1f} KB on average; replaying ...")
        rows = []
        for clients in counts:
            for kind in ("project", "fastapi"):
                print(f"  {kind}: {clients} clients ...", flush=True)
                rows.append(
                    run_side(
                        kind,
                        capture,
                        rate,
                        clients,
                        seconds=seconds,
                        folder=folder,
                        per_process=per_process,
                        client_kind=client_kind,
                    )
                )
    print()
    print(
        f"Side by side: the same router_data messages ({size / 1024:.1f} KB, {rate:.1f}/s, "
        f"from serve --demo --demo-routers {COMPARE_DEMO_ROUTERS}) replayed to the same "
        f"client processes ({client_kind} clients), {seconds:g} s each"
    )
    print(f"machine: {_load()} (at the end)")
    print(
        f"  {'server':8} {'clients':>7} {'connected':>9} {'storm':>8} {'p50':>9} {'p99':>9} "
        f"{'max':>9} {'CPU':>7} {'CPU/client-msg':>15}"
    )
    for row in rows:
        per = row["cpu_per_message"]
        print(
            f"  {row['kind']:8} {row['clients']:>7} {row['connected']:>9} "
            f"{_s(row['all_connected_after']):>8} {_ms(row['p50']):>9} {_ms(row['p99']):>9} "
            f"{_ms(row['max']):>9} {row['cpu_percent']:6.1f}% "
            f"{'n/a' if per is None else f'{per * 1e6:.0f} us':>15}"
        )
    print(
        "  (CPU/client-msg: server CPU beyond its no-client baseline / messages received; "
        "storm: until every client had its welcome)"
    )
    return 0


# ----- entry ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routers", type=int, default=ROUTERS)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--poll", type=float, default=POLL_SECONDS, help="seconds between polls")
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="run length")
    parser.add_argument("--minutes", type=float, default=None, help="run length in minutes")
    parser.add_argument("--baseline", type=float, default=BASELINE_SECONDS, help="no-client s")
    parser.add_argument(
        "--per-process", type=int, default=CLIENTS_PER_PROCESS, help="clients per process"
    )
    parser.add_argument(
        "--compare", help="side by side with FastAPI/uvicorn at these client counts (50,200)"
    )
    parser.add_argument(
        "--client-kind",
        choices=CLIENT_KINDS,
        default=CLIENT_KINDS[0],
        help="the clients' WebSocket stack: the lean one of bench/ws_client.py, or aiohttp's",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny runs of both modes (CI)")
    roles = ("simulators", "server", "clients", "replay-project", "replay-fastapi")
    parser.add_argument("--role", choices=roles, help=argparse.SUPPRESS)
    parser.add_argument("--ports", help=argparse.SUPPRESS)
    parser.add_argument("--password", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--stalled", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--capture", help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    seconds = args.minutes * 60 if args.minutes is not None else args.seconds
    if args.role == "simulators":
        asyncio.run(run_simulators(args.routers))
        return 0
    if args.role == "server":
        asyncio.run(run_server(json.loads(args.ports), args.password, args.poll, Path(args.data)))
        return 0
    if args.role == "clients":
        asyncio.run(run_clients(args.url, args.clients, seconds, args.stalled, args.client_kind))
        return 0
    if args.role == "replay-project":
        asyncio.run(run_replay_project(Path(args.capture), args.rate, Path(args.data)))
        return 0
    if args.role == "replay-fastapi":
        asyncio.run(run_replay_fastapi(Path(args.capture), args.rate))
        return 0
    if args.smoke:
        # Figures printed, not judged; each client kind runs once so that neither rots.
        drive(3, 20, 1.0, 5.0, per_process=10, baseline=3.0, kind="lean")
        return compare([10], 4.0, per_process=5, capture_seconds=5.0, client_kind="aiohttp")
    if args.compare:
        counts = [int(part) for part in args.compare.split(",") if part.strip()]
        seconds = min(seconds, COMPARE_SECONDS)
        return compare(counts, seconds, args.per_process, CAPTURE_SECONDS, args.client_kind)
    return drive(
        args.routers,
        args.clients,
        args.poll,
        seconds,
        per_process=args.per_process,
        baseline=args.baseline,
        kind=args.client_kind,
    )


if __name__ == "__main__":
    sys.exit(main())
