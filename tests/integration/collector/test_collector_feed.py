"""What the feed gives desktop seats beyond the data: who they are and the collector's
rules, the active alerts, one acknowledgement shared by every seat (audited, rate-limited),
the change workflow with its preview pinned to the lines shown, and each seat's own audit
entries. Real HTTP and WebSocket clients against the runtime `serve` builds."""

from __future__ import annotations

import asyncio
import json

from app.domain.alerts import AlertKind
from app.engine.ratelimit import LimitKind
from app.feed.collector import ACKNOWLEDGE_LIMITS
from tests.integration.collector.conftest import (
    ROUTER,
    UPLINK,
    CollectorRig,
    MakeCollector,
)
from tests.integration.feed.test_feed_openapi import Checker

WAIT = 30.0


async def _interfaces_known(rig: CollectorRig) -> None:
    async with asyncio.timeout(WAIT):
        while UPLINK not in rig.runtime.monitor.workflow._interfaces.names(ROUTER):
            await asyncio.sleep(0.05)


def _a_port_in_service(rig: CollectorRig) -> str:
    """A GigabitEthernet port that is up and no uplink: safe to shut and bring back."""
    brief = rig.runtime.monitor.snapshot(ROUTER).data("interface_brief")
    return next(
        row.name
        for row in getattr(brief, "interfaces", ())
        if row.name.startswith("GigabitEthernet") and not row.admin_down and row.name != UPLINK
    )


def _admin_down(rig: CollectorRig, name: str) -> bool | None:
    brief = rig.runtime.monitor.snapshot(ROUTER).data("interface_brief")
    return next((row.admin_down for row in getattr(brief, "interfaces", ()) if row.name == name),
                None)


async def test_a_seat_learns_who_it_is_and_the_collectors_rules(collector: CollectorRig) -> None:
    status, info = await collector.get("/api/collector", "noc-1")
    assert status == 200
    assert (info["seat"], info["auth"]) == ("noc-1", "seat")
    assert info["remote_commands"] is True
    assert info["operator_mode"] is True
    assert info["routers"] == {ROUTER: {"monitored": [UPLINK]}}
    thresholds = collector.runtime.settings.thresholds
    assert info["thresholds"]["pool_percent"] == thresholds.pool_percent
    assert info["thresholds"]["cpu_percent"] == thresholds.cpu_percent
    status, shared = await collector.get("/api/collector", "shared")
    assert (shared["seat"], shared["auth"]) == (None, "token")
    async with collector.http.get(collector.url + "/api/collector") as answer:
        assert answer.status == 401  # the token rule holds here too


async def _drop_alert(rig: CollectorRig) -> dict:
    async with asyncio.timeout(WAIT):  # the total before the drop, or no drop is seen
        while (await rig.get("/api/online_total", "noc-2", router=ROUTER))[1]["data"] is None:
            await asyncio.sleep(0.05)
    rig.simulator.faults.schedule_mass_drop(0.6)
    async with asyncio.timeout(WAIT):
        while True:
            _, answer = await rig.get("/api/alerts", "noc-2", router=ROUTER)
            drops = [a for a in answer["alerts"] if a["kind"] == AlertKind.SUBSCRIBER_DROP]
            if drops:
                return drops[0]
            await asyncio.sleep(0.1)


async def test_an_acknowledgement_reaches_every_seat_and_the_audit_log(
    collector: CollectorRig,
) -> None:
    alert = await _drop_alert(collector)
    assert alert["acknowledged_by"] is None
    async with collector.http.ws_connect(
        collector.url + "/ws/monitor", headers=collector.headers("noc-2")
    ) as other_seat:
        status, answer = await collector.post(
            "/api/alerts/acknowledge", "noc-1", {"id": alert["id"], "user": "maria"}
        )
        assert status == 200, answer
        assert answer["alert"]["acknowledged_by"] == "maria@noc-1"
        async with asyncio.timeout(WAIT):
            while True:
                message = json.loads((await other_seat.receive()).data)
                if (
                    message["type"] == "alert"
                    and message["alert"]["id"] == alert["id"]
                    and message["alert"]["acknowledged_by"] == "maria@noc-1"
                ):
                    break
    [engine_alert] = [a for a in collector.runtime.monitor.active_alerts() if a.id == alert["id"]]
    assert engine_alert.acknowledged_by == "maria@noc-1"
    [entry] = [e for e in collector.audit() if e["outcome"] == "acknowledged"]
    assert entry["router"] == ROUTER
    assert entry["client"]["seat"] == "noc-1"
    assert alert["id"] in entry["detail"]

    status, answer = await collector.post(
        "/api/alerts/acknowledge", "noc-1", {"id": "no-such-alert"}
    )
    assert (status, answer["error"]["code"]) == (404, "unknown_alert")
    budget = ACKNOWLEDGE_LIMITS[LimitKind.DATA]
    statuses = [
        (await collector.post("/api/alerts/acknowledge", "noc-2", {"id": alert["id"]}))[0]
        for _ in range(budget)
    ]
    assert statuses[-1] == 429  # the first one above counted too
    assert set(statuses[:-1]) == {200}


async def test_a_change_is_previewed_and_sent_only_with_the_lines_shown(
    collector: CollectorRig,
) -> None:
    await _interfaces_known(collector)
    port = _a_port_in_service(collector)
    request = {"router": ROUTER, "action": "shutdown", "interface": port.replace(
        "GigabitEthernet", "GE")}  # abbreviated, as an operator types it
    status, preview = await collector.post("/api/change/preview", "noc-1", request)
    assert status == 200, preview
    assert preview["lines"] == [
        "system-view", f"interface {port}", "shutdown", "commit", "return"
    ]
    assert preview["confirm_with"] == port
    assert _admin_down(collector, port) is False  # a preview sends nothing

    status, refused = await collector.post("/api/change", "noc-1", request)
    assert (status, refused["error"]["code"]) == (400, "confirmation_required")
    assert refused["error"]["preview"] == preview["lines"]
    shown_other = [*preview["lines"]]
    shown_other[1] = f"interface {UPLINK}"
    status, refused = await collector.post(
        "/api/change", "noc-1", {**request, "confirm": port, "lines": shown_other}
    )
    assert (status, refused["error"]["code"]) == (409, "preview_mismatch")
    assert _admin_down(collector, port) is False

    status, done = await collector.post(
        "/api/change", "noc-1", {**request, "confirm": port, "lines": preview["lines"]}
    )
    assert status == 200, done
    assert done["outcome"] == "committed"
    assert [step["command"] for step in done["transcript"]] == preview["lines"]
    assert done["transcript"][-1]["prompt_kind"] == "user"
    async with asyncio.timeout(WAIT):
        while _admin_down(collector, port) is not True:
            await asyncio.sleep(0.05)
    undo = {**request, "action": "undo_shutdown", "confirm": port}
    status, done = await collector.post("/api/change", "noc-1", undo)
    assert (status, done["outcome"]) == (200, "committed")

    committed = [e for e in collector.audit() if e["outcome"] == "committed"]
    assert [e["commands"][2] for e in committed] == ["shutdown", "undo shutdown"]
    assert {e["client"]["seat"] for e in committed} == {"noc-1"}

    status, mine = await collector.get("/api/audit", "noc-1", mine="1")
    assert status == 200
    assert [e["commands"][2] for e in mine["entries"] if e["outcome"] == "committed"] == [
        "shutdown", "undo shutdown"
    ]
    _, theirs = await collector.get("/api/audit", "noc-2", mine="1")
    assert theirs["entries"] == []  # noc-2 sent nothing
    _, every = await collector.get("/api/audit", "noc-2", router=ROUTER, limit="1")
    assert len(every["entries"]) == 1


async def test_a_subscriber_is_cut_through_the_collector(collector: CollectorRig) -> None:
    await _interfaces_known(collector)
    user = collector.simulator.state.subscribers.ordered()[0].username
    body = {"router": ROUTER, "action": "cut_user", "username": user}
    status, preview = await collector.post("/api/change/preview", "noc-2", body)
    assert status == 200, preview
    assert preview["lines"][2] == f"cut access-user username {user} all"
    status, done = await collector.post(
        "/api/change", "noc-2", {**body, "confirm": user, "lines": preview["lines"]}
    )
    assert status == 200, done
    assert done["outcome"] == "applied"
    assert done["users_cut"] is not None
    assert done["users_cut"] >= 1
    [entry] = [e for e in collector.audit() if e["outcome"] == "applied"]
    assert entry["client"]["seat"] == "noc-2"


async def test_changes_and_the_audit_log_follow_the_collectors_switches(
    make_collector: MakeCollector,
) -> None:
    rig = await make_collector(operator_mode=False)
    body = {"router": ROUTER, "action": "shutdown", "interface": UPLINK, "confirm": UPLINK}
    for path in ("/api/change/preview", "/api/change"):
        status, answer = await rig.post(path, "noc-1", body)
        assert (status, answer["error"]["code"]) == (403, "operator_mode_required")
    status, info = await rig.get("/api/collector", "noc-1")
    assert info["operator_mode"] is False
    status, _ = await rig.get("/api/audit", "noc-1")
    assert status == 200  # remote commands are on: their audit entries can be read


async def test_the_seat_endpoints_answer_as_documented(collector: CollectorRig) -> None:
    status, document = await collector.get("/openapi.json", "noc-1")
    assert status == 200
    served = Checker(document)
    await _interfaces_known(collector)
    port = _a_port_in_service(collector)
    change = {"router": ROUTER, "action": "shutdown", "interface": port}
    for path, seat, body, expected in (
        ("/api/change/preview", "noc-1", change, 200),
        ("/api/change", "noc-1", change, 400),
        ("/api/change", "noc-1", {**change, "confirm": port, "lines": ["return"]}, 409),
        ("/api/alerts/acknowledge", "noc-1", {"id": "none"}, 404),
    ):
        status, answer = await collector.post(path, seat, body)
        assert status == expected, (path, answer)
        served.check(served.response_schema(path, "post", expected), answer)
    for path, params in (
        ("/api/collector", {}),
        ("/api/alerts", {"router": ROUTER}),
        ("/api/audit", {"mine": "1"}),
        ("/api/history", {"router": ROUTER, "metric": "cpu.percent", "resolution": "5min",
                          "since": "-3600", "rollups": "1"}),
    ):
        status, answer = await collector.get(path, "noc-1", **params)
        assert status == 200, (path, answer)
        served.check(served.response_schema(path, "get", 200), answer)
    assert answer["series"][0]["rollups"] is not None  # 5-minute buckets with their extremes
