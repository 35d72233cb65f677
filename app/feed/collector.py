"""What desktop seats in collector mode use beyond the data and the console.

* `GET /api/collector`: who the caller is (its seat), the collector's version, whether it
  takes remote commands and changes, its alert thresholds and each router's monitored
  uplinks, so a seat shows exactly the collector's rules;
* `GET /api/alerts`: the active alerts (a seat that reconnects drops those that cleared
  while it was away);
* `POST /api/alerts/acknowledge`: acknowledge an alert once for every seat and wall (the
  new state goes out to all of them as an `alert` message);
* `POST /api/change/preview` and `POST /api/change`: the change workflow (interface
  shutdown / undo shutdown, cut a subscriber) with the exact lines shown before anything is
  sent; `lines` in the request pins the change to the lines the operator saw;
* `GET /api/audit`: the audit entries of remote commands, so a seat shows the entry its
  own change produced.

Every request passed the token middleware; acknowledging needs an authorised caller,
changes and the audit log also need remote commands (and changes operator mode), like
`/api/interface_command`. What acts is rate-limited per router and lands in the audit log
with the caller's seat and address.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import msgspec
from aiohttp import web

from app.domain.errors import NE8000MonitorError
from app.engine.audit import AuditClient, AuditLog, acting_for
from app.engine.changes import (
    ChangePlan,
    ChangeRequest,
    CutAccessUser,
    InterfaceShutdown,
    InterfaceUndoShutdown,
)
from app.engine.ratelimit import LimitKind, RateLimiter
from app.feed.commands import (
    CommandFailure,
    check_access,
    failure_from,
    json_failure,
    planned_interface,
    read_payload,
    remote_client,
    requested_router,
    transcript_of,
)
from app.feed.context import FeedContext
from app.feed.http_api import RouterChoiceError, choose_router, json_response
from app.feed.messages import alert_body
from app.feed.seats import Caller, caller_of, seat_of
from app.feed.wire.base import iso_z
from app.feed.wire.collector import (
    AcknowledgeAnswer,
    AcknowledgeRequest,
    AlertsAnswer,
    AuditAnswer,
    AuditClientBody,
    AuditRecord,
    ChangePreviewAnswer,
    ChangeRequestBody,
    ChangeResultAnswer,
    CollectorInfoAnswer,
    CollectorRouter,
    CollectorThresholds,
)

_log = logging.getLogger("ne8000monitor.feed.collector")

INFO_PATH = "/api/collector"
ALERTS_PATH = "/api/alerts"
ACKNOWLEDGE_PATH = "/api/alerts/acknowledge"
PREVIEW_PATH = "/api/change/preview"
CHANGE_PATH = "/api/change"
AUDIT_PATH = "/api/audit"
DEFAULT_AUDIT_LIMIT = 50
MAX_AUDIT_LIMIT = 500
# Acknowledgements per router and minute: a NOC clearing a storm of alerts by hand, not a
# script hammering the collector (the budget of on-demand data reads).
ACKNOWLEDGE_LIMITS = {LimitKind.DATA: 60}

_ACKNOWLEDGE = msgspec.json.Decoder(AcknowledgeRequest)
_CHANGE = msgspec.json.Decoder(ChangeRequestBody)


def collector_routes(ctx: FeedContext) -> list[web.RouteDef]:
    endpoints = _Endpoints(ctx)
    return [
        web.get(INFO_PATH, endpoints.info),
        web.get(ALERTS_PATH, endpoints.alerts),
        web.post(ACKNOWLEDGE_PATH, endpoints.acknowledge),
        web.post(PREVIEW_PATH, endpoints.preview),
        web.post(CHANGE_PATH, endpoints.change),
        web.get(AUDIT_PATH, endpoints.audit),
    ]


def _client(request: web.Request, authorized: bool) -> AuditClient:
    return remote_client(request.remote, "http", authorized=authorized, seat=seat_of(request))


def change_request(ctx: FeedContext, body: ChangeRequestBody) -> tuple[ChangeRequest, str]:
    """The engine's request for `body`, and the name `confirm` must repeat (400 when a
    field the action needs is missing)."""
    router = requested_router(ctx, body.router)
    if body.action == "cut_user":
        username = (body.username or "").strip()
        if not username:
            raise CommandFailure(400, "invalid_request", "`username` is required for cut_user")
        return CutAccessUser(router, username), username
    interface = (body.interface or "").strip()
    if not interface:
        raise CommandFailure(400, "invalid_request", f"`interface` is required for {body.action}")
    if body.action == "shutdown":
        return InterfaceShutdown(router, interface), interface
    return InterfaceUndoShutdown(router, interface), interface


def _target(plan: ChangePlan, named: str) -> str:
    """What the change acts on, as the router knows it (canonical interface name)."""
    if isinstance(plan.request, CutAccessUser):
        return plan.request.username
    return planned_interface(plan) or named


class _Endpoints:
    def __init__(self, ctx: FeedContext) -> None:
        self._ctx = ctx
        self._acknowledgements = RateLimiter(ACKNOWLEDGE_LIMITS)

    # ----- who am I, what may I do ---------------------------------------------------------

    async def info(self, request: web.Request) -> web.Response:
        ctx = self._ctx
        caller = caller_of(request)
        auth = None
        if caller is not None and caller.authenticated:
            auth = "seat" if caller.seat is not None else "token"
        limits = ctx.monitor.alerts.thresholds
        routers = {}
        for name in ctx.monitor.routers:
            try:
                monitored = list(ctx.monitor.monitored_interfaces(name))
            except KeyError:  # removed meanwhile
                continue
            routers[name] = CollectorRouter(monitored=monitored)
        return json_response(
            CollectorInfoAnswer(
                timestamp=iso_z(ctx.clock()),
                version=ctx.version,
                seat=None if caller is None else caller.seat,
                auth=auth,  # type: ignore[arg-type]
                remote_commands=ctx.options.remote_commands,
                operator_mode=ctx.options.operator_mode,
                thresholds=CollectorThresholds(
                    mass_drop_percent=limits.drop_percent,
                    mass_drop_window=limits.drop_window_seconds,
                    cpu_percent=limits.cpu_percent,
                    cpu_polls=limits.load_polls,
                    memory_percent=limits.memory_percent,
                    memory_polls=limits.load_polls,
                    pool_percent=limits.pool_percent,
                ),
                routers=routers,
            )
        )

    # ----- alerts ---------------------------------------------------------------------------

    async def alerts(self, request: web.Request) -> web.Response:
        ctx = self._ctx
        try:
            router = choose_router(ctx, request, required=False)
        except RouterChoiceError as error:
            return error.response
        if "router" not in request.query:
            router = None
        return json_response(
            AlertsAnswer(
                timestamp=iso_z(ctx.clock()),
                router=router,
                alerts=[alert_body(alert) for alert in ctx.monitor.active_alerts(router)],
            )
        )

    # ----- acknowledgement -----------------------------------------------------------------

    async def acknowledge(self, request: web.Request) -> web.Response:
        ctx = self._ctx
        authorized = ctx.authorized(request)
        try:
            if not authorized:
                raise CommandFailure(401, "unauthorized", "acknowledging needs the feed token")
            body = await read_payload(request, _ACKNOWLEDGE)
            alert_id = body.id.strip()
            known = {alert.id: alert for alert in ctx.monitor.active_alerts()}
            alert = known.get(alert_id)
            if alert is None:
                raise CommandFailure(404, "unknown_alert", f"no active alert {alert_id!r}")
            try:
                self._acknowledgements.acquire(alert.router, LimitKind.DATA)
            except NE8000MonitorError as error:
                raise failure_from(error) from None
            seat = seat_of(request)
            user = (body.user or "").strip() or "remote"
            who = f"{user}@{seat}" if seat else user
            done = ctx.monitor.acknowledge_alert(alert_id, who)
            if done is None:  # cleared between the look-up and now
                raise CommandFailure(404, "unknown_alert", f"no active alert {alert_id!r}")
            if ctx.audit is not None:
                with acting_for(_client(request, authorized)):
                    await ctx.audit.record(
                        done.router,
                        (),
                        "acknowledged",
                        detail=f"alert {done.id} ({done.kind} {done.subject}) "
                        f"acknowledged by {who}: {done.message}",
                    )
        except CommandFailure as failure:
            return json_failure(ctx, failure)
        _log.info("alert %s acknowledged by %s from %s", done.id, who, request.remote)
        answer = AcknowledgeAnswer(timestamp=iso_z(ctx.clock()), alert=alert_body(done))
        return json_response(answer)

    # ----- changes ---------------------------------------------------------------------------

    def _gate_change(self, request: web.Request) -> bool:
        authorized = self._ctx.authorized(request)
        check_access(self._ctx, authorized=authorized)
        if not self._ctx.options.operator_mode:
            raise CommandFailure(
                403,
                "operator_mode_required",
                "changes need operator mode (`operator_mode = true` in the [feed] settings)",
            )
        return authorized

    async def preview(self, request: web.Request) -> web.Response:
        ctx = self._ctx
        try:
            self._gate_change(request)
            body = await read_payload(request, _CHANGE)
            change, named = change_request(ctx, body)
            try:
                plan = ctx.monitor.plan_change(change)
            except NE8000MonitorError as error:
                raise failure_from(error) from None
            ctx.monitor.workflow.cancel(plan)  # a preview is never confirmed by itself
        except CommandFailure as failure:
            return json_failure(ctx, failure)
        target = _target(plan, named)
        return json_response(
            ChangePreviewAnswer(
                timestamp=iso_z(ctx.clock()),
                router=plan.router,
                action=body.action,
                target=target,
                lines=list(plan.lines),
                confirm_with=target,
            )
        )

    async def change(self, request: web.Request) -> web.Response:
        ctx = self._ctx
        try:
            authorized = self._gate_change(request)
            body = await read_payload(request, _CHANGE)
            with acting_for(_client(request, authorized)):
                answer = await self._apply(body)
        except CommandFailure as failure:
            return json_failure(ctx, failure)
        return json_response(answer)

    async def _apply(self, body: ChangeRequestBody) -> ChangeResultAnswer:
        ctx = self._ctx
        change, named = change_request(ctx, body)
        try:
            plan = ctx.monitor.plan_change(change)
        except NE8000MonitorError as error:
            raise failure_from(error) from None
        target = _target(plan, named)
        confirm = (body.confirm or "").strip()
        if confirm not in {target, named}:
            ctx.monitor.workflow.cancel(plan)
            raise CommandFailure(
                400,
                "confirmation_required",
                f"confirm this change by sending `confirm` = {target!r}",
                preview=plan.lines,
            )
        if body.lines is not None and tuple(line.strip() for line in body.lines) != plan.lines:
            ctx.monitor.workflow.cancel(plan)
            raise CommandFailure(
                409,
                "preview_mismatch",
                "the lines shown are not the lines this change would send now (the "
                "router's interface list may have changed); preview it again",
                preview=plan.lines,
            )
        try:
            result = await ctx.monitor.run_change(plan, confirmation=plan.token)
        except NE8000MonitorError as error:
            raise failure_from(error) from None
        _log.info("remote change on %s: %s %s (%s)", plan.router, body.action, target,
                  result.outcome)
        return ChangeResultAnswer(
            timestamp=iso_z(ctx.clock()),
            router=plan.router,
            action=body.action,
            target=target,
            outcome=str(result.outcome),
            commands=list(plan.lines),
            transcript=transcript_of(result),
            users_cut=result.users_cut,
        )

    # ----- audit log -------------------------------------------------------------------------

    async def audit(self, request: web.Request) -> web.Response:
        ctx = self._ctx
        try:
            check_access(ctx, authorized=ctx.authorized(request))
            if ctx.audit is None:
                raise CommandFailure(503, "audit_unavailable", "this server keeps no audit log")
            router = request.query.get("router")
            if router is not None:
                router = requested_router(ctx, router)
            limit = _limit(request.query.get("limit"))
            mine = request.query.get("mine", "").lower() in ("1", "true", "yes")
        except CommandFailure as failure:
            return json_failure(ctx, failure)
        caller = caller_of(request)
        entries = await asyncio.to_thread(_read_audit, ctx.audit)
        chosen = [
            entry
            for entry in entries
            if (router is None or entry.get("router") == router)
            and (not mine or _same_caller(entry, caller))
        ][-limit:]
        return json_response(
            AuditAnswer(
                timestamp=iso_z(ctx.clock()),
                router=router,
                entries=[_audit_record(entry) for entry in chosen],
            )
        )


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_AUDIT_LIMIT
    try:
        value = int(text)
    except ValueError:
        raise CommandFailure(400, "bad_parameter", "`limit` must be a whole number") from None
    if not 1 <= value <= MAX_AUDIT_LIMIT:
        raise CommandFailure(400, "bad_parameter", f"`limit` must be 1 to {MAX_AUDIT_LIMIT}")
    return value


def _read_audit(audit: AuditLog) -> list[dict[str, Any]]:
    return audit.read()


def _same_caller(entry: dict[str, Any], caller: Caller | None) -> bool:
    """The entry was written for a request of this caller's seat (or the shared token)."""
    client = entry.get("client")
    if not isinstance(client, dict) or caller is None or not caller.authenticated:
        return False
    if caller.seat is not None:
        return client.get("seat") == caller.seat
    return client.get("auth") == "token"


def _audit_record(entry: dict[str, Any]) -> AuditRecord:
    client = entry.get("client")
    return AuditRecord(
        time=str(entry.get("time", "")),
        user=str(entry.get("user", "")),
        client=None
        if not isinstance(client, dict)
        else AuditClientBody(
            address=client.get("address"),
            via=str(client.get("via", "")),
            protocol=client.get("protocol"),
            auth=client.get("auth"),
            seat=client.get("seat"),
        ),
        router=str(entry.get("router", "")),
        commands=[str(line) for line in entry.get("commands", ())],
        outcome=str(entry.get("outcome", "")),
        output=str(entry.get("output", "")),
        detail=entry.get("detail"),
    )
