"""Open a VRP CLI session over SSH (asyncssh): PTY shell, pinned host key, clear errors.

Host keys: the connection trusts exactly the key pinned in the app's
:class:`~app.transport.hostkeys.HostKeyStore` (``known_hosts`` is that one key, never
``None``). On first contact nothing is pinned yet, so the key the router presents is
accepted and pinned once login succeeded; a different key later is refused with both
fingerprints. Legacy algorithms are added (after the safe defaults) only when the router's
profile opts in.

Ciphers: SSH takes the first of the client's algorithms the server also offers, so the
client's order decides. AES-GCM, then AES-CTR, come first because the ``cryptography``
library runs AES in hardware: a packet costs a few microseconds instead of the ~30 of
chacha20-poly1305 (asyncssh's first choice, assembled from three cipher calls per packet).
A router that offers none of them gets asyncssh's usual list, its own choice among those.
The MAC (only used with CTR) likewise prefers the HMAC-SHA2 encrypt-then-MAC variants.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
from collections.abc import Sequence
from typing import Any

import asyncssh
from asyncssh.encryption import get_default_encryption_algs
from asyncssh.mac import get_default_mac_algs
from asyncssh.public_key import get_default_public_key_algs

from app.domain.errors import (
    AuthenticationFailed,
    HostKeyChanged,
    KeyExchangeFailed,
    RouterError,
    RouterTimeout,
    RouterUnreachable,
    SessionLost,
    VtyLinesFull,
)
from app.domain.redaction import redact
from app.domain.router import RouterProfile
from app.transport.hostkeys import HostKeyStore, fingerprint
from app.transport.shell import VTY_FULL_TEXT, VrpShell

_log = logging.getLogger("ne8000monitor.transport.ssh")

# Old VRP5 boxes: SHA-1 DH groups, CBC ciphers, MD5/SHA-1-96 MACs. Opt-in per router only.
LEGACY_KEX_ALGS = (
    "+diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1"
)
LEGACY_ENCRYPTION_ALGS = ("aes128-cbc", "aes192-cbc", "aes256-cbc", "3des-cbc")
LEGACY_MAC_ALGS = ("hmac-md5", "hmac-md5-96", "hmac-sha1-96")
# Asked for first, in this order (hardware AES; see the module docstring).
PREFERRED_ENCRYPTION_ALGS = (
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-ctr",
    "aes192-ctr",
    "aes128-ctr",
)
PREFERRED_MAC_ALGS = (
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
)
# Wide enough that VRP never wraps a line (wrapped lines come back with cursor escapes),
# the same size netmiko asks for.
TERM_TYPE = "vt100"
TERM_SIZE = (511, 1000)
KEEPALIVE_COUNT_MAX = 3
READ_SIZE = 65536
CLOSE_TIMEOUT = 2.0
LEGACY_OPTION = "legacy_algorithms"


class _PinnedHostKeyClient(asyncssh.SSHClient):
    """Sees the key the router offers when it is not the pinned one (or nothing is pinned)."""

    def __init__(self, pinned: asyncssh.SSHKey | None) -> None:
        self._pinned = pinned
        self.offered: asyncssh.SSHKey | None = None
        self.lost = False

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        # Only called for a key outside the trusted list (the pinned key never gets here).
        self.offered = key
        return self._pinned is None  # first contact: accept, pin after login

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True


class _SshStream:
    """An asyncssh PTY shell as the VrpShell's text stream."""

    def __init__(
        self,
        connection: asyncssh.SSHClientConnection,
        process: asyncssh.SSHClientProcess[str],
        client: _PinnedHostKeyClient,
    ) -> None:
        self._connection = connection
        self._process = process
        self._client = client
        self._closed = False

    @property
    def is_alive(self) -> bool:
        return not (self._closed or self._client.lost or self._process.is_closing())

    async def read(self) -> str:
        try:
            return await self._process.stdout.read(READ_SIZE)
        except (asyncssh.Error, ConnectionError, BrokenPipeError):
            return ""

    def write(self, text: str) -> None:
        try:
            self._process.stdin.write(text)
        except (asyncssh.Error, BrokenPipeError, OSError) as error:
            raise ConnectionError(str(error) or "connection closed") from error

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(Exception):
            self._process.close()
        self._connection.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._connection.wait_closed(), CLOSE_TIMEOUT)


def connection_options(
    profile: RouterProfile, *, pinned: asyncssh.SSHKey | None = None, **extra: Any
) -> asyncssh.SSHClientConnectionOptions:
    """asyncssh options for `profile`: no user ssh config, agent or keys; legacy on opt-in."""
    options: dict[str, Any] = {
        "username": profile.username,
        "known_hosts": ([pinned] if pinned is not None else [], [], []),
        "config": [],
        "client_keys": None,
        "agent_path": None,
        "preferred_auth": "password,keyboard-interactive",
        "keepalive_interval": profile.keepalive_interval,
        "keepalive_count_max": KEEPALIVE_COUNT_MAX,
        "connect_timeout": profile.connect_timeout,
    }
    if pinned is not None:
        # Ask for the pinned key's type first, so a router holding several keys presents
        # the pinned one instead of looking "changed"; any type is still accepted after it.
        preferred = [*pinned.sig_algorithms, *get_default_public_key_algs()]
        options["server_host_key_algs"] = list(
            dict.fromkeys(alg.decode("ascii") for alg in preferred)
        )
    legacy = profile.legacy_algorithms
    options["encryption_algs"] = algorithm_order(
        PREFERRED_ENCRYPTION_ALGS,
        get_default_encryption_algs(),
        LEGACY_ENCRYPTION_ALGS if legacy else (),
    )
    options["mac_algs"] = algorithm_order(
        PREFERRED_MAC_ALGS, get_default_mac_algs(), LEGACY_MAC_ALGS if legacy else ()
    )
    if legacy:
        options["kex_algs"] = LEGACY_KEX_ALGS
    options.update(extra)
    return asyncssh.SSHClientConnectionOptions(**options)


def algorithm_order(
    preferred: Sequence[str], defaults: Sequence[bytes], legacy: Sequence[str] = ()
) -> list[str]:
    """The preferred algorithms, then asyncssh's defaults, then opted-in legacy ones, once each.

    A preferred name this asyncssh build lacks is left out rather than failing the connect.
    """
    available = [alg.decode("ascii") for alg in defaults]
    first = [alg for alg in preferred if alg in available]
    return list(dict.fromkeys([*first, *available, *legacy]))


async def open_ssh_session(
    profile: RouterProfile, password: str, host_keys: HostKeyStore
) -> VrpShell:
    """Connect, log in and return a shell positioned at the router's first prompt.

    Raises RouterUnreachable, RouterTimeout, AuthenticationFailed, HostKeyChanged,
    KeyExchangeFailed, VtyLinesFull or SessionLost, each with a message for the operator.
    """
    pinned = host_keys.trusted_key(profile.host, profile.port)
    client = _PinnedHostKeyClient(pinned)
    options = connection_options(profile, pinned=pinned, password=password)
    where = f"{profile.host}:{profile.port}"
    connection: asyncssh.SSHClientConnection | None = None
    new_key: str | None = None
    try:
        async with asyncio.timeout(profile.connect_timeout):
            connection = await asyncssh.connect(
                profile.host, profile.port, client_factory=lambda: client, options=options
            )
            if pinned is None and client.offered is not None:
                new_key = host_keys.trust(profile.host, profile.port, client.offered)
                _log.warning(
                    "%s: first contact with %s: trusting its host key %s",
                    profile.name,
                    where,
                    new_key,
                )
            process = await connection.create_process(
                term_type=TERM_TYPE, term_size=TERM_SIZE, encoding="utf-8", errors="replace"
            )
            shell = VrpShell(
                _SshStream(connection, process, client),
                router=profile.name,
                secrets=(password,),
                command_timeout=profile.command_timeout,
            )
            await shell.start(timeout=profile.connect_timeout)
    except BaseException as error:
        # Whatever went wrong (cancellation included), no half-open connection is left.
        if connection is not None:
            connection.close()
        if isinstance(error, RouterError) or not isinstance(error, Exception):
            raise
        if isinstance(error, TimeoutError):
            raise RouterTimeout(
                f"no answer from {where} within {profile.connect_timeout:g} s (connect timeout)",
                router=profile.name,
            ) from None
        if isinstance(error, OSError | asyncssh.Error):
            raise _login_error(error, profile, client, host_keys, password) from None
        raise
    key = pinned or client.offered
    shell.host_key_fingerprint = fingerprint(key) if key is not None else None
    shell.new_host_key = new_key is not None
    shell.cipher = connection.get_extra_info("send_cipher")
    shell.mac = connection.get_extra_info("send_mac")
    _log.info("%s: SSH session open to %s (%s)", profile.name, where, shell.cipher)
    return shell


async def _offered_host_key(
    profile: RouterProfile, host_keys: HostKeyStore
) -> asyncssh.SSHKey | None:
    """The host key the router offers now (no login), errors as the app's RouterErrors."""
    options = connection_options(profile)
    try:
        async with asyncio.timeout(profile.connect_timeout):
            key = await asyncssh.get_server_host_key(profile.host, profile.port, options=options)
    except TimeoutError:
        raise RouterTimeout(
            f"no answer from {profile.host}:{profile.port} within "
            f"{profile.connect_timeout:g} s (connect timeout)",
            router=profile.name,
        ) from None
    except (OSError, asyncssh.Error) as error:
        raise _login_error(error, profile, None, host_keys, "") from None
    return key


async def probe_host_key(
    profile: RouterProfile, host_keys: HostKeyStore
) -> tuple[str, str | None]:
    """(offered, pinned) SHA256 fingerprints of a router's host key, without logging in.

    The offered key is remembered (not trusted), so :func:`accept_host_key` with its
    fingerprint pins exactly the key the operator was shown.
    """
    key = await _offered_host_key(profile, host_keys)
    if key is None:
        raise SessionLost(
            f"{profile.host}:{profile.port} offered no host key", router=profile.name
        )
    host_keys.note_offered(profile.host, profile.port, key)
    pinned = host_keys.trusted_key(profile.host, profile.port)
    return fingerprint(key), fingerprint(pinned) if pinned is not None else None


async def accept_host_key(
    profile: RouterProfile, host_keys: HostKeyStore, accepted_fingerprint: str
) -> str:
    """Pin the router's current host key if its fingerprint is the one the operator accepted.

    Uses the key refused earlier in this process when there is one, otherwise fetches the
    key the router offers now (no login). Raises HostKeyChanged when the router offers a
    different key than the one accepted, so nothing unseen is ever trusted.
    """
    if host_keys.offered_fingerprint(profile.host, profile.port) == accepted_fingerprint:
        return host_keys.accept(profile.host, profile.port, accepted_fingerprint)
    key = await _offered_host_key(profile, host_keys)
    if key is None or fingerprint(key) != accepted_fingerprint.strip():
        offered = fingerprint(key) if key is not None else "no key"
        raise HostKeyChanged(
            f"{profile.host}:{profile.port} now offers {offered}, not the accepted "
            f"{accepted_fingerprint}; nothing was trusted",
            router=profile.name,
            known=accepted_fingerprint,
            offered=offered,
        )
    host_keys.note_offered(profile.host, profile.port, key)
    return host_keys.accept(profile.host, profile.port, accepted_fingerprint)


def _login_error(
    error: OSError | asyncssh.Error,
    profile: RouterProfile,
    client: _PinnedHostKeyClient | None,
    host_keys: HostKeyStore,
    password: str,
) -> RouterError:
    """The operator-facing error for a failed connect or login."""
    where = f"{profile.host}:{profile.port}"
    name = profile.name
    if isinstance(error, asyncssh.PermissionDenied):
        return AuthenticationFailed(
            f"{where} rejected user {profile.username!r} with the stored password; fix the "
            "password before retrying (VRP locks accounts after repeated failures)",
            router=name,
        )
    if isinstance(error, asyncssh.HostKeyNotVerifiable):
        known = host_keys.trusted_key(profile.host, profile.port)
        offered = client.offered if client is not None else None
        if known is not None and offered is not None:
            host_keys.note_offered(profile.host, profile.port, offered)
            return HostKeyChanged(
                f"the SSH host key of {where} has changed: trusted {fingerprint(known)}, "
                f"offered {fingerprint(offered)}. A replaced router board can explain it; so "
                "can someone intercepting the connection. Check the new fingerprint with the "
                "router's administrator, then accept it explicitly to connect.",
                router=name,
                known=fingerprint(known),
                offered=fingerprint(offered),
            )
        return HostKeyChanged(
            f"the SSH host key of {where} could not be verified: {error.reason}",
            router=name,
            known=fingerprint(known) if known is not None else "",
            offered="",
        )
    if isinstance(error, asyncssh.KeyExchangeFailed):
        if profile.legacy_algorithms:
            hint = f"even with `{LEGACY_OPTION}` enabled in the router's profile"
        else:
            hint = (
                f"old routers need the profile option `{LEGACY_OPTION} = true` "
                "(SHA-1 key exchange, CBC ciphers); enable it only for such a router"
            )
        return KeyExchangeFailed(
            f"SSH key exchange with {where} failed: no common algorithm "
            f"({redact(error.reason, (password,))}); {hint}",
            router=name,
        )
    if isinstance(error, asyncssh.DisconnectError):
        reason = redact(error.reason, (password,))
        if VTY_FULL_TEXT.lower() in reason.lower() or "vty" in reason.lower():
            return VtyLinesFull(f"{where} refused the session: {reason}", router=name)
        return SessionLost(
            f"{where} closed the connection during login: {reason or 'no reason given'}",
            router=name,
        )
    if isinstance(error, socket.gaierror):
        return RouterUnreachable(
            f"cannot resolve the router address {profile.host!r}: {error.strerror}", router=name
        )
    if isinstance(error, ConnectionRefusedError):
        return RouterUnreachable(
            f"connection to {where} refused: SSH is not listening there (wrong port, SSH "
            "server disabled on the router, or an ACL rejects this host)",
            router=name,
        )
    if isinstance(error, OSError) and error.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return RouterUnreachable(f"no route to {where}: {error.strerror}", router=name)
    if isinstance(error, OSError):
        return RouterUnreachable(
            f"cannot connect to {where}: {error.strerror or error}", router=name
        )
    return SessionLost(f"SSH login to {where} failed: {error}", router=name)
