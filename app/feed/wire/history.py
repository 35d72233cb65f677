"""`/api/history`: stored series of a router, each point with its time, gaps as null."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from app.feed.wire.base import Epoch, Time, Wire

Point = Annotated[
    tuple[float, float | None],
    msgspec.Meta(
        description="[epoch seconds, value]; value null for a gap (a failed poll, a counter "
        "reset), never 0. Time with no point at all was not recorded (the app was not "
        "running)."
    ),
]


Rollup = Annotated[
    tuple[float, float | None, float | None, float | None, int, int],
    msgspec.Meta(
        description="[bucket start (epoch seconds), average, minimum, maximum, samples, "
        "failed polls] of one 5-minute bucket; the figures are null when every poll in it "
        "failed."
    ),
]


class HistorySeries(Wire, kw_only=True):
    metric: Annotated[
        str,
        msgspec.Meta(
            description="As the engine names it: subscribers.total, cpu.percent, "
            "memory.percent, if.NAME.in_bps, if.NAME.out_bps, pool.NAME.percent."
        ),
    ]
    resolution: Annotated[
        Literal["raw", "5min"],
        msgspec.Meta(description="raw: every poll; 5min: averages of 5-minute buckets."),
    ]
    points: list[Point]
    decimated: Annotated[
        bool,
        msgspec.Meta(
            description="More points than max_points were stored: consecutive points were "
            "averaged (gaps stay null when a group holds nothing but gaps)."
        ),
    ]
    step_s: Annotated[
        float | None,
        msgspec.Meta(description="The time one decimated point covers (null: not decimated)."),
    ]
    rollups: Annotated[
        list[Rollup] | None,
        msgspec.Meta(
            description="With `rollups=1` and 5-minute resolution: each point's bucket with "
            "its minimum, maximum and sample counts (peaks survive the averaging); null "
            "otherwise."
        ),
    ] = None


class HistoryAnswer(Wire, kw_only=True):
    success: Literal[True] = True
    router: str
    timestamp: Time
    since: Time
    since_epoch: Epoch
    until: Time
    until_epoch: Epoch
    series: list[HistorySeries]


class HistoryMetricsAnswer(Wire, kw_only=True):
    success: Literal[True] = True
    router: str
    timestamp: Time
    metrics: Annotated[
        list[str], msgspec.Meta(description="Series with points in the live ring (the last hours).")
    ]
