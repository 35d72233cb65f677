"""Numbers as the operator reads them: scaled rates, signed changes, and a dash (never 0)
for missing data."""

from __future__ import annotations

import math

import pytest

from app.engine.pool import PoolState
from app.ui.formatting import (
    DASH,
    NumberStyle,
    format_bps,
    format_count,
    format_delta,
    format_duration,
    format_percent,
    rate_unit,
    use_number_style,
)
from app.ui.views.overview import RouterRow, total_subscribers
from app.ui.views.subscribers import change_over, span_text
from app.ui.views.system import slot_key


@pytest.mark.parametrize(
    ("bps", "text"),
    [
        (None, DASH),
        (math.nan, DASH),
        (0.0, "0 bps"),
        (950.0, "950 bps"),
        (1_500.0, "1.5 kbps"),
        (830_000.0, "830 kbps"),
        (12_345_678.0, "12.3 Mbps"),
        (2_500_000_000.0, "2.5 Gbps"),
        (150e9, "150 Gbps"),
    ],
)
def test_format_bps_scales_units(bps: float | None, text: str) -> None:
    assert format_bps(bps) == text


def test_rate_unit_follows_the_peak() -> None:
    assert rate_unit(None) == ("bps", 1.0)
    assert rate_unit(999.0) == ("bps", 1.0)
    assert rate_unit(1_000.0) == ("kbps", 1e3)
    assert rate_unit(4.2e6) == ("Mbps", 1e6)
    assert rate_unit(1e10) == ("Gbps", 1e9)


def test_missing_values_are_a_dash_not_zero() -> None:
    assert format_count(None) == DASH
    assert format_count(0) == "0"
    assert format_count(24155) == "24,155"
    assert format_percent(None) == DASH
    assert format_percent(61.04, 1) == "61.0%"
    assert format_delta(None) == DASH
    assert format_delta(0) == "\u00b10"
    assert format_delta(-3400) == "-3,400"
    assert format_delta(120) == "+120"
    assert format_duration(None) == DASH
    assert format_duration(88 * 86400 + 8 * 3600 + 54 * 60 + 7) == "88d 08h 54m"
    assert format_duration(3725) == "1h 02m"


def test_change_over_needs_two_real_values() -> None:
    assert change_over([]) is None
    assert change_over([(1.0, 100.0)]) is None
    assert change_over([(1.0, None), (2.0, 100.0)]) is None
    change = change_over([(1.0, 100.0), (2.0, None), (3.0, 70.0)])
    assert change is not None
    assert (change.delta, change.span, change.base) == (-30.0, 2.0, 100.0)


def test_a_change_is_alarming_only_past_the_mass_drop_threshold() -> None:
    noise = change_over([(0.0, 25_948.0), (36.0, 25_930.0)])
    assert noise is not None
    assert not noise.alarming(10.0)  # -18 of 25,948
    drop = change_over([(0.0, 25_948.0), (60.0, 23_000.0)])
    assert drop is not None
    assert drop.alarming(10.0)  # -2,948: more than 10 %
    assert not drop.alarming(20.0)
    rise = change_over([(0.0, 100.0), (60.0, 500.0)])
    assert rise is not None
    assert not rise.alarming(10.0)


def test_span_text() -> None:
    assert [span_text(s) for s in (0.4, 36.2, 119.0, 150.0, 300.0)] == [
        "0 s",
        "36 s",
        "119 s",
        "2 min",
        "5 min",
    ]


def test_overview_total_skips_routers_without_data() -> None:
    def row(name: str, subscribers: int | None) -> RouterRow:
        return RouterRow(name, PoolState.CONNECTED, None, subscribers, None, None, 0, None)

    assert total_subscribers([]) is None
    assert total_subscribers([row("a", None)]) is None
    assert total_subscribers([row("a", 10), row("b", None), row("c", 5)]) == 15
    assert total_subscribers([row("a", 0)]) == 0


def test_slots_sort_numerically() -> None:
    assert sorted(["10", "9", "CFCARD", "2"], key=slot_key) == ["2", "9", "10", "CFCARD"]


def test_brazilian_portuguese_groups_with_dots() -> None:
    use_number_style(NumberStyle.for_language("pt_BR"))
    try:
        assert format_count(24155) == "24.155"
        assert format_delta(-3400) == "-3.400"
        assert format_percent(61.04, 1) == "61,0%"
        assert format_bps(1.25e9) == "1,25 Gbps"
        assert format_count(None) == DASH
    finally:
        use_number_style(NumberStyle())
    assert format_count(24155) == "24,155"
