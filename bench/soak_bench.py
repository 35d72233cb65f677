"""A long run of 50 simulated routers at the default poll intervals: the monitor's CPU and memory.

Run from the repository root:

    .venv/bin/python bench/soak_bench.py                 # 50 routers, 10 minutes
    .venv/bin/python bench/soak_bench.py --smoke         # 5 routers, 1 minute (CI)
    .venv/bin/python bench/soak_bench.py --line-writes   # the simulators write a line a packet
    .venv/bin/python bench/soak_bench.py --routers 100 --clients 8   # with 8 feed clients

Three processes, so that the figures belong to the monitoring process alone:

* **simulators**: N simulated NE8000s on loopback (48 ports, 5,000 subscribers each), every
  command answered after 50 ms as a busy BRAS would;
* **monitor**: what ``ne8000monitor serve`` runs -- ``start_runtime`` (engine, Monitor, SQLite
  history, alerts) with the feed on a free port and no client -- for the N routers, each with
  the demo's two monitored uplinks, polled at the default intervals of the settings
  (interfaces 30 s, subscribers 15 s, system 45 s, traffic 20 s, 10 % jitter);
* **this driver**, which reads the monitor's CPU time (utime + stime) and RSS from /proc.

Once every router has been polled, a warm-up of one minute passes (so every data set ran a
few times), then the window starts. Printed: the monitor's CPU as a share of one core over
the window, its RSS at the start and end of the window (and each minute), the router commands
it ran (cache loads) and its CPU per command.

Targets (issue 13): under 10 % of one core for 50 routers; RSS flat (growth under 20 MB).
Exit status 0 when both are met (RSS only judged on windows of 10 minutes or more).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import children  # noqa: E402  (the bench package, found through ROOT)

warnings.filterwarnings("ignore", module=r"asyncssh\.crypto(\.|$)")

ROUTERS = 50
MINUTES = 10.0
WARMUP_SECONDS = 60.0
LATENCY_MS = 50.0
USERS = 5000
CPU_TARGET = 0.10  # of one core
RSS_GROWTH_TARGET = 20 * 1024 * 1024
READY_TIMEOUT = 300.0


# ----- child processes ------------------------------------------------------------------------


class Child(children.Child):
    """A role of this script in its own process (see bench/children.py)."""

    def __init__(self, *args: str) -> None:
        super().__init__(__file__, *args)


async def run_simulators(count: int, line_writes: bool) -> None:
    from app.simulator.faults import FaultPlan
    from app.simulator.server import start_simulator

    logging.disable(logging.WARNING)  # clients vanishing mid-write at shutdown
    handles = [
        await start_simulator(
            host="127.0.0.1",
            port=0,
            hostname=f"NE8000-BRAS-{index + 1:02d}",
            users=USERS,
            seed=index + 1,
            faults=FaultPlan(latency_ms=LATENCY_MS, line_writes=line_writes),
        )
        for index in range(count)
    ]
    print(json.dumps({"ports": [h.port for h in handles], "password": handles[0].password}))
    sys.stdout.flush()
    async for _ in children.requests():
        pass
    await asyncio.gather(*(handle.close() for handle in handles))


async def run_monitor(
    ports: list[int], password: str, data_dir: Path, feed: bool, profile: Path | None
) -> None:
    """`serve` without its embedded simulators, at the default intervals."""
    import cProfile
    import pstats

    from app.bootstrap import DEMO_MONITORED, AppPaths, start_runtime
    from app.domain.router import RouterProfile
    from app.engine.settings import FeedSettings, Settings
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
        routers=routers, feed=FeedSettings(enabled=feed, host="127.0.0.1", port=0)
    )
    runtime = await start_runtime(
        paths=AppPaths(data_dir / "config", data_dir / "data"),
        settings=settings,
        demo=False,
        secrets=secrets,
    )
    try:
        if runtime.feed is not None and feed:
            await runtime.feed.start()
        url = runtime.feed.url if runtime.feed is not None and feed else None
        print(json.dumps({"intervals": _intervals(settings), "url": url}), flush=True)
        profiler = cProfile.Profile(time.process_time)  # CPU: other processes do not count
        async for request in children.requests():
            if request == "profile" and profile is not None:
                profiler.enable()  # the measured window only
            statuses = runtime.monitor.router_status()
            stats = runtime.monitor.cache_statistics()
            print(
                json.dumps(
                    {
                        "polled": sum(1 for s in statuses if s.polling.polls >= 4),
                        "polls": sum(s.polling.polls for s in statuses),
                        "failures": sum(s.polling.failures for s in statuses),
                        "commands": stats.loads,
                    }
                ),
                flush=True,
            )
        if profile is not None:
            profiler.disable()
            profile.mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(profile / "soak-monitor.prof")
            with (profile / "soak-monitor.txt").open("w") as text:
                text.write(
                    f"# cProfile (CPU time) of the monitor over the window; load average "
                    f"{_load_average()}\n"
                )
                stats = pstats.Stats(profiler, stream=text).strip_dirs()
                stats.sort_stats("tottime").print_stats(30)
                stats.sort_stats("cumulative").print_stats(50)
    finally:
        await runtime.close()


def _intervals(settings: Any) -> dict[str, float]:
    intervals = settings.intervals
    return {
        name: getattr(intervals, name)
        for name in ("interfaces", "pppoe", "system", "traffic", "traffic_others", "jitter")
    }


# ----- driver ---------------------------------------------------------------------------------


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _mb(value: float) -> str:
    return f"{value / 1024 / 1024:.1f} MB"


class FeedClients:
    """N WebSocket clients of the monitor's feed (seats, walls) in a thread of this driver,
    counting what they receive, so the monitor's CPU includes serving them."""

    def __init__(self, url: str, count: int) -> None:
        import threading

        self.url = url.replace("http", "ws", 1) + "/ws/monitor"
        self.count = count
        self.received = [0] * count
        self.connected = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> list[int]:
        self._stop.set()
        self._thread.join(30)
        return self.received

    async def _run(self) -> None:
        import aiohttp

        async def one(index: int, http: aiohttp.ClientSession) -> None:
            async with http.ws_connect(self.url, max_msg_size=64 * 1024 * 1024) as ws:
                self.connected += 1
                while not self._stop.is_set():
                    try:
                        frame = await ws.receive(timeout=1.0)
                    except TimeoutError:
                        continue
                    if frame.type is not aiohttp.WSMsgType.TEXT:
                        return
                    self.received[index] += 1

        async with aiohttp.ClientSession() as http:
            await asyncio.gather(*(one(i, http) for i in range(self.count)))


def wait_until_polled(monitor: Child, routers: int) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while (state := monitor.ask("stats"))["polled"] < routers:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {state['polled']} of {routers} routers polled: {state}")
        time.sleep(1.0)


def drive(
    routers: int,
    minutes: float,
    warmup: float,
    *,
    line_writes: bool,
    feed: bool,
    profile: Path | None,
    clients: int = 0,
) -> int:
    print(f"load average before: {_load_average()} ({os.cpu_count()} CPUs)", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        simulators = Child("simulators", str(routers), *(["--line-writes"] if line_writes else []))
        monitor = None
        readers: FeedClients | None = None
        try:
            sims = simulators.read()
            monitor = Child(
                "monitor",
                json.dumps(sims["ports"]),
                sims["password"],
                folder,
                *([] if feed else ["--no-feed"]),
                *(["--profile", str(profile.resolve())] if profile is not None else []),
            )
            ready = monitor.read()
            intervals = ready["intervals"]
            print(f"{routers} routers, intervals {intervals}; waiting for every router ...")
            started = time.monotonic()
            wait_until_polled(monitor, routers)
            print(f"every router polled after {time.monotonic() - started:.0f} s; warm-up ...")
            if clients and ready.get("url"):
                readers = FeedClients(ready["url"], clients)
                readers.start()
            time.sleep(warmup)

            cpu0, wall0 = monitor.cpu_seconds(), time.monotonic()
            state0 = monitor.ask("profile" if profile is not None else "stats")
            sim_cpu0 = simulators.cpu_seconds()
            rss = [monitor.rss_bytes()]
            end = wall0 + minutes * 60
            while (now := time.monotonic()) < end:
                time.sleep(min(60.0, end - now))
                rss.append(monitor.rss_bytes())
                print(
                    f"  {time.monotonic() - wall0:5.0f} s: RSS {_mb(rss[-1])}, CPU so far "
                    f"{(monitor.cpu_seconds() - cpu0) / (time.monotonic() - wall0):.1%}",
                    flush=True,
                )
            cpu, wall = monitor.cpu_seconds() - cpu0, time.monotonic() - wall0
            sim_cpu = simulators.cpu_seconds() - sim_cpu0
            state = monitor.ask("stats")
            received = readers.stop() if readers is not None else []
        finally:
            for child in (monitor, simulators):
                if child is not None:
                    child.stop()
    commands = state["commands"] - state0["commands"]
    share = cpu / wall
    growth = rss[-1] - rss[0]
    serving = ", feed off"
    if feed:
        serving = f", feed on, {clients} WebSocket clients" if clients else ", feed on, no client"
    print(
        f"Monitoring process (serve's engine{serving}), "
        f"{routers} routers at the default intervals, {wall / 60:.1f} minutes after the "
        f"warm-up, simulators writing {'a line per packet' if line_writes else 'in pieces'}:"
    )
    print(
        f"  CPU: {cpu:.1f} s = {share:.1%} of one core (target < {CPU_TARGET:.0%}); "
        f"{commands} router commands ({commands / wall:.1f}/s), "
        f"{cpu / max(commands, 1) * 1000:.2f} ms of CPU per command (everything included); "
        f"polls {state['polls'] - state0['polls']}, failed sections "
        f"{state['failures'] - state0['failures']}"
    )
    print(f"  simulators' CPU over the window: {sim_cpu:.1f} s ({sim_cpu / wall:.1%})")
    if received:
        print(
            f"  feed clients: {len(received)} connected, {sum(received)} messages received "
            f"({min(received)}-{max(received)} each)"
        )
    print(
        f"  RSS: {_mb(rss[0])} at the start, {_mb(rss[-1])} at the end "
        f"(growth {_mb(growth)}, target < {_mb(RSS_GROWTH_TARGET)}; max {_mb(max(rss))})"
    )
    print(f"load average after: {_load_average()}")
    if profile is not None:
        print(f"  (cProfile ran in the monitor: its CPU figure includes the profiler's overhead; "
              f"profile in {profile})")
    cpu_ok = share < CPU_TARGET
    rss_ok = growth < RSS_GROWTH_TARGET or minutes < 10
    print(
        f"targets: CPU {'met' if cpu_ok else 'MISSED'}; RSS "
        f"{'met' if growth < RSS_GROWTH_TARGET else 'MISSED'}"
        f"{' (not judged: window under 10 minutes)' if minutes < 10 else ''}"
    )
    return 0 if cpu_ok and rss_ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    roles = ("drive", "simulators", "monitor")
    parser.add_argument("role", nargs="?", default="drive", choices=roles, help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--routers", type=int, default=ROUTERS)
    parser.add_argument("--minutes", type=float, default=MINUTES, help="measured window")
    parser.add_argument("--warmup", type=float, default=WARMUP_SECONDS, help="seconds")
    parser.add_argument("--line-writes", action="store_true", help="simulators: a line a packet")
    parser.add_argument("--no-feed", action="store_true", help="the engine without the feed")
    parser.add_argument(
        "--clients", type=int, default=0, help="WebSocket clients on the feed (seats, walls)"
    )
    parser.add_argument("--smoke", action="store_true", help="5 routers, 1 minute (CI)")
    parser.add_argument(
        "--profile", type=Path, metavar="DIR", help="cProfile the monitor over the window"
    )
    args = parser.parse_args(argv)
    if args.role == "simulators":
        asyncio.run(run_simulators(int(args.args[0]), args.line_writes))
        return 0
    if args.role == "monitor":
        ports, password, folder = json.loads(args.args[0]), args.args[1], Path(args.args[2])
        asyncio.run(run_monitor(ports, password, folder, not args.no_feed, args.profile))
        return 0
    if args.smoke:
        args.routers, args.minutes, args.warmup = 5, 1.0, 20.0
    return drive(
        args.routers,
        args.minutes,
        args.warmup,
        line_writes=args.line_writes,
        feed=not args.no_feed,
        profile=args.profile,
        clients=args.clients,
    )


if __name__ == "__main__":
    sys.exit(main())
