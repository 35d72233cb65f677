"""The seat's connection to its collector, watched like a router's.

One background task: read the collector's rules (`/api/collector`), open `/ws/monitor`,
take the whole first picture (welcome, every router's sections, the status, the active
alerts from `/api/alerts`), then follow the live messages until the feed ends. Any failure
-- the collector stopped, the network gone, no word for longer than three heartbeats, a
refused token or certificate -- marks the picture lost and retries after a capped,
jittered backoff; every retry is one more failure of every section. The state, since
when, why and the next retry are what the window's collector banner shows.

The collector's clock is estimated from its messages (each carries its send time): the
smallest delay seen recently gives the offset to this seat's clock, so a seat whose clock
is off judges freshness with the collector's time, never its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Callable

import aiohttp
import msgspec

from app.engine.backoff import Backoff
from app.engine.cache import CacheStatistics
from app.engine.runtime import CollectorState, CollectorStatus
from app.feed.wire import messages as wire
from app.feed.wire import status as status_wire
from app.feed.wire.collector import AlertsAnswer, CollectorInfoAnswer
from app.remote.client import CollectorClient
from app.remote.errors import CollectorError, CollectorRefused, CollectorUnreachable
from app.remote.picture import Picture
from app.remote.status import EMPTY_CACHE, cache_statistics

_log = logging.getLogger("ne8000monitor.remote.link")

ServerMessage = (
    wire.WelcomeMessage
    | wire.RouterDataMessage
    | wire.SystemStatusMessage
    | wire.AlertMessage
    | wire.HeartbeatMessage
    | wire.SubscribedMessage
    | wire.PongMessage
    | wire.ErrorMessage
    | wire.CommandResultMessage
)
_DECODER = msgspec.json.Decoder(ServerMessage)

RECONNECT = Backoff(initial=1.0, maximum=30.0)
SILENCE_LIMIT = 45.0  # seconds without a message (heartbeats come every 15 s): lost
FIRST_MESSAGE_TIMEOUT = 30.0
REFRESH_INTERVAL = 15.0  # cache counters and the collector's rules, while connected
OFFSET_SAMPLES = 64
PROBLEMS_KEPT = 50


class Link:
    """Connects, follows and reconnects; keeps what the banner shows (see the module)."""

    def __init__(
        self,
        client: CollectorClient,
        *,
        clock: Callable[[], float] = time.time,
        backoff: Backoff = RECONNECT,
        rng: random.Random | None = None,
        silence_limit: float = SILENCE_LIMIT,
    ) -> None:
        self.client = client
        self._clock = clock
        self._backoff = backoff
        self._rng = rng or random.Random()
        self._silence_limit = silence_limit
        self._offsets: deque[float] = deque(maxlen=OFFSET_SAMPLES)
        self.rules: CollectorInfoAnswer | None = None
        self.cache: CacheStatistics = EMPTY_CACHE
        self._rule_listeners: list[Callable[[CollectorInfoAnswer], None]] = []
        self._state = CollectorState.CONNECTING
        self._since = clock()
        self._error: str | None = None
        self._retry_at: float | None = None
        self._attempts = 0
        self._problems: deque[tuple[int, str]] = deque(maxlen=PROBLEMS_KEPT)
        self._problem_count = 0
        self.ready = asyncio.Event()  # the first picture is here, or the first try failed

    # ----- what the window shows ----------------------------------------------------------

    @property
    def url(self) -> str:
        return self.client.url

    @property
    def connected(self) -> bool:
        return self._state is CollectorState.CONNECTED

    def status(self) -> CollectorStatus:
        rules = self.rules
        retry_in = None
        if self._retry_at is not None:
            retry_in = max(0.0, self._retry_at - time.monotonic())
        return CollectorStatus(
            url=self.url,
            state=self._state,
            since=self._since,
            error=self._error,
            retry_in=retry_in,
            seat=None if rules is None else rules.seat,
            version=None if rules is None else rules.version,
            remote_commands=False if rules is None else rules.remote_commands,
            operator_mode=False if rules is None else rules.operator_mode,
            attempts=self._attempts,
        )

    def report(self, text: str) -> None:
        """A message for the operator (the window's error log and status bar)."""
        self._problem_count += 1
        self._problems.append((self._problem_count, text))
        _log.warning("%s", text)

    def problems_since(self, seen: int) -> tuple[int, list[str]]:
        return self._problem_count, [text for number, text in self._problems if number > seen]

    def on_rules(self, listener: Callable[[CollectorInfoAnswer], None]) -> None:
        """Call `listener` with the collector's rules each time they are read."""
        self._rule_listeners.append(listener)

    def now(self) -> float:
        """The collector's clock: this seat's, corrected by the offset its messages show
        (the one with the smallest network delay among the recent ones)."""
        offset = max(self._offsets) if self._offsets else 0.0
        return self._clock() + offset

    def _set_state(self, state: CollectorState, error: str | None = None) -> None:
        if state is not self._state:
            self._since = self._clock()
            _log.info("collector %s: %s%s", self.url, state, f" ({error})" if error else "")
        self._state = state
        self._error = error

    # ----- the loop ------------------------------------------------------------------------

    async def run(self, picture: Picture) -> None:
        """Keep `picture` following the collector until cancelled."""
        while True:
            refused = False
            try:
                await self._follow(picture)
                error = "the collector closed the feed"
            except CollectorRefused as problem:
                error, refused = str(problem), True
            except CollectorError as problem:
                error = str(problem)
            except asyncio.CancelledError:
                raise
            except Exception as problem:  # a bug here must not end the reconnects
                _log.exception("collector feed failed")
                error = f"{type(problem).__name__}: {problem}"
            self._attempts += 1
            self._set_state(
                CollectorState.REFUSED if refused else CollectorState.UNREACHABLE, error
            )
            picture.lose(error)
            delay = self._backoff.delay(self._attempts, self._rng)
            self._retry_at = time.monotonic() + delay
            self.ready.set()  # the window may open now; it says the collector is unreachable
            await asyncio.sleep(delay)
            self._retry_at = None

    async def _follow(self, picture: Picture) -> None:
        """One connection: the rules, the first picture, the live feed until it ends."""
        self._take_rules(await self.client.get("/api/collector", CollectorInfoAnswer))
        ws = await self.client.websocket()
        refresher: asyncio.Task[None] | None = None
        try:
            await self._first_picture(ws, picture)
            self._attempts = 0
            self._set_state(CollectorState.CONNECTED)
            self.ready.set()
            seat = self.rules.seat if self.rules is not None else None
            _log.info(
                "collector %s: showing %d routers (%s) as seat %s",
                self.url, len(picture.routers), ", ".join(picture.routers), seat,
            )
            refresher = asyncio.get_running_loop().create_task(
                self._refresh(), name="collector-refresh"
            )
            while True:
                message = await self._receive(ws, self._silence_limit)
                if message is None:
                    return
                note = picture.apply(message)
                if note is not None:
                    self.report(note)
        finally:
            if refresher is not None:
                refresher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await refresher
            with contextlib.suppress(Exception):
                await ws.close()

    async def _first_picture(self, ws: aiohttp.ClientWebSocketResponse, picture: Picture) -> None:
        """Welcome, then one `router_data` per router and the status (the feed sends them
        first, in that order), and the active alerts; handed to the picture whole."""
        welcome = await self._receive(ws, FIRST_MESSAGE_TIMEOUT)
        if not isinstance(welcome, wire.WelcomeMessage):
            raise CollectorError(f"the collector's feed did not start with welcome: {welcome}")
        # Asked after the welcome: an alert that changes later arrives on the feed.
        alerts = await self.client.get("/api/alerts", AlertsAnswer)
        waiting = set(welcome.routers)
        data: list[wire.RouterDataMessage] = []
        status: wire.SystemStatusMessage | None = None
        later: list[wire.ServerMessage] = []
        while waiting or status is None:
            message = await self._receive(ws, FIRST_MESSAGE_TIMEOUT)
            if message is None:
                raise CollectorUnreachable("the collector closed the feed while starting")
            if isinstance(message, wire.RouterDataMessage) and message.router in waiting:
                data.append(message)
                waiting.discard(message.router)
            elif isinstance(message, wire.SystemStatusMessage) and status is None:
                status = message
            else:
                later.append(message)
        picture.replace(welcome.routers, data, status, alerts.alerts)
        for message in later:
            picture.apply(message)

    async def _receive(
        self, ws: aiohttp.ClientWebSocketResponse, timeout: float
    ) -> wire.ServerMessage | None:
        """The next server message (None when the collector closed the feed)."""
        while True:
            try:
                frame = await ws.receive(timeout=timeout)
            except TimeoutError:
                raise CollectorUnreachable(
                    f"no word from the collector for {timeout:.0f} s"
                ) from None
            if frame.type is aiohttp.WSMsgType.TEXT:
                arrived = self._clock()
                try:
                    message = _DECODER.decode(frame.data)
                except msgspec.DecodeError as error:
                    _log.warning("skipped a feed message this release cannot read: %s", error)
                    continue
                self._offsets.append(message.epoch - arrived)
                return message
            if frame.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSING,
                aiohttp.WSMsgType.CLOSED,
            ):
                return None
            if frame.type is aiohttp.WSMsgType.ERROR:
                raise CollectorUnreachable(f"the collector's feed broke: {ws.exception()}")

    def _take_rules(self, rules: CollectorInfoAnswer) -> None:
        self.rules = rules
        for listener in self._rule_listeners:
            try:
                listener(rules)
            except Exception:
                _log.exception("a listener of the collector's rules failed")

    async def _refresh(self) -> None:
        """While connected: the collector's cache counters and rules, now and then."""
        while True:
            try:
                answer = await self.client.get(
                    "/api/cache_statistics", status_wire.CacheStatisticsAnswer
                )
                self.cache = cache_statistics(answer.data)
                self._take_rules(await self.client.get("/api/collector", CollectorInfoAnswer))
            except CollectorError as error:  # the feed's own watch notices a lost collector
                _log.debug("refreshing the collector's counters failed: %s", error)
            await asyncio.sleep(REFRESH_INTERVAL)
