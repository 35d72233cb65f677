"""A small pool of long-lived CLI sessions per router, and a registry of pools for many routers.

VRP boxes have few VTY lines, shared with people, so a router gets at most
``min(pool_size, vty_budget)`` sessions, opened only when work needs them. Each session runs
one command at a time (the pool leases it exclusively); independent commands run in
parallel on different sessions. A session that broke or timed out is discarded, never
reused. An authentication failure or a changed host key stops all attempts (retrying would
lock the account on VRP, or talk to an impostor) until the operator fixes credentials or
accepts the key and calls :meth:`reset`.

Reconnecting, one backoff per router:

* While no session is open only one login runs; the other commands wait for its outcome,
  so parallel sessions never count one outage several times (and a dead router is not
  hit by a burst of logins). Failures that still overlap count once.
* A failed login, and a session the router drops within :data:`SHORT_LIFE` seconds of its
  login or before it answered anything (a box that accepts the login and cuts the
  connection), add to the backoff: exponential with jitter, never longer than the pool's
  ``retry_within`` (the router's quickest poll interval). Until a command succeeds again
  the pool keeps to one session.
* The first answered command resets the backoff. With ``reconnect`` on, the pool itself
  logs in again when the delay is over (a probe, one login), so a router that came back is
  connected within one poll interval of being reachable, whatever the pollers do.
* The state moves only on real changes: a retry that fails again leaves it `unreachable`
  (no `connecting` blip per attempt).

Everything runs on the one asyncio loop: many routers mean many pools, not threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
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

# A session the router drops this soon after its login (seconds) is a failed connection.
SHORT_LIFE = 10.0

# Password lookup for a profile; raises CredentialsUnavailable when there is none.
PasswordSource = Callable[[RouterProfile], str]
# The longest wait between reconnect attempts: seconds, per router, or None (no cap).
RetryCap = float | Callable[[RouterProfile], float | None] | None


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


@dataclass(slots=True)
class _Login:
    """When a session logged in, in which failure generation, and whether it answered."""

    opened_at: float
    generation: int
    answered: bool = False


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
        reconnect: bool = False,
        retry_within: float | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`reconnect` logs in again on its own once a reconnect delay is over;
        `retry_within` caps that delay (seconds; the router's quickest poll interval)."""
        wanted = profile.pool_size if size is None else size
        self.profile = profile
        self.size = max(1, min(wanted, profile.vty_budget))
        self._opener = opener
        self._password = password
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._rng = rng or random.Random()
        self._reconnect = reconnect
        self._retry_within = retry_within
        self._sleep = sleep
        self._probe: asyncio.Task[None] | None = None
        self._idle: list[RouterSession] = []
        self._busy: set[RouterSession] = set()
        self._logins: dict[RouterSession, _Login] = {}
        self._opening = 0
        self._state = PoolState.IDLE
        self._failures = 0
        self._generation = 0  # bumped by each counted failure: overlapping ones count once
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
        outcome = "answered"
        try:
            yield session, fresh
        except SessionLost:
            outcome = "lost"
            raise
        except RouterTimeout:
            outcome = "broken"
            raise
        except RouterError:  # the router answered, with an error: the session is fine
            raise
        except BaseException:
            outcome = "broken"
            raise
        finally:
            if outcome == "answered" and not session.is_open:
                outcome = "broken"  # closed on our side (a cleanup that gave up), not lost
            await self._release(session, outcome)

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
                        self._note_lost(session)
                        await self._close_quietly(session)
                    # Locked (auth failed, host key changed): sessions already open stay in
                    # use, but no new login is attempted.
                    self._raise_if_locked()
                    total = len(self._busy) + self._opening
                    # Nothing open, or recovering from failures: one login at a time, and
                    # the others share its outcome. Connected and healthy: grow the pool.
                    limit = self.size if self._busy and not self._failures else 1
                    if total < limit:
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
        if self._state is PoolState.IDLE:
            # A retry after failures stays `unreachable` until it succeeds: no blip per try.
            self._set_state(PoolState.CONNECTING)
        generation = self._generation
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
            self._note_failure(error, generation)
            if self._busy or self._idle or self._opening > 1:
                _log.warning("router %s: VTY lines full; sharing the open sessions", self.name)
                self._more_sessions_at = self._retry_at
            raise
        except RouterError as error:
            self._note_failure(error, generation)
            raise
        except OSError as error:  # a transport that let a socket error through
            wrapped = RouterUnreachable(f"cannot connect: {error}", router=self.name)
            self._note_failure(wrapped, generation)
            raise wrapped from error
        # Logged in. The backoff is reset only by an answered command: a box that accepts
        # the login and drops the session must keep backing off.
        self._logins[session] = _Login(self._now(), self._generation)
        self._retry_at = None
        self._set_state(PoolState.CONNECTED)
        return session

    def _lock_out(self, state: PoolState, error: NE8000MonitorError) -> None:
        _log.warning("router %s: %s; not retrying until reset", self.name, state)
        self._last_error = error
        self._retry_at = None
        self._cancel_probe()
        self._set_state(state)

    def _note_failure(self, error: RouterError, generation: int) -> None:
        """Count a failed connection once, back off, and plan the reconnect."""
        self._last_error = error
        if generation == self._generation:  # not already counted by an overlapping one
            self._generation += 1
            self._failures += 1
            delay = self._backoff.delay(self._failures, self._rng)
            if self._retry_within is not None:
                delay = min(delay, self._retry_within)
            self._retry_at = self._now() + delay
        if not self._busy and not self._idle:
            self._set_state(PoolState.UNREACHABLE)
            self._plan_reconnect()

    def _note_answered(self, session: RouterSession) -> None:
        """The router answered a command: the connection works, the backoff starts over."""
        login = self._logins.get(session)
        if login is not None:
            login.answered = True
        if self._failures or self._last_error is not None:
            self._failures = 0
            self._retry_at = None
            self._last_error = None

    def _note_lost(self, session: RouterSession) -> None:
        """A session ended by the router: a failure if it died young or never answered."""
        login = self._logins.pop(session, None)
        if login is None:
            return
        age = self._now() - login.opened_at
        if login.answered and age >= SHORT_LIFE:
            return  # a long-lived session ended (idle timeout, reboot): reconnect on demand
        # The same words every time, so a status that repeats it is seen as unchanged.
        error = RouterUnreachable(
            "the router dropped the session right after the login", router=self.name
        )
        _log.info("router %s: session dropped %.1f s after login; backing off", self.name, age)
        self._note_failure(error, login.generation)

    async def _release(self, session: RouterSession, outcome: str) -> None:
        """Return a leased session: `answered` keeps it, `lost` (the router closed it) and
        `broken` (a timeout, a cancelled command) discard it; `unused` keeps it untouched."""
        keep = outcome in ("answered", "unused") and session.is_open
        async with self._changed:
            self._busy.discard(session)
            keep = keep and self._state is not PoolState.CLOSED
            if keep:
                self._idle.append(session)
            self._changed.notify_all()
        # Before the waiters run (nothing awaited since the lock was released): they see
        # the backoff this outcome sets or clears.
        if outcome == "answered":
            self._note_answered(session)
        elif outcome == "lost":
            self._note_lost(session)
        if not keep:
            self._logins.pop(session, None)
            await self._close_quietly(session)
            if self._state is PoolState.CONNECTED and not self._busy and not self._idle:
                self._set_state(PoolState.IDLE)

    # ----- reconnecting ------------------------------------------------------------------

    def _plan_reconnect(self) -> None:
        """With `reconnect` on, log in again (once) when the delay is over."""
        if not self._reconnect or self._state in LOCKED_STATES or self._state is PoolState.CLOSED:
            return
        if self._probe is not None and not self._probe.done():
            return
        try:
            self._probe = asyncio.get_running_loop().create_task(
                self._reconnect_when_due(), name=f"reconnect {self.name}"
            )
        except RuntimeError:  # no running loop (closing down)
            self._probe = None

    async def _reconnect_when_due(self) -> None:
        while True:
            if self._retry_at is not None:
                await self._sleep(max(0.0, self._retry_at - self._now()))
            if self._state in LOCKED_STATES or self._state is PoolState.CLOSED:
                return
            if self._busy or self._idle:
                return  # somebody else connected meanwhile
            try:
                session, _fresh = await self._acquire()
            except (PoolClosed, CredentialsUnavailable, AuthenticationFailed, HostKeyChanged):
                return
            except NE8000MonitorError:
                continue  # failed again: a new delay is set; wait for it
            await self._release(session, "unused")  # kept for the next command
            return

    def _cancel_probe(self) -> None:
        probe, self._probe = self._probe, None
        if probe is not None and probe is not asyncio.current_task():
            probe.cancel()

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
            self._cancel_probe()  # the next command logs in at once
            open_now = bool(self._busy or self._idle)
            self._set_state(PoolState.CONNECTED if open_now else PoolState.IDLE)
            self._changed.notify_all()

    async def check_health(self) -> int:
        """Drop idle sessions that are no longer open; returns how many were dropped."""
        async with self._changed:
            dead = [session for session in self._idle if not session.is_open]
            self._idle = [session for session in self._idle if session.is_open]
        for session in dead:
            self._note_lost(session)
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
        self._cancel_probe()
        self._logins.clear()
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
        reconnect: bool = False,
        retry_within: RetryCap = None,
    ) -> None:
        """`reconnect` and `retry_within` go to every pool (see :class:`SessionPool`);
        `retry_within` may depend on the router (its quickest poll interval)."""
        self._opener = opener
        self._password = password
        self._backoff = backoff
        self._rng = rng or random.Random()
        self._reconnect = reconnect
        self._retry_within = retry_within
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
            reconnect=self._reconnect,
            retry_within=(
                self._retry_within(profile)
                if callable(self._retry_within)
                else self._retry_within
            ),
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
