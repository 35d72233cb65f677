"""The desktop's stale states against a simulated NE8000 that is stopped, hangs commands,
garbles its answers, or was never reachable (pytest-qt, offscreen, real engine and SSH)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QPlainTextEdit

from app.bootstrap import DEMO_MONITORED
from app.domain.parsing import ParseWarning
from app.domain.router import RouterProfile
from app.engine.events import RouterDataUpdated
from app.engine.freshness import Freshness, succeeded
from app.ui.application import GuiSession
from app.ui.bridge import apply_event
from app.ui.formatting import DASH
from app.ui.models import RowsModel
from app.ui.theme import STALE
from tests.ui.conftest import Runner, wait_for
from tests.ui.support_g1 import column_texts, demo_session, router_session, row_texts
from tests.ui.support_g2 import ROUTER, bench

HUNG = "display access-user online-total"


def dimmed(model: RowsModel) -> bool:
    return model.dimmed and (
        model.rowCount() == 0
        or model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole).name() == STALE
    )


def reporting_text(count: int, total: int) -> str:
    return f"{count} of {total} routers reporting"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _dialog(name: str) -> QDialog | None:
    return next(
        (
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QDialog) and w.objectName() == name and w.isVisible()
        ),
        None,
    )


def test_a_stopped_router_goes_stale_in_every_view(run: Runner, tmp_path: Path) -> None:
    async def body() -> None:
        async with router_session(tmp_path) as (session, bench_):
            window = session.window
            live = session.live
            window.routers.select(ROUTER)
            dashboard = window.dashboards[ROUTER]
            view = dashboard.subscribers
            await wait_for(
                lambda: view.total.text() != DASH and view.total_caption.text() == "",
                what="a fresh subscriber total",
            )
            assert not view.freshness.isVisible()
            assert view.total.property("stale") is False
            await wait_for(
                lambda: reporting_text(1, 1) in window.overview.detail.text(), what="reporting"
            )
            await wait_for(lambda: "ms" in window.status.poll.text(), what="a latency")

            await bench_.device.close()  # the router is powered off
            await wait_for(
                lambda: view.total_caption.text().startswith("Stale since "),
                what="the big number marked stale",
            )
            shown = view.total.text()
            assert shown != DASH  # the last figure stays, greyed, never zeroed
            assert view.total.property("stale") is True
            assert STALE in view.total.styleSheet()
            await wait_for(view.freshness.isVisible, what="the freshness bar")
            text = view.freshness.text.text()
            assert "Online subscribers: stale since " in text
            assert "failed polls: " in text
            assert any(
                reason in text
                for reason in ("unreachable", "connection dropped", "did not answer in time")
            ), text
            await wait_for(lambda: dimmed(view.domains) and dimmed(view.pools), what="tables")

            # The overview: not reporting, its "Last data" frozen, its figures greyed.
            await wait_for(
                lambda: reporting_text(0, 1) in window.overview.detail.text(),
                what="no router reporting",
            )
            answered = live.router(ROUTER).last_update
            last_data = row_texts(window.overview.model, "Router", ROUTER)["Last data"]
            row = window.overview.model.rows[0]
            assert not row.subscribers_current
            foreground = window.overview.model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole)
            assert foreground.name() == STALE
            assert window.overview.total.property("stale") is True

            # Other views grey out too; the status bar shows no latency without answers.
            dashboard.setCurrentWidget(dashboard.system)
            await wait_for(lambda: dashboard.system.cpu.property("stale") is True, what="cpu")
            await wait_for(lambda: dimmed(dashboard.interfaces.model), what="interfaces")
            await wait_for(
                lambda: window.status.poll.text().endswith(f"latency {DASH}"),
                what="no latency",
            )
            await asyncio.sleep(1.5)  # polls keep failing meanwhile
            assert live.router(ROUTER).last_update == answered  # no answer, no newer time
            assert row_texts(window.overview.model, "Router", ROUTER)["Last data"] == last_data
            assert view.total.text() == shown
            record = live.router(ROUTER).record("online_total")
            assert record.state(live.clock()) is Freshness.STALE

    run(body())


def test_a_hanging_command_says_stale_since_with_its_reason(run: Runner, tmp_path: Path) -> None:
    async def body() -> None:
        async with bench(tmp_path, command_timeout=1.0) as bench_:
            session = GuiSession(bench_.runtime)
            try:
                session.window.show()
                session.window.routers.select(ROUTER)
                view = session.window.dashboards[ROUTER].subscribers
                await wait_for(
                    lambda: view.total_caption.text() == "" and view.total.text() != DASH,
                    what="a fresh total",
                )
                bench_.device.faults.hang_commands = {HUNG}
                await wait_for(
                    lambda: "the router did not answer in time" in view.freshness.text.text(),
                    what="the timeout reason",
                )
                assert view.total_caption.text().startswith("Stale since ")
                assert view.total.property("stale") is True
                assert "Online subscribers: stale since " in view.freshness.text.text()
                # The router list names the failing section too (the others still answer).
                item = session.window.routers.item_of(ROUTER)
                assert item is not None
                assert "Online subscribers: stale since " in item.toolTip()
                bench_.device.faults.hang_commands = set()
                await wait_for(lambda: view.total_caption.text() == "", what="fresh again")
                assert view.total.property("stale") is False
            finally:
                await session.close(runtime=False)

    run(body())


def test_a_router_never_reached_has_no_data_time_and_says_no_data_yet(
    run: Runner, tmp_path: Path
) -> None:
    async def body() -> None:
        async with bench(tmp_path, with_router=False) as bench_:
            runtime = bench_.runtime
            profile = RouterProfile(
                name="gone", host="127.0.0.1", port=free_port(), connect_timeout=2.0
            )
            await runtime.add_router(profile, "unused")
            session = GuiSession(runtime)
            try:
                window = session.window
                window.show()
                live = session.live
                await wait_for(
                    lambda: live.router("gone").record("cpu").failures >= 1,
                    what="a failed poll",
                )
                window.overview.refresh()
                row = row_texts(window.overview.model, "Router", "gone")
                assert row["Last data"] == DASH  # it never answered: no time at all
                assert row["Subscribers"] == DASH
                assert reporting_text(0, 1) in window.overview.detail.text()
                assert live.router("gone").last_update is None
                window.routers.select("gone")
                view = window.dashboards["gone"].subscribers
                assert view.total.text() == DASH
                assert view.total_caption.text() == "No data yet"
                await wait_for(view.freshness.isVisible, what="the bar")
                assert "Online subscribers: no data yet" in view.freshness.text.text()
                # Not "0 interfaces, 0 down": nothing is known about its interfaces yet.
                interfaces = window.dashboards["gone"].interfaces
                interfaces.refresh()
                assert interfaces.count.text() == "Interfaces: no data yet"
                await wait_for(
                    lambda: window.status.poll.text() == f"Last data: {DASH}, latency {DASH}",
                    what="no latency and no time",
                )
            finally:
                await session.close(runtime=False)

    run(body())


def test_an_unreadable_answer_offers_the_router_output(run: Runner, tmp_path: Path) -> None:
    async def body() -> None:
        async with router_session(tmp_path) as (session, bench_):
            window = session.window
            live = session.live
            window.routers.select(ROUTER)
            dashboard = window.dashboards[ROUTER]
            await wait_for(lambda: live.router(ROUTER).data("cpu") is not None, what="cpu")
            bench_.device.faults.garble_rate = 0.02  # line noise: some answers unreadable
            view = dashboard.system
            dashboard.setCurrentWidget(view)
            await wait_for(view.freshness.raw_button.isVisible, what="router output", timeout=60)
            bench_.device.faults.garble_rate = 0.0
            kept = {r.section: r.raw for r in view.freshness.with_raw()}
            assert kept
            view.freshness.raw_button.click()
            dialog = await wait_for(lambda: _dialog("routerOutputDialog"), what="the dialog")
            texts = dialog.findChildren(QPlainTextEdit, "routerOutputText")
            assert sorted(t.toPlainText() for t in texts) == sorted(kept.values())  # exact
            dialog.close()

    run(body())


def test_a_partial_answer_is_marked_and_its_text_shown(run: Runner, tmp_path: Path) -> None:
    """The parsers' partial results (good rows kept, a malformed one skipped) as the
    engine publishes them: the pool table is shown, marked, with the router's text."""

    async def body() -> None:
        async with router_session(tmp_path) as (session, bench_):
            window = session.window
            live = session.live
            window.routers.select(ROUTER)
            view = window.dashboards[ROUTER].subscribers
            await wait_for(lambda: live.router(ROUTER).data("ip_pools") is not None, what="pools")
            await bench_.runtime.monitor.stop()  # no poll overwrites the partial answer
            record = live.router(ROUTER).record("ip_pools")
            assert record.value is not None
            warning = ParseWarning("row has 3 fields, header 6", "  pool-x   12 ¤ 34", 9)
            raw = "  pool-x   12 ¤ 34\n"
            partial = succeeded(
                record,
                record.value.data,
                live.clock(),
                live.clock(),
                raw=raw,
                warnings=[warning],
            )
            apply_event(
                live,
                RouterDataUpdated(ROUTER, "ip_pools", partial.value.data, live.clock(), partial),
            )
            view.show_freshness()
            assert view.freshness.isVisible()
            assert "IP pools: read in part, lines not understood: 1" in view.freshness.text.text()
            assert not view.pools.dimmed  # partial data is shown, not hidden
            assert view.freshness.raw_button.isVisible()
            view.freshness.raw_button.click()
            dialog = await wait_for(lambda: _dialog("routerOutputDialog"), what="the dialog")
            (text,) = dialog.findChildren(QPlainTextEdit, "routerOutputText")
            assert text.toPlainText() == raw
            dialog.close()

    run(body())


def test_ticking_monitored_leaves_other_rates_and_descriptions_alone(
    run: Runner, tmp_path: Path
) -> None:
    async def body() -> None:
        async with demo_session(tmp_path) as session:
            window = session.window
            live = session.live
            window.routers.select("demo")
            view = window.dashboards["demo"].interfaces
            model = view.model

            def rated() -> dict[str, tuple[str, str]]:
                names = column_texts(model, "Interface")
                rates = column_texts(model, "In bit/s")
                descriptions = column_texts(model, "Description")
                return {
                    n: (r, d)
                    for n, r, d in zip(names, rates, descriptions, strict=True)
                    if r != DASH and n not in DEMO_MONITORED
                }

            before = await wait_for(lambda: len(rated()) >= 3 and rated(), what="rates")
            chosen = sorted(before)[0]
            others = sorted(before)[1:]
            row = column_texts(model, "Interface").index(chosen)
            toggled_at = live.clock()
            model.setData(
                model.index(row, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole
            )
            assert chosen in session.runtime.monitor.monitored_interfaces("demo")

            # Every other interface gets new rates from its own newer counter readings.
            await wait_for(
                lambda: all(
                    (latest := live.router("demo").traffic[name].latest()) is not None
                    and latest[0] > toggled_at
                    for name in others
                ),
                what="newer rates for the other interfaces",
            )
            after = rated()
            for name in others:
                assert name in after, name  # still a rate, not a dash
                assert after[name][1] == before[name][1]  # description unchanged
                assert after[name][1] != DASH
            rows = {r.name: r for r in model.rows}
            assert all(rows[name].rate_current for name in others)

    run(body())
