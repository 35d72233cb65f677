"""The session pool over real loopback SSH: parallelism, VTY limits, the auth lockout."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from app.domain.errors import (
    AuthenticationFailed,
    HostKeyChanged,
    RouterUnreachable,
    VtyLinesFull,
)
from app.domain.router import TransportKind
from app.engine.pool import PoolState
from app.engine.snapshot import collect_snapshot
from app.simulator.server import start_simulator
from app.vrp.catalog import parse_output
from tests.integration.conftest import SMALL_DEVICE
from tests.integration.engine.conftest import ROUTER, Wired, wire


async def test_independent_commands_run_in_parallel_on_two_sessions(wired: Wired) -> None:
    wired.simulator.faults.latency_ms = 50
    pool = wired.engine.pools.get(ROUTER)
    commands = [
        "display cpu-usage",
        "display memory-usage",
        "display version",
        "display health",
        "display domain",
        "display ip pool",
    ]
    results = await asyncio.gather(*(pool.run(command) for command in commands))
    for command, result in zip(commands, results, strict=True):
        assert result.command == command
        assert result.prompt == "<NE8000>"
        parse_output(command, result.output)  # real output, parsed without error
    assert wired.opener.attempts == 2
    assert wired.opener.peak == 2  # two at once, never more than one per session
    assert wired.simulator.vty_online == 2
    assert pool.state is PoolState.CONNECTED


async def test_snapshot_over_ssh_has_every_section(wired: Wired) -> None:
    pool = wired.engine.pools.get(ROUTER)
    snapshot = await collect_snapshot(pool, ROUTER)
    assert snapshot.errors() == {}
    assert set(snapshot.sections) == {
        "interface_brief",
        "online_total",
        "cpu",
        "memory",
        "health",
        "version",
        "domains",
        "ip_pools",
        "alarms",
    }
    brief = snapshot.sections["interface_brief"].data
    up_ports = [
        row.name
        for row in brief.interfaces
        if row.phy_up
        and "." not in row.name
        and not row.name.startswith(("LoopBack", "NULL", "Virtual"))
    ]
    assert list(snapshot.interfaces) == up_ports
    assert "GigabitEthernet0/5/0" in snapshot.interfaces
    total = snapshot.sections["online_total"].data.total_users
    assert total == wired.simulator.state.total_users()
    assert wired.simulator.vty_online == 2


async def test_auth_failure_stops_retrying_until_reset(wired: Wired) -> None:
    pool = wired.engine.pools.get(ROUTER)
    wired.simulator.faults.refuse_auth = True
    with pytest.raises(AuthenticationFailed, match="rejected user 'admin'"):
        await pool.run("display version")
    assert pool.state is PoolState.AUTH_FAILED
    wired.simulator.faults.refuse_auth = False  # the box would accept now: we still don't try
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            await pool.run("display version")
    await asyncio.sleep(0.3)  # longer than the whole backoff: still no retry
    with pytest.raises(AuthenticationFailed):
        await pool.run("display version")
    assert wired.opener.attempts == 1
    await pool.reset()  # the operator updated the password
    result = await pool.run("display version")
    assert result.prompt == "<NE8000>"
    assert pool.state is PoolState.CONNECTED
    assert wired.opener.attempts == 2


async def test_vty_limit_shares_the_sessions_it_got(tmp_path: Path) -> None:
    async with await start_simulator(host="127.0.0.1", port=0, max_vty=1, **SMALL_DEVICE) as sim:
        wired = wire(sim, tmp_path, pool_size=2, vty_budget=2)
        pool = wired.engine.pools.get(ROUTER)
        try:
            sim.faults.latency_ms = 30
            results = await asyncio.gather(*(pool.run("display version") for _ in range(4)))
            assert all(result.prompt == "<NE8000>" for result in results)
            assert sim.vty_online == 1
            assert pool.state is PoolState.CONNECTED
            # A second app on the same box finds no free line at all.
            other = wire(sim, tmp_path / "other")
            other_pool = other.engine.pools.get(ROUTER)
            with pytest.raises(VtyLinesFull, match="All user interfaces are used"):
                await other_pool.run("display version")
            assert other_pool.state is PoolState.UNREACHABLE
            with pytest.raises(RouterUnreachable, match="next attempt in"):
                await other_pool.run("display version")  # backing off: no new login
            assert other.opener.attempts == 1
            await other.engine.close()
        finally:
            await wired.engine.close()


async def test_password_never_reaches_the_logs(
    wired: Wired, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    pool = wired.engine.pools.get(ROUTER)
    await pool.run("display version")
    wired.simulator.faults.refuse_auth = True
    await pool.close()
    fresh = await wired.engine.pools.replace(wired.profile)
    with pytest.raises(AuthenticationFailed):
        await fresh.run("display version")
    assert caplog.records  # something was logged at all
    assert wired.simulator.password not in caplog.text


async def test_host_key_change_locks_until_accepted(simulator, tmp_path: Path) -> None:
    wired = wire(simulator, tmp_path)
    try:
        pool = wired.engine.pools.get(ROUTER)
        await pool.run("display version")  # first contact pins the key
        old = simulator.host_key_fingerprint
        await pool.close()
        simulator.faults.change_host_key = True
        await simulator.restart()  # a replaced board: same address, new key
        new = simulator.host_key_fingerprint
        assert new != old
        pool = await wired.engine.pools.replace(wired.profile)
        with pytest.raises(HostKeyChanged) as caught:
            await pool.run("display version")
        assert (caught.value.known_fingerprint, caught.value.offered_fingerprint) == (old, new)
        assert pool.state is PoolState.HOST_KEY_CHANGED
        attempts = wired.opener.attempts
        with pytest.raises(HostKeyChanged):
            await pool.run("display version")
        assert wired.opener.attempts == attempts  # locked: no new connection
        assert await wired.engine.accept_host_key(ROUTER, new) == new
        assert (await pool.run("display version")).prompt == "<NE8000>"
        assert pool.state is PoolState.CONNECTED
    finally:
        await wired.engine.close()


async def test_update_password_unlocks_an_auth_failed_pool(simulator, tmp_path: Path) -> None:
    wired = wire(simulator, tmp_path)
    try:
        wired.engine.secrets.set_password(ROUTER, "wrong")
        pool = wired.engine.pools.get(ROUTER)
        with pytest.raises(AuthenticationFailed):
            await pool.run("display version")
        await wired.engine.update_password(ROUTER, simulator.password)
        assert (await pool.run("display version")).prompt == "<NE8000>"
        assert wired.opener.attempts == 2
    finally:
        await wired.engine.close()


async def test_telnet_profile_collects_a_snapshot(tmp_path: Path) -> None:
    async with await start_simulator(
        host="127.0.0.1", port=0, telnet_port=0, **SMALL_DEVICE
    ) as sim:
        assert sim.telnet_port is not None
        wired = wire(sim, tmp_path, port=sim.telnet_port, transport=TransportKind.TELNET)
        pool = wired.engine.pools.get(ROUTER)
        try:
            snapshot = await collect_snapshot(pool, ROUTER, detail_limit=2)
            assert snapshot.errors() == {}
            assert len(snapshot.interfaces) == 2
            assert sim.vty_online == 2
        finally:
            await wired.engine.close()
