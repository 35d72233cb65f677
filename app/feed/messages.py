"""Builders of the feed's WebSocket messages (the protocol of ARCHITECTURE.md).

Each builder fills the message's wire type (:mod:`app.feed.wire.messages`) and encodes it
once; the resulting :class:`~app.feed.broadcast.Outgoing` (bytes plus what it is about, for
conflation) is queued as is for every client that wants it.

* ``welcome``       {message, server_time, version, routers: [names]}
* ``router_data``   {router, data: {section: object | null}} -- on connect every section,
  later the sections one poll round changed or whose freshness changed
* ``system_status`` {status: {router: RouterStatus}, feed: FeedStats}
* ``alert``         {router, alert}
* ``heartbeat`` / ``pong`` {server_time}; ``subscribed`` {routers: [names] | null}
* ``error``         {code, message, ...details}; ``command_result`` (remote commands)
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from app.domain.alerts import Alert
from app.engine.freshness import Freshness
from app.engine.monitor import RouterStatus
from app.engine.pool import PoolState
from app.feed.broadcast import Outgoing
from app.feed.context import FeedContext
from app.feed.sections import FEED_SECTIONS, build_sections, router_sections, section_status
from app.feed.wire import messages as wire
from app.feed.wire import status as status_wire
from app.feed.wire.base import encode, iso_or_none, iso_z

WELCOME_TEXT = "Connected to the NE8000 Monitor feed"


def _stamp(ctx: FeedContext) -> dict[str, object]:
    now = ctx.clock()
    return {"timestamp": iso_z(now), "epoch": now}


def welcome(ctx: FeedContext, routers: Iterable[str]) -> Outgoing:
    now = ctx.clock()
    message = wire.WelcomeMessage(
        timestamp=iso_z(now),
        epoch=now,
        message=WELCOME_TEXT,
        server_time=iso_z(now),
        version=ctx.version,
        routers=list(routers),
        mass_drop_percent=ctx.monitor.alerts.thresholds.drop_percent,
    )
    return Outgoing(encode(message), "welcome")


def router_data(ctx: FeedContext, router: str, sections: Iterable[str] = FEED_SECTIONS) -> Outgoing:
    """`router_data` with the named sections of `router` (a section never collected: null)."""
    assert ctx.traffic is not None
    now = ctx.clock()
    snapshot = ctx.monitor.snapshot(router)
    data = build_sections(ctx.monitor, snapshot, ctx.traffic, sections, now=now)
    message = wire.RouterDataMessage(
        timestamp=iso_z(now), epoch=now, router=router, data=router_sections(data)
    )
    return Outgoing(encode(message), "router_data", router, frozenset(data))


def problem_sections(status: RouterStatus, now: float) -> dict[str, status_wire.ProblemSection]:
    """Sections of the router that fail now or are stale, with why (for /health)."""
    problems = {}
    for name, record in status.polling.sections.items():
        state = record.state(now)
        if record.failures or state is Freshness.STALE:
            error = record.error
            problems[name] = status_wire.ProblemSection(
                state=state,
                consecutive_failures=record.failures,
                error=None if error is None else error.code,
            )
    return problems


def router_status(status: RouterStatus, now: float | None = None) -> status_wire.RouterStatus:
    """One router's connection and polling state (also `/api/router_status` and /health).

    `sections` holds every engine section's freshness, consecutive failures and errors;
    `last_poll_seconds` (and so `latency_seconds`) holds only data sets whose last poll the
    router answered: a timed-out poll is not a round trip.
    """
    now = time.time() if now is None else now
    pool, polling = status.pool, status.polling
    durations = polling.last_poll_seconds
    return status_wire.RouterStatus(
        router=status.router,
        state=pool.state,
        reachable=pool.state is PoolState.CONNECTED,
        # The quickest data set's last poll: the closest thing to a command round trip.
        latency_seconds=min(durations.values()) if durations else None,
        last_poll_seconds=dict(durations),
        last_answer_at=iso_or_none(polling.last_answer_at),
        failing_sections=sorted(n for n, r in polling.sections.items() if r.failures),
        sections={name: section_status(r, now) for name, r in polling.sections.items()},
        last_error=pool.last_error or polling.last_error,
        last_error_at=iso_or_none(polling.last_error_at),
        connection_error=pool.last_error,
        poll_error=polling.last_error,
        retry_in=pool.retry_in,
        sessions=status_wire.Sessions(
            size=pool.size, open=pool.open_sessions, busy=pool.busy_sessions
        ),
        connection_failures=pool.failures,
        polls=polling.polls,
        poll_failures=polling.failures,
    )


def feed_stats(ctx: FeedContext) -> status_wire.FeedStats:
    stats = ctx.stats
    return status_wire.FeedStats(
        clients=stats.clients,
        connections=stats.connections,
        messages_sent=stats.messages_sent,
        broadcasts=stats.broadcasts,
        dropped=stats.dropped,
        conflated=stats.conflated,
        disconnected_laggards=stats.disconnected_laggards,
        errors_sent=stats.errors_sent,
    )


def system_status(ctx: FeedContext, routers: Iterable[str] | None = None) -> Outgoing:
    """`system_status`: per-router state (all routers, or those named) and the feed stats."""
    names = list(ctx.monitor.routers if routers is None else routers)
    statuses = [s for name in names for s in status_of(ctx, name)]
    now = ctx.clock()
    message = wire.SystemStatusMessage(
        timestamp=iso_z(now),
        epoch=now,
        status={s.router: router_status(s, now) for s in statuses},
        feed=feed_stats(ctx),
    )
    return Outgoing(encode(message), "system_status")


def status_of(ctx: FeedContext, router: str) -> list[RouterStatus]:
    """The router's status, or nothing if it is gone (removed, or the engine shut down)."""
    try:
        return ctx.monitor.router_status(router)
    except KeyError:  # removed while the message was being built
        return []


def alert_body(item: Alert) -> wire.AlertBody:
    """The feed's `alert` object, times in UTC ``Z`` form."""
    return wire.AlertBody(
        id=item.id,
        router=item.router,
        severity=item.severity,
        kind=item.kind,
        subject=item.subject,
        message=item.message,
        raised_at=iso_z(item.raised_at),
        cleared_at=iso_or_none(item.cleared_at),
        acknowledged_by=item.acknowledged_by,
        acknowledged_at=iso_or_none(item.acknowledged_at),
    )


def alert(ctx: FeedContext, item: Alert) -> Outgoing:
    message = wire.AlertMessage(**_stamp(ctx), router=item.router, alert=alert_body(item))  # type: ignore[arg-type]
    return Outgoing(encode(message), "alert", item.router)


def heartbeat(ctx: FeedContext) -> Outgoing:
    now = ctx.clock()
    message = wire.HeartbeatMessage(timestamp=iso_z(now), epoch=now, server_time=iso_z(now))
    return Outgoing(encode(message), "heartbeat")


def pong(ctx: FeedContext) -> Outgoing:
    now = ctx.clock()
    message = wire.PongMessage(timestamp=iso_z(now), epoch=now, server_time=iso_z(now))
    return Outgoing(encode(message), "pong")


def error(ctx: FeedContext, code: str, message: str, **details: object) -> Outgoing:
    body = wire.ErrorMessage(**_stamp(ctx), code=code, message=message, **details)  # type: ignore[arg-type]
    return Outgoing(encode(body), "error")


def subscribed(ctx: FeedContext, routers: Iterable[str] | None) -> Outgoing:
    names = None if routers is None else sorted(routers)
    return Outgoing(encode(wire.SubscribedMessage(**_stamp(ctx), routers=names)), "subscribed")  # type: ignore[arg-type]


def reply(message: wire.ServerMessage) -> Outgoing:
    """A reply built elsewhere (the command handler), encoded."""
    return Outgoing(encode(message), "reply")
