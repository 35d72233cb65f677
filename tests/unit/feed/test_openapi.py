"""The OpenAPI document: valid 3.1, every message and error response described."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from openapi_spec_validator import validate

from app.feed.openapi import CLIENT_MESSAGES, SERVER_MESSAGES, build_document
from app.feed.wire import messages as wire_messages
from app.feed.wire.sections import NetworkTrafficSection

COMMAND_PATHS = ("/api/execute_command", "/api/interface_command")


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document("9.8.7")


def _resolve(document: dict[str, Any], ref: str) -> dict[str, Any]:
    assert ref.startswith("#/components/schemas/"), ref
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)  # raises on any structural error
    assert document["openapi"] == "3.1.0"
    assert document["info"]["version"] == "9.8.7"


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    refs = _refs(document)
    assert len(refs) > 20
    for ref in refs:
        assert isinstance(_resolve(document, ref), dict)


def test_commands_document_their_refusals(document: dict[str, Any]) -> None:
    for path in COMMAND_PATHS:
        operation = document["paths"][path]["post"]
        assert {"200", "400", "401", "403", "429", "502", "504"} <= set(operation["responses"])
        assert "Retry-After" in operation["responses"]["429"]["headers"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert _resolve(document, body["$ref"])["type"] == "object"
    interface = document["components"]["schemas"]["InterfaceCommandRequest"]
    assert interface["properties"]["action"]["enum"] == ["shutdown", "undo_shutdown"]
    # Requests list only what a client must send (the confirmation may be missing: the
    # answer is then the preview).
    assert set(interface["required"]) == {"interface", "action"}


def test_health_and_metrics(document: dict[str, Any]) -> None:
    health = document["paths"]["/health"]["get"]["responses"]
    assert set(health) == {"200", "503", "401", "403"}
    assert health["503"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HealthAnswer"
    }
    metrics = document["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert next(iter(metrics)).startswith("text/plain; version=0.0.4")


def test_every_websocket_message_type_has_a_schema(document: dict[str, Any]) -> None:
    expected_server = {
        "welcome",
        "router_data",
        "system_status",
        "alert",
        "heartbeat",
        "pong",
        "error",
        "subscribed",
        "command_result",
    }
    assert set(SERVER_MESSAGES) == expected_server
    assert set(CLIENT_MESSAGES) == {"ping", "subscribe", "command"}
    extension = document["x-websocket"]
    assert extension["channels"] == ["/ws/monitor", "/ws/router"]
    for name, ref in extension["serverMessages"].items():
        schema = _resolve(document, ref["$ref"])
        assert schema["properties"]["type"] == {"enum": [name]}
        assert {"type", "timestamp", "epoch"} <= set(schema["required"])
    for channel in extension["channels"]:
        operation = document["paths"][channel]["get"]
        assert "101" in operation["responses"]
        assert operation["x-websocket"]["channel"] == channel
        assert set(operation["x-websocket"]["clientMessages"]) == set(CLIENT_MESSAGES)


def test_the_components_are_the_wire_types() -> None:
    """Generated from the types that are encoded: a field added to a type is documented."""
    document = build_document("1")
    schemas = document["components"]["schemas"]
    for name, kind in wire_messages.SERVER_MESSAGES.items():
        properties = schemas[kind.__name__]["properties"]
        fields = {f.encode_name for f in msgspec.structs.fields(kind)}
        assert set(properties) == fields | {"type"}, name
    section = schemas["NetworkTrafficSection"]
    assert {f.encode_name for f in msgspec.structs.fields(NetworkTrafficSection)} == set(
        section["properties"]
    )
    # Everything the server always sends is required; what it leaves out when it does not
    # apply is not.
    assert set(section["required"]) == set(section["properties"])
    error = schemas["ErrorMessage"]
    assert set(error["required"]) == {"type", "timestamp", "epoch", "code", "message"}
    counters = schemas["TrafficRow"]["properties"]["input_bytes"]
    assert {"type": "string"} in counters["anyOf"][0]["anyOf"]  # 64-bit counters: strings


def test_the_command_message_and_its_fields() -> None:
    document = build_document("1")
    command = document["components"]["schemas"]["CommandMessage"]
    assert command["required"] == ["type"]
    assert {"command", "interface", "action", "confirm", "id", "router"} <= set(
        command["properties"]
    )
    ping = document["components"]["schemas"]["PingMessage"]
    assert {"const": "ping"} in ping["anyOf"]
