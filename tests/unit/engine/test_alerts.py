"""Alert rules and manager: raised once, cleared once, hysteresis, no storms."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.alarms import Alarm, AlarmList
from app.domain.alerts import Alert, AlertEvent, AlertKind, Severity, alert_id
from app.domain.errors import (
    AuthenticationFailed,
    CredentialsUnavailable,
    PasswordProblem,
    RouterTimeout,
    RouterUnreachable,
)
from app.domain.interfaces import BriefInterface, InterfaceBrief
from app.domain.messages import MessageId, message
from app.domain.router import RouterIdentity
from app.domain.subscribers import IpPool, IpPoolList
from app.engine.alerts import (
    AlertManager,
    AlertThresholds,
    Debounce,
    DropDetector,
    level,
    pool_usage,
)
from app.vrp.catalog import parse_output
from tests.support.fixtures import fixture_text

START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def journal() -> list[tuple[AlertEvent, Alert]]:
    return []


@pytest.fixture
def manager(clock: FakeClock, journal: list[tuple[AlertEvent, Alert]]) -> AlertManager:
    return AlertManager(clock=clock, journal=lambda event, alert: journal.append((event, alert)))


# ---- rule state machines ----


def test_debounce_needs_consecutive_polls_each_way() -> None:
    rule = Debounce(raise_after=3, clear_after=2)
    assert [rule.update(bad) for bad in (True, True, False, True, True)] == [False] * 5
    assert rule.update(True) is True  # third in a row
    assert rule.update(False) is True  # one good poll is not enough
    assert rule.update(None) is True  # inside the band: state kept, streak restarted
    assert rule.update(False) is True
    assert rule.update(False) is False


def test_level_classifies_over_band_and_under() -> None:
    assert level(85.0, 85.0, 80.0) is True
    assert level(84.9, 85.0, 80.0) is None
    assert level(80.0, 85.0, 80.0) is None
    assert level(79.9, 85.0, 80.0) is False


def test_drop_detector_sees_a_fast_drop_but_not_a_slow_decline() -> None:
    fast = DropDetector(percent=10, window=120, recover_percent=5, settle=900)
    assert [fast.update(t, n) for t, n in [(0, 1000), (30, 950), (60, 900)]] == [
        False,
        False,
        True,
    ]
    assert fast.peak == 1000

    slow = DropDetector(percent=10, window=120, recover_percent=5, settle=900)
    # 3% a minute: never 10% within any 2-minute window (1000 -> 730 over 9 minutes)
    results = [slow.update(60.0 * minute, 1000 - 30 * minute) for minute in range(10)]
    assert results == [False] * 10


def test_thresholds_reject_inverted_hysteresis() -> None:
    with pytest.raises(ValueError, match="cpu_clear_percent"):
        AlertThresholds(cpu_percent=80, cpu_clear_percent=85)
    with pytest.raises(ValueError, match="load_polls"):
        AlertThresholds(load_polls=0)
    with pytest.raises(ValueError, match="drop_settle_seconds"):
        AlertThresholds(drop_settle_seconds=60)


# ---- router unreachable ----


def test_unreachable_raised_once_after_two_failures_and_cleared_once(
    manager: AlertManager, clock: FakeClock, journal: list[tuple[AlertEvent, Alert]]
) -> None:
    assert manager.observe_reachability("r1", reachable=False) == []
    clock.advance(15)
    (raised,) = manager.observe_reachability("r1", reachable=False, error="connection refused")
    assert raised == Alert(
        id=alert_id("r1", AlertKind.ROUTER_UNREACHABLE, ""),
        router="r1",
        severity=Severity.CRITICAL,
        kind=AlertKind.ROUTER_UNREACHABLE,
        subject="",
        message="Router r1 is unreachable (connection refused)",
        raised_at=START + timedelta(seconds=15),
        operator_message=message(
            MessageId.ALERT_UNREACHABLE, router="r1", detail="connection refused"
        ),
    )
    for _ in range(5):
        clock.advance(15)
        assert manager.observe_reachability("r1", reachable=False) == []
    clock.advance(15)
    (cleared,) = manager.observe_reachability("r1", reachable=True)
    assert cleared == raised.cleared(START + timedelta(seconds=105))
    assert manager.observe_reachability("r1", reachable=True) == []
    assert manager.active() == []
    assert journal == [(AlertEvent.RAISED, raised), (AlertEvent.CLEARED, cleared)]
    assert manager.history() == journal


def test_alert_id_is_stable_across_occurrences(manager: AlertManager) -> None:
    ids = []
    for _ in range(2):
        manager.observe_reachability("r1", reachable=False)
        (raised,) = manager.observe_reachability("r1", reachable=False)
        manager.observe_reachability("r1", reachable=True)
        ids.append(raised.id)
    other = manager.observe_reachability("r2", reachable=False) + manager.observe_reachability(
        "r2", reachable=False
    )
    assert ids[0] == ids[1] == alert_id("r1", AlertKind.ROUTER_UNREACHABLE, "")
    assert other[0].id != ids[0]


# ---- mass subscriber drop ----


def feed(
    manager: AlertManager, clock: FakeClock, totals: list[int | None], step: float = 15
) -> list[Alert]:
    changes: list[Alert] = []
    for total in totals:
        clock.advance(step)
        changes += manager.observe_subscribers("r1", total)
    return changes


def test_mass_drop_raised_within_the_window(manager: AlertManager, clock: FakeClock) -> None:
    assert feed(manager, clock, [1000, 1000, 980, 950, 920]) == []
    (raised,) = feed(manager, clock, [899])  # 10.1% below the 1000 seen 60 s ago
    assert raised.kind is AlertKind.SUBSCRIBER_DROP
    assert raised.severity is Severity.CRITICAL
    assert raised.message == (
        "Mass subscriber drop on r1: online total fell by 10% (1000 -> 899) within 120 s"
    )
    assert feed(manager, clock, [850, 800, None, 790]) == []  # still one alert


def test_drop_older_than_the_window_does_not_raise(manager: AlertManager, clock: FakeClock) -> None:
    feed(manager, clock, [1000])
    clock.advance(200)  # the peak leaves the 2-minute window
    assert feed(manager, clock, [890, 880]) == []


def test_flapping_total_keeps_one_alert_then_clears_after_recovery(
    manager: AlertManager, clock: FakeClock
) -> None:
    feed(manager, clock, [1000, 1000])
    (raised,) = feed(manager, clock, [880])
    assert feed(manager, clock, [1000, 880] * 20) == []  # 10 minutes of flapping
    assert manager.active() == [raised]
    assert feed(manager, clock, [1000] * 8) == []  # recovered, but not yet for a full window
    (cleared,) = feed(manager, clock, [1000])
    assert cleared.id == raised.id
    assert cleared.cleared_at == clock.now
    assert feed(manager, clock, [1000] * 10) == []


def test_drop_to_a_new_level_clears_after_settling(manager: AlertManager, clock: FakeClock) -> None:
    feed(manager, clock, [1000])
    assert len(feed(manager, clock, [700])) == 1
    drop_time = clock.now
    # the 1000 polled 15 s before the drop stays in the 120 s window until 105 s after
    # it; the alert clears 900 s of settling later, at 1005 s
    assert feed(manager, clock, [700] * 66) == []
    (cleared,) = feed(manager, clock, [700])
    assert cleared.cleared_at == drop_time + timedelta(seconds=1005)
    assert feed(manager, clock, [700] * 20) == []  # the lower level does not re-raise


def test_missing_totals_change_nothing(manager: AlertManager, clock: FakeClock) -> None:
    feed(manager, clock, [1000])
    assert feed(manager, clock, [None, None]) == []
    assert len(feed(manager, clock, [800])) == 1


# ---- monitored interfaces ----


def test_only_monitored_interfaces_raise(manager: AlertManager) -> None:
    states = {"GigabitEthernet0/1/0": False, "GigabitEthernet0/1/1": False}
    assert manager.observe_interfaces("r1", states) == []
    manager.set_monitored_interfaces("r1", ["GE0/1/0"])  # normalised like VRP
    (raised,) = manager.observe_interfaces("r1", states)
    assert (raised.kind, raised.subject, raised.severity) == (
        AlertKind.INTERFACE_DOWN,
        "GigabitEthernet0/1/0",
        Severity.MAJOR,
    )
    assert raised.message == "Monitored interface GigabitEthernet0/1/0 on r1 is down"
    assert manager.observe_interfaces("r1", states) == []


def test_flapping_uplink_is_one_alert(manager: AlertManager) -> None:
    manager.set_monitored_interfaces("r1", ["Eth-Trunk1"])
    changes: list[Alert] = []
    for up in [False, True, False, True, False, True, True]:
        changes += manager.observe_interfaces("r1", {"Eth-Trunk1": up})
    raised, cleared = changes  # down once, cleared only after two ups in a row
    assert raised.active
    assert not cleared.active
    assert cleared.id == raised.id


def test_unlisted_interface_keeps_state_and_unmonitoring_clears(manager: AlertManager) -> None:
    manager.set_monitored_interfaces("r1", ["Eth-Trunk1", "Eth-Trunk2"])
    (raised,) = manager.observe_interfaces("r1", {"Eth-Trunk1": False, "Eth-Trunk2": True})
    assert manager.observe_interfaces("r1", {"Eth-Trunk2": True}) == []
    assert manager.active() == [raised]
    (cleared,) = manager.set_monitored_interfaces("r1", ["Eth-Trunk2"])
    assert cleared.id == raised.id
    assert manager.observe_interfaces("r1", {"Eth-Trunk1": False}) == []


def test_interface_brief_from_a_real_router(manager: AlertManager) -> None:
    brief = parse_output(
        "display interface brief", fixture_text("display-interface-brief__it-bras-notes__1.txt")
    )
    assert isinstance(brief, InterfaceBrief)
    manager.set_monitored_interfaces("r1", ["100GE0/3/0", "Eth-Trunk20"])
    (raised,) = manager.observe_interfaces("r1", brief)
    assert raised.subject == "100GE0/3/0"


def test_protocol_down_counts_as_down(manager: AlertManager) -> None:
    row = BriefInterface(
        name="GigabitEthernet0/3/6",
        phy="up",
        phy_up=True,
        admin_down=False,
        standby=False,
        protocol="down",
        protocol_up=False,
        in_util_percent=None,
        out_util_percent=None,
        in_errors=0,
        out_errors=0,
        trunk=None,
        bandwidth=None,
    )
    manager.set_monitored_interfaces("r1", ["GigabitEthernet0/3/6"])
    assert len(manager.observe_interfaces("r1", InterfaceBrief((row,)))) == 1


# ---- CPU and memory ----


def test_cpu_needs_three_polls_and_clears_below_the_clear_threshold(
    manager: AlertManager,
) -> None:
    assert manager.observe_cpu("r1", 90) == []
    assert manager.observe_cpu("r1", 86) == []
    (raised,) = manager.observe_cpu("r1", 85)
    assert (raised.kind, raised.subject) == (AlertKind.CPU_HIGH, "cpu")
    assert raised.message == "CPU usage on r1 is 85% (>= 85% for 3 polls)"
    assert manager.observe_cpu("r1", 81) == []  # inside the hysteresis band
    assert manager.observe_cpu("r1", None) == []
    (cleared,) = manager.observe_cpu("r1", 79)
    assert cleared.id == raised.id


def test_cpu_wandering_around_the_threshold_makes_no_storm(manager: AlertManager) -> None:
    changes: list[Alert] = []
    for value in [86, 84, 86, 84, 86, 86, 84, 86, 84, 86]:
        changes += manager.observe_cpu("r1", value)
    assert changes == []
    for value in [86, 86, 86, 84, 86, 82, 90, 81, 86]:
        changes += manager.observe_cpu("r1", value)
    assert len(changes) == 1  # raised once, the dips never reach 80


def test_memory_uses_its_own_threshold(manager: AlertManager) -> None:
    assert [manager.observe_memory("r1", 89) for _ in range(5)] == [[]] * 5
    changes = [manager.observe_memory("r1", 91) for _ in range(3)]
    assert [len(change) for change in changes] == [0, 0, 1]
    assert changes[2][0].kind is AlertKind.MEMORY_HIGH


def test_custom_thresholds_apply(clock: FakeClock) -> None:
    manager = AlertManager(AlertThresholds(cpu_percent=50, cpu_clear_percent=40, load_polls=1))
    assert len(manager.observe_cpu("r1", 55)) == 1


# ---- IP pools ----


def test_pool_raised_at_90_and_cleared_below_85(manager: AlertManager) -> None:
    assert manager.observe_pools("r1", {"pool-a": 89.9, "pool-b": 20.0}) == []
    (raised,) = manager.observe_pools("r1", {"pool-a": 90.0, "pool-b": 20.0})
    assert (raised.kind, raised.subject) == (AlertKind.POOL_HIGH, "pool-a")
    assert raised.message == "IP pool pool-a on r1 is 90% used (threshold 90%)"
    assert manager.observe_pools("r1", {"pool-a": 87.0, "pool-b": 20.0}) == []
    assert manager.observe_pools("r1", {"pool-a": None, "pool-b": 20.0}) == []
    (cleared,) = manager.observe_pools("r1", {"pool-a": 84.9, "pool-b": 20.0})
    assert cleared.id == raised.id


def test_pool_that_disappears_is_cleared(manager: AlertManager) -> None:
    (raised,) = manager.observe_pools("r1", {"pool-a": 95.0})
    (cleared,) = manager.observe_pools("r1", {})
    assert cleared.id == raised.id


def test_pool_usage_prefers_counts_over_the_printed_ratio(manager: AlertManager) -> None:
    pools = IpPoolList(
        pools=(
            IpPool("full", total=100, used=95, free=5, usage_percent=40.0),
            IpPool("ratio-only", total=None, used=None, free=None, usage_percent=91.0),
            IpPool("unknown", total=0, used=0, free=None, usage_percent=None),
        )
    )
    assert pool_usage(pools) == {"full": 95.0, "ratio-only": 91.0, "unknown": None}
    raised = manager.observe_pools("r1", pools)
    assert sorted(alert.subject for alert in raised) == ["full", "ratio-only"]


# ---- router alarms ----


def alarms_fixture(name: str) -> AlarmList:
    parsed = parse_output("display alarm active", fixture_text(name))
    assert isinstance(parsed, AlarmList)
    return parsed


def test_new_critical_and_major_alarms_raise_once(manager: AlertManager) -> None:
    alarms = alarms_fixture("display-alarm-active__ne40e-isp-check-scripts__2.txt")
    raised = manager.observe_alarms("r1", alarms)
    assert len(raised) == len(alarms.alarms) == 12
    link_down = next(a for a in raised if a.subject == "4621:0x502001")
    assert link_down.severity is Severity.CRITICAL
    assert link_down.message.startswith("r1 alarm linkDown: ")
    assert {a.severity for a in raised} == {Severity.CRITICAL, Severity.MAJOR}
    assert manager.observe_alarms("r1", alarms) == []  # still active: not raised again

    remaining = AlarmList(tuple(a for a in alarms.alarms if a.sequence != 4621))
    (cleared,) = manager.observe_alarms("r1", remaining)
    assert cleared.id == link_down.id
    assert not cleared.active
    assert len(manager.active("r1")) == 11


def test_router_alarms_of_every_severity_are_alerts_with_their_own_severity(
    manager: AlertManager,
) -> None:
    """Minor and warning alarms (low optical power, a licence expiring) count too."""
    alarms = [
        Alarm(sequence=1, alarm_id="0x1", severity="Minor", raised_at=None, description="x"),
        Alarm(sequence=2, alarm_id="0x2", severity="Warning", raised_at=None, description="y"),
        Alarm(sequence=3, alarm_id=None, severity=None, raised_at=None, description="z"),
        Alarm(sequence=4, alarm_id="0x4", severity="Major", raised_at=None, description="w"),
    ]
    raised = manager.observe_alarms("r1", alarms)
    assert [(a.subject, a.severity) for a in raised] == [
        ("1:0x1", Severity.MINOR),
        ("2:0x2", Severity.WARNING),
        ("4:0x4", Severity.MAJOR),
    ]
    assert raised[2].message == "r1 alarm 0x4: w"


def test_alarm_severities_can_be_narrowed(clock: FakeClock) -> None:
    narrow = AlertManager(
        AlertThresholds(alarm_severities=frozenset({Severity.CRITICAL, Severity.MAJOR})),
        clock=clock,
    )
    alarms = [
        Alarm(sequence=1, alarm_id="0x1", severity="Minor", raised_at=None, description="x"),
        Alarm(sequence=4, alarm_id="0x4", severity="Major", raised_at=None, description="w"),
    ]
    (raised,) = narrow.observe_alarms("r1", alarms)
    assert raised.severity is Severity.MAJOR


# ---- acknowledgement, restore, removal ----


def test_acknowledgement_records_who_and_when(
    manager: AlertManager, clock: FakeClock, journal: list[tuple[AlertEvent, Alert]]
) -> None:
    (raised,) = manager.observe_pools("r1", {"pool-a": 99.0})
    clock.advance(60)
    acked = manager.acknowledge(raised.id, "noc-bob")
    assert acked is not None
    assert (acked.acknowledged_by, acked.acknowledged_at) == ("noc-bob", clock.now)
    assert manager.get(raised.id) == acked
    assert manager.acknowledge("no-such-alert", "noc-bob") is None
    clock.advance(60)
    (cleared,) = manager.observe_pools("r1", {"pool-a": 10.0})
    assert cleared.acknowledged_by == "noc-bob"
    assert [event for event, _ in journal] == [
        AlertEvent.RAISED,
        AlertEvent.ACKNOWLEDGED,
        AlertEvent.CLEARED,
    ]


def test_restored_alerts_are_not_raised_again(clock: FakeClock) -> None:
    before = AlertManager(clock=clock)
    raised = [change for _ in range(3) for change in before.observe_cpu("r1", 95)]
    raised += before.observe_pools("r1", {"pool-a": 95.0})
    assert len(raised) == 2

    after = AlertManager(clock=clock)
    after.restore(raised)
    assert after.observe_cpu("r1", 95) == []  # not cleared while the load builds up again
    assert after.observe_pools("r1", {"pool-a": 95.0}) == []
    assert after.active("r1") == sorted(raised, key=lambda alert: alert.raised_at)
    (cleared,) = after.observe_cpu("r1", 10)
    assert cleared.id == raised[0].id


def test_remove_router_clears_its_alerts(manager: AlertManager) -> None:
    manager.observe_pools("r1", {"pool-a": 95.0})
    manager.observe_pools("r2", {"pool-a": 95.0})
    (cleared,) = manager.remove_router("r1")
    assert cleared.router == "r1"
    assert [alert.router for alert in manager.active()] == ["r2"]


def test_alert_serialises_for_the_feed(manager: AlertManager, clock: FakeClock) -> None:
    (raised,) = manager.observe_pools("r1", {"pool-a": 95.0})
    record = raised.to_dict()
    assert record == {
        "id": alert_id("r1", AlertKind.POOL_HIGH, "pool-a"),
        "router": "r1",
        "severity": "major",
        "kind": "pool_high",
        "subject": "pool-a",
        "message": "IP pool pool-a on r1 is 95% used (threshold 90%)",
        "raised_at": "2024-03-01T12:00:00+00:00",
        "cleared_at": None,
        "acknowledged_by": None,
        "acknowledged_at": None,
    }  # the feed's wire format, as before messages had ids
    assert Alert.from_dict(record) == replace(raised, operator_message=None)
    assert Alert.from_dict(raised.to_record()) == raised  # the history keeps everything


# ---- login problems, identities, translatable messages ----


def test_a_refused_login_is_auth_failed_at_once_not_unreachable(manager: AlertManager) -> None:
    refused = AuthenticationFailed("10.0.0.1:22 rejected user 'noc'", router="r1")
    (raised,) = manager.observe_reachability("r1", reachable=False, error=refused)
    assert (raised.kind, raised.severity) == (AlertKind.AUTH_FAILED, Severity.CRITICAL)
    assert raised.operator_message is not None
    assert raised.operator_message.id is MessageId.ALERT_AUTH_FAILED
    assert raised.message.startswith("Router r1 refused the login: wrong username or password")
    for _ in range(3):  # the locked pool keeps reporting it: still one alert, never unreachable
        assert manager.observe_reachability("r1", reachable=False, error=refused) == []
    assert [a.kind for a in manager.active("r1")] == [AlertKind.AUTH_FAILED]
    (cleared,) = manager.observe_reachability("r1", reachable=True)  # a new password worked
    assert (cleared.kind, cleared.active) == (AlertKind.AUTH_FAILED, False)


def test_no_password_says_why(manager: AlertManager) -> None:
    missing = CredentialsUnavailable("no password", problem=PasswordProblem.SESSION_ONLY)
    (raised,) = manager.observe_reachability("r1", reachable=False, error=missing)
    assert raised.kind is AlertKind.NO_PASSWORD
    assert raised.operator_message is not None
    assert raised.operator_message.params["reason"] == message(MessageId.PASSWORD_SESSION_ONLY)
    assert "kept for this session only" in raised.message


def test_unreachable_names_a_reason_that_adds_something(manager: AlertManager) -> None:
    manager.observe_reachability("r1", reachable=False)
    timeout = RouterTimeout("no answer within 10 s", router="r1")
    (raised,) = manager.observe_reachability("r1", reachable=False, error=timeout)
    assert raised.operator_message == message(
        MessageId.ALERT_UNREACHABLE_REASON,
        router="r1",
        reason=message(MessageId.ERROR_TIMEOUT),
        detail="r1: no answer within 10 s",
    )
    manager.observe_reachability("r2", reachable=False)
    refused = RouterUnreachable("connection refused", router="r2")
    (plain,) = manager.observe_reachability("r2", reachable=False, error=refused)
    assert plain.operator_message is not None
    assert plain.operator_message.id is MessageId.ALERT_UNREACHABLE  # no "unreachable: unreachable"


def test_every_alert_carries_a_translatable_message(
    manager: AlertManager, clock: FakeClock
) -> None:
    manager.set_monitored_interfaces("r1", ["GE0/1/0"])
    made = manager.observe_interfaces("r1", {"GE0/1/0": False})
    made += [a for _ in range(3) for a in manager.observe_cpu("r1", 97.5)]
    made += [a for _ in range(3) for a in manager.observe_memory("r1", 99)]
    made += manager.observe_pools("r1", {"p": 99.0})
    made += manager.observe_subscribers("r1", 1000)
    clock.advance(10)
    made += manager.observe_subscribers("r1", 500)
    assert {a.kind for a in made} == {
        AlertKind.INTERFACE_DOWN,
        AlertKind.CPU_HIGH,
        AlertKind.MEMORY_HIGH,
        AlertKind.POOL_HIGH,
        AlertKind.SUBSCRIBER_DROP,
    }
    for alert in made:
        assert alert.operator_message is not None
        assert alert.message == alert.operator_message.english
    cpu = next(a for a in made if a.kind is AlertKind.CPU_HIGH)
    assert cpu.operator_message is not None
    assert cpu.operator_message.count == 3
    assert cpu.message == "CPU usage on r1 is 97.5% (>= 85% for 3 polls)"
    drop = next(a for a in made if a.kind is AlertKind.SUBSCRIBER_DROP)
    assert drop.message == (
        "Mass subscriber drop on r1: online total fell by 50% (1000 -> 500) within 120 s"
    )


def test_the_same_name_on_another_box_is_another_alert(clock: FakeClock) -> None:
    """A mass drop raised on one box is never adopted by another box with the same name."""
    first = AlertManager(clock=clock)
    first.bind(RouterIdentity("router", "10.0.0.1", 22))
    first.observe_subscribers("router", 25_948)
    clock.advance(10)
    (drop,) = first.observe_subscribers("router", 10_000)
    assert (drop.host, drop.port) == ("10.0.0.1", 22)

    other = AlertManager(clock=clock)  # the next run, pointed at another box
    other.bind(RouterIdentity("router", "10.0.0.2", 22))
    other.restore([drop])
    assert other.active() == []
    other.observe_subscribers("router", 30_000)
    clock.advance(10)
    (second,) = other.observe_subscribers("router", 1_000)
    assert second.id != drop.id  # feed clients and Alertmanager never merge the two

    same = AlertManager(clock=clock)  # the next run against the same box adopts it
    same.bind(RouterIdentity("router", "10.0.0.1", 22))
    same.restore([drop])
    assert same.active() == [drop]
