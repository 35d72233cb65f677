"""A seat's `RemoteMonitor` against a real collector: the same records, models and times
the collector's engine holds; its history; a refused token and a certificate that is not
the pinned one shown as such; a seat whose clock is off still judging freshness by the
collector's time; console lines, changes and acknowledgements going through the collector.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from app.domain.alerts import AlertKind
from app.domain.errors import ValidationError
from app.engine.changes import ConfirmationError, InterfaceShutdown
from app.engine.freshness import Freshness
from app.engine.runtime import CollectorState, MonitorFacade
from app.remote.client import CollectorClient
from app.remote.console import RemoteConsole
from app.remote.monitor import RemoteMonitor
from tests.integration.collector.conftest import ROUTER, UPLINK, CollectorRig, MakeCollector
from tests.support.tls import make_certificate

WAIT = 30.0
COMPARED = ("cpu", "memory", "health", "version", "alarms", "interface_brief", "subscribers")


async def _eventually(condition, what: str, timeout: float = WAIT):
    async with asyncio.timeout(timeout):
        while not (value := condition()):
            await asyncio.sleep(0.05)
    assert value, what
    return value


async def test_the_seat_holds_the_collectors_records_and_models(collector: CollectorRig) -> None:
    engine = collector.runtime.monitor
    async with collector.seat() as seat:
        assert isinstance(seat, MonitorFacade)
        assert await seat.wait_ready(WAIT)
        assert seat.routers == [ROUTER]
        assert seat.status().seat == "noc-1"
        assert seat.monitored_interfaces(ROUTER) == (UPLINK,)
        for section in (*COMPARED, "online_total", "traffic"):
            # Wait for a moment both hold the same answer of the router (same time).
            def same(name: str = section) -> bool:
                mine = seat.snapshot(ROUTER).record(name)
                theirs = engine.snapshot(ROUTER).record(name)
                return (
                    mine is not None and theirs is not None and mine.value is not None
                    and theirs.value is not None
                    and mine.value.timestamp == theirs.value.timestamp
                )

            await _eventually(same, f"{section} at the same time on both")
            mine = seat.snapshot(ROUTER).record(section)
            theirs = engine.snapshot(ROUTER).record(section)
            assert mine.max_age == theirs.max_age
            assert mine.failures == theirs.failures
            assert mine.outcome == theirs.outcome
            if section in COMPARED:
                assert mine.value.data == theirs.value.data, section
        online = seat.snapshot(ROUTER).data("online_total")
        assert online.total_users == engine.snapshot(ROUTER).data("online_total").total_users
        traffic = seat.snapshot(ROUTER).data("traffic")
        engine_traffic = engine.snapshot(ROUTER).data("traffic")
        for name, detail in traffic.items():
            original = engine_traffic[name]
            for field in ("description", "bandwidth", "phy_up", "admin_down", "current_state",
                          "input_bytes", "output_bytes"):
                assert getattr(detail, field) == getattr(original, field), (name, field)
            assert detail.mtu is None  # not carried by the feed: missing, never invented
        [status] = seat.router_status(ROUTER)
        assert status.pool.state == engine.router_status(ROUTER)[0].pool.state
        assert seat.snapshot(ROUTER).state("cpu", seat.now()) is Freshness.FRESH

        # History: the collector's own series, gaps and all.
        now = seat.now()
        ours = await seat.history_query(ROUTER, "subscribers.total", now - 600, now)
        theirs = await engine.history_query(ROUTER, "subscribers.total", now - 600, now)
        assert ours.points
        assert [p[0] for p in ours.points] == pytest.approx([p[0] for p in theirs.points])
        assert [p[1] for p in ours.points] == [p[1] for p in theirs.points]


async def test_a_refused_token_and_a_stopped_collector_are_said_as_such(
    collector: CollectorRig,
) -> None:
    async with collector.seat(token="not-a-seat-token") as seat:
        await seat.wait_ready(WAIT)
        status = seat.status()
        assert status.state is CollectorState.REFUSED
        assert "token" in (status.error or "")
        assert status.retry_in is not None
        assert seat.routers == []


async def test_https_with_the_pinned_certificate_and_a_wrong_pin(
    make_collector: MakeCollector, tmp_path: Path
) -> None:
    certificate = make_certificate(tmp_path / "tls")
    impostor = make_certificate(tmp_path / "impostor", "impostor")
    rig = await make_collector(tls=(certificate.cert, certificate.key, certificate.fingerprint))
    assert rig.url.startswith("https://")
    async with rig.seat() as seat:
        assert await seat.wait_ready(WAIT)
        assert seat.routers == [ROUTER]
    async with rig.seat(fingerprint=impostor.fingerprint) as seat:
        await seat.wait_ready(WAIT)
        status = seat.status()
        assert status.state is CollectorState.REFUSED
        assert "not the pinned one" in (status.error or "")
    # No pin: the system's CAs decide, and none of them signed a self-signed certificate.
    unpinned = RemoteMonitor(CollectorClient(rig.url, rig.tokens["noc-1"]))
    await unpinned.start()
    try:
        await unpinned.wait_ready(WAIT)
        status = unpinned.status()
        assert status.state is CollectorState.REFUSED
        assert "not trusted" in (status.error or "")
    finally:
        await unpinned.stop()


async def test_a_seat_whose_clock_is_off_judges_freshness_by_the_collectors_clock(
    collector: CollectorRig,
) -> None:
    ahead = 3600.0  # this seat's clock runs an hour fast
    async with collector.seat(clock=lambda: time.time() + ahead) as seat:
        assert await seat.wait_ready(WAIT)
        assert abs(seat.now() - time.time()) < 5.0  # corrected to the collector's time
        record = await _eventually(
            lambda: (found := seat.snapshot(ROUTER).record("cpu")) and found.value and found,
            "the CPU's first answer",
        )
        assert record.state(seat.now()) is Freshness.FRESH
        assert record.state(time.time() + ahead) is Freshness.STALE  # what it would have said


async def test_console_changes_and_acknowledgement_go_through_the_collector(
    collector: CollectorRig,
) -> None:
    async with collector.seat("noc-2") as seat:
        assert await seat.wait_ready(WAIT)
        console = RemoteConsole(seat.client)
        answer = await console.run(ROUTER, "display version")
        assert "VRP" in answer.result.output
        with pytest.raises(ValidationError):
            console.classify("display version; reboot")  # refused here, never sent

        await _eventually(lambda: UPLINK in seat.interface_names(ROUTER), "the interfaces")
        plan = seat.plan_change(InterfaceShutdown(ROUTER, "GE0/5/0"))
        assert plan.lines[1] == f"interface {UPLINK}"
        seat.workflow.cancel(plan)
        with pytest.raises(ConfirmationError):
            await seat.run_change(plan, confirmation=plan.token)  # a declined preview
        with pytest.raises(ValidationError):
            seat.plan_change(InterfaceShutdown(ROUTER, "GigabitEthernet9/9/9"))
        seats_entries = [
            e for e in collector.audit() if (e.get("client") or {}).get("seat") == "noc-2"
        ]
        assert [e["commands"] for e in seats_entries] == [["display version"]]

        await _eventually(lambda: seat.snapshot(ROUTER).data("online_total"), "a total")
        collector.simulator.faults.schedule_mass_drop(0.3)
        alert = await _eventually(
            lambda: next(
                (a for a in seat.active_alerts(ROUTER) if a.kind is AlertKind.SUBSCRIBER_DROP),
                None,
            ),
            "the drop alert on the seat",
        )
        assert seat.acknowledge_alert(alert.id, "joao") is alert  # sent, not yet shown
        acknowledged = await _eventually(
            lambda: next(
                (a for a in seat.active_alerts() if a.id == alert.id and a.acknowledged), None
            ),
            "the collector's acknowledgement back on the seat",
        )
        assert acknowledged.acknowledged_by == "joao@noc-2"


async def test_a_stopped_monitor_ends_its_subscriptions(collector: CollectorRig) -> None:
    seat = RemoteMonitor(CollectorClient(collector.url, collector.tokens["noc-1"]))
    subscription = seat.subscribe(name="t")
    await seat.stop()
    assert subscription.closed
    with pytest.raises(RuntimeError):
        await seat.start()
