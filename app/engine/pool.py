"""A small pool of long-lived CLI sessions per router, and a registry of pools for many routers.

VRP boxes have few VTY lines, shared with people, so a router gets at most
``min(pool_size, vty_budget)`` sessions, opened only when work needs them. Each session runs
one command at a time (the pool leases it exclusively); independent commands run in
parallel on different sessions. A session that broke or timed out is discarded, never
reused. Failed logins back off exponentially with jitter; an authentication failure or a
changed host key stops all attempts (retrying would lock the account on VRP, or talk to an
impostor) until the operator fixes credentials or accepts the key and calls :meth:`reset`.

Everything runs on the one asyncio loop: many routers mean many pools, not threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import (
    AuthenticationFailed,
    CredentialsUnavailable,
    HostKeyChanged,
    NE8000MonitorError,
    RouterError,
    RouterTimeout,
    RouterUnreachable,
    SessionLost,
    VtyLinesFull,
)
from app.domain.router import CommandResult, RouterProfile
from app.engine.backoff import Backoff
from app.engine.ports import RouterSession, SessionOpener

_log = logging.getLogger("ne8000monitor.engine.pool")

# Password lookup for a profile; raises CredentialsUnavailable when there is none.
PasswordSource = Callable[[RouterProfile], str]


class PoolState(StrEnum):
    """What the UI shows for a router's connection."""

    IDLE = "idle"  # nothing opened yet (sessions open lazily)
    CONNECTING = "connecting"
    CONNECTED = "connected"
    UNREACHABLE = "unreachable"  # last attempt failed; retrying after a backoff delay
    AUTH_FAILED = "auth_failed"  # stopped until credentials are updated
    NO_CREDENTIALS = "no_credentials"  # stopped until a password is stored
    HOST_KEY_CHANGED = "host_key_changed"  # stopped until the new key is accepted
    CLOSED = "closed"


# States in which the pool refuses to try again on its own.
LOCKED_STATES = frozenset(
    {PoolState.AUTH_FAILED, PoolState.NO_CREDENTIALS, PoolState.HOST_KEY_CHANGED}
)


@dataclass(frozen=True, slots=True)
class PoolStatus:
    """A snapshot of one pool for display: state, sessions, the last error and next retry."""

    router: str
    state: PoolState
    size: int
    open_sessions: int
    busy_sessions: int
    failures: int
    last_error: str | None
    retry_in: float | None  # seconds until the next connection attempt is allowed


class PoolClosed(RouterError):
    """The pool was closed (application shutting down)."""


class SessionPool:
    """Sessions to one router, leased one command (or one change) at a time."""

    def __init__(
        self,
        profile: RouterProfile,
        opener: SessionOpener,
        password: PasswordSource,
        *,
        backoff: Backoff | None = None,
        size: int | None = None,
        clock: Callable[[], float] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        wanted = profile.pool_size if size is None else size
        self.profile = profile
        self.size = max(1, min(wanted, profile.vty_budget))
        self._opener = opener
        self._password = password
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._rng = rng or random.Random()
        self._idle: list[RouterSession] = []
        self._busy: set[RouterSession] = set()
        self._opening = 0
        self._state = PoolState.IDLE
        self._failures = 0
        self._last_error: NE8000MonitorError | None = None
        self._retry_at: float | None = None
        # After "VTY lines full", no extra session is tried before this time, even if
        # another login succeeds meanwhile (that success does not free a line).
        self._more_sessions_at: float | None = None
        self._changed = asyncio.Condition()
        self._listeners: list[Callable[[PoolStatus], None]] = []

    # ----- observation ------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def state(self) -> PoolState:
        return self._state

    @property
    def last_error(self) -> NE8000MonitorError | None:
        return self._last_error

    def _now(self) -> float:
        return self._clock() if self._clock else asyncio.get_running_loop().time()

    def status(self) -> PoolStatus:
        retry_in = None
        if self._retry_at is not None:
            with contextlib.suppress(RuntimeError):  # no running loop: no countdown
                retry_in = max(0.0, self._retry_at - self._now())
        return PoolStatus(
            router=self.name,
            state=self._state,
            size=self.size,
            open_sessions=len(self._idle) + len(self._busy),
            busy_sessions=len(self._busy),
            failures=self._failures,
            last_error=str(self._last_error) if self._last_error else None,
            retry_in=retry_in,
        )

    def subscribe(self, listener: Callable[[PoolStatus], None]) -> Callable[[], None]:
        """Call `listener` on every state change; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _set_state(self, state: PoolState) -> None:
        if state is self._state:
            return
        _log.info("router %s: %s -> %s", self.name, self._state, state)
        self._state = state
        status = self.status()
        for listener in list(self._listeners):
            try:
                listener(status)
            except Exception:  # a UI bug must not break the connection logic
                _log.exception("pool listener failed")

    # ----- commands ---------------------------------------------------------------------

    async def run(self, command: str, *, timeout: float | None = None) -> CommandResult:
        """Run one read command on any free session.

        A session that was idle in the pool may have died silently (VTY idle timeout, a
        reboot); when it turns out lost, the command is retried once on a fresh session.
        Only use this for commands that are safe to send twice (display, ping).
        """
        for attempt in (1, 2):
            async with self._lease() as (session, fresh):
                try:
                    return await session.run(command, timeout=timeout)
                except SessionLost:
                    if fresh or attempt == 2:
                        raise
                    _log.info("router %s: reused session was lost; retrying once", self.name)
        raise AssertionError("unreachable")  # pragma: no cover

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[RouterSession]:
        """Lease one session exclusively (for a multi-command change); returned afterwards.

        A session that is no longer open when the lease ends, or whose lease ended with an
        exception other than a command error, is discarded.
        """
        async with self._lease() as (session, _fresh):
            yield session

    @contextlib.asynccontextmanager
    async def _lease(self) -> AsyncIterator[tuple[RouterSession, bool]]:
        session, fresh = await self._acquire()
        healthy = False
        try:
            yield session, fresh
            healthy = True
        except RouterError as error:
            healthy = not isinstance(error, (SessionLost, RouterTimeout))
            raise
        finally:
            await self._release(session, keep=healthy and session.is_open)

    async def _acquire(self) -> tuple[RouterSession, bool]:
        """An idle open session, or a newly opened one; waits while all are busy."""
        while True:
            async with self._changed:
                while True:
                    if self._state is PoolState.CLOSED:
                        raise PoolClosed("connection pool is closed", router=self.name)
                    while self._idle:
                        session = self._idle.pop()
                        if session.is_open:
                            self._busy.add(session)
                            return session, False
                        _log.info("router %s: dropping a session closed while idle", self.name)
                        await self._close_quietly(session)
                    # Locked (auth failed, host key changed): sessions already open stay in
                    # use, but no new login is attempted.
                    self._raise_if_locked()
                    total = len(self._busy) + self._opening
                    if total < self.size:
                        if not self._in_backoff():
                            self._opening += 1
                            break
                        if total == 0:
                            raise self._backoff_error()
                    await self._changed.wait()
            # Open outside the lock: logins take seconds and other leases go on meanwhile.
            try:
                session = await self._open()
            except VtyLinesFull:
                async with self._changed:
                    self._opening -= 1
                    self._changed.notify_all()
                    # Another login in progress may still get a line: wait for it too.
                    have_sessions = bool(self._busy or self._idle or self._opening)
                if have_sessions:
                    continue  # the box has fewer free lines than hoped: share ours
                raise
            except BaseException:
                async with self._changed:
                    self._opening -= 1
                    self._changed.notify_all()
                raise
            async with self._changed:
                self._opening -= 1
                if self._state is PoolState.CLOSED:
                    await self._close_quietly(session)
                    raise PoolClosed("connection pool is closed", router=self.name)
                self._busy.add(session)
                self._changed.notify_all()
            return session, True

    def _raise_if_locked(self) -> None:
        if self._state in LOCKED_STATES and self._last_error is not None:
            raise self._last_error

    def _in_backoff(self) -> bool:
        now = self._now()
        return any(at is not None and at > now for at in (self._retry_at, self._more_sessions_at))

    def _backoff_error(self) -> RouterUnreachable:
        """Fail fast while a reconnect delay runs and no session is open to wait for."""
        wait = max(at or 0.0 for at in (self._retry_at, self._more_sessions_at)) - self._now()
        reason = str(self._last_error) if self._last_error else "VTY lines were full"
        return RouterUnreachable(
            f"not connected ({reason}); next attempt in {wait:.1f} s", router=self.name
        )

    async def _open(self) -> RouterSession:
        if not self._busy and not self._idle:
            self._set_state(PoolState.CONNECTING)
        try:
            password = self._password(self.profile)
            session = await self._opener(self.profile, password)
        except CredentialsUnavailable as error:
            self._lock_out(PoolState.NO_CREDENTIALS, error)
            raise
        except AuthenticationFailed as error:
            self._lock_out(PoolState.AUTH_FAILED, error)
            raise
        except HostKeyChanged as error:
            self._lock_out(PoolState.HOST_KEY_CHANGED, error)
            raise
        except VtyLinesFull as error:
            self._note_failure(error)
            if self._busy or self._idle or self._opening > 1:
                _log.warning("router %s: VTY lines full; sharing the open sessions", self.name)
                self._more_sessions_at = self._retry_at
            raise
        except RouterError as error:
            self._note_failure(error)
            raise
        except OSError as error:  # a transport that let a socket error through
            wrapped = RouterUnreachable(f"cannot connect: {error}", router=self.name)
            self._note_failure(wrapped)
            raise wrapped from error
        self._failures = 0
        self._retry_at = None
        self._last_error = None
        self._set_state(PoolState.CONNECTED)
        return session

    def _lock_out(self, state: PoolState, error: NE8000MonitorError) -> None:
        _log.warning("router %s: %s; not retrying until reset", self.name, state)
        self._last_error = error
        self._retry_at = None
        self._set_state(state)

    def _note_failure(self, error: RouterError) -> None:
        self._failures += 1
        self._last_error = error
        self._retry_at = self._now() + self._backoff.delay(self._failures, self._rng)
        if not self._busy and not self._idle:
            self._set_state(PoolState.UNREACHABLE)

    async def _release(self, session: RouterSession, *, keep: bool) -> None:
        async with self._changed:
            self._busy.discard(session)
            keep = keep and self._state is not PoolState.CLOSED
            if keep:
                self._idle.append(session)
            self._changed.notify_all()
        if not keep:
            await self._close_quietly(session)
            if self._state is PoolState.CONNECTED and not self._busy and not self._idle:
                self._set_state(PoolState.IDLE)

    async def _close_quietly(self, session: RouterSession) -> None:
        try:
            await session.close()
        except Exception:
            _log.debug("router %s: error while closing a session", self.name, exc_info=True)

    # ----- operator actions -------------------------------------------------------------

    async def reset(self) -> None:
        """Allow connecting again: after new credentials, an accepted host key, or now."""
        async with self._changed:
            if self._state is PoolState.CLOSED:
                return
            self._failures = 0
            self._retry_at = None
            self._more_sessions_at = None
            self._last_error = None
            open_now = bool(self._busy or self._idle)
            self._set_state(PoolState.CONNECTED if open_now else PoolState.IDLE)
            self._changed.notify_all()

    async def check_health(self) -> int:
        """Drop idle sessions that are no longer open; returns how many were dropped."""
        async with self._changed:
            dead = [session for session in self._idle if not session.is_open]
            self._idle = [session for session in self._idle if session.is_open]
        for session in dead:
            await self._close_quietly(session)
        if dead and self._state is PoolState.CONNECTED and not self._busy and not self._idle:
            self._set_state(PoolState.IDLE)
        return len(dead)

    async def close(self) -> None:
        """Log out of every session; waiting leases fail with PoolClosed."""
        async with self._changed:
            self._set_state(PoolState.CLOSED)
            idle, self._idle = self._idle, []
            self._changed.notify_all()
        await asyncio.gather(*(self._close_quietly(session) for session in idle))


class RouterPools:
    """One :class:`SessionPool` per router profile, all on the same event loop."""

    def __init__(
        self,
        opener: SessionOpener,
        password: PasswordSource,
        *,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._opener = opener
        self._password = password
        self._backoff = backoff
        self._rng = rng or random.Random()
        self._pools: dict[str, SessionPool] = {}

    def add(self, profile: RouterProfile) -> SessionPool:
        """Create the pool for a profile (or return the existing one for the same profile)."""
        existing = self._pools.get(profile.name)
        if existing is not None:
            if existing.profile != profile:
                raise ValueError(f"router {profile.name} already has a pool with other settings")
            return existing
        pool = SessionPool(
            profile,
            self._opener,
            self._password,
            backoff=self._backoff,
            rng=random.Random(self._rng.random()),
        )
        self._pools[profile.name] = pool
        return pool

    async def replace(self, profile: RouterProfile) -> SessionPool:
        """New settings for a router: close its old pool and start a fresh one."""
        old = self._pools.pop(profile.name, None)
        if old is not None:
            await old.close()
        return self.add(profile)

    async def remove(self, router: str) -> None:
        """Stop using a router: close its pool (logging out) and forget it."""
        pool = self._pools.pop(router, None)
        if pool is not None:
            await pool.close()

    def get(self, router: str) -> SessionPool:
        try:
            return self._pools[router]
        except KeyError:
            raise KeyError(f"no router named {router!r}") from None

    def __contains__(self, router: object) -> bool:
        return router in self._pools

    def __iter__(self) -> Iterator[SessionPool]:
        return iter(list(self._pools.values()))

    def statuses(self) -> list[PoolStatus]:
        return [pool.status() for pool in self._pools.values()]

    async def close(self) -> None:
        """Close every pool concurrently (application shutdown)."""
        pools = list(self._pools.values())
        self._pools.clear()
        await asyncio.gather(*(pool.close() for pool in pools))
