"""Five desktop seats and three walls on one collector: count what reaches the routers.

Run from the repository root:

    .venv/bin/python bench/collector_bench.py                  # 3 routers, 5 seats, 3 walls, 90 s
    .venv/bin/python bench/collector_bench.py --smoke          # 1 router, 30 s (CI)
    .venv/bin/python bench/collector_bench.py --headless-seats # seats without Qt

Every part in its own process, so a router's counters are the router's own:

* **routers**: N simulated NE8000s on loopback (5 VTY lines each, as VRP ships), which
  count every login that got a VTY line, the most lines in use at once, and logins turned
  away because every line was taken (:class:`app.simulator.server.SimulatorHandle`);
* **collector**: what ``ne8000monitor serve`` runs -- ``start_runtime`` with the feed on a
  free port, remote commands on, a seat token per seat and wall, 2 sessions per router;
* **seats**: 5 real desktop windows in collector mode (``ne8000monitor --collector URL
  --token-file FILE --quit-after S``, offscreen Qt), or with ``--headless-seats`` 5
  processes running the window's collector-mode monitor without Qt;
* **walls**: 3 WebSocket clients of ``/ws/monitor`` (what the wall page opens), counting
  the messages they receive.

Printed: per router, the logins, lines in use and refusals the router saw before the seats
started, while they ran (sampled) and after they closed; how many feed clients the
collector had at once; what each seat showed (its log line naming the routers and its
seat). The claim checked: the routers see only the collector's sessions (no login beyond
the collector's pool, whatever the number of seats and walls). Exit 0 when it holds.
The machine is shared: the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import children  # noqa: E402  (the bench package, found through ROOT)

warnings.filterwarnings("ignore", module=r"asyncssh\.crypto(\.|$)")

ROUTERS = 3
SEATS = 5
WALLS = 3
SECONDS = 90.0
POOL_SIZE = 2  # the collector's sessions per router (the profile default)
READY_TIMEOUT = 180.0


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# ----- child processes ------------------------------------------------------------------------


class Child(children.Child):
    """A role of this script in its own process (see bench/children.py)."""

    def __init__(self, *args: str) -> None:
        super().__init__(__file__, *args)


async def run_routers(count: int) -> None:
    import logging

    from app.simulator.server import start_simulator

    logging.disable(logging.WARNING)
    handles = [
        await start_simulator(
            host="127.0.0.1", port=0, hostname=f"NE8000-BRAS-{index + 1:02d}", users=5000,
            seed=index + 1,
        )
        for index in range(count)
    ]
    print(json.dumps({"ports": [h.port for h in handles], "password": handles[0].password}),
          flush=True)
    async for _ in children.requests():
        print(json.dumps([
            {"logins": h.logins, "peak": h.peak_vty, "online": h.vty_online,
             "refused": h.refused_vty}
            for h in handles
        ]), flush=True)
    await asyncio.gather(*(h.close() for h in handles))


async def run_collector(ports: list[int], password: str, folder: Path, seats: list[str]) -> None:
    """`serve` over the routers: the feed with a seat token per seat and wall."""
    import logging
    from dataclasses import replace

    from app.bootstrap import AppPaths, start_runtime
    from app.domain.router import RouterProfile
    from app.engine.seats import issue_seat
    from app.engine.settings import FeedSettings, Settings, load_settings, save_settings
    from app.transport.credentials import MemorySecretStore

    logging.disable(logging.WARNING)
    secrets = MemorySecretStore()
    routers = {}
    for index, port in enumerate(ports):
        name = f"bras-{index + 1:02d}"
        routers[name] = RouterProfile(name=name, host="127.0.0.1", port=port,
                                      pool_size=POOL_SIZE)
        secrets.set_password(name, password)
    seat_tokens, tokens = {}, {}
    for name in seats:
        seat, token = issue_seat(name, taken_ids={s.id for s in seat_tokens.values()})
        seat_tokens[name], tokens[name] = seat, token
    settings_file = folder / "collector.toml"
    save_settings(
        Settings(routers=routers, feed=FeedSettings(enabled=True, remote_commands=True),
                 seats=seat_tokens),
        settings_file,
    )
    loaded = load_settings(settings_file)
    runtime = await start_runtime(
        paths=AppPaths(folder / "config", folder / "data"),
        settings=replace(loaded, feed=replace(loaded.feed, port=0)),
        settings_path=settings_file,
        secrets=secrets,
        environ={},
    )
    try:
        assert runtime.feed is not None
        await runtime.feed.start()
        print(json.dumps({"url": runtime.feed.url, "tokens": tokens}), flush=True)
        async for _ in children.requests():
            statuses = runtime.monitor.router_status()
            print(json.dumps({
                "polled": sum(1 for s in statuses if s.polling.polls >= 3),
                "sessions": sum(s.pool.open_sessions for s in statuses),
                "clients": runtime.feed.client_count,
            }), flush=True)
    finally:
        await runtime.close()


async def run_headless_seat(url: str, token: str, seconds: float) -> None:
    """The window's collector-mode monitor without Qt: connect, follow, report."""
    from app.remote.client import CollectorClient
    from app.remote.monitor import RemoteMonitor

    monitor = RemoteMonitor(CollectorClient(url, token))
    events = monitor.subscribe(name="bench", max_queue=100_000)
    await monitor.start()
    await monitor.wait_ready(60)
    await asyncio.sleep(seconds)
    status = monitor.status()
    print(json.dumps({
        "seat": status.seat, "state": str(status.state), "routers": monitor.routers,
        "events": events.statistics().queued,
    }), flush=True)
    await monitor.stop()


# ----- the driver ------------------------------------------------------------------------------


async def _walls(url: str, tokens: list[str], stop: asyncio.Event) -> list[int]:
    """WebSocket clients of /ws/monitor until `stop`; the messages each received."""
    import aiohttp

    async def wall(token: str) -> int:
        received = 0
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(url.replace("http", "ws", 1) + "/ws/monitor",
                            headers={"Authorization": f"Bearer {token}"}) as ws,
        ):
            while not stop.is_set():
                try:
                    frame = await ws.receive(timeout=1.0)
                except TimeoutError:
                    continue
                if frame.type is not aiohttp.WSMsgType.TEXT:
                    break
                received += 1
        return received

    return list(await asyncio.gather(*(wall(token) for token in tokens)))


def _seat_process(url: str, name: str, token: str, folder: Path, *, seconds: float,
                  headless: bool) -> subprocess.Popen[str]:
    seat_dir = folder / name
    seat_dir.mkdir(parents=True)
    if headless:
        command = [sys.executable, __file__, "seat", url, token, str(seconds)]
    else:
        token_file = seat_dir / "token"
        token_file.write_text(token, encoding="utf-8")
        token_file.chmod(0o600)
        command = [sys.executable, "-m", "app", "--collector", url, "--token-file",
                   str(token_file), "--quit-after", str(seconds), "--new-instance",
                   "--lang", "en"]
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(seat_dir / "config"),
        "XDG_DATA_HOME": str(seat_dir / "data"),
        "XDG_STATE_HOME": str(seat_dir / "state"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _what_seat_showed(folder: Path, name: str, output: str, headless: bool) -> str:
    if headless:
        return output.strip().splitlines()[-1] if output.strip() else "(no report)"
    log = folder / name / "state" / "ne8000monitor" / "log" / "ne8000monitor.log"
    lines = [line for line in log.read_text(encoding="utf-8").splitlines()
             if ": showing " in line] if log.exists() else []
    return lines[-1].split(": ", 1)[-1] if lines else "(never showed the collector's data)"


def _table(title: str, stats: list[dict[str, int]]) -> str:
    cells = ", ".join(
        f"bras-{i + 1:02d}: logins {s['logins']}, in use {s['online']}, peak {s['peak']}, "
        f"refused {s['refused']}"
        for i, s in enumerate(stats)
    )
    return f"  {title:<22} {cells}"


async def drive(routers: int, seats: int, walls: int, seconds: float, headless: bool) -> int:
    print(f"load average before: {_load_average()} ({os.cpu_count()} CPUs)", flush=True)
    names = [f"noc-{i + 1}" for i in range(seats)] + [f"wall-{i + 1}" for i in range(walls)]
    with tempfile.TemporaryDirectory(prefix="ne8000-collector-bench-") as work:
        folder = Path(work)
        sims = Child("routers", str(routers))
        collector: Child | None = None
        try:
            found = sims.read()
            (folder / "collector").mkdir()
            collector = Child("collector", json.dumps(found["ports"]), found["password"],
                              str(folder / "collector"), json.dumps(names))
            started = collector.read()
            url, tokens = started["url"], started["tokens"]
            deadline = time.monotonic() + READY_TIMEOUT
            while (state := collector.ask("stats"))["polled"] < routers:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the collector never polled every router: {state}")
                await asyncio.sleep(1.0)
            await asyncio.sleep(5.0)  # let its pools settle (a second session opens on demand)
            before = sims.ask("stats")
            kind = "headless" if headless else "desktop windows, offscreen"
            print(f"{routers} routers, {seats} seats ({kind}), {walls} walls, "
                  f"{seconds:.0f} s; collector {url}")
            print(_table("before the seats:", before))

            stop = asyncio.Event()
            wall_task = asyncio.create_task(
                _walls(url, [tokens[n] for n in names[seats:]], stop)
            )
            processes = [
                _seat_process(url, name, tokens[name], folder / "seats", seconds=seconds,
                              headless=headless)
                for name in names[:seats]
            ]
            most_clients = 0
            samples: list[list[dict[str, int]]] = []
            while any(p.poll() is None for p in processes):
                await asyncio.sleep(5.0)
                most_clients = max(most_clients, collector.ask("stats")["clients"])
                samples.append(sims.ask("stats"))
            outputs = [p.communicate() for p in processes]
            stop.set()
            received = await wall_task
            after = sims.ask("stats")
            final = collector.ask("stats")
        finally:
            for child in (collector, sims):
                if child is not None:
                    child.stop()
        for sample in samples[:: max(1, len(samples) // 4)]:
            print(_table("while they ran:", sample))
        print(_table("after they closed:", after))
        print(f"  feed clients at once (most): {most_clients} (seats + walls = {seats + walls});"
              f" collector sessions open: {final['sessions']}")
        print(f"  walls received {', '.join(str(n) for n in received)} messages")
        failed = False
        for name, process, (out, err) in zip(names[:seats], processes, outputs, strict=True):
            shown = _what_seat_showed(folder / "seats", name, out, headless)
            print(f"  {name}: exit {process.returncode}; {shown}")
            if process.returncode != 0:
                failed = True
                print(err[-1500:])
    peak = max((s["peak"] for sample in [before, *samples, after] for s in sample), default=0)
    extra = [a["logins"] - b["logins"] for a, b in zip(after, before, strict=True)]
    holds = all(n == 0 for n in extra) and peak <= POOL_SIZE and not failed
    print(
        f"the routers saw {sum(extra)} logins while {seats} seats and {walls} walls ran "
        f"(at most {peak} VTY lines in use on a router, the collector's pool is {POOL_SIZE}): "
        f"{'only the collector' if holds else 'NOT only the collector'}"
    )
    print(f"load average after: {_load_average()}")
    return 0 if holds else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    roles = ("drive", "routers", "collector", "seat")
    parser.add_argument("role", nargs="?", default="drive", choices=roles, help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--routers", type=int, default=ROUTERS)
    parser.add_argument("--seats", type=int, default=SEATS)
    parser.add_argument("--walls", type=int, default=WALLS)
    parser.add_argument("--seconds", type=float, default=SECONDS, help="how long seats run")
    parser.add_argument("--headless-seats", action="store_true",
                        help="seats run the collector-mode monitor without Qt")
    parser.add_argument("--smoke", action="store_true", help="1 router, 30 s (CI)")
    args = parser.parse_args(argv)
    if args.role == "routers":
        asyncio.run(run_routers(int(args.args[0])))
        return 0
    if args.role == "collector":
        ports, password, folder, seats = args.args
        asyncio.run(run_collector(json.loads(ports), password, Path(folder), json.loads(seats)))
        return 0
    if args.role == "seat":
        url, token, seconds = args.args
        asyncio.run(run_headless_seat(url, token, float(seconds)))
        return 0
    if args.smoke:
        args.routers, args.seconds = 1, 30.0
    return asyncio.run(
        drive(args.routers, args.seats, args.walls, args.seconds, args.headless_seats)
    )


if __name__ == "__main__":
    sys.exit(main())
