"""A scripted outage for the screenshots of stale data (desktop and wall).

Three simulated BRAS on loopback, monitored by the real runtime (settings, keyring stand-in,
history) with short intervals. Once every router has reported, `bras-rj1` stops answering
`display access-user online-total` and `display ip pool` (they hang until the command
timeout) and `bras-bh1` is powered off, so the pictures show both reasons a figure goes
stale while `bras-sp1` stays live. Used by scripts/screenshots.py and
scripts/wall_screenshots.py; nothing of the user's own setup is read or written.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path

from app.bootstrap import DEMO_MONITORED, AppPaths, start_runtime
from app.domain.router import RouterProfile
from app.engine.freshness import Freshness
from app.engine.runtime import Runtime
from app.engine.settings import FeedSettings, Settings
from app.simulator.server import SimulatorHandle, start_simulator
from app.transport.credentials import MemorySecretStore

ROUTERS = {"bras-sp1": 26_500, "bras-rj1": 18_200, "bras-bh1": 9_400}  # name -> subscribers
HUNG_ROUTER = "bras-rj1"
HUNG = ("display access-user online-total", "display ip pool")
DOWN_ROUTER = "bras-bh1"
POLL_SCALE = 0.05  # seconds-scale polling: a figure goes stale within a few seconds
COMMAND_TIMEOUT = 2.0


@dataclass
class Outage:
    runtime: Runtime
    simulators: dict[str, SimulatorHandle]

    async def close(self) -> None:
        await self.runtime.close()
        for handle in self.simulators.values():
            await handle.close()


async def start(work: Path, *, feed: bool = False) -> Outage:
    """The routers and a running runtime over them (with the feed on port 0 if asked)."""
    simulators: dict[str, SimulatorHandle] = {}
    secrets = MemorySecretStore()
    settings = Settings()
    if feed:
        settings = replace(settings, feed=FeedSettings(enabled=True, host="127.0.0.1", port=0))
    for seed, (name, users) in enumerate(ROUTERS.items(), 7):
        handle = await start_simulator(
            host="127.0.0.1", port=0, users=users, interfaces=24, seed=seed,
            host_key_path=work / f"{name}.key",
        )  # fmt: skip
        simulators[name] = handle
        secrets.set_password(name, handle.password)
        settings = settings.with_router(
            RouterProfile(
                name=name,
                host=handle.host,
                port=handle.port,
                username=handle.username,
                command_timeout=COMMAND_TIMEOUT,
                connect_timeout=2.0,
                monitored=DEMO_MONITORED,
            )
        )
    runtime = await start_runtime(
        paths=AppPaths(work / "config", work / "data"),
        settings=settings,
        demo=False,
        secrets=secrets,
        poll_scale=POLL_SCALE,
        history=True,
    )
    if feed and runtime.feed is not None:
        await runtime.feed.start()
    return Outage(runtime, simulators)


def state(outage: Outage, router: str, section: str) -> Freshness:
    monitor = outage.runtime.monitor
    return monitor.snapshot(router).state(section, monitor.now())


async def wait_for(condition: object, what: str, timeout: float = 120.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


async def all_reporting(outage: Outage) -> None:
    await wait_for(
        lambda: all(
            state(outage, name, section) is Freshness.FRESH
            for name in ROUTERS
            for section in ("online_total", "ip_pools", "cpu", "traffic")
        ),
        "every router to report",
    )


async def break_routers(outage: Outage) -> None:
    """Hang two commands of bras-rj1, power bras-bh1 off; wait until both show it."""
    outage.simulators[HUNG_ROUTER].faults.hang_commands = set(HUNG)
    await outage.simulators[DOWN_ROUTER].close()
    monitor = outage.runtime.monitor
    await wait_for(
        lambda: monitor.snapshot(HUNG_ROUTER).records["online_total"].failures >= 2
        and monitor.snapshot(DOWN_ROUTER).records["online_total"].failures >= 2,
        "the outage to show",
    )
