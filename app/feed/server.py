"""`FeedServer`: the local HTTP/WebSocket feed as one start/stop object.

Used by headless `serve` and by the GUI's feed switch. It checks the bind rule before it
opens a socket (127.0.0.1 by default; any other address only with a token), then runs the
aiohttp application, the engine-event publisher and the heartbeat on the current loop.
`stop` closes every WebSocket with 1001 (going away), ends its tasks and its engine
subscription, and releases the port; nothing is left running.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiohttp import web

from app.engine.console import Console
from app.engine.monitor import Monitor
from app.engine.settings import FeedSettings
from app.feed.application import build_application
from app.feed.broadcast import (
    DEFAULT_LAG_LIMIT,
    DEFAULT_QUEUE_SIZE,
    DEFAULT_SEND_TIMEOUT,
    Hub,
)
from app.feed.context import FeedContext, is_loopback_host
from app.feed.errors import FeedConfigError
from app.feed.publisher import FRESHNESS_CHECK_INTERVAL, Publisher
from app.feed.sections import TrafficRates

_log = logging.getLogger("ne8000monitor.feed.server")

HEARTBEAT_INTERVAL = 15.0
SHUTDOWN_TIMEOUT = 5.0


def check_bind(options: FeedSettings) -> None:
    """Refuse a bind beyond loopback without a token (anyone on the network could read)."""
    if not is_loopback_host(options.host) and not options.token:
        raise FeedConfigError(
            f"the feed would listen on {options.host!r}, which is reachable from other "
            "machines, without a token: set [feed] token in the settings (or --token), "
            "or bind to 127.0.0.1"
        )
    if options.token is not None and not options.token.strip():
        raise FeedConfigError("[feed] token is empty: set a real token or remove the key")


class FeedServer:
    """The feed of one Monitor; `start` and `stop` may each be called once per instance."""

    def __init__(
        self,
        monitor: Monitor,
        options: FeedSettings,
        *,
        console: Console | None,
        version: str,
        heartbeat_interval: float = HEARTBEAT_INTERVAL,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        lag_limit: int = DEFAULT_LAG_LIMIT,
        send_timeout: float = DEFAULT_SEND_TIMEOUT,
        clock: Callable[[], float] = time.time,
        freshness_interval: float = FRESHNESS_CHECK_INTERVAL,
    ) -> None:
        """The keyword extras after `version` exist for tests and the benchmark."""
        self.monitor = monitor
        self.options = options
        self.context = FeedContext(
            monitor=monitor, options=options, console=console, version=version, clock=clock
        )
        self._heartbeat_interval = heartbeat_interval
        self._freshness_interval = freshness_interval
        self._hub_options = {
            "queue_size": queue_size,
            "lag_limit": lag_limit,
            "send_timeout": send_timeout,
        }
        self._runner: web.AppRunner | None = None
        self._publisher: Publisher | None = None
        self._port: int | None = None
        self._state = "new"

    @property
    def running(self) -> bool:
        return self._state == "running"

    @property
    def port(self) -> int | None:
        """The port really bound (the chosen one when the settings say 0)."""
        return self._port

    @property
    def url(self) -> str | None:
        if self._port is None:
            return None
        host = self.options.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self._port}"

    @property
    def client_count(self) -> int:
        return self.context.stats.clients

    @property
    def hub(self) -> Hub | None:
        return self.context.hub

    async def start(self) -> None:
        """Check the configuration, bind and start serving (FeedConfigError, OSError)."""
        if self._state != "new":
            raise RuntimeError("a FeedServer starts once; build a new one")
        check_bind(self.options)
        self._state = "starting"
        ctx = self.context
        ctx.started_at = ctx.clock()
        ctx.hub = Hub(ctx.stats, **self._hub_options)  # type: ignore[arg-type]
        ctx.traffic = TrafficRates()
        app = build_application(ctx)
        runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.options.host, self.options.port, reuse_address=True)
            await site.start()
        except BaseException:
            await runner.cleanup()
            self._state = "stopped"
            raise
        self._runner = runner
        self._port = _bound_port(runner, self.options.port)
        self._publisher = Publisher(
            ctx,
            ctx.hub,
            heartbeat_interval=self._heartbeat_interval,
            freshness_interval=self._freshness_interval,
        )
        self._publisher.start()
        self._state = "running"
        _log.info("feed listening on %s", self.url)

    async def stop(self) -> None:
        """Close every client (1001), stop the publisher, release the port. Idempotent."""
        if self._state in ("new", "stopped"):
            self._state = "stopped"
            return
        self._state = "stopped"
        hub = self.context.hub
        if hub is not None:
            await hub.close()
        if self._publisher is not None:
            await self._publisher.stop()
            self._publisher = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        _log.info("feed stopped")


def _bound_port(runner: web.AppRunner, wanted: int) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return wanted
