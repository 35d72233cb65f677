"""The desktop window in collector mode against a real collector (`serve --demo` as a
subprocess): the collector's numbers with the router's times, every section stale with
"collector unreachable" when the collector dies and live again when it is back, and a
console line and an interface shutdown / undo shutdown sent through the collector, in its
audit log with this seat's name.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.bootstrap import AppPaths, start_collector_runtime
from app.domain.subscribers import AccessUserList
from app.engine.freshness import ErrorCode, Freshness
from app.engine.runtime import CollectorState
from app.transport.credentials import MemorySecretStore
from app.ui.actions import ChangeConfirmDialog
from app.ui.application import GuiSession
from app.ui.collector_banner import managed_text
from app.ui.formatting import format_count, format_local_time
from app.ui.freshness import caption
from app.vrp.catalog import parse_output
from tests.support.collector import Collector, running_collector
from tests.ui.support_g2 import run, until, wait_widget

ROUTER = "demo-1"
PORT_TO_CHANGE = "GigabitEthernet0/5/0"  # in the simulator's default topology, no uplink


@asynccontextmanager
async def seat(tmp_path: Path, collector: Collector, name: str = "noc-1") -> AsyncIterator[
    GuiSession
]:
    """The window of seat `name` in collector mode, shown; closed and shut down after."""
    runtime = await start_collector_runtime(
        url=collector.url,
        token=collector.tokens[name],
        paths=AppPaths(tmp_path / name / "config", tmp_path / name / "data"),
        secrets=MemorySecretStore(),
    )
    session = GuiSession(runtime)
    try:
        session.window.show()
        yield session
    finally:
        await session.close()


def _online_total(session: GuiSession, router: str) -> tuple[float | None, object]:
    record = session.live.router(router).record("online_total")
    value = record.value
    return (None, None) if value is None else (value.timestamp, value.data)


def test_the_window_shows_the_collectors_data_goes_stale_without_it_and_comes_back(
    qapp: QApplication, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def body() -> None:
        async with (
            running_collector(tmp_path / "collector", "--demo", "--demo-routers", "2") as collector,
            seat(tmp_path, collector) as session,
        ):
            runtime = session.runtime
            window = session.window
            assert runtime.collector is not None
            assert not runtime.manages_routers
            assert window.collector_banner is not None
            assert not window.add_action.isEnabled()  # routers are the collector's
            window.router_action("demo-2", "edit")  # the router list's context menu
            assert window.status.currentMessage() == managed_text()
            assert not any(
                w.objectName() == "routerDialog" for w in QApplication.topLevelWidgets()
            )
            await until(lambda: sorted(session.live.routers) == ["demo-1", "demo-2"], "routers")
            status = runtime.collector.status()
            assert status.state is CollectorState.CONNECTED
            assert status.seat == "noc-1"
            assert "noc-1" in window.collector_banner.identity.text()

            # The same figure as /api/online_total, with the collector's (router's) time.
            token = collector.tokens["noc-1"]
            window.routers.select(ROUTER)
            dashboard = window.dashboard(ROUTER)
            matched = None
            for _ in range(200):
                answer = await collector.get("/api/online_total", token, router=ROUTER)
                data = answer["data"]
                if data is not None:
                    taken, shown = _online_total(session, ROUTER)
                    if taken == data["collected_epoch"]:
                        matched = data
                        assert shown.total_users == data["total"]
                        await until(
                            lambda d=data: dashboard.subscribers.total.text()
                            == format_count(d["total"]),
                            "the subscribers view to show the collector's total",
                        )
                        break
                await asyncio.sleep(0.1)
            assert matched is not None, "the seat never showed the collector's latest figure"
            record = session.live.router(ROUTER).record("online_total")
            assert record.state(session.live.clock()) is Freshness.FRESH

            # The collector dies: everything goes stale, with the router's last time.
            await collector.stop()
            await until(
                lambda: runtime.collector.status().state is CollectorState.UNREACHABLE,
                "the seat to notice the collector is gone",
                timeout=60,
            )
            await until(
                lambda: session.live.router(ROUTER).record("online_total").failures > 0,
                "the sections to fail",
            )
            now = session.live.clock()
            for router in ("demo-1", "demo-2"):
                for section, kept in session.live.router(router).records.items():
                    if kept.value is None:
                        continue
                    assert kept.state(now) is Freshness.STALE, (router, section)
                    assert kept.error is not None
                    assert kept.error.code is ErrorCode.COLLECTOR_UNREACHABLE
            stale = session.live.router(ROUTER).record("online_total")
            assert stale.collected_at == _online_total(session, ROUTER)[0]
            expected = "Stale since " + format_local_time(stale.collected_at)
            assert caption(stale, now) == expected
            await until(
                lambda: dashboard.subscribers.total_caption.text() == expected,
                "the big number to say since when it is stale",
            )
            await until(
                lambda: "collector unreachable"
                in dashboard.subscribers.freshness.text.text(),
                "the freshness bar to give the reason",
            )
            await until(
                lambda: window.collector_banner.property("collectorState") == "unreachable",
                "the banner to turn red",
            )
            assert "Collector unreachable since" in window.collector_banner.state.text()
            await until(
                lambda: window.status.poll.text().endswith("latency \u2014"),
                "no latency while nothing is measured",
            )
            # The routers' own state cannot be known from here: "unknown", never
            # "unreachable" (the router may be fine); the tooltip says why.
            await until(
                lambda: window.status.connection.text() == f"{ROUTER}: unknown",
                "the status bar to call the router's state unknown",
            )
            item = window.routers.item_of(ROUTER)
            assert item.text().splitlines()[1].strip().startswith("unknown")
            assert "collector unreachable" in item.toolTip()

            # It comes back on the same address: live again, without restarting the seat.
            await collector.start()
            await until(
                lambda: runtime.collector.status().state is CollectorState.CONNECTED,
                "the seat to reconnect",
                timeout=60,
            )
            await until(
                lambda: session.live.router(ROUTER).record("online_total").state(
                    session.live.clock()
                )
                is Freshness.FRESH,
                "fresh data again",
                timeout=60,
            )
            await until(
                lambda: dashboard.subscribers.total_caption.text() == "",
                "the stale caption to go",
            )
        # The views' history reads failed while the collector was away (reported, and
        # logged with their tracebacks); the frames in those log records would keep the
        # closed views (and their plots' menus) alive past the test.
        for record in caplog.records:
            if record.exc_info and record.exc_info[2] is not None:
                traceback.clear_frames(record.exc_info[2])

    run(qapp, body(), timeout=240)


async def _confirm() -> ChangeConfirmDialog:
    dialog = await wait_widget("changeConfirmDialog")
    assert isinstance(dialog, ChangeConfirmDialog)
    return dialog


def test_console_and_interface_changes_go_through_the_collector_and_its_audit_log(
    qapp: QApplication, tmp_path: Path
) -> None:
    async def body() -> None:
        async with (
            running_collector(tmp_path / "collector", "--demo") as collector,
            seat(tmp_path, collector) as session,
        ):
            runtime = session.runtime
            await until(lambda: "demo" in session.live.routers, "the router")
            await until(
                lambda: PORT_TO_CHANGE in runtime.monitor.interface_names("demo"),
                "the interface list",
            )
            assert runtime.settings.feed.operator_mode  # the collector's, shown here
            window = session.window
            window.routers.select("demo")
            dashboard = window.dashboard("demo")

            console = dashboard.console
            await console.run_line("display version")
            assert "VRP" in console.output.toPlainText()

            actions = dashboard.actions
            actions.refresh_interfaces()
            actions.interface_combo.setCurrentText(PORT_TO_CHANGE)
            applied: list[object] = []
            actions.change_applied.connect(applied.append)
            actions.shutdown_button.click()
            dialog = await _confirm()
            assert dialog.preview.toPlainText() == (
                f"system-view\ninterface {PORT_TO_CHANGE}\nshutdown\ncommit\nreturn"
            )
            dialog.confirm_button.click()
            await until(lambda: applied, "the shutdown through the collector", timeout=60)
            assert actions.status_label.text() == f"{PORT_TO_CHANGE} shut down and committed."
            await until(
                lambda: actions.last_audit is not None, "the collector's audit entry"
            )
            assert actions.last_audit["commands"][2] == "shutdown"
            assert actions.last_audit["client"]["seat"] == "noc-1"
            assert "Audit log entry:" in actions.result_view.toPlainText()

            actions.undo_button.click()
            dialog = await _confirm()
            dialog.confirm_button.click()
            await until(lambda: len(applied) == 2, "the undo shutdown", timeout=60)

            # A subscriber looked up and cut, through the collector too.
            listing = "display access-user domain isp"
            answer = await runtime.console.run("demo", listing)
            found = parse_output(listing, answer.result.output)
            assert isinstance(found, AccessUserList)
            username = found.users[0].username
            assert username is not None
            actions.username_edit.setText(username)
            looked_up: list[object] = []
            actions.lookup_finished.connect(looked_up.append)
            actions.lookup_button.click()
            await until(lambda: looked_up, "the lookup through the collector", timeout=60)
            assert actions.last_users, actions.status_label.text()
            actions.cut_button.click()
            dialog = await _confirm()
            assert dialog.preview.toPlainText() == (
                f"system-view\naaa\ncut access-user username {username} all\nreturn"
            )
            dialog.confirm_button.click()
            await until(lambda: len(applied) == 3, "the cut", timeout=60)
            assert applied[2].users_cut is not None

            entries = collector.audit()
            mine = [e for e in entries if (e.get("client") or {}).get("seat") == "noc-1"]
            assert [e["commands"][0] for e in mine][:1] == ["display version"]
            changes = [e for e in mine if e["outcome"] == "committed"]
            assert [e["commands"][2] for e in changes] == ["shutdown", "undo shutdown"]
            assert all(e["client"]["via"] == "feed" for e in mine)
            assert all(e["commands"][1] == f"interface {PORT_TO_CHANGE}" for e in changes)
            [cut] = [e for e in mine if e["outcome"] == "applied"]
            assert cut["commands"][2] == f"cut access-user username {username} all"
            looked = [e for e in mine if e["commands"][0].startswith("display access-user")]
            assert len(looked) == 2  # the listing and the lookup, both audited remotely

    run(qapp, body(), timeout=240)
