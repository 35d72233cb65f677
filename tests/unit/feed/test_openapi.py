"""The OpenAPI document: valid 3.1, every message and error response described."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from app.feed.openapi import CLIENT_MESSAGES, SERVER_MESSAGES, build_document

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
    assert set(interface["required"]) == {"interface", "action", "confirm"}


def test_health_and_metrics(document: dict[str, Any]) -> None:
    health = document["paths"]["/health"]["get"]["responses"]
    assert set(health) == {"200", "503", "401", "403"}
    assert health["503"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Health"
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
        assert schema["properties"]["type"] == {"const": name}
        assert "timestamp" in schema["properties"]
    for channel in extension["channels"]:
        operation = document["paths"][channel]["get"]
        assert "101" in operation["responses"]
        assert operation["x-websocket"]["channel"] == channel
        assert set(operation["x-websocket"]["clientMessages"]) == set(CLIENT_MESSAGES)


def test_command_message_variants(document: dict[str, Any]) -> None:
    variants = document["components"]["schemas"]["CommandMessage"]["anyOf"]
    required = [set(variant["required"]) for variant in variants]
    assert required == [{"type", "command"}, {"type", "interface", "action", "confirm"}]
