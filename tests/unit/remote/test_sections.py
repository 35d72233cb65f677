"""The feed's section freshness turned back into engine records: what the collector built
from a record (:func:`app.feed.sections.section_status`) reads back as the same record,
errors, warnings, raw text and times included; what the feed does not say stays missing."""

from __future__ import annotations

import math

import msgspec

from app.domain.parsing import ParseWarning
from app.engine.freshness import (
    ErrorCode,
    Freshness,
    SectionError,
    SectionRecord,
    failed,
    succeeded,
)
from app.engine.rates import GapReason, TrafficGap, TrafficSample
from app.feed.sections import section_status
from app.feed.wire.sections import NetworkTrafficSection, SectionStatus, TrafficRow
from app.remote.sections import record_of, section_records, traffic_points

T0 = 1_750_000_000.0


def _round_trip(record: SectionRecord, now: float, data: object) -> SectionRecord:
    """As a seat gets it: encoded to JSON by the collector, decoded by the seat."""
    status = section_status(record, now)
    wire = msgspec.json.decode(msgspec.json.encode(status), type=SectionStatus)
    warnings = record.value.warnings if record.value is not None else ()
    return record_of(record.section, wire, data, warnings)


def test_a_failing_section_keeps_its_time_error_line_and_failures() -> None:
    fresh = succeeded(SectionRecord("cpu", 70.0), {"cpu": 12}, T0, T0 + 0.2)
    error = SectionError(
        ErrorCode.PARSE_ERROR, "row 3 unreadable", T0 + 31.0, "display cpu-usage",
        "CPU utilization ## garbage", 3,
    )
    broken = failed(failed(fresh, error, raw="CPU utilization ## garbage"), error)
    seen = _round_trip(broken, T0 + 40.0, {"cpu": 12})
    assert seen.value is not None
    assert seen.value.timestamp == T0  # the router's answer time, not the message's
    assert seen.failures == 2
    assert seen.max_age == 70.0
    assert seen.error == error
    assert seen.state(T0 + 40.0) is Freshness.STALE
    assert seen.raw is None  # the last failure kept no text


def test_a_partial_answer_keeps_the_routers_own_text() -> None:
    warning = ParseWarning("row has 3 fields, header 6", "GE0/1/1 up", 7)
    record = succeeded(
        SectionRecord("interface_brief", 70.0), "brief", T0, T0, raw="the whole output",
        warnings=[warning],
    )
    seen = _round_trip(record, T0 + 1.0, "brief")
    assert seen.partial
    assert seen.raw == "the whole output"
    assert seen.value.warnings == (warning,)
    assert seen.value.raw == "the whole output"


def test_an_old_error_survives_a_success_as_last_error() -> None:
    error = SectionError(ErrorCode.TIMEOUT, "no answer in 5 s", T0 - 60.0)
    record = succeeded(failed(SectionRecord("memory", 50.0), error), {}, T0, T0)
    seen = _round_trip(record, T0 + 1.0, {})
    assert seen.error is None
    assert seen.last_error is not None
    assert (seen.last_error.code, seen.last_error.detail) == (ErrorCode.TIMEOUT, "no answer in 5 s")
    assert seen.last_error.at == T0 - 60.0


def test_times_fall_back_to_the_iso_text_of_an_older_collector() -> None:
    record = succeeded(SectionRecord("cpu", math.inf), {}, T0 + 0.25, T0 + 0.3)
    status = msgspec.structs.replace(section_status(record, T0 + 1.0), collected_epoch=None)
    seen = record_of("cpu", status, {})
    assert seen.value is not None
    assert seen.value.timestamp == T0 + 0.25  # millisecond ISO text, exact here
    assert seen.max_age == math.inf


def test_a_section_never_collected_is_never_for_each_of_its_sources() -> None:
    records = section_records("pppoe_stats", None)
    assert set(records) == {"subscribers", "domains", "ip_pools", "slots"}
    assert all(r.value is None and r.state(T0) is Freshness.NEVER for r in records.values())


def _row(name: str, at: float | None, **extra: object) -> TrafficRow:
    fields = {
        "name": name, "monitored": False, "description": "", "phy_up": True,
        "protocol_up": True, "bandwidth": "10G", "in_bps": 1e6, "out_bps": 2e6, "in_pps": 10.0,
        "out_pps": 20.0, "sampled_at": None, "sampled_epoch": at, "stale": False, "gap": None,
        "input_bytes": 1, "output_bytes": 2, "input_packets": 3, "output_packets": 4,
        "input_errors": 0, "output_errors": 0, "input_util_percent": 1.0,
        "output_util_percent": 2.0,
    }
    fields.update(extra)
    return TrafficRow(**fields)  # type: ignore[arg-type]


def _traffic(rows: list[TrafficRow]) -> NetworkTrafficSection:
    return NetworkTrafficSection(
        collected_at=None, collected_epoch=None, age_s=None, stale=False,
        state=Freshness.FRESH, fresh_until=None, fresh_until_epoch=None, partial=False,
        warnings=[], error=None, sources={}, interfaces=rows, total_in_bps=None,
        total_out_bps=None,
    )


def test_traffic_rates_are_taken_once_per_sample_and_gaps_stay_gaps() -> None:
    seen: dict[str, float] = {}
    section = _traffic([
        _row("GE0/1/0", T0),
        _row("GE0/1/1", T0, gap="counter_reset", in_bps=None, out_bps=None),
        _row("GE0/1/2", T0, gap="something_new", in_bps=None, out_bps=None),
        _row("GE0/1/3", None),  # no rate yet: nothing to plot
    ])
    points = traffic_points("r1", section, seen)
    assert points == [
        TrafficSample("r1", "GE0/1/0", T0, 1e6, 2e6, 10.0, 20.0),
        TrafficGap("r1", "GE0/1/1", T0, GapReason.COUNTER_RESET),
        TrafficGap("r1", "GE0/1/2", T0, GapReason.POLL_FAILED),
    ]
    assert traffic_points("r1", section, seen) == []  # the same section again: no new point
    newer = _traffic([_row("GE0/1/0", T0 + 20.0)])
    assert [p.t for p in traffic_points("r1", newer, seen)] == [T0 + 20.0]
