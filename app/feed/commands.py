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
from typing import TYPE_CHECKING, Any

import msgspec
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
    ChangeResult,
    InterfaceShutdown,
    InterfaceUndoShutdown,
)
from app.engine.console import OperatorModeRequired
from app.feed.http_api import error_response, json_response
from app.feed.seats import seat_of
from app.feed.wire.base import iso_z
from app.feed.wire.commands import (
    ExecuteCommandRequest,
    ExecuteCommandResult,
    InterfaceCommandRequest,
    InterfaceCommandResult,
    TranscriptStep,
)
from app.feed.wire.messages import CommandMessage, CommandResultMessage, ErrorMessage, ServerMessage

if TYPE_CHECKING:
    from app.feed.context import FeedContext

_log = logging.getLogger("ne8000monitor.feed.commands")

EXECUTE_PATH = "/api/execute_command"
INTERFACE_PATH = "/api/interface_command"


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


def _text(value: str | None, name: str, *, required: bool) -> str | None:
    """A text field stripped; empty (or missing while `required`) is a clear 400."""
    if value is None and not required:
        return None
    if value is None or not value.strip():
        raise CommandFailure(400, "invalid_request", f"`{name}` must be a non-empty string")
    return value.strip()


def requested_router(ctx: FeedContext, name: str | None) -> str:
    """The router named in the request; a single-router setup needs no name."""
    routers = ctx.monitor.routers
    name = _text(name, "router", required=False)
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


def failure_from(error: NE8000MonitorError) -> CommandFailure:
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


async def execute_command(
    ctx: FeedContext, payload: ExecuteCommandRequest
) -> ExecuteCommandResult:
    """Run one console line on a router under the console policy; the router's answer."""
    command = _text(payload.command, "command", required=True)
    assert command is not None  # required=True
    confirm = _text(payload.confirm, "confirm", required=False)
    router = requested_router(ctx, payload.router)
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
        raise failure_from(error) from None
    _log.info("remote command on %s: %r (%s)", router, command, outcome.kind)
    return ExecuteCommandResult(
        router=router,
        command=command,
        class_=str(outcome.kind),  # type: ignore[arg-type]
        output=outcome.result.output,
        prompt=outcome.result.prompt,
        cleanup=list(outcome.cleanup),
        timestamp=iso_z(ctx.clock()),
    )


async def interface_command(
    ctx: FeedContext, payload: InterfaceCommandRequest
) -> InterfaceCommandResult:
    """Shut an interface down or bring it back through the change workflow."""
    if not ctx.options.operator_mode:
        raise CommandFailure(
            403,
            "operator_mode_required",
            "interface changes need operator mode (`operator_mode = true` in the [feed] "
            "settings)",
        )
    interface = _text(payload.interface, "interface", required=True)
    assert interface is not None  # required=True
    action = payload.action
    confirm = _text(payload.confirm, "confirm", required=False)
    router = requested_router(ctx, payload.router)
    request = (
        InterfaceShutdown(router, interface)
        if action == "shutdown"
        else InterfaceUndoShutdown(router, interface)
    )
    try:
        plan = ctx.monitor.plan_change(request)
    except NE8000MonitorError as error:
        raise failure_from(error) from None
    name = planned_interface(plan)
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
        raise failure_from(error) from None
    _log.info("remote change on %s: %s %s (%s)", router, action, name, result.outcome)
    return InterfaceCommandResult(
        router=router,
        interface=name,
        action=action,
        outcome=str(result.outcome),
        commands=list(plan.lines),
        transcript=transcript_of(result),
        timestamp=iso_z(ctx.clock()),
    )


def transcript_of(result: ChangeResult) -> list[TranscriptStep]:
    """A change's session as the router printed it, line by line, for the wire."""
    return [
        TranscriptStep(
            command=step.command,
            output=step.output,
            prompt=step.prompt,
            prompt_kind=step.prompt_kind,
        )
        for step in result.transcript
    ]


def planned_interface(plan: ChangePlan) -> str:
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


def json_failure(ctx: FeedContext, failure: CommandFailure) -> web.Response:
    """The feed's usual error object, plus the headers HTTP clients act on."""
    response = error_response(
        ctx, failure.status, failure.code, failure.message, **failure.details()
    )
    if failure.status == 429:
        response.headers["Retry-After"] = str(failure.retry_after_seconds)
    if failure.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="ne8000monitor"'
    return response


async def read_payload[T](request: web.Request, decoder: msgspec.json.Decoder[T]) -> T:
    """The request body decoded and checked by its wire type (400 saying what is wrong)."""
    body = await request.read()
    try:
        payload = decoder.decode(body)
    except msgspec.ValidationError as error:
        if str(error).startswith("Expected `object`"):
            raise CommandFailure(400, "invalid_json", "the body must be a JSON object") from None
        raise CommandFailure(400, "invalid_request", str(error)) from None
    except (msgspec.DecodeError, RecursionError):
        raise CommandFailure(400, "invalid_json", "the body must be a JSON object") from None
    router = request.query.get("router")
    if getattr(payload, "router", None) is None and router is not None:
        payload = msgspec.structs.replace(payload, router=router)  # type: ignore[type-var]
    return payload


_EXECUTE = msgspec.json.Decoder(ExecuteCommandRequest)
_INTERFACE = msgspec.json.Decoder(InterfaceCommandRequest)


def command_routes(ctx: FeedContext) -> list[web.RouteDef]:
    """The two POST endpoints (they answer 403 while remote commands are disabled)."""

    def client_of(request: web.Request, authorized: bool) -> AuditClient:
        seat = seat_of(request)
        return remote_client(request.remote, "http", authorized=authorized, seat=seat)

    async def execute(request: web.Request) -> web.Response:
        authorized = ctx.authorized(request)
        try:
            check_access(ctx, authorized=authorized)
            payload = await read_payload(request, _EXECUTE)
            with acting_for(client_of(request, authorized)):
                body = await execute_command(ctx, payload)
        except CommandFailure as failure:
            return json_failure(ctx, failure)
        return json_response(body)

    async def change_interface(request: web.Request) -> web.Response:
        authorized = ctx.authorized(request)
        try:
            check_access(ctx, authorized=authorized)
            payload = await read_payload(request, _INTERFACE)
            with acting_for(client_of(request, authorized)):
                body = await interface_command(ctx, payload)
        except CommandFailure as failure:
            return json_failure(ctx, failure)
        return json_response(body)

    return [web.post(EXECUTE_PATH, execute), web.post(INTERFACE_PATH, change_interface)]


# ----- WebSocket ------------------------------------------------------------------------


async def handle_ws_command(
    ctx: FeedContext,
    message: CommandMessage,
    *,
    authorized: bool,
    address: str | None = None,
    seat: str | None = None,
) -> ServerMessage:
    """Answer a WS `command` message: `command_result`, or `error` with code and status.

    `{"type": "command", "command": "display version"}` runs a console line;
    `{"type": "command", "interface": ..., "action": "shutdown", "confirm": ...}` changes
    an interface. An optional `id` is echoed so a client can match answers to requests.
    `address` and `seat` are the client's, for the audit log.
    """
    now = ctx.clock()
    stamp = {"timestamp": iso_z(now), "epoch": now, "id": message.id}
    client = remote_client(address, "websocket", authorized=authorized, seat=seat)
    try:
        check_access(ctx, authorized=authorized)
        with acting_for(client):
            return await _ws_command(ctx, message, stamp)
    except CommandFailure as failure:
        return ErrorMessage(
            **stamp,  # type: ignore[arg-type]
            code=failure.code,
            status=failure.status,
            message=failure.message,
            **failure.details(),
        )


async def _ws_command(
    ctx: FeedContext, message: CommandMessage, stamp: dict[str, Any]
) -> ServerMessage:
    """Run a checked WS command (CommandFailure goes to the caller)."""
    if message.action is not None or message.interface is not None:
        if message.action is None:
            raise CommandFailure(
                400, "invalid_request", "`action` must be one of shutdown, undo_shutdown"
            )
        change = await interface_command(
            ctx,
            InterfaceCommandRequest(
                router=message.router,
                interface=message.interface or "",
                action=message.action,
                confirm=message.confirm,
            ),
        )
        return CommandResultMessage(
            **stamp,  # type: ignore[arg-type]
            router=change.router,
            interface=change.interface,
            action=change.action,
            outcome=change.outcome,
            commands=change.commands,
            transcript=change.transcript,
        )
    line = await execute_command(
        ctx,
        ExecuteCommandRequest(
            router=message.router, command=message.command or "", confirm=message.confirm
        ),
    )
    return CommandResultMessage(
        **stamp,  # type: ignore[arg-type]
        router=line.router,
        command=line.command,
        class_=line.class_,
        output=line.output,
        prompt=line.prompt,
        cleanup=line.cleanup,
    )
