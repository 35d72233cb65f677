"""Every way an SSH login fails gets its own error and a message the operator can act on."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from app.domain.errors import (
    AuthenticationFailed,
    HostKeyChanged,
    KeyExchangeFailed,
    RouterTimeout,
    RouterUnreachable,
    VtyLinesFull,
)
from app.domain.router import RouterProfile
from app.simulator.server import SimulatorHandle, start_simulator
from app.transport.hostkeys import HostKeyStore
from app.transport.ssh import accept_host_key, open_ssh_session
from tests.integration.transport import legacy_server
from tests.integration.transport.conftest import SMALL

ProfileFactory = Callable[..., RouterProfile]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_nothing_listening_is_unreachable(host_keys: HostKeyStore) -> None:
    profile = RouterProfile(name="gone", host="127.0.0.1", port=_closed_port())
    with pytest.raises(RouterUnreachable, match=r"connection to 127\.0\.0\.1:\d+ refused"):
        await open_ssh_session(profile, "pw", host_keys)
    assert host_keys.trusted_hosts() == []


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    """Accepts TCP connections and never says a word (a firewall that black-holes SSH)."""
    peers: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peers.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        for writer in peers:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_silent_server_is_a_connect_timeout(
    silent_port: int, host_keys: HostKeyStore
) -> None:
    profile = RouterProfile(name="slow", host="127.0.0.1", port=silent_port, connect_timeout=0.3)
    with pytest.raises(RouterTimeout, match=r"within 0\.3 s \(connect timeout\)"):
        await open_ssh_session(profile, "pw", host_keys)


async def test_wrong_password_is_authentication_failed(
    simulator: SimulatorHandle, profile_for: ProfileFactory, host_keys: HostKeyStore
) -> None:
    with pytest.raises(AuthenticationFailed, match="rejected user 'admin'") as caught:
        await open_ssh_session(profile_for(simulator), "not-the-password", host_keys)
    assert "locks accounts" in str(caught.value)
    assert "not-the-password" not in str(caught.value)
    assert simulator.vty_online == 0


async def test_router_refusing_every_login_is_authentication_failed(
    simulator: SimulatorHandle, profile_for: ProfileFactory, host_keys: HostKeyStore
) -> None:
    simulator.faults.refuse_auth = True
    with pytest.raises(AuthenticationFailed):
        await open_ssh_session(profile_for(simulator), simulator.password, host_keys)


async def test_all_vty_lines_used_is_vty_lines_full(
    profile_for: ProfileFactory, host_keys: HostKeyStore
) -> None:
    async with await start_simulator(port=0, max_vty=1, **SMALL) as handle:
        first = await open_ssh_session(profile_for(handle), handle.password, host_keys)
        try:
            with pytest.raises(VtyLinesFull, match="All user interfaces are used"):
                await open_ssh_session(profile_for(handle), handle.password, host_keys)
            assert (await first.run("display version")).prompt == "<NE8000>"
        finally:
            await first.close()


async def test_first_contact_pins_the_key_and_a_changed_key_is_refused_until_accepted(
    tmp_path: Path, profile_for: ProfileFactory, host_keys: HostKeyStore
) -> None:
    key_file = tmp_path / "router_host_key"
    async with await start_simulator(port=0, host_key_path=key_file, **SMALL) as handle:
        profile = profile_for(handle)
        session = await open_ssh_session(profile, handle.password, host_keys)
        await session.close()
        original = handle.host_key_fingerprint
        assert (session.host_key_fingerprint, session.new_host_key) == (original, True)
        [pinned] = host_keys.trusted_hosts()
        assert (pinned.host_pattern, pinned.fingerprint) == (
            f"[127.0.0.1]:{handle.port}",
            original,
        )
        # Same key after a reboot: still trusted.
        await handle.restart()
        again = await open_ssh_session(profile, handle.password, host_keys)
        await again.close()
        assert (again.host_key_fingerprint, again.new_host_key) == (original, False)

        handle.faults.change_host_key = True
        await handle.restart()
        replaced = handle.host_key_fingerprint
        assert replaced != original
        with pytest.raises(HostKeyChanged) as caught:
            await open_ssh_session(profile, handle.password, host_keys)
        error = caught.value
        assert (error.known_fingerprint, error.offered_fingerprint) == (original, replaced)
        assert original in str(error)
        assert replaced in str(error)
        assert host_keys.trusted_hosts()[0].fingerprint == original  # nothing trusted silently
        assert handle.vty_online == 0  # refused before any login

        with pytest.raises(LookupError):
            host_keys.accept(handle.host, handle.port, original)
        assert host_keys.accept(handle.host, handle.port, replaced) == replaced
        session = await open_ssh_session(profile, handle.password, host_keys)
        assert session.hostname == "NE8000"
        await session.close()


async def test_accepting_a_new_key_from_another_process_fetches_and_checks_it(
    tmp_path: Path, profile_for: ProfileFactory
) -> None:
    store_path = tmp_path / "known_hosts"
    async with await start_simulator(port=0, host_key_path=tmp_path / "key", **SMALL) as handle:
        profile = profile_for(handle)
        await (await open_ssh_session(profile, handle.password, HostKeyStore(store_path))).close()
        handle.faults.change_host_key = True
        await handle.restart()
        with pytest.raises(HostKeyChanged):
            await open_ssh_session(profile, handle.password, HostKeyStore(store_path))

        fresh = HostKeyStore(store_path)  # e.g. `ne8000monitor hostkey accept` in a new process
        with pytest.raises(HostKeyChanged, match="nothing was trusted"):
            await accept_host_key(profile, fresh, "SHA256:not-what-the-router-offers")
        assert fresh.trusted_hosts()[0].fingerprint != handle.host_key_fingerprint
        accepted = await accept_host_key(profile, fresh, handle.host_key_fingerprint)
        assert accepted == handle.host_key_fingerprint
        await (await open_ssh_session(profile, handle.password, HostKeyStore(store_path))).close()


# cryptography warns that finite-field DH (group1) is deprecated: that is the point here.
@pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields")
async def test_legacy_only_router_needs_the_profile_opt_in(host_keys: HostKeyStore) -> None:
    async with legacy_server.legacy_ssh_server() as server:
        profile = RouterProfile(name="old", host=server.host, port=server.port, connect_timeout=10)
        with pytest.raises(KeyExchangeFailed) as caught:
            await open_ssh_session(profile, legacy_server.PASSWORD, host_keys)
        message = str(caught.value)
        assert "key exchange" in message
        assert "legacy_algorithms = true" in message
        assert host_keys.trusted_hosts() == []

        opted_in = RouterProfile(
            name="old",
            host=server.host,
            port=server.port,
            legacy_algorithms=True,
            connect_timeout=10,
        )
        session = await open_ssh_session(opted_in, legacy_server.PASSWORD, host_keys)
        try:
            assert session.hostname == legacy_server.HOSTNAME
            assert (await session.run("display version")).output.startswith("Huawei")
        finally:
            await session.close()


async def test_cbc_only_router_fails_kex_with_the_same_advice(host_keys: HostKeyStore) -> None:
    async with legacy_server.legacy_ssh_server(
        kex_algs=("curve25519-sha256",),
        encryption_algs=("aes256-cbc",),
        mac_algs=("hmac-sha2-256",),
        host_key_algorithm="ssh-ed25519",
    ) as server:
        profile = RouterProfile(name="cbc", host=server.host, port=server.port)
        with pytest.raises(KeyExchangeFailed, match="legacy_algorithms"):
            await open_ssh_session(profile, legacy_server.PASSWORD, host_keys)
