"""`display pppoe statistics [slot N]` against the published example."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from app.domain.errors import ParseError
from app.domain.subscribers import PppoeStatistics
from app.vrp.catalog import parse_output, resolve
from app.vrp.pppoe import parse_pppoe_statistics
from tests.support.fixtures import fixture_text, fixtures_for
from tests.support.mutations import mangled_or_random

(FIXTURE,) = fixtures_for("display-pppoe-statistics")


def test_pppoe_statistics_fixture() -> None:
    result = parse_pppoe_statistics(fixture_text(FIXTURE))
    assert result.slot == "1"
    counters = result.counters
    assert counters["ACTIVE_SESSION"] == 3
    assert counters["TOTAL_SESSION"] == 3
    assert counters["RECV_PADI_PKT"] == 6
    assert counters["DISCARD_PADI_PKT"] == 2  # second column of the same line
    assert counters["DISCARD_PADR_SAMEMAC"] == 0
    assert counters["RECV_PKT"] == 19
    assert counters["DISCARD_PKT"] == 3
    assert counters["Invalid PAD Tag length"] == 0
    assert counters["Total Invalid PAD packets"] == 0
    assert len(counters) == 33
    assert result.per_slot == {"1": counters}


def test_pppoe_statistics_through_the_catalog() -> None:
    assert resolve("dis pppoe stat slot 1").canonical == "display pppoe statistics slot 1"
    result = parse_output("display pppoe statistics slot 1", fixture_text(FIXTURE))
    assert result.counters["SEND_PADS_PKT"] == 3


def test_several_slots_are_kept_and_summed() -> None:
    text = """<NE8000> display pppoe statistics
---------------------------------------------------------------------
                       PPPoE Statistic Information
                                                 Slot:  1
  ---------------------------------------------------------------------
 ACTIVE_SESSION      : 3            TOTAL_SESSION       : 5
 RECV_PADI_PKT       : 18446744073709551616
---------------------------------------------------------------------
                       PPPoE Statistic Information
                                                 Slot:  3
  ---------------------------------------------------------------------
 ACTIVE_SESSION      : 10           TOTAL_SESSION       : 12
 RECV_PADI_PKT       : 1
<NE8000>"""
    result = parse_pppoe_statistics(text)
    assert result.slot is None
    assert result.per_slot["1"]["ACTIVE_SESSION"] == 3
    assert result.per_slot["3"]["TOTAL_SESSION"] == 12
    assert result.counters == {
        "ACTIVE_SESSION": 13,
        "TOTAL_SESSION": 17,
        "RECV_PADI_PKT": 18446744073709551617,
    }


def test_output_without_slot_line() -> None:
    result = parse_pppoe_statistics(" ACTIVE_SESSION      : 7            TOTAL_SESSION  : 9\n")
    assert result == PppoeStatistics(counters={"ACTIVE_SESSION": 7, "TOTAL_SESSION": 9})


@pytest.mark.parametrize(
    ("text", "line_number"),
    [
        (" ACTIVE_SESSION      : lots\n", 1),
        ("   PPPoE Statistic Information\n", 1),
    ],
)
def test_not_counters_is_an_error(text: str, line_number: int | None) -> None:
    with pytest.raises(ParseError) as caught:
        parse_pppoe_statistics(text)
    assert caught.value.line_number == line_number


@settings(max_examples=150, deadline=None)
@given(text=mangled_or_random([fixture_text(FIXTURE)]))
def test_parser_returns_a_model_or_raises_parse_error(text: str) -> None:
    try:
        result = parse_pppoe_statistics(text)
    except ParseError:
        return
    assert isinstance(result, PppoeStatistics)
    assert result.counters


def test_a_line_that_is_not_counters_is_a_warning() -> None:
    result = parse_pppoe_statistics(" ACTIVE_SESSION      : 3\n 12 34 56\n")
    assert result.counters == {"ACTIVE_SESSION": 3}
    (warning,) = result.warnings
    assert (warning.line, warning.line_number) == (" 12 34 56", 2)


def test_info_note_before_the_counters_is_skipped() -> None:
    text = "Info: The statistics are being collected.\n ACTIVE_SESSION      : 1\n"
    assert parse_pppoe_statistics(text).counters == {"ACTIVE_SESSION": 1}
