"""The HTTP API of the earlier service: `/api/*` data endpoints and `/health`.

Shapes (every answer is JSON with ``success`` and ``timestamp``):

* data endpoints (`online_total`, `system_metrics`, `interfaces_status`, `network_traffic`,
  `pppoe_stats`) for one router: ``{success, router, timestamp, collected, data}`` where
  ``data`` is exactly the `router_data` section of the WebSocket feed, or ``null`` with
  ``collected: false`` before the first poll (never invented zeros);
* ``?router=NAME`` picks the router; with one router it may be left out; with several the
  data endpoints answer 400 ``router_required`` (listing them), except `online_total`,
  which then answers every router plus ``total`` (the sum, null until every router is
  known: a partial sum would look like a mass drop); an unknown name is 404;
* `router_status` lists every router (or the one asked for); `cache_statistics` covers the
  shared cache (``?router=`` narrows its entries); `websocket_stats` the feed's clients;
* every data answer adds the section's freshness: ``collected_at`` (the oldest answer it
  shows), ``age_s``, ``stale``, ``state`` and ``error`` (the newest error of a source that
  fails now, with the first line the parser could not read); ``collected`` is false when
  the data is stale or missing, while ``data`` still holds the last figures (marked);
* `/health` is 200 while at least one router is reachable, else 503; its ``status`` is
  ``degraded`` while a router is unreachable or some router's sections fail or are stale
  (each router lists them under ``sections``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from aiohttp import web

from app.engine.cache import CacheStatistics
from app.engine.pool import PoolState
from app.feed.context import FeedContext
from app.feed.messages import feed_stats, problem_sections, router_status, status_of
from app.feed.sections import (
    FEED_SECTIONS,
    ONLINE_TOTAL,
    build_sections,
    section_freshness,
)
from app.feed.wire import status as wire
from app.feed.wire.answers import (
    SECTION_ANSWERS,
    AllOnlineTotalAnswer,
    ErrorAnswer,
    ErrorBody,
    RouterOnlineTotal,
)
from app.feed.wire.base import encode, iso_z
from app.feed.wire.sections import FeedSection, OnlineTotalSection

Handler = Callable[[web.Request], Any]


def json_response(body: object, *, status: int = 200) -> web.Response:
    """A JSON answer of a wire value, encoded by the feed's one encoder."""
    return web.Response(body=encode(body), status=status, content_type="application/json")


def error_response(
    ctx: FeedContext, status: int, code: str, message: str, **details: Any
) -> web.Response:
    body = ErrorAnswer(
        timestamp=iso_z(ctx.clock()), error=ErrorBody(code=code, message=message, **details)
    )
    return json_response(body, status=status)


class RouterChoiceError(Exception):
    """`?router=` is missing where it is needed, or names no router."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


def choose_router(ctx: FeedContext, request: web.Request, *, required: bool) -> str | None:
    """The router `?router=` names; the only one if there is one; None for "all of them".

    Raises :class:`RouterChoiceError` (404 unknown, 400 missing while `required`).
    """
    routers = ctx.monitor.routers
    name = request.query.get("router")
    if name is not None:
        if name not in routers:
            raise RouterChoiceError(
                error_response(
                    ctx, 404, "unknown_router", f"no router named {name!r}", routers=routers
                )
            )
        return name
    if len(routers) == 1:
        return routers[0]
    if required:
        if not routers:
            raise RouterChoiceError(
                error_response(ctx, 404, "no_routers", "no router is configured", routers=[])
            )
        raise RouterChoiceError(
            error_response(
                ctx,
                400,
                "router_required",
                "several routers are monitored; choose one with ?router=NAME",
                routers=routers,
            )
        )
    return None


def api_routes(ctx: FeedContext) -> list[web.RouteDef]:
    api = _Api(ctx)
    routes = [web.get(f"/api/{name}", api.section_handler(name)) for name in FEED_SECTIONS]
    return [
        *routes,
        web.get("/api/router_status", api.router_status),
        web.get("/api/cache_statistics", api.cache_statistics),
        web.get("/api/websocket_stats", api.websocket_stats),
        web.get("/health", api.health),
    ]


class _Api:
    def __init__(self, ctx: FeedContext) -> None:
        self._ctx = ctx

    def _now(self) -> str:
        return iso_z(self._ctx.clock())

    def _section(self, router: str, name: str) -> tuple[FeedSection | None, dict[str, Any]]:
        """The section's data (None: never collected) and its freshness fields."""
        ctx = self._ctx
        assert ctx.traffic is not None
        now = ctx.clock()
        snapshot = ctx.monitor.snapshot(router)
        data = build_sections(ctx.monitor, snapshot, ctx.traffic, [name], now=now)[name]
        return data, section_freshness(snapshot, name, now)

    def section_handler(self, name: str) -> Handler:
        answer_type = SECTION_ANSWERS[name]

        async def handler(request: web.Request) -> web.Response:
            try:
                router = choose_router(self._ctx, request, required=name != ONLINE_TOTAL)
            except RouterChoiceError as error:
                return error.response
            if router is None:
                return self._online_total_all()
            data, freshness = self._section(router, name)
            extra = {}
            if data is None:
                extra["message"] = "not collected yet"
            elif freshness["stale"]:
                extra["message"] = "stale: the router has not given current data"
            body = answer_type(
                router=router,
                timestamp=self._now(),
                collected=data is not None and not freshness["stale"],
                **_answer_freshness(freshness),
                data=data,  # type: ignore[call-arg]
                **extra,
            )
            return json_response(body)

        handler.__name__ = f"get_{name}"
        return handler

    def _online_total_all(self) -> web.Response:
        per_router: dict[str, RouterOnlineTotal] = {}
        stale = False
        for router in self._ctx.monitor.routers:
            data, freshness = self._section(router, ONLINE_TOTAL)
            stale |= bool(freshness["stale"])
            assert data is None or isinstance(data, OnlineTotalSection)
            per_router[router] = RouterOnlineTotal(
                collected=data is not None and not freshness["stale"],
                **_answer_freshness(freshness),
                data=data,
            )
        totals = [None if e.data is None else e.data.total for e in per_router.values()]
        complete = bool(totals) and all(isinstance(t, int) for t in totals)
        return json_response(
            AllOnlineTotalAnswer(
                timestamp=self._now(),
                # The sum of every router's figure; stale when any of them is.
                collected=complete and not stale,
                stale=stale,
                total=sum(totals) if complete else None,  # type: ignore[arg-type]
                routers=per_router,
            )
        )

    async def router_status(self, request: web.Request) -> web.Response:
        try:
            router = choose_router(self._ctx, request, required=False)
        except RouterChoiceError as error:
            return error.response
        if "router" not in request.query:
            router = None
        names = self._ctx.monitor.routers if router is None else [router]
        statuses = [s for name in names for s in status_of(self._ctx, name)]
        now = self._ctx.clock()
        return json_response(
            wire.RouterStatusAnswer(
                timestamp=self._now(), routers=[router_status(s, now) for s in statuses]
            )
        )

    async def cache_statistics(self, request: web.Request) -> web.Response:
        try:
            router = choose_router(self._ctx, request, required=False)
        except RouterChoiceError as error:
            return error.response
        if "router" not in request.query:
            router = None
        stats = self._ctx.monitor.cache_statistics()
        return json_response(
            wire.CacheStatisticsAnswer(
                timestamp=self._now(), router=router, data=_cache_statistics(stats, router)
            )
        )

    async def websocket_stats(self, request: web.Request) -> web.Response:
        ctx = self._ctx
        hub = ctx.hub
        clients = [] if hub is None else hub.clients
        counters = msgspec.structs.asdict(feed_stats(ctx))
        return json_response(
            wire.WebSocketStatsAnswer(
                timestamp=self._now(),
                data=wire.WebSocketStats(
                    **counters,
                    queue_size=None if hub is None else hub.queue_size,
                    connections_by_client=[
                        wire.ClientStats(
                            id=c.id,
                            routers=None if c.routers is None else sorted(c.routers),
                            queued=len(c.queue),
                            sent=c.sent,
                            dropped=c.dropped,
                            conflated=c.conflated,
                        )
                        for c in clients
                    ],
                    uptime_seconds=max(0.0, ctx.clock() - ctx.started_at),
                ),
            )
        )

    async def health(self, request: web.Request) -> web.Response:
        ctx = self._ctx
        statuses = [s for name in ctx.monitor.routers for s in status_of(ctx, name)]
        now = ctx.clock()
        routers = {
            s.router: wire.RouterHealth(
                state=s.pool.state,
                reachable=s.pool.state is PoolState.CONNECTED,
                last_error=s.pool.last_error or s.polling.last_error,
                sections=problem_sections(s, now),
            )
            for s in statuses
        }
        reachable = sum(1 for entry in routers.values() if entry.reachable)
        troubled = any(entry.sections for entry in routers.values())
        if not routers:
            status = "no_routers"
        elif reachable == len(routers) and not troubled:
            status = "ok"
        elif reachable:
            status = "degraded"
        else:
            status = "unavailable"
        return json_response(
            wire.HealthAnswer(
                success=reachable > 0,
                status=status,  # type: ignore[arg-type]
                timestamp=self._now(),
                version=ctx.version,
                uptime_seconds=max(0.0, ctx.clock() - ctx.started_at),
                routers=routers,
                feed_clients=ctx.stats.clients,
            ),
            status=200 if reachable else 503,
        )


def _answer_freshness(freshness: dict[str, Any]) -> dict[str, Any]:
    """The freshness fields a data answer carries beside `data`."""
    keys = ("collected_at", "age_s", "stale", "state", "fresh_until", "partial", "error")
    return {key: freshness[key] for key in keys}


def _cache_statistics(stats: CacheStatistics, router: str | None) -> wire.CacheStatistics:
    entries = [e for e in stats.entry_ages if router is None or e.key.router == router]
    return wire.CacheStatistics(
        hits=stats.hits,
        misses=stats.misses,
        coalesced=stats.coalesced,
        requests=stats.requests,
        hit_rate=stats.hit_rate,
        loads=stats.loads,
        load_failures=stats.load_failures,
        expirations=stats.expirations,
        evictions=stats.evictions,
        entries=stats.entries,
        max_entries=stats.max_entries,
        loads_in_flight=stats.loads_in_flight,
        entry_ages=[
            wire.CacheEntryAge(
                router=e.key.router,
                kind=e.key.kind,
                item=e.key.item,
                age=e.age,
                ttl=e.ttl,
                expires_in=e.expires_in,
            )
            for e in entries
        ],
    )
