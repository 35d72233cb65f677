"""Current, peak and 95th percentile of traffic series, and port capacities, against series
whose figures are known (by hand, or by numpy's nearest-rank percentile as a reference)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.traffic_stats import (
    AVERAGE_SECONDS,
    WindowFigures,
    capacity_bps,
    figures_of,
    nearest_rank,
)


def test_nearest_rank_drops_the_top_five_percent() -> None:
    assert nearest_rank([float(v) for v in range(1, 101)]) == 95.0
    assert nearest_rank([float(v) for v in range(1, 21)]) == 19.0  # 20 values: the 19th
    assert nearest_rank([float(v) for v in range(1, 20)]) == 19.0  # 19 values: the top one
    assert nearest_rank([7.0]) == 7.0
    assert nearest_rank([]) is None
    assert nearest_rank([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    with pytest.raises(ValueError, match="percent"):
        nearest_rank([1.0], 0)


def test_figures_of_a_known_series() -> None:
    # 1..100 Mbit/s in a shuffled order, one a minute, with two failed polls among them.
    rng = random.Random(3)
    values = [v * 1e6 for v in range(1, 101)]
    rng.shuffle(values)
    samples: list[tuple[float, float | None]] = [(60.0 * i, v) for i, v in enumerate(values)]
    samples.insert(10, (60.0 * 9 + 30, None))
    samples.insert(50, (60.0 * 48 + 30, None))
    figures = figures_of(samples)
    assert figures.peak == 100e6
    assert figures.peak_at == samples[[v for _, v in samples].index(100e6)][0]
    assert figures.p95 == 95e6  # the gaps are not values
    assert figures.levels == 100
    assert figures.current == samples[-1][1]
    assert figures.current_at == samples[-1][0]
    assert figures.basis == "samples"


def test_a_failed_newest_poll_makes_current_missing_not_the_value_before() -> None:
    figures = figures_of([(0.0, 5e9), (20.0, 6e9), (40.0, None)])
    assert figures.current is None
    assert figures.current_at == 40.0
    assert figures.peak == 6e9


def test_no_values_means_every_figure_missing() -> None:
    assert figures_of([]).peak is None
    figures = figures_of([(0.0, None), (20.0, None)])
    assert (figures.current, figures.peak, figures.p95, figures.levels) == (None, None, None, 0)


def test_samples_out_of_order_are_refused() -> None:
    window = WindowFigures()
    window.add_sample(100.0, 1.0)
    with pytest.raises(ValueError, match="older"):
        window.add_sample(99.0, 1.0)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.floats(min_value=0, max_value=1e12, allow_nan=False)),
        min_size=1,
        max_size=300,
    ),
    width=st.integers(min_value=1, max_value=400),
)
def test_sliding_window_matches_numpy_over_what_is_left(
    values: list[float | None], width: int
) -> None:
    """Add samples one by one and expire the left edge; after each step the figures equal
    numpy's nearest-rank (`inverted_cdf`) percentile and max of the samples still inside."""
    window = WindowFigures()
    times = [10.0 * i for i in range(len(values))]
    for index, (t, value) in enumerate(zip(times, values, strict=True)):
        window.add_sample(t, value)
        start = t - 10.0 * width
        window.expire(start)
        inside = [v for s, v in zip(times[: index + 1], values, strict=False) if s >= start]
        present = [v for v in inside if v is not None]
        figures = window.figures()
        assert figures.current == value
        if not present:
            assert figures.peak is None
            assert figures.p95 is None
            continue
        assert figures.peak == max(present)
        seen = zip(times[: index + 1], values, strict=False)
        first_peak = min(s for s, v in seen if s >= start and v == figures.peak)
        assert figures.peak_at == first_peak  # its earliest time on a tie
        assert figures.p95 == np.percentile(present, 95, method="inverted_cdf")
        assert figures.levels == len(present)


def test_averages_basis_uses_store_rollups_and_folds_live_samples_by_bucket() -> None:
    """A day read from rollups: the percentile is over 5-minute averages (the store's and
    those of complete live buckets), the peak over every polled rate."""
    window = WindowFigures("averages")
    # 20 rollups from the store: averages 1..20 Gbit/s, maxima 0.5 Gbit/s above.
    for index in range(20):
        window.add_average(index * AVERAGE_SECONDS, (index + 1) * 1e9, (index + 1.5) * 1e9)
    live = 20 * AVERAGE_SECONDS
    # A complete live bucket averaging 30 Gbit/s (with a gap that does not count) ...
    for offset, value in ((0, 28e9), (100, None), (200, 32e9)):
        window.add_sample(live + offset, value)
    # ... a bucket of gaps only (no average, as in the store) ...
    window.add_sample(live + AVERAGE_SECONDS + 10, None)
    # ... and the current, incomplete bucket: its 50 Gbit/s is a peak, not yet an average.
    window.add_sample(live + 2 * AVERAGE_SECONDS + 10, 50e9)
    figures = window.figures()
    averages = sorted([*(v * 1e9 for v in range(1, 21)), 30e9])
    assert figures.levels == 21
    assert figures.p95 == averages[math.ceil(0.95 * 21) - 1] == 20e9
    assert figures.peak == 50e9
    assert figures.peak_at == live + 2 * AVERAGE_SECONDS + 10
    assert figures.current == 50e9
    assert figures.basis == "averages"
    # The next sample closes the 50 Gbit/s bucket: now it is an average too.
    window.add_sample(live + 3 * AVERAGE_SECONDS, 1e9)
    assert window.figures().levels == 22
    assert window.figures().p95 == 30e9
    # The window moves past the first ten rollups.
    window.expire(10 * AVERAGE_SECONDS)
    figures = window.figures()
    assert figures.levels == 12
    assert figures.p95 == 50e9  # 12 values: the 12th (nearest rank of 11.4)
    assert figures.peak == 50e9


@pytest.mark.parametrize(
    ("text", "bps"),
    [
        ("10G", 10_000_000_000),
        ("1G", 1_000_000_000),
        ("100G", 100_000_000_000),
        ("0M", 0),
        ("200M", 200_000_000),
        ("100Mbps", 100_000_000),
        ("100 Mbits", 100_000_000),
        ("2.5G", 2_500_000_000),
        ("64k", 64_000),
        ("100", None),  # wrapped onto the next line in a real capture: no unit, no guess
        ("", None),
        ("fast", None),
        (None, None),
    ],
)
def test_capacity_of_port_bandwidth_texts(text: str | None, bps: int | None) -> None:
    assert capacity_bps(text) == bps
