"""The Traffic tab over the real engine and a simulated NE8000 (loopback SSH, pytest-qt,
offscreen): its window comes from history, also after a restart of the runtime; the port's
bandwidth is a capacity line; current, peak and 95th percentile are the figures of the
series shown (checked against a series whose figures are known)."""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.bootstrap import HISTORY_FILE, AppPaths, start_runtime
from app.domain.router import RouterIdentity
from app.engine.history_store import HistoryStore
from app.engine.settings import Settings
from app.engine.traffic_stats import AVERAGE_SECONDS
from app.simulator.server import SimulatorHandle
from app.transport.credentials import MemorySecretStore
from app.ui.application import GuiSession
from app.ui.formatting import format_bps
from app.ui.theme import STALE
from app.ui.views.traffic import WINDOWS, TrafficView
from tests.ui.conftest import Runner, wait_for
from tests.ui.support_g1 import column_texts, row_texts
from tests.ui.support_g2 import ROUTER, profile_for, start_device

UPLINK = "100GE0/1/0"  # `Port BW: 100G`
TRUNK = "Eth-Trunk1"  # two 100GE members up: `Current BW: 200G`
POLL_SCALE = 0.05  # traffic every second


@asynccontextmanager
async def session_for(
    tmp_path: Path, device: SimulatorHandle, *, history: bool = True
) -> AsyncIterator[GuiSession]:
    """The window over a runtime that watches `device` (its uplinks monitored), history in
    tmp_path/data: a second session on the same tmp_path is the app restarted."""
    secrets = MemorySecretStore()
    secrets.set_password(ROUTER, device.password)
    runtime = await start_runtime(
        paths=AppPaths(tmp_path / "config", tmp_path / "data"),
        settings=Settings().with_router(profile_for(device, monitored=(UPLINK, TRUNK))),
        demo=False,
        secrets=secrets,
        poll_scale=POLL_SCALE,
        history=history,
        routers_are_simulated=True,  # the simulator: polled at the test speed
    )
    session = GuiSession(runtime)
    try:
        session.window.resize(1360, 860)
        session.window.show()
        yield session
    finally:
        await session.close()


def traffic_tab(session: GuiSession, window: float = WINDOWS[0]) -> TrafficView:
    session.window.routers.select(ROUTER)
    dashboard = session.window.dashboards[ROUTER]
    view = dashboard.traffic
    view.window_box.setCurrentIndex(WINDOWS.index(window))
    dashboard.setCurrentWidget(view)
    return view


def points_of(view: TrafficView, name: str, direction: str = "in") -> list[tuple[float, float]]:
    series = view.series(name, direction)
    if series is None or not series.loaded:
        return []
    return list(zip(series.points.t.tolist(), series.points.mid.tolist(), strict=True))


@pytest.fixture
def device(run: Runner, tmp_path: Path) -> Iterator[SimulatorHandle]:
    """One simulated router for the whole test: it keeps running while the app restarts."""
    handle = run(start_device(tmp_path))
    yield handle
    run(handle.close())


def test_traffic_history_survives_a_restart_of_the_runtime(
    run: Runner, tmp_path: Path, device: SimulatorHandle
) -> None:
    async def body() -> None:
        # First run: a few polls of the uplink, seen live by the Traffic tab.
        async with session_for(tmp_path, device) as session:
            view = traffic_tab(session)
            await wait_for(lambda: len(points_of(view, UPLINK)) >= 4, what="live samples")
            before = points_of(view, UPLINK)
            before_out = points_of(view, UPLINK, "out")
            assert all(not math.isnan(v) and v > 0 for _, v in before)
            series = view.series(UPLINK, "in")
            assert series is not None
            gap = series.gap  # no data for longer than this breaks the line
        await asyncio.sleep(gap + 1.0)  # the app is not running: no data, a gap in the plot
        restarted_at = time.time()

        # Second run, same data directory: the tab opens with the first run's samples.
        async with session_for(tmp_path, device) as session:
            view = traffic_tab(session)
            await wait_for(lambda: points_of(view, UPLINK), what="history loaded")
            after = points_of(view, UPLINK)
            assert after[: len(before)] == before  # the same times and rates, from the store
            assert points_of(view, UPLINK, "out")[: len(before_out)] == before_out
            assert view.resolution.text() == "Every poll"
            # Then the live samples are appended after them ...
            await wait_for(
                lambda: points_of(view, UPLINK)[-1][0] > restarted_at, what="a live sample"
            )
            # ... and the time the app was not running stays a gap in the drawn line.
            x, y = view.layer.curve((UPLINK, "in"))
            assert (x <= before[-1][0]).any()
            assert (x > restarted_at).any()
            assert np.isnan(y[(x >= before[-1][0]) & (x <= restarted_at)]).any()
            # The figures cover both runs: the peak is the highest of every sample shown.
            await wait_for(lambda: view.figures(UPLINK) is not None, what="the table row")
            shown = [v for _, v in points_of(view, UPLINK) if not math.isnan(v)]
            row = view.figures(UPLINK)
            assert row is not None
            assert row.received.peak == max(shown)

    run(body())


def test_capacity_line_sits_at_the_port_bandwidth(
    run: Runner, tmp_path: Path, device: SimulatorHandle
) -> None:
    async def body() -> None:
        async with session_for(tmp_path, device, history=False) as session:
            view = traffic_tab(session)
            await wait_for(
                lambda: view.capacity_line(UPLINK) and view.capacity_line(TRUNK),
                what="capacity lines",
            )
            assert view.capacity_line(UPLINK) == 100e9  # `Port BW: 100G`
            assert view.capacity_line(TRUNK) == 200e9  # `Current BW: 200G`
            assert column_texts(view.ports, "Capacity") == [
                format_bps(100e9), format_bps(200e9)
            ]  # sorted by name: 100GE0/1/0, Eth-Trunk1
            # The y axis reaches the highest capacity, so the headroom is visible.
            top = view.plot.getPlotItem().vb.viewRange()[1][1]
            assert top >= 200e9
            # Without the capacity lines the plot fits the traffic.
            view.show_capacity.setChecked(False)
            assert view.capacity_line(UPLINK) is None
            assert view.plot.getPlotItem().vb.viewRange()[1][1] < 200e9

    run(body())


def _known_history(
    path: Path, now: float, device: SimulatorHandle
) -> tuple[list[tuple[float, float]], list[float]]:
    """Write two known series into the history store before the app starts:

    * the uplink: one sample a minute for the last 4 hours, rates 1..240 Gbit/s shuffled,
      with two failed polls (gaps);
    * the trunk: 100 complete 5-minute buckets before the current one, every sample of
      bucket k at (k+1) Gbit/s, except one 150 Gbit/s spike in bucket 42.

    Returns the uplink's samples and the trunk's 5-minute averages."""
    rng = random.Random(11)
    rates = [float(v) * 1e9 for v in range(1, 241)]
    rng.shuffle(rates)
    uplink = [(now - 4 * 3600 + 60 * i + 1, rate) for i, rate in enumerate(rates)]
    store = HistoryStore(path)
    store.bind(RouterIdentity(ROUTER, device.host, device.port))  # history belongs to the box
    try:
        for index, (t, rate) in enumerate(uplink):
            value = None if index in (17, 99) else rate
            store.record_many(ROUTER, t, {f"if.{UPLINK}.in_bps": value})
        split = now // AVERAGE_SECONDS * AVERAGE_SECONDS
        averages = []
        for k in range(100):
            start = split - (100 - k) * AVERAGE_SECONDS
            samples = [(k + 1) * 1e9] * 5
            if k == 42:
                samples[2] = 150e9
            for j, value in enumerate(samples):
                store.record_many(ROUTER, start + 30 + 60 * j, {f"if.{TRUNK}.in_bps": value})
            averages.append(sum(samples) / len(samples))
        store.flush_sync()
    finally:
        store.close_sync()
    return [(t, r) for i, (t, r) in enumerate(uplink) if i not in (17, 99)], averages


def test_peak_and_95th_percentile_of_known_series(
    run: Runner, tmp_path: Path, device: SimulatorHandle
) -> None:
    """The router is down (it refuses the login), so the tab shows history only: the
    figures must be exactly those of the series written to the store."""
    device.faults.refuse_auth = True
    now = time.time()
    samples, averages = _known_history(tmp_path / "data" / HISTORY_FILE, now, device)

    async def body() -> None:
        async with session_for(tmp_path, device) as session:
            # 6 h: the uplink's polled rates, read sample by sample.
            view = traffic_tab(session, 6 * 3600.0)
            await wait_for(lambda: len(points_of(view, UPLINK)) == 240, what="the uplink")
            await wait_for(lambda: view.figures(UPLINK) is not None, what="the table")
            row = view.figures(UPLINK)
            assert row is not None
            rates = [r for _, r in samples]
            assert row.received.peak == 240e9
            assert row.received.peak_at == samples[rates.index(240e9)][0]
            assert row.received.p95 == np.percentile(rates, 95, method="inverted_cdf")
            assert row.received.levels == 238  # two failed polls are not values
            assert row.received.basis == "samples"
            assert row.received.current_at == samples[-1][0]
            texts = row_texts(view.ports, "Interface", UPLINK)
            assert texts["In peak"] == format_bps(240e9)
            assert texts["In 95th pct"] == format_bps(row.received.p95)
            # Not polled now: the newest rate is shown with its time, greyed as not current,
            # and the freshness bar says why.
            assert not row.current
            assert texts["In now"] == format_bps(samples[-1][1])
            column = [c.title for c in view.ports.columns].index("In now")
            colour = view.ports.index(0, column).data(Qt.ItemDataRole.ForegroundRole)
            assert colour.name() == STALE
            assert not view.freshness.isHidden()

            # 24 h: the trunk's 5-minute averages from the store's rollups.
            view.window_box.setCurrentIndex(WINDOWS.index(86400.0))
            await wait_for(
                lambda: (r := view.figures(TRUNK)) is not None and r.received.basis == "averages",
                what="the day from rollups",
            )
            trunk = view.figures(TRUNK)
            assert trunk is not None
            ranked = sorted(averages)
            assert trunk.received.p95 == pytest.approx(ranked[math.ceil(0.95 * 100) - 1])
            assert trunk.received.p95 == pytest.approx(95e9)
            assert trunk.received.peak == 150e9  # the spike, kept by the rollup's maximum
            assert trunk.received.levels == 100
            assert view.resolution.text() == "5-minute averages, then every poll"
            # The drawn line of the day keeps the spike too.
            _, y = view.layer.curve((TRUNK, "in"))
            assert np.nanmax(y) == 150e9

    run(body())


def test_an_unreadable_history_is_reported_and_the_live_samples_still_show(
    run: Runner, tmp_path: Path, device: SimulatorHandle
) -> None:
    async def body() -> list[str]:
        async with session_for(tmp_path, device) as session:
            reported: list[str] = []
            session.live.error_occurred.connect(reported.append)
            monitor = session.runtime.monitor
            store = monitor.store
            assert store is not None
            await store.close()  # every query fails now: "history store is closed"
            try:
                view = traffic_tab(session, 6 * 3600.0)  # past the engine's ring: the store
                await wait_for(lambda: len(points_of(view, UPLINK)) >= 2, what="live samples")
            finally:  # a working store again, for the runtime's own shutdown
                monitor.store = await HistoryStore.open(store.path)
            return reported

    reported = run(body())
    assert any(m.startswith("Traffic history could not be read: ") for m in reported)
