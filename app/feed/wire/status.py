"""State of the routers, the cache and the feed: `system_status`, `/api/router_status`,
`/health`, `/api/cache_statistics`, `/api/websocket_stats`."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from app.engine.freshness import ErrorCode, Freshness
from app.engine.pool import PoolState
from app.feed.wire.base import Time, Wire
from app.feed.wire.sections import SectionStatus


class Sessions(Wire, kw_only=True):
    size: int
    open: int
    busy: int


class RouterStatus(Wire, kw_only=True):
    """One router's connection and polling state."""

    router: str
    state: PoolState
    reachable: bool
    latency_seconds: Annotated[
        float | None,
        msgspec.Meta(
            description="The quickest data set's last poll; null when no data set's last "
            "poll was answered (a timeout is not a round trip)."
        ),
    ]
    last_poll_seconds: Annotated[
        dict[str, float],
        msgspec.Meta(
            description="Per data set, the duration of its last poll, only when the router "
            "answered it."
        ),
    ]
    last_answer_at: Annotated[
        Time | None, msgspec.Meta(description="When the router last answered any command.")
    ]
    failing_sections: Annotated[
        list[str], msgspec.Meta(description="Engine sections whose last poll failed.")
    ]
    sections: Annotated[
        dict[str, SectionStatus],
        msgspec.Meta(
            description="Every engine section (cpu, memory, health, alarms, version, "
            "interface_brief, online_total, domains, ip_pools, slots, subscribers, traffic): "
            "freshness, consecutive failures, last error."
        ),
    ]
    last_error: Annotated[
        str | None,
        msgspec.Meta(
            description="The connection error, else the newest error of a section that "
            "still fails (another section's success does not clear it)."
        ),
    ]
    last_error_at: Time | None
    connection_error: str | None
    poll_error: str | None
    retry_in: float | None
    sessions: Sessions
    connection_failures: int
    polls: int
    poll_failures: int


class FeedStats(Wire, kw_only=True):
    """Counters of the WebSocket side."""

    clients: Annotated[int, msgspec.Meta(description="Connected now.")]
    connections: Annotated[int, msgspec.Meta(description="Accepted since the server started.")]
    messages_sent: Annotated[
        int, msgspec.Meta(description="Frames written to clients (a broadcast to 10 clients: 10).")
    ]
    broadcasts: Annotated[
        int, msgspec.Meta(description="Messages encoded for broadcast (each once).")
    ]
    dropped: Annotated[
        int,
        msgspec.Meta(
            description="Queued messages dropped because a client's queue was full "
            "(not counting those replaced by a newer state of the same thing)."
        ),
    ]
    conflated: Annotated[
        int,
        msgspec.Meta(
            description="Queued messages replaced by a newer state of the same router and "
            "section before a slow client read them."
        ),
    ]
    disconnected_laggards: Annotated[
        int, msgspec.Meta(description="Clients closed because they stayed behind.")
    ]
    errors_sent: Annotated[
        int, msgspec.Meta(description="`error` answers to malformed client messages.")
    ]


class ProblemSection(Wire, kw_only=True):
    """A section that fails now or is stale."""

    state: Freshness
    consecutive_failures: int
    error: ErrorCode | None


class RouterHealth(Wire, kw_only=True):
    state: PoolState
    reachable: bool
    last_error: str | None
    sections: Annotated[
        dict[str, ProblemSection],
        msgspec.Meta(description="Sections that fail now or are stale."),
    ]


class HealthAnswer(Wire, kw_only=True):
    """`/health`: 200 while a router is reachable, 503 when none is."""

    success: bool
    status: Annotated[
        Literal["ok", "degraded", "unavailable", "no_routers"],
        msgspec.Meta(
            description="degraded: a router is unreachable, or some router's sections fail "
            "or are stale (listed under routers.*.sections)."
        ),
    ]
    timestamp: Time
    version: str
    uptime_seconds: float
    routers: dict[str, RouterHealth]
    feed_clients: int


class RouterStatusAnswer(Wire, kw_only=True):
    success: Literal[True] = True
    timestamp: Time
    routers: list[RouterStatus]


class CacheEntryAge(Wire, kw_only=True):
    router: str
    kind: str
    item: str
    age: float
    ttl: float
    expires_in: float


class CacheStatistics(Wire, kw_only=True):
    hits: int
    misses: int
    coalesced: int
    requests: int
    hit_rate: float | None
    loads: int
    load_failures: int
    expirations: int
    evictions: int
    entries: int
    max_entries: int
    loads_in_flight: int
    entry_ages: list[CacheEntryAge]


class CacheStatisticsAnswer(Wire, kw_only=True):
    success: Literal[True] = True
    timestamp: Time
    router: str | None
    data: CacheStatistics


class ClientStats(Wire, kw_only=True):
    id: int
    routers: list[str] | None
    queued: int
    sent: int
    dropped: int
    conflated: int


class WebSocketStats(FeedStats, kw_only=True):
    queue_size: int | None
    connections_by_client: list[ClientStats]
    uptime_seconds: float


class WebSocketStatsAnswer(Wire, kw_only=True):
    success: Literal[True] = True
    timestamp: Time
    data: WebSocketStats
