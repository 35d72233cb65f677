"""Remote commands: `POST /api/execute_command`, `POST /api/interface_command`, WS `command`.

A remote client is further from the router than the operator at the console, so every
gate of the console applies and a few more are added in front of it:

1. off unless the operator enabled ``remote_commands`` in the feed settings (403);
2. a feed token must be configured, shared or per seat (403: without one anybody on the
   machine could send commands) and the request must present it (401); the audit log
   records the caller's seat and address;
3. console lines go through the engine :class:`Console` and its VRP policy: displays known
   to carry no secrets and bounded ping/tracert only, unless ``operator_mode`` is on (403);
   then the configuration displays and configuration lines need ``confirm`` repeating them;
4. interface shutdown / undo shutdown needs operator mode and goes through the engine's
   change workflow (validated against the router's interface list, committed, audited);
   the request carries the confirmation: ``confirm`` repeating the interface name.

Rate limits and the audit log are the engine's, shared with the GUI; every audit entry of a
remote command names the client (its address, HTTP or WebSocket, the token it presented)
besides the OS user running the server. HTTP and WebSocket callers share one
implementation; only the transport of the answer differs.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from app.domain.errors import (
    NE8000MonitorError,
    RateLimited,
    RouterTimeout,
    ValidationError,
)
from app.engine.audit import AuditClient, acting_for
from app.engine.changes import (
    ChangeAbandoned,
    ChangePlan,
    InterfaceShutdown,
    InterfaceUndoShutdown,
)
from app.engine.console import OperatorModeRequired
from app.feed.client_json import ClientJsonError, decode_client_json
from app.feed.http_api import error_response, json_response
from app.feed.seats import seat_of
from app.feed.serialize import iso_z

if TYPE_CHECKING:
    from app.feed.context import FeedContext

_log = logging.getLogger("ne8000monitor.feed.commands")

EXECUTE_PATH = "/api/execute_command"
INTERFACE_PATH = "/api/interface_command"
INTERFACE_ACTIONS = ("shutdown", "undo_shutdown")
MAX_FIELD_CHARS = 512  # longer than any sane VRP line; the console validates the content


class CommandFailure(Exception):
    """Why a remote command was not run (or failed): an HTTP status and a clear message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        retry_after: float | None = None,
        preview: tuple[str, ...] | None = None,
        routers: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.preview = preview
        self.routers = routers

    def details(self) -> dict[str, Any]:
        """The extra fields of the error object (HTTP) or message (WebSocket)."""
        details: dict[str, Any] = {}
        if self.retry_after is not None:
            details["retry_after"] = self.retry_after_seconds
        if self.preview is not None:
            details["preview"] = list(self.preview)
        if self.routers is not None:
            details["routers"] = list(self.routers)
        return details

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds, at least 1 (what a `Retry-After` header can carry)."""
        return max(1, math.ceil(self.retry_after or 0))


# ----- the gates ------------------------------------------------------------------------


def check_access(ctx: FeedContext, *, authorized: bool) -> None:
    """Remote commands enabled, a token configured, and the caller presented it."""
    if not ctx.options.remote_commands:
        raise CommandFailure(
            403,
            "remote_commands_disabled",
            "remote commands are disabled; enable them with `remote_commands = true` "
            "in the [feed] settings",
        )
    if not ctx.token_required:
        raise CommandFailure(
            403,
            "token_not_configured",
            "remote commands need a feed token; set `token` in the [feed] settings or add "
            "a seat with `ne8000monitor token add NAME`",
        )
    if not authorized:
        raise CommandFailure(
            401,
            "unauthorized",
            "missing or wrong token (use `Authorization: Bearer <token>`, "
            "`X-API-Token` or `?token=`)",
        )


def _text_field(payload: Mapping[str, Any], name: str, *, required: bool) -> str | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CommandFailure(400, "invalid_request", f"`{name}` must be a non-empty string")
    if len(value) > MAX_FIELD_CHARS:
        raise CommandFailure(
            400, "invalid_request", f"`{name}` is longer than {MAX_FIELD_CHARS} characters"
        )
    return value.strip()


def _router(ctx: FeedContext, payload: Mapping[str, Any]) -> str:
    """The router named in the request; a single-router setup needs no name."""
    routers = ctx.monitor.routers
    name = _text_field(payload, "router", required=False)
    if name is None:
        if len(routers) == 1:
            return routers[0]
        if not routers:
            raise CommandFailure(404, "no_routers", "no router is configured", routers=[])
        raise CommandFailure(
            400,
            "router_required",
            "several routers are monitored; name one with `router`",
            routers=routers,
        )
    if name not in routers:
        raise CommandFailure(
            404, "unknown_router", f"no router named {name!r}", routers=routers
        )
    return name


def _failure_from(error: NE8000MonitorError) -> CommandFailure:
    """Map an engine error to the status a client can act on."""
    if isinstance(error, RateLimited):
        return CommandFailure(
            429, "rate_limited", str(error), retry_after=getattr(error, "retry_after", 60.0)
        )
    if isinstance(error, ValidationError):
        return CommandFailure(400, "invalid_command", str(error))
    if isinstance(error, ChangeAbandoned) and error.outcome_unknown:
        return CommandFailure(504, "outcome_unknown", str(error))
    if isinstance(error, RouterTimeout):
        return CommandFailure(504, "router_timeout", str(error))
    # A router error, or an answer that could not be understood.
    return CommandFailure(502, "router_error", str(error))


# ----- the two commands -----------------------------------------------------------------


async def execute_command(ctx: FeedContext, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Run one console line on a router under the console policy; the router's answer."""
    command = _text_field(payload, "command", required=True)
    assert command is not None  # required=True
    confirm = _text_field(payload, "confirm", required=False)
    router = _router(ctx, payload)
    if ctx.console is None:
        raise CommandFailure(503, "console_unavailable", "this server has no command console")
    operator_mode = ctx.options.operator_mode
    try:
        outcome = await ctx.console.run(
            router, command, operator_mode=operator_mode, confirmed_line=confirm, audit_every=True
        )
    except OperatorModeRequired as error:
        if operator_mode:  # only the confirmation is missing
            raise CommandFailure(400, "confirmation_required", str(error)) from None
        raise CommandFailure(
            403,
            "not_read_only",
            f"{error}; only read-only commands are allowed remotely "
            "(`operator_mode` is off in the [feed] settings)",
        ) from None
    except NE8000MonitorError as error:
        raise _failure_from(error) from None
    _log.info("remote command on %s: %r (%s)", router, command, outcome.kind)
    return {
        "success": True,
        "router": router,
        "command": command,
        "class": str(outcome.kind),
        "output": outcome.result.output,
        "prompt": outcome.result.prompt,
        "cleanup": list(outcome.cleanup),
        "timestamp": iso_z(ctx.clock()),
    }


async def interface_command(ctx: FeedContext, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Shut an interface down or bring it back through the change workflow."""
    if not ctx.options.operator_mode:
        raise CommandFailure(
            403,
            "operator_mode_required",
            "interface changes need operator mode (`operator_mode = true` in the [feed] "
            "settings)",
        )
    interface = _text_field(payload, "interface", required=True)
    assert interface is not None  # required=True
    action = payload.get("action")
    if action not in INTERFACE_ACTIONS:
        raise CommandFailure(
            400, "invalid_request", f"`action` must be one of {', '.join(INTERFACE_ACTIONS)}"
        )
    confirm = _text_field(payload, "confirm", required=False)
    router = _router(ctx, payload)
    request = (
        InterfaceShutdown(router, interface)
        if action == "shutdown"
        else InterfaceUndoShutdown(router, interface)
    )
    try:
        plan = ctx.monitor.plan_change(request)
    except NE8000MonitorError as error:
        raise _failure_from(error) from None
    name = _planned_interface(plan)
    if confirm not in {name, interface}:
        ctx.monitor.workflow.cancel(plan)
        raise CommandFailure(
            400,
            "confirmation_required",
            f"confirm this change by sending `confirm` = {name!r}",
            preview=plan.lines,
        )
    try:
        result = await ctx.monitor.run_change(plan, confirmation=plan.token)
    except NE8000MonitorError as error:
        raise _failure_from(error) from None
    _log.info("remote change on %s: %s %s (%s)", router, action, name, result.outcome)
    return {
        "success": True,
        "router": router,
        "interface": name,
        "action": action,
        "outcome": result.outcome,
        "commands": list(plan.lines),
        "transcript": [
            {"command": step.command, "output": step.output, "prompt": step.prompt}
            for step in result.transcript
        ],
        "timestamp": iso_z(ctx.clock()),
    }


def _planned_interface(plan: ChangePlan) -> str:
    """The canonical interface name the plan enters (`interface NAME`)."""
    for line in plan.lines:
        if line.startswith("interface "):
            return line.removeprefix("interface ")
    raise AssertionError("an interface plan always enters the interface view")


# ----- HTTP -----------------------------------------------------------------------------


def remote_client(
    address: str | None, protocol: str, *, authorized: bool, seat: str | None = None
) -> AuditClient:
    """The audit log's record of who sent a remote command: address, and seat if any."""
    auth = None if not authorized else ("seat" if seat is not None else "token")
    return AuditClient(address=address, via="feed", protocol=protocol, auth=auth, seat=seat)


def _json_failure(ctx: FeedContext, failure: CommandFailure) -> web.Response:
    """The feed's usual error object, plus the headers HTTP clients act on."""
    response = error_response(
        ctx, failure.status, failure.code, failure.message, **failure.details()
    )
    if failure.status == 429:
        response.headers["Retry-After"] = str(failure.retry_after_seconds)
    if failure.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ne8000monitor"'
    return response


async def _payload(request: web.Request) -> Mapping[str, Any]:
    try:
        payload = decode_client_json(await request.text())
    except UnicodeDecodeError:
        raise CommandFailure(400, "invalid_json", "the body must be a JSON object") from None
    except ClientJsonError as error:
        raise CommandFailure(
            400, "invalid_json", f"the body must be a JSON object: {error}"
        ) from None
    if not isinstance(payload, dict):
        raise CommandFailure(400, "invalid_json", "the body must be a JSON object")
    if "router" not in payload and "router" in request.query:
        payload["router"] = request.query["router"]
    return payload


def command_routes(ctx: FeedContext) -> list[web.RouteDef]:
    """The two POST endpoints (they answer 403 while remote commands are disabled)."""

    async def run(request: web.Request, kind: str) -> web.Response:
        authorized = ctx.authorized(request)
        try:
            check_access(ctx, authorized=authorized)
            payload = await _payload(request)
            client = remote_client(
                request.remote, "http", authorized=authorized, seat=seat_of(request)
            )
            with acting_for(client):
                if kind == "execute":
                    body = await execute_command(ctx, payload)
                else:
                    body = await interface_command(ctx, payload)
        except CommandFailure as failure:
            return _json_failure(ctx, failure)
        return json_response(body)

    async def execute(request: web.Request) -> web.Response:
        return await run(request, "execute")

    async def change_interface(request: web.Request) -> web.Response:
        return await run(request, "interface")

    return [web.post(EXECUTE_PATH, execute), web.post(INTERFACE_PATH, change_interface)]


# ----- WebSocket ------------------------------------------------------------------------


async def handle_ws_command(
    ctx: FeedContext,
    message: Mapping[str, Any],
    *,
    authorized: bool,
    address: str | None = None,
    seat: str | None = None,
) -> dict[str, Any]:
    """Answer a WS `command` message: `command_result`, or `error` with code and status.

    `{"type": "command", "command": "display version"}` runs a console line;
    `{"type": "command", "interface": ..., "action": "shutdown", "confirm": ...}` changes
    an interface. An optional `id` is echoed so a client can match answers to requests.
    `address` and `seat` are the client's, for the audit log.
    """
    request_id = message.get("id")
    try:
        check_access(ctx, authorized=authorized)
        client = remote_client(address, "websocket", authorized=authorized, seat=seat)
        with acting_for(client):
            if "action" in message or "interface" in message:
                body = await interface_command(ctx, message)
            else:
                body = await execute_command(ctx, message)
    except CommandFailure as failure:
        reply: dict[str, Any] = {
            "type": "error",
            "code": failure.code,
            "status": failure.status,
            "message": failure.message,
            **failure.details(),
        }
        if request_id is not None:
            reply["id"] = request_id
        return reply
    body.pop("success")
    reply = {"type": "command_result", **body}
    if request_id is not None:
        reply["id"] = request_id
    return reply
