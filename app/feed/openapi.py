"""`GET /openapi.json`: an OpenAPI 3.1 description of every endpoint and message of the feed.

The document is data written out here, next to the code it describes, and built once per
server. WebSocket channels cannot be expressed in OpenAPI proper, so each channel is a
`GET` operation answering `101 Switching Protocols` with an ``x-websocket`` extension that
names the messages the server sends and the client may send; every message has a schema
under ``components/schemas``. A test compares the documented paths with the routes the
aiohttp application really registers, so the two cannot drift apart silently.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from aiohttp import web

if TYPE_CHECKING:
    from app.feed.context import FeedContext

OPENAPI_PATH = "/openapi.json"
OPENAPI_VERSION = "3.1.0"

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Schema], *, required: tuple[str, ...] = ()) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _json(schema: Schema, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_STRING = {"type": "string"}
_NUMBER = {"type": "number"}
_INTEGER = {"type": "integer"}
_BOOLEAN = {"type": "boolean"}
_TIME = {"type": "string", "format": "date-time", "description": "ISO 8601, UTC, with `Z`"}
_ANY_OBJECT: Schema = {"type": "object", "additionalProperties": True}
_POOL_STATE = {
    "type": "string",
    "enum": [
        "idle",
        "connecting",
        "connected",
        "unreachable",
        "auth_failed",
        "no_credentials",
        "host_key_changed",
        "closed",
    ],
}

ROUTER_PARAMETER = {
    "name": "router",
    "in": "query",
    "required": False,
    "description": "Router name; may be left out when only one router is monitored.",
    "schema": _STRING,
}
TOKEN_PARAMETER = {
    "name": "token",
    "in": "query",
    "required": False,
    "description": "The feed token (also accepted as `Authorization: Bearer` or "
    "`X-API-Token`); required when the server has one configured.",
    "schema": _STRING,
}


_FRESHNESS = {"type": "string", "enum": ["fresh", "stale", "never"]}
_ERROR_CODE = {
    "type": "string",
    "enum": [
        "timeout",
        "unreachable",
        "auth_failed",
        "host_key_changed",
        "key_exchange",
        "no_credentials",
        "vty_full",
        "session_lost",
        "rejected",
        "parse_error",
        "unsupported",
        "rate_limited",
        "router_error",
        "internal",
    ],
    "description": "Why the poll failed; stable, for clients to translate.",
}
_ANSWER_FRESHNESS: dict[str, Schema] = {
    "collected_at": {
        "anyOf": [_TIME, {"type": "null"}],
        "description": "When the router gave the data (the oldest answer it shows).",
    },
    "age_s": {"anyOf": [_NUMBER, {"type": "null"}], "description": "Seconds since then."},
    "stale": {
        "type": "boolean",
        "description": "The data's last poll failed or it is older than its max age.",
    },
    "state": _FRESHNESS,
    "fresh_until": {
        "anyOf": [_TIME, {"type": "null"}],
        "description": "When the data turns stale by the clock if no new answer comes.",
    },
    "partial": {"type": "boolean", "description": "Some lines of an answer were not read."},
    "error": {"anyOf": [{"$ref": "#/components/schemas/SectionError"}, {"type": "null"}]},
}


def _freshness_schemas() -> dict[str, Schema]:
    """Section freshness, errors and the feed section envelope."""
    error = _object(
        {
            "code": _ERROR_CODE,
            "message": {"type": "string", "description": "English detail."},
            "section": {"type": "string", "description": "The engine section that failed."},
            "command": _nullable(_STRING),
            "line": {
                "anyOf": [_STRING, {"type": "null"}],
                "description": "The first line of the router's answer that could not be read.",
            },
            "line_number": _nullable(_INTEGER),
            "at": _TIME,
            "consecutive_failures": _INTEGER,
        },
        required=("code", "message", "section", "at", "consecutive_failures"),
    )
    status = _object(
        {
            "state": _FRESHNESS,
            "collected_at": _nullable(_TIME),
            "age_s": _nullable(_NUMBER),
            "max_age_s": {
                "anyOf": [_NUMBER, {"type": "null"}],
                "description": "Seconds an answer stays fresh (2 x interval + timeout).",
            },
            "outcome": _nullable({"type": "string", "enum": ["ok", "partial", "failed"]}),
            "partial": _BOOLEAN,
            "consecutive_failures": _INTEGER,
            "error": _nullable(_ref("SectionError")),
            "last_error": _nullable(
                _object({"code": _ERROR_CODE, "message": _STRING, "at": _TIME})
            ),
        },
        required=("state", "collected_at", "age_s", "consecutive_failures", "error"),
    )
    section = {
        "type": "object",
        "description": "One data section: its figures plus where they come from and how old "
        "they are. Stale data is sent marked, never re-stamped with the current time.",
        "properties": {
            **{k: v for k, v in _ANSWER_FRESHNESS.items() if k != "error"},
            "collected_epoch": _NUMBER,
            "fresh_until_epoch": _nullable(_NUMBER),
            "warnings": {
                "type": "array",
                "items": _object(
                    {
                        "section": _STRING,
                        "message": _STRING,
                        "line": _STRING,
                        "line_number": _nullable(_INTEGER),
                    }
                ),
            },
            "error": _nullable(_ref("SectionError")),
            "sources": {
                "type": "object",
                "additionalProperties": _ref("SectionStatus"),
                "description": "The engine sections this section is made of.",
            },
        },
        "required": [
            "collected_at",
            "collected_epoch",
            "age_s",
            "stale",
            "state",
            "partial",
            "error",
            "sources",
        ],
        "additionalProperties": True,
    }
    return {"SectionError": error, "SectionStatus": status, "FeedSection": section}


# ----- schemas --------------------------------------------------------------------------


def _schemas() -> dict[str, Schema]:
    alert = _object(
        {
            "id": _STRING,
            "router": _STRING,
            "severity": {"type": "string", "enum": ["critical", "major", "minor", "warning"]},
            "kind": _STRING,
            "subject": _STRING,
            "message": _STRING,
            "raised_at": _TIME,
            "cleared_at": _nullable(_TIME),
            "acknowledged_by": _nullable(_STRING),
            "acknowledged_at": _nullable(_TIME),
        },
        required=("id", "router", "severity", "kind", "message", "raised_at", "cleared_at"),
    )
    sections = _object(
        {
            "online_total": _nullable(_ref("FeedSection")),
            "system_metrics": _nullable(_ref("FeedSection")),
            "interfaces_status": _nullable(_ref("FeedSection")),
            "network_traffic": _nullable(_ref("FeedSection")),
            "pppoe_stats": _nullable(_ref("FeedSection")),
        }
    )
    sections["description"] = (
        "The data sections of a router (a `router_data` message carries the ones that "
        "changed, or whose freshness changed). Missing data is null, never 0."
    )
    schemas: dict[str, Schema] = {
        "Error": _object(
            {
                "success": {"const": False},
                "timestamp": _TIME,
                "error": {
                    "type": "object",
                    "properties": {
                        "code": {
                            "type": "string",
                            "description": "Machine-readable, e.g. not_found, unknown_router, "
                            "router_required, token_required (401), bad_token (403).",
                        },
                        "message": _STRING,
                        "routers": {"type": "array", "items": _STRING},
                    },
                    "required": ["code", "message"],
                    "additionalProperties": True,
                },
            },
            required=("success", "timestamp", "error"),
        ),
        "Alert": alert,
        **_freshness_schemas(),
        "RouterSections": sections,
        "FeedStats": _object(
            {
                "clients": _INTEGER,
                "connections": _INTEGER,
                "messages_sent": _INTEGER,
                "broadcasts": _INTEGER,
                "dropped": _INTEGER,
                "disconnected_laggards": _INTEGER,
                "errors_sent": _INTEGER,
            },
            required=("clients", "messages_sent", "dropped", "disconnected_laggards"),
        ),
        "RouterStatus": _object(
            {
                "router": _STRING,
                "state": _POOL_STATE,
                "reachable": _BOOLEAN,
                "latency_seconds": {
                    "anyOf": [_NUMBER, {"type": "null"}],
                    "description": "The quickest data set's last poll; null when no data "
                    "set's last poll was answered (a timeout is not a round trip).",
                },
                "last_poll_seconds": {
                    "type": "object",
                    "additionalProperties": _NUMBER,
                    "description": "Per data set, the duration of its last poll, only when "
                    "the router answered it.",
                },
                "last_answer_at": {
                    "anyOf": [_TIME, {"type": "null"}],
                    "description": "When the router last answered any command.",
                },
                "failing_sections": {
                    "type": "array",
                    "items": _STRING,
                    "description": "Engine sections whose last poll failed.",
                },
                "sections": {
                    "type": "object",
                    "additionalProperties": _ref("SectionStatus"),
                    "description": "Every engine section (cpu, memory, health, alarms, "
                    "version, interface_brief, online_total, domains, ip_pools, slots, "
                    "subscribers, traffic): freshness, consecutive failures, last error.",
                },
                "last_error": {
                    "anyOf": [_STRING, {"type": "null"}],
                    "description": "The connection error, else the newest error of a section "
                    "that still fails (another section's success does not clear it).",
                },
                "last_error_at": _nullable(_TIME),
                "connection_error": _nullable(_STRING),
                "poll_error": _nullable(_STRING),
                "retry_in": _nullable(_NUMBER),
                "sessions": _object({"size": _INTEGER, "open": _INTEGER, "busy": _INTEGER}),
                "connection_failures": _INTEGER,
                "polls": _INTEGER,
                "poll_failures": _INTEGER,
            },
            required=("router", "state", "reachable", "last_error"),
        ),
        "Health": _object(
            {
                "success": _BOOLEAN,
                "status": {
                    "type": "string",
                    "enum": ["ok", "degraded", "unavailable", "no_routers"],
                    "description": "degraded: a router is unreachable, or some router's "
                    "sections fail or are stale (listed under routers.*.sections).",
                },
                "timestamp": _TIME,
                "version": _STRING,
                "uptime_seconds": _NUMBER,
                "routers": {
                    "type": "object",
                    "additionalProperties": _object(
                        {
                            "state": _POOL_STATE,
                            "reachable": _BOOLEAN,
                            "last_error": _nullable(_STRING),
                            "sections": {
                                "type": "object",
                                "description": "Sections that fail now or are stale.",
                                "additionalProperties": _object(
                                    {
                                        "state": _FRESHNESS,
                                        "consecutive_failures": _INTEGER,
                                        "error": _nullable(_ERROR_CODE),
                                    },
                                    required=("state", "consecutive_failures", "error"),
                                ),
                            },
                        },
                        required=("state", "reachable", "last_error", "sections"),
                    ),
                },
                "feed_clients": _INTEGER,
            },
            required=("success", "status", "timestamp", "version", "routers"),
        ),
        "SectionAnswer": _object(
            {
                "success": {"const": True},
                "router": _nullable(_STRING),
                "timestamp": _TIME,
                "collected": {
                    "type": "boolean",
                    "description": "True when `data` is there and current; false before "
                    "the first poll and while the data is stale.",
                },
                **_ANSWER_FRESHNESS,
                "data": {
                    "anyOf": [_ref("FeedSection"), {"type": "null"}],
                    "description": "Exactly the section of a `router_data` message (stale "
                    "data is still given, marked); null before the first poll.",
                },
                "message": _STRING,
                "total": {
                    "anyOf": [_INTEGER, {"type": "null"}],
                    "description": "online_total without `router` on several routers: the "
                    "sum, null until every router is known.",
                },
                "stale": {
                    "type": "boolean",
                    "description": "Data is stale (online_total of several routers: any).",
                },
                "routers": {
                    "type": "object",
                    "additionalProperties": _object(
                        {
                            "collected": _BOOLEAN,
                            **_ANSWER_FRESHNESS,
                            "data": _nullable(_ref("FeedSection")),
                        }
                    ),
                },
            },
            required=("success", "timestamp", "collected"),
        ),
        "RouterStatusAnswer": _object(
            {
                "success": {"const": True},
                "timestamp": _TIME,
                "routers": {"type": "array", "items": _ref("RouterStatus")},
            },
            required=("success", "timestamp", "routers"),
        ),
        "CacheStatisticsAnswer": _object(
            {
                "success": {"const": True},
                "timestamp": _TIME,
                "router": _nullable(_STRING),
                "data": _object(
                    {
                        "hits": _INTEGER,
                        "misses": _INTEGER,
                        "coalesced": _INTEGER,
                        "requests": _INTEGER,
                        "hit_rate": _nullable(_NUMBER),
                        "loads": _INTEGER,
                        "load_failures": _INTEGER,
                        "expirations": _INTEGER,
                        "evictions": _INTEGER,
                        "entries": _INTEGER,
                        "max_entries": _INTEGER,
                        "loads_in_flight": _INTEGER,
                        "entry_ages": {
                            "type": "array",
                            "items": _object(
                                {
                                    "router": _STRING,
                                    "kind": _STRING,
                                    "item": _STRING,
                                    "age": _NUMBER,
                                    "ttl": _NUMBER,
                                    "expires_in": _NUMBER,
                                }
                            ),
                        },
                    },
                    required=("hits", "misses", "entries", "evictions"),
                ),
            },
            required=("success", "timestamp", "data"),
        ),
        "WebSocketStatsAnswer": _object(
            {
                "success": {"const": True},
                "timestamp": _TIME,
                "data": {
                    "allOf": [
                        _ref("FeedStats"),
                        _object(
                            {
                                "queue_size": _nullable(_INTEGER),
                                "uptime_seconds": _NUMBER,
                                "connections_by_client": {
                                    "type": "array",
                                    "items": _object(
                                        {
                                            "id": _INTEGER,
                                            "routers": _nullable(
                                                {"type": "array", "items": _STRING}
                                            ),
                                            "queued": _INTEGER,
                                            "sent": _INTEGER,
                                            "dropped": _INTEGER,
                                        }
                                    ),
                                },
                            }
                        ),
                    ]
                },
            },
            required=("success", "timestamp", "data"),
        ),
        # ----- remote commands -----
        "ExecuteCommandRequest": _object(
            {
                "router": _STRING,
                "command": {
                    "type": "string",
                    "maxLength": 512,
                    "examples": ["display version", "display interface brief"],
                },
                "confirm": {
                    "type": "string",
                    "description": "Operator mode only: repeats a non-read-only line exactly.",
                },
            },
            required=("command",),
        ),
        "ExecuteCommandResult": _object(
            {
                "success": {"const": True},
                "router": _STRING,
                "command": _STRING,
                "class": {
                    "type": "string",
                    "enum": ["read-only", "diagnostic", "privileged-display", "configuration"],
                },
                "output": _STRING,
                "prompt": _STRING,
                "cleanup": {
                    "type": "array",
                    "items": _STRING,
                    "description": "Lines sent afterwards to return the session to user view.",
                },
                "timestamp": _TIME,
            },
            required=("success", "router", "command", "class", "output", "timestamp"),
        ),
        "InterfaceCommandRequest": _object(
            {
                "router": _STRING,
                "interface": {"type": "string", "examples": ["GigabitEthernet0/5/0"]},
                "action": {"type": "string", "enum": ["shutdown", "undo_shutdown"]},
                "confirm": {
                    "type": "string",
                    "description": "Repeats the interface name: the operator's confirmation. "
                    "Without it the answer is 400 with the `preview` of the lines.",
                },
            },
            required=("interface", "action", "confirm"),
        ),
        "InterfaceCommandResult": _object(
            {
                "success": {"const": True},
                "router": _STRING,
                "interface": _STRING,
                "action": {"type": "string", "enum": ["shutdown", "undo_shutdown"]},
                "outcome": {"type": "string", "enum": ["committed"]},
                "commands": {"type": "array", "items": _STRING},
                "transcript": {
                    "type": "array",
                    "items": _object({"command": _STRING, "output": _STRING, "prompt": _STRING}),
                },
                "timestamp": _TIME,
            },
            required=("success", "router", "interface", "action", "outcome", "commands"),
        ),
        "CommandError": {
            "description": "The feed's error object; `error.code` is e.g. "
            "remote_commands_disabled, token_not_configured, token_required, bad_token, "
            "unauthorized, not_read_only, operator_mode_required, confirmation_required, "
            "invalid_json, invalid_request, invalid_command, unknown_router, router_required, "
            "rate_limited, console_unavailable, router_error, router_timeout, outcome_unknown.",
            "allOf": [
                _ref("Error"),
                _object(
                    {
                        "error": _object(
                            {
                                "retry_after": {
                                    "type": "integer",
                                    "description": "seconds (rate_limited only)",
                                },
                                "preview": {
                                    "type": "array",
                                    "items": _STRING,
                                    "description": "The lines the change would send "
                                    "(confirmation_required).",
                                },
                            }
                        )
                    }
                ),
            ],
        },
    }
    schemas.update(_ws_schemas())
    return schemas


_EPOCH = {"type": "number", "description": "The same moment as `timestamp`, epoch seconds."}


def _message(type_name: str, properties: dict[str, Schema], *required: str) -> Schema:
    """A WebSocket message object; server messages also carry `timestamp` and `epoch`."""
    envelope = {"type": {"const": type_name}, "timestamp": _TIME, "epoch": _EPOCH}
    return _object({**envelope, **properties}, required=("type", *required))


def _ws_schemas() -> dict[str, Schema]:
    command_result = _message(
        "command_result",
        {
            "id": {"description": "Echo of the request's `id`."},
            "router": _STRING,
            "command": _STRING,
            "class": _STRING,
            "output": _STRING,
            "interface": _STRING,
            "action": _STRING,
            "outcome": _STRING,
            "commands": {"type": "array", "items": _STRING},
            "timestamp": _TIME,
        },
        "router",
    )
    command_result["description"] = (
        "Answer to a `command` message: the fields of ExecuteCommandResult or "
        "InterfaceCommandResult."
    )
    return {
        # server -> client
        "WelcomeMessage": _message(
            "welcome",
            {
                "message": _STRING,
                "server_time": _TIME,
                "version": _STRING,
                "routers": {"type": "array", "items": _STRING},
            },
            "server_time",
            "version",
            "routers",
        ),
        "RouterDataMessage": _message(
            "router_data",
            {"router": _STRING, "timestamp": _TIME, "data": _ref("RouterSections")},
            "router",
            "timestamp",
            "data",
        ),
        "SystemStatusMessage": _message(
            "system_status",
            {
                "status": {
                    "type": "object",
                    "additionalProperties": _ref("RouterStatus"),
                    "description": "Per router: connection state, latency, last error.",
                },
                "feed": _ref("FeedStats"),
            },
            "status",
            "feed",
        ),
        "AlertMessage": _message(
            "alert", {"router": _STRING, "alert": _ref("Alert")}, "router", "alert"
        ),
        "HeartbeatMessage": _message("heartbeat", {"server_time": _TIME}, "server_time"),
        "SubscribedMessage": _message(
            "subscribed",
            {
                "routers": _nullable({"type": "array", "items": _STRING}),
            },
            "routers",
        ),
        "PongMessage": _message("pong", {"server_time": _TIME}, "server_time"),
        "ErrorMessage": _message(
            "error",
            {
                "code": _STRING,
                "message": _STRING,
                "status": {"type": "integer", "description": "HTTP-like status (commands)"},
                "id": {"description": "Echo of the request's `id` (commands)."},
                "routers": {"type": "array", "items": _STRING},
                "retry_after": _INTEGER,
                "preview": {"type": "array", "items": _STRING},
            },
            "code",
            "message",
        ),
        "CommandResultMessage": command_result,
        # client -> server
        "PingMessage": {
            "description": 'The text frame `ping` (or the object `{"type": "ping"}`).',
            "anyOf": [{"const": "ping"}, _message("ping", {})],
        },
        "SubscribeMessage": _message(
            "subscribe",
            {
                "routers": {
                    "type": "array",
                    "items": _STRING,
                    "description": "Routers to receive; an empty list means all.",
                }
            },
            "routers",
        ),
        "CommandMessage": {
            "description": "Only where remote commands are enabled and the connection "
            "presented the token; answered with `command_result` or `error`.",
            "anyOf": [
                _message(
                    "command",
                    {"id": {}, "router": _STRING, "command": _STRING, "confirm": _STRING},
                    "command",
                ),
                _message(
                    "command",
                    {
                        "id": {},
                        "router": _STRING,
                        "interface": _STRING,
                        "action": {"type": "string", "enum": ["shutdown", "undo_shutdown"]},
                        "confirm": _STRING,
                    },
                    "interface",
                    "action",
                    "confirm",
                ),
            ],
        },
    }


SERVER_MESSAGES = {
    "welcome": "WelcomeMessage",
    "router_data": "RouterDataMessage",
    "system_status": "SystemStatusMessage",
    "alert": "AlertMessage",
    "heartbeat": "HeartbeatMessage",
    "subscribed": "SubscribedMessage",
    "pong": "PongMessage",
    "error": "ErrorMessage",
    "command_result": "CommandResultMessage",
}
CLIENT_MESSAGES = {
    "ping": "PingMessage",
    "subscribe": "SubscribeMessage",
    "command": "CommandMessage",
}


def _websocket_extension(channel: str) -> dict[str, Any]:
    return {
        "channel": channel,
        "serverMessages": {name: _ref(schema) for name, schema in SERVER_MESSAGES.items()},
        "clientMessages": {name: _ref(schema) for name, schema in CLIENT_MESSAGES.items()},
        "heartbeatSeconds": 15,
    }


# ----- paths ----------------------------------------------------------------------------


def _get(
    summary: str,
    response: dict[str, Any],
    *,
    tag: str,
    router: Literal["required", "optional"] | None = "required",
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A GET operation; `router`: whether `?router=` is needed with several routers."""
    responses: dict[str, Any] = {"200": response}
    parameters = [ROUTER_PARAMETER] if router else []
    if router:
        responses["404"] = _json(_ref("Error"), "No router of that name.")
    if router == "required":
        responses["400"] = _json(
            _ref("Error"), "Several routers are monitored and `router` was not given."
        )
    operation: dict[str, Any] = {
        "summary": summary,
        "tags": [tag],
        "parameters": [*parameters, TOKEN_PARAMETER],
        "responses": responses,
    }
    if extra:
        operation.update(extra)
    return {"get": operation}


def _data_endpoint(summary: str) -> dict[str, Any]:
    answer = _json(_ref("SectionAnswer"), "The section's data (null before the first poll).")
    return _get(summary, answer, tag="data")


def _command_operation(summary: str, request: str, result: str, description: str) -> dict[str, Any]:
    error = _ref("CommandError")
    return {
        "post": {
            "summary": summary,
            "description": description,
            "tags": ["commands"],
            "parameters": [ROUTER_PARAMETER, TOKEN_PARAMETER],
            "security": [{"bearer": []}, {"apiKeyHeader": []}, {"apiKeyQuery": []}],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref(request)}},
            },
            "responses": {
                "200": _json(_ref(result), "Done; the router's answer."),
                "400": _json(error, "Invalid request, command or interface; nothing was sent."),
                "401": _json(error, "The token is missing or wrong."),
                "403": _json(
                    error,
                    "Remote commands are disabled (the default), no token is configured, or "
                    "the command needs operator mode.",
                ),
                "404": _json(error, "No router of that name."),
                "429": {
                    **_json(error, "The router's command budget is used up."),
                    "headers": {
                        "Retry-After": {
                            "description": "Seconds until a request fits again.",
                            "schema": _INTEGER,
                        }
                    },
                },
                "502": _json(error, "The router refused the command or the change was abandoned."),
                "503": _json(error, "This server has no command console."),
                "504": _json(error, "The router did not answer in time (outcome unknown)."),
            },
        }
    }


def _websocket_operation(summary: str, channel: str, *, router_required: bool) -> dict[str, Any]:
    router = dict(ROUTER_PARAMETER)
    if router_required:
        router["description"] = "The router to follow (may be left out with one router)."
    return {
        "get": {
            "summary": summary,
            "description": "WebSocket. After `welcome` the server pushes `router_data`, "
            "`system_status`, `alert` and a `heartbeat` every 15 s; the client may send "
            "`ping`, `subscribe` and (where enabled) `command`. Malformed messages are "
            "answered with `error` and the connection stays open. A client that stops "
            "reading has its oldest snapshots dropped and is disconnected if it stays behind.",
            "tags": ["websocket"],
            "parameters": [router, TOKEN_PARAMETER],
            "responses": {
                "101": {"description": "Switching protocols to WebSocket."},
                "401": _json(_ref("Error"), "A token is configured and was not presented."),
                "404": _json(_ref("Error"), "No router of that name."),
            },
            "x-websocket": _websocket_extension(channel),
        }
    }


def _paths() -> dict[str, Any]:
    text = {"text/plain": {"schema": _STRING}}
    html = {"text/html": {"schema": _STRING}}
    return {
        "/api/online_total": _get(
            "Online subscribers; every router and their sum without `router`",
            _json(_ref("SectionAnswer"), "The section's data (null before the first poll)."),
            tag="data",
            router="optional",
        ),
        "/api/system_metrics": _data_endpoint("CPU, memory and board health"),
        "/api/interfaces_status": _data_endpoint("Interface states (display interface brief)"),
        "/api/network_traffic": _data_endpoint("Per-interface bits/s and packets/s"),
        "/api/pppoe_stats": _data_endpoint("Subscriber summary: domains, slots, IP pools"),
        "/api/router_status": _get(
            "Connection and polling state of the routers",
            _json(_ref("RouterStatusAnswer"), "Per router: pool state, errors, poll times."),
            tag="status",
            router="optional",
        ),
        "/api/cache_statistics": _get(
            "TTL cache counters and entry ages",
            _json(_ref("CacheStatisticsAnswer"), "Hits, misses, entries, evictions, ages."),
            tag="status",
            router="optional",
        ),
        "/api/websocket_stats": _get(
            "WebSocket client statistics",
            _json(_ref("WebSocketStatsAnswer"), "Connected clients and message counters."),
            tag="status",
            router=None,
        ),
        "/health": _get(
            "Health: per-router state",
            _json(_ref("Health"), "At least one router is reachable."),
            tag="status",
            router=None,
            extra={
                "responses": {
                    "200": _json(
                        _ref("Health"),
                        "At least one router is reachable (`degraded` while some "
                        "sections fail or are stale).",
                    ),
                    "503": _json(_ref("Health"), "No router is reachable."),
                }
            },
        ),
        "/metrics": _get(
            "Prometheus metrics",
            {
                "description": "Prometheus text exposition format 0.0.4. Gauges of stale "
                "data are left out; `ne8000_section_up`, "
                "`ne8000_section_last_success_timestamp_seconds` and "
                "`ne8000_section_consecutive_failures` say per router and section why.",
                "content": {"text/plain; version=0.0.4; charset=utf-8": {"schema": _STRING}},
            },
            tag="status",
            router=None,
        ),
        "/openapi.json": _get(
            "This document",
            _json(_ANY_OBJECT, "The OpenAPI 3.1 description of the feed."),
            tag="status",
            router=None,
        ),
        "/ws/monitor": _websocket_operation(
            "Live data of all routers", "/ws/monitor", router_required=False
        ),
        "/ws/router": _websocket_operation(
            "Live data of one router", "/ws/router", router_required=True
        ),
        "/api/execute_command": _command_operation(
            "Run a console line on a router",
            "ExecuteCommandRequest",
            "ExecuteCommandResult",
            "Off unless `remote_commands` is enabled; then the token is required. Only the "
            "displays known to carry no secrets and bounded ping/tracert (at most 10 packets "
            "of 1500 bytes, timeouts up to 5 s), unless `operator_mode` is on; then the "
            "configuration displays (password hashes, keys), other displays and configuration "
            "lines must be repeated in `confirm`. Rate-limited per router.",
        ),
        "/api/interface_command": _command_operation(
            "Shut an interface down or bring it back",
            "InterfaceCommandRequest",
            "InterfaceCommandResult",
            "Needs `remote_commands`, the token and `operator_mode`. Goes through the "
            "change workflow (validated against the router's interface list, committed, "
            "written to the audit log). `confirm` must repeat the interface name.",
        ),
        "/": {
            "get": {
                "summary": "Redirect to the wall display",
                "tags": ["wall"],
                "responses": {"302": {"description": "To `/wall`, keeping the query string."}},
            }
        },
        "/wall": {
            "get": {
                "summary": "The wall display page",
                "tags": ["wall"],
                "parameters": [TOKEN_PARAMETER],
                "responses": {"200": {"description": "HTML page.", "content": html}},
            }
        },
        "/wall/": {
            "get": {
                "summary": "The wall display page (trailing slash)",
                "tags": ["wall"],
                "responses": {"200": {"description": "HTML page.", "content": html}},
            }
        },
        "/wall/{name}": {
            "get": {
                "summary": "A static asset of the wall page (css, js, svg, png, ico)",
                "tags": ["wall"],
                "parameters": [{"name": "name", "in": "path", "required": True, "schema": _STRING}],
                "responses": {
                    "200": {"description": "The asset.", "content": text},
                    "404": {"description": "No such asset."},
                },
            }
        },
    }


def _with_token_answers(paths: dict[str, Any]) -> dict[str, Any]:
    """With a token configured every endpoint answers 401 without it and 403 with a wrong one."""
    for operations in paths.values():
        for operation in operations.values():
            responses = operation["responses"]
            responses.setdefault(
                "401", _json(_ref("Error"), "A token is configured and was not presented.")
            )
            responses.setdefault("403", _json(_ref("Error"), "The token presented is wrong."))
    return paths


def build_document(version: str) -> dict[str, Any]:
    """The whole OpenAPI document for a server of this `version`."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "NE8000 Monitor feed",
            "version": version,
            "description": "Live data of Huawei NE8000 BRAS routers over HTTP and WebSocket. "
            "Integers beyond 2**53-1 are sent as decimal strings; missing data is null, "
            "never 0; times are ISO 8601 UTC with `Z`.",
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "data", "description": "Latest data of a router."},
            {"name": "status", "description": "State of the routers, cache and feed."},
            {"name": "commands", "description": "Remote commands (disabled by default)."},
            {"name": "websocket", "description": "Live push channels."},
            {"name": "wall", "description": "The wall-display page."},
        ],
        "paths": _with_token_answers(_paths()),
        # Open when no token is configured (loopback only); otherwise any of the three.
        "security": [{}, {"bearer": []}, {"apiKeyHeader": []}, {"apiKeyQuery": []}],
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Token"},
                "apiKeyQuery": {"type": "apiKey", "in": "query", "name": "token"},
            },
        },
        "x-websocket": {
            "channels": ["/ws/monitor", "/ws/router"],
            "serverMessages": {name: _ref(schema) for name, schema in SERVER_MESSAGES.items()},
            "clientMessages": {name: _ref(schema) for name, schema in CLIENT_MESSAGES.items()},
        },
    }


def openapi_routes(ctx: FeedContext) -> list[web.RouteDef]:
    """`GET /openapi.json`, serialized once when the routes are built."""
    body = json.dumps(build_document(ctx.version), ensure_ascii=False, indent=1)

    async def openapi(request: web.Request) -> web.Response:
        return web.Response(text=body, content_type="application/json")

    return [web.get(OPENAPI_PATH, openapi)]
