"""Settings values mapped onto the poller, cache, alert and rate-limit configuration."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.engine.alerts import AlertThresholds
from app.engine.poller import DataSet, PollIntervals
from app.engine.ratelimit import LimitKind
from app.engine.settings import (
    MIN_CACHE_TTL,
    MIN_POLL_INTERVAL,
    RateLimits,
    Settings,
    Thresholds,
)
from app.engine.tuning import alert_thresholds, cache_ttls, poll_intervals, rate_limits


def test_defaults_map_onto_the_engine_defaults() -> None:
    settings = Settings()
    # The settings file names the other ports' pace (60 s); the engine's default derives the
    # same pace from the traffic interval (three polls), so both poll alike.
    assert poll_intervals(settings) == replace(PollIntervals(), traffic_others=60.0)
    assert poll_intervals(settings).traffic_rounds == PollIntervals().traffic_rounds == 3
    assert cache_ttls(settings) == {
        "interfaces": 45.0,
        "pppoe": 20.0,
        "system": 60.0,
        "traffic": 30.0,
    }
    assert alert_thresholds(settings) == AlertThresholds()


def test_poll_scale_never_goes_below_the_minimums() -> None:  # issue 14 item 5
    intervals = poll_intervals(Settings(), scale=0.001)
    assert {intervals.of(dataset) for dataset in DataSet} == {MIN_POLL_INTERVAL}
    assert set(cache_ttls(Settings(), scale=0.001).values()) == {MIN_CACHE_TTL}
    # Only for simulators the caller started itself may the floor be lowered.
    fast = poll_intervals(Settings(), scale=0.01, floor=0.0)
    assert fast.subscribers == pytest.approx(0.15)
    assert cache_ttls(Settings(), scale=0.01, floor=0.0)["pppoe"] == pytest.approx(0.2)


def test_poll_scale_shrinks_every_interval_and_ttl() -> None:
    intervals = poll_intervals(Settings(), scale=0.5)
    assert (intervals.interfaces, intervals.subscribers, intervals.system, intervals.traffic) == (
        15.0,
        7.5,
        22.5,
        10.0,
    )
    assert cache_ttls(Settings(), scale=0.5)["pppoe"] == 10.0
    with pytest.raises(ValueError, match="positive"):
        poll_intervals(Settings(), scale=0)


def test_thresholds_below_the_default_clear_level_keep_hysteresis() -> None:
    settings = replace(
        Settings(),
        thresholds=Thresholds(cpu_percent=60.0, memory_percent=70.0, pool_percent=50.0),
    )
    thresholds = alert_thresholds(settings)
    assert (thresholds.cpu_percent, thresholds.cpu_clear_percent) == (60.0, 55.0)
    assert (thresholds.memory_percent, thresholds.memory_clear_percent) == (70.0, 65.0)
    assert (thresholds.pool_percent, thresholds.pool_clear_percent) == (50.0, 45.0)


def test_mass_drop_settings() -> None:
    settings = replace(
        Settings(), thresholds=Thresholds(mass_drop_percent=4.0, mass_drop_window=1800.0)
    )
    thresholds = alert_thresholds(settings)
    assert thresholds.drop_percent == 4.0
    assert thresholds.drop_recover_percent == 2.0  # must stay below the drop percent
    assert thresholds.drop_window_seconds == 1800.0
    assert thresholds.drop_settle_seconds == 1800.0


def test_rate_limits() -> None:
    settings = replace(Settings(), rate_limits=RateLimits(commands=3, data=50, diagnostics=2))
    assert rate_limits(settings) == {
        LimitKind.COMMAND: 3,
        LimitKind.DATA: 50,
        LimitKind.DIAGNOSTIC: 2,
    }
