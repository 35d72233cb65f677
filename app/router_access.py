"""How the app reaches real routers: the session opener and the password lookup.

The composition root (:mod:`app.bootstrap`) wires these into the engine it builds for the
GUI and ``serve``; one-shot commands such as ``snapshot`` use them to build just a session
pool, so they start without loading the rest of the engine, the simulator or the feed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.domain.errors import CredentialsUnavailable, PasswordProblem
from app.domain.router import RouterProfile, TransportKind
from app.transport.credentials import MemorySecretStore
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
    """A password lookup for the pools: the secret store, then `fallback` (env, prompt).

    Without a password the error says why (its `problem`): nothing stored, a keyring that
    failed to answer, or passwords kept for this session only."""
    session_only = isinstance(secrets, MemorySecretStore)

    def lookup(profile: RouterProfile) -> str:
        password: str | None = None
        failure: CredentialsUnavailable | None = None
        try:
            password = secrets.get_password(profile.name)
        except CredentialsUnavailable as error:
            if fallback is None:
                raise
            failure = error
        if not password and fallback is not None:
            password = fallback(profile)
        if password:
            return password
        if failure is not None:
            raise failure
        if session_only:
            raise CredentialsUnavailable(
                f"no password for {profile.name} in this session: without an OS keyring "
                "passwords are kept for the session only; enter it again in Edit router",
                problem=PasswordProblem.SESSION_ONLY,
            )
        raise CredentialsUnavailable(
            f"no password stored for {profile.name}; run "
            f"`ne8000monitor credentials set {profile.name}`",
            problem=PasswordProblem.NOT_STORED,
        )

    return lookup
