"""The running application as the UI, the feed and `serve` see it: one object, Qt-free.

The composition root (`app.bootstrap.start_runtime`) builds it. Everything here is typed by
engine classes or small protocols, so `app.ui` and `app.feed` can hold a Runtime without
importing the transport or the simulator: what needs them (trusting a host key, shutting the
demo simulator down) arrives as a callable.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from app.domain.alerts import Alert
from app.domain.errors import CredentialsUnavailable, PasswordProblem
from app.domain.messages import Message
from app.domain.notifications import DeliveryStatus, TargetResult
from app.domain.router import RouterProfile
from app.engine.audit import AuditLog
from app.engine.cache import CacheStatistics
from app.engine.changes import ChangePlan, ChangeRequest, ChangeResult
from app.engine.console import Console
from app.engine.events import Subscription
from app.engine.freshness import ErrorCode
from app.engine.history_store import Resolution
from app.engine.login_test import LoginTestResult, try_login
from app.engine.messages import error_message, password_message
from app.engine.monitor import HistoryResult, Monitor, RouterSnapshot, RouterStatus
from app.engine.poller import PollIntervals
from app.engine.ports import SecretStore, SessionOpener
from app.engine.seats import SeatToken
from app.engine.settings import (
    NotifySettings,
    Settings,
    SettingsError,
    load_settings,
    save_settings,
)

_log = logging.getLogger("ne8000monitor.engine.runtime")


@dataclass(frozen=True, slots=True)
class DemoInfo:
    """Where the embedded simulators of demo mode listen (shown in the demo banner).

    ``port`` is the first router's; ``ports`` has each router's own, in ``routers`` order.
    """

    routers: tuple[str, ...]
    host: str
    port: int
    ports: tuple[int, ...] = ()

    def addresses(self) -> list[tuple[str, str]]:
        """(router, `host:port`) for each demo router."""
        ports = self.ports or (self.port,) * len(self.routers)
        pairs = zip(self.routers, ports, strict=True)
        return [(name, f"{self.host}:{port}") for name, port in pairs]


@dataclass(frozen=True, slots=True)
class PasswordStorage:
    """Where router passwords are kept, as the window must tell the operator.

    Without a usable OS keyring they live in memory for this session only; the window says
    so (and why), and a router whose password was not entered since the start says why it
    has none."""

    persistent: bool  # True: the OS keyring; False: memory, for this session only
    where: str  # "OS keyring (keyring.backends.SecretService.Keyring)", "memory (...)"
    problem: str | None = None  # why no keyring could be used (English, technical)


@dataclass(frozen=True, slots=True)
class HostKeyProbe:
    """The key a router offers now, and the one pinned for it (None: first contact)."""

    offered: str
    pinned: str | None

    @property
    def first_contact(self) -> bool:
        return self.pinned is None

    @property
    def changed(self) -> bool:
        return self.pinned is not None and self.pinned != self.offered


class CollectorState(StrEnum):
    """How a desktop seat in collector mode stands with its collector."""

    CONNECTING = "connecting"  # the first connection is being made
    CONNECTED = "connected"  # the feed is live
    UNREACHABLE = "unreachable"  # lost or never reached; retrying after a backoff delay
    REFUSED = "refused"  # the collector answered but refused (token, certificate pin)


@dataclass(frozen=True, slots=True)
class CollectorStatus:
    """What the window says about the collector: where, as which seat, since when."""

    url: str
    state: CollectorState
    since: float  # epoch seconds of the last state change
    error: str | None = None  # why it is not connected (English detail)
    retry_in: float | None = None  # seconds until the next attempt
    seat: str | None = None  # the seat name the collector knows this token by
    version: str | None = None  # the collector's release
    remote_commands: bool = False  # the collector runs console lines and changes
    operator_mode: bool = False  # ... including configuration lines and interface changes
    attempts: int = 0  # failed connection attempts in a row


@dataclass(frozen=True, slots=True)
class CollectorProbe:
    """What a collector says about itself and this seat (Settings' "Test connection")."""

    url: str
    seat: str | None
    version: str
    routers: tuple[str, ...]
    remote_commands: bool
    operator_mode: bool


COLLECTOR_TOKEN_PREFIX = "collector:"


def collector_token_entry(url: str) -> str:
    """The OS keyring entry of a seat's token for the collector at `url` (one per collector
    address; router names cannot hold ':', so it never meets a router's password)."""
    return COLLECTOR_TOKEN_PREFIX + url


class CollectorLink(Protocol):
    """A desktop seat's connection to its collector, as the window shows it."""

    @property
    def url(self) -> str: ...

    def status(self) -> CollectorStatus:
        """The connection's state now."""
        ...

    def problems_since(self, seen: int) -> tuple[int, list[str]]:
        """Messages for the operator (a refused acknowledgement, ...) newer than `seen`,
        and the number to pass next time."""
        ...


@runtime_checkable
class MonitorFacade(Protocol):
    """The part of :class:`~app.engine.monitor.Monitor` the window uses; a collector-mode
    monitor (``app.remote``) provides the same, so the views need no branches for it."""

    @property
    def routers(self) -> list[str]: ...

    def now(self) -> float: ...

    def snapshot(self, router: str) -> RouterSnapshot: ...

    def router_status(self, router: str | None = None) -> list[RouterStatus]: ...

    def connection_problem(self, router: str) -> Message | None: ...

    def subscribe(
        self,
        *,
        name: str = "",
        types: Iterable[type] | None = None,
        routers: Collection[str] | None = None,
        max_queue: int | None = None,
    ) -> Subscription: ...

    async def history_query(
        self,
        router: str,
        metric: str,
        start: float,
        end: float | None = None,
        *,
        resolution: Resolution | Literal["auto"] = "auto",
    ) -> HistoryResult: ...

    def cache_statistics(self) -> CacheStatistics: ...

    def monitored_interfaces(self, router: str) -> tuple[str, ...]: ...

    def set_monitored_interfaces(self, router: str, names: Iterable[str]) -> list[Alert]: ...

    def active_alerts(self, router: str | None = None) -> list[Alert]: ...

    def acknowledge_alert(self, alert_id: str, user: str) -> Alert | None: ...

    def plan_change(self, request: ChangeRequest) -> ChangePlan: ...

    async def run_change(self, plan: ChangePlan, *, confirmation: str) -> ChangeResult: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class FeedControl(Protocol):
    """The local HTTP/WebSocket feed as the GUI switches it (bootstrap supplies it)."""

    @property
    def running(self) -> bool: ...

    @property
    def url(self) -> str | None: ...

    @property
    def client_count(self) -> int: ...

    @property
    def fingerprint(self) -> str | None:
        """SHA-256 of the feed's TLS certificate while it serves TLS, else None."""

    async def start(self) -> None:
        """Start with the current `runtime.settings.feed` (raises on a bad bind/token)."""

    async def stop(self) -> None: ...


class NotificationControl(Protocol):
    """Alert delivery (Alertmanager, direct notifications) as the GUI sees it."""

    @property
    def problem(self) -> str | None:
        """Why a configured channel cannot run (a notification URL apprise rejects)."""

    def status(self) -> tuple[DeliveryStatus, ...]:
        """Alertmanager's and the direct notifications' delivery status."""
        ...

    async def apply(self, settings: Settings) -> None:
        """Follow new ``[alertmanager]``/``[notify]`` settings (restarts what changed)."""

    async def send_test(self, settings: NotifySettings) -> tuple[TargetResult, ...]:
        """Send a test message to these URLs (saved or not); one result per URL."""
        ...


@dataclass
class Runtime:
    """The monitor plus what an operator can do to the configuration around it."""

    monitor: Monitor
    console: Console
    audit: AuditLog
    secrets: SecretStore
    settings: Settings
    settings_path: Path
    data_dir: Path
    log_dir: Path
    version: str
    # Trust a router's offered host key after the operator compared `fingerprint`.
    accept_host_key: Callable[[str, str], Awaitable[str]]
    # Fetch the SHA256 fingerprint a (new) router offers, without logging in or trusting it.
    probe_host_key: Callable[[RouterProfile], Awaitable[HostKeyProbe]]
    # Pin a router's key by profile (first contact from the add-router dialog).
    trust_host_key: Callable[[RouterProfile, str], Awaitable[str]]
    # Forget a locked pool's failure (new password, new key) and log in again.
    reset_router: Callable[[str], Awaitable[None]]
    # Poll intervals for routers added or edited while running: the settings' own, never
    # below the safe minimums, whatever speed-up the demo's simulators run with.
    router_intervals: PollIntervals | None = None
    passwords: PasswordStorage = field(
        default_factory=lambda: PasswordStorage(persistent=True, where="OS keyring")
    )
    # Opens a logged-in session the way the pools do (pinned host key, SSH or telnet).
    open_session: SessionOpener | None = None
    demo: DemoInfo | None = None
    feed: FeedControl | None = None
    notifications: NotificationControl | None = None
    # Collector mode: the collector this seat shows (None: this app polls its own routers).
    collector: CollectorLink | None = None
    # Ask a collector (address, token, pinned fingerprint) who this seat is to it, without
    # switching to it; CollectorError-like NE8000MonitorError when it cannot.
    probe_collector: Callable[[str, str | None, str | None], Awaitable[CollectorProbe]] | None = (
        None
    )
    # Extra clean-up after the monitor stops (the demo simulator, a feed server).
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _closed: bool = False

    @property
    def is_demo(self) -> bool:
        return self.demo is not None

    @property
    def manages_routers(self) -> bool:
        """True when this app owns its routers (adds, edits, host keys, monitored uplinks);
        False in collector mode, where the collector's settings decide."""
        return self.collector is None

    def on_close(self, closer: Callable[[], Awaitable[None]]) -> None:
        """Run `closer` (last registered first) when the runtime closes."""
        self._closers.append(closer)

    # ---- configuration ----

    def save_settings(self, settings: Settings) -> None:
        """Write the settings file atomically and keep the new values.

        Seat tokens belong to ``ne8000monitor token``, which may have changed them since
        this runtime read the file: the seats on disk are kept, never overwritten."""
        settings = replace(settings, seats=self._seats_on_disk(settings))
        save_settings(settings, self.settings_path)
        self.settings = settings

    def _seats_on_disk(self, settings: Settings) -> dict[str, SeatToken]:
        if not self.settings_path.exists():
            return settings.seats
        try:
            return load_settings(self.settings_path).seats
        except (SettingsError, OSError):
            return settings.seats

    async def add_router(self, profile: RouterProfile, password: str | None) -> None:
        """Save a new router profile, put its password in the keyring, and start polling it.

        The password goes to the secret store before anything is written, so a keyring
        failure leaves the settings file unchanged.
        """
        if profile.name in self.monitor.routers:
            raise ValueError(f"a router named {profile.name!r} already exists")
        if password:
            self.secrets.set_password(profile.name, password)
        self.save_settings(self.settings.with_router(profile))
        self.monitor.add_router(profile, intervals=self.router_intervals)

    async def update_router(self, profile: RouterProfile, password: str | None) -> None:
        """Replace a router's profile (and password, if one is given) and reconnect."""
        if password:
            self.secrets.set_password(profile.name, password)
        if profile.name in self.monitor.routers:
            # The dialog edits the connection; the watched uplinks stay as they are.
            profile = replace(profile, monitored=self.monitor.monitored_interfaces(profile.name))
        self.save_settings(self.settings.with_router(profile))
        if profile.name in self.monitor.routers:
            await self.monitor.remove_router(profile.name)
        self.monitor.add_router(profile, intervals=self.router_intervals)

    async def test_login(self, profile: RouterProfile, password: str | None) -> LoginTestResult:
        """Log in to `profile` once and read `display version` (see :mod:`login_test`).

        `password` None tests the stored one (an edit that keeps the password). The host
        key must be pinned already (the dialog confirms it first): an unpinned one would be
        trusted on this first contact."""
        if self.open_session is None:
            raise RuntimeError("this runtime cannot open sessions")
        if password is None:
            try:
                password = self.secrets.get_password(profile.name)
            except CredentialsUnavailable as error:
                return LoginTestResult(
                    False, error_message(error), str(error), ErrorCode.NO_CREDENTIALS
                )
            if not password:
                problem = (
                    PasswordProblem.NOT_STORED
                    if self.passwords.persistent
                    else PasswordProblem.SESSION_ONLY
                )
                return LoginTestResult(
                    False, password_message(problem), None, ErrorCode.NO_CREDENTIALS
                )
        return await try_login(self.open_session, profile, password)

    def set_monitored(self, router: str, names: Iterable[str]) -> None:
        """Watch these interfaces of `router` and remember them in its settings profile."""
        chosen = tuple(dict.fromkeys(names))
        self.monitor.set_monitored_interfaces(router, chosen)
        profile = self.settings.routers.get(router)
        if profile is not None and profile.monitored != chosen:
            self.save_settings(self.settings.with_router(replace(profile, monitored=chosen)))

    async def remove_router(self, name: str, *, forget_password: bool = True) -> None:
        """Stop monitoring a router, drop it from the settings and (by default) the keyring."""
        if name in self.monitor.routers:
            await self.monitor.remove_router(name)
        if name in self.settings.routers:
            routers = {k: v for k, v in self.settings.routers.items() if k != name}
            self.save_settings(replace(self.settings, routers=routers))
        if forget_password:
            try:
                self.secrets.delete_password(name)
            except Exception:  # no stored password is not an error when removing
                _log.debug("no password to delete for %s", name, exc_info=True)

    async def update_password(self, router: str, password: str) -> None:
        """Store a new password and let a pool locked by a failed login try again."""
        self.secrets.set_password(router, password)
        await self.reset_router(router)

    # ---- life cycle ----

    async def close(self) -> None:
        """Stop the feed, stop polling, log out, flush history, then the registered closers.

        Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.feed is not None:  # clients hear "going away" before the data stops
                try:
                    await self.feed.stop()
                except Exception:
                    _log.warning("error while stopping the feed", exc_info=True)
            await self.monitor.stop()
        finally:
            for closer in reversed(self._closers):
                try:
                    await closer()
                except Exception:
                    _log.warning("error while shutting down", exc_info=True)
