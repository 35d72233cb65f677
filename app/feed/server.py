"""`FeedServer`: the local HTTP/WebSocket feed as one start/stop object.

Used by headless `serve` and by the GUI's feed switch. It checks the bind rule before it
opens a socket (127.0.0.1 by default; any other address only with a token, shared or per
seat), then runs the aiohttp application, the engine-event publisher and the heartbeat on
the current loop. With ``tls_cert`` and ``tls_key`` it speaks only TLS (https, wss), so
tokens and data never cross the LAN in clear. While running it re-reads the seat tokens
every few seconds (a revoked seat is disconnected) and keeps their last use.
`stop` closes every WebSocket with 1001 (going away), ends its tasks and its engine
subscription, and releases the port; nothing is left running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from app.engine.audit import AuditLog
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
from app.feed.picture import Picture
from app.feed.publisher import FRESHNESS_CHECK_INTERVAL, Publisher
from app.feed.seats import SeatBook
from app.feed.sections import TrafficRates
from app.tls import TlsConfigError, certificate_fingerprint, server_context

_log = logging.getLogger("ne8000monitor.feed.server")

HEARTBEAT_INTERVAL = 15.0
# Pending connections the kernel keeps while the loop is busy: a wall of screens (or 1000
# clients after a restart) connecting at once overflows aiohttp's default of 128, and the
# refused SYNs are retried after 1, 3, 7 s: connects that take seconds, then time out.
LISTEN_BACKLOG = 2048
WANTED_OPEN_FILES = 8192  # a socket per client, plus sessions, the database and the logs
SHUTDOWN_TIMEOUT = 5.0
SEAT_RELOAD_INTERVAL = 2.0  # seconds between looks at the seat tokens (revocations)
USAGE_FLUSH_INTERVAL = 60.0  # seconds between writes of the seats' last use


def check_bind(options: FeedSettings, *, has_seats: bool = False) -> None:
    """Refuse a bind beyond loopback without a token (anyone on the network could read),
    and half a TLS configuration."""
    if not is_loopback_host(options.host) and not options.token and not has_seats:
        raise FeedConfigError(
            f"the feed would listen on {options.host!r}, which is reachable from other "
            "machines, without a token: set [feed] token in the settings (or --token), "
            "add a seat token (`ne8000monitor token add NAME`), or bind to 127.0.0.1"
        )
    if options.token is not None and not options.token.strip():
        raise FeedConfigError("[feed] token is empty: set a real token or remove the key")
    if (options.tls_cert is None) != (options.tls_key is None):
        missing = "tls_key" if options.tls_key is None else "tls_cert"
        raise FeedConfigError(
            f"[feed] {missing} is missing: TLS needs both tls_cert and tls_key "
            "(--tls-cert and --tls-key), or neither"
        )


def tls_context(options: FeedSettings) -> ssl.SSLContext | None:
    """The server's TLS context when the settings ask for TLS (FeedConfigError naming the
    key when the files cannot be used)."""
    if options.tls_cert is None or options.tls_key is None:
        return None
    try:
        return server_context(Path(options.tls_cert), Path(options.tls_key))
    except TlsConfigError as error:
        raise FeedConfigError(f"[feed] tls_cert / tls_key: {error}") from None


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
        seats: SeatBook | None = None,
        freshness_interval: float = FRESHNESS_CHECK_INTERVAL,
        audit: AuditLog | None = None,
    ) -> None:
        """`seats` holds the seat tokens (None: only the shared token); `audit` is the
        engine's audit log (acknowledgements from seats, `/api/audit`); the other keyword
        extras after `version` exist for tests and the benchmark."""
        self.monitor = monitor
        self.options = options
        self.context = FeedContext(
            monitor=monitor,
            options=options,
            console=console,
            version=version,
            clock=clock,
            seats=seats if seats is not None else SeatBook(),
            audit=audit,
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
        self._maintenance: asyncio.Task[None] | None = None
        self.fingerprint: str | None = None  # SHA-256 of the TLS certificate, when TLS

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
        scheme = "https" if self.options.tls else "http"
        return f"{scheme}://{shown}:{self._port}"

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
        check_bind(self.options, has_seats=self.context.seats.has_seats)
        ssl_context = tls_context(self.options)
        if ssl_context is not None and self.options.tls_cert is not None:
            self.fingerprint = certificate_fingerprint(Path(self.options.tls_cert))
        self._state = "starting"
        raise_open_file_limit(WANTED_OPEN_FILES)
        ctx = self.context
        ctx.started_at = ctx.clock()
        ctx.hub = Hub(ctx.stats, **self._hub_options)  # type: ignore[arg-type]
        ctx.traffic = TrafficRates()
        ctx.picture = Picture(ctx)
        app = build_application(ctx)
        runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        try:
            site = web.TCPSite(
                runner,
                self.options.host,
                self.options.port,
                reuse_address=True,
                ssl_context=ssl_context,
                backlog=LISTEN_BACKLOG,
            )
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
        if self.context.seats.needs_upkeep:
            self._maintenance = asyncio.create_task(self._maintain(), name="feed-seats")
        self._state = "running"
        _log.info("feed listening on %s", self.url)
        if self.fingerprint is not None:
            _log.info("feed TLS certificate SHA-256 fingerprint %s", self.fingerprint)

    async def stop(self) -> None:
        """Close every client (1001), stop the publisher, release the port. Idempotent."""
        if self._state in ("new", "stopped"):
            self._state = "stopped"
            return
        self._state = "stopped"
        if self._maintenance is not None:
            self._maintenance.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._maintenance
            self._maintenance = None
        self.context.seats.flush_usage()
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


    async def _maintain(self) -> None:
        """Follow seat token changes (revocations take effect within seconds) and write
        the seats' last use now and then."""
        seats = self.context.seats
        last_flush = time.monotonic()
        while True:
            await asyncio.sleep(SEAT_RELOAD_INTERVAL)
            try:
                seats.reload()
                if time.monotonic() - last_flush >= USAGE_FLUSH_INTERVAL:
                    last_flush = time.monotonic()
                    seats.flush_usage()  # a few hundred bytes: not worth a thread
            except Exception:  # never let bookkeeping take the feed down
                _log.warning("seat token upkeep failed", exc_info=True)


def raise_open_file_limit(wanted: int) -> int:
    """Raise this process's soft limit of open files towards `wanted` (never above the hard
    limit, never lower than it is): desktops start programs with 1024, which 1000 feed
    clients would use up. Returns the limit in force (0 where the OS has no such limit)."""
    try:
        import resource  # noqa: PLC0415 -- POSIX only
    except ImportError:  # Windows: no per-process descriptor limit of this kind
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            _log.warning("cannot raise the open-file limit from %d to %d", soft, target)
            return soft
        _log.info("open-file limit raised from %d to %d for the feed's clients", soft, target)
        return target
    return soft


def _bound_port(runner: web.AppRunner, wanted: int) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return wanted
