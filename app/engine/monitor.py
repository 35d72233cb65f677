"""The `Monitor` facade: what the UI, the feed and `serve` use to run and read the engine.

It builds nothing it could be handed: the pools, cache, bus, history, store, alert manager
and change workflow come from the composition root (``build_monitor`` or bootstrap), so the
GUI, headless `serve` and the tests run the very same engine. It does drive their life
cycle: :meth:`Monitor.stop` logs out of every router and flushes and closes the store.
Everything runs on one asyncio loop; nothing here touches Qt or sockets.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from app.domain.alerts import Alert
from app.domain.messages import Message
from app.domain.router import RouterIdentity, RouterProfile
from app.engine.alerts import AlertManager
from app.engine.cache import CacheStatistics, TtlCache
from app.engine.changes import (
    ChangePlan,
    ChangeRequest,
    ChangeResult,
    ChangeWorkflow,
    InterfaceDirectory,
)
from app.engine.events import AlertChanged, EventBus, RouterStateChanged, Subscription
from app.engine.freshness import Freshness, SectionRecord
from app.engine.history import History, Point
from app.engine.history_store import HistoryStore, Resolution, SeriesData
from app.engine.messages import error_message
from app.engine.poller import (
    DataSet,
    PollerParts,
    PollerStatus,
    PollIntervals,
    RouterPoller,
    SectionValue,
)
from app.engine.pool import PoolState, PoolStatus, RouterPools
from app.engine.rates import RateTracker

_log = logging.getLogger("ne8000monitor.engine.monitor")


def profile_identity(profile: RouterProfile) -> RouterIdentity:
    """A router is its name, host and port."""
    return profile.identity


@dataclass(frozen=True, slots=True)
class RouterSnapshot:
    """The latest data of every section of one router (None: never collected yet).

    ``records`` holds each section's whole record (time of the answer, last outcome,
    failures, error, raw text); :meth:`state` applies the one freshness rule to it.
    """

    router: str
    sections: dict[str, SectionValue | None]
    records: dict[str, SectionRecord] = field(default_factory=dict)

    def data(self, section: str) -> object | None:
        value = self.sections.get(section)
        return None if value is None else value.data

    def record(self, section: str) -> SectionRecord | None:
        return self.records.get(section)

    def state(self, section: str, now: float) -> Freshness:
        """fresh / stale / never of `section` at `now` (never when it is unknown)."""
        record = self.records.get(section)
        return Freshness.NEVER if record is None else record.state(now)


@dataclass(frozen=True, slots=True)
class RouterStatus:
    """Connection and polling state of one router, for the status bar and `/health`."""

    router: str
    pool: PoolStatus
    polling: PollerStatus


@dataclass(frozen=True, slots=True)
class HistoryResult:
    """Points of one series and where they came from (`memory` ring or the `store`)."""

    source: Literal["memory", "store"]
    points: list[Point]
    store: SeriesData | None = None  # the rollup detail when the store answered


class Monitor:
    """Routers, their pollers and the shared engine parts, behind one small API."""

    def __init__(
        self,
        pools: RouterPools,
        *,
        cache: TtlCache,
        bus: EventBus,
        history: History,
        alerts: AlertManager,
        workflow: ChangeWorkflow,
        interfaces: InterfaceDirectory | None = None,
        store: HistoryStore | None = None,
        intervals: PollIntervals | None = None,
        rates: RateTracker | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        identity: Callable[[RouterProfile], RouterIdentity] | None = None,
    ) -> None:
        """`interfaces` learns each router's interface names for the change workflow;
        `clock` (epoch seconds), `sleep` and `rng` drive the pollers (tests replace them).
        `identity` says which box a profile is (name, host, port): the history and the
        alerts of a router belong to it (the demo's simulators keep theirs across runs)."""
        self._identity = identity or profile_identity
        self.pools = pools
        self.cache = cache
        self.bus = bus
        self.history = history
        self.alerts = alerts
        self.workflow = workflow
        self.store = store
        self.intervals = intervals or PollIntervals()
        self._parts = PollerParts(
            cache=cache,
            bus=bus,
            history=history,
            alerts=alerts,
            rates=rates or RateTracker(),
            store=store,
            interfaces=interfaces,
            clock=clock,
            sleep=sleep,
            rng=rng or random.Random(),
        )
        self._pollers: dict[str, RouterPoller] = {}
        self._unsubscribe: dict[str, Callable[[], None]] = {}
        self._running = False
        self._stopped = False
        for pool in pools:
            self._attach(pool.profile)

    # ---- routers ----

    @property
    def routers(self) -> list[str]:
        return list(self._pollers)

    @property
    def running(self) -> bool:
        return self._running

    def add_router(
        self,
        profile: RouterProfile,
        *,
        monitored: Iterable[str] = (),
        intervals: PollIntervals | None = None,
    ) -> None:
        """Monitor a router (polling starts now if the monitor is running).

        `monitored` (uplinks to watch) defaults to the profile's own list."""
        if profile.name in self._pollers:
            raise ValueError(f"router {profile.name} is already monitored")
        self.pools.add(profile)
        poller = self._attach(profile, monitored=monitored, intervals=intervals)
        if self._running:
            poller.start()

    async def remove_router(self, name: str) -> None:
        """Stop polling a router, log out of it and forget its live state and alerts."""
        poller = self._pollers.pop(name, None)
        if poller is None:
            raise KeyError(f"no router named {name!r}")
        await poller.stop()
        self._unsubscribe.pop(name)()
        await self.cache.cancel_loads(name)
        self.cache.invalidate_router(name)
        await self.pools.remove(name)
        self._parts.rates.forget(name)
        self.history.remove_router(name)
        self._publish_alerts(self.alerts.remove_router(name))
        if self.store is not None:
            self.store.unbind(name)

    def identity(self, router: str) -> RouterIdentity:
        """Which box `router` is: its name, host and port."""
        return self._identity(self.pools.get(router).profile)

    def _attach(
        self,
        profile: RouterProfile,
        *,
        monitored: Iterable[str] = (),
        intervals: PollIntervals | None = None,
    ) -> RouterPoller:
        # Bound first: the poller's first alert and sample already belong to this box.
        identity = self._identity(profile)
        self.alerts.bind(identity)
        if self.store is not None:
            self.store.bind(identity)
        pool = self.pools.get(profile.name)
        poller = RouterPoller(
            profile.name,
            pool,
            self._parts,
            intervals=intervals or self.intervals,
            timeout=profile.command_timeout,
            monitored=tuple(monitored) or profile.monitored,
        )
        self._pollers[profile.name] = poller
        previous: dict[str, PoolState] = {"state": pool.state}

        def on_change(status: PoolStatus) -> None:
            self.bus.publish(
                RouterStateChanged(
                    status.router,
                    status.state,
                    previous["state"],
                    status.last_error,
                    self._parts.clock(),
                )
            )
            previous["state"] = status.state

        self._unsubscribe[profile.name] = pool.subscribe(on_change)
        return poller

    # ---- life cycle ----

    async def start(self) -> None:
        """Adopt alerts still active from the last run, then start every router's poller."""
        if self._stopped:
            raise RuntimeError("the monitor was stopped; build a new one")
        if self._running:
            return
        if self.store is not None:
            try:
                stored = await self.store.active_alerts()
            except Exception:  # history is a cache of the past, never a reason not to run
                _log.warning("could not restore active alerts", exc_info=True)
            else:
                # Only routers monitored now, and only the same box (the manager checks
                # host and port): another box that took the name starts clean.
                self.alerts.restore(a for a in stored if a.router in self._pollers)
        self._running = True
        for poller in self._pollers.values():
            poller.start()

    async def stop(self) -> None:
        """Stop polling, log out of every router, flush and close the history store, and
        end every event subscription.

        Final (the sessions and the store are closed); calling it again does nothing.
        """
        if self._stopped:
            return
        self._stopped = True
        self._running = False
        await asyncio.gather(*(poller.stop() for poller in self._pollers.values()))
        await self.cache.cancel_loads()
        await self.pools.close()
        if self.store is not None:
            await self.store.flush()
            await self.store.close()
        self.bus.close()  # consumers' `async for` loops end after their queued events

    # ---- reading ----

    def _poller(self, router: str) -> RouterPoller:
        try:
            return self._pollers[router]
        except KeyError:
            raise KeyError(f"no router named {router!r}") from None

    def snapshot(self, router: str) -> RouterSnapshot:
        poller = self._poller(router)
        return RouterSnapshot(router, poller.sections(), poller.records())

    def now(self) -> float:
        """The engine's clock (epoch seconds): what section times are measured against."""
        return self._parts.clock()

    def subscribe(
        self,
        *,
        name: str = "",
        types: Iterable[type] | None = None,
        routers: Collection[str] | None = None,
        max_queue: int | None = None,
    ) -> Subscription:
        """A subscription to the engine's events (see :meth:`EventBus.subscribe`)."""
        return self.bus.subscribe(name=name, types=types, routers=routers, max_queue=max_queue)

    async def history_query(
        self,
        router: str,
        metric: str,
        start: float,
        end: float | None = None,
        *,
        resolution: Resolution | Literal["auto"] = "auto",
    ) -> HistoryResult:
        """Points of one metric in ``[start, end]``: the ring buffer when it covers the
        whole range (the live views), else the SQLite store (longer ranges, rollups)."""
        end = self._parts.clock() if end is None else end
        series = self.history.series(router, metric)
        oldest = None if series is None else next(iter(series), None)
        covered = oldest is not None and oldest[0] <= start
        if self.store is None or (resolution != "5min" and covered):
            return HistoryResult("memory", self.history.between(router, metric, start, end))
        data = await self.store.query(router, metric, start, end, resolution=resolution)
        return HistoryResult("store", [(p.timestamp, p.value) for p in data.points], data)

    def connection_problem(self, router: str) -> Message | None:
        """Why the router's connection fails now, translatable (None while it works).

        A missing password says why: nothing stored, a keyring that could not be read, or
        passwords kept for this session only."""
        error = self.pools.get(router).last_error
        return None if error is None else error_message(error)

    def cache_statistics(self) -> CacheStatistics:
        return self.cache.statistics()

    def router_status(self, router: str | None = None) -> list[RouterStatus]:
        """Pool state, last error and last poll durations of one router or all of them."""
        names = [router] if router is not None else list(self._pollers)
        return [
            RouterStatus(
                name,
                self.pools.get(name).status(),
                self._poller(name).status(),
            )
            for name in names
        ]

    # ---- monitored interfaces and alerts ----

    def set_monitored_interfaces(self, router: str, names: Iterable[str]) -> list[Alert]:
        """Uplinks to watch (down alert, traffic); returns alerts cleared by un-marking."""
        changes = self._poller(router).set_monitored(names)
        self._poller(router).refresh(DataSet.TRAFFIC)
        return changes

    def monitored_interfaces(self, router: str) -> tuple[str, ...]:
        return self._poller(router).monitored

    def active_alerts(self, router: str | None = None) -> list[Alert]:
        return self.alerts.active(router)

    def acknowledge_alert(self, alert_id: str, user: str) -> Alert | None:
        """Record who acknowledged the alert (None if it is not active)."""
        alert = self.alerts.acknowledge(alert_id, user)
        if alert is not None:
            self.bus.publish(AlertChanged(alert.router, alert, self._parts.clock()))
        return alert

    def _publish_alerts(self, alerts: Iterable[Alert]) -> None:
        for alert in alerts:
            self.bus.publish(AlertChanged(alert.router, alert, self._parts.clock()))

    # ---- changes ----

    def plan_change(self, request: ChangeRequest) -> ChangePlan:
        """Validate and preview a change (nothing is sent); see :class:`ChangeWorkflow`."""
        self._poller(request.router)
        return self.workflow.plan(request)

    async def run_change(self, plan: ChangePlan, *, confirmation: str) -> ChangeResult:
        """Apply a previewed change, then re-read what it touched at once."""
        result = await self.workflow.apply(plan, confirmation=confirmation)
        self.cache.invalidate_router(plan.router)
        poller = self._pollers.get(plan.router)
        if poller is not None:
            poller.refresh(DataSet.INTERFACES, DataSet.TRAFFIC, DataSet.SUBSCRIBERS)
        return result


def build_monitor(
    pools: RouterPools,
    workflow: ChangeWorkflow,
    interfaces: InterfaceDirectory,
    *,
    store: HistoryStore | None = None,
    intervals: PollIntervals | None = None,
    ttls: Mapping[str, float] | None = None,
    alerts: AlertManager | None = None,
    bus: EventBus | None = None,
    history: History | None = None,
    identity: Callable[[RouterProfile], RouterIdentity] | None = None,
) -> Monitor:
    """A Monitor over an engine's pools and change workflow (bootstrap passes its parts).

    Alerts are journalled into `store` (the alert history) when one is given; `identity`
    (default: the profile's name, host and port) keys a router's history and alerts.
    """
    journal = store.append_alert_event if store is not None else None
    return Monitor(
        pools,
        cache=TtlCache(ttls=ttls),
        bus=bus or EventBus(),
        history=history or History(),
        alerts=alerts or AlertManager(journal=journal),
        workflow=workflow,
        interfaces=interfaces,
        store=store,
        intervals=intervals,
        identity=identity,
    )
