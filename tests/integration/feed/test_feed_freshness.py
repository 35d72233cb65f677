"""Stale data over the real feed: HTTP answers, WebSocket messages, /metrics and /health,
read with real aiohttp clients while the simulated router hangs commands or the engine
stops publishing altogether."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.integration.feed.conftest import WAIT, FeedRig, MakeRig, receive_until
from tests.integration.feed.test_feed_metrics import Samples, labelled, scrape, value
from tests.integration.feed.test_feed_openapi import served_document

ROUTER = "sim"
HUNG = {"display access-user online-total", "display ip pool"}


async def poll_until(rig: FeedRig, path: str, check: Any) -> dict[str, Any]:
    """GET `path` until `check(body)` holds; the body then."""
    async with asyncio.timeout(WAIT):
        while True:
            status, body = await rig.get(path)
            assert status in (200, 503), body
            if check(body):
                return body
            await asyncio.sleep(0.05)


def section_up(samples: Samples, section: str) -> float:
    return value(samples, "ne8000_section_up", router=ROUTER, section=section)


async def test_hanging_commands_are_served_stale_everywhere(make_rig: MakeRig) -> None:
    rig = await make_rig((ROUTER,), command_timeout=1.0)
    fresh = await poll_until(
        rig, "/api/pppoe_stats", lambda b: b["collected"] and b["data"]["total"] is not None
    )
    assert (fresh["stale"], fresh["state"], fresh["error"]) == (False, "fresh", None)
    samples = await scrape(rig.url, rig.http)
    assert value(samples, "ne8000_subscribers_online", router=ROUTER) > 0
    assert section_up(samples, "online_total") == 1

    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        rig.simulators[ROUTER].faults.hang_commands = set(HUNG)
        # The WebSocket says so (late answers are stale too, so wait for the timeout).
        message = await receive_until(
            ws,
            lambda m: (
                m["type"] == "router_data"
                and (m["data"].get("pppoe_stats") or {}).get("stale") is True
                and m["data"]["pppoe_stats"]["error"] is not None
            ),
        )
        pushed = message["data"]["pppoe_stats"]
        assert pushed["error"]["code"] == "timeout"
        assert pushed["error"]["section"] in {"online_total", "ip_pools"}

    stale = await poll_until(
        rig,
        "/api/pppoe_stats",
        lambda b: (
            b["stale"]
            and b["data"]["sources"]["subscribers"]["state"] == "stale"
            and b["data"]["sources"]["ip_pools"]["consecutive_failures"] >= 1
        ),
    )
    assert stale["collected"] is False  # stale is not "collected"
    assert stale["state"] == "stale"
    assert stale["data"]["total"] is not None  # the last figure, shown marked
    # It keeps the time the router gave it (the oldest of its inputs), never "now".
    assert stale["collected_at"] <= fresh["timestamp"]
    assert stale["collected_at"] < stale["timestamp"]
    assert stale["age_s"] > 0
    assert stale["error"]["code"] == "timeout"
    total = await poll_until(rig, "/api/online_total", lambda b: b["stale"])
    assert total["collected"] is False
    system = await poll_until(rig, "/api/system_metrics", lambda b: b["collected"])
    assert system["stale"] is False  # the commands that answer stay fresh

    # /metrics drops the stale gauges and says per section why.
    samples = await scrape(rig.url, rig.http)
    assert ROUTER not in labelled(samples, "ne8000_subscribers_online", "router")
    assert ROUTER not in labelled(samples, "ne8000_ip_pool_usage_ratio", "router")
    assert section_up(samples, "online_total") == 0
    assert section_up(samples, "ip_pools") == 0
    # (cpu is not asserted fresh here: the hung commands hold the router's sessions, so
    # with these tiny intervals its answers may come late, and late is stale.)
    assert value(samples, "ne8000_section_consecutive_failures", router=ROUTER, section="cpu") == 0
    assert (
        value(samples, "ne8000_section_consecutive_failures", router=ROUTER, section="online_total")
        >= 1
    )
    last_success = value(
        samples,
        "ne8000_section_last_success_timestamp_seconds",
        router=ROUTER,
        section="online_total",
    )
    assert last_success == rig.monitor.snapshot(ROUTER).records["online_total"].collected_at

    # /health: reachable, but degraded, naming the failing sections.
    health = await poll_until(rig, "/health", lambda b: b["status"] == "degraded")
    sections = health["routers"][ROUTER]["sections"]
    assert {"online_total", "ip_pools"} <= set(sections)
    assert sections["online_total"]["error"] == "timeout"
    assert sections.get("cpu", {"error": None})["error"] is None

    # /api/router_status: per-section errors; the router's last error is one of them.
    _, status = await rig.get(f"/api/router_status?router={ROUTER}")
    (entry,) = status["routers"]
    assert entry["sections"]["ip_pools"]["error"]["code"] == "timeout"
    assert entry["sections"]["ip_pools"]["consecutive_failures"] >= 1
    assert entry["sections"]["cpu"]["error"] is None
    assert {"online_total", "ip_pools"} <= set(entry["failing_sections"])
    assert entry["last_error"].split(":")[0] in {"online_total", "ip_pools", "subscribers"}

    # Every stale answer and message is what /openapi.json documents.
    served = await served_document(rig)
    served.check("PppoeStatsAnswer", stale)
    served.check("RouterDataMessage", message)
    served.check("HealthAnswer", health)
    served.check("RouterStatusAnswer", status)

    rig.simulators[ROUTER].faults.hang_commands = set()
    await poll_until(rig, "/api/pppoe_stats", lambda b: b["collected"])
    await poll_until(rig, "/health", lambda b: b["status"] == "ok")


async def test_data_turns_stale_by_the_clock_with_no_event_at_all(make_rig: MakeRig) -> None:
    rig = await make_rig((ROUTER,), freshness_interval=0.1)
    await rig.collected(ROUTER, ("online_total", "cpu"))
    async with rig.http.ws_connect(rig.ws_url + "/ws/monitor") as ws:
        first = await receive_until(ws, lambda m: m["type"] == "router_data")
        assert first["data"]["online_total"]["stale"] is False
        await rig.freeze()  # the engine stops: no poll, no event, ever again
        turned = await receive_until(
            ws,
            lambda m: (
                m["type"] == "router_data"
                and (m["data"].get("online_total") or {}).get("stale") is True
            ),
        )
        section = turned["data"]["online_total"]
        assert section["collected_epoch"] == first["data"]["online_total"]["collected_epoch"]
        assert section["error"] is None  # nothing failed: no answer came in time
        assert section["sources"]["online_total"]["state"] == "stale"
    _, body = await rig.get("/api/online_total")
    assert (body["collected"], body["stale"]) == (False, True)
    samples = await scrape(rig.url, rig.http)
    assert ROUTER not in labelled(samples, "ne8000_subscribers_online", "router")
    assert section_up(samples, "online_total") == 0
