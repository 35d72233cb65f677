"""Plot widgets shared by the views: time axes in local time, decimation, gaps as breaks,
and the steps that keep a following plot's axes still between frames."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem, QWidget

# Round tops for a y axis: the scale changes (and the plot repaints in full) only when the
# data outgrows a step, and the top tick reads as a round figure.
_NICE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
# Bucket widths grow by this factor: a window or plot width change re-buckets only when it
# crosses a step, and the drawn density stays within 1.4x of the target.
_BUCKET_LADDER = math.sqrt(2.0)
FOLLOW_STEP = 0.02  # a following time axis moves in steps of this share of its span


def time_plot(parent: QWidget | None = None, *, left: str = "") -> pg.PlotWidget:
    """A plot with a local-time date axis, clip-to-view and peak downsampling."""
    axis = pg.DateAxisItem(orientation="bottom")  # local time zone by default
    widget = pg.PlotWidget(parent=parent, axisItems={"bottom": axis})
    item = widget.getPlotItem()
    item.showGrid(x=True, y=True, alpha=0.25)
    for name in ("left", "bottom"):  # major and first minor grid lines only: cheaper frames
        axis_item = item.getAxis(name)
        axis_item.setStyle(maxTickLevel=1)
        # Replaying an axis' picture (tick labels, grid) cost ~3 ms a frame in the profile,
        # even when its range had not moved; cached, it is a blit until the range changes.
        axis_item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    item.setClipToView(True)
    item.setDownsampling(auto=True, mode="peak")
    item.setMenuEnabled(False)
    item.hideButtons()
    if left:
        item.setLabel("left", left)
    widget.setMinimumHeight(160)
    return widget


def points_to_arrays(points: Iterable[tuple[float, float | None]]) -> tuple[np.ndarray, np.ndarray]:
    """History points to (times, values) arrays; a None becomes NaN (a break in the line)."""
    rows = list(points)
    times = np.fromiter((t for t, _ in rows), dtype=float, count=len(rows))
    values = np.fromiter(
        (np.nan if v is None else v for _, v in rows), dtype=float, count=len(rows)
    )
    return times, values


def set_curve(curve: pg.PlotDataItem, times: np.ndarray, values: np.ndarray) -> None:
    """Show the data with gaps kept as gaps (connect only finite neighbours)."""
    if len(times) == 0:
        curve.setData([], [])
        return
    curve.setData(times, values, connect="finite")


def follow_now(plot: pg.PlotWidget, window: float, oldest: float | None, now: float) -> None:
    """Show the chosen window ending now, or from the oldest sample when the data covers
    less (a fresh start shows its few minutes readably instead of a sliver at the edge).

    The end moves in steps of 2 % of the span (the plot ends up to that far past now), so
    a view redrawn every second does not re-lay its time axis every second."""
    span = window if oldest is None else min(window, max(now - oldest, 30.0))
    start, end = stepped_range(window, oldest, now, FOLLOW_STEP * span)
    left, right = plot.getPlotItem().vb.viewRange()[0]
    if (left, right) != (start, end):
        plot.setXRange(start, end, padding=0)


def decimate(
    times: np.ndarray, values: np.ndarray, max_points: int
) -> tuple[np.ndarray, np.ndarray]:
    """Peak decimation for drawing: each bucket becomes its min and max (spikes survive).

    A bucket with no value at all stays NaN (a visible gap); a gap narrower than a bucket
    (less than a pixel at this zoom) cannot be seen anyway.
    """
    count = len(times)
    if count <= max_points or max_points < 4:
        return times, values
    bucket = -(-count // (max_points // 2))
    usable = (count // bucket) * bucket
    # Bucket-major copy: reducing over the first axis runs vectorised across buckets,
    # several times faster than many tiny reductions along the last axis.
    shaped = np.ascontiguousarray(values[:usable].reshape(-1, bucket).T)
    low = np.fmin.reduce(shaped, axis=0)
    high = np.fmax.reduce(shaped, axis=0)
    starts = times[:usable:bucket]
    middles = times[bucket // 2 : usable : bucket]
    out_t = np.empty(2 * len(starts))
    out_v = np.empty(2 * len(starts))
    out_t[0::2], out_t[1::2] = starts, middles
    # Keep the time order of each bucket's extremes irrelevant: draw min then max.
    out_v[0::2], out_v[1::2] = low, high
    if usable < count:  # the newest, partial bucket as it is
        out_t = np.concatenate((out_t, times[usable:]))
        out_v = np.concatenate((out_v, values[usable:]))
    return out_t, out_v


def nice_ceiling(value: float) -> float:
    """The smallest round figure (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k) >= value."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in _NICE_STEPS:
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10.0 * power


def bucket_width(span: float, pixels: float, pixels_per_bucket: float) -> float:
    """Seconds per drawing bucket for `span` seconds over `pixels` pixels, from a fixed
    ladder of widths (so that the buckets, and the cached picture, stay valid while the
    window slides and only change when the zoom really does)."""
    target = max(span, 1.0) * pixels_per_bucket / max(pixels, 1.0)
    rung = math.ceil(math.log(target, _BUCKET_LADDER) - 1e-9)
    return float(_BUCKET_LADDER**rung)


def stepped_range(
    window: float, oldest: float | None, now: float, step: float
) -> tuple[float, float]:
    """The visible time range: the window ending at `now` rounded up to `step` (so the
    axis moves once a step, not every frame), or from the oldest sample when the data
    covers less (a fresh start shows its few minutes readably), at least 30 s."""
    end = math.ceil(now / step) * step
    start = end - window
    if oldest is not None and oldest > start:
        start = oldest
    return min(start, end - 30.0), end
