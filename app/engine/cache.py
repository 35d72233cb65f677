"""A TTL cache with single-flight loading, so concurrent readers cost one router command.

VRP boxes have few VTY lines shared with people; when the poller, the UI and a feed client
ask for the same data at once they must share one command, not queue three. So a miss starts
one load in its own task and every caller for that key awaits it (shielded: a caller that is
cancelled leaves the load running for the others). A failed load is never cached; every
waiter gets the error and the next request tries again. Entries expire by their TTL on an
injectable monotonic clock, and the cache is bounded (least recently used entries go first).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar, cast

T = TypeVar("T")

# Default time-to-live per kind of data, in seconds (from the earlier service).
DEFAULT_TTLS: Mapping[str, float] = MappingProxyType(
    {"interfaces": 45.0, "pppoe": 20.0, "system": 60.0, "traffic": 30.0}
)
FALLBACK_TTL = 30.0  # for a kind the mapping does not name
DEFAULT_MAX_ENTRIES = 1024


@dataclass(frozen=True, slots=True, order=True)
class CacheKey:
    """What is cached: one kind of data (``interfaces``, ``pppoe``, ...) of one router.

    ``item`` narrows it further (a command, an interface name); "" for the whole kind.
    """

    router: str
    kind: str
    item: str = ""


@dataclass(frozen=True, slots=True)
class EntryStatistics:
    """One cached entry as the UI and `/api/cache_statistics` show it."""

    key: CacheKey
    age: float  # seconds since the value was loaded
    ttl: float
    expires_in: float  # seconds left (> 0: the entry is live)


@dataclass(frozen=True, slots=True)
class CacheStatistics:
    """A point-in-time copy of the cache counters (counters run since the cache was made)."""

    hits: int  # served from a live entry
    misses: int  # started a load
    coalesced: int  # joined a load another caller had started (no extra command)
    loads: int  # loader calls
    load_failures: int
    expirations: int  # entries dropped because their TTL ran out
    evictions: int  # entries dropped because the cache was full (LRU)
    entries: int
    max_entries: int
    loads_in_flight: int
    entry_ages: tuple[EntryStatistics, ...]  # oldest first

    @property
    def requests(self) -> int:
        return self.hits + self.misses + self.coalesced

    @property
    def hit_rate(self) -> float | None:
        """Share of requests that cost no command of their own; None before any request."""
        if self.requests == 0:
            return None
        return (self.hits + self.coalesced) / self.requests


@dataclass(slots=True)
class _Entry:
    value: Any
    loaded_at: float
    ttl: float


class TtlCache:
    """TTL + LRU cache of router data; `get` loads a missing key once for all callers."""

    def __init__(
        self,
        *,
        ttls: Mapping[str, float] | None = None,
        fallback_ttl: float = FALLBACK_TTL,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`ttls` overrides :data:`DEFAULT_TTLS` per kind (kinds it does not name keep theirs)."""
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries}")
        merged = {**DEFAULT_TTLS, **(ttls or {})}
        for kind, ttl in [*merged.items(), ("fallback", fallback_ttl)]:
            _check_ttl(ttl, kind)
        self._ttls: Mapping[str, float] = MappingProxyType(merged)
        self._fallback_ttl = fallback_ttl
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[CacheKey, _Entry] = OrderedDict()
        self._loading: dict[CacheKey, asyncio.Task[Any]] = {}
        self._generation: dict[CacheKey, int] = {}
        self._hits = self._misses = self._coalesced = 0
        self._loads = self._load_failures = self._expirations = self._evictions = 0

    @property
    def ttls(self) -> Mapping[str, float]:
        """The TTL per kind in force (defaults merged with overrides), read-only."""
        return self._ttls

    def ttl_for(self, kind: str) -> float:
        return self._ttls.get(kind, self._fallback_ttl)

    async def get(
        self,
        key: CacheKey,
        loader: Callable[[], Awaitable[T]],
        *,
        ttl: float | None = None,
    ) -> T:
        """The live cached value for `key`, else the result of one shared `loader()` call.

        `ttl` (seconds) overrides the kind's TTL for the value this call loads. The loader's
        exception reaches every caller waiting on that load and nothing is cached.
        """
        if ttl is not None:
            _check_ttl(ttl, "ttl")
        entry = self._live_entry(key)
        if entry is not None:
            self._hits += 1
            self._entries.move_to_end(key)
            return cast(T, entry.value)
        task = self._loading.get(key)
        if task is None:
            self._misses += 1
            task = self._start_load(key, loader, self.ttl_for(key.kind) if ttl is None else ttl)
        else:
            self._coalesced += 1
        # shield: cancelling this caller must not cancel the load the others wait on.
        return cast(T, await asyncio.shield(task))

    def invalidate(self, key: CacheKey) -> bool:
        """Drop `key` (after a change on the router); a load in flight will not be stored.

        Callers already waiting on that load still get its result; the next `get` starts a
        fresh load. True if an entry or a load was there.
        """
        self._generation[key] = self._generation.get(key, 0) + 1
        had_entry = self._entries.pop(key, None) is not None
        had_load = self._loading.pop(key, None) is not None
        return had_entry or had_load

    def invalidate_router(self, router: str) -> int:
        """Drop every entry and in-flight load of `router`; returns how many keys."""
        keys = {k for k in [*self._entries, *self._loading] if k.router == router}
        for key in keys:
            self.invalidate(key)
        return len(keys)

    def clear(self) -> None:
        """Drop every entry and detach in-flight loads (settings changed, shutting down).

        Counters are kept; callers waiting on a detached load still get its result.
        """
        for key in [*self._entries, *self._loading]:
            self.invalidate(key)

    async def cancel_loads(self, router: str | None = None) -> int:
        """Cancel the loads in flight (of `router`, or all) and wait until they ended.

        For shutdown and removing a router: loads are shielded from their callers'
        cancellation, so stopping the pollers alone would leave them running against
        routers that are being logged out of. Returns how many were cancelled.
        """
        keys = [k for k in self._loading if router is None or k.router == router]
        tasks = [self._loading[k] for k in keys]
        for key in keys:
            self.invalidate(key)  # nothing they still return is stored
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return len(tasks)

    def purge_expired(self) -> int:
        """Drop entries whose TTL ran out; returns how many (also done lazily by `get`)."""
        now = self._clock()
        expired = [k for k, e in self._entries.items() if now - e.loaded_at >= e.ttl]
        for key in expired:
            del self._entries[key]
        self._expirations += len(expired)
        return len(expired)

    def statistics(self) -> CacheStatistics:
        """Counters and the age of every live entry (expired entries are purged first)."""
        self.purge_expired()
        now = self._clock()
        ages = sorted(
            (
                EntryStatistics(key, now - e.loaded_at, e.ttl, e.loaded_at + e.ttl - now)
                for key, e in self._entries.items()
            ),
            key=lambda s: (-s.age, s.key),
        )
        return CacheStatistics(
            hits=self._hits,
            misses=self._misses,
            coalesced=self._coalesced,
            loads=self._loads,
            load_failures=self._load_failures,
            expirations=self._expirations,
            evictions=self._evictions,
            entries=len(self._entries),
            max_entries=self._max_entries,
            loads_in_flight=len(self._loading),
            entry_ages=tuple(ages),
        )

    def _live_entry(self, key: CacheKey) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() - entry.loaded_at >= entry.ttl:
            del self._entries[key]
            self._expirations += 1
            return None
        return entry

    def _start_load(
        self, key: CacheKey, loader: Callable[[], Awaitable[Any]], ttl: float
    ) -> asyncio.Task[Any]:
        generation = self._generation.get(key, 0)
        self._loads += 1

        async def load() -> Any:
            try:
                value = await loader()
            except BaseException:
                self._load_failures += 1
                raise
            finally:
                # Only unregister our own load: after `invalidate` a newer one may own the key.
                if self._loading.get(key) is asyncio.current_task():
                    del self._loading[key]
            if self._generation.get(key, 0) == generation:
                self._store(key, value, ttl)
            return value

        task = asyncio.create_task(load(), name=f"cache-load {key.router}/{key.kind}")
        # If every waiter was cancelled nobody reads the error; retrieve it so asyncio does
        # not log "exception was never retrieved" for a failure already counted.
        task.add_done_callback(_consume_exception)
        self._loading[key] = task
        return task

    def _store(self, key: CacheKey, value: Any, ttl: float) -> None:
        self._entries[key] = _Entry(value, self._clock(), ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
            self._evictions += 1


def _check_ttl(ttl: float, name: str) -> None:
    if not ttl >= 0:  # also rejects NaN
        raise ValueError(f"TTL for {name!r} must be >= 0 seconds, got {ttl!r}")


def _consume_exception(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()
