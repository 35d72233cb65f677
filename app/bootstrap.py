"""The composition root: the one place that builds the transport and hands it to the engine.

The engine knows routers only through :mod:`app.engine.ports`; here the real pieces are
chosen: the OS keyring (or memory, with a warning), the app's own known_hosts file, SSH or
telnet per router profile, the audit log in the user data directory. Tests and the
benchmark build the same objects with their own paths.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__
from app.domain.errors import CredentialsUnavailable
from app.domain.notifications import Channel, DeliveryStatus, TargetResult
from app.domain.router import RouterIdentity, RouterProfile
from app.engine.alerts import AlertManager
from app.engine.audit import AuditLog
from app.engine.backoff import Backoff
from app.engine.changes import ChangeWorkflow, InterfaceDirectory
from app.engine.console import Console
from app.engine.history_store import HistoryStore
from app.engine.logging_setup import configure_from_settings, register_secret
from app.engine.monitor import Monitor, build_monitor
from app.engine.poller import PollIntervals
from app.engine.pool import RetryCap, RouterPools
from app.engine.ports import SecretStore, SessionOpener
from app.engine.profiles import load_profiles
from app.engine.ratelimit import LimitKind, RateLimiter
from app.engine.runtime import CollectorProbe, DemoInfo, HostKeyProbe, PasswordStorage, Runtime
from app.engine.seats import USAGE_FILE
from app.engine.settings import (
    MIN_CACHE_TTL,
    MIN_POLL_INTERVAL,
    SETTINGS_FILE,
    NotifySettings,
    Settings,
    load_settings,
    locate_settings,
)
from app.engine.settings_env import apply_environment
from app.engine.tuning import (
    alert_thresholds,
    cache_ttls,
    poll_intervals,
    rate_limits,
    shortest_interval,
)
from app.platform.dirs import user_config_dir, user_data_dir, user_log_dir
from app.router_access import KNOWN_HOSTS_FILE, build_opener, password_source
from app.transport.credentials import MemorySecretStore, open_secret_store
from app.transport.hostkeys import HostKeyStore
from app.transport.ssh import accept_host_key, probe_host_key

if TYPE_CHECKING:
    from app.feed.server import FeedServer
    from app.notify.service import NotificationService
    from app.simulator.server import SimulatorHandle

_log = logging.getLogger("ne8000monitor.bootstrap")

AUDIT_FILE = "audit.jsonl"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """Where the app reads settings and keeps its data."""

    config_dir: Path
    data_dir: Path

    @classmethod
    def default(cls) -> AppPaths:
        return cls(user_config_dir(), user_data_dir())

    @property
    def settings_file(self) -> Path | None:
        """The settings file in use: settings.toml, else a legacy routers.toml, else None."""
        return locate_settings(self.config_dir)

    @property
    def known_hosts(self) -> Path:
        return self.data_dir / KNOWN_HOSTS_FILE

    @property
    def audit_log(self) -> Path:
        return self.data_dir / AUDIT_FILE


def build_secret_store(*, allow_memory: bool = True) -> SecretStore:
    """The OS keyring; without one, memory for this session (logged loudly) or the error."""
    return open_password_storage(allow_memory=allow_memory)[0]


def open_password_storage(*, allow_memory: bool = True) -> tuple[SecretStore, PasswordStorage]:
    """The OS keyring, or memory for this session (logged loudly, and said in the window:
    the returned PasswordStorage carries why), or the error when memory is not allowed."""
    try:
        store: SecretStore = open_secret_store()
    except CredentialsUnavailable as error:
        if not allow_memory:
            raise
        _log.warning("%s -- passwords are kept in memory for this session only", error)
        store = MemorySecretStore()
        return store, password_storage(store, str(error))
    return store, password_storage(store)


def password_storage(store: SecretStore, problem: str | None = None) -> PasswordStorage:
    """How `store` keeps passwords: in the OS keyring, or for this session only (and why)."""
    persistent = not isinstance(store, MemorySecretStore)
    where = str(getattr(store, "description", type(store).__name__))
    return PasswordStorage(persistent=persistent, where=where, problem=problem)


@dataclass
class Engine:
    """Everything the UI, the feed and the CLI commands use, wired together."""

    paths: AppPaths
    profiles: dict[str, RouterProfile]
    secrets: SecretStore
    host_keys: HostKeyStore
    pools: RouterPools
    interfaces: InterfaceDirectory
    limiter: RateLimiter
    audit: AuditLog
    workflow: ChangeWorkflow
    console: Console
    opener: SessionOpener

    async def update_password(self, router: str, password: str) -> None:
        """Store a new password and let a locked pool (auth failed, no password) try again."""
        self.secrets.set_password(router, password)
        await self.pools.get(router).reset()

    async def accept_host_key(self, router: str, fingerprint: str) -> str:
        """Trust the router's new host key (the operator checked `fingerprint`), then retry.

        Raises HostKeyChanged if the router now offers a different key than the one shown.
        """
        pool = self.pools.get(router)
        pinned = await accept_host_key(pool.profile, self.host_keys, fingerprint)
        await pool.reset()
        return pinned

    async def close(self) -> None:
        """Log out of every router."""
        await self.pools.close()


def build_engine(
    paths: AppPaths | None = None,
    *,
    profiles: Mapping[str, RouterProfile] | None = None,
    secrets: SecretStore | None = None,
    opener: SessionOpener | None = None,
    password_fallback: Callable[[RouterProfile], str | None] | None = None,
    backoff: Backoff | None = None,
    limits: Mapping[LimitKind, int] | None = None,
    reconnect: bool = True,
    retry_within: RetryCap = None,
) -> Engine:
    """Build the engine; every piece can be replaced (tests pass their own paths/secrets).

    Pools log in again on their own when a reconnect delay is over (`reconnect`), waiting
    at most `retry_within` seconds (per router: its quickest poll interval) between tries.
    """
    paths = paths or AppPaths.default()
    if profiles is not None:
        routers = dict(profiles)
    else:
        settings_file = paths.settings_file
        routers = load_profiles(settings_file) if settings_file is not None else {}
    secret_store = secrets if secrets is not None else build_secret_store()
    host_keys = HostKeyStore(paths.known_hosts)
    opener = opener or build_opener(host_keys)
    pools = RouterPools(
        opener,
        password_source(secret_store, password_fallback),
        backoff=backoff,
        reconnect=reconnect,
        retry_within=retry_within,
    )
    for profile in routers.values():
        pools.add(profile)
    interfaces = InterfaceDirectory()
    limiter = RateLimiter(limits)

    def known_secrets() -> list[str]:
        found = []
        for name in routers:
            try:
                password = secret_store.get_password(name)
            except CredentialsUnavailable:
                continue
            if password:
                found.append(password)
        return found

    audit = AuditLog(paths.audit_log, secrets=known_secrets)
    workflow = ChangeWorkflow(pools.get, interfaces, audit, limiter=limiter)
    console = Console(pools.get, limiter, audit)
    return Engine(
        paths=paths,
        profiles=routers,
        secrets=secret_store,
        host_keys=host_keys,
        pools=pools,
        interfaces=interfaces,
        limiter=limiter,
        audit=audit,
        workflow=workflow,
        console=console,
        opener=opener,
    )


# ---- the running application (GUI and `serve`) ----

HISTORY_FILE = "history.sqlite3"
DEMO_DIR = "demo"
DEMO_POLL_SCALE = 0.25  # demo polls 4x faster than the defaults, so a new user sees motion
DEMO_MONITORED = ("Eth-Trunk1", "100GE0/1/2")  # the simulator's core trunk and IX uplink
DEMO_SUBSCRIBERS = (25_000, 18_000, 32_000, 12_000, 21_000)


def demo_router_names(count: int) -> list[str]:
    return ["demo"] if count == 1 else [f"demo-{index}" for index in range(1, count + 1)]


def demo_identity(name: str) -> RouterIdentity:
    """A demo router is the app's own simulator on loopback: its port is new each run, the
    box (seed, host key) is the same, so its identity leaves the port out (0) and its
    history carries on across runs."""
    return RouterIdentity(name, "127.0.0.1", 0)


async def _start_demo_simulators(
    paths: AppPaths, count: int
) -> tuple[list[SimulatorHandle], dict[str, RouterProfile]]:
    """Embedded NE8000 simulators on loopback, one per demo router (keys kept between runs)."""
    # Demo mode only: `snapshot`, `change` and the other one-shot commands never load it.
    from app.simulator.server import start_simulator  # noqa: PLC0415

    handles: list[SimulatorHandle] = []
    profiles: dict[str, RouterProfile] = {}
    try:
        for index, name in enumerate(demo_router_names(count)):
            handle = await start_simulator(
                host="127.0.0.1",
                port=0,
                hostname=f"NE8000-{name.upper()}",
                users=DEMO_SUBSCRIBERS[index % len(DEMO_SUBSCRIBERS)],
                seed=index + 1,
                host_key_path=paths.data_dir / DEMO_DIR / f"ssh_host_key_{index + 1}",
            )
            handles.append(handle)
            profiles[name] = RouterProfile(
                name=name,
                host=handle.host,
                port=handle.port,
                username=handle.username,
                monitored=DEMO_MONITORED,
            )
    except BaseException:
        for handle in handles:
            await handle.close()
        raise
    return handles, profiles


async def _build_parts(
    paths: AppPaths,
    settings: Settings,
    simulators: list[SimulatorHandle],
    *,
    store: HistoryStore | None,
    secret_store: SecretStore,
    env_password: str | None,
    demo_routers: int,
    poll_scale: float | None,
    simulated: bool,
) -> tuple[Engine, Monitor, dict[str, RouterProfile], PollIntervals]:
    """Demo simulators (`demo_routers` of them; 0: none), the engine, the monitor, and
    the poll intervals for routers added later.

    Started simulators are appended to `simulators` at once, so the caller can close them
    if a later step fails.
    """
    demo_profiles: dict[str, RouterProfile] = {}
    if demo_routers:
        started, demo_profiles = await _start_demo_simulators(paths, demo_routers)
        simulators.extend(started)
        for handle in started:
            register_secret(handle.password)
    demo_passwords = {
        name: handle.password for name, handle in zip(demo_profiles, simulators, strict=True)
    }

    def fallback(profile: RouterProfile) -> str | None:
        if profile.name in demo_passwords:
            return demo_passwords[profile.name]
        return env_password

    scale = poll_scale if poll_scale is not None else (DEMO_POLL_SCALE if demo_routers else None)
    # --poll-scale never takes a real router below the safe minimums; only the app's own
    # simulators (demo mode), or a caller's that say so, may be polled faster. Cache
    # lifetimes only matter for on-demand reads (polls reload by their own interval).
    poll_floor = 0.0 if simulated or not settings.routers else MIN_POLL_INTERVAL
    ttl_floor = 0.0 if simulated else MIN_CACHE_TTL
    intervals = poll_intervals(settings, scale=scale, floor=poll_floor)
    # Routers the operator adds while the app runs (a demo included) are real routers.
    router_intervals = poll_intervals(
        settings, scale=poll_scale, floor=0.0 if simulated else MIN_POLL_INTERVAL
    )

    def retry_within(profile: RouterProfile) -> float:
        """A router that comes back is connected again within one of its poll intervals."""
        started = profile.name in demo_profiles or profile.name in settings.routers
        return shortest_interval(intervals if started else router_intervals)

    engine = build_engine(
        paths,
        profiles={**settings.routers, **demo_profiles},
        secrets=secret_store,
        password_fallback=fallback,
        limits=rate_limits(settings),
        retry_within=retry_within,
    )
    for profile in demo_profiles.values():
        # A demo port is new each run: drop any stale pin so first contact pins today's key.
        engine.host_keys.forget(profile.host, profile.port)

    def identity(profile: RouterProfile) -> RouterIdentity:
        return demo_identity(profile.name) if profile.name in demo_profiles else profile.identity

    monitor = build_monitor(
        engine.pools,
        engine.workflow,
        engine.interfaces,
        identity=identity,
        store=store,
        intervals=intervals,
        ttls=cache_ttls(settings, scale=scale, floor=ttl_floor),
        alerts=AlertManager(
            alert_thresholds(settings),
            journal=store.append_alert_event if store is not None else None,
        ),
    )
    return engine, monitor, demo_profiles, router_intervals


async def start_runtime(
    *,
    paths: AppPaths | None = None,
    settings: Settings | None = None,
    demo: bool | None = None,
    demo_routers: int = 1,
    secrets: SecretStore | None = None,
    poll_scale: float | None = None,
    history: bool = True,
    environ: Mapping[str, str] | None = None,
    router_password: str | None = None,
    configure_logging: bool = False,
    settings_path: Path | None = None,
    routers_are_simulated: bool = False,
) -> Runtime:
    """Build and start everything the GUI and `serve` run: engine, monitor, history, demo.

    `settings` None reads the user's settings file with the earlier service's environment
    variables on top (`environ` None: the process environment). `demo` None means demo mode
    exactly when no router is configured: embedded simulators on loopback are started and
    monitored, their history kept apart from real routers'. The monitor is running when this
    returns; :meth:`Runtime.close` undoes all of it. `router_password` (ROUTER_PASSWORD of
    settings the caller already built) is used for routers with no keyring entry.
    `configure_logging` installs the ``[logging]`` settings' handlers (the rotating log file
    included) as soon as the settings are known: the GUI asks for it; `serve` configures
    logging itself before it builds the runtime. `settings_path` is the file saved to and
    watched for seat tokens (default: settings.toml in the config directory).

    `poll_scale` shrinks the poll intervals and cache lifetimes, but a real router is never
    polled below the safe minimums (5 s); only demo mode's own simulators are, or the
    configured routers when the caller says they are simulators it started
    (`routers_are_simulated`, tests and benchmarks; no command-line option sets it).
    """
    paths = paths or AppPaths.default()
    # Read settings.toml (or a legacy routers.toml); always save as settings.toml.
    source = settings_path or paths.settings_file
    settings_path = settings_path or paths.config_dir / SETTINGS_FILE
    env_password = router_password
    notes: tuple[str, ...] = ()
    if settings is None:
        overrides = apply_environment(
            load_settings(source) if source is not None else Settings(),
            os.environ if environ is None else environ,
        )
        settings = overrides.settings
        env_password = overrides.router_password or env_password
        notes = tuple(overrides.notes)
    if configure_logging:
        configure_from_settings(settings.logging)
        _log.info("NE8000 Monitor %s starting", __version__)
    for note in notes:
        _log.info("%s", note)
    register_secret(env_password)
    demo = not settings.routers if demo is None else demo
    if demo and demo_routers < 1:
        raise ValueError("demo mode needs at least one router")
    if secrets is not None:
        secret_store, storage = secrets, password_storage(secrets)
    else:
        secret_store, storage = open_password_storage()
    # History first: a database this release cannot use (written by a newer one) stops the
    # start before anything else is created or written.
    store: HistoryStore | None = None
    if history:
        history_dir = paths.data_dir / DEMO_DIR if demo else paths.data_dir
        # The routers configured now: an older history file's rows are attached to them.
        identities = (
            {name: demo_identity(name) for name in demo_router_names(demo_routers)}
            if demo
            else {name: profile.identity for name, profile in settings.routers.items()}
        )
        store = await HistoryStore.open(history_dir / HISTORY_FILE, identities=identities)
        if store.moved_aside is not None:
            _log.warning("history database was corrupt; moved to %s", store.moved_aside)
    simulators: list[SimulatorHandle] = []
    try:
        engine, monitor, demo_profiles, router_intervals = await _build_parts(
            paths,
            settings,
            simulators,
            store=store,
            secret_store=secret_store,
            env_password=env_password,
            demo_routers=demo_routers if demo else 0,
            poll_scale=poll_scale,
            simulated=routers_are_simulated,
        )
    except BaseException:
        if store is not None:
            await store.close()
        for handle in simulators:
            await handle.close()
        raise

    async def probe(profile: RouterProfile) -> HostKeyProbe:
        offered, pinned = await probe_host_key(profile, engine.host_keys)
        return HostKeyProbe(offered=offered, pinned=pinned)

    async def trust(profile: RouterProfile, fingerprint: str) -> str:
        return await accept_host_key(profile, engine.host_keys, fingerprint)

    async def reset(router: str) -> None:
        await engine.pools.get(router).reset()

    runtime = Runtime(
        monitor=monitor,
        console=engine.console,
        audit=engine.audit,
        secrets=secret_store,
        settings=settings,
        settings_path=settings_path,
        data_dir=paths.data_dir,
        log_dir=user_log_dir(),
        version=__version__,
        probe_host_key=probe,
        trust_host_key=trust,
        accept_host_key=engine.accept_host_key,
        reset_router=reset,
        router_intervals=router_intervals,
        passwords=storage,
        open_session=engine.opener,
        demo=(
            DemoInfo(
                tuple(demo_profiles),
                simulators[0].host,
                simulators[0].port,
                tuple(handle.port for handle in simulators),
            )
            if simulators
            else None
        ),
    )

    async def stop_simulators() -> None:
        for profile in demo_profiles.values():
            engine.host_keys.forget(profile.host, profile.port)
        for handle in simulators:
            await handle.close()

    runtime.on_close(stop_simulators)
    runtime.probe_collector = probe_collector
    feed = FeedController(runtime)
    runtime.feed = feed
    notifications = NotificationsController(runtime)
    runtime.notifications = notifications
    runtime.on_close(notifications.stop)
    try:
        await monitor.start()
        await notifications.start()  # after start: alerts restored from the store are known
    except BaseException:
        await runtime.close()
        raise
    return runtime


class FeedController:
    """Starts and stops the feed server with the runtime's current feed settings (GUI/serve)."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._server: FeedServer | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str | None:
        return self._server.url if self._server is not None else None

    @property
    def client_count(self) -> int:
        return self._server.client_count if self._server is not None else 0

    @property
    def fingerprint(self) -> str | None:
        return self._server.fingerprint if self._server is not None else None

    async def start(self) -> None:
        """Start (or restart with new settings); raises FeedConfigError or OSError."""
        from app.feed.seats import SeatBook, settings_file_seats  # noqa: PLC0415
        from app.feed.server import FeedServer  # noqa: PLC0415 -- aiohttp only when used

        await self.stop()
        runtime = self._runtime
        seats = SeatBook(
            runtime.settings.seats,
            loader=settings_file_seats(runtime.settings_path),
            usage_path=runtime.data_dir / USAGE_FILE,
        )
        server = FeedServer(
            runtime.monitor,
            runtime.settings.feed,
            console=runtime.console,
            version=runtime.version,
            seats=seats,
            audit=runtime.audit,
        )
        await server.start()
        self._server = server
        _log.info("feed listening on %s", server.url)

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await server.stop()


class NotificationsController:
    """Builds, restarts and reports the alert delivery of the runtime (GUI and serve).

    Nothing is imported or started while neither ``[alertmanager] url`` nor ``[notify]
    urls`` is set, so a plain desktop never loads aiohttp's client or apprise for this."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._service: NotificationService | None = None
        self._settings: tuple[object, object] | None = None

    @property
    def problem(self) -> str | None:
        return self._service.problem if self._service is not None else None

    def status(self) -> tuple[DeliveryStatus, ...]:
        if self._service is not None:
            return self._service.status()
        return (
            DeliveryStatus(Channel.ALERTMANAGER, enabled=False),
            DeliveryStatus(Channel.NOTIFY, enabled=False),
        )

    async def start(self) -> None:
        await self.apply(self._runtime.settings)

    async def apply(self, settings: Settings) -> None:
        wanted = (settings.alertmanager, settings.notify)
        if wanted == self._settings:
            return
        await self.stop()
        self._settings = wanted
        if settings.alertmanager.url is None and not settings.notify.urls:
            return
        from app.notify.service import NotificationService  # noqa: PLC0415

        service = NotificationService(self._runtime.monitor, settings)
        await service.start()
        self._service = service

    async def send_test(self, settings: NotifySettings) -> tuple[TargetResult, ...]:
        from app.notify.service import send_test  # noqa: PLC0415

        return tuple(await send_test(settings))

    async def stop(self) -> None:
        service, self._service = self._service, None
        self._settings = None
        if service is not None:
            await service.stop()


# ---- collector mode (a desktop seat of a `serve` on the LAN) ----

COLLECTOR_READY_TIMEOUT = 10.0  # seconds the window waits for the collector's first picture


async def probe_collector(url: str, token: str | None, fingerprint: str | None) -> CollectorProbe:
    """Ask the collector at `url` who this seat is (Settings' "Test connection")."""
    from app.remote.client import probe  # noqa: PLC0415 -- aiohttp's client only when used

    return await probe(url, token, fingerprint)


def collector_token(secrets: SecretStore, url: str) -> str | None:
    """The seat's token for the collector at `url` from the OS keyring (None: none kept)."""
    from app.remote.runtime import token_entry  # noqa: PLC0415

    try:
        return secrets.get_password(token_entry(url))
    except CredentialsUnavailable as error:
        _log.warning("cannot read the collector token from the keyring: %s", error)
        return None


async def start_collector_runtime(
    *,
    url: str,
    token: str | None = None,
    fingerprint: str | None = None,
    paths: AppPaths | None = None,
    settings: Settings | None = None,
    secrets: SecretStore | None = None,
    configure_logging: bool = False,
    settings_path: Path | None = None,
    ready_timeout: float = COLLECTOR_READY_TIMEOUT,
) -> Runtime:
    """A Runtime fed by the collector at `url`: no simulator, no session to any router.

    `token` None takes the seat's token from the OS keyring (entry ``collector:URL``); it is
    registered as a secret so no log line shows it. The collector is connected (and kept
    connected, with backoff) in the background; this waits up to `ready_timeout` seconds for
    its first picture so the window opens with data, and returns anyway when the collector
    is out of reach (the window then says so).
    """
    from app.remote.client import CollectorClient  # noqa: PLC0415 -- aiohttp only when used
    from app.remote.monitor import RemoteMonitor  # noqa: PLC0415
    from app.remote.runtime import CollectorRuntime  # noqa: PLC0415

    paths = paths or AppPaths.default()
    source = settings_path or paths.settings_file
    settings_path = settings_path or paths.config_dir / SETTINGS_FILE
    if settings is None:
        settings = load_settings(source) if source is not None else Settings()
    if configure_logging:
        configure_from_settings(settings.logging)
        _log.info("NE8000 Monitor %s starting in collector mode (%s)", __version__, url)
    secret_store = secrets if secrets is not None else build_secret_store()
    if token is None:
        token = collector_token(secret_store, url)
    register_secret(token)
    client = CollectorClient(url, token, fingerprint=fingerprint)
    monitor = RemoteMonitor(client)
    runtime = CollectorRuntime.build(
        monitor,
        secrets=secret_store,
        settings=settings,
        settings_path=settings_path,
        data_dir=paths.data_dir,
        log_dir=user_log_dir(),
        version=__version__,
    )
    runtime.probe_collector = probe_collector
    await monitor.start()
    if not await monitor.wait_ready(ready_timeout):
        _log.warning("collector %s: %s", client.url, monitor.status().error or "not connected yet")
    return runtime
