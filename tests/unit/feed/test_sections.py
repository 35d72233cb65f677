"""Engine sections -> the feed's five sections: null until collected, rates, partial data."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from app.domain.interfaces import InterfaceDetail
from app.domain.parsing import ParseWarning
from app.domain.subscribers import AccessUserCounters
from app.domain.system import CpuUsage
from app.engine.freshness import ErrorCode, SectionError, SectionRecord, failed, succeeded
from app.engine.history import History
from app.engine.monitor import RouterSnapshot
from app.engine.poller import SECTIONS, SectionValue
from app.engine.rates import GapReason, TrafficGap, TrafficSample
from app.engine.subscribers import SubscriberSummary
from app.feed.sections import (
    FEED_SECTION_OF,
    FEED_SECTIONS,
    TrafficRates,
    build_sections,
    section_freshness,
    section_told,
)
from app.feed.wire.base import encode

UPLINK = "GigabitEthernet0/3/1"
NOW = 120.0


def wire_sections(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """`build_sections` as a client receives them: encoded by the feed, decoded as JSON."""
    built = build_sections(*args, **kwargs)
    return {name: None if v is None else json.loads(encode(v)) for name, v in built.items()}


@dataclass
class FakeMonitor:
    """The part of the Monitor the sections read (the history ring for stored rates, the
    monitored uplinks)."""

    history: History = field(default_factory=History)
    monitored: tuple[str, ...] = ()

    def monitored_interfaces(self, router: str) -> tuple[str, ...]:
        return self.monitored


def snapshot(**sections: tuple[Any, float]) -> RouterSnapshot:
    values: dict[str, SectionValue | None] = dict.fromkeys(SECTIONS)
    values.update({name: SectionValue(data, t) for name, (data, t) in sections.items()})
    return RouterSnapshot("r1", values)


def detail(name: str, in_bytes: int | None) -> InterfaceDetail:
    fields = dict.fromkeys(InterfaceDetail.__dataclass_fields__)
    fields.update(
        name=name,
        current_state="UP",
        phy_up=True,
        admin_down=False,
        description="uplink",
        input_bytes=in_bytes,
        trunk_members=(),
    )
    return InterfaceDetail(**fields)  # type: ignore[arg-type]


def test_every_engine_section_feeds_one_feed_section() -> None:
    assert set(FEED_SECTION_OF) == set(SECTIONS)
    assert set(FEED_SECTION_OF.values()) == set(FEED_SECTIONS)


def test_nothing_collected_is_null_everywhere() -> None:
    result = wire_sections(FakeMonitor(), snapshot(), TrafficRates(), now=NOW)  # type: ignore[arg-type]
    assert result == dict.fromkeys(FEED_SECTIONS)


def test_partial_system_metrics_keep_the_missing_parts_null() -> None:
    cpu = CpuUsage(
        cpu_percent=37, five_seconds=None, one_minute=None, five_minutes=None, max_percent=None
    )
    online = AccessUserCounters(total_users=None, counters={"PPPoE users": 3})
    result = wire_sections(
        FakeMonitor(),  # type: ignore[arg-type]
        snapshot(cpu=(cpu, 100.0), online_total=(online, 90.0)),
        TrafficRates(),
        now=NOW,
    )
    system = result["system_metrics"]
    assert system is not None
    assert system["cpu_percent"] == 37
    assert system["memory_percent"] is None
    assert system["uptime_seconds"] is None
    assert system["memory"] is None
    assert system["collected_at"] == "1970-01-01T00:01:40.000Z"
    online_section = result["online_total"]
    assert online_section is not None
    assert {k: online_section[k] for k in ("total", "counters", "collected_at")} == {
        "total": None,
        "counters": {"PPPoE users": 3},
        "collected_at": "1970-01-01T00:01:30.000Z",
    }
    assert online_section["collected_epoch"] == 90.0
    assert (online_section["stale"], online_section["error"]) == (False, None)
    assert result["interfaces_status"] is None


def test_an_empty_subscriber_summary_is_not_data() -> None:
    empty = SubscriberSummary(None, None, None, None, None)
    result = wire_sections(
        FakeMonitor(),
        snapshot(subscribers=(empty, 5.0)),
        TrafficRates(),
        ["pppoe_stats"],  # type: ignore[arg-type]
        now=NOW,
    )
    assert result == {"pppoe_stats": None}


def test_traffic_rates_come_from_samples_then_gaps_then_history() -> None:
    monitor = FakeMonitor()
    rates = TrafficRates()
    big = 2**60
    snap = snapshot(
        traffic=({UPLINK: detail(UPLINK, big), "Eth-Trunk1": detail("Eth-Trunk1", 5)}, 50.0)
    )

    # No sample yet and nothing in history: null rates, and no invented total.
    (traffic,) = wire_sections(monitor, snap, rates, ["network_traffic"], now=NOW).values()  # type: ignore[arg-type]
    assert traffic is not None
    assert [row["in_bps"] for row in traffic["interfaces"]] == [None, None]
    assert traffic["total_in_bps"] is None
    assert traffic["interfaces"][0]["input_bytes"] == str(big)

    rates.update("r1", [TrafficSample("r1", UPLINK, 50.0, 800.0, 400.0, 2.0, 1.0)])
    (traffic,) = wire_sections(monitor, snap, rates, ["network_traffic"], now=NOW).values()  # type: ignore[arg-type]
    uplink = traffic["interfaces"][0]
    assert (uplink["in_bps"], uplink["out_bps"], uplink["in_pps"], uplink["gap"]) == (
        800.0,
        400.0,
        2.0,
        None,
    )
    assert traffic["total_in_bps"] == 800.0  # the trunk's unknown rate is left out

    rates.update("r1", [TrafficGap("r1", UPLINK, 60.0, GapReason.COUNTER_RESET)])
    (traffic,) = wire_sections(monitor, snap, rates, ["network_traffic"], now=NOW).values()  # type: ignore[arg-type]
    uplink = traffic["interfaces"][0]
    assert (uplink["in_bps"], uplink["gap"]) == (None, "counter_reset")
    assert uplink["sampled_at"] == "1970-01-01T00:01:00.000Z"

    # A feed started after the last sample: bits/s from the history ring, packets/s null.
    monitor.history.record("r1", "if.Eth-Trunk1.in_bps", 55.0, 1000.0)
    monitor.history.record("r1", "if.Eth-Trunk1.out_bps", 55.0, 2000.0)
    (traffic,) = wire_sections(monitor, snap, rates, ["network_traffic"], now=NOW).values()  # type: ignore[arg-type]
    trunk = traffic["interfaces"][1]
    assert (trunk["in_bps"], trunk["out_bps"], trunk["in_pps"]) == (1000.0, 2000.0, None)


# ------------------------------------------------------------------ freshness


def recorded(**records: SectionRecord) -> RouterSnapshot:
    """A snapshot whose sections come with their engine records."""
    all_records = {name: SectionRecord(name, 40.0) for name in SECTIONS}
    all_records.update(records)
    values = {name: record.value for name, record in all_records.items()}
    return RouterSnapshot("r1", values, all_records)


def test_a_section_is_as_old_as_its_oldest_source_and_stale_by_the_clock() -> None:
    cpu = CpuUsage(
        cpu_percent=37, five_seconds=None, one_minute=None, five_minutes=None, max_percent=None
    )
    snap = recorded(
        cpu=succeeded(SectionRecord("cpu", 40.0), cpu, 100.0, 100.0),
        memory=succeeded(SectionRecord("memory", 60.0), None, 90.0, 90.0),
    )
    (system,) = wire_sections(
        FakeMonitor(),
        snap,
        TrafficRates(),
        ["system_metrics"],
        now=120.0,  # type: ignore[arg-type]
    ).values()
    assert system is not None
    assert system["collected_epoch"] == 90.0  # the oldest answer shown, not the newest
    assert system["age_s"] == 30.0
    assert system["fresh_until_epoch"] == 140.0  # cpu: 100 + 40
    assert (system["stale"], system["state"]) == (False, "fresh")
    assert set(system["sources"]) == {"cpu", "memory", "health", "version", "alarms"}
    assert system["sources"]["health"]["state"] == "never"
    # Nothing happens but time: the same snapshot is stale a moment later.
    (system,) = wire_sections(
        FakeMonitor(),
        snap,
        TrafficRates(),
        ["system_metrics"],
        now=141.0,  # type: ignore[arg-type]
    ).values()
    assert (system["stale"], system["state"]) == (True, "stale")
    assert system["sources"]["cpu"]["state"] == "stale"
    assert system["sources"]["memory"]["state"] == "fresh"


def test_a_failing_source_carries_its_error_and_the_line_not_understood() -> None:
    online = AccessUserCounters(total_users=12, counters={})
    error = SectionError(
        ErrorCode.PARSE_ERROR,
        "expected `Total users : N`",
        110.0,
        "display access-user online-total",
        "Tota1 us¤rs : 12",
        3,
    )
    record = failed(
        succeeded(SectionRecord("online_total", 40.0), online, 100.0, 100.0),
        error,
        raw="Tota1 us¤rs : 12\n",
    )
    (section,) = wire_sections(
        FakeMonitor(),
        recorded(online_total=record),
        TrafficRates(),
        ["online_total"],  # type: ignore[arg-type]
        now=111.0,
    ).values()
    assert section is not None
    assert section["total"] == 12  # the last good figure, shown ...
    assert section["stale"] is True  # ... marked stale
    assert section["collected_at"] == "1970-01-01T00:01:40.000Z"  # with its own time
    assert section["error"] == {
        "code": "parse_error",
        "message": "expected `Total users : N`",
        "section": "online_total",
        "command": "display access-user online-total",
        "line": "Tota1 us¤rs : 12",
        "line_number": 3,
        "at": "1970-01-01T00:01:50.000Z",
        "consecutive_failures": 1,
    }


def test_a_partial_source_is_marked_with_its_skipped_lines() -> None:
    warning = ParseWarning("row has 3 fields, header 6", "  pool-x  12  ", 9)
    pools = succeeded(
        SectionRecord("ip_pools", 40.0), None, 100.0, 100.0, raw="T", warnings=[warning]
    )
    summary = SubscriberSummary(5, None, None, None, None)
    subscribers = succeeded(SectionRecord("subscribers", 40.0), summary, 100.0, 100.0)
    (section,) = wire_sections(
        FakeMonitor(),
        recorded(ip_pools=pools, subscribers=subscribers),
        TrafficRates(),  # type: ignore[arg-type]
        ["pppoe_stats"],
        now=101.0,
    ).values()
    assert section is not None
    assert section["partial"] is True
    assert section["warnings"] == [
        {
            "section": "ip_pools",
            "message": "row has 3 fields, header 6",
            "line": "  pool-x  12  ",
            "line_number": 9,
        }
    ]


def test_traffic_totals_are_the_monitored_uplinks_when_there_are_any() -> None:
    rates = TrafficRates()
    snap = snapshot(
        traffic=({UPLINK: detail(UPLINK, 1), "GigabitEthernet0/2/0": detail("x", 1)}, 50.0)
    )
    rates.update(
        "r1",
        [
            TrafficSample("r1", UPLINK, 50.0, 800.0, 400.0, None, None),
            TrafficSample("r1", "GigabitEthernet0/2/0", 50.0, 100.0, 100.0, None, None),
        ],
    )
    every = wire_sections(FakeMonitor(), snap, rates, ["network_traffic"], now=NOW)
    assert every["network_traffic"]["total_in_bps"] == 900.0  # type: ignore[index]
    uplinks = wire_sections(
        FakeMonitor(monitored=(UPLINK,)),  # type: ignore[arg-type]
        snap,
        rates,
        ["network_traffic"],
        now=NOW,
    )["network_traffic"]
    assert uplinks is not None
    assert uplinks["total_in_bps"] == 800.0
    assert [row["monitored"] for row in uplinks["interfaces"]] == [True, False]


def test_the_freshness_watch_reads_the_same_verdict_as_the_section() -> None:
    """The watch compares only a section's state and error code (section_told, cheap);
    they must be the fields clients get, in every case: fresh, stale by age, failing,
    never answered, and a failure after a good answer."""
    cpu = CpuUsage(
        cpu_percent=37, five_seconds=None, one_minute=None, five_minutes=None, max_percent=None
    )
    online = AccessUserCounters(total_users=12, counters={})
    error = SectionError(ErrorCode.TIMEOUT, "no answer", 110.0, "display access-user online-total")
    snap = recorded(
        cpu=succeeded(SectionRecord("cpu", 40.0), cpu, 100.0, 100.0),
        memory=succeeded(SectionRecord("memory", 60.0), None, 90.0, 90.0),
        online_total=failed(
            succeeded(SectionRecord("online_total", 40.0), online, 100.0, 100.0), error
        ),
    )
    seen: set[tuple[str, str | None]] = set()
    for now in (100.0, 111.0, 120.0, 141.0, 500.0):
        for name in FEED_SECTIONS:
            fields = section_freshness(snap, name, now)
            error_code = None if fields["error"] is None else str(fields["error"].code)
            told = section_told(snap, name, now)
            assert told == (str(fields["state"]), error_code), (name, now)
            seen.add(told)
    assert {state for state, _ in seen} == {"fresh", "stale", "never"}
    assert ("stale", "timeout") in seen
