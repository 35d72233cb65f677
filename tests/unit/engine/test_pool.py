"""SessionPool and RouterPools on a scripted in-process session."""

from __future__ import annotations

import asyncio
import random

import pytest

from app.domain.errors import (
    AuthenticationFailed,
    CommandRejected,
    CredentialsUnavailable,
    HostKeyChanged,
    RouterUnreachable,
    SessionLost,
    VtyLinesFull,
)
from app.domain.router import RouterProfile
from app.engine.backoff import Backoff
from app.engine.pool import SHORT_LIFE, PoolClosed, PoolState, RouterPools, SessionPool
from tests.unit.engine.fakes import FakeOpener, FakeRouter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def profile(name: str = "r1", *, pool_size: int = 2, vty_budget: int = 3) -> RouterProfile:
    return RouterProfile(name=name, host="127.0.0.1", pool_size=pool_size, vty_budget=vty_budget)


def make_pool(opener: FakeOpener, clock: Clock | None = None, **kwargs) -> SessionPool:
    return SessionPool(
        kwargs.pop("profile", profile()),
        opener,
        lambda p: "secret",
        backoff=Backoff(initial=1.0, maximum=8.0, jitter=0.0),
        clock=clock or Clock(),
        rng=random.Random(1),
        **kwargs,
    )


async def test_sessions_open_lazily_and_commands_run_in_parallel() -> None:
    router = FakeRouter(delay=0.05)
    opener = FakeOpener(router)
    pool = make_pool(opener)
    assert pool.state is PoolState.IDLE
    assert opener.attempts == 0
    results = await asyncio.gather(*(pool.run(f"display {i}") for i in range(6)))
    assert [r.output for r in results] == [f"output of display {i}" for i in range(6)]
    assert len(opener.opened) == 2  # never more than the pool size
    assert pool.state is PoolState.CONNECTED
    assert opener.passwords == ["secret", "secret"]
    status = pool.status()
    assert (status.open_sessions, status.busy_sessions) == (2, 0)
    await pool.close()
    assert all(not s.is_open for s in opener.opened)
    assert pool.state is PoolState.CLOSED


async def test_pool_size_never_exceeds_vty_budget() -> None:
    opener = FakeOpener(FakeRouter(delay=0.01))
    pool = make_pool(opener, profile=profile(pool_size=2, vty_budget=2), size=5)
    assert pool.size == 2
    await asyncio.gather(*(pool.run("display x") for i in range(5)))
    assert len(opener.opened) == 2


async def test_session_lease_is_exclusive() -> None:
    opener = FakeOpener(FakeRouter(delay=0.01))
    pool = make_pool(opener, profile=profile(pool_size=1))
    order: list[str] = []

    async def change() -> None:
        async with pool.session() as session:
            order.append("lease")
            await session.run("system-view")
            await asyncio.sleep(0.02)
            await session.run("return")
            order.append("release")

    async def read() -> None:
        await asyncio.sleep(0.005)
        await pool.run("display y")
        order.append("read")

    await asyncio.gather(change(), read())
    assert order == ["lease", "release", "read"]
    assert len(opener.opened) == 1


async def test_command_error_keeps_the_session() -> None:
    router = FakeRouter(reject={"display bad"})
    opener = FakeOpener(router)
    pool = make_pool(opener, profile=profile(pool_size=1))
    with pytest.raises(CommandRejected):
        await pool.run("display bad")
    await pool.run("display ok")
    assert len(opener.opened) == 1
    assert opener.opened[0].is_open


async def test_lost_session_is_discarded_and_reused_one_retried_once() -> None:
    router = FakeRouter()
    opener = FakeOpener(router)
    clock = Clock()
    pool = make_pool(opener, clock, profile=profile(pool_size=1))
    await pool.run("display a")
    clock.now += SHORT_LIFE  # a session that served for a while (not a flapping login)
    opener.opened[0].kill()  # died while idle, still looks usable to nobody
    # is_open is checked on lease: the dead session is dropped and a new one opened.
    assert (await pool.run("display b")).output == "output of display b"
    assert len(opener.opened) == 2
    # A session that dies during the command: reused session -> one retry on a fresh one.
    clock.now += SHORT_LIFE
    router.lose_on = {"display c"}
    with pytest.raises(SessionLost):
        await pool.run("display c")
    assert router.sent.count("display c") == 2  # reused session, then one fresh retry
    assert len(opener.opened) == 3
    assert not opener.opened[1].is_open
    assert not opener.opened[2].is_open


async def test_authentication_failure_stops_retrying_until_reset() -> None:
    opener = FakeOpener()
    opener.errors = [AuthenticationFailed("wrong password", router="r1")]
    clock = Clock()
    pool = make_pool(opener, clock)
    seen: list[PoolState] = []
    pool.subscribe(lambda status: seen.append(status.state))
    with pytest.raises(AuthenticationFailed):
        await pool.run("display a")
    assert pool.state is PoolState.AUTH_FAILED
    clock.now += 3600
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            await pool.run("display a")
    assert opener.attempts == 1  # never retried: VRP would lock the account
    assert pool.status().last_error == "r1: wrong password"
    await pool.reset()
    assert (await pool.run("display a")).output == "output of display a"
    assert opener.attempts == 2
    assert seen == [
        PoolState.CONNECTING,
        PoolState.AUTH_FAILED,
        PoolState.IDLE,
        PoolState.CONNECTING,
        PoolState.CONNECTED,
    ]


async def test_host_key_change_and_missing_credentials_lock_the_pool() -> None:
    opener = FakeOpener()
    opener.errors = [
        HostKeyChanged("key changed", router="r1", known="SHA256:a", offered="SHA256:b")
    ]
    pool = make_pool(opener)
    with pytest.raises(HostKeyChanged):
        await pool.run("display a")
    with pytest.raises(HostKeyChanged):
        await pool.run("display a")
    assert pool.state is PoolState.HOST_KEY_CHANGED
    assert opener.attempts == 1

    def no_password(p: RouterProfile) -> str:
        raise CredentialsUnavailable("no password stored for r2")

    pool2 = SessionPool(profile("r2"), opener, no_password)
    with pytest.raises(CredentialsUnavailable):
        await pool2.run("display a")
    assert pool2.state is PoolState.NO_CREDENTIALS
    assert opener.attempts == 1  # no connection attempted without a password


async def test_unreachable_backs_off_exponentially() -> None:
    opener = FakeOpener()
    clock = Clock()
    pool = make_pool(opener, clock)
    opener.errors = [RouterUnreachable("refused", router="r1") for _ in range(3)]
    with pytest.raises(RouterUnreachable, match="refused"):
        await pool.run("display a")
    assert pool.state is PoolState.UNREACHABLE
    assert pool.status().retry_in == 1.0
    # Within the delay: fail fast, no new connection attempt.
    with pytest.raises(RouterUnreachable, match=r"next attempt in 1\.0 s"):
        await pool.run("display a")
    assert opener.attempts == 1
    clock.now += 1.0
    with pytest.raises(RouterUnreachable):
        await pool.run("display a")
    assert pool.status().retry_in == 2.0
    clock.now += 2.0
    with pytest.raises(RouterUnreachable):
        await pool.run("display a")
    assert pool.status().retry_in == 4.0
    clock.now += 4.0
    await pool.run("display a")
    assert pool.state is PoolState.CONNECTED
    assert pool.status().failures == 0
    assert pool.status().retry_in is None
    assert opener.attempts == 4


async def test_vty_full_with_an_open_session_shares_it() -> None:
    router = FakeRouter(delay=0.02)
    opener = FakeOpener(router)
    pool = make_pool(opener)
    await pool.run("display first")
    opener.errors = [VtyLinesFull("All user interfaces are used", router="r1")]
    results = await asyncio.gather(pool.run("display a"), pool.run("display b"))
    assert [r.output for r in results] == ["output of display a", "output of display b"]
    assert len(opener.opened) == 1  # the second line was refused; both ran on the first
    assert pool.state is PoolState.CONNECTED


async def test_vty_full_while_another_login_is_in_progress_waits_for_it() -> None:
    opener = FakeOpener(FakeRouter(delay=0.01))
    # The first login is slow and succeeds; the second is refused at once (one line free).
    opener.script = {1: (0.05, None), 2: (0.0, VtyLinesFull("no free line", router="r1"))}
    pool = make_pool(opener)
    results = await asyncio.gather(pool.run("display a"), pool.run("display b"))
    assert [r.output for r in results] == ["output of display a", "output of display b"]
    assert opener.attempts == 2
    assert len(opener.opened) == 1


async def test_close_fails_waiting_leases() -> None:
    opener = FakeOpener(FakeRouter(delay=0.05))
    pool = make_pool(opener, profile=profile(pool_size=1))
    first = asyncio.create_task(pool.run("display a"))
    await asyncio.sleep(0.01)
    waiting = asyncio.create_task(pool.run("display b"))
    await asyncio.sleep(0.01)
    await pool.close()
    assert (await first).output == "output of display a"
    with pytest.raises(PoolClosed):
        await waiting
    assert not opener.opened[0].is_open


async def test_check_health_drops_dead_idle_sessions() -> None:
    opener = FakeOpener(FakeRouter(delay=0.01))
    pool = make_pool(opener)
    await asyncio.gather(pool.run("display a"), pool.run("display b"))
    opener.opened[0].kill()
    assert await pool.check_health() == 1
    assert pool.status().open_sessions == 1


async def test_registry_one_pool_per_router() -> None:
    opener = FakeOpener()
    pools = RouterPools(opener, lambda p: "pw")
    a = pools.add(profile("a"))
    assert pools.add(profile("a")) is a
    with pytest.raises(ValueError, match="other settings"):
        pools.add(profile("a", pool_size=1))
    pools.add(profile("b"))
    await asyncio.gather(pools.get("a").run("display x"), pools.get("b").run("display y"))
    assert {s.router: s.state for s in pools.statuses()} == {
        "a": PoolState.CONNECTED,
        "b": PoolState.CONNECTED,
    }
    with pytest.raises(KeyError, match="no router named 'c'"):
        pools.get("c")
    await pools.close()
    assert all(not s.is_open for s in opener.opened)


async def test_locked_pool_keeps_using_sessions_already_open() -> None:
    opener = FakeOpener(FakeRouter(delay=0.02))
    pool = make_pool(opener)
    await pool.run("display a")  # one session open and idle
    opener.errors = [AuthenticationFailed("password changed on the box", router="r1")]
    # Two at once: one uses the open session, the other tries a second login and fails.
    results = await asyncio.gather(
        pool.run("display b"), pool.run("display c"), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["AuthenticationFailed", "CommandResult"]
    assert pool.state is PoolState.AUTH_FAILED
    assert (await pool.run("display d")).output == "output of display d"  # the open one
    assert opener.attempts == 2


# ----- one backoff per router (issue 14 items 1 and 2) --------------------------------------


async def test_parallel_commands_share_one_login_and_one_backoff() -> None:
    opener = FakeOpener(delay=0.01)  # logins take a moment: the commands really overlap
    clock = Clock()
    pool = make_pool(opener, clock, profile=profile(pool_size=3, vty_budget=3))
    down = RouterUnreachable("connection refused", router="r1")
    for round_ in (1, 2, 3):
        opener.errors = [down] * 3
        results = await asyncio.gather(
            *(pool.run(f"display {i}") for i in range(6)), return_exceptions=True
        )
        assert all(isinstance(r, RouterUnreachable) for r in results)
        # One login per round, however many commands waited: the outage counts once.
        assert opener.attempts == round_
        assert pool.status().failures == round_
        assert pool.status().retry_in == 2.0 ** (round_ - 1)  # 1, 2, 4: not 2, 8, 32
        clock.now += pool.status().retry_in or 0.0
    opener.errors = []
    results = await asyncio.gather(*(pool.run(f"display {i}") for i in range(6)))
    assert len(results) == 6
    assert pool.status().failures == 0  # reset by the first answered command
    assert pool.state is PoolState.CONNECTED


async def test_overlapping_failures_of_a_growing_pool_count_once() -> None:
    opener = FakeOpener(FakeRouter())
    clock = Clock()
    pool = make_pool(opener, clock, profile=profile(pool_size=3, vty_budget=3))
    await pool.run("display first")  # connected, healthy: the pool may grow
    opener.script = {
        2: (0.01, RouterUnreachable("reset", router="r1")),
        3: (0.01, RouterUnreachable("reset", router="r1")),
    }
    async with pool.session():  # the open session is busy: two more logins start at once
        results = await asyncio.gather(
            pool.run("display a"), pool.run("display b"), return_exceptions=True
        )
        assert [type(r) for r in results] == [RouterUnreachable, RouterUnreachable]
        assert opener.attempts == 3
        # Both failed: one failure, one delay.
        assert pool.status().failures == 1
        assert pool.status().retry_in == 1.0
        assert pool.state is PoolState.CONNECTED  # the open session still serves


async def test_the_wait_never_exceeds_retry_within() -> None:
    opener = FakeOpener()
    clock = Clock()
    pool = SessionPool(
        profile(),
        opener,
        lambda p: "secret",
        backoff=Backoff(initial=1.0, maximum=120.0, jitter=0.0),
        clock=clock,
        retry_within=15.0,  # the router's quickest poll interval
    )
    waits = []
    for _ in range(10):
        opener.errors = [RouterUnreachable("refused", router="r1")]
        with pytest.raises(RouterUnreachable):
            await pool.run("display a")
        retry_in = pool.status().retry_in
        assert retry_in is not None
        waits.append(retry_in)
        clock.now += retry_in
    assert pool.status().failures == 10
    assert waits == [1.0, 2.0, 4.0, 8.0, 15.0, 15.0, 15.0, 15.0, 15.0, 15.0]  # not up to 512


async def test_a_session_dropped_right_after_login_backs_off() -> None:
    router = FakeRouter(lose_on={"display a"})  # logins work, every command drops the line
    opener = FakeOpener(router)
    clock = Clock()
    pool = make_pool(opener, clock, profile=profile(pool_size=1))
    seen: list[PoolState] = []
    pool.subscribe(lambda status: seen.append(status.state))
    with pytest.raises(SessionLost):
        await pool.run("display a")
    assert pool.state is PoolState.UNREACHABLE
    assert pool.status().failures == 1
    assert pool.status().last_error == "r1: the router dropped the session right after the login"
    # Within the delay: no login at all, the command fails at once.
    for _ in range(5):
        with pytest.raises(RouterUnreachable, match="next attempt in"):
            await pool.run("display a")
    assert opener.attempts == 1
    clock.now += 1.0
    with pytest.raises(SessionLost):
        await pool.run("display a")
    assert (opener.attempts, pool.status().failures, pool.status().retry_in) == (2, 2, 2.0)
    # A retry that fails again moves nothing: connecting once, then only real changes.
    assert seen == [
        PoolState.CONNECTING,
        PoolState.CONNECTED,
        PoolState.UNREACHABLE,
        PoolState.CONNECTED,
        PoolState.UNREACHABLE,
    ]
    # The router is fixed: the first answered command resets the backoff.
    router.lose_on = set()
    clock.now += 2.0
    await pool.run("display a")
    assert (pool.state, pool.status().failures, pool.status().retry_in) == (
        PoolState.CONNECTED,
        0,
        None,
    )


async def test_unreachable_retries_do_not_flap_through_connecting() -> None:
    opener = FakeOpener()
    clock = Clock()
    pool = make_pool(opener, clock)
    seen: list[PoolState] = []
    pool.subscribe(lambda status: seen.append(status.state))
    for _ in range(4):
        opener.errors = [RouterUnreachable("refused", router="r1")]
        with pytest.raises(RouterUnreachable):
            await pool.run("display a")
        clock.now += 100.0
    assert seen == [PoolState.CONNECTING, PoolState.UNREACHABLE]
    await pool.run("display a")
    assert seen[-1] is PoolState.CONNECTED


async def test_the_pool_reconnects_by_itself_when_the_delay_is_over() -> None:
    opener = FakeOpener()
    clock = Clock()
    naps: list[float] = []

    async def sleep(seconds: float) -> None:  # the pool's clock moves with its sleeps
        naps.append(seconds)
        clock.now += seconds

    pool = SessionPool(
        profile(),
        opener,
        lambda p: "secret",
        backoff=Backoff(initial=1.0, maximum=8.0, jitter=0.0),
        clock=clock,
        reconnect=True,
        sleep=sleep,
    )
    opener.errors = [RouterUnreachable("refused", router="r1") for _ in range(3)]
    with pytest.raises(RouterUnreachable):
        await pool.run("display a")
    # Nobody runs a command: the pool retries on its own, 1 s, 2 s, 4 s apart, and the
    # router that came back is connected at the first try after that.
    async with asyncio.timeout(5):
        while pool.state is not PoolState.CONNECTED:
            await asyncio.sleep(0.01)
    assert naps == [1.0, 2.0, 4.0]
    assert opener.attempts == 4
    assert pool.status().open_sessions == 1  # kept for the next command
    assert (await pool.run("display b")).output == "output of display b"
    assert opener.attempts == 4
    await pool.close()
