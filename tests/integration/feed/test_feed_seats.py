"""A token per seat, end to end: the runtime's feed with seats from a real settings file,
`ne8000monitor token add/revoke/list` as subprocesses while it serves, real HTTP and
WebSocket clients, and the audit log naming the seat and address behind each remote
command."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import aiohttp
import pytest

from app.bootstrap import AppPaths, start_runtime
from app.domain.router import RouterProfile
from app.engine.runtime import Runtime
from app.engine.seats import issue_seat
from app.engine.settings import FeedSettings, Settings, load_settings, save_settings
from app.feed.errors import FeedConfigError
from app.feed.server import check_bind
from app.simulator.server import SimulatorHandle
from app.transport.credentials import MemorySecretStore
from tests.support.cli import cli, environment

SHARED = "shared-feed-token-77"
WAIT = 20.0


@dataclass
class SeatRig:
    runtime: Runtime
    settings_file: Path
    tokens: dict[str, str]  # seat name -> token
    http: aiohttp.ClientSession
    env: dict[str, str]

    @property
    def url(self) -> str:
        assert self.runtime.feed is not None
        url = self.runtime.feed.url
        assert url is not None
        return url

    async def status(self, token: str | None, path: str = "/api/router_status") -> int:
        params = {"token": token} if token is not None else {}
        async with self.http.get(self.url + path, params=params) as answer:
            return answer.status

    async def command(self, headers: dict[str, str], line: str) -> tuple[int, dict]:
        async with self.http.post(
            self.url + "/api/execute_command", json={"command": line}, headers=headers
        ) as answer:
            return answer.status, await answer.json()


@pytest.fixture
async def rig(tmp_path: Path, simulator: SimulatorHandle) -> AsyncIterator[SeatRig]:
    paths = AppPaths(tmp_path / "config" / "ne8000monitor", tmp_path / "data" / "ne8000monitor")
    settings_file = paths.config_dir / "settings.toml"
    noc, noc_token = issue_seat("noc-1")
    wall, wall_token = issue_seat("wall-tv", taken_ids={noc.id})
    profile = RouterProfile(
        name="sim", host=simulator.host, port=simulator.port, command_timeout=5.0
    )
    save_settings(
        Settings(
            feed=FeedSettings(enabled=True, token=SHARED, remote_commands=True),
            routers={"sim": profile},
            seats={"noc-1": noc, "wall-tv": wall},
        ),
        settings_file,
    )
    secrets = MemorySecretStore()
    secrets.set_password("sim", simulator.password)
    loaded = load_settings(settings_file)
    runtime = await start_runtime(
        paths=paths,
        settings=replace(loaded, feed=replace(loaded.feed, port=0)),  # any free port
        secrets=secrets,
        poll_scale=0.05,
        environ={},
        history=False,
        routers_are_simulated=True,  # simulators: polled at the test speed
    )
    assert runtime.feed is not None
    await runtime.feed.start()
    http = aiohttp.ClientSession()
    try:
        yield SeatRig(
            runtime,
            settings_file,
            {"noc-1": noc_token, "wall-tv": wall_token},
            http,
            environment(tmp_path),
        )
    finally:
        await http.close()
        await runtime.close()


async def eventually_status(rig: SeatRig, token: str, wanted: int) -> None:
    async with asyncio.timeout(WAIT):
        while await rig.status(token) != wanted:
            await asyncio.sleep(0.1)


async def test_every_seat_token_and_the_shared_one_open_the_feed(rig: SeatRig) -> None:
    noc, wall = rig.tokens["noc-1"], rig.tokens["wall-tv"]
    assert await rig.status(noc) == 200
    assert await rig.status(wall) == 200
    assert await rig.status(SHARED) == 200
    assert await rig.status(None) == 401
    assert await rig.status("made-up") == 403
    seat_id, secret = noc.split(".")
    other_id = wall.split(".")[0]
    assert await rig.status(f"{other_id}.{secret}") == 403  # a secret under another seat's id
    assert await rig.status(f"{seat_id}.{secret[:-2]}xx") == 403
    for headers in ({"Authorization": f"Bearer {wall}"}, {"X-API-Token": wall}):
        async with rig.http.get(rig.url + "/api/online_total", headers=headers) as answer:
            assert answer.status == 200
    async with rig.http.ws_connect(f"{rig.url}/ws/monitor?token={wall}") as ws:
        assert json.loads((await ws.receive()).data)["type"] == "welcome"


async def test_remote_commands_are_audited_with_the_seat_and_the_address(rig: SeatRig) -> None:
    status, body = await rig.command(
        {"Authorization": f"Bearer {rig.tokens['noc-1']}"}, "display version"
    )
    assert (status, body["success"]) == (200, True)
    status, _ = await rig.command({"X-API-Token": SHARED}, "display device")
    assert status == 200
    status, _ = await rig.command({"X-API-Token": rig.tokens["noc-1"]}, "system-view")
    assert status == 403  # refused (not read-only), and still audited with the seat
    async with rig.http.ws_connect(
        f"{rig.url}/ws/monitor?token={rig.tokens['wall-tv']}"
    ) as ws:
        request = {"type": "command", "id": 1, "command": "display memory-usage"}
        await ws.send_str(json.dumps(request))
        async with asyncio.timeout(WAIT):
            while True:
                message = json.loads((await ws.receive()).data)
                if message.get("id") == 1:
                    break
        assert message["type"] == "command_result"

    entries = {entry["commands"][0]: entry for entry in rig.runtime.audit.read()}
    http = {"address": "127.0.0.1", "via": "feed", "protocol": "http"}
    assert entries["display version"]["client"] == {**http, "auth": "seat", "seat": "noc-1"}
    assert entries["display version"]["outcome"] == "sent"
    assert entries["display device"]["client"] == {**http, "auth": "token", "seat": None}
    assert entries["system-view"]["client"] == {**http, "auth": "seat", "seat": "noc-1"}
    assert entries["system-view"]["outcome"] == "refused"
    assert entries["display memory-usage"]["client"] == {
        **http,
        "protocol": "websocket",
        "auth": "seat",
        "seat": "wall-tv",
    }


async def test_seats_added_and_revoked_while_serving(rig: SeatRig) -> None:
    settings = ["--settings", str(rig.settings_file)]
    status, out, err = await cli(rig.env, "token", *settings, "add", "night-shift")
    assert status == 0, err
    token = out.strip()
    assert "shown only this once" in err
    assert token not in rig.settings_file.read_text(encoding="utf-8")
    await eventually_status(rig, token, 200)  # picked up without a restart

    async with rig.http.ws_connect(f"{rig.url}/ws/monitor?token={token}") as ws:
        assert json.loads((await ws.receive()).data)["type"] == "welcome"
        status, out, err = await cli(rig.env, "token", *settings, "revoke", "night-shift")
        assert status == 0, err
        async with asyncio.timeout(WAIT):  # the open connection is closed, not left running
            while (await ws.receive()).type not in (
                aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR
            ):
                pass
    assert await rig.status(token) == 403
    assert await rig.status(rig.tokens["noc-1"]) == 200  # the others are untouched

    # The GUI saving its settings keeps seats the token command wrote meanwhile.
    status, out, _ = await cli(rig.env, "token", *settings, "add", "late")
    assert status == 0
    feed = replace(rig.runtime.settings.feed, port=8000)
    rig.runtime.save_settings(replace(rig.runtime.settings, seats={}, feed=feed))
    assert set(load_settings(rig.settings_file).seats) == {"noc-1", "wall-tv", "late"}


async def test_token_list_shows_seats_and_last_use_never_a_token(rig: SeatRig) -> None:
    assert await rig.status(rig.tokens["noc-1"]) == 200
    assert rig.runtime.feed is not None
    await rig.runtime.feed.stop()  # flushes the last use
    # `token list` reads the last use the feed wrote to the user data directory.
    status, out, err = await cli(rig.env, "token", "--settings", str(rig.settings_file), "list")
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["SEAT", "ID", "CREATED", "LAST", "USED"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {"noc-1", "wall-tv"}
    assert rows["wall-tv"].endswith("never")
    assert not rows["noc-1"].endswith("never")
    for token in rig.tokens.values():
        assert token not in out
        assert token.split(".")[1] not in out


async def test_token_command_errors(rig: SeatRig) -> None:
    settings = ["--settings", str(rig.settings_file)]
    status, _, err = await cli(rig.env, "token", *settings, "add", "noc-1")
    assert status == 2
    assert "already exists" in err
    status, _, err = await cli(rig.env, "token", *settings, "add", "bad name")
    assert status == 2
    assert "not a seat name" in err
    status, _, err = await cli(rig.env, "token", *settings, "revoke", "nobody")
    assert status == 2
    assert "seats: noc-1, wall-tv" in err
    broken = rig.settings_file.with_name("broken.toml")
    broken.write_text('version = 1\n[seats.x]\nid = "nothex!"\n', encoding="utf-8")
    status, _, err = await cli(rig.env, "token", "--settings", str(broken), "list")
    assert status == 2
    assert "seats.x.id: expected 8 lowercase hexadecimal digits" in err


def test_seat_tokens_alone_allow_a_public_bind() -> None:
    public = FeedSettings(host="0.0.0.0")
    with pytest.raises(FeedConfigError, match="without a token"):
        check_bind(public)
    check_bind(public, has_seats=True)
