"""`/api/history` over real HTTP: series with their times, gaps as null, bounds and 400s."""

from __future__ import annotations

import time

import pytest

from app.feed.history import MAX_METRICS
from tests.integration.feed.conftest import MakeRig, Message
from tests.integration.feed.test_feed_openapi import served_document

ROUTER = "sim"


def record(rig: object, metric: str, points: list[tuple[float, float | None]]) -> None:
    for t, value in points:
        rig.monitor.history.record(ROUTER, metric, t, value)  # type: ignore[attr-defined]


async def test_series_come_with_their_times_and_gaps_stay_null(make_rig: MakeRig) -> None:
    rig = await make_rig(start_monitor=False)
    now = time.time()
    total = [(now - 300, 25000.0), (now - 200, None), (now - 100, 25010.0)]
    record(rig, "subscribers.total", total)
    record(rig, "if.Eth-Trunk1.in_bps", [(now - 100, 1.5e9)])
    status, body = await rig.get(
        "/api/history",
        params=[
            ("metric", "subscribers.total"),
            ("metric", "if.Eth-Trunk1.in_bps"),
            ("metric", "cpu.percent"),  # nothing recorded: an empty series, not zeros
            ("since", "-3600"),
        ],
    )
    assert status == 200
    (served := await served_document(rig)).check("HistoryAnswer", body)
    assert body["router"] == ROUTER
    assert body["until_epoch"] - body["since_epoch"] == pytest.approx(3600, abs=1)
    series = {s["metric"]: s for s in body["series"]}
    assert list(series) == ["subscribers.total", "if.Eth-Trunk1.in_bps", "cpu.percent"]
    assert series["subscribers.total"]["points"] == [
        [pytest.approx(t, abs=0.001), v] for t, v in total
    ]
    assert series["subscribers.total"]["points"][1][1] is None  # the failed poll
    assert series["if.Eth-Trunk1.in_bps"]["points"][0][1] == 1.5e9
    assert series["cpu.percent"]["points"] == []
    assert {s["resolution"] for s in body["series"]} == {"raw"}
    assert not any(s["decimated"] for s in body["series"])

    status, listing = await rig.get("/api/history/metrics")
    assert status == 200
    served.check("HistoryMetricsAnswer", listing)
    assert set(listing["metrics"]) == {"subscribers.total", "if.Eth-Trunk1.in_bps"}


async def test_a_window_selects_points_by_time_in_iso_or_epoch(make_rig: MakeRig) -> None:
    rig = await make_rig(start_monitor=False)
    base = 1_800_000_000.0
    record(rig, "cpu.percent", [(base + i * 10, float(i)) for i in range(10)])
    status, body = await rig.get(
        "/api/history",
        params={
            "metric": "cpu.percent",
            "since": "2027-01-15T08:00:20Z",  # base + 20
            "until": str(base + 50),
        },
    )
    assert status == 200
    assert [p[1] for p in body["series"][0]["points"]] == [2.0, 3.0, 4.0, 5.0]
    assert body["since"] == "2027-01-15T08:00:20.000Z"


async def test_more_points_than_asked_are_averaged_in_groups(make_rig: MakeRig) -> None:
    rig = await make_rig(start_monitor=False)
    now = time.time()
    values = [None, None, 4.0, 6.0, 1.0, None]  # pairs: (gap, gap), (4, 6), (1, gap)
    record(rig, "memory.percent", [(now - 60 + i * 10, v) for i, v in enumerate(values)])
    status, body = await rig.get(
        "/api/history", params={"metric": "memory.percent", "max_points": "3"}
    )
    assert status == 200
    (series,) = body["series"]
    assert series["decimated"] is True
    assert series["step_s"] == pytest.approx(20.0)
    assert [p[1] for p in series["points"]] == [None, 5.0, 1.0]  # a group of gaps stays a gap
    assert series["points"][1][0] == pytest.approx(now - 40, abs=0.001)


@pytest.mark.parametrize(
    ("params", "limit"),
    [
        ({}, None),  # no metric
        ({"metric": "cpu.percent", "since": "yesterday"}, None),
        ({"metric": "cpu.percent", "since": "2026-01-01T00:00:00"}, None),  # no offset
        ({"metric": "cpu.percent", "since": "nan"}, None),
        ({"metric": "cpu.percent", "since": "-10", "until": "-20"}, None),
        ({"metric": "cpu.percent", "since": "-90000", "resolution": "raw"}, 86400.0),
        ({"metric": "cpu.percent", "since": "-40000000"}, 34560000.0),
        ({"metric": "cpu.percent", "resolution": "1min"}, None),
        ({"metric": "cpu.percent", "max_points": "1"}, 10000.0),
        ({"metric": "cpu.percent", "max_points": "lots"}, None),
        ({"metric": "cpu.percent; DROP TABLE samples"}, None),
        ({"metric": "x" * 201}, None),
    ],
)
async def test_bad_parameters_are_a_400_naming_them(
    make_rig: MakeRig, params: dict[str, str], limit: float | None
) -> None:
    rig = await make_rig(start_monitor=False)
    status, body = await rig.get("/api/history", params=params)
    assert status == 400, body
    assert body["success"] is False
    assert body["error"]["code"] == "bad_parameter"
    names = ("metric", "since", "until", "resolution", "max_points")
    assert any(f"`{name}`" in body["error"]["message"] for name in names), body["error"]
    assert body["error"].get("limit") == limit


async def test_too_many_metrics_and_router_choice(make_rig: MakeRig) -> None:
    rig = await make_rig(("east", "west"), start_monitor=False)
    many = [("router", "east")] + [("metric", f"pool.p{i}.percent") for i in range(MAX_METRICS + 1)]
    status, body = await rig.get("/api/history", params=many)
    assert (status, body["error"]["code"]) == (400, "bad_parameter")
    status, body = await rig.get("/api/history", params={"metric": "cpu.percent"})
    assert (status, body["error"]["code"]) == (400, "router_required")
    status, body = await rig.get(
        "/api/history", params={"metric": "cpu.percent", "router": "nowhere"}
    )
    assert (status, body["error"]["code"]) == (404, "unknown_router")
    message: Message = body
    assert message["error"]["routers"] == ["east", "west"]
