"""The WebSocket feed with real clients (aiohttp and the `websockets` library)."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import websockets

from app.domain.alerts import AlertKind
from app.domain.interfaces import InterfaceBrief
from app.engine.events import PollFailed, RouterDataUpdated, RouterStateChanged, TrafficSampled
from app.engine.pool import PoolState
from app.feed.picture import Picture
from app.feed.sections import FEED_SECTIONS
from tests.integration.feed.conftest import (
    WAIT,
    MakeRig,
    Message,
    of_type,
    receive_json,
    receive_until,
)

ENVELOPE = {"type", "timestamp", "epoch"}


def check_envelope(message: Message) -> None:
    assert set(message) >= ENVELOPE, message
    assert message["timestamp"].endswith("Z")
    assert isinstance(message["epoch"], float)


async def test_connect_sends_welcome_then_the_current_picture(make_rig: MakeRig) -> None:
    rig = await make_rig()
    await rig.collected("sim")
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        welcome = await receive_json(ws)
        check_envelope(welcome)
        assert welcome["type"] == "welcome"
        assert welcome["version"] == "9.9-test"
        assert welcome["routers"] == ["sim"]
        assert welcome["server_time"].endswith("Z")
        assert welcome["message"]

        data = await receive_json(ws)
        check_envelope(data)
        assert data["type"] == "router_data"
        assert data["router"] == "sim"
        assert list(data["data"]) == list(FEED_SECTIONS)
        assert all(data["data"][name] is not None for name in FEED_SECTIONS)
        online = rig.monitor.snapshot("sim").data("online_total")
        assert data["data"]["online_total"]["total"] == online.total_users

        status = await receive_json(ws)
        check_envelope(status)
        assert status["type"] == "system_status"
        assert status["status"]["sim"]["state"] == "connected"
        assert status["status"]["sim"]["reachable"] is True
        assert status["feed"]["clients"] == 1

        # Live: a later poll round arrives as a router_data with only what it changed,
        # shaped exactly like the HTTP answer of the same section.
        update = await receive_until(ws, of_type("router_data", router="sim"))
        assert update["data"]
        assert set(update["data"]) <= set(FEED_SECTIONS)
        name = next(iter(update["data"]))
        _, http = await rig.get(f"/api/{name}")
        assert set(http["data"]) == set(update["data"][name])


async def test_router_data_for_a_router_never_polled_is_null(make_rig: MakeRig) -> None:
    rig = await make_rig(start_monitor=False)
    async with rig.http.ws_connect(rig.ws_url + "/ws/router") as ws:
        assert (await receive_json(ws))["type"] == "welcome"
        data = await receive_json(ws)
        assert data["data"] == dict.fromkeys(FEED_SECTIONS)


async def test_ping_pong_like_the_earlier_python_client(make_rig: MakeRig) -> None:
    """The FastAPI-era example client: connect, send text `ping`, read type/timestamp/data."""
    rig = await make_rig()
    await rig.collected("sim", ("online_total",))
    seen: list[str] = []
    async with websockets.connect(rig.ws_url + "/ws/monitor") as websocket:
        await websocket.send("ping")
        async with asyncio.timeout(WAIT):
            async for message in websocket:
                data = json.loads(message)
                seen.append(data["type"])
                assert data.get("timestamp")
                if data["type"] == "router_data":
                    assert data["data"]["online_total"]["total"] is not None
                if data["type"] == "pong":
                    break
        await websocket.send(json.dumps({"type": "ping"}))
        async with asyncio.timeout(WAIT):
            while json.loads(await websocket.recv())["type"] != "pong":
                pass
    assert seen[:3] == ["welcome", "router_data", "system_status"]
    assert seen[-1] == "pong"


async def test_heartbeats_arrive_on_the_injected_interval(make_rig: MakeRig) -> None:
    rig = await make_rig(start_monitor=False, heartbeat_interval=0.05)
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        beats = [await receive_until(ws, of_type("heartbeat")) for _ in range(3)]
    for beat in beats:
        check_envelope(beat)
        assert beat["server_time"].endswith("Z")
    assert beats[0]["epoch"] < beats[1]["epoch"] < beats[2]["epoch"]


async def test_alerts_are_sent_live_and_to_new_clients(make_rig: MakeRig) -> None:
    rig = await make_rig()
    await rig.collected("sim", ("interface_brief",))
    brief = rig.monitor.snapshot("sim").data("interface_brief")
    assert isinstance(brief, InterfaceBrief)
    down = next(row.name for row in brief.interfaces if not row.phy_up and "." not in row.name)
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        rig.monitor.set_monitored_interfaces("sim", [down])
        # (The box's own minor and warning alarms are alerts too: wait for ours.)
        message = await receive_until(
            ws,
            lambda m: m["type"] == "alert" and m["alert"]["kind"] == str(AlertKind.INTERFACE_DOWN),
        )
    check_envelope(message)
    alert = message["alert"]
    assert message["router"] == alert["router"] == "sim"
    assert alert["kind"] == str(AlertKind.INTERFACE_DOWN)
    assert alert["subject"] == down
    assert alert["severity"] in {"critical", "major", "minor", "warning"}
    assert alert["raised_at"].endswith("Z")
    assert alert["cleared_at"] is None
    (active,) = [a for a in rig.monitor.active_alerts("sim") if a.subject == down]
    assert alert["id"] == active.id
    assert down in alert["message"]

    # A client connecting later gets the active alert with the initial picture.
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        initial = [await receive_json(ws) for _ in range(3)]
        alerts = [await receive_json(ws) for _ in rig.monitor.active_alerts("sim")]
    assert [m["type"] for m in initial] == ["welcome", "router_data", "system_status"]
    assert {m["type"] for m in alerts} == {"alert"}
    assert active.id in {m["alert"]["id"] for m in alerts}

    # Un-marking the interface clears the alert: sent with its cleared_at.
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        rig.monitor.set_monitored_interfaces("sim", [])
        cleared = await receive_until(
            ws, lambda m: m["type"] == "alert" and m["alert"]["cleared_at"] is not None
        )
    assert cleared["alert"]["id"] == active.id
    assert cleared["alert"]["cleared_at"].endswith("Z")


async def test_system_status_follows_a_router_going_away(make_rig: MakeRig) -> None:
    rig = await make_rig()
    await rig.collected("sim", ("online_total",))
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        await receive_until(ws, of_type("system_status"))
        await rig.simulators["sim"].close()
        status = await receive_until(
            ws,
            lambda m: m["type"] == "system_status" and m["status"]["sim"]["state"] == "unreachable",
        )
    entry = status["status"]["sim"]
    assert entry["reachable"] is False
    assert entry["last_error"]
    assert status["feed"]["clients"] == 1


async def test_system_status_is_sent_on_changes_only(make_rig: MakeRig) -> None:
    """Issue 14 item 2: a router failing the same way every poll is not news every poll."""
    rig = await make_rig((), dead=("gone",), heartbeat_interval=3600)
    pool = rig.engine.pools.get("gone")
    async with asyncio.timeout(WAIT):
        while pool.state is not PoolState.UNREACHABLE:
            await asyncio.sleep(0.02)
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        initial = [await receive_json(ws) for _ in range(2)]
        assert [m["type"] for m in initial] == ["welcome", "router_data"]
        status = await receive_until(ws, of_type("system_status"))
        assert status["status"]["gone"]["state"] == "unreachable"
        polls = rig.monitor.router_status("gone")[0].polling
        async with asyncio.timeout(WAIT):
            while rig.monitor.router_status("gone")[0].polling.polls < polls.polls + 30:
                await asyncio.sleep(0.05)
        # 30 failed polls and several reconnect attempts later, nothing in it changed.
        await ws.send_str("ping")
        later = await receive_until(ws, lambda m: m["type"] in ("pong", "system_status"))
        assert later["type"] == "pong"
    assert rig.monitor.router_status("gone")[0].polling.failures > 30


async def test_subscribe_filters_routers(make_rig: MakeRig) -> None:
    rig = await make_rig(("east", "west"))
    await rig.collected("east", ("online_total",))
    await rig.collected("west", ("online_total",))
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        welcome = await receive_json(ws)
        assert welcome["routers"] == ["east", "west"]
        await ws.send_str(json.dumps({"type": "subscribe", "routers": ["west"]}))
        ack = await receive_until(ws, of_type("subscribed"))
        assert ack["routers"] == ["west"]
        after = [await receive_until(ws, of_type("router_data")) for _ in range(6)]
        assert {m["router"] for m in after} == {"west"}

        await ws.send_str(json.dumps({"type": "subscribe", "routers": None}))
        assert (await receive_until(ws, of_type("subscribed")))["routers"] is None
        routers: set[str] = set()
        async with asyncio.timeout(WAIT):
            while routers != {"east", "west"}:
                routers.add((await receive_until(ws, of_type("router_data")))["router"])

    # /ws/router is one router from the start; ?router= on /ws/monitor too.
    for path in ("/ws/router?router=east", "/ws/monitor?router=east"):
        async with rig.http.ws_connect(rig.ws_url + path) as ws:
            first = [await receive_json(ws) for _ in range(2)]
            assert first[1]["type"] == "router_data"
            assert first[1]["router"] == "east"
            later = [await receive_until(ws, of_type("router_data")) for _ in range(6)]
            assert {m["router"] for m in later} == {"east"}


async def test_ws_router_needs_a_known_router(make_rig: MakeRig) -> None:
    rig = await make_rig(("east", "west"), start_monitor=False)
    for path, code in (
        ("/ws/router", "router_required"),
        ("/ws/router?router=nowhere", "unknown_router"),
        ("/ws/monitor?router=nowhere", "unknown_router"),
    ):
        async with rig.http.ws_connect(rig.ws_url + path) as ws:
            error = await receive_json(ws)
            assert error["type"] == "error"
            assert error["code"] == code
            assert error["routers"] == ["east", "west"]
            closing = await ws.receive()
            assert closing.type is aiohttp.WSMsgType.CLOSE
            assert ws.close_code == 1008


async def test_malformed_input_gets_an_error_and_the_connection_stays(make_rig: MakeRig) -> None:
    rig = await make_rig(("east", "west"), start_monitor=False, heartbeat_interval=3600)
    cases: list[tuple[str | bytes, str]] = [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_message"),
        ('{"no_type": 1}', "bad_message"),
        ('{"type": 7}', "bad_message"),
        ('{"type": "dance"}', "unknown_type"),
        ('{"type": "subscribe", "routers": "east"}', "bad_field"),
        ('{"type": "subscribe", "routers": ["east", 3]}', "bad_field"),
        ('{"type": "subscribe", "routers": ["nowhere"]}', "unknown_router"),
        ("[" * 3000, "bad_message"),
        ('{"type": "subscribe", "routers": ' + "[" * 3000, "bad_field"),
        ('{"type": "ping", "x": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + "}", "bad_json"),
        ('{"type": "command", "action": "reboot"}', "bad_field"),
        (b"\x00\x01binary", "binary_not_supported"),
        ("x" * 200_000, "message_too_large"),
        # 6 KB of nesting used to kill the handler with a RecursionError (issue 14 item 3).
        ("[" * 3000 + "]" * 3000, "bad_message"),
        ('{"type": "subscribe", "routers": ' + "[" * 3000 + "]" * 3000 + "}", "bad_field"),
        # Brackets inside strings are text, not nesting.
        ('{"type": "' + "[" * 3000 + '"}', "unknown_type"),
    ]
    async with websockets.connect(rig.ws_url + "/ws/monitor", max_size=None) as websocket:
        for _ in range(4):  # welcome, two router_data, system_status
            await websocket.recv()
        for frame, code in cases:
            await websocket.send(frame)
            async with asyncio.timeout(WAIT):
                error = json.loads(await websocket.recv())
            assert error["type"] == "error", frame
            assert error["code"] == code
            assert error["message"]
            assert error["timestamp"].endswith("Z")
        await websocket.send("ping")
        async with asyncio.timeout(WAIT):
            assert json.loads(await websocket.recv())["type"] == "pong"
    _, stats = await rig.get("/api/websocket_stats")
    assert stats["data"]["errors_sent"] == len(cases)


async def test_a_command_message_is_answered(make_rig: MakeRig) -> None:
    """Remote commands are off by default: the reply says so; the connection stays."""
    rig = await make_rig(start_monitor=False, heartbeat_interval=3600)
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        for _ in range(3):
            await receive_json(ws)
        await ws.send_str(json.dumps({"type": "command", "id": 41, "command": "display version"}))
        reply = await receive_json(ws)
        assert reply["id"] == 41
        assert reply["timestamp"].endswith("Z")
        assert reply["type"] != "router_data"
        await ws.send_str("ping")
        assert (await receive_json(ws))["type"] == "pong"


async def test_one_poll_round_is_one_router_data(make_rig: MakeRig) -> None:
    """Engine events published together are coalesced per router; each kind maps once."""
    rig = await make_rig(("east", "west"), start_monitor=False, heartbeat_interval=3600)
    bus = rig.monitor.bus
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        for _ in range(4):  # welcome, router_data x2, system_status
            await receive_json(ws)
        # A subscriber round of `east` as the poller publishes it, plus one `west` section.
        for section in ("online_total", "domains", "ip_pools", "slots", "subscribers"):
            bus.publish(RouterDataUpdated("east", section, None, 10.0))
        bus.publish(RouterDataUpdated("west", "cpu", None, 10.0))
        bus.publish(TrafficSampled("west", (), 10.0))
        bus.publish(RouterStateChanged("east", PoolState.UNREACHABLE, None, "refused", 10.0))
        bus.publish(PollFailed("east", "cpu", "refused", 10.0))
        batch = [await receive_json(ws) for _ in range(3)]
        assert [(m["type"], m.get("router")) for m in batch] == [
            ("router_data", "east"),
            ("router_data", "west"),
            ("system_status", None),
        ]
        assert list(batch[0]["data"]) == ["online_total", "pppoe_stats"]
        assert list(batch[1]["data"]) == ["system_metrics", "network_traffic"]
        await ws.send_str("ping")  # nothing else was sent for that batch
        assert (await receive_json(ws))["type"] == "pong"
    _, stats = await rig.get("/api/websocket_stats")
    assert stats["data"]["broadcasts"] == 3


async def test_clients_connecting_together_share_one_encoded_picture(make_rig: MakeRig) -> None:
    """A connection storm costs one picture per router, not one per client; anything the
    publisher sends afterwards is in the picture of those who connect later."""
    rig = await make_rig(start_monitor=False, heartbeat_interval=3600)
    ctx = rig.server.context
    ctx.picture = Picture(ctx, max_age=3600)  # however slow the machine, no rebuild by age
    firsts = []
    for _ in range(3):
        async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
            await receive_json(ws)  # welcome
            firsts.append(await receive_json(ws))
    assert firsts[0]["type"] == "router_data"
    assert firsts[0] == firsts[1] == firsts[2]  # the same bytes, built once
    broadcasts = ctx.stats.broadcasts
    rig.monitor.bus.publish(RouterDataUpdated("sim", "cpu", None, 10.0))
    async with asyncio.timeout(WAIT):
        while ctx.stats.broadcasts == broadcasts:  # the publisher sent it
            await asyncio.sleep(0.01)
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        await receive_json(ws)
        later = await receive_json(ws)
    assert later["epoch"] > firsts[0]["epoch"]  # rebuilt after the news
