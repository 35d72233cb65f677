"""The token rule, closed CORS and the WebSocket origin check, over real HTTP."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import aiohttp
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from app.feed.errors import FeedConfigError
from app.feed.server import FeedServer
from tests.integration.feed.conftest import LOCAL, MakeRig, receive_json

TOKEN = "tok-3f9a"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "feed.example.net"])
async def test_a_public_bind_without_token_refuses_to_start(make_rig: MakeRig, host: str) -> None:
    rig = await make_rig(start_monitor=False)
    server = FeedServer(rig.monitor, replace(LOCAL, host=host), console=None, version="x")
    with pytest.raises(FeedConfigError, match=r"\[feed\] token") as raised:
        await server.start()
    assert host in str(raised.value)
    assert server.port is None
    assert server.running is False
    await server.stop()


async def test_an_empty_token_is_refused(make_rig: MakeRig) -> None:
    rig = await make_rig(start_monitor=False)
    server = FeedServer(rig.monitor, replace(LOCAL, token="  "), console=None, version="x")
    with pytest.raises(FeedConfigError, match="empty"):
        await server.start()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_loopback_needs_no_token(make_rig: MakeRig, host: str) -> None:
    rig = await make_rig(options=replace(LOCAL, host=host), start_monitor=False)
    assert rig.server.url == f"http://{host}:{rig.server.port}"
    status, _ = await rig.get("/api/online_total")
    assert status == 200


async def test_with_a_token_every_request_must_carry_it(make_rig: MakeRig) -> None:
    rig = await make_rig(options=replace(LOCAL, token=TOKEN), start_monitor=False)
    for path in ("/api/online_total", "/api/websocket_stats", "/health"):
        status, body = await rig.get(path)
        assert status == 401, path
        assert body["error"]["code"] == "token_required"
        status, body = await rig.get(path, params={"token": "wrong"})
        assert status == 403
        assert body["error"]["code"] == "bad_token"
        status, body = await rig.get(path, headers={"Authorization": "Bearer wrong"})
        assert status == 403

    status, _ = await rig.get("/api/online_total", params={"token": TOKEN})
    assert status == 200
    status, _ = await rig.get("/api/online_total", headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    status, _ = await rig.get("/api/online_total", headers={"X-API-Token": TOKEN})
    assert status == 200

    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(rig.ws_url + "/ws/monitor"):
            pass
    assert refused.value.response.status_code == 401
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(rig.ws_url + "/ws/monitor?token=wrong"):
            pass
    assert refused.value.response.status_code == 403

    async with websockets.connect(f"{rig.ws_url}/ws/monitor?token={TOKEN}") as websocket:
        async with asyncio.timeout(10):
            assert '"welcome"' in await websocket.recv()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with rig.http.ws_connect(rig.ws_url + "/ws/router", headers=headers) as ws:
        assert (await receive_json(ws))["type"] == "welcome"


async def test_cors_is_closed_by_default(make_rig: MakeRig) -> None:
    rig = await make_rig(start_monitor=False)
    origin = {"Origin": "http://evil.example"}
    async with rig.http.get(rig.url + "/api/online_total", headers=origin) as answer:
        assert answer.status == 200
        assert "Access-Control-Allow-Origin" not in answer.headers
    preflight = {**origin, "Access-Control-Request-Method": "POST"}
    async with rig.http.options(rig.url + "/api/execute_command", headers=preflight) as answer:
        assert answer.status == 403
        assert "Access-Control-Allow-Origin" not in answer.headers

    # Browsers apply no CORS to WebSockets: a foreign page's upgrade is refused here.
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await rig.http.ws_connect(rig.ws_url + "/ws/monitor", headers=origin)
    assert refused.value.status == 403
    same = {"Origin": rig.url}
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor", headers=same) as ws:
        assert (await receive_json(ws))["type"] == "welcome"


async def test_cors_origins_open_exactly_those_origins(make_rig: MakeRig) -> None:
    wall = "http://wall.example:8080"
    rig = await make_rig(options=replace(LOCAL, cors_origins=(wall,)), start_monitor=False)
    async with rig.http.get(rig.url + "/api/online_total", headers={"Origin": wall}) as answer:
        assert answer.headers["Access-Control-Allow-Origin"] == wall
        assert "Origin" in answer.headers.getall("Vary")
    async with rig.http.get(rig.url + "/nothing", headers={"Origin": wall}) as answer:
        assert answer.status == 404
        assert answer.headers["Access-Control-Allow-Origin"] == wall
    preflight = {"Origin": wall, "Access-Control-Request-Method": "POST"}
    async with rig.http.options(rig.url + "/api/execute_command", headers=preflight) as answer:
        assert answer.status == 204
        assert answer.headers["Access-Control-Allow-Origin"] == wall
        assert "POST" in answer.headers["Access-Control-Allow-Methods"]
    other = {"Origin": "http://wall.example:9090"}
    async with rig.http.get(rig.url + "/api/online_total", headers=other) as answer:
        assert "Access-Control-Allow-Origin" not in answer.headers
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor", headers={"Origin": wall}) as ws:
        assert (await receive_json(ws))["type"] == "welcome"
