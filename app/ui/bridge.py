"""The engine -> Qt bridge: one asyncio task turns engine events into LiveState updates.

It runs on the qasync loop (the GUI thread), so it may touch Qt objects directly; no
threads, no queued signals across threads. The subscription is bounded by the engine (the
oldest events drop if the GUI ever falls behind), and a failure handling one event is
reported to the operator and does not stop the bridge.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from app.engine.events import (
    AlertChanged,
    PollFailed,
    RouterDataUpdated,
    RoutersChanged,
    RouterStateChanged,
    Subscription,
    TrafficSampled,
)
from app.engine.monitor import Monitor
from app.engine.rates import TrafficSample
from app.ui.live import LiveState

_log = logging.getLogger("ne8000monitor.ui.bridge")

QUEUE_SIZE = 4096


class EngineBridge:
    """Owns the UI's event subscription and the task that consumes it."""

    def __init__(self, monitor: Monitor, live: LiveState) -> None:
        self.monitor = monitor
        self.live = live
        self._subscription: Subscription | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Seed LiveState from the engine's current picture, then follow its events."""
        if self._task is not None:
            return
        # Subscribe before seeding so nothing published in between is lost.
        self._subscription = self.monitor.subscribe(name="gui", max_queue=QUEUE_SIZE)
        self.resync()
        self._task = asyncio.get_running_loop().create_task(self._consume(), name="gui-bridge")

    def resync(self) -> None:
        """Take routers, sections, states and alerts from the engine (start, add/remove)."""
        live = self.live
        live.set_routers(self.monitor.routers)
        for status in self.monitor.router_status():
            live.update_state(
                status.router,
                status.pool.state,
                status.pool.last_error,
                self.monitor.connection_problem(status.router),
            )
        for name in self.monitor.routers:
            snapshot = self.monitor.snapshot(name)
            router = live.router(name)
            for section, record in snapshot.records.items():
                value = record.value
                if value is not None and router.taken_at(section) != value.timestamp:
                    live.update_section(name, section, value.data, value.timestamp, record)
                else:
                    router.records[section] = record
                    if value is None:  # nothing collected (a restarted collector): no data
                        router.sections.pop(section, None)
        live.set_alerts(self.monitor.active_alerts())

    async def stop(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _consume(self) -> None:
        assert self._subscription is not None
        async for event in self._subscription:
            try:
                if isinstance(event, RoutersChanged):  # a collector's feed started over
                    self.resync()
                    continue
                apply_event(self.live, event, self.monitor)
            except Exception as error:  # one bad event must not blind the window
                _log.exception("GUI could not show an engine event")
                self.live.error_occurred.emit(f"{type(error).__name__}: {error}")


def apply_event(live: LiveState, event: object, monitor: Monitor | None = None) -> None:
    """Copy one engine event into the live state (events of unknown routers are dropped).

    `monitor` says why a router's connection fails, translatable (None: the English
    error only)."""
    if isinstance(event, RouterDataUpdated):
        if event.router in live.routers:
            live.update_section(
                event.router, event.section, event.data, event.timestamp, event.record
            )
    elif isinstance(event, TrafficSampled):
        if event.router not in live.routers:
            return
        for point in event.points:
            if isinstance(point, TrafficSample):
                live.add_traffic(
                    event.router, point.interface, point.t, point.in_bps, point.out_bps
                )
            else:  # a gap stays a gap
                live.add_traffic(event.router, point.interface, point.t, None, None)
        live.traffic_done(event.router)
    elif isinstance(event, RouterStateChanged):
        if event.router in live.routers:
            problem = None
            if monitor is not None and event.error:
                try:
                    problem = monitor.connection_problem(event.router)
                except KeyError:  # removed meanwhile
                    problem = None
            live.update_state(event.router, event.state, event.error, problem)
    elif isinstance(event, PollFailed):
        if event.router in live.routers:
            live.poll_failed(
                event.router, event.section, event.error, event.timestamp, event.record
            )
    elif isinstance(event, AlertChanged):
        live.update_alert(event.alert)
