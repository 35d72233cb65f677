"""Alerts reach the operator: a mass subscriber drop and an unreachable router show in the
alarms view, the sidebar badge, the window title and the tray, while the window keeps
handling events."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QTimer
from PySide6.QtWidgets import QApplication, QListWidget, QListWidgetItem, QMenu

from app.domain.alerts import AlertKind, Severity
from app.engine.pool import PoolState
from app.engine.subscribers import SubscriberSummary
from app.ui.views.alarms import operator_name
from app.ui.views.state_names import severity_counts, severity_summary
from tests.ui.conftest import Runner, wait_for
from tests.ui.support_g1 import column_texts, router_session, row_texts
from tests.ui.support_g2 import ROUTER


def test_mass_subscriber_drop_raises_visible_alert(run: Runner, tmp_path: Path) -> None:
    async def body() -> None:
        async with router_session(tmp_path) as (session, bench):
            window = session.window
            live = session.live
            window.routers.select(ROUTER)
            dashboard = window.dashboards[ROUTER]
            dashboard.setCurrentWidget(dashboard.alarms)
            first = await wait_for(lambda: live.router(ROUTER).data("subscribers"))
            assert isinstance(first, SubscriberSummary)
            assert first.total
            assert not [a for a in live.alerts.values() if a.kind is AlertKind.SUBSCRIBER_DROP]

            bench.device.faults.schedule_mass_drop(0.6)

            def drop_alerts() -> list:
                return [
                    a for a in live.active_alerts(ROUTER) if a.kind is AlertKind.SUBSCRIBER_DROP
                ]

            [alert] = await wait_for(drop_alerts, what="the mass-drop alert")
            assert alert.severity is Severity.CRITICAL
            view = dashboard.alarms
            row = row_texts(view.alerts, "Kind", "subscriber drop")
            assert row["Severity"] == "critical"
            assert row["Message"].startswith(f"Mass subscriber drop on {ROUTER}")
            assert row["Acknowledged"] == "\u2014"
            # The title and the tray count active alerts by severity (minor ones too).
            summary = severity_summary(severity_counts(live.alerts.values()))
            assert summary.startswith("1 critical")
            assert window.windowTitle() == f"{summary} \u2013 NE8000 Monitor"
            assert summary in window.tray.icon.toolTip()
            assert any("Mass subscriber drop" in n for n in window.tray.notifications)
            assert f"({len(live.active_alerts(ROUTER))} alerts)" in (
                window.routers.item_of(ROUTER).text()
            )
            # The overview lists it too.
            assert "subscriber drop" in column_texts(window.overview.alarms.alerts, "Kind")

            # Acknowledge from the table: the engine records who, the row shows it.
            row_index = column_texts(view.alerts, "Kind").index("subscriber drop")
            proxy = view.alert_table.model()
            source = view.alerts.index(row_index, 0)
            view.alert_table.selectionModel().select(
                proxy.mapFromSource(source),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            assert view.ack_button.isEnabled()
            assert view.acknowledge_selected() == 1
            acknowledged = await wait_for(
                lambda: [a for a in drop_alerts() if a.acknowledged], what="acknowledgement"
            )
            assert acknowledged[0].acknowledged_by == operator_name()
            assert row_texts(view.alerts, "Kind", "subscriber drop")["Acknowledged"] == (
                operator_name()
            )

    run(body())


def test_unreachable_router_badge_without_freezing(run: Runner, tmp_path: Path) -> None:
    async def body() -> None:
        async with router_session(tmp_path) as (session, bench):
            window = session.window
            live = session.live
            await wait_for(lambda: live.router(ROUTER).state is PoolState.CONNECTED)
            window.routers.select(ROUTER)
            ticks: list[int] = []
            timer = QTimer(window)
            timer.timeout.connect(lambda: ticks.append(1))
            timer.start(10)

            await bench.device.close()  # the router is switched off
            await wait_for(
                lambda: live.router(ROUTER).state is PoolState.UNREACHABLE,
                what="the unreachable state",
            )
            item = window.routers.item_of(ROUTER)
            await wait_for(lambda: "unreachable" in item.text())
            assert live.router(ROUTER).error  # the tooltip explains why
            assert item.toolTip().startswith("unreachable\n")
            assert window.status.connection.text() == f"{ROUTER}: unreachable"

            # The window kept processing events throughout: timers fired, tabs switch.
            seen = len(ticks)
            await asyncio.sleep(0.1)
            assert len(ticks) > seen
            dashboard = window.dashboards[ROUTER]
            dashboard.setCurrentWidget(dashboard.traffic)
            assert dashboard.currentWidget() is dashboard.traffic
            # The last data stays on screen (stale, not zeroed).
            assert dashboard.subscribers.total.text() != "0"
            timer.stop()
            timer.deleteLater()

    run(body())


def test_added_and_removed_router_follow_in_the_window(run: Runner, tmp_path: Path) -> None:
    async def body() -> None:
        async with router_session(tmp_path) as (session, bench):
            window = session.window
            runtime = session.runtime
            profile = runtime.settings.routers[ROUTER]
            second = replace(profile, name="sim-b")
            await runtime.add_router(second, bench.device.password)
            window.router_saved("sim-b")
            assert window.routers.current_router() == "sim-b"
            assert window.stack.currentWidget() is window.dashboards["sim-b"]
            await wait_for(lambda: session.live.router("sim-b").data("subscribers"))
            await wait_for(lambda: window.overview.model.rowCount() == 2)
            assert column_texts(window.overview.model, "Router") == [ROUTER, "sim-b"]

            await runtime.remove_router("sim-b")
            session.ctx.bridge_resync()
            assert window.routers.item_of("sim-b") is None
            assert window.routers.current_router() == ""  # back on "All routers"
            assert "sim-b" not in window.dashboards
            await wait_for(lambda: window.overview.model.rowCount() == 1)

    run(body())


@pytest.mark.parametrize(
    ("fault", "state", "badge"),
    [
        ("change_host_key", PoolState.HOST_KEY_CHANGED, "host key changed"),
        ("refuse_auth", PoolState.AUTH_FAILED, "auth failed"),
    ],
)
def test_locked_router_shows_its_badge(
    run: Runner, tmp_path: Path, fault: str, state: PoolState, badge: str
) -> None:
    kind = AlertKind

    async def body() -> list[str]:
        async with router_session(tmp_path) as (session, bench):
            live = session.live
            await wait_for(lambda: live.router(ROUTER).state is PoolState.CONNECTED)
            setattr(bench.device.faults, fault, True)
            await bench.device.restart()  # sessions drop; the next login meets the fault
            await wait_for(lambda: live.router(ROUTER).state is state, what=str(state))
            item = session.window.routers.item_of(ROUTER)
            await wait_for(lambda: badge in item.text())
            if state is PoolState.AUTH_FAILED:
                # A refused login is its own alert, never "router unreachable".
                await wait_for(
                    lambda: [a for a in live.active_alerts(ROUTER) if a.kind is kind.AUTH_FAILED],
                    what="the auth_failed alert",
                )
                kinds = {a.kind for a in live.active_alerts(ROUTER)}
                assert kind.ROUTER_UNREACHABLE not in kinds
                row = row_texts(session.window.overview.alarms.alerts, "Kind", "login refused")
                assert row["Message"].startswith(f"Router {ROUTER} refused the login")
            # The context menu offers what fixes it.
            session.window.routers.setCurrentItem(item)
            return [
                action.text() for action in _menu_actions(session.window.routers, item)
            ]

    actions = run(body())
    assert ("Review the new host key…" in actions) is (state is PoolState.HOST_KEY_CHANGED)
    assert "Edit router…" in actions


def _menu_actions(routers: QListWidget, item: QListWidgetItem) -> list:
    """Open the router list's context menu on `item` and read (then close) it."""

    rect = routers.visualItemRect(item)
    routers.customContextMenuRequested.emit(rect.center())
    menu = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible())
    actions = list(menu.actions())
    menu.close()
    return actions
