"""Behaviour of the simulated device state (subscribers, counters, shutdowns, faults)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.simulator.device import DeviceState
from app.simulator.topology import PHYSICAL, SUBIF

# 2026-11-27 21:00 local time (UTC-3): the evening peak.
EVENING = datetime(2026, 11, 28, 0, 0, tzinfo=UTC).timestamp()
# 04:30 local time: the early-morning trough.
EARLY = datetime(2026, 11, 28, 7, 30, tzinfo=UTC).timestamp()


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


def make(
    subscribers: int = 3000, start: float = EVENING, seed: int = 7, interfaces: int = 48
) -> tuple[DeviceState, FakeClock]:
    clock = FakeClock(start)
    return DeviceState(
        subscribers=subscribers, interfaces=interfaces, seed=seed, clock=clock
    ), clock


def assert_totals_add_up(state: DeviceState) -> None:
    table = state.subscribers
    total = state.total_users()
    assert total == len(table.sessions)
    assert sum(table.by_domain.values()) == total
    assert sum(table.by_pool.values()) == total
    assert sum(table.by_slot.values()) == total
    assert sum(table.by_interface.values()) == total
    assert sum(pool.used for pool in table.pools.values()) == total
    for name, pool in table.pools.items():
        assert pool.used == table.by_pool[name]
    addresses = [s.ipv4 for s in table.sessions.values()]
    assert len(set(addresses)) == len(addresses)


def test_initial_population_follows_the_curve_and_adds_up() -> None:
    state, _ = make(subscribers=3000)
    # 21h local: 1.06 of nominal, within the +-2% slow noise.
    assert 3000 * 1.06 * 0.97 <= state.total_users() <= 3000 * 1.06 * 1.03
    assert_totals_add_up(state)
    assert set(state.subscribers.by_slot) == {2, 3}
    assert all(state.subscribers.by_slot[slot] > 0 for slot in (2, 3))


def test_totals_still_add_up_after_churn_shutdown_cut_and_drop() -> None:
    state, clock = make()
    for _ in range(20):
        clock.tick(45)
        state.advance()
    state.set_admin_down("Eth-Trunk20.201", True)
    state.cut_user(next(iter(state.subscribers.sessions.values())).username)
    state.mass_drop(0.3)
    clock.tick(120)
    state.advance()
    assert_totals_add_up(state)


def test_subscribers_rise_to_the_evening_peak_and_fall_to_the_early_trough() -> None:
    state, clock = make(subscribers=2000, start=EVENING)
    peak = state.total_users()
    clock.now = EARLY
    state.advance()
    trough = state.total_users()
    assert trough < peak * 0.85
    assert_totals_add_up(state)


def test_small_advance_changes_few_sessions_and_keeps_the_records() -> None:
    state, clock = make(subscribers=25000)
    before = dict(state.subscribers.sessions)
    clock.tick(2)
    state.advance()
    after = state.subscribers.sessions
    changed = set(before) ^ set(after)
    assert len(changed) < 50
    kept = set(before) & set(after)
    assert all(before[uid] is after[uid] for uid in kept)


def test_counters_are_monotonic_64_bit_ints_and_uplinks_exceed_2_53() -> None:
    state, clock = make()
    names = state.interface_names()
    previous = {name: state.counters(name) for name in names}
    for _ in range(10):
        clock.tick(30)
        state.advance()
        for name in names:
            current = state.counters(name)
            assert all(type(v) is int and 0 <= v < 2**64 for v in current)
            assert all(c >= p for c, p in zip(current, previous[name], strict=True))
            previous[name] = current
    in_bytes, _, _, _ = state.counters("100GE0/1/0")
    assert in_bytes > 2**53
    assert state.counters("Eth-Trunk1")[0] > 2**59


def test_counter_growth_matches_the_300_second_average_rate() -> None:
    state, clock = make()
    for _ in range(40):  # let the 300 s averages settle on the current traffic
        clock.tick(30)
        state.advance()
    start = state.counters("Eth-Trunk10")
    for _ in range(10):
        clock.tick(30)
        state.advance()
    end = state.counters("Eth-Trunk10")
    measured_out_bps = (end[2] - start[2]) * 8 / 300
    reported_out_bps = state.rates("Eth-Trunk10")[2]
    assert measured_out_bps > 0
    assert measured_out_bps == pytest.approx(reported_out_bps, rel=0.15)


def test_trunk_counters_are_the_sum_of_their_members() -> None:
    state, _ = make()
    members = state.interfaces["Eth-Trunk10"].members
    assert len(members) == 4
    assert state.counters("Eth-Trunk10")[0] == sum(state.counters(m)[0] for m in members)


def test_shutdown_stops_counters_drops_users_and_raises_a_linkdown_alarm() -> None:
    state, clock = make()
    port = "GigabitEthernet0/2/4"
    sub = "GigabitEthernet0/2/4.2001"
    assert state.subscribers.by_interface[sub] > 0
    state.set_admin_down(port, True)
    assert state.is_admin_down(port)
    assert not state.is_up(sub)
    assert state.subscribers.by_interface[sub] == 0
    frozen = state.counters(port)
    clock.tick(600)
    state.advance()
    assert state.counters(port) == frozen
    assert state.rates(port) == (0, 0, 0, 0)
    assert state.subscribers.by_interface[sub] == 0  # no new logins on a dead port
    link_down = [a for a in state.alarms.active() if a.name == "linkDown"]
    assert len(link_down) == 1
    assert f"ifName={port}," in link_down[0].description
    assert link_down[0].severity == 2

    state.set_admin_down(port, False)
    assert not [a for a in state.alarms.active() if a.name == "linkDown"]
    clock.tick(600)
    state.advance()
    assert state.counters(port)[2] > frozen[2]
    assert state.subscribers.by_interface[sub] > 0


def test_shutting_one_trunk_member_keeps_the_trunk_and_its_users() -> None:
    state, clock = make()
    users = state.subscribers.by_interface["Eth-Trunk10.100"]
    state.set_admin_down("GigabitEthernet0/2/0", True)
    assert state.is_up("Eth-Trunk10")
    assert state.bandwidth("Eth-Trunk10") == 30 * 10**9
    assert state.subscribers.by_interface["Eth-Trunk10.100"] == users
    clock.tick(60)
    state.advance()
    assert state.rates("GigabitEthernet0/2/0") == (0, 0, 0, 0)
    assert state.rates("Eth-Trunk10")[2] > 0


def test_cut_user_removes_every_session_of_that_account() -> None:
    state, _ = make()
    session = next(iter(state.subscribers.sessions.values()))
    before = state.total_users()
    assert state.cut_user(session.username) == 1
    assert state.total_users() == before - 1
    assert state.subscribers.by_username(session.username) == []
    assert state.cut_user(session.username) == 0
    assert state.cut_user("nobody@nowhere") == 0


def test_mass_drop_removes_30_percent_raises_an_alarm_and_recovers() -> None:
    state, clock = make(subscribers=5000)
    before = state.total_users()
    removed = state.mass_drop()
    assert removed == round(before * 0.3)
    assert state.total_users() == before - removed
    assert any(a.name == "hwBrasOnlineUserDecrease" for a in state.alarms.active())
    for _ in range(12):  # an hour later the curve has brought the users back
        clock.tick(300)
        state.advance()
    assert state.total_users() >= 0.95 * before
    assert not any(a.name == "hwBrasOnlineUserDecrease" for a in state.alarms.active())


def test_mass_drop_rejects_a_fraction_outside_0_to_1() -> None:
    state, _ = make(subscribers=100)
    with pytest.raises(ValueError, match="fraction"):
        state.mass_drop(1.5)


def test_same_seed_and_clock_give_the_same_state() -> None:
    first, clock_a = make(seed=42)
    second, clock_b = make(seed=42)
    for _ in range(5):
        clock_a.tick(37)
        clock_b.tick(37)
        first.advance()
        second.advance()
    assert [(s.user_id, s.username, s.ipv4, s.mac) for s in first.subscribers.ordered()] == [
        (s.user_id, s.username, s.ipv4, s.mac) for s in second.subscribers.ordered()
    ]
    assert [first.counters(n) for n in first.interface_names()] == [
        second.counters(n) for n in second.interface_names()
    ]
    other, _ = make(seed=43)
    assert other.total_users() != first.total_users() or other.esn != first.esn


def test_clock_going_backwards_changes_nothing() -> None:
    state, clock = make()
    counters = state.counters("Eth-Trunk1")
    clock.tick(-100)
    state.advance()
    assert state.counters("Eth-Trunk1") == counters


def test_cpu_and_memory_move_within_bounds() -> None:
    state, clock = make()
    mpu = state.boards[9]
    assert mpu.cpu is not None
    seen = set()
    for _ in range(30):
        clock.tick(20)
        state.advance()
        seen.add(round(mpu.cpu.current))
        assert 1 <= mpu.cpu.current <= 99
        assert 0 < mpu.memory_used_kb < mpu.memory_total_kb
        assert mpu.cpu.maximum >= mpu.cpu.current
    assert len(seen) > 3


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("GE0/2/1", "GigabitEthernet0/2/1"),
        ("gigabitethernet 0/2/1", "GigabitEthernet0/2/1"),
        ("GigabitEthernet0/2/4.2001", "GigabitEthernet0/2/4.2001"),
        ("Eth-Trunk1", "Eth-Trunk1"),
        ("eth-t 10", "Eth-Trunk10"),
        ("eth-trunk10.100", "Eth-Trunk10.100"),
        ("100ge0/1/0", "100GE0/1/0"),
        ("LoopBack0", "LoopBack0"),
        ("lo 0", "LoopBack0"),
        ("null0", "NULL0"),
        ("Virtual-Template1", "Virtual-Template1"),
    ],
)
def test_resolve_interface_accepts_vrp_spellings(typed: str, canonical: str) -> None:
    state, _ = make(subscribers=10)
    assert state.resolve_interface(typed) == canonical


@pytest.mark.parametrize("typed", ["GE9/9/9", "Eth-Trunk99", "foo0/1/0", "GE", "", "0/1/0"])
def test_resolve_interface_rejects_missing_interfaces(typed: str) -> None:
    state, _ = make(subscribers=10)
    assert state.resolve_interface(typed) is None


@pytest.mark.parametrize("count", [4, 12, 48, 96])
def test_interface_count_is_the_number_of_service_ports(count: int) -> None:
    state, _ = make(subscribers=50, interfaces=count)
    physical = [n for n, i in state.interfaces.items() if i.kind == PHYSICAL]
    assert len(physical) == count + 1  # plus the GigabitEthernet0/0/0 management port
    assert "GigabitEthernet0/0/0" in physical
    assert any(i.kind == SUBIF for i in state.interfaces.values())
    assert {"LoopBack0", "NULL0", "Virtual-Template1", "Eth-Trunk1"} <= set(state.interfaces)
    assert state.total_users() > 0


def test_too_few_interfaces_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 4"):
        make(interfaces=3)


def test_local_time_is_brazil_and_uptime_grows() -> None:
    state, clock = make(subscribers=10)
    assert state.local().utcoffset().total_seconds() == -3 * 3600
    assert state.local().hour == 21
    uptime = state.uptime_seconds()
    assert uptime > 40 * 86400
    clock.tick(60)
    state.advance()
    assert state.uptime_seconds() == pytest.approx(uptime + 60)


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("tick"), st.floats(min_value=0.5, max_value=7200.0)),
        st.tuples(st.just("shut"), st.integers(min_value=0, max_value=200)),
        st.tuples(st.just("undo"), st.integers(min_value=0, max_value=200)),
        st.tuples(st.just("cut"), st.integers(min_value=0, max_value=10_000)),
        st.tuples(st.just("drop"), st.floats(min_value=0.0, max_value=1.0)),
    ),
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(OPERATIONS)
def test_any_sequence_of_operations_keeps_the_books_straight(operations: list) -> None:
    state, clock = make(subscribers=300, seed=5)
    names = state.interface_names()
    previous = {name: state.counters(name) for name in names}
    committed: set[str] = set()  # shut by this test: each must have its linkDown alarm
    for operation, value in operations:
        if operation == "tick":
            clock.tick(value)
            state.advance()
        elif operation in {"shut", "undo"}:
            name = names[value % len(names)]
            if operation == "shut" and not state.is_admin_down(name):
                committed.add(name)
            elif operation == "undo":
                committed.discard(name)
            state.set_admin_down(name, operation == "shut")
        elif operation == "cut":
            sessions = state.subscribers.ordered()
            if sessions:
                state.cut_user(sessions[value % len(sessions)].username)
        else:
            state.mass_drop(value)
        assert_totals_add_up(state)
        for name in names:
            current = state.counters(name)
            assert all(c >= p for c, p in zip(current, previous[name], strict=True))
            previous[name] = current
        for name in names:
            if not state.is_up(name):
                assert state.subscribers.by_interface.get(name, 0) == 0
            assert state.alarms.is_active(f"linkDown:{name}") == (name in committed)
