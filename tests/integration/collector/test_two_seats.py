"""Two desktop windows (real GUI processes, offscreen) in collector mode against one
`serve`, counted from the router's side: the simulated NE8000 sees only the collector's
session, before, during and after the seats run; each seat showed the collector's router.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from app.domain.router import RouterProfile
from app.engine.seats import issue_seat
from app.engine.settings import Settings, save_settings
from app.simulator.server import SimulatorHandle, start_simulator
from tests.support.cli import ROOT, environment
from tests.support.serve import ServeProcess, launch_serve

pytestmark = pytest.mark.slow

ROUTER = "router"  # the name ROUTER_PASSWORD applies to (ROUTER_NAME's default)
SEATS = ("noc-1", "noc-2")
QUIT_AFTER = 25.0  # seconds each window stays open


@pytest.fixture
async def router() -> AsyncIterator[SimulatorHandle]:
    handle = await start_simulator(host="127.0.0.1", port=0, users=800, interfaces=12, seed=5)
    try:
        yield handle
    finally:
        await handle.close()


async def _collector(tmp_path: Path, router: SimulatorHandle) -> tuple[ServeProcess, dict]:
    """`serve` with the simulator as its one router (one session) and two seat tokens."""
    seats, tokens = {}, {}
    for name in SEATS:
        seat, token = issue_seat(name, taken_ids={s.id for s in seats.values()})
        seats[name], tokens[name] = seat, token
    settings_file = tmp_path / "collector" / "settings.toml"
    settings_file.parent.mkdir(parents=True)
    profile = RouterProfile(
        name=ROUTER, host=router.host, port=router.port, username=router.username, pool_size=1
    )
    save_settings(
        Settings(routers={ROUTER: profile}, seats=seats),
        settings_file,
    )
    env = environment(tmp_path / "collector", ROUTER_PASSWORD=router.password)
    served = await launch_serve(
        tmp_path / "collector", "--settings", str(settings_file), "--port", "0", env=env
    )
    return served, tokens


async def _json(url: str, token: str) -> dict:
    async with (
        aiohttp.ClientSession() as http,
        http.get(url, headers={"Authorization": f"Bearer {token}"}) as answer,
    ):
        return await answer.json()


async def _seat(tmp_path: Path, url: str, name: str, token: str) -> asyncio.subprocess.Process:
    folder = tmp_path / name
    folder.mkdir()
    token_file = folder / "token"
    token_file.write_text(token + "\n", encoding="utf-8")
    token_file.chmod(0o600)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", "--collector", url, "--token-file", str(token_file),
        "--quit-after", str(QUIT_AFTER), "--new-instance", "--lang", "en",
        env=environment(folder, QT_QPA_PLATFORM="offscreen"),
        cwd=str(ROOT),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_two_seats_use_only_the_collectors_session(
    tmp_path: Path, router: SimulatorHandle
) -> None:
    served, tokens = await _collector(tmp_path, router)
    try:
        url = served.url
        # The collector logs in once and keeps that one session.
        for _ in range(600):
            status = await _json(f"{url}/api/router_status", tokens["noc-1"])
            [state] = status["routers"]
            if state["state"] == "connected" and state["polls"] >= 3:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"the collector never polled the router: {status}")
        before = router.logins
        assert before == 1
        assert router.vty_online == 1

        seats = [await _seat(tmp_path, url, name, tokens[name]) for name in SEATS]
        both = False
        for _ in range(600):  # both windows on the feed at once
            stats = await _json(f"{url}/api/websocket_stats", tokens["noc-1"])
            if stats["data"]["clients"] >= len(SEATS):
                both = True
                break
            await asyncio.sleep(0.1)
        results = [await asyncio.wait_for(seat.communicate(), 120) for seat in seats]
        for seat, (_out, err) in zip(seats, results, strict=True):
            assert seat.returncode == 0, err.decode(errors="replace")[-2000:]
        assert both, "the two seats were never connected at the same time"

        # The router saw no other login: the seats opened no session of their own.
        assert router.logins == before
        assert router.peak_vty == 1
        assert router.refused_vty == 0
        for name in SEATS:
            log = tmp_path / name / "state" / "ne8000monitor" / "log" / "ne8000monitor.log"
            text = log.read_text(encoding="utf-8")
            assert f"collector {url}: showing 1 routers ({ROUTER}) as seat {name}" in text
            assert "ssh" not in text.lower(), "a seat logged something about SSH"
    finally:
        await served.stop()
    usage = json.loads(
        (tmp_path / "collector" / "data" / "ne8000monitor" / "seat_usage.json").read_text()
    )
    assert len(usage) == len(SEATS)  # each seat's token was used (kept by seat id)
