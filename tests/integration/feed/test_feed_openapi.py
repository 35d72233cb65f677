"""`/openapi.json` against the real application: every route documented, real answers valid."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from app.feed.application import build_application
from app.feed.server import FeedServer
from tests.integration.feed.conftest import LOCAL, WAIT, FeedRig, MakeRig

ROUTER = "sim"
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


class Checker:
    """The document a server serves, and validation of real answers against it."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def check(self, schema: str | dict[str, Any], instance: object) -> None:
        """Validate `instance` against a component (by name) or a schema of the document."""
        if isinstance(schema, str):
            schema = {"$ref": f"#/components/schemas/{schema}"}
        errors = sorted(
            Draft202012Validator(
                {**schema, "components": self.document["components"]}
            ).iter_errors(instance),
            key=lambda e: e.json_path,
        )
        assert not errors, [f"{e.json_path}: {e.message}" for e in errors[:5]]

    def response_schema(self, path: str, method: str, status: int) -> dict[str, Any]:
        response = self.document["paths"][path][method.lower()]["responses"][str(status)]
        return response["content"]["application/json"]["schema"]


async def served_document(rig: FeedRig, headers: dict[str, str] | None = None) -> Checker:
    async with rig.http.get(rig.url + "/openapi.json", headers=headers or {}) as answer:
        assert answer.status == 200
        assert answer.content_type == "application/json"
        return Checker(await answer.json())


def registered_operations(server: FeedServer) -> set[tuple[str, str]]:
    """(path template, method) of every route the feed application registers."""
    app = build_application(server.context)  # the very builder FeedServer.start uses
    operations = set()
    for route in app.router.routes():
        if route.method in HTTP_METHODS:
            operations.add((route.resource.canonical, route.method.lower()))
    return operations


def documented_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item}


async def test_every_registered_route_is_documented_and_nothing_else(make_rig: MakeRig) -> None:
    rig = await make_rig(start_monitor=False)
    served = await served_document(rig)
    validate(served.document)
    assert served.document["info"]["version"] == "9.9-test"
    registered = registered_operations(rig.server)
    assert ("/metrics", "get") in registered
    assert ("/api/execute_command", "post") in registered
    assert ("/ws/router", "get") in registered
    assert documented_operations(served.document) == registered


async def test_http_answers_match_their_documented_schemas(make_rig: MakeRig) -> None:
    rig = await make_rig(start_monitor=False)
    served = await served_document(rig)
    # Before the first poll: the router is not reachable yet, so /health says 503.
    async with rig.http.get(rig.url + "/health") as answer:
        assert answer.status == 503
        served.check(served.response_schema("/health", "get", 503), await answer.json())
    await rig.monitor.start()
    async with asyncio.timeout(WAIT):
        while rig.monitor.snapshot(ROUTER).data("subscribers") is None:
            await asyncio.sleep(0.05)
    for path in (
        "/health",
        "/api/online_total",
        "/api/system_metrics",
        "/api/interfaces_status",
        "/api/network_traffic",
        "/api/pppoe_stats",
        "/api/router_status",
        "/api/cache_statistics",
        "/api/websocket_stats",
    ):
        async with rig.http.get(rig.url + path) as answer:
            assert answer.status == 200, path
            served.check(served.response_schema(path, "get", 200), await answer.json())
    async with rig.http.get(rig.url + "/api/system_metrics?router=nope") as answer:
        assert answer.status == 404
        served.check(served.response_schema("/api/system_metrics", "get", 404), await answer.json())
    async with rig.http.post(
        rig.url + "/api/execute_command", json={"command": "display version"}
    ) as answer:
        assert answer.status == 403
        served.check(
            served.response_schema("/api/execute_command", "post", 403), await answer.json()
        )


async def test_websocket_messages_match_their_documented_schemas(make_rig: MakeRig) -> None:
    # A dead router raises an `unreachable` alert; a short heartbeat interval shows one.
    rig = await make_rig((ROUTER,), dead=("gone",), heartbeat_interval=0.2)
    served = await served_document(rig)
    async with asyncio.timeout(WAIT):
        while rig.monitor.snapshot(ROUTER).data("cpu") is None:
            await asyncio.sleep(0.05)
    server_messages = served.document["x-websocket"]["serverMessages"]
    seen: set[str] = set()
    async with rig.http.ws_connect(rig.url + "/ws/monitor") as ws:
        await ws.send_str("ping")
        await ws.send_str(json.dumps({"type": "subscribe", "routers": [ROUTER, "gone"]}))
        await ws.send_str("{not json")
        await ws.send_str(json.dumps({"type": "command", "command": "display version"}))
        async with asyncio.timeout(WAIT):
            while (
                not {
                    "welcome",
                    "router_data",
                    "system_status",
                    "alert",
                    "heartbeat",
                    "pong",
                    "subscribed",
                    "error",
                }
                <= seen
            ):
                message = await ws.receive_json()
                kind = message["type"]
                assert kind in server_messages, kind
                served.check(server_messages[kind]["$ref"].rsplit("/", 1)[1], message)
                seen.add(kind)


async def test_with_a_token_the_document_needs_it_too(make_rig: MakeRig) -> None:
    rig = await make_rig(options=replace(LOCAL, token="t0ken"), start_monitor=False)
    async with rig.http.get(rig.url + "/openapi.json") as answer:
        assert answer.status == 401
        body = await answer.json()
    served = await served_document(rig, {"X-API-Token": "t0ken"})
    served.check(served.response_schema("/openapi.json", "get", 401), body)
    async with rig.http.get(rig.url + "/metrics?token=wrong") as answer:
        assert answer.status == 403
        served.check(served.response_schema("/metrics", "get", 403), await answer.json())
