"""In-memory ring buffers: bounded, ordered, gaps kept as None, time slicing."""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.history import History, RingSeries


def test_series_keeps_points_in_order_until_full() -> None:
    series = RingSeries(4)
    series.append(10.0, 1.0)
    series.append(20.0, None)
    series.append(30.0, 3)
    assert len(series) == 3
    assert series.points() == [(10.0, 1.0), (20.0, None), (30.0, 3.0)]
    assert series.latest() == (30.0, 3.0)


def test_full_series_overwrites_the_oldest_point() -> None:
    series = RingSeries(3)
    for second in range(1, 6):
        series.append(float(second), second * 10.0)
    assert len(series) == 3
    assert series.points() == [(3.0, 30.0), (4.0, 40.0), (5.0, 50.0)]
    assert series.latest() == (5.0, 50.0)


def test_gap_stays_none_never_zero() -> None:
    series = RingSeries(2)
    series.append(1.0, None)
    series.append(2.0, 0.0)
    assert series.points() == [(1.0, None), (2.0, 0.0)]


def test_between_is_inclusive_and_open_ended_across_the_wrap() -> None:
    series = RingSeries(5)
    for second in range(10):  # holds 5..9, physically wrapped
        series.append(float(second), float(second))
    assert series.between(6.0, 8.0) == [(6.0, 6.0), (7.0, 7.0), (8.0, 8.0)]
    assert series.between(6.5, 7.5) == [(7.0, 7.0)]
    assert series.between(None, 5.0) == [(5.0, 5.0)]
    assert series.between(8.0, None) == [(8.0, 8.0), (9.0, 9.0)]
    assert series.between(0.0, 4.0) == []
    assert series.between(20.0, 30.0) == []


def test_equal_timestamps_are_accepted_but_time_may_not_go_back() -> None:
    series = RingSeries(3)
    series.append(5.0, 1.0)
    series.append(5.0, 2.0)
    with pytest.raises(ValueError, match="older than the newest"):
        series.append(4.0, 3.0)
    assert series.points() == [(5.0, 1.0), (5.0, 2.0)]


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="capacity"):
        RingSeries(0)


def test_clear_empties_the_series() -> None:
    series = RingSeries(2)
    series.append(1.0, 1.0)
    series.clear()
    assert len(series) == 0
    assert series.latest() is None
    assert series.between() == []


@settings(max_examples=150, deadline=None)
@given(
    capacity=st.integers(min_value=1, max_value=12),
    steps=st.lists(
        st.tuples(st.integers(min_value=0, max_value=3), st.none() | st.floats(-1e6, 1e6)),
        max_size=40,
    ),
    bounds=st.tuples(st.integers(0, 80), st.integers(0, 80)),
)
def test_ring_matches_a_plain_list_model(
    capacity: int, steps: list[tuple[int, float | None]], bounds: tuple[int, int]
) -> None:
    series = RingSeries(capacity)
    model: list[tuple[float, float | None]] = []
    now = 0.0
    for advance, value in steps:
        now += advance
        series.append(now, value)
        model.append((now, value))
    kept = model[-capacity:] if model else []
    start, end = min(bounds), max(bounds)
    assert series.points() == kept
    assert series.between(start, end) == [point for point in kept if start <= point[0] <= end]


def test_history_records_per_router_and_metric() -> None:
    history = History(capacity=3)
    history.record_many("r1", 100.0, {"cpu.percent": 12.0, "subscribers.total": None})
    history.record("r2", "cpu.percent", 100.0, 50.0)
    history.record("r1", "cpu.percent", 110.0, 14.0)
    assert history.between("r1", "cpu.percent") == [(100.0, 12.0), (110.0, 14.0)]
    assert history.between("r1", "subscribers.total") == [(100.0, None)]
    assert history.latest("r2", "cpu.percent") == (100.0, 50.0)
    assert history.metrics("r1") == ["cpu.percent", "subscribers.total"]
    assert history.between("r3", "cpu.percent") == []
    assert history.latest("r3", "cpu.percent") is None


def test_history_caps_series_evicting_least_recently_written() -> None:
    history = History(capacity=2, max_series=2)
    history.record("r1", "a", 1.0, 1.0)
    history.record("r1", "b", 1.0, 2.0)
    history.record("r1", "a", 2.0, 3.0)  # `a` is now the most recently written
    history.record("r1", "c", 2.0, 4.0)  # evicts `b`
    assert len(history) == 2
    assert history.evicted == 1
    assert history.series("r1", "b") is None
    assert history.between("r1", "a") == [(1.0, 1.0), (2.0, 3.0)]


def test_remove_router_forgets_only_that_router() -> None:
    history = History()
    history.record("r1", "a", 1.0, 1.0)
    history.record("r2", "a", 1.0, 2.0)
    history.remove_router("r1")
    assert history.metrics("r1") == []
    assert history.latest("r2", "a") == (1.0, 2.0)


def test_a_series_allocates_everything_up_front() -> None:
    """Filling a series (the first hours of polling) must not grow memory: the live views
    run for weeks, and a buffer that only looks bounded still costs RAM per point."""

    series = RingSeries(capacity=2_000)
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for step in range(5_000):
            series.append(float(step), None if step % 7 == 0 else step * 1.5)
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after - before < 1_000  # bytes: no per-point objects are kept
    assert series.latest() == (4_999.0, 4_999 * 1.5)
    assert series.between(4_998.0)[0] == (4_998.0, None)  # 4998 = 7 * 714: a gap stays a gap
