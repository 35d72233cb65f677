"""The HTTP API over real HTTP: every endpoint, router selection, data before collection."""

from __future__ import annotations

import asyncio
from typing import Any

from app.domain.interfaces import InterfaceBrief, InterfaceDetail
from app.domain.subscribers import AccessUserCounters
from app.domain.system import CpuUsage, MemoryUsage, Version
from app.engine.subscribers import SubscriberSummary
from app.feed.broadcast import DEFAULT_QUEUE_SIZE
from app.feed.wire.base import MAX_SAFE_INTEGER
from tests.integration.feed.conftest import WAIT, FeedRig, MakeRig

UPLINK = "GigabitEthernet0/3/1"
DATA_ENDPOINTS = (
    "online_total",
    "system_metrics",
    "interfaces_status",
    "network_traffic",
    "pppoe_stats",
)


def as_json_int(value: int | None) -> int | str | None:
    """What the feed sends for an integer: a string beyond 2**53-1."""
    if value is None:
        return None
    return str(value) if abs(value) > MAX_SAFE_INTEGER else value


def without_ages(value: Any) -> Any:
    """`value` without its `age_s` fields (they grow between two reads)."""
    if isinstance(value, dict):
        return {k: without_ages(v) for k, v in value.items() if k != "age_s"}
    if isinstance(value, list):
        return [without_ages(v) for v in value]
    return value


async def traffic_rate_known(rig: FeedRig, router: str, interface: str) -> None:
    async with asyncio.timeout(WAIT):
        while rig.monitor.history.latest(router, f"if.{interface}.in_bps") is None:
            await asyncio.sleep(0.05)


async def collected_and_frozen(rig: FeedRig) -> None:
    await rig.collected("sim")
    await traffic_rate_known(rig, "sim", UPLINK)
    await asyncio.sleep(0.1)  # let the feed's publisher take the last events
    await rig.freeze()


async def test_data_endpoints_answer_the_engine_snapshot(make_rig: MakeRig) -> None:
    rig = await make_rig()
    await collected_and_frozen(rig)
    snapshot = rig.monitor.snapshot("sim")
    answers: dict[str, Any] = {}
    for name in DATA_ENDPOINTS:
        status, body = await rig.get(f"/api/{name}")
        assert status == 200, body
        assert body["success"] is True
        assert body["router"] == "sim"
        assert body["collected"] is True
        assert body["timestamp"].endswith("Z")
        assert body["data"]["collected_at"].endswith("Z")
        answers[name] = body["data"]

    # The WebSocket sends the very same sections (one serializer for both); only the
    # ages differ, as the answers were read a moment apart.
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        await ws.receive()
        initial = await ws.receive_json()
    assert initial["type"] == "router_data"
    assert without_ages(initial["data"]) == without_ages(answers)

    online = snapshot.data("online_total")
    assert isinstance(online, AccessUserCounters)
    assert answers["online_total"]["total"] == online.total_users
    assert answers["online_total"]["total"] == rig.simulators["sim"].state.total_users()
    assert answers["online_total"]["counters"] == online.counters

    cpu, memory, version = (snapshot.data(s) for s in ("cpu", "memory", "version"))
    assert isinstance(cpu, CpuUsage)
    assert isinstance(memory, MemoryUsage)
    assert isinstance(version, Version)
    system = answers["system_metrics"]
    assert system["cpu_percent"] == cpu.cpu_percent
    assert system["memory_percent"] == memory.memory_percent
    assert system["memory_total_bytes"] == memory.total_bytes
    assert system["uptime_seconds"] == version.uptime_seconds
    assert system["model"] == version.model
    assert system["cpu"]["five_minutes"] == cpu.five_minutes

    brief = snapshot.data("interface_brief")
    assert isinstance(brief, InterfaceBrief)
    interfaces = answers["interfaces_status"]
    assert interfaces["count"] == len(brief.interfaces)
    assert [row["name"] for row in interfaces["interfaces"]] == [r.name for r in brief.interfaces]
    assert interfaces["up"] == sum(1 for r in brief.interfaces if r.phy_up)
    assert interfaces["up"] + interfaces["down"] == interfaces["count"]

    details = snapshot.data("traffic")
    assert isinstance(details, dict)
    traffic = {row["name"]: row for row in answers["network_traffic"]["interfaces"]}
    assert set(traffic) == set(details)
    for name, detail in details.items():
        assert isinstance(detail, InterfaceDetail)
        for counter in ("input_bytes", "output_bytes", "input_packets", "output_packets"):
            assert traffic[name][counter] == as_json_int(getattr(detail, counter))
    # The simulator's busiest ports are past 2**53 bytes: those go out as strings.
    big = [row["name"] for row in traffic.values() if isinstance(row["output_bytes"], str)]
    assert big
    assert all(int(traffic[name]["output_bytes"]) > MAX_SAFE_INTEGER for name in big)
    rate = rig.monitor.history.latest("sim", f"if.{UPLINK}.in_bps")
    assert rate is not None
    assert traffic[UPLINK]["in_bps"] == rate[1] == 0.0  # frozen box: counters stand still
    assert traffic[UPLINK]["in_pps"] == 0.0
    assert traffic[UPLINK]["gap"] is None

    summary = snapshot.data("subscribers")
    assert isinstance(summary, SubscriberSummary)
    pppoe = answers["pppoe_stats"]
    assert pppoe["total"] == summary.total
    assert summary.pools is not None
    assert [p["name"] for p in pppoe["pools"]] == [p.name for p in summary.pools]
    assert [p["used"] for p in pppoe["pools"]] == [as_json_int(p.used) for p in summary.pools]
    assert summary.domains is not None
    assert {d["name"]: d["online"] for d in pppoe["domains"]} == {
        d.name: d.online for d in summary.domains
    }


async def test_status_cache_and_websocket_statistics(make_rig: MakeRig) -> None:
    rig = await make_rig()
    await rig.collected("sim")
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        await ws.receive()
        status, body = await rig.get("/api/websocket_stats")
        assert status == 200
        assert body["data"]["clients"] == 1
        assert body["data"]["connections"] == 1
        assert body["data"]["queue_size"] == DEFAULT_QUEUE_SIZE
        (client,) = body["data"]["connections_by_client"]
        assert (client["dropped"], client["conflated"]) == (0, 0)
    status, body = await rig.get("/api/router_status")
    assert status == 200
    (entry,) = body["routers"]
    assert entry["router"] == "sim"
    assert entry["state"] == "connected"
    assert entry["reachable"] is True
    assert entry["polls"] > 0
    assert set(entry["last_poll_seconds"]) == {"system", "interfaces", "pppoe", "traffic"}
    assert entry["latency_seconds"] == min(entry["last_poll_seconds"].values())
    await rig.freeze()

    status, body = await rig.get("/api/cache_statistics")
    assert status == 200
    stats = rig.monitor.cache_statistics()
    data = body["data"]
    assert (data["hits"], data["misses"], data["loads"]) == (stats.hits, stats.misses, stats.loads)
    assert (data["coalesced"], data["load_failures"]) == (stats.coalesced, stats.load_failures)
    assert data["max_entries"] == stats.max_entries
    # Entries expire as time passes (TTL 0.1 s here), so only their shape is compared.
    assert data["entries"] == len(data["entry_ages"]) > 0
    kinds = {"system", "interfaces", "pppoe", "traffic"}
    for entry in data["entry_ages"]:
        assert entry["router"] == "sim"
        assert entry["kind"] in kinds
        assert entry["item"].startswith("display ")
        assert entry["ttl"] == 0.1
    status, narrowed = await rig.get("/api/cache_statistics?router=sim")
    assert status == 200
    assert narrowed["router"] == "sim"


async def test_router_selection_with_several_routers(make_rig: MakeRig) -> None:
    rig = await make_rig(("east", "west"))
    await rig.collected("east", ("online_total",))
    await rig.collected("west", ("online_total", "cpu"))
    status, body = await rig.get("/api/router_status")
    assert [entry["router"] for entry in body["routers"]] == ["east", "west"]
    status, body = await rig.get("/api/router_status?router=east")
    assert [entry["router"] for entry in body["routers"]] == ["east"]
    status, body = await rig.get("/api/router_status?router=nowhere")
    assert status == 404
    await rig.freeze()

    for name in DATA_ENDPOINTS[1:]:
        status, body = await rig.get(f"/api/{name}")
        assert status == 400
        assert body["success"] is False
        assert body["error"]["code"] == "router_required"
        assert body["error"]["routers"] == ["east", "west"]

    status, body = await rig.get("/api/system_metrics?router=west")
    assert status == 200
    assert body["router"] == "west"
    cpu = rig.monitor.snapshot("west").data("cpu")
    assert isinstance(cpu, CpuUsage)
    assert body["data"]["cpu_percent"] == cpu.cpu_percent

    status, body = await rig.get("/api/pppoe_stats?router=nowhere")
    assert status == 404
    assert body["error"]["code"] == "unknown_router"
    assert body["error"]["routers"] == ["east", "west"]

    # online_total without a router: every router and the sum.
    status, body = await rig.get("/api/online_total")
    assert status == 200
    totals = {
        name: rig.monitor.snapshot(name).data("online_total").total_users
        for name in ("east", "west")
    }
    assert {name: entry["data"]["total"] for name, entry in body["routers"].items()} == totals
    assert body["total"] == sum(totals.values())
    assert body["collected"] is True


async def test_data_not_collected_yet_is_null_not_zero(make_rig: MakeRig) -> None:
    rig = await make_rig(("live",), dead=("dead",))
    await rig.collected("live", ("online_total",))
    for name in DATA_ENDPOINTS:
        status, body = await rig.get(f"/api/{name}?router=dead")
        assert status == 200
        assert body["collected"] is False
        assert body["data"] is None
        assert body["message"] == "not collected yet"
    status, body = await rig.get("/api/online_total")
    dead = body["routers"]["dead"]
    assert (dead["collected"], dead["data"], dead["state"], dead["stale"]) == (
        False,
        None,
        "never",
        False,
    )
    assert body["routers"]["live"]["collected"] is True
    assert body["total"] is None  # a partial sum would read as a mass drop
    assert body["collected"] is False

    # One of two routers is reachable: healthy but degraded.
    async with asyncio.timeout(WAIT):
        while True:
            status, health = await rig.get("/health")
            if health["routers"]["dead"]["state"] == "unreachable":
                break
            await asyncio.sleep(0.05)
    assert status == 200
    assert health["status"] == "degraded"
    assert health["routers"]["live"] == {
        "state": "connected",
        "reachable": True,
        "last_error": None,
        "sections": {},
    }
    assert health["routers"]["dead"]["reachable"] is False
    assert health["routers"]["dead"]["last_error"]
    # The dead router's sections failed without ever answering: listed, never stale.
    assert health["routers"]["dead"]["sections"]["cpu"]["state"] == "never"
    assert health["routers"]["dead"]["sections"]["cpu"]["error"] == "unreachable"


async def test_health_is_503_once_the_only_router_is_gone(make_rig: MakeRig) -> None:
    rig = await make_rig()
    await rig.collected("sim", ("online_total",))
    status, health = await rig.get("/health")
    assert status == 200
    assert health["status"] == "ok"
    assert health["version"] == "9.9-test"
    assert health["routers"]["sim"]["reachable"] is True

    await rig.simulators["sim"].close()
    async with asyncio.timeout(WAIT):  # the pool retries: unreachable, connecting, ...
        while True:
            status, health = await rig.get("/health")
            if health["routers"]["sim"]["state"] == "unreachable":
                break
            await asyncio.sleep(0.02)
    assert health["success"] is False
    assert health["status"] == "unavailable"
    assert health["routers"]["sim"]["reachable"] is False
    assert health["routers"]["sim"]["last_error"]


async def test_unknown_path_and_method_are_json_errors(make_rig: MakeRig) -> None:
    rig = await make_rig(start_monitor=False)
    status, body = await rig.get("/api/nothing_here")
    assert status == 404
    assert body["error"]["code"] == "not_found"
    async with rig.http.post(rig.url + "/api/online_total") as answer:
        assert answer.status == 405
        assert (await answer.json())["error"]["code"] == "method_not_allowed"
    # Before the first poll: null data and the flag, never zeros.
    status, body = await rig.get("/api/online_total")
    assert (status, body["collected"], body["data"]) == (200, False, None)
