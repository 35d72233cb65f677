"""Remote commands over real HTTP and WebSocket: feed server + engine + simulated NE8000."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from jsonschema import Draft202012Validator
from multidict import CIMultiDictProxy

from app.bootstrap import AppPaths, Engine, build_engine
from app.domain.interfaces import InterfaceBrief
from app.domain.router import RouterProfile
from app.engine.backoff import Backoff
from app.engine.console import Console
from app.engine.monitor import Monitor, build_monitor
from app.engine.poller import PollIntervals
from app.engine.ratelimit import LimitKind, RateLimiter
from app.engine.settings import FeedSettings
from app.feed.commands import handle_ws_command
from app.feed.openapi import build_document
from app.feed.server import FeedServer
from app.feed.wire.base import encode
from app.feed.wire.messages import CommandMessage
from app.simulator.server import SimulatorHandle
from app.transport.credentials import MemorySecretStore

ROUTER = "sim"
PORT = "GigabitEthernet0/5/0"
MISSING_PORT = "GigabitEthernet0/1/0"
TOKEN = "s3cret-feed-token"
FAST = PollIntervals(
    interfaces=0.3, subscribers=0.5, system=0.5, traffic=0.5, jitter=0.1, version_every=5
)
TTLS = {"interfaces": 0.1, "pppoe": 0.1, "system": 0.1, "traffic": 0.1}
COMMAND_BUDGET = 3  # console lines per minute per router in these tests
WAIT = 15.0  # bound for things that must happen; no test measures time
EXECUTE = "/api/execute_command"
INTERFACE = "/api/interface_command"
DEFAULTS = FeedSettings(host="127.0.0.1", port=0)
ENABLED = replace(DEFAULTS, token=TOKEN, remote_commands=True)
OPERATOR = replace(ENABLED, operator_mode=True)
AUTH = {"Authorization": f"Bearer {TOKEN}"}

Answer = tuple[int, dict[str, Any], CIMultiDictProxy[str]]
DOCUMENT = build_document("test")


def check_documented(schema_name: str, instance: object) -> None:
    """Answers must match what /openapi.json promises for them."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", **DOCUMENT}
    errors = [
        f"{e.json_path}: {e.message}" for e in Draft202012Validator(schema).iter_errors(instance)
    ]
    assert not errors, errors


@dataclass
class Rig:
    engine: Engine
    monitor: Monitor
    server: FeedServer
    http: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    async def post(self, path: str, body: object, headers: dict[str, str] | None = None) -> Answer:
        async with self.http.post(self.url + path, json=body, headers=headers or {}) as answer:
            return answer.status, await answer.json(), answer.headers

    async def ws_command(self, message: dict[str, Any], *, query: str = "") -> dict[str, Any]:
        """Send one `command` over /ws/monitor and return the answer to it."""
        async with self.http.ws_connect(f"{self.url}/ws/monitor{query}") as ws:
            await ws.send_str(json.dumps({"type": "command", "id": 7, **message}))
            async with asyncio.timeout(WAIT):
                async for frame in ws:
                    reply = json.loads(frame.data)
                    if reply.get("id") == 7:
                        return reply
        raise AssertionError("the connection closed without an answer")

    def audit(self) -> list[dict[str, Any]]:
        return self.engine.audit.read()

    async def interfaces_known(self) -> None:
        """Wait for the first interface poll: the change workflow only accepts known names."""
        async with asyncio.timeout(WAIT):
            while not isinstance(
                self.monitor.snapshot(ROUTER).data("interface_brief"), InterfaceBrief
            ):
                await asyncio.sleep(0.05)

    def brief_row(self, name: str) -> Any:
        brief = self.monitor.snapshot(ROUTER).data("interface_brief")
        return next(row for row in brief.interfaces if row.name == name)


@pytest.fixture
async def command_rig(
    simulator: SimulatorHandle, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[Rig]]]:
    """Start engine, monitor and a feed server (port 0) with the given feed options.

    Unlike the package's `make_rig`, the server gets a console, with a small command budget
    so the rate limit is reached in a few requests, and the engine's audit log is at hand.
    """
    rigs: list[Rig] = []

    async def start(
        options: FeedSettings, *, poll: bool = True, console_timeout: float = 5.0
    ) -> Rig:
        paths = AppPaths(tmp_path / "config", tmp_path / "data")
        secrets = MemorySecretStore()
        secrets.set_password(ROUTER, simulator.password)
        profile = RouterProfile(
            name=ROUTER, host=simulator.host, port=simulator.port, command_timeout=5.0
        )
        engine = build_engine(
            paths,
            profiles={ROUTER: profile},
            secrets=secrets,
            backoff=Backoff(initial=0.05, maximum=0.2),
        )
        limiter = RateLimiter(
            {LimitKind.COMMAND: COMMAND_BUDGET, LimitKind.DATA: 30, LimitKind.DIAGNOSTIC: 5}
        )
        console = Console(engine.pools.get, limiter, engine.audit, command_timeout=console_timeout)
        monitor = build_monitor(
            engine.pools, engine.workflow, engine.interfaces, intervals=FAST, ttls=TTLS
        )
        if poll:
            await monitor.start()
        server = FeedServer(monitor, options, console=console, version="0.0-test")
        await server.start()
        rig = Rig(engine, monitor, server, aiohttp.ClientSession())
        rigs.append(rig)
        return rig

    try:
        yield start
    finally:
        for rig in rigs:
            await rig.http.close()
            await rig.server.stop()
            await rig.monitor.stop()
            await rig.engine.close()


# ----- off by default -------------------------------------------------------------------


async def test_commands_are_refused_by_default_over_http_and_ws(command_rig) -> None:
    rig = await command_rig(DEFAULTS)
    status, body, _ = await rig.post(EXECUTE, {"command": "display version"})
    assert status == 403
    assert body["error"]["code"] == "remote_commands_disabled"
    assert "remote_commands = true" in body["error"]["message"]
    status, body, _ = await rig.post(
        INTERFACE, {"interface": PORT, "action": "shutdown", "confirm": PORT}
    )
    assert (status, body["error"]["code"]) == (403, "remote_commands_disabled")
    reply = await rig.ws_command({"command": "display version"})
    assert reply["type"] == "error"
    assert (reply["status"], reply["code"]) == (403, "remote_commands_disabled")
    assert rig.audit() == []


async def test_enabled_without_a_configured_token_is_still_refused(command_rig) -> None:
    rig = await command_rig(replace(DEFAULTS, remote_commands=True))
    status, body, _ = await rig.post(EXECUTE, {"command": "display version"})
    assert (status, body["error"]["code"]) == (403, "token_not_configured")
    assert "token" in body["error"]["message"]
    reply = await rig.ws_command({"command": "display version"})
    assert (reply["status"], reply["code"]) == (403, "token_not_configured")


async def test_the_token_must_be_presented(command_rig) -> None:
    rig = await command_rig(ENABLED)
    status, body, _ = await rig.post(EXECUTE, {"command": "display version"})
    assert (status, body["error"]["code"]) == (401, "token_required")
    status, body, _ = await rig.post(
        EXECUTE, {"command": "display version"}, {"Authorization": "Bearer wrong"}
    )
    assert (status, body["error"]["code"]) == (403, "bad_token")
    status, body, _ = await rig.post(
        EXECUTE, {"command": "display version"}, {"X-API-Token": TOKEN}
    )
    assert status == 200
    assert "VRP (R) software" in body["output"]
    # WebSocket: no upgrade without the token; with it, its commands are authorized.
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await rig.ws_command({"command": "display version"})
    assert refused.value.status == 401
    reply = await rig.ws_command({"command": "display version"}, query=f"?token={TOKEN}")
    check_documented("CommandResultMessage", reply)
    assert reply["type"] == "command_result"
    assert reply["id"] == 7
    assert reply["router"] == ROUTER
    assert "VRP (R) software" in reply["output"]
    # Every line that arrived over the network is audited, reads included; the requests
    # the token middleware turned away never reached the console.
    assert [(e["commands"], e["outcome"]) for e in rig.audit()] == [
        (["display version"], "sent"),
        (["display version"], "sent"),
    ]
    # Each entry says who sent it from where, beside the OS user running the server.
    clients = [entry["client"] for entry in rig.audit()]
    assert clients == [
        {
            "address": "127.0.0.1",
            "via": "feed",
            "protocol": protocol,
            "auth": "token",
            "seat": None,  # the shared token: no seat
        }
        for protocol in ("http", "websocket")
    ]
    assert all(entry["user"] for entry in rig.audit())


async def test_the_handler_itself_refuses_an_unauthorized_caller(command_rig) -> None:
    """Defence in depth: even past the middleware, the handler checks the token again."""
    rig = await command_rig(ENABLED)
    answer = await handle_ws_command(
        rig.server.context, CommandMessage(command="display version"), authorized=False
    )
    reply = json.loads(encode(answer))
    del reply["timestamp"], reply["epoch"]
    assert reply == {
        "type": "error",
        "code": "unauthorized",
        "status": 401,
        "message": reply["message"],
    }
    assert "token" in reply["message"]


# ----- execute_command ------------------------------------------------------------------


async def test_read_only_command_returns_the_router_output(
    command_rig, simulator: SimulatorHandle
) -> None:
    rig = await command_rig(ENABLED)
    status, body, _ = await rig.post(
        f"{EXECUTE}?router={ROUTER}",
        {"command": f"display interface brief | include {PORT}"},
        AUTH,
    )
    assert status == 200
    check_documented("ExecuteCommandResult", body)
    assert body["success"] is True
    assert body["router"] == ROUTER
    assert body["class"] == "read-only"
    assert body["prompt"] == "<NE8000>"
    lines = [line for line in body["output"].splitlines() if line.strip()]
    # VRP announces the filter with an `Info:` line, then only the matching row follows.
    assert lines[0].startswith("Info:")
    assert lines[1].split()[:3] == [PORT, "up", "up"]
    assert len(lines) == 2
    assert body["timestamp"].endswith("Z")


async def test_configuration_lines_are_refused_outside_operator_mode(command_rig) -> None:
    rig = await command_rig(ENABLED)
    for line in ("system-view", "reset counters interface GigabitEthernet0/5/0"):
        status, body, _ = await rig.post(EXECUTE, {"command": line}, AUTH)
        assert status == 403, line
        assert body["error"]["code"] == "not_read_only"
        assert "operator_mode" in body["error"]["message"]
    reply = await rig.ws_command({"command": "system-view"}, query=f"?token={TOKEN}")
    assert (reply["status"], reply["code"]) == (403, "not_read_only")
    refused = rig.audit()
    assert [(e["commands"][0].split()[0], e["outcome"]) for e in refused] == [
        ("system-view", "refused"),
        ("reset", "refused"),
        ("system-view", "refused"),
    ]
    assert "operator mode" in refused[0]["detail"]


async def test_configuration_displays_and_unbounded_diagnostics_remotely(command_rig) -> None:
    """Issue 14 item 6: "read-only" no longer includes the configuration or floods."""
    rig = await command_rig(ENABLED)
    line = "display current-configuration interface GigabitEthernet0/5/0"
    status, body, _ = await rig.post(EXECUTE, {"command": line}, AUTH)
    assert (status, body["error"]["code"]) == (403, "not_read_only")
    assert "password hashes" in body["error"]["message"]
    reply = await rig.ws_command({"command": "dis cur"}, query=f"?token={TOKEN}")
    assert (reply["status"], reply["code"]) == (403, "not_read_only")
    for flood in ("ping -c 100000 10.0.0.1", "ping -m 1 10.0.0.1", "tracert -q 5000 8.8.8.8"):
        status, body, _ = await rig.post(EXECUTE, {"command": flood}, AUTH)
        assert (status, body["error"]["code"]) == (400, "invalid_command"), flood
        assert "the console allows" in body["error"]["message"]
    assert [entry["outcome"] for entry in rig.audit()] == ["refused"] * 5


async def test_operator_mode_shows_a_configuration_display_once_confirmed(command_rig) -> None:
    rig = await command_rig(OPERATOR)
    line = "display current-configuration interface GigabitEthernet0/5/0"
    status, body, _ = await rig.post(EXECUTE, {"command": line}, AUTH)
    assert (status, body["error"]["code"]) == (400, "confirmation_required")
    assert "password hashes" in body["error"]["message"]
    status, body, _ = await rig.post(EXECUTE, {"command": line, "confirm": line}, AUTH)
    assert status == 200, body
    check_documented("ExecuteCommandResult", body)
    assert body["class"] == "privileged-display"
    assert "interface GigabitEthernet0/5/0" in body["output"]
    assert [(e["commands"], e["outcome"]) for e in rig.audit()] == [
        ([line], "refused"),
        ([line], "sent"),
    ]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "invalid_request"),
        ({"command": ""}, "invalid_request"),
        ({"command": 12}, "invalid_request"),
        ({"command": "display version\nsystem-view"}, "invalid_command"),
        ({"command": "display version", "router": "nope"}, "unknown_router"),
    ],
)
async def test_invalid_requests(command_rig, body: dict[str, Any], error: str) -> None:
    rig = await command_rig(ENABLED)
    status, answer, _ = await rig.post(EXECUTE, body, AUTH)
    assert answer["error"]["code"] == error
    assert status == (404 if error == "unknown_router" else 400)
    assert answer["error"]["message"]


async def test_a_body_that_is_not_a_json_object(command_rig) -> None:
    rig = await command_rig(ENABLED)
    async with rig.http.post(rig.url + EXECUTE, data="display version", headers=AUTH) as answer:
        assert answer.status == 400
        assert (await answer.json())["error"]["code"] == "invalid_json"
    status, body, _ = await rig.post(EXECUTE, ["display version"], AUTH)
    assert (status, body["error"]["code"]) == (400, "invalid_json")
    # Deep nesting is a clear 400, not a 500 (issue 14 item 3), and the server goes on.
    deep = "[" * 3000 + "]" * 3000
    async with rig.http.post(rig.url + EXECUTE, data=deep, headers=AUTH) as answer:
        assert answer.status == 400
        error = (await answer.json())["error"]
    assert error["code"] == "invalid_json"
    assert error["message"] == "the body must be a JSON object"
    deep_object = '{"command": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + "}"
    async with rig.http.post(rig.url + EXECUTE, data=deep_object, headers=AUTH) as answer:
        assert answer.status == 400  # msgspec's own depth limit: still a clear answer
        assert (await answer.json())["error"]["code"] in ("invalid_json", "invalid_request")
    # Nesting inside a field the request type does not know: msgspec skips the field without
    # a type check, so only the depth guard stands between this body and a 500.
    skipped = '{"command": "display version", "x": ' + "[" * 3000 + "]" * 3000 + "}"
    async with rig.http.post(rig.url + EXECUTE, data=skipped, headers=AUTH) as answer:
        assert answer.status == 400
        assert (await answer.json())["error"]["code"] == "invalid_json"
    status, body, _ = await rig.post(EXECUTE, {"command": "display version"}, AUTH)
    assert status == 200


async def test_rate_limit_answers_429_with_retry_after(command_rig) -> None:
    rig = await command_rig(ENABLED)
    for _ in range(COMMAND_BUDGET):
        status, _, _ = await rig.post(EXECUTE, {"command": "display health"}, AUTH)
        assert status == 200
    status, body, headers = await rig.post(EXECUTE, {"command": "display health"}, AUTH)
    assert status == 429
    check_documented("ErrorAnswer", body)
    assert body["error"]["code"] == "rate_limited"
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert body["error"]["retry_after"] == int(headers["Retry-After"])
    reply = await rig.ws_command({"command": "display health"}, query=f"?token={TOKEN}")
    check_documented("ErrorMessage", reply)
    assert (reply["status"], reply["code"]) == (429, "rate_limited")


async def test_operator_mode_runs_a_confirmed_configuration_line(command_rig) -> None:
    rig = await command_rig(OPERATOR)
    status, body, _ = await rig.post(EXECUTE, {"command": "system-view"}, AUTH)
    assert (status, body["error"]["code"]) == (400, "confirmation_required")
    status, body, _ = await rig.post(
        EXECUTE, {"command": "system-view", "confirm": "system-view"}, AUTH
    )
    assert status == 200
    assert body["class"] == "configuration"
    assert body["prompt"] == "[~NE8000]"
    assert body["cleanup"] == ["return"]
    unconfirmed, entry = rig.audit()
    assert (unconfirmed["commands"], unconfirmed["outcome"]) == (["system-view"], "refused")
    assert entry["commands"] == ["system-view", "return"]
    assert entry["outcome"] == "sent"


# ----- interface_command ----------------------------------------------------------------


async def test_interface_changes_need_operator_mode(command_rig) -> None:
    rig = await command_rig(ENABLED)
    status, body, _ = await rig.post(
        INTERFACE, {"interface": PORT, "action": "shutdown", "confirm": PORT}, AUTH
    )
    assert (status, body["error"]["code"]) == (403, "operator_mode_required")
    assert rig.audit() == []


async def test_interface_shutdown_and_undo_round_trip(command_rig) -> None:
    rig = await command_rig(OPERATOR)
    await rig.interfaces_known()
    assert rig.brief_row(PORT).phy == "up"

    # Without the confirmation: 400 and the preview of what would be sent.
    status, body, _ = await rig.post(
        INTERFACE, {"interface": "GE0/5/0", "action": "shutdown"}, AUTH
    )
    assert (status, body["error"]["code"]) == (400, "confirmation_required")
    assert body["error"]["preview"] == [
        "system-view",
        f"interface {PORT}",
        "shutdown",
        "commit",
        "return",
    ]
    assert rig.audit() == []

    status, body, _ = await rig.post(
        INTERFACE, {"interface": "GE0/5/0", "action": "shutdown", "confirm": PORT}, AUTH
    )
    assert status == 200, body
    check_documented("InterfaceCommandResult", body)
    assert body["interface"] == PORT
    assert body["outcome"] == "committed"
    assert body["commands"] == ["system-view", f"interface {PORT}", "shutdown", "commit", "return"]
    assert body["transcript"][-1]["prompt"] == "<NE8000>"
    # The monitor re-reads the interfaces at once after a change.
    async with asyncio.timeout(WAIT):
        while rig.brief_row(PORT).phy != "*down":
            await asyncio.sleep(0.05)
    assert rig.brief_row(PORT).admin_down is True

    reply = await rig.ws_command(
        {"interface": PORT, "action": "undo_shutdown", "confirm": PORT},
        query=f"?token={TOKEN}",
    )
    assert reply["type"] == "command_result", reply
    assert reply["outcome"] == "committed"
    assert reply["commands"][2] == "undo shutdown"
    async with asyncio.timeout(WAIT):
        while rig.brief_row(PORT).phy != "up":
            await asyncio.sleep(0.05)

    entries = rig.audit()
    assert [entry["outcome"] for entry in entries] == ["committed", "committed"]
    assert entries[0]["router"] == ROUTER
    assert entries[0]["commands"] == [
        "system-view",
        f"interface {PORT}",
        "shutdown",
        "commit",
        "return",
    ]
    assert entries[1]["commands"][2] == "undo shutdown"
    # The change workflow's entries name the remote client too.
    assert [(e["client"]["address"], e["client"]["protocol"]) for e in entries] == [
        ("127.0.0.1", "http"),
        ("127.0.0.1", "websocket"),
    ]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"interface": MISSING_PORT, "action": "shutdown", "confirm": MISSING_PORT},
            "invalid_command",
        ),
        (
            {"interface": f"{PORT}\ncommit", "action": "shutdown", "confirm": PORT},
            "invalid_command",
        ),
        ({"interface": PORT, "action": "reboot", "confirm": PORT}, "invalid_request"),
        (
            {"interface": PORT, "action": "shutdown", "confirm": "GigabitEthernet0/5/1"},
            "confirmation_required",
        ),
    ],
)
async def test_invalid_interface_requests_send_nothing(
    command_rig, body: dict[str, Any], error: str
) -> None:
    rig = await command_rig(OPERATOR)
    await rig.interfaces_known()
    status, answer, _ = await rig.post(INTERFACE, body, AUTH)
    assert (status, answer["error"]["code"]) == (400, error)
    if error == "invalid_command" and "\n" not in body["interface"]:
        assert "does not exist" in answer["error"]["message"]
    assert rig.brief_row(PORT).phy == "up"
    assert rig.audit() == []


# ----- the router says no -----------------------------------------------------------------


async def test_a_line_the_router_rejects_is_a_502_with_its_message(command_rig) -> None:
    rig = await command_rig(ENABLED)
    status, body, _ = await rig.post(EXECUTE, {"command": "display interface Nonsense9/9/9"}, AUTH)
    assert (status, body["error"]["code"]) == (502, "router_error")
    assert "Error:" in body["error"]["message"]


async def test_an_abandoned_change_is_a_502_and_audited(command_rig) -> None:
    # No polling: the app's interface list says a port exists that the router does not have.
    rig = await command_rig(OPERATOR, poll=False)
    rig.engine.interfaces.remember(ROUTER, [PORT, "GigabitEthernet0/9/9"])
    status, body, _ = await rig.post(
        INTERFACE,
        {
            "interface": "GigabitEthernet0/9/9",
            "action": "shutdown",
            "confirm": "GigabitEthernet0/9/9",
        },
        AUTH,
    )
    assert (status, body["error"]["code"]) == (502, "router_error")
    assert "nothing committed" in body["error"]["message"]
    (entry,) = rig.audit()
    assert entry["outcome"] == "aborted"
    assert entry["commands"] == ["system-view", "interface GigabitEthernet0/9/9", "return"]


async def test_a_router_that_does_not_answer_is_a_504(
    command_rig, simulator: SimulatorHandle
) -> None:
    rig = await command_rig(ENABLED, poll=False, console_timeout=0.5)
    simulator.faults.hang_commands.add("display health")
    status, body, _ = await rig.post(EXECUTE, {"command": "display health"}, AUTH)
    assert (status, body["error"]["code"]) == (504, "router_timeout")
    assert body["error"]["message"]
