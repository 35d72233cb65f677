"""The steps that keep a following plot still between frames: round y tops, a ladder of
bucket widths, a time range that moves in steps (pytest-qt for the plot itself)."""

from __future__ import annotations

import math

import pytest
from pytestqt.qtbot import QtBot

from app.ui.plots import bucket_width, follow_now, nice_ceiling, stepped_range, time_plot


@pytest.mark.parametrize(
    ("value", "top"),
    [(6.3e9, 8e9), (1e9, 1e9), (1.05e9, 1.2e9), (2.1e11, 2.5e11), (0.0, 1.0), (-5.0, 1.0)],
)
def test_nice_ceiling_is_the_next_round_figure(value: float, top: float) -> None:
    assert nice_ceiling(value) == pytest.approx(top)


def test_bucket_widths_come_from_a_fixed_ladder() -> None:
    width = bucket_width(86400, 1000, 2)
    assert 86400 * 2 / 1000 <= width < 86400 * 2 / 1000 * math.sqrt(2)
    rung = math.log(width, math.sqrt(2))
    assert rung == pytest.approx(round(rung))
    # A slightly wider plot or a sliding span keeps the same buckets (and the cache).
    assert bucket_width(86400, 1001, 2) == width
    assert bucket_width(900, 1000, 2) < width


def test_stepped_range_moves_once_a_step() -> None:
    assert stepped_range(900, None, 1000.5, 10) == (110.0, 1010.0)
    assert stepped_range(900, None, 1009.0, 10) == (110.0, 1010.0)  # same step: same range
    assert stepped_range(900, None, 1010.5, 10) == (120.0, 1020.0)
    # A fresh start shows its few minutes, at least 30 s.
    assert stepped_range(900, 990.0, 1000.5, 10) == (980.0, 1010.0)
    assert stepped_range(900, 950.0, 1000.5, 10) == (950.0, 1010.0)


def test_follow_now_keeps_the_axis_still_within_a_step(qtbot: QtBot) -> None:
    plot = time_plot()
    qtbot.addWidget(plot)
    step = 0.02 * 900  # 2 % of the 15-minute window
    now = step * 94_444_444 + 1.0  # just past a step
    follow_now(plot, 900, now - 2000, now)
    first = plot.getPlotItem().vb.viewRange()[0]
    assert first == pytest.approx([now - 1.0 + step - 900, now - 1.0 + step])
    follow_now(plot, 900, now - 2000, now + 1)  # the next second: within the same step
    assert plot.getPlotItem().vb.viewRange()[0] == first
    follow_now(plot, 900, now - 2000, now + 60)
    assert plot.getPlotItem().vb.viewRange()[0][1] >= now + 60
