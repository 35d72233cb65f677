"""What every feed route module receives: the engine facade, the options and shared state.

Route modules (`http_api`, `websocket`, and the extras `metrics`, `openapi`, `commands`,
`wall`) are built as ``xxx_routes(ctx) -> list[web.RouteDef]`` closures over one
:class:`FeedContext`, so they never reach for globals and tests can build several servers
side by side.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from app.engine.audit import AuditLog
from app.engine.console import Console
from app.engine.monitor import Monitor
from app.engine.settings import FeedSettings
from app.feed.seats import Caller, SeatBook, caller_of

if TYPE_CHECKING:
    from app.feed.broadcast import Hub
    from app.feed.picture import Picture
    from app.feed.sections import TrafficRates

TOKEN_QUERY = "token"
TOKEN_HEADER = "X-API-Token"


@dataclass
class FeedStats:
    """Counters of the WebSocket side, for `/api/websocket_stats`, `system_status`, /metrics."""

    clients: int = 0  # connected now
    connections: int = 0  # accepted since the server started
    messages_sent: int = 0  # frames written to clients (one broadcast to 10 clients: 10)
    broadcasts: int = 0  # messages serialized for broadcast (each once, however many clients)
    dropped: int = 0  # queued messages dropped because a client's queue was full
    conflated: int = 0  # queued messages replaced by a newer state before a client read them
    disconnected_laggards: int = 0  # clients closed because they stayed behind
    errors_sent: int = 0  # `error` answers to malformed client messages


def is_loopback_host(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1); names are not resolved."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def request_token(request: web.BaseRequest) -> str | None:
    """The token a request presents: `?token=`, `Authorization: Bearer`, or `X-API-Token`."""
    token = request.query.get(TOKEN_QUERY)
    if token:
        return token
    authorization = request.headers.get("Authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get(TOKEN_HEADER) or None


@dataclass
class FeedContext:
    """The feed's shared state; one per running :class:`~app.feed.server.FeedServer`."""

    monitor: Monitor
    options: FeedSettings
    console: Console | None
    version: str
    started_at: float = field(default_factory=time.time)  # epoch seconds
    stats: FeedStats = field(default_factory=FeedStats)
    clock: Callable[[], float] = time.time  # epoch seconds for message timestamps
    # Set by the server before the routes are built (the WebSocket side and traffic rates).
    hub: Hub | None = None
    traffic: TrafficRates | None = None
    picture: Picture | None = None  # the encoded picture a new client gets first
    extras: dict[str, Any] = field(default_factory=dict)  # free slot for route modules
    seats: SeatBook = field(default_factory=SeatBook)  # per-seat tokens beside the shared one
    audit: AuditLog | None = None  # the engine's audit log (acknowledgements, `/api/audit`)

    @property
    def token_required(self) -> bool:
        """A shared ``[feed] token`` or any seat token is configured."""
        return bool(self.options.token) or self.seats.has_seats

    async def identify(self, token: str) -> Caller | None:
        """Who presents `token`: the shared token, a seat, or None (wrong token)."""
        if self.token_matches(token):
            return Caller(shared_token=True)
        seat = await self.seats.identify(token)
        if seat is None:
            return None
        self.seats.used(seat)
        return Caller(seat=seat.name)

    def token_matches(self, token: str | None) -> bool:
        expected = self.options.token
        if not expected or token is None:
            return False
        return hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8"))

    def authorized(self, request: web.BaseRequest) -> bool:
        """The token rule: a configured token (shared or a seat's) presented, or no token
        on a loopback bind. Seats are recognised by the token middleware, which has run
        before any handler asks."""
        caller = caller_of(request)
        if caller is not None and caller.authenticated:
            return True
        if not self.token_required:
            return is_loopback_host(self.options.host)
        return self.token_matches(request_token(request))
