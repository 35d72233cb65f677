"""TtlCache: single-flight, errors not cached, TTL expiry, LRU bound, cancellation, stats."""

from __future__ import annotations

import asyncio

import pytest

from app.engine.cache import DEFAULT_TTLS, CacheKey, TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Loader:
    """Counts calls; each call waits on a gate so tests control when the 'command' ends."""

    def __init__(self, value: object = "output") -> None:
        self.calls = 0
        self.value = value
        self.gate = asyncio.Event()
        self.error: Exception | None = None

    async def __call__(self) -> object:
        self.calls += 1
        await self.gate.wait()
        if self.error is not None:
            raise self.error
        return self.value


KEY = CacheKey("r1", "interfaces")


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_fifty_concurrent_gets_share_one_loader_call() -> None:
    cache = TtlCache(clock=Clock())
    loader = Loader(value={"cpu": 12})
    waiters = [asyncio.create_task(cache.get(KEY, loader)) for _ in range(50)]
    await settle()
    assert cache.statistics().loads_in_flight == 1
    loader.gate.set()
    results = await asyncio.gather(*waiters)
    assert loader.calls == 1
    assert all(result == {"cpu": 12} for result in results)
    assert all(result is results[0] for result in results)
    stats = cache.statistics()
    assert (stats.misses, stats.coalesced, stats.hits, stats.loads) == (1, 49, 0, 1)
    assert stats.loads_in_flight == 0
    assert stats.entries == 1
    assert stats.hit_rate == pytest.approx(49 / 50)


async def test_cached_value_is_a_hit_until_the_ttl_runs_out() -> None:
    clock = Clock()
    cache = TtlCache(clock=clock)
    loader = Loader()
    loader.gate.set()
    assert await cache.get(KEY, loader) == "output"
    clock.now += 44.9  # interfaces: 45 s by default
    assert await cache.get(KEY, loader) == "output"
    assert loader.calls == 1
    clock.now += 0.1
    assert await cache.get(KEY, loader) == "output"
    assert loader.calls == 2
    stats = cache.statistics()
    assert (stats.hits, stats.misses, stats.expirations) == (1, 2, 1)


async def test_default_ttls_per_kind_and_overrides() -> None:
    assert dict(DEFAULT_TTLS) == {
        "interfaces": 45.0,
        "pppoe": 20.0,
        "system": 60.0,
        "traffic": 30.0,
    }
    cache = TtlCache(ttls={"pppoe": 5.0, "alarms": 90.0}, fallback_ttl=12.0)
    assert cache.ttl_for("pppoe") == 5.0
    assert cache.ttl_for("system") == 60.0
    assert cache.ttl_for("alarms") == 90.0
    assert cache.ttl_for("unknown-kind") == 12.0
    with pytest.raises(TypeError):
        cache.ttls["pppoe"] = 1.0  # type: ignore[index]
    with pytest.raises(ValueError, match="'system'"):
        TtlCache(ttls={"system": -1.0})
    with pytest.raises(ValueError, match="max_entries"):
        TtlCache(max_entries=0)


async def test_explicit_ttl_overrides_the_kind() -> None:
    clock = Clock()
    cache = TtlCache(clock=clock)
    loader = Loader()
    loader.gate.set()
    await cache.get(KEY, loader, ttl=5.0)
    clock.now += 5.0
    await cache.get(KEY, loader, ttl=5.0)
    assert loader.calls == 2
    with pytest.raises(ValueError, match="ttl"):
        await cache.get(KEY, loader, ttl=float("nan"))


async def test_failed_load_reaches_every_waiter_and_is_not_cached() -> None:
    cache = TtlCache(clock=Clock())
    loader = Loader()
    loader.error = RuntimeError("session lost")
    waiters = [asyncio.create_task(cache.get(KEY, loader)) for _ in range(10)]
    await settle()
    loader.gate.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) and str(r) == "session lost" for r in results)
    assert loader.calls == 1
    stats = cache.statistics()
    assert (stats.entries, stats.load_failures, stats.loads_in_flight) == (0, 1, 0)
    loader.error = None
    assert await cache.get(KEY, loader) == "output"  # the next request tries again
    assert loader.calls == 2


async def test_cancelling_one_waiter_leaves_the_shared_load_running() -> None:
    cache = TtlCache(clock=Clock())
    loader = Loader()
    first = asyncio.create_task(cache.get(KEY, loader))
    second = asyncio.create_task(cache.get(KEY, loader))
    await settle()
    first.cancel()  # the caller that started the load goes away
    await settle()
    assert first.cancelled()
    assert cache.statistics().loads_in_flight == 1
    loader.gate.set()
    assert await second == "output"
    assert loader.calls == 1
    assert cache.statistics().entries == 1


async def test_load_whose_waiters_all_cancelled_still_fills_the_cache() -> None:
    cache = TtlCache(clock=Clock())
    loader = Loader()
    only = asyncio.create_task(cache.get(KEY, loader))
    await settle()
    only.cancel()
    await settle()
    loader.gate.set()
    await settle()
    assert await cache.get(KEY, loader) == "output"
    assert loader.calls == 1
    assert cache.statistics().hits == 1


async def test_lru_eviction_drops_the_least_recently_used() -> None:
    cache = TtlCache(max_entries=2, clock=Clock())

    async def value(v: str) -> str:
        return v

    a, b, c = CacheKey("r1", "system"), CacheKey("r2", "system"), CacheKey("r3", "system")
    await cache.get(a, lambda: value("a"))
    await cache.get(b, lambda: value("b"))
    assert await cache.get(a, lambda: value("a2")) == "a"  # a is now most recent
    await cache.get(c, lambda: value("c"))  # evicts b
    stats = cache.statistics()
    assert stats.evictions == 1
    assert {s.key for s in stats.entry_ages} == {a, c}
    assert await cache.get(b, lambda: value("b2")) == "b2"  # b was gone: loaded again
    assert cache.statistics().evictions == 2  # and that evicted a


async def test_statistics_report_the_age_of_each_entry() -> None:
    clock = Clock()
    cache = TtlCache(clock=clock)

    async def value() -> int:
        return 1

    old, new = CacheKey("r1", "system"), CacheKey("r1", "pppoe")
    await cache.get(old, value)
    clock.now += 10
    await cache.get(new, value)
    clock.now += 3
    stats = cache.statistics()
    assert [(s.key, s.age, s.ttl, s.expires_in) for s in stats.entry_ages] == [
        (old, 13.0, 60.0, 47.0),
        (new, 3.0, 20.0, 17.0),
    ]
    clock.now += 17  # pppoe entry reaches its TTL
    stats = cache.statistics()
    assert [s.key for s in stats.entry_ages] == [old]
    assert (stats.entries, stats.expirations) == (1, 1)


async def test_invalidate_during_a_load_keeps_its_result_out_of_the_cache() -> None:
    cache = TtlCache(clock=Clock())
    stale = Loader(value="before shutdown")
    waiter = asyncio.create_task(cache.get(KEY, stale))
    await settle()
    assert cache.invalidate(KEY) is True
    fresh = Loader(value="after shutdown")
    fresh.gate.set()
    assert await cache.get(KEY, fresh) == "after shutdown"  # not joined to the stale load
    stale.gate.set()
    assert await waiter == "before shutdown"
    assert await cache.get(KEY, stale) == "after shutdown"
    assert (stale.calls, fresh.calls) == (1, 1)


async def test_invalidate_router_drops_only_that_router() -> None:
    cache = TtlCache(clock=Clock())

    async def value() -> str:
        return "x"

    for key in (CacheKey("r1", "system"), CacheKey("r1", "pppoe"), CacheKey("r2", "system")):
        await cache.get(key, value)
    assert cache.invalidate_router("r1") == 2
    assert [s.key for s in cache.statistics().entry_ages] == [CacheKey("r2", "system")]
    assert cache.invalidate(CacheKey("r1", "system")) is False


async def test_clear_drops_entries_and_keeps_counters() -> None:
    cache = TtlCache(clock=Clock())
    loader = Loader()
    loader.gate.set()
    await cache.get(KEY, loader)
    await cache.get(KEY, loader)
    cache.clear()
    stats = cache.statistics()
    assert (stats.entries, stats.hits, stats.misses) == (0, 1, 1)
    await cache.get(KEY, loader)
    assert loader.calls == 2
