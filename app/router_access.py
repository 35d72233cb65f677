"""How the app reaches real routers: the session opener and the password lookup.

The composition root (:mod:`app.bootstrap`) wires these into the engine it builds for the
GUI and ``serve``; one-shot commands such as ``snapshot`` use them to build just a session
pool, so they start without loading the rest of the engine, the simulator or the feed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.domain.errors import CredentialsUnavailable
from app.domain.router import RouterProfile, TransportKind
from app.transport.ssh import open_ssh_session

if TYPE_CHECKING:
    from app.engine.pool import PasswordSource
    from app.engine.ports import RouterSession, SecretStore, SessionOpener
    from app.transport.hostkeys import HostKeyStore

# The trusted SSH host keys, in the app's data directory.
KNOWN_HOSTS_FILE = "known_hosts"


def build_opener(host_keys: HostKeyStore) -> SessionOpener:
    """Opens SSH sessions (pinned host keys) or, where a profile opts in, telnet."""

    async def open_session(profile: RouterProfile, password: str) -> RouterSession:
        if profile.transport is TransportKind.TELNET:
            # Loaded for telnet routers only: one-shot commands start faster without it.
            from app.transport.telnet import open_telnet_session  # noqa: PLC0415

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
