"""The collector's router states and cache counters as the engine's own types."""

from __future__ import annotations

from collections.abc import Mapping

from app.engine.cache import CacheKey, CacheStatistics, EntryStatistics
from app.engine.freshness import SectionRecord
from app.engine.monitor import RouterStatus
from app.engine.poller import PollerStatus
from app.engine.pool import PoolState, PoolStatus
from app.feed.wire import status as wire
from app.remote.sections import epoch_of


def router_status(status: wire.RouterStatus, records: Mapping[str, SectionRecord]) -> RouterStatus:
    """One router's connection and polling state as the collector reported it; `records`
    are the section records this seat holds (with their data)."""
    return RouterStatus(
        router=status.router,
        pool=PoolStatus(
            router=status.router,
            state=status.state,
            size=status.sessions.size,
            open_sessions=status.sessions.open,
            busy_sessions=status.sessions.busy,
            failures=status.connection_failures,
            last_error=status.connection_error,
            retry_in=status.retry_in,
        ),
        polling=PollerStatus(
            router=status.router,
            last_error=status.poll_error,
            last_error_at=epoch_of(status.last_error_at),
            last_poll_seconds=dict(status.last_poll_seconds),
            polls=status.polls,
            failures=status.poll_failures,
            sections=dict(records),
            last_answer_at=epoch_of(status.last_answer_at),
        ),
    )


def unknown_status(router: str, records: Mapping[str, SectionRecord], error: str) -> RouterStatus:
    """A router whose state this seat cannot know (the collector is out of reach): shown as
    unreachable with the reason, nothing else claimed."""
    return RouterStatus(
        router=router,
        pool=PoolStatus(
            router=router,
            state=PoolState.UNREACHABLE,
            size=0,
            open_sessions=0,
            busy_sessions=0,
            failures=0,
            last_error=error,
            retry_in=None,
        ),
        polling=PollerStatus(
            router=router,
            last_error=error,
            last_error_at=None,
            last_poll_seconds={},
            polls=0,
            failures=0,
            sections=dict(records),
            last_answer_at=None,
        ),
    )


def cache_statistics(data: wire.CacheStatistics) -> CacheStatistics:
    """The collector's cache counters (the seat has no cache of its own)."""
    return CacheStatistics(
        hits=data.hits,
        misses=data.misses,
        coalesced=data.coalesced,
        loads=data.loads,
        load_failures=data.load_failures,
        expirations=data.expirations,
        evictions=data.evictions,
        entries=data.entries,
        max_entries=data.max_entries,
        loads_in_flight=data.loads_in_flight,
        entry_ages=tuple(
            EntryStatistics(CacheKey(e.router, e.kind, e.item), e.age, e.ttl, e.expires_in)
            for e in data.entry_ages
        ),
    )


EMPTY_CACHE = CacheStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ())
