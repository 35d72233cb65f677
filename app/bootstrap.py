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
from app.domain.paths import user_config_dir, user_data_dir, user_log_dir
from app.domain.router import RouterProfile
from app.engine.alerts import AlertManager
from app.engine.audit import AuditLog
from app.engine.backoff import Backoff
from app.engine.changes import ChangeWorkflow, InterfaceDirectory
from app.engine.console import Console
from app.engine.history_store import HistoryStore
from app.engine.logging_setup import register_secret
from app.engine.monitor import build_monitor
from app.engine.pool import RouterPools
from app.engine.ports import SecretStore, SessionOpener
from app.engine.profiles import load_profiles
from app.engine.ratelimit import LimitKind, RateLimiter
from app.engine.runtime import DemoInfo, HostKeyProbe, Runtime
from app.engine.settings import SETTINGS_FILE, Settings, load_settings, locate_settings
from app.engine.settings_env import apply_environment
from app.engine.tuning import alert_thresholds, cache_ttls, poll_intervals, rate_limits
from app.router_access import KNOWN_HOSTS_FILE, build_opener, password_source
from app.transport.credentials import MemorySecretStore, open_secret_store
from app.transport.hostkeys import HostKeyStore
from app.transport.ssh import accept_host_key, probe_host_key

if TYPE_CHECKING:
    from app.feed.server import FeedServer
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
    try:
        return open_secret_store()
    except CredentialsUnavailable as error:
        if not allow_memory:
            raise
        _log.warning("%s -- passwords are kept in memory for this session only", error)
        return MemorySecretStore()


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
) -> Engine:
    """Build the engine; every piece can be replaced (tests pass their own paths/secrets)."""
    paths = paths or AppPaths.default()
    if profiles is not None:
        routers = dict(profiles)
    else:
        settings_file = paths.settings_file
        routers = load_profiles(settings_file) if settings_file is not None else {}
    secret_store = secrets if secrets is not None else build_secret_store()
    host_keys = HostKeyStore(paths.known_hosts)
    pools = RouterPools(
        opener or build_opener(host_keys),
        password_source(secret_store, password_fallback),
        backoff=backoff,
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
    )


# ---- the running application (GUI and `serve`) ----

HISTORY_FILE = "history.sqlite3"
DEMO_DIR = "demo"
DEMO_POLL_SCALE = 0.25  # demo polls 4x faster than the defaults, so a new user sees motion
DEMO_MONITORED = ("Eth-Trunk1", "100GE0/1/2")  # the simulator's core trunk and IX uplink
DEMO_SUBSCRIBERS = (25_000, 18_000, 32_000, 12_000, 21_000)


def demo_router_names(count: int) -> list[str]:
    return ["demo"] if count == 1 else [f"demo-{index}" for index in range(1, count + 1)]


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
) -> Runtime:
    """Build and start everything the GUI and `serve` run: engine, monitor, history, demo.

    `settings` None reads the user's settings file with the earlier service's environment
    variables on top (`environ` None: the process environment). `demo` None means demo mode
    exactly when no router is configured: embedded simulators on loopback are started and
    monitored, their history kept apart from real routers'. The monitor is running when this
    returns; :meth:`Runtime.close` undoes all of it. `router_password` (ROUTER_PASSWORD of
    settings the caller already built) is used for routers with no keyring entry.
    """
    paths = paths or AppPaths.default()
    # Read settings.toml (or a legacy routers.toml); always save as settings.toml.
    source = paths.settings_file
    settings_path = paths.config_dir / SETTINGS_FILE
    env_password = router_password
    if settings is None:
        overrides = apply_environment(
            load_settings(source) if source is not None else Settings(),
            os.environ if environ is None else environ,
        )
        settings = overrides.settings
        env_password = overrides.router_password or env_password
        for note in overrides.notes:
            _log.info("%s", note)
    register_secret(env_password)
    demo = not settings.routers if demo is None else demo
    if demo and demo_routers < 1:
        raise ValueError("demo mode needs at least one router")
    secret_store = secrets if secrets is not None else build_secret_store()
    simulators: list[SimulatorHandle] = []
    demo_profiles: dict[str, RouterProfile] = {}
    if demo:
        simulators, demo_profiles = await _start_demo_simulators(paths, demo_routers)
        for handle in simulators:
            register_secret(handle.password)
    demo_passwords = {
        name: handle.password
        for name, handle in zip(demo_profiles, simulators, strict=True)
    }

    def fallback(profile: RouterProfile) -> str | None:
        if profile.name in demo_passwords:
            return demo_passwords[profile.name]
        return env_password

    routers = {**settings.routers, **demo_profiles}
    engine = build_engine(
        paths,
        profiles=routers,
        secrets=secret_store,
        password_fallback=fallback,
        limits=rate_limits(settings),
    )
    for profile in demo_profiles.values():
        # A demo port is new each run: drop any stale pin so first contact pins today's key.
        engine.host_keys.forget(profile.host, profile.port)
    store: HistoryStore | None = None
    history_dir = paths.data_dir / DEMO_DIR if demo else paths.data_dir
    try:
        if history:
            store = await HistoryStore.open(history_dir / HISTORY_FILE)
            if store.moved_aside is not None:
                _log.warning("history database was corrupt; moved to %s", store.moved_aside)
        scale = poll_scale if poll_scale is not None else (DEMO_POLL_SCALE if demo else None)
        monitor = build_monitor(
            engine.pools,
            engine.workflow,
            engine.interfaces,
            store=store,
            intervals=poll_intervals(settings, scale=scale),
            ttls=cache_ttls(settings, scale=scale),
            alerts=AlertManager(
                alert_thresholds(settings),
                journal=store.append_alert_event if store is not None else None,
            ),
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
        demo=(
            DemoInfo(tuple(demo_profiles), simulators[0].host, simulators[0].port)
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
    feed = FeedController(runtime)
    runtime.feed = feed
    try:
        await monitor.start()
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

    async def start(self) -> None:
        """Start (or restart with new settings); raises FeedConfigError or OSError."""
        from app.feed.server import FeedServer  # noqa: PLC0415 -- aiohttp only when used

        await self.stop()
        runtime = self._runtime
        server = FeedServer(
            runtime.monitor,
            runtime.settings.feed,
            console=runtime.console,
            version=runtime.version,
        )
        await server.start()
        self._server = server
        _log.info("feed listening on %s", server.url)

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await server.stop()
