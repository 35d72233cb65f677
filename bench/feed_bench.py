"""Benchmark the HTTP/WebSocket feed: 20 routers polled every second, 200 WebSocket clients.

Run from the repository root:

    /work/venv/bin/python bench/feed_bench.py                 # 60 s with clients
    /work/venv/bin/python bench/feed_bench.py --minutes 10    # the 10-minute RSS figure

Three processes, so each figure belongs to the process it describes:

* **simulators**: 20 simulated NE8000s (SSH on loopback), sized like `serve --demo`;
* **server**: what `ne8000monitor serve` runs -- `start_runtime` (engine, Monitor, SQLite
  history) with every data set polled every second, and the feed on a free port;
* **clients**: 200 aiohttp WebSocket clients on `/ws/monitor`, plus one deliberately stalled
  client: a raw socket that completes the WebSocket handshake and never reads again.

Figures:

* delay from publish to receipt of every `router_data` message: receipt clock minus the
  message's own `epoch` (set when the server built and serialized it; same machine, same
  clock), p50/p99/max, while the stalled client was still connected and after;
* server CPU time (utime+stime from /proc) per update (one `router_data` broadcast), without
  clients and with 200;
* what happened to the stalled client (disconnected by the server as a laggard, and when) and
  to the others (none dropped, messages per client);
* RSS of the server process when the clients start and at the end of the run.

Targets (issue): p99 under 50 ms with 200 clients on this 2-core machine; RSS growth under
20 MB over 10 minutes. Exit status 0 when both are met (RSS only judged for runs of 10
minutes or more), 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROUTERS = 20
CLIENTS = 200
POLL_SECONDS = 1.0
DEFAULT_SECONDS = 60.0
BASELINE_SECONDS = 15.0
WARMUP_SECONDS = 5.0  # after every router answered once, before anything is measured
P99_TARGET = 0.050
RSS_GROWTH_TARGET = 20 * 1024 * 1024
STALLED_RCVBUF = 4096  # the stalled client's receive buffer: fills after a few messages
BUCKET = 0.0001  # delay histogram resolution: 0.1 ms
MAX_DELAY = 10.0  # longer delays land in the last bucket (the true maximum is kept apart)
ROUTER_DATA_PREFIX = '{"type":"router_data"'


# ----- child processes ------------------------------------------------------------------------


class Child:
    """A role of this script in its own process; it prints one JSON line when ready."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )

    def read(self) -> Any:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.process.args[2:]} exited with {self.process.wait()}")
        return json.loads(line)

    def tell(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def cpu_seconds(self) -> float:
        """utime + stime of the child so far."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS line")

    def stop(self) -> None:
        """Closing stdin asks the child to shut down cleanly."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


async def _until_stdin_closes() -> None:
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


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
    print(
        json.dumps({"ports": [h.port for h in handles], "password": handles[0].password}),
        flush=True,
    )
    await _until_stdin_closes()
    await asyncio.gather(*(handle.close() for handle in handles))


# ----- role: server ---------------------------------------------------------------------------


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
        print(json.dumps({"url": runtime.feed.url}), flush=True)
        await _until_stdin_closes()
    finally:
        await runtime.close()


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


async def run_clients(url: str, count: int, seconds: float) -> None:
    import aiohttp

    ws_url = url.replace("http://", "ws://") + "/ws/monitor"
    host, port = url.removeprefix("http://").rsplit(":", 1)
    measuring = False
    stalled_open = True
    during, after = Histogram(), Histogram()
    received = [0] * count
    closed_early: list[int] = []
    connected = 0
    all_connected = asyncio.Event()

    async def client(index: int, session: aiohttp.ClientSession) -> None:
        nonlocal connected
        async with session.ws_connect(ws_url, max_msg_size=0) as ws:
            connected += 1
            if connected == count:
                all_connected.set()
            async for frame in ws:
                now = time.time()
                if frame.type is not aiohttp.WSMsgType.TEXT:
                    continue
                received[index] += 1
                data = frame.data
                if measuring and data.startswith(ROUTER_DATA_PREFIX):
                    start = data.find('"epoch":', 0, 200) + 8
                    epoch = float(data[start : data.find(",", start)])
                    (during if stalled_open else after).add(now - epoch)
        closed_early.append(index)

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = []
        for index in range(count):
            tasks.append(asyncio.create_task(client(index, session)))
            if index % 20 == 19:
                await asyncio.sleep(0.2)  # connect in batches, like screens coming up
        async with asyncio.timeout(120):
            await all_connected.wait()
        stalled = open_stalled_client(host, int(port))
        await asyncio.sleep(2.0)  # let every client's initial snapshot burst pass
        print(json.dumps({"ready": True}), flush=True)
        measuring = True

        async def watch_driver() -> None:
            """The driver writes a line when the server counted the stalled client out."""
            nonlocal stalled_open
            loop = asyncio.get_running_loop()
            if await loop.run_in_executor(None, sys.stdin.readline):
                stalled_open = False

        watcher = asyncio.create_task(watch_driver())
        await asyncio.sleep(seconds)
        measuring = False
        watcher.cancel()
        counts = sorted(received)
        result = {
            "connected": count - len(closed_early),
            "closed_early": len(closed_early),
            "during_stall": during.summary(),
            "after_stall": after.summary(),
            "overall": _merge(during, after).summary(),
            "messages_per_client": {
                "min": counts[0],
                "median": counts[len(counts) // 2],
                "max": counts[-1],
            },
            "seconds": seconds,
        }
        print(json.dumps(result), flush=True)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        stalled.close()


def _merge(first: Histogram, second: Histogram) -> Histogram:
    merged = Histogram()
    merged.counts = array("L", (a + b for a, b in zip(first.counts, second.counts, strict=True)))
    merged.total = first.total + second.total
    merged.maximum = max(first.maximum, second.maximum)
    merged.negative = first.negative + second.negative
    return merged


# ----- the driver ----------------------------------------------------------------------------


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.load(answer)


def wait_for_routers(url: str, count: int, timeout: float = 180.0) -> None:
    """Until every router is connected and has been polled in all four data sets."""
    deadline = time.monotonic() + timeout
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


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 1000:.1f} ms"


def _mb(value: float) -> str:
    return f"{value / 1024 / 1024:.1f} MB"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routers", type=int, default=ROUTERS)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--poll", type=float, default=POLL_SECONDS, help="seconds between polls")
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="run length")
    parser.add_argument("--minutes", type=float, default=None, help="run length in minutes")
    roles = ("simulators", "server", "clients")
    parser.add_argument("--role", choices=roles, help=argparse.SUPPRESS)
    parser.add_argument("--ports", help=argparse.SUPPRESS)
    parser.add_argument("--password", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    seconds = args.minutes * 60 if args.minutes is not None else args.seconds
    if args.role == "simulators":
        asyncio.run(run_simulators(args.routers))
        return 0
    if args.role == "server":
        asyncio.run(run_server(json.loads(args.ports), args.password, args.poll, Path(args.data)))
        return 0
    if args.role == "clients":
        asyncio.run(run_clients(args.url, args.clients, seconds))
        return 0
    return drive(args.routers, args.clients, args.poll, seconds)


def drive(routers: int, clients: int, poll: float, seconds: float) -> int:
    with tempfile.TemporaryDirectory() as folder:
        simulators = Child("--role", "simulators", "--routers", str(routers))
        server = client_process = None
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
            time.sleep(BASELINE_SECONDS)
            baseline = measure(server, url, start)
            print(f"baseline done; connecting {clients} clients + 1 stalled ...", flush=True)

            client_process = Child(
                "--role",
                "clients",
                "--url",
                url,
                "--clients",
                str(clients),
                "--seconds",
                str(seconds),
            )
            client_process.read()  # ready: all connected, the stalled client too
            rss_start = server.rss_bytes()
            start = mark(server, url)
            others_start = (simulators.cpu_seconds(), client_process.cpu_seconds())
            load_start = os.getloadavg()[0]
            rss_samples = [rss_start]
            laggards_at = None
            result = None
            t0 = time.monotonic()
            while result is None:
                time.sleep(1.0)
                stats = get_json(url + "/api/websocket_stats")["data"]
                if laggards_at is None and stats["disconnected_laggards"] > 0:
                    laggards_at = time.monotonic() - t0
                    client_process.tell("stall-closed")
                rss_samples.append(server.rss_bytes())
                if time.monotonic() - t0 >= seconds:
                    result = client_process.read()
            loaded = measure(server, url, start)
            others = (
                simulators.cpu_seconds() - others_start[0],
                client_process.cpu_seconds() - others_start[1],
            )
            load_end = os.getloadavg()[0]
            rss_end = server.rss_bytes()
            final_stats = get_json(url + "/api/websocket_stats")["data"]
        finally:
            for child in (client_process, server, simulators):
                if child is not None:
                    child.stop()

    report(
        routers=routers,
        clients=clients,
        poll=poll,
        seconds=seconds,
        baseline=baseline,
        loaded=loaded,
        result=result,
        stats=final_stats,
        laggards_at=laggards_at,
        rss_start=rss_start,
        rss_end=rss_end,
        rss_samples=rss_samples,
        others=others,
        load=(load_start, load_end),
    )
    p99 = result["overall"]["p99"]
    ok = p99 is not None and p99 < P99_TARGET and result["closed_early"] == 0
    if seconds >= 600:
        ok = ok and rss_end - rss_start < RSS_GROWTH_TARGET
    return 0 if ok else 1


def report(
    *,
    routers: int,
    clients: int,
    poll: float,
    seconds: float,
    baseline: Window,
    loaded: Window,
    result: dict[str, Any],
    stats: dict[str, Any],
    laggards_at: float | None,
    rss_start: int,
    rss_end: int,
    rss_samples: list[int],
    others: tuple[float, float],
    load: tuple[float, float],
) -> None:
    print()
    print(
        f"Feed benchmark: {routers} simulated routers, every data set polled every {poll:g} s; "
        f"{clients} WebSocket clients + 1 stalled; {seconds:g} s measured"
    )
    print(f"machine: {os.cpu_count()} CPUs; simulators, server and clients in 3 processes")
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
    print(f"  target p99 < {P99_TARGET * 1000:.0f} ms")
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
            f"for slow clients: {stats['dropped']})"
        )
    per = result["messages_per_client"]
    print(
        f"  other clients: {result['connected']} of {clients} still connected, "
        f"{result['closed_early']} dropped; messages per client min {per['min']} / median "
        f"{per['median']} / max {per['max']}"
    )
    print()
    growth = rss_end - rss_start
    print(
        f"Server RSS: {_mb(rss_start)} when the clients started, {_mb(rss_end)} after "
        f"{seconds:g} s: growth {_mb(growth)} (peak {_mb(max(rss_samples))}); "
        f"target < {_mb(RSS_GROWTH_TARGET)} over 10 minutes"
    )
    # The shape matters as much as the end point: a plateau is a warm cache, a slope a leak.
    step = max(1, (len(rss_samples) - 1) // 5)
    trail = ", ".join(
        f"{index}s {_mb(rss_samples[index])}" for index in range(0, len(rss_samples), step)
    )
    print(f"  over time: {trail}")


if __name__ == "__main__":
    sys.exit(main())
