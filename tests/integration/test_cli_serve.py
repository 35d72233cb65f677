"""`ne8000monitor serve` end to end: a real subprocess, real HTTP, real signals."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from app.simulator.server import SimulatorHandle
from tests.support.cli import cli, environment
from tests.support.files import listing
from tests.support.serve import launch_serve, serving

DEMO = ("--demo", "--port", "0", "--poll-scale", "0.05")


async def get_json(url: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def wait_for_data(base: str, path: str, timeout: float = 30.0) -> dict:
    """GET `path` until the router has answered it (the feed reports null before)."""
    async with asyncio.timeout(timeout):
        while True:
            status, body = await get_json(base + path)
            if status == 200 and body.get("data") is not None:
                return body
            await asyncio.sleep(0.2)


async def test_without_any_router_it_explains_how_to_configure_one(tmp_path: Path) -> None:
    status, out, err = await cli(environment(tmp_path), "serve", "--port", "0")
    assert status == 2
    assert out == ""
    assert "no router configured" in err
    assert "--demo" in err
    assert "Traceback" not in err


async def test_a_public_bind_without_a_token_refuses_to_start(tmp_path: Path) -> None:
    status, _, err = await cli(environment(tmp_path), "serve", *DEMO, "--host", "0.0.0.0")
    assert status == 2
    assert "token" in err
    assert "Traceback" not in err


async def test_a_bad_settings_file_names_the_key(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text("version = 1\n[feed]\nport = 'eighty'\n")
    status, _, err = await cli(environment(tmp_path), "serve", "--settings", str(settings))
    assert status == 2
    assert "feed.port" in err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_demo_serves_live_data_and_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    served = await launch_serve(tmp_path, *DEMO)
    try:
        assert served.url.startswith("http://127.0.0.1:")
        body = await wait_for_data(served.url, "/api/online_total")
        assert body["router"] == "demo"
        status, health = await get_json(served.url + "/health")
        assert status == 200, health
    finally:
        code = await served.stop(sig)
    log = "".join(served.stderr)
    assert code == 0, log
    assert "Traceback" not in log
    # History was flushed to disk before the process ended.
    database = tmp_path / "data" / "ne8000monitor" / "demo" / "history.sqlite3"
    with sqlite3.connect(database) as connection:
        (samples,) = connection.execute("SELECT count(*) FROM samples").fetchone()
    assert samples > 0


async def test_serve_never_imports_qt(tmp_path: Path) -> None:
    env = environment(tmp_path, PYTHONPROFILEIMPORTTIME="1")
    async with serving(tmp_path, *DEMO, env=env) as served:
        await wait_for_data(served.url, "/api/online_total")
    imports = "".join(served.stderr)
    assert "aiohttp" in imports  # the import profile is really there
    for qt in ("PySide6", "shiboken6", "pyqtgraph", "qasync"):
        assert qt not in imports


async def test_router_variables_of_the_earlier_service(
    tmp_path: Path, simulator: SimulatorHandle
) -> None:
    env = environment(
        tmp_path,
        ROUTER_HOST=simulator.host,
        ROUTER_PORT=str(simulator.port),
        ROUTER_USERNAME=simulator.username,
        ROUTER_PASSWORD=simulator.password,
        REDIS_HOST="redis.example",
    )
    async with serving(tmp_path, "--port", "0", "--poll-scale", "0.05", env=env) as served:
        body = await wait_for_data(served.url, "/api/system_metrics")
        # Named after its address (not `router`): two boxes never share a name.
        assert body["router"] == f"{simulator.host}:{simulator.port}"
    log = "".join(served.stderr)
    assert simulator.password not in log
    assert "REDIS_HOST" in log  # accepted and ignored, with a note


async def test_a_history_database_from_a_newer_version_stops_it_in_one_line(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data" / "ne8000monitor"
    data.mkdir(parents=True)
    with sqlite3.connect(data / "history.sqlite3") as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = listing(data)
    env = environment(tmp_path, ROUTER_HOST="192.0.2.1", ROUTER_PASSWORD="not-used")
    status, out, err = await cli(env, "serve", "--port", "0")
    assert status == 2
    assert out == ""
    assert "Traceback" not in err
    [line] = [text for text in err.splitlines() if "newer version" in text]
    assert line.startswith("ne8000monitor serve: ")
    assert "history.sqlite3 was written by a newer version of NE8000 Monitor" in line
    assert listing(data) == before  # not even a -wal or -shm file appeared
