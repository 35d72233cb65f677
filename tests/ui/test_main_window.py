"""The main window against the real engine and embedded simulators: data shows up, the
interfaces table and the alerts follow a shutdown, and the layout survives a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QPlainTextEdit

from app.bootstrap import DEMO_MONITORED
from app.domain.alerts import AlertKind
from app.domain.interfaces import InterfaceBrief
from app.engine.changes import InterfaceShutdown, InterfaceUndoShutdown
from app.engine.pool import PoolState
from app.engine.subscribers import SubscriberSummary
from app.ui.formatting import DASH, format_count
from app.ui.sidebar import OVERVIEW
from app.ui.views.overview import RouterRow
from app.ui.views.state_names import severity_counts, severity_summary
from tests.ui.conftest import Runner, wait_for
from tests.ui.support_g1 import column_texts, demo_session, row_texts
from tests.ui.support_g2 import profile_for, start_device

UPLINK = DEMO_MONITORED[1]  # 100GE0/1/2, monitored in demo mode


def test_demo_start_shows_live_data(run: Runner, tmp_path: Path) -> None:
    async def body() -> None:
        async with demo_session(tmp_path) as session:
            window = session.window
            live = session.live
            assert "[demo]" in window.windowTitle()
            banner = window.findChild(type(window.banner), "demoBanner")
            assert banner is not None
            assert banner.isVisible()
            assert "Demo \u2014 simulated NE8000" in window.banner.findChild(
                type(window.status.connection), "demoBannerText"
            ).text()

            # The overview sums the router's subscribers once the first poll is in.
            summary = await wait_for(
                lambda: live.router("demo").data("subscribers"), what="subscribers"
            )
            assert isinstance(summary, SubscriberSummary)
            assert summary.total is not None
            assert summary.total > 0
            await wait_for(lambda: window.overview.total.text() != DASH, what="overview total")
            shown = int(window.overview.total.text().replace(",", ""))
            current = live.router("demo").data("subscribers").total
            assert abs(shown - current) <= abs(current - summary.total) + current // 10

            # The sidebar badge says connected.
            await wait_for(lambda: live.router("demo").state is PoolState.CONNECTED)
            item = window.routers.item_of("demo")
            assert item is not None
            assert "connected" in item.text()

            # Selecting the router builds its dashboard; every view fills in.
            window.routers.select("demo")
            dashboard = window.dashboards["demo"]
            assert window.stack.currentWidget() is dashboard
            await wait_for(lambda: dashboard.subscribers.total.text() != DASH)
            total = live.router("demo").data("subscribers").total
            await wait_for(
                lambda: dashboard.subscribers.total.text()
                == format_count(live.router("demo").data("subscribers").total)
            )
            assert total > 0
            assert dashboard.subscribers.pools.rowCount() > 0
            assert dashboard.subscribers.domains.rowCount() > 0

            brief = live.router("demo").data("interface_brief")
            assert isinstance(brief, InterfaceBrief)
            await wait_for(lambda: dashboard.interfaces.model.rowCount() == len(brief.interfaces))
            names = column_texts(dashboard.interfaces.model, "Interface")
            assert UPLINK in names
            row = row_texts(dashboard.interfaces.model, "Interface", UPLINK)
            assert row["PHY"] == "up"
            # Descriptions come with the port's own `display interface` (the traffic poll),
            # which may answer after the brief.
            await wait_for(
                lambda: row_texts(dashboard.interfaces.model, "Interface", UPLINK)[
                    "Description"
                ].startswith("UPLINK"),
                what="the uplink's description",
            )

            # Traffic: two polls give a rate; the view draws the monitored uplinks.
            dashboard.setCurrentWidget(dashboard.traffic)
            traffic = dashboard.traffic
            await wait_for(lambda: len(traffic.shown_series()) >= 2, what="traffic curves")
            assert set(dashboard.traffic.visible_interfaces()) == set(DEMO_MONITORED)
            await wait_for(lambda: row_texts(
                dashboard.interfaces.model, "Interface", UPLINK)["In bit/s"] != DASH)

            dashboard.setCurrentWidget(dashboard.system)
            await wait_for(lambda: dashboard.system.cpu.text() != DASH, what="cpu")
            assert dashboard.system.cpu.text().endswith("%")
            await wait_for(lambda: dashboard.system.model.text() != DASH, what="model")
            assert dashboard.system.boards.rowCount() > 0

            # Status bar: this router's connection, last poll, cache statistics.
            await wait_for(lambda: "ms" in window.status.poll.text())
            assert window.status.connection.text() == "demo: connected"
            assert window.status.cache.text().startswith("Cache hits: ")
            assert window.status.feed.text() == "Feed: off"

            window.routers.select(OVERVIEW)
            assert window.stack.currentWidget() is window.overview

    run(body())


def test_shutdown_shows_in_table_and_alerts(run: Runner, tmp_path: Path) -> None:
    async def body() -> None:
        async with demo_session(tmp_path) as session:
            window = session.window
            monitor = session.runtime.monitor
            window.routers.select("demo")
            dashboard = window.dashboards["demo"]
            dashboard.setCurrentWidget(dashboard.interfaces)
            model = dashboard.interfaces.model
            await wait_for(lambda: UPLINK in column_texts(model, "Interface"))
            assert row_texts(model, "Interface", UPLINK)["PHY"] == "up"
            before = len(session.live.alerts)

            plan = monitor.plan_change(InterfaceShutdown("demo", UPLINK))
            await monitor.run_change(plan, confirmation=plan.token)
            await wait_for(
                lambda: row_texts(model, "Interface", UPLINK)["PHY"] == "*down",
                what="the shut interface in the table",
            )
            row = row_texts(model, "Interface", UPLINK)
            assert row["Protocol"] == "down"
            colour = model.index(column_texts(model, "Interface").index(UPLINK), 3).data(
                Qt.ItemDataRole.ForegroundRole
            )
            assert colour.name() == "#757575"  # the legend's "administratively down"

            def down_alert() -> list:
                return [
                    a for a in session.live.active_alerts("demo")
                    if a.kind is AlertKind.INTERFACE_DOWN and a.subject == UPLINK
                ]

            await wait_for(down_alert, what="interface-down alert")
            alarms = dashboard.alarms
            row = row_texts(alarms.alerts, "Kind", "interface down")
            assert UPLINK in row["Message"]
            assert row["Severity"] == "major" or row["Severity"] == "critical"
            counts = severity_counts(session.live.alerts.values())
            assert window.windowTitle().startswith(severity_summary(counts) + " \u2013 ")
            assert counts["major"] >= 1  # minor and warning router alarms count as well
            assert len(session.live.alerts) > before
            assert "Alarms (" in dashboard.tabText(dashboard.indexOf(alarms))

            plan = monitor.plan_change(InterfaceUndoShutdown("demo", UPLINK))
            await monitor.run_change(plan, confirmation=plan.token)
            await wait_for(lambda: row_texts(model, "Interface", UPLINK)["PHY"] == "up")
            await wait_for(lambda: not down_alert(), what="the alert to clear")
            kinds = column_texts(alarms.alerts, "Kind")
            messages = column_texts(alarms.alerts, "Message")
            assert not [
                m for k, m in zip(kinds, messages, strict=True)
                if k == "interface down" and UPLINK in m
            ]

    run(body())


def test_monitored_checkbox_feeds_engine_and_survives_restart(
    run: Runner, tmp_path: Path
) -> None:
    async def body() -> tuple[str, ...]:
        async with demo_session(tmp_path) as session:
            monitor = session.runtime.monitor
            window = session.window
            window.routers.select("demo")
            view = window.dashboards["demo"].interfaces
            await wait_for(lambda: view.model.rowCount() > 0)
            names = column_texts(view.model, "Interface")
            extra = next(name for name in names if name.startswith("GigabitEthernet0/2/"))
            row = names.index(extra)
            assert view.model.index(row, 0).data(Qt.ItemDataRole.CheckStateRole) == (
                Qt.CheckState.Unchecked
            )
            assert view.model.setData(
                view.model.index(row, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole
            )
            assert extra in monitor.monitored_interfaces("demo")
            assert view.model.index(row, 0).data(Qt.ItemDataRole.CheckStateRole) == (
                Qt.CheckState.Checked
            )
            # Unticking one of the demo's uplinks removes it from the engine's list too.
            uplink_row = column_texts(view.model, "Interface").index(UPLINK)
            view.model.setData(
                view.model.index(uplink_row, 0),
                Qt.CheckState.Unchecked,
                Qt.ItemDataRole.CheckStateRole,
            )
            chosen = monitor.monitored_interfaces("demo")
            assert UPLINK not in chosen
            assert extra in chosen
            window.routers.select("demo")
        # A new window (same QSettings) puts the choice back into the new engine.
        async with demo_session(tmp_path, show=False) as again:
            return again.runtime.monitor.monitored_interfaces("demo")

    chosen = run(body())
    assert set(chosen) == {DEMO_MONITORED[0], next(n for n in chosen if "0/2/" in n)}


def test_window_layout_and_selection_restored(run: Runner, tmp_path: Path) -> None:
    async def body() -> tuple[str | None, list[int]]:
        async with demo_session(tmp_path) as session:
            window = session.window
            # Within the offscreen screen, so the restored geometry is not clamped.
            window.resize(790, 590)
            window.routers.select("demo")
            window.dashboards["demo"].setCurrentIndex(2)
            await asyncio.sleep(0.1)
            window.splitter.setSizes([230, 560])
            sizes = window.splitter.sizes()
            window.close()
            assert session.closed.is_set()
        async with demo_session(tmp_path) as again:
            await wait_for(lambda: "demo" in again.window.dashboards, what="restored selection")
            await asyncio.sleep(0.1)
            return again.window.current_router(), [
                sizes[0], again.window.splitter.sizes()[0],
                again.window.dashboards["demo"].currentIndex(),
            ]

    router, (saved, restored, tab) = run(body())
    assert router == "demo"
    assert restored == saved
    assert tab == 2


def _dialog(name: str) -> QDialog | None:
    return next(
        (w for w in QApplication.topLevelWidgets()
         if isinstance(w, QDialog) and w.objectName() == name and w.isVisible()),
        None,
    )


def test_context_menu_shutdown_goes_through_the_confirmation(
    run: Runner, tmp_path: Path
) -> None:
    async def body() -> None:
        async with demo_session(tmp_path) as session:
            window = session.window
            window.routers.select("demo")
            dashboard = window.dashboards["demo"]
            model = dashboard.interfaces.model
            await wait_for(lambda: UPLINK in column_texts(model, "Interface"))
            await wait_for(lambda: session.runtime.monitor.snapshot("demo").data(
                "interface_brief") is not None)

            dashboard.interfaces.action_requested.emit("demo", UPLINK, "shutdown")
            assert dashboard.currentWidget() is dashboard.actions
            dialog = await wait_for(lambda: _dialog("changeConfirmDialog"))
            preview = dialog.findChild(QPlainTextEdit, "changePreview").toPlainText()
            assert "shutdown" in preview
            assert UPLINK in preview
            # A monitored uplink must be typed to confirm.
            dialog.findChild(QLineEdit, "typedConfirmation").setText(UPLINK)
            dialog.accept()
            await wait_for(
                lambda: row_texts(model, "Interface", UPLINK)["PHY"] == "*down",
                what="the interface shut down through the dialog",
            )

            dashboard.interfaces.action_requested.emit("demo", UPLINK, "undo_shutdown")
            dialog = await wait_for(lambda: _dialog("changeConfirmDialog"))
            preview = dialog.findChild(QPlainTextEdit, "changePreview").toPlainText()
            assert "undo shutdown" in preview
            dialog.accept()
            await wait_for(lambda: row_texts(model, "Interface", UPLINK)["PHY"] == "up")
            await dashboard.actions.tasks.wait()

    run(body())


def test_keyboard_shortcuts(run: Runner, tmp_path: Path) -> None:
    async def body() -> None:
        async with demo_session(tmp_path) as session:
            window = session.window
            window.activateWindow()
            await wait_for(lambda: QApplication.activeWindow() is window, what="focus")
            window.routers.select("demo")
            dashboard = window.dashboards["demo"]
            QTest.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
            assert dashboard.currentWidget() is dashboard.interfaces
            QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
            assert dashboard.interfaces.filter.hasFocus()
            QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
            assert dashboard.traffic.paused
            QTest.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
            assert not dashboard.traffic.paused
            QTest.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
            assert window.stack.currentWidget() is window.overview
            QTest.keyClick(window, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
            assert window.current_router() == "demo"

    run(body())


def test_demo_banner_names_each_routers_port_and_goes_once_a_real_router_is_added(
    run: Runner, tmp_path: Path
) -> None:
    async def body() -> None:
        async with demo_session(tmp_path, routers=3) as session:
            window = session.window
            runtime = session.runtime
            assert runtime.demo is not None
            assert window.banner is not None
            text = window.banner.findChild(QLabel, "demoBannerText").text()
            ports = runtime.demo.ports
            assert len(set(ports)) == 3  # three simulators, three ports
            for name, port in zip(runtime.demo.routers, ports, strict=True):
                assert f"{name} on 127.0.0.1:{port}" in text
            assert window.banner.isVisible()

            device = await start_device(tmp_path / "real")
            try:
                profile = profile_for(device, name="bras-real")
                await runtime.add_router(profile, device.password)
                window.router_saved("bras-real")
                await wait_for(lambda: not window.banner.isVisible(), what="the banner to go")
                assert "bras-real" in session.live.routers
            finally:
                await runtime.remove_router("bras-real")
                await device.close()

    run(body())


def test_overview_shows_each_routers_trend_uplinks_and_alerts_by_severity(
    run: Runner, tmp_path: Path
) -> None:
    async def body() -> None:
        async with demo_session(tmp_path) as session:
            overview = session.window.overview

            def row() -> RouterRow | None:
                rows = overview.model.rows
                return rows[0] if rows else None

            # The demo box's standing minor (optical power) and warning (licence) alarms.
            await wait_for(
                lambda: row() is not None and row().severities["minor"] >= 1
                and row().severities["warning"] >= 1,
                what="minor and warning alarms counted",
            )
            texts = row_texts(overview.model, "Router", "demo")
            assert "1 minor" in texts["Active alerts"]
            assert "1 warning" in texts["Active alerts"]
            assert "minor" in overview.detail.text()

            # Uplinks: the two monitored interfaces' newest rates, summed.
            await wait_for(lambda: row().uplinks is not None and row().uplinks.current,
                           what="current uplink rates")
            uplinks = row().uplinks
            assert uplinks is not None
            assert uplinks.monitored == len(DEMO_MONITORED)
            assert len(uplinks.lines) == 2
            text = row_texts(overview.model, "Router", "demo")["Uplinks in / out"]
            assert text.startswith("\u2193 ")
            assert "\u2191 " in text
            assert DASH not in text

            # The trend: the subscriber history of the last hour, placed by time.
            await wait_for(
                lambda: (overview.load_trends() or True) and row().trend is not None
                and len(row().trend.values) >= 2,
                what="a trend",
            )
            trend = row().trend
            assert trend is not None
            # At most the last hour, from its first sample (a new router: its few minutes).
            assert 0 < trend.end - trend.start <= 3600.0
            assert trend.points[0][0] == trend.start
            assert all(trend.start <= when <= trend.end for when, _ in trend.points)
            tip = overview._trend_tooltip(row())
            assert tip.startswith("Subscribers since ")
            assert "lowest" in tip

    run(body())
