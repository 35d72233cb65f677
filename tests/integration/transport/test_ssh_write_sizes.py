"""The SSH reader against every write size the router may use, and the cipher it negotiates.

The simulator sends its output in pieces, as a router's TCP stream arrives; its
``line_writes`` fault sends a line (and each echoed keystroke) per SSH packet instead. The
shell must read exactly the same answers either way, paged or not.
"""

from __future__ import annotations

from collections.abc import Callable

from app.domain.errors import CommandRejected
from app.domain.router import RouterProfile
from app.simulator.server import SimulatorHandle
from app.transport.hostkeys import HostKeyStore
from app.transport.shell import VrpShell
from app.transport.ssh import open_ssh_session
from tests.integration.transport import legacy_server

ProfileFactory = Callable[..., RouterProfile]

COMMANDS = (
    "display version",
    "display interface brief",
    "display ip pool",
    "display alarm active",
    "display cpu-usage",
    "display foo",  # a rejected command: caret line and Error:
)


async def _answers(session: VrpShell, names: list[str]) -> list[str]:
    answers = []
    for command in [*COMMANDS, *(f"display interface {name}" for name in names)]:
        try:
            answers.append((await session.run(command)).output)
        except CommandRejected as error:
            answers.append(f"rejected: {error.router_message}")
    return answers


async def test_answers_are_the_same_whether_the_router_writes_pieces_or_lines(
    frozen_simulator: SimulatorHandle, profile_for: ProfileFactory, host_keys: HostKeyStore
) -> None:
    simulator = frozen_simulator
    names = simulator.state.interface_names()[:3]
    session = await open_ssh_session(profile_for(simulator), simulator.password, host_keys)
    try:
        in_pieces = await _answers(session, names)
        simulator.faults.line_writes = True  # switched while the session is open
        line_by_line = await _answers(session, names)
        await session.run("screen-length 5 temporary")  # the pager, a line at a time
        paged_lines = await _answers(session, names)
    finally:
        await session.close()
    assert len(in_pieces) == len(COMMANDS) + len(names)
    assert len(in_pieces[1].splitlines()) > 12  # the brief: several pages at 5 lines
    assert in_pieces[-1] != in_pieces[-2]
    assert line_by_line == in_pieces
    assert paged_lines == in_pieces


async def test_hardware_aes_is_chosen_when_the_router_offers_it(
    simulator: SimulatorHandle, profile_for: ProfileFactory, host_keys: HostKeyStore
) -> None:
    session = await open_ssh_session(profile_for(simulator), simulator.password, host_keys)
    try:
        # The simulator offers asyncssh's defaults, chacha20-poly1305 first among them.
        assert session.cipher == "aes256-gcm@openssh.com"
        assert session.mac == "aes256-gcm@openssh.com"  # GCM authenticates by itself
    finally:
        await session.close()


async def test_the_routers_own_cipher_is_kept_when_it_offers_no_aes(
    host_keys: HostKeyStore,
) -> None:
    async with legacy_server.legacy_ssh_server(
        kex_algs=("curve25519-sha256",),
        encryption_algs=("chacha20-poly1305@openssh.com",),
        mac_algs=("hmac-sha2-256",),
        host_key_algorithm="ssh-ed25519",
    ) as server:
        profile = RouterProfile(name="chacha", host=server.host, port=server.port)
        session = await open_ssh_session(profile, legacy_server.PASSWORD, host_keys)
        try:
            assert session.cipher == "chacha20-poly1305@openssh.com"
            assert (await session.run("display version")).output.startswith("Huawei")
        finally:
            await session.close()


async def test_aes_ctr_with_an_sha2_mac_when_the_router_has_no_gcm(
    host_keys: HostKeyStore,
) -> None:
    async with legacy_server.legacy_ssh_server(
        kex_algs=("curve25519-sha256",),
        encryption_algs=("chacha20-poly1305@openssh.com", "aes128-ctr"),
        mac_algs=("umac-64-etm@openssh.com", "hmac-sha2-256-etm@openssh.com"),
        host_key_algorithm="ssh-ed25519",
    ) as server:
        profile = RouterProfile(name="ctr", host=server.host, port=server.port)
        session = await open_ssh_session(profile, legacy_server.PASSWORD, host_keys)
        try:
            assert session.cipher == "aes128-ctr"
            assert session.mac == "hmac-sha2-256-etm@openssh.com"  # not umac (via ctypes)
            assert (await session.run("display version")).output.startswith("Huawei")
        finally:
            await session.close()
