"""Reconnecting to a simulated NE8000 over loopback SSH: one backoff per router, a box that
drops every session after the login, a router that is switched off and on again
(issue 14 items 1 and 2)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.bootstrap import AppPaths, Engine, build_engine, build_opener
from app.domain.router import RouterProfile
from app.engine.backoff import Backoff
from app.engine.events import RouterStateChanged
from app.engine.monitor import Monitor, build_monitor
from app.engine.poller import PollIntervals
from app.engine.pool import PoolState, PoolStatus
from app.engine.ports import RouterSession
from app.engine.tuning import shortest_interval
from app.simulator.server import SimulatorHandle, start_simulator
from app.transport.credentials import MemorySecretStore
from app.transport.hostkeys import HostKeyStore
from tests.integration.conftest import SMALL_DEVICE

ROUTER = "bras"
FAST = PollIntervals(
    interfaces=0.3, subscribers=0.2, system=0.3, traffic=0.3, jitter=0.1, version_every=3
)
TTLS = {"interfaces": 0.1, "pppoe": 0.1, "system": 0.1, "traffic": 0.1}
WAIT = 20.0  # generous bound for what must happen; the tests never measure time


class LoginCounter:
    """The real SSH opener, counting logins and how many ran at the same time."""

    def __init__(self, host_keys: HostKeyStore) -> None:
        self._open = build_opener(host_keys)
        self.logins = 0
        self.running = 0
        self.most_at_once = 0
        # Per login, in the order they started: True worked, False failed, None running.
        self.succeeded: list[bool | None] = []

    async def __call__(self, profile: RouterProfile, password: str) -> RouterSession:
        index = self.logins
        self.logins += 1
        self.succeeded.append(None)
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            session = await self._open(profile, password)
        except BaseException:
            self.succeeded[index] = False
            raise
        finally:
            self.running -= 1
        self.succeeded[index] = True
        return session


@dataclass
class Rig:
    simulator: SimulatorHandle
    engine: Engine
    monitor: Monitor
    logins: LoginCounter
    states: list[str]

    @property
    def pool_status(self) -> PoolStatus:
        return self.engine.pools.get(ROUTER).status()

    def polls(self) -> int:
        return self.monitor.router_status(ROUTER)[0].polling.polls


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Callable[..., object]]:
    made: list[Rig] = []

    async def make(retry_within: float = shortest_interval(FAST)) -> Rig:
        # A stored host key: the same box comes back with the same key after a restart.
        simulator = await start_simulator(
            host="127.0.0.1", port=0, host_key_path=tmp_path / "sim_key", **SMALL_DEVICE
        )
        paths = AppPaths(tmp_path / "config", tmp_path / "data")
        secrets = MemorySecretStore()
        secrets.set_password(ROUTER, simulator.password)
        logins = LoginCounter(HostKeyStore(paths.known_hosts))
        engine = build_engine(
            paths,
            profiles={
                ROUTER: RouterProfile(
                    name=ROUTER, host=simulator.host, port=simulator.port, command_timeout=5.0
                )
            },
            secrets=secrets,
            opener=logins,
            backoff=Backoff(initial=0.05),  # the real maximum: 120 s
            retry_within=retry_within,
        )
        monitor = build_monitor(
            engine.pools, engine.workflow, engine.interfaces, intervals=FAST, ttls=TTLS
        )
        states: list[str] = []
        events = monitor.subscribe(types=(RouterStateChanged,))

        async def record() -> None:
            async for event in events:
                assert isinstance(event, RouterStateChanged)
                states.append(str(event.state))

        recorder = asyncio.create_task(record())
        result = Rig(simulator, engine, monitor, logins, states)
        result.recorder = recorder  # type: ignore[attr-defined]
        made.append(result)
        await monitor.start()
        return result

    try:
        yield make
    finally:
        for each in made:
            await each.monitor.stop()
            await each.engine.close()
            await each.simulator.close()
            await each.recorder  # type: ignore[attr-defined]


async def until(check: Callable[[], bool], what: str) -> None:
    try:
        async with asyncio.timeout(WAIT):
            while not check():
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"no {what} within {WAIT} s") from None


async def test_a_box_that_drops_every_session_after_login_is_backed_off(rig) -> None:
    # Retries at most 1 s apart, while the pollers ask every 0.2-0.3 s.
    setup: Rig = await rig(retry_within=1.0)
    await until(lambda: setup.pool_status.state == PoolState.CONNECTED, "first connection")
    setup.simulator.faults.drop_mid_output = True  # logins work; every answer is cut
    # A login still under way counts as one of the logins from now on.
    polls_before = setup.polls()
    logins_before = setup.logins.logins - setup.logins.running
    states_before = len(setup.states)
    await until(lambda: setup.polls() - polls_before >= 80, "80 more polls")
    polls = setup.polls() - polls_before
    logins = setup.logins.logins - logins_before
    status = setup.pool_status
    assert status.failures >= 3  # backing off, not logging in once per command
    assert status.last_error == f"{ROUTER}: the router dropped the session right after the login"
    # Before: one login per command (56 in 120 s). Now a login per backoff step, capped
    # at the quickest poll interval: far fewer logins than polls.
    assert logins * 4 <= polls, (logins, polls)
    assert setup.logins.most_at_once == 1
    # The state moves on real changes only, a few per login: a retry from `unreachable`
    # goes straight to `connected` (no `connecting` blip per attempt); `connecting` only
    # follows `idle` (a session that served a while and ended, or a command that timed out).
    changes = setup.states[states_before:]
    assert len(changes) <= 3 * logins + 2, (changes, logins)
    assert changes.count("connecting") <= changes.count("idle") + 1, changes


async def test_a_router_switched_off_and_on_is_back_at_the_first_try(rig) -> None:
    setup: Rig = await rig()
    await until(lambda: setup.monitor.snapshot(ROUTER).data("cpu") is not None, "first data")
    await setup.simulator.close()  # switched off
    await until(lambda: setup.pool_status.failures >= 6, "six failed reconnects")
    status = setup.pool_status
    # One backoff for the router: each login counts once, never two logins at once.
    assert setup.logins.most_at_once == 1
    # Never waiting longer than the quickest poll interval, however long the outage.
    assert status.retry_in is not None
    assert status.retry_in <= shortest_interval(FAST)
    assert status.state == PoolState.UNREACHABLE
    await setup.simulator.restart()  # back on
    back_on = setup.logins.logins
    await until(lambda: setup.pool_status.state == PoolState.CONNECTED, "reconnection")
    # Every login that started once the router was back worked at the first try.
    assert False not in setup.logins.succeeded[back_on:]
    cpu_before = setup.monitor.snapshot(ROUTER).sections["cpu"]
    await until(
        lambda: setup.monitor.snapshot(ROUTER).sections["cpu"] is not cpu_before, "fresh data"
    )
    # While it was off the state said so, and not `connecting` at every attempt: only after
    # `idle` (sessions that had served for a while ended when it went off).
    assert setup.states.count("connecting") <= setup.states.count("idle") + 1, setup.states
    assert setup.states.count("unreachable") == 1, setup.states
    assert setup.states[-1] == "connected"
