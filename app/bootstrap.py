"""The composition root: the one place that builds the transport and hands it to the engine.

The engine knows routers only through :mod:`app.engine.ports`; here the real pieces are
chosen: the OS keyring (or memory, with a warning), the app's own known_hosts file, SSH or
telnet per router profile, the audit log in the user data directory. Tests and the
benchmark build the same objects with their own paths.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from app.domain.errors import CredentialsUnavailable
from app.domain.paths import user_config_dir, user_data_dir
from app.domain.router import RouterProfile, TransportKind
from app.engine.audit import AuditLog
from app.engine.backoff import Backoff
from app.engine.changes import ChangeWorkflow, InterfaceDirectory
from app.engine.console import Console
from app.engine.pool import PasswordSource, RouterPools
from app.engine.ports import RouterSession, SecretStore, SessionOpener
from app.engine.profiles import load_profiles
from app.engine.ratelimit import RateLimiter
from app.engine.settings import locate_settings
from app.transport.credentials import MemorySecretStore, open_secret_store
from app.transport.hostkeys import HostKeyStore
from app.transport.ssh import accept_host_key, open_ssh_session
from app.transport.telnet import open_telnet_session

_log = logging.getLogger("ne8000monitor.bootstrap")

KNOWN_HOSTS_FILE = "known_hosts"
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


def build_opener(host_keys: HostKeyStore) -> SessionOpener:
    """Opens SSH sessions (pinned host keys) or, where a profile opts in, telnet."""

    async def open_session(profile: RouterProfile, password: str) -> RouterSession:
        if profile.transport is TransportKind.TELNET:
            return await open_telnet_session(profile, password)
        return await open_ssh_session(profile, password, host_keys)

    return open_session


def password_source(
    secrets: SecretStore, fallback: Callable[[RouterProfile], str | None] | None = None
) -> PasswordSource:
    """A password lookup for the pools: the secret store, then `fallback` (env, prompt)."""

    def lookup(profile: RouterProfile) -> str:
        password: str | None = None
        try:
            password = secrets.get_password(profile.name)
        except CredentialsUnavailable:
            if fallback is None:
                raise
        if not password and fallback is not None:
            password = fallback(profile)
        if not password:
            raise CredentialsUnavailable(
                f"no password stored for {profile.name}; run "
                f"`ne8000monitor credentials set {profile.name}`"
            )
        return password

    return lookup


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
    limiter = RateLimiter()

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
