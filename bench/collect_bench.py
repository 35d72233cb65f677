"""Benchmark dashboard collection through the session pool against netmiko, and a 50-router round.

Run from the repository root:  /work/venv/bin/python bench/collect_bench.py [--runs N]

What it measures (simulators run in a child process on loopback, so the client's CPU figures
are the client's own; every simulated command answers after 50 ms, as a busy BRAS would):

1. One full dashboard snapshot of one router: online total, cpu, memory, interface brief,
   8 interface details, domains, ip pools, alarms (15 commands).
   * this layer: a pool of 2 SSH sessions, commands spread over both (``collect_snapshot``);
   * netmiko ``huawei_vrpv8``: the same 15 commands one after another on one connection.
   Both "cold" (connection setup included) and "steady" (connections already open; median
   of N runs). Targets: steady state at least 5x faster than netmiko, and within 1.5x of
   (commands / pool size) x 50 ms.
2. 50 simulated routers polled at once from this one process (one asyncio loop, no thread
   per router): wall time for one full snapshot round of all 50 (cold: logins included,
   then warm), and the CPU time this process and the simulator process used for it.

Exit status 0 when the targets are met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.bootstrap import build_opener  # noqa: E402
from app.domain.router import RouterProfile  # noqa: E402
from app.engine.pool import RouterPools, SessionPool  # noqa: E402
from app.engine.snapshot import collect_snapshot  # noqa: E402
from app.transport.hostkeys import HostKeyStore  # noqa: E402

LATENCY_MS = 50.0
POOL_SIZE = 2  # the profile default
VTY_BUDGET = 3  # the profile default: the largest pool a router gets without opting in
DETAILS = 8
FLEET = 50
USERNAME, PASSWORD = "admin", "Admin@123"
# The bench's dashboard: 7 sections + 8 interface details = 15 commands.
BENCH_SECTIONS: tuple[tuple[str, str], ...] = (
    ("interface_brief", "display interface brief"),
    ("online_total", "display access-user online-total"),
    ("cpu", "display cpu-usage"),
    ("memory", "display memory-usage"),
    ("domains", "display domain"),
    ("ip_pools", "display ip pool"),
    ("alarms", "display alarm active"),
)
COMMANDS = len(BENCH_SECTIONS) + DETAILS


# ----- the simulator process ----------------------------------------------------------------


async def _serve(count: int, latency_ms: float, users: int) -> None:
    """Child process: start `count` simulators, print their ports, serve until stdin closes."""
    from app.simulator.server import start_simulator

    # Clients vanishing mid-write make asyncio log "socket.send() raised exception.".
    logging.disable(logging.WARNING)
    handles = [
        await start_simulator(
            host="127.0.0.1",
            port=0,
            users=users,
            interfaces=12,
            seed=index,
            latency_ms=latency_ms,
            max_vty=5,
            username=USERNAME,
            password=PASSWORD,
        )
        for index in range(count)
    ]
    print(json.dumps([handle.port for handle in handles]), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin
    await asyncio.gather(*(handle.close() for handle in handles))


class SimulatorProcess:
    """Simulators in a child process; CPU time read from /proc where available."""

    def __init__(self, count: int, latency_ms: float, users: int) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                str(count),
                "--latency-ms",
                str(latency_ms),
                "--users",
                str(users),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.process.stdout is not None
        self.ports: list[int] = json.loads(self.process.stdout.readline())

    def cpu_seconds(self) -> float | None:
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


# ----- this layer ---------------------------------------------------------------------------


def _profile(name: str, port: int, pool_size: int = POOL_SIZE) -> RouterProfile:
    return RouterProfile(
        name=name,
        host="127.0.0.1",
        port=port,
        username=USERNAME,
        pool_size=pool_size,
        vty_budget=VTY_BUDGET,
        command_timeout=30.0,
        connect_timeout=30.0,
    )


async def _snapshot(pool: SessionPool, name: str) -> float:
    started = time.perf_counter()
    snapshot = await collect_snapshot(pool, name, sections=BENCH_SECTIONS, detail_limit=DETAILS)
    elapsed = time.perf_counter() - started
    if snapshot.errors():
        raise SystemExit(f"snapshot of {name} failed: {snapshot.errors()}")
    if len(snapshot.interfaces) != DETAILS:
        raise SystemExit(f"expected {DETAILS} interface details, got {len(snapshot.interfaces)}")
    return elapsed


async def _warm_pool(pool: SessionPool) -> None:
    """Open every session of the pool (what a running monitor has)."""

    async def hold() -> None:
        async with pool.session():
            await asyncio.sleep(0.05)

    await asyncio.gather(*(hold() for _ in range(pool.size)))


async def bench_pool(port: int, runs: int, known_hosts: Path, size: int) -> tuple[float, float]:
    """(cold, steady median) seconds for one snapshot through a pool of `size` sessions."""
    opener = build_opener(HostKeyStore(known_hosts))
    started = time.perf_counter()
    pool = SessionPool(_profile("bench", port, size), opener, lambda profile: PASSWORD)
    await _snapshot(pool, "bench")
    cold = time.perf_counter() - started
    await _warm_pool(pool)
    steady = [await _snapshot(pool, "bench") for _ in range(runs)]
    await pool.close()
    return cold, statistics.median(steady)


# ----- netmiko ------------------------------------------------------------------------------


def _detail_names(port: int) -> list[str]:
    """The first 8 detail candidates, exactly as the pool's snapshot chooses them."""

    async def names() -> list[str]:
        with tempfile.TemporaryDirectory() as folder:
            opener = build_opener(HostKeyStore(Path(folder) / "known_hosts"))
            pool = SessionPool(_profile("names", port), opener, lambda profile: PASSWORD)
            snapshot = await collect_snapshot(
                pool, "names", sections=BENCH_SECTIONS[:1], detail_limit=DETAILS
            )
            await pool.close()
        return list(snapshot.interfaces)

    return asyncio.run(names())


def bench_netmiko(port: int, runs: int) -> tuple[float, float]:
    """(cold, steady median) seconds for the same 15 commands, sequential, one connection."""
    from netmiko import ConnectHandler

    commands = [command for _, command in BENCH_SECTIONS] + [
        f"display interface {name}" for name in _detail_names(port)
    ]
    assert len(commands) == COMMANDS

    def collect(connection: object) -> None:
        for command in commands:
            output = connection.send_command(command)  # type: ignore[attr-defined]
            if "Error:" in output:
                raise SystemExit(f"netmiko: {command!r} failed: {output[:200]}")

    started = time.perf_counter()
    connection = ConnectHandler(
        device_type="huawei_vrpv8",
        host="127.0.0.1",
        port=port,
        username=USERNAME,
        password=PASSWORD,
        conn_timeout=30,
    )
    try:
        collect(connection)
        cold = time.perf_counter() - started
        steady = []
        for _ in range(runs):
            started = time.perf_counter()
            collect(connection)
            steady.append(time.perf_counter() - started)
    finally:
        connection.disconnect()
    return cold, statistics.median(steady)


# ----- 50 routers ---------------------------------------------------------------------------


async def bench_fleet(
    ports: Sequence[int], known_hosts: Path, server: SimulatorProcess
) -> dict[str, float | None]:
    """One cold round (logins included) and one warm round of full snapshots for every router."""
    pools = RouterPools(build_opener(HostKeyStore(known_hosts)), lambda profile: PASSWORD)
    names = [f"r{index:02d}" for index in range(len(ports))]
    for name, port in zip(names, ports, strict=True):
        pools.add(_profile(name, port))

    async def round_trip() -> tuple[float, float, float | None]:
        cpu, server_cpu = time.process_time(), server.cpu_seconds()
        started = time.perf_counter()
        await asyncio.gather(*(_snapshot(pools.get(name), name) for name in names))
        wall = time.perf_counter() - started
        server_used = server.cpu_seconds()
        return (
            wall,
            time.process_time() - cpu,
            None if server_cpu is None or server_used is None else server_used - server_cpu,
        )

    cold_wall, cold_cpu, cold_server = await round_trip()
    await asyncio.gather(*(_warm_pool(pools.get(name)) for name in names))
    warm_wall, warm_cpu, warm_server = await round_trip()
    open_sessions = sum(status.open_sessions for status in pools.statuses())
    await pools.close()
    return {
        "cold_wall": cold_wall,
        "cold_cpu": cold_cpu,
        "cold_server_cpu": cold_server,
        "warm_wall": warm_wall,
        "warm_cpu": warm_cpu,
        "warm_server_cpu": warm_server,
        "sessions": float(open_sessions),
    }


# ----- report -------------------------------------------------------------------------------


def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:8.0f} ms"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="steady-state repetitions")
    parser.add_argument("--fleet", type=int, default=FLEET, help="routers polled at once")
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--latency-ms", type=float, default=LATENCY_MS, help=argparse.SUPPRESS)
    parser.add_argument("--users", type=int, default=2000, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve is not None:
        asyncio.run(_serve(args.serve, args.latency_ms, args.users))
        return 0
    logging.disable(logging.WARNING)  # first-contact host-key notices, 100 of them

    sizes = (POOL_SIZE, VTY_BUDGET)
    pooled: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        one = SimulatorProcess(1, LATENCY_MS, 2000)
        try:
            for size in sizes:
                pooled[size] = asyncio.run(
                    bench_pool(one.ports[0], args.runs, Path(folder) / f"hosts{size}", size)
                )
            netmiko_cold, netmiko_steady = bench_netmiko(one.ports[0], args.runs)
        finally:
            one.stop()
        fleet_server = SimulatorProcess(args.fleet, LATENCY_MS, 200)
        try:
            fleet = asyncio.run(
                bench_fleet(fleet_server.ports, Path(folder) / "fleet_hosts", fleet_server)
            )
        finally:
            fleet_server.stop()

    print(
        f"One dashboard snapshot: {COMMANDS} commands, {LATENCY_MS:g} ms added per command "
        f"(median of {args.runs} steady runs)"
    )
    print(f"  {'':30} {'cold (with login)':>18} {'steady state':>14}")
    for size in sizes:
        cold, steady = pooled[size]
        print(f"  {f'this layer, pool of {size}':30} {_ms(cold):>18} {_ms(steady):>14}")
    print(f"  {'netmiko huawei_vrpv8':30} {_ms(netmiko_cold):>18} {_ms(netmiko_steady):>14}")
    results = []
    for size in sizes:
        cold, steady = pooled[size]
        ideal = COMMANDS / size * LATENCY_MS / 1000
        speedup, ratio = netmiko_steady / steady, steady / ideal
        results.append((size, speedup >= 5.0, ratio <= 1.5))
        print(
            f"  pool of {size}: steady {speedup:.1f}x faster than netmiko (target >= 5x), "
            f"cold {netmiko_cold / cold:.1f}x; ideal ({COMMANDS} / {size}) x "
            f"{LATENCY_MS:g} ms = {ideal * 1000:.0f} ms, measured {ratio:.2f}x of it "
            f"(target <= 1.5x); best possible vs netmiko at this size "
            f"{netmiko_steady / ideal:.1f}x"
        )
    print(
        f"{args.fleet} simulated routers polled at once (one process, one event loop, "
        f"{int(fleet['sessions'] or 0)} sessions, {args.fleet * COMMANDS} commands per round):"
    )
    print(
        f"  cold round (logins included): wall {_ms(fleet['cold_wall'])}, "
        f"client CPU {_ms(fleet['cold_cpu'])}, simulator CPU {_ms(fleet['cold_server_cpu'])}"
    )
    print(
        f"  warm round:                   wall {_ms(fleet['warm_wall'])}, "
        f"client CPU {_ms(fleet['warm_cpu'])}, simulator CPU {_ms(fleet['warm_server_cpu'])}"
    )
    within = all(ok_ratio for _, _, ok_ratio in results)
    fast = any(ok_fast and ok_ratio for _, ok_fast, ok_ratio in results)
    print(
        f"targets: within 1.5x of ideal at every pool size: {'met' if within else 'MISSED'}; "
        f">= 5x netmiko: {'met' if fast else 'MISSED'} "
        f"(at pool sizes: {[size for size, ok, _ in results if ok] or 'none'})"
    )
    return 0 if within and fast else 1


if __name__ == "__main__":
    sys.exit(main())
