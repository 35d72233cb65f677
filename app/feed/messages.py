"""Builders of the feed's WebSocket messages (the protocol of ARCHITECTURE.md).

Every message is a JSON object with ``type``, ``timestamp`` (ISO 8601 UTC, ``Z``) and
``epoch`` (the same moment in epoch seconds, for clients that measure delays):

* ``welcome``       {message, server_time, version, routers: [names]}
* ``router_data``   {router, data: {section: object | null}} -- on connect every section,
  later the sections one poll round changed or whose freshness changed (a clock-driven
  check: data turns stale with no event); each section is exactly the ``data`` of the
  matching HTTP endpoint and carries ``collected_at`` / ``collected_epoch``, ``age_s``,
  ``stale``, ``fresh_until`` and ``error`` (see :mod:`app.feed.sections`)
* ``system_status`` {status: {router: router_status_dict}, feed: FeedStats.as_dict()} --
  per router the connection state and every section's freshness, failures and last error
* ``alert``         {router, alert: Alert.to_dict() with UTC ``Z`` times}
* ``heartbeat``     {server_time}
* ``pong``          {server_time}
* ``subscribed``    {routers: [names] | null}  (answer to ``subscribe``; null = all)
* ``error``         {code, message, ...details}
* command replies are the remote command handler's dicts with the envelope added.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from app.domain.alerts import Alert
from app.engine.freshness import Freshness
from app.engine.monitor import RouterStatus
from app.engine.pool import PoolState
from app.feed.context import FeedContext
from app.feed.sections import FEED_SECTIONS, build_sections, record_dict
from app.feed.serialize import alert_dict, dumps, iso_z, to_jsonable

WELCOME_TEXT = "Connected to the NE8000 Monitor feed"


def envelope(ctx: FeedContext, kind: str, **fields: Any) -> dict[str, Any]:
    now = ctx.clock()
    return {"type": kind, "timestamp": iso_z(now), "epoch": now, **fields}


def welcome(ctx: FeedContext, routers: Iterable[str]) -> str:
    now = ctx.clock()
    return dumps(
        envelope(
            ctx,
            "welcome",
            message=WELCOME_TEXT,
            server_time=iso_z(now),
            version=ctx.version,
            routers=list(routers),
        )
    )


def router_data(ctx: FeedContext, router: str, sections: Iterable[str] = FEED_SECTIONS) -> str:
    """`router_data` with the named sections of `router` (a section never collected: null)."""
    assert ctx.traffic is not None
    snapshot = ctx.monitor.snapshot(router)
    data = build_sections(ctx.monitor, snapshot, ctx.traffic, sections, now=ctx.clock())
    return dumps(envelope(ctx, "router_data", router=router, data=data))


def problem_sections(status: RouterStatus, now: float) -> dict[str, Any]:
    """Sections of the router that fail now or are stale, with why (for /health)."""
    problems: dict[str, Any] = {}
    for name, record in status.polling.sections.items():
        state = record.state(now)
        if record.failures or state is Freshness.STALE:
            error = record.error
            problems[name] = {
                "state": str(state),
                "consecutive_failures": record.failures,
                "error": None if error is None else str(error.code),
            }
    return problems


def router_status_dict(status: RouterStatus, now: float | None = None) -> dict[str, Any]:
    """One router's connection and polling state (also `/api/router_status` and /health).

    `sections` holds every engine section's freshness, consecutive failures and errors;
    `last_poll_seconds` (and so `latency_seconds`) holds only data sets whose last poll the
    router answered: a timed-out poll is not a round trip.
    """
    now = time.time() if now is None else now
    pool, polling = status.pool, status.polling
    durations = polling.last_poll_seconds
    answered = polling.last_answer_at
    return {
        "router": status.router,
        "state": str(pool.state),
        "reachable": pool.state is PoolState.CONNECTED,
        # The quickest data set's last poll: the closest thing to a command round trip.
        "latency_seconds": min(durations.values()) if durations else None,
        "last_poll_seconds": dict(durations),
        "last_answer_at": None if answered is None else iso_z(answered),
        "failing_sections": sorted(n for n, r in polling.sections.items() if r.failures),
        "sections": {name: record_dict(r, now) for name, r in polling.sections.items()},
        "last_error": pool.last_error or polling.last_error,
        "last_error_at": None if polling.last_error_at is None else iso_z(polling.last_error_at),
        "connection_error": pool.last_error,
        "poll_error": polling.last_error,
        "retry_in": pool.retry_in,
        "sessions": {
            "size": pool.size,
            "open": pool.open_sessions,
            "busy": pool.busy_sessions,
        },
        "connection_failures": pool.failures,
        "polls": polling.polls,
        "poll_failures": polling.failures,
    }


def system_status(ctx: FeedContext, routers: Iterable[str] | None = None) -> str:
    """`system_status`: per-router state (all routers, or those named) and the feed stats."""
    names = list(ctx.monitor.routers if routers is None else routers)
    statuses = [s for name in names for s in status_of(ctx, name)]
    return dumps(
        envelope(
            ctx,
            "system_status",
            status={s.router: router_status_dict(s, ctx.clock()) for s in statuses},
            feed=ctx.stats.as_dict(),
        )
    )


def status_of(ctx: FeedContext, router: str) -> list[RouterStatus]:
    """The router's status, or nothing if it is gone (removed, or the engine shut down)."""
    try:
        return ctx.monitor.router_status(router)
    except KeyError:  # removed while the message was being built
        return []


def alert(ctx: FeedContext, item: Alert) -> str:
    return dumps(envelope(ctx, "alert", router=item.router, alert=alert_dict(item)))


def heartbeat(ctx: FeedContext) -> str:
    return dumps(envelope(ctx, "heartbeat", server_time=iso_z(ctx.clock())))


def pong(ctx: FeedContext) -> str:
    return dumps(envelope(ctx, "pong", server_time=iso_z(ctx.clock())))


def error(ctx: FeedContext, code: str, message: str, **details: Any) -> str:
    return dumps(envelope(ctx, "error", code=code, message=message, **details))


def subscribed(ctx: FeedContext, routers: Iterable[str] | None) -> str:
    return dumps(envelope(ctx, "subscribed", routers=None if routers is None else sorted(routers)))


def reply(ctx: FeedContext, message: dict[str, Any]) -> str:
    """A reply built elsewhere (the command handler): the envelope fields are added if absent."""
    kind = str(message.get("type", "command_result"))
    return dumps({**envelope(ctx, kind), **to_jsonable(message)})
