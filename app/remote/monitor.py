"""`RemoteMonitor`: the engine facade the window uses, fed by a collector instead of routers.

It opens no session to any router. Reads come from the collector's `/ws/monitor` (kept as
the engine's picture by :class:`~app.remote.picture.Picture`, followed and reconnected by
:class:`~app.remote.link.Link`) and `/api/history`; console lines, changes and alert
acknowledgements go to the collector, which checks, rate-limits and audits them under the
seat's token. Events go out on the seat's own :class:`~app.engine.events.EventBus`, so the
window's bridge and views work as they do over a local engine
(:class:`~app.engine.runtime.MonitorFacade`).

Freshness is judged against :meth:`RemoteMonitor.now`, the collector's clock as estimated
from its messages; section times are the router's as the collector saw them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection, Iterable
from typing import Literal

from app.domain.alerts import Alert
from app.domain.messages import Message, MessageId, message
from app.engine.cache import CacheStatistics
from app.engine.changes import ChangePlan, ChangeRequest, ChangeResult
from app.engine.events import EventBus, Subscription
from app.engine.history_store import Resolution
from app.engine.monitor import HistoryResult, RouterSnapshot, RouterStatus
from app.engine.runtime import CollectorStatus
from app.feed.wire.collector import AcknowledgeAnswer, AcknowledgeRequest, CollectorInfoAnswer
from app.remote.changes import RemoteChanges
from app.remote.client import CollectorClient
from app.remote.errors import CollectorError, ManagedByCollector
from app.remote.history import history_query
from app.remote.link import Link
from app.remote.picture import Picture

_log = logging.getLogger("ne8000monitor.remote")


class RemoteMonitor:
    """A collector's picture behind the engine's Monitor facade (see the module docstring)."""

    def __init__(self, client: CollectorClient, *, link: Link | None = None) -> None:
        self.client = client
        self.bus = EventBus()
        self.link = link or Link(client)
        self.picture = Picture(self.bus, self.link.now)
        self.workflow = RemoteChanges(client, self.interface_names)
        self._task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._stopped = False

    # ----- the link (what the window's collector banner shows) ----------------------------

    @property
    def url(self) -> str:
        return self.client.url

    @property
    def rules(self) -> CollectorInfoAnswer | None:
        """What the collector said about itself on the last connection (None: never)."""
        return self.link.rules

    @property
    def connected(self) -> bool:
        return self.link.connected

    def status(self) -> CollectorStatus:
        return self.link.status()

    def problems_since(self, seen: int) -> tuple[int, list[str]]:
        return self.link.problems_since(seen)

    def report(self, text: str) -> None:
        self.link.report(text)

    def on_rules(self, listener: Callable[[CollectorInfoAnswer], None]) -> None:
        self.link.on_rules(listener)

    # ----- life cycle ----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._stopped

    async def start(self) -> None:
        """Connect (and keep reconnecting) in the background."""
        if self._stopped:
            raise RuntimeError("the monitor was stopped; build a new one")
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self.link.run(self.picture), name="collector-feed"
            )

    async def wait_ready(self, timeout: float) -> bool:
        """Wait for the first picture (or the first failure, or `timeout`); True when the
        collector's data is here."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.link.ready.wait(), timeout)
        return self.connected

    async def stop(self) -> None:
        """Disconnect and end every event subscription. Final."""
        if self._stopped:
            return
        self._stopped = True
        tasks = [t for t in (self._task, *self._background) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.client.close()
        self.bus.close()

    # ----- reading (the facade) -----------------------------------------------------------

    @property
    def routers(self) -> list[str]:
        return list(self.picture.routers)

    def now(self) -> float:
        """The collector's clock (epoch seconds)."""
        return self.link.now()

    def snapshot(self, router: str) -> RouterSnapshot:
        return self.picture.snapshot(router)

    def router_status(self, router: str | None = None) -> list[RouterStatus]:
        names = [router] if router is not None else self.picture.routers
        return [self.picture.router_status(name) for name in names]

    def connection_problem(self, router: str) -> Message | None:
        """Why the router's data cannot come, translatable: the collector out of reach.
        Its routers' own connection errors arrive in the collector's (English) words,
        which the window shows as they are."""
        if router not in self.picture.routers:
            raise KeyError(router)
        return None if self.connected else message(MessageId.ERROR_COLLECTOR_UNREACHABLE)

    def subscribe(
        self,
        *,
        name: str = "",
        types: Iterable[type] | None = None,
        routers: Collection[str] | None = None,
        max_queue: int | None = None,
    ) -> Subscription:
        return self.bus.subscribe(name=name, types=types, routers=routers, max_queue=max_queue)

    def cache_statistics(self) -> CacheStatistics:
        """The collector's cache (a seat has none of its own)."""
        return self.link.cache

    def monitored_interfaces(self, router: str) -> tuple[str, ...]:
        self.picture.known(router)
        rules = self.link.rules
        if rules is None or router not in rules.routers:
            return ()
        return tuple(rules.routers[router].monitored)

    def interface_names(self, router: str) -> tuple[str, ...]:
        return self.picture.interface_names(router)

    def active_alerts(self, router: str | None = None) -> list[Alert]:
        return self.picture.active_alerts(router)

    async def history_query(
        self,
        router: str,
        metric: str,
        start: float,
        end: float | None = None,
        *,
        resolution: Resolution | Literal["auto"] = "auto",
    ) -> HistoryResult:
        """The collector's stored series (its ring or its store), from `/api/history`."""
        self.picture.known(router)
        end = self.now() if end is None else end
        return await history_query(self.client, router, metric, (start, end), resolution)

    # ----- acting through the collector ---------------------------------------------------

    def acknowledge_alert(self, alert_id: str, user: str) -> Alert | None:
        """Ask the collector to acknowledge the alert for every seat and wall; the new
        state comes back as an `alert` message. None when the alert is unknown or the
        collector out of reach (nothing was sent)."""
        alert = self.picture.alert(alert_id)
        if alert is None or not self.connected:
            return None
        task = asyncio.get_running_loop().create_task(
            self._acknowledge(alert, user), name=f"acknowledge-{alert_id}"
        )
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return alert

    async def _acknowledge(self, alert: Alert, user: str) -> None:
        try:
            await self.client.post(
                "/api/alerts/acknowledge",
                AcknowledgeRequest(id=alert.id, user=user),
                AcknowledgeAnswer,
            )
        except CollectorError as error:
            self.report(f"{alert.router}: the alert was not acknowledged: {error}")

    def plan_change(self, request: ChangeRequest) -> ChangePlan:
        """The exact lines of a change (validated here; the collector checks them again)."""
        self.picture.known(request.router)
        return self.workflow.plan(request)

    async def run_change(self, plan: ChangePlan, *, confirmation: str) -> ChangeResult:
        """Send a previewed change to the collector, pinned to the lines shown."""
        return await self.workflow.apply(plan, confirmation=confirmation)

    # ----- what the collector's settings decide --------------------------------------------

    def set_monitored_interfaces(self, router: str, names: Iterable[str]) -> list[Alert]:
        raise ManagedByCollector(
            "the monitored interfaces are the collector's: change them in its settings"
        )

    def add_router(self, *_args: object, **_kwargs: object) -> None:
        raise ManagedByCollector("routers are the collector's: add them in its settings")

    async def remove_router(self, name: str) -> None:
        raise ManagedByCollector("routers are the collector's: remove them in its settings")
