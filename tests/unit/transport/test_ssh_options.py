"""SSH connection options and the mapping of connect failures to operator-facing errors."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import asyncssh
import pytest
from asyncssh.mac import get_default_mac_algs

from app.domain.errors import (
    AuthenticationFailed,
    KeyExchangeFailed,
    RouterUnreachable,
    SessionLost,
    VtyLinesFull,
)
from app.domain.router import RouterProfile
from app.transport.hostkeys import HostKeyStore
from app.transport.ssh import (
    PREFERRED_ENCRYPTION_ALGS,
    PREFERRED_MAC_ALGS,
    _login_error,
    algorithm_order,
    connection_options,
)

PROFILE = RouterProfile(name="bras-1", host="10.0.0.1", port=22, username="noc")
LEGACY = RouterProfile(name="old", host="10.0.0.2", legacy_algorithms=True)


def test_default_options_offer_no_legacy_algorithm_and_ignore_user_ssh_setup() -> None:
    options = connection_options(PROFILE)
    assert b"diffie-hellman-group1-sha1" not in options.kex_algs
    assert b"diffie-hellman-group-exchange-sha1" not in options.kex_algs
    assert not [alg for alg in options.encryption_algs if alg.endswith(b"-cbc")]
    assert b"hmac-md5" not in options.mac_algs
    assert options.known_hosts == ([], [], [])  # TOFU list, never None
    assert options.keepalive_interval == PROFILE.keepalive_interval
    assert options.client_keys is None  # no stray key attempts that count as failures


def test_legacy_opt_in_adds_old_algorithms_after_the_modern_ones() -> None:
    options = connection_options(LEGACY)
    modern = connection_options(PROFILE)
    for name in ("kex_algs", "encryption_algs", "mac_algs"):
        legacy_list = list(getattr(options, name))
        assert legacy_list[: len(getattr(modern, name))] == list(getattr(modern, name))
    assert {b"diffie-hellman-group1-sha1", b"diffie-hellman-group-exchange-sha1"} <= set(
        options.kex_algs
    )
    assert {b"aes128-cbc", b"3des-cbc"} <= set(options.encryption_algs)
    assert b"hmac-md5" in options.mac_algs


def test_pinned_key_is_the_only_trusted_key_and_its_type_is_asked_for_first() -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    options = connection_options(PROFILE, pinned=key)
    assert options.known_hosts == ([key], [], [])
    assert options.server_host_key_algs[0] == "ssh-ed25519"
    assert "rsa-sha2-256" in options.server_host_key_algs  # a changed key type is detected


@pytest.fixture
def store(tmp_path: Path) -> HostKeyStore:
    return HostKeyStore(tmp_path / "known_hosts")


@pytest.mark.parametrize(
    ("error", "kind", "text"),
    [
        (
            OSError(errno.EHOSTUNREACH, "No route to host"),
            RouterUnreachable,
            "no route to 10.0.0.1:22",
        ),
        (
            OSError(errno.ENETUNREACH, "Network is unreachable"),
            RouterUnreachable,
            "no route to 10.0.0.1:22",
        ),
        (
            socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
            RouterUnreachable,
            "cannot resolve the router address '10.0.0.1'",
        ),
        (ConnectionRefusedError(errno.ECONNREFUSED, "refused"), RouterUnreachable, "refused"),
        (
            asyncssh.PermissionDenied("Permission denied"),
            AuthenticationFailed,
            "rejected user 'noc'",
        ),
        (
            asyncssh.KeyExchangeFailed("No matching key exchange algorithm"),
            KeyExchangeFailed,
            "legacy_algorithms = true",
        ),
        (
            asyncssh.DisconnectError(11, "All user interfaces are used, please try later!"),
            VtyLinesFull,
            "All user interfaces are used",
        ),
        (
            asyncssh.ConnectionLost("Connection lost"),
            SessionLost,
            "closed the connection during login",
        ),
    ],
)
def test_connect_failures_map_to_distinct_errors(
    error: Exception, kind: type[Exception], text: str, store: HostKeyStore
) -> None:
    mapped = _login_error(error, PROFILE, None, store, "pw")  # type: ignore[arg-type]
    assert type(mapped) is kind
    assert text in str(mapped)
    assert str(mapped).startswith("bras-1: ")


def test_kex_failure_with_legacy_already_on_says_so(store: HostKeyStore) -> None:
    error = asyncssh.KeyExchangeFailed("No matching encryption algorithm")
    mapped = _login_error(error, LEGACY, None, store, "pw")
    assert isinstance(mapped, KeyExchangeFailed)
    assert "even with `legacy_algorithms` enabled" in str(mapped)


def test_hardware_aes_ciphers_and_sha2_macs_are_asked_for_first() -> None:
    options = connection_options(PROFILE)
    ciphers = [alg.decode() for alg in options.encryption_algs]
    assert ciphers[: len(PREFERRED_ENCRYPTION_ALGS)] == list(PREFERRED_ENCRYPTION_ALGS)
    assert "chacha20-poly1305@openssh.com" in ciphers  # still there for routers with only it
    assert len(ciphers) == len(set(ciphers))
    macs = [alg.decode() for alg in options.mac_algs]
    assert macs[: len(PREFERRED_MAC_ALGS)] == list(PREFERRED_MAC_ALGS)
    assert set(get_default_mac_algs()) <= set(options.mac_algs)


def test_algorithm_order_skips_what_this_asyncssh_lacks_and_appends_legacy_last() -> None:
    order = algorithm_order(
        ("aes256-gcm@openssh.com", "not-a-cipher"),
        [b"chacha20-poly1305@openssh.com", b"aes256-gcm@openssh.com"],
        ("aes128-cbc",),
    )
    assert order == ["aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes128-cbc"]
