"""`/api/history?rollups=1`: the 5-minute buckets keep their minimum, maximum and counts,
also when the answer has to be decimated (peaks are not averaged away)."""

from __future__ import annotations

from app.feed.history import decimate, decimate_rollups


def test_rollups_are_grouped_like_their_points() -> None:
    rollups = [
        (0.0, 10.0, 5.0, 30.0, 60, 0),
        (300.0, None, None, None, 0, 60),  # every poll failed: a gap
        (600.0, 20.0, 1.0, 90.0, 30, 30),
        (900.0, 40.0, 39.0, 41.0, 60, 0),
    ]
    merged = decimate_rollups(rollups, 2)
    assert merged == [
        (0.0, 10.0, 5.0, 30.0, 60, 60),
        (600.0, (20.0 * 30 + 40.0 * 60) / 90, 1.0, 90.0, 90, 30),
    ]
    points = [(r[0], r[1]) for r in rollups]
    grouped, _step = decimate(points, 2)
    assert [p[0] for p in grouped] == [r[0] for r in merged]
    assert decimate_rollups(rollups, 10) == rollups


def test_a_group_of_gaps_stays_a_gap() -> None:
    gaps = [(0.0, None, None, None, 0, 60), (300.0, None, None, None, 0, 60)]
    assert decimate_rollups(gaps, 1) == [(0.0, None, None, None, 0, 120)]
