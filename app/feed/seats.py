"""Who is calling: the feed's seat tokens, checked once per token and followed while served.

A NOC with several desktop seats and wall screens gives each its own token
(``ne8000monitor token add NAME``), so the audit log can say which seat sent a command and
one seat can be locked out without re-keying the others. The settings file holds only a
salted scrypt hash of each token (see :mod:`app.engine.seats`); checking one costs tens of
milliseconds, so it runs in a worker thread (never on the event loop), at most two at a
time, and a token once verified is remembered by its SHA-256 for as long as its seat stays
unchanged.

The seats can change while the feed runs (``token add``/``revoke`` from another terminal):
the server calls :meth:`SeatBook.reload` every few seconds, and the connections of a
revoked seat are closed at once. The last time each seat was seen is written to a small
usage file, at most once a minute, for ``token list``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from app.engine.seats import SeatToken, find_seat, read_usage, split_token, write_usage
from app.engine.settings import load_settings

_log = logging.getLogger("ne8000monitor.feed.seats")

MAX_PARALLEL_CHECKS = 2  # scrypt checks at once (each takes ~16 MiB and a core for a moment)
VERIFIED_LIMIT = 1024  # remembered tokens (a NOC has a handful of seats)

SeatLoader = Callable[[], Mapping[str, SeatToken] | None]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a request is: a seat by name, the shared ``[feed] token``, or nobody (a loopback
    feed without tokens)."""

    seat: str | None = None
    shared_token: bool = False

    @property
    def authenticated(self) -> bool:
        return self.seat is not None or self.shared_token


# Where the token middleware leaves the Caller on the request (typed keys from aiohttp 3.14).
CALLER_KEY: Any = (
    web.RequestKey("ne8000monitor_caller", Caller)
    if hasattr(web, "RequestKey")
    else "ne8000monitor_caller"
)


class SeatBook:
    """The current seats, the tokens already verified, open connections, and last use."""

    def __init__(
        self,
        seats: Mapping[str, SeatToken] | None = None,
        *,
        loader: SeatLoader | None = None,
        usage_path: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`loader` returns the seats when they changed since its last call, else None;
        `usage_path` is where last use is kept (None: not kept)."""
        self._seats: dict[str, SeatToken] = dict(seats or {})
        self._loader = loader
        self._usage_path = usage_path
        self._clock = clock
        self._verified: dict[bytes, SeatToken] = {}
        self._checks = asyncio.Semaphore(MAX_PARALLEL_CHECKS)
        self._open: dict[str, set[asyncio.BaseTransport]] = {}
        self._last_use: dict[str, float] = {}  # seat id -> epoch seconds, not yet written
        self._pending_usage = False

    @property
    def has_seats(self) -> bool:
        return bool(self._seats)

    @property
    def needs_upkeep(self) -> bool:
        """True when seats can change under the feed or their last use is kept."""
        return self._loader is not None or self._usage_path is not None

    @property
    def names(self) -> list[str]:
        return list(self._seats)

    def connections(self, seat: str) -> int:
        """Requests of `seat` being served now (a WebSocket counts while it is open)."""
        return len(self._open.get(seat, ()))

    async def identify(self, token: str) -> SeatToken | None:
        """The seat whose token this is, else None (the slow check runs in a thread)."""
        key = hashlib.sha256(token.encode("utf-8")).digest()
        known = self._verified.get(key)
        if known is not None and self._seats.get(known.name) == known:
            return known
        if not self._seats or split_token(token) is None:
            return None  # nothing to check against, or not a seat token at all
        seats = dict(self._seats)
        async with self._checks:
            seat = await asyncio.to_thread(find_seat, seats, token)
        if seat is None or self._seats.get(seat.name) != seat:
            return None  # unknown, or revoked while it was being checked
        if len(self._verified) >= VERIFIED_LIMIT:
            self._verified.clear()
        self._verified[key] = seat
        return seat

    def used(self, seat: SeatToken) -> None:
        """Note that `seat` made a request now (written by :meth:`flush_usage`)."""
        self._last_use[seat.id] = self._clock()
        self._pending_usage = True

    # ---- changes while running ----

    def replace(self, seats: Mapping[str, SeatToken]) -> set[str]:
        """Use `seats` from now on; the names whose old token no longer works."""
        revoked = {
            name for name, seat in self._seats.items() if seats.get(name) != seat
        }
        self._seats = dict(seats)
        self._verified = {
            key: seat for key, seat in self._verified.items() if seat.name not in revoked
        }
        if revoked:
            _log.info("seat tokens revoked: %s", ", ".join(sorted(revoked)))
        return revoked

    def reload(self) -> set[str]:
        """Ask the loader for changed seats; close the connections of revoked ones."""
        if self._loader is None:
            return set()
        try:
            seats = self._loader()
        except Exception as error:  # a half-written or broken file: keep the seats we have
            _log.warning("seat tokens not reloaded: %s", error)
            return set()
        if seats is None:
            return set()
        revoked = self.replace(seats)
        for name in revoked:
            self.disconnect(name)
        return revoked

    @contextlib.contextmanager
    def track(self, seat: str | None, request: web.BaseRequest) -> Iterator[None]:
        """Count `request`'s connection as one of `seat`'s while the request is served."""
        transport = request.transport
        if seat is None or transport is None:
            yield
            return
        transports = self._open.setdefault(seat, set())
        transports.add(transport)
        try:
            yield
        finally:
            transports.discard(transport)
            if not transports:
                self._open.pop(seat, None)

    def disconnect(self, seat: str) -> int:
        """Close every open connection of `seat` (its token was revoked); how many."""
        closed = 0
        for transport in list(self._open.get(seat, ())):
            if not transport.is_closing():
                transport.close()
                closed += 1
        if closed:
            _log.info("closed %d connection(s) of revoked seat %s", closed, seat)
        return closed

    # ---- last use ----

    def flush_usage(self) -> None:
        """Merge the last-use times into the usage file (other processes' entries kept)."""
        if self._usage_path is None or not self._pending_usage:
            return
        current = {seat.id for seat in self._seats.values()}
        merged = {
            seat_id: when
            for seat_id, when in read_usage(self._usage_path).items()
            if seat_id in current or seat_id in self._last_use
        }
        for seat_id, when in self._last_use.items():
            merged[seat_id] = max(when, merged.get(seat_id, 0.0))
        try:
            write_usage(self._usage_path, merged)
        except OSError as error:
            _log.warning("could not write %s: %s", self._usage_path, error)
            return
        self._pending_usage = False


def settings_file_seats(path: Path) -> SeatLoader:
    """A loader for :class:`SeatBook`: the seats of `path` whenever the file changed (its
    first call reads it), else None. A file that does not parse raises (the book keeps the
    seats it has)."""
    seen: list[tuple[int, int] | None] = [(-1, -1)]

    def load() -> Mapping[str, SeatToken] | None:
        try:
            info = path.stat()
            stamp: tuple[int, int] | None = (info.st_mtime_ns, info.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp == seen[0]:
            return None
        seen[0] = stamp
        return {} if stamp is None else load_settings(path).seats

    return load


def caller_of(request: web.BaseRequest) -> Caller | None:
    """The Caller the token middleware found for `request` (None before it ran)."""
    caller = request.get(CALLER_KEY)
    return caller if isinstance(caller, Caller) else None


def seat_of(request: web.BaseRequest) -> str | None:
    """The seat name behind `request` (None: the shared token, or no token at all)."""
    caller = caller_of(request)
    return None if caller is None else caller.seat
