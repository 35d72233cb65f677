"""Per-pixel min/max buckets of a plotted series: built incrementally they equal a rebuild
from scratch, spikes survive, gaps stay gaps (NaN buckets and missing time alike)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ui.peak_buckets import PeakBuckets, SeriesPoints, typical_step


def raw(t: list[float], v: list[float]) -> tuple[np.ndarray, ...]:
    times = np.array(t, dtype=float)
    values = np.array(v, dtype=float)
    return times, times.copy(), values, values.copy(), values.copy()


def drawn(buckets: PeakBuckets, gap: float = math.inf) -> list[tuple[float, float]]:
    """The line as drawn: its points, a repeated point (a bucket's separator where the
    line goes on) counted once; NaN points (breaks) kept."""
    x, y = buckets.drawable(gap)
    line: list[tuple[float, float]] = []
    for point in zip(x.tolist(), y.tolist(), strict=True):
        if not line or point != line[-1] or math.isnan(point[1]):
            line.append(point)
    return line


def test_each_bucket_draws_its_low_then_its_high() -> None:
    points = SeriesPoints()
    points.extend(*raw([0, 5, 10, 15, 20, 25], [4, 9, 1, 3, 3, 8]))
    buckets = PeakBuckets(10.0)
    buckets.rebuild(points)
    assert drawn(buckets) == [(0, 4), (5, 9), (10, 1), (15, 3), (20, 3), (25, 8)]
    wide = PeakBuckets(30.0)
    wide.rebuild(points)
    assert drawn(wide) == [(0, 1), (25, 9)]  # the spike (9) and the dip (1) both survive


def test_a_bucket_of_gaps_only_is_a_break_and_a_single_gap_inside_a_bucket_is_not() -> None:
    points = SeriesPoints()
    points.extend(*raw([0, 10, 20, 30], [5, math.nan, math.nan, 7]))
    fine = PeakBuckets(10.0)
    fine.rebuild(points)
    values = [v for _, v in drawn(fine)]
    assert values[0] == 5
    assert values[-1] == 7
    assert all(math.isnan(v) for v in values[2:6])
    coarse = PeakBuckets(20.0)  # [0, 10] and [20, 30]: each keeps its one value
    coarse.rebuild(points)
    assert drawn(coarse) == [(0, 5), (10, 5), (20, 7), (30, 7)]


def test_the_line_breaks_where_no_data_exists_for_longer_than_the_gap() -> None:
    points = SeriesPoints()
    points.extend(*raw([0, 20, 40, 3600, 3620], [1, 2, 3, 4, 5]))
    buckets = PeakBuckets(10.0)
    buckets.rebuild(points)
    line = drawn(buckets, gap=60.0)
    breaks = [index for index, (_, v) in enumerate(line) if math.isnan(v)]
    assert len(breaks) == 1
    assert line[breaks[0] - 1][0] == 40
    assert line[breaks[0] + 1][0] == 3600
    assert not np.isnan(buckets.drawable(gap=4000.0)[1]).any()


def test_rollups_and_raw_samples_draw_alike() -> None:
    """A 5-minute rollup spans its bucket: consecutive rollups and the raw samples after
    them are continuous; a missing rollup is a break."""
    points = SeriesPoints()
    starts = np.array([0.0, 300.0, 900.0])  # 600 is missing
    low, high = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    points.extend(starts, starts + 300, low, high, (low + high) / 2)
    points.extend(*raw([1205, 1225], [7, 8]))
    buckets = PeakBuckets(100.0)
    buckets.rebuild(points)
    line = drawn(buckets, gap=60.0)
    assert [x for x, y in line if math.isnan(y)] == [300.0]  # only after the 300 bucket
    # 1205 and 1225 share a bucket
    assert [y for _, y in line if not math.isnan(y)] == [1, 4, 2, 5, 3, 6, 7, 8]


def test_appending_reports_where_the_drawing_changed() -> None:
    points = SeriesPoints()
    points.extend(*raw([0, 5, 10, 15], [1, 2, 3, 4]))
    buckets = PeakBuckets(10.0)
    buckets.rebuild(points)
    # Into the last bucket [10, 20): the line changes from the bucket before it ends.
    new = raw([18], [9])
    points.extend(*new)
    assert buckets.add(*new[:4]) == 5.0
    # A new bucket [20, 30): from the last point of [10, 20).
    new = raw([21, 22], [0, 1])
    points.extend(*new)
    assert buckets.add(*new[:4]) == 18.0
    assert buckets.add(*raw([], [])[:4]) is None


def test_refuses_points_older_than_the_newest() -> None:
    points = SeriesPoints()
    points.extend(*raw([10], [1]))
    with pytest.raises(ValueError, match="older"):
        points.extend(*raw([5], [1]))


def test_typical_step_is_the_median_spacing() -> None:
    assert typical_step(np.array([0.0, 20, 40, 61, 80, 500])) == 20.0
    assert typical_step(np.array([0.0])) is None


@settings(max_examples=80, deadline=None)
@given(
    batches=st.lists(
        st.lists(
            st.tuples(
                st.floats(min_value=0.5, max_value=40),
                st.one_of(st.just(math.nan), st.floats(min_value=0, max_value=1e11)),
            ),
            min_size=0,
            max_size=12,
        ),
        min_size=1,
        max_size=25,
    ),
    width=st.floats(min_value=1, max_value=120),
    window=st.floats(min_value=30, max_value=2000),
)
def test_incremental_buckets_equal_a_rebuild(
    batches: list[list[tuple[float, float]]], width: float, window: float
) -> None:
    """Batches of samples arrive and the window's left edge moves on; the buckets kept up
    to date step by step draw exactly what buckets rebuilt from the remaining points draw."""
    points = SeriesPoints()
    buckets = PeakBuckets(width)
    t = 1_700_000_000.0
    for batch in batches:
        times, values = [], []
        for step, value in batch:
            t += step
            times.append(t)
            values.append(value)
        new = raw(times, values)
        points.extend(*new)
        buckets.add(*new[:4])
        points.drop_before(t - window)
        buckets.drop_before(points)
        fresh = PeakBuckets(width)
        fresh.rebuild(points)
        for ours, theirs in zip(buckets.drawable(60.0), fresh.drawable(60.0), strict=True):
            np.testing.assert_array_equal(ours, theirs)
