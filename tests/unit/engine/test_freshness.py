"""The freshness rule (fresh / stale / never), derived values and error codes."""

from __future__ import annotations

from app.domain.errors import (
    CommandRejected,
    ParseError,
    RouterCommandError,
    RouterTimeout,
    RouterUnreachable,
    SessionLost,
    UnknownCommandError,
)
from app.domain.parsing import ParseWarning
from app.engine.failure_log import shape_of
from app.engine.freshness import (
    ErrorCode,
    Freshness,
    Outcome,
    SectionError,
    SectionRecord,
    StaleReason,
    classify,
    derive,
    failed,
    freshness_of,
    max_age_for,
    section_error,
    succeeded,
)

T0 = 1_700_000_000.0


def _error(at: float, code: ErrorCode = ErrorCode.TIMEOUT) -> SectionError:
    return SectionError(code, "command timed out", at, "display ip pool")


def test_max_age_is_twice_the_interval_plus_the_command_timeout() -> None:
    assert max_age_for(15.0, 10.0) == 40.0
    assert max_age_for(15.0, None) == 60.0  # the profile default timeout, 30 s


def test_never_then_fresh_then_stale_by_the_clock_alone() -> None:
    record = SectionRecord("online_total", max_age=40.0)
    assert freshness_of(record, T0) is Freshness.NEVER
    assert record.age(T0) is None
    record = succeeded(record, "data", T0, T0 + 1)
    assert record.state(T0 + 40.0) is Freshness.FRESH
    assert record.age(T0 + 12.5) == 12.5
    # No event, no poll: only time passes, and the same record turns stale.
    assert record.state(T0 + 40.5) is Freshness.STALE
    assert record.stale_reason(T0 + 40.5) is StaleReason.OVERDUE
    assert record.error is None


def test_a_failed_poll_makes_young_data_stale_and_a_success_clears_it() -> None:
    record = succeeded(SectionRecord("cpu", max_age=120.0), 17, T0, T0)
    record = failed(record, _error(T0 + 5))
    record = failed(record, _error(T0 + 10))
    assert record.state(T0 + 11) is Freshness.STALE
    assert record.stale_reason(T0 + 11) is StaleReason.FAILED
    assert record.failures == 2
    assert record.value is not None
    assert record.value.data == 17  # the last good data stays, shown as stale
    assert record.collected_at == T0  # and keeps the time the router gave it
    assert record.outcome is Outcome.FAILED
    assert record.error is not None
    assert record.error.code is ErrorCode.TIMEOUT
    record = succeeded(record, 18, T0 + 20, T0 + 20)
    assert record.state(T0 + 21) is Freshness.FRESH
    assert (record.failures, record.error) == (0, None)
    assert record.last_error is not None  # history of what went wrong is kept


def test_a_clock_behind_the_router_never_gives_a_negative_age() -> None:
    record = succeeded(SectionRecord("cpu", max_age=60.0), 1, T0 + 5, T0 + 5)
    assert record.age(T0) == 0.0
    assert record.state(T0) is Freshness.FRESH


def test_partial_data_keeps_the_router_text_and_a_complete_answer_drops_it() -> None:
    warning = ParseWarning("row has 3 fields, header 6", "  pool-x  12  ", 7)
    record = succeeded(
        SectionRecord("ip_pools", max_age=40.0), "pools", T0, T0, raw="TEXT", warnings=[warning]
    )
    assert record.partial
    assert record.outcome is Outcome.PARTIAL
    assert record.raw == "TEXT"
    assert record.value is not None
    assert record.value.warnings == (warning,)
    assert record.state(T0) is Freshness.FRESH  # partial is shown (and marked), not hidden
    record = succeeded(record, "pools", T0 + 15, T0 + 15, raw="TEXT")
    assert not record.partial
    assert record.raw is None


def test_derived_value_takes_the_oldest_input_time_and_fails_with_its_inputs() -> None:
    online = succeeded(SectionRecord("online_total", 40.0), 100, T0 + 10, T0 + 10)
    pools = succeeded(SectionRecord("ip_pools", 40.0), "pools", T0, T0)
    summary = derive(SectionRecord("subscribers", 40.0), "summary", [online, pools], T0 + 30)
    assert summary.collected_at == T0  # the oldest answer it shows, never "now" (T0 + 30)
    assert summary.state(T0 + 30) is Freshness.FRESH
    pools = failed(pools, _error(T0 + 30))
    summary = derive(summary, "summary", [online, pools], T0 + 30)
    assert summary.state(T0 + 30) is Freshness.STALE
    assert summary.error is not None
    assert summary.error.at == T0 + 30


def test_an_input_that_never_answered_does_not_make_the_rest_stale() -> None:
    online = succeeded(SectionRecord("online_total", 40.0), 100, T0, T0)
    slots = failed(SectionRecord("slots", 40.0), _error(T0, ErrorCode.REJECTED))
    summary = derive(SectionRecord("subscribers", 40.0), "summary", [online, slots], T0)
    assert summary.state(T0) is Freshness.FRESH
    assert summary.collected_at == T0
    nothing = derive(SectionRecord("subscribers", 40.0), "summary", [slots], T0)
    assert nothing.value is None
    assert nothing.state(T0) is Freshness.NEVER


def test_derived_value_is_partial_when_an_input_is() -> None:
    warning = ParseWarning("bad row", "x", 3)
    online = succeeded(SectionRecord("online_total", 40.0), 1, T0, T0)
    pools = succeeded(SectionRecord("ip_pools", 40.0), "p", T0, T0, raw="R", warnings=[warning])
    summary = derive(SectionRecord("subscribers", 40.0), "s", [online, pools], T0)
    assert summary.outcome is Outcome.PARTIAL
    assert summary.partial


def test_error_codes_are_stable_and_parse_errors_name_the_line() -> None:
    assert classify(RouterTimeout("slow")) is ErrorCode.TIMEOUT
    assert classify(RouterUnreachable("refused")) is ErrorCode.UNREACHABLE
    assert classify(SessionLost("dropped")) is ErrorCode.SESSION_LOST
    assert classify(CommandRejected("no", router_message="Error: x")) is ErrorCode.REJECTED
    assert classify(RouterCommandError("Error: Wrong parameter")) is ErrorCode.REJECTED
    assert classify(UnknownCommandError("unknown")) is ErrorCode.UNSUPPORTED
    assert classify(ValueError("bug")) is ErrorCode.INTERNAL
    error = ParseError(
        "expected a header", line="P00l  x", line_number=4, command="display ip pool"
    )
    details = section_error(error, T0)
    assert details.code is ErrorCode.PARSE_ERROR
    assert (details.line, details.line_number, details.command) == ("P00l  x", 4, "display ip pool")
    assert "expected a header" in details.detail


def test_failure_shape_ignores_numbers_and_spacing() -> None:
    assert shape_of("  Total users   :  1534 ") == shape_of("Total users : 99")
    assert shape_of("Total users : 1") != shape_of("Tota1 users : 1")
    assert shape_of(None) == ""
