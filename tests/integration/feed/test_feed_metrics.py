"""`GET /metrics` of a real feed server over a Monitor polling simulated NE8000s."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable

import aiohttp
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from app.domain.alerts import AlertKind, Severity
from app.domain.system import CpuUsage, MemoryUsage
from app.engine.monitor import Monitor
from app.engine.subscribers import SubscriberSummary
from app.feed.metrics import build_registry, interface_rates
from app.feed.server import FeedServer
from tests.integration.feed.conftest import LOCAL, WAIT, FeedRig, MakeRig
from tests.support.required import missing_tool

Samples = dict[str, list[Sample]]
ROUTER_METRICS = (
    "ne8000_subscribers_online",
    "ne8000_domain_subscribers_online",
    "ne8000_ip_pool_usage_ratio",
    "ne8000_cpu_usage_ratio",
    "ne8000_memory_usage_ratio",
    "ne8000_memory_used_bytes",
    "ne8000_memory_total_bytes",
    "ne8000_interface_up",
    "ne8000_interface_receive_bytes_per_second",
    "ne8000_interface_transmit_bytes_per_second",
    "ne8000_interface_receive_bytes_total",
    "ne8000_interface_transmit_bytes_total",
    "ne8000_poll_duration_seconds",
)


def parse(text: str) -> Samples:
    """Sample name -> samples (counters appear as NAME_total, as Prometheus stores them)."""
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    matches = [s.value for s in samples.get(name, []) if s.labels == labels]
    assert len(matches) == 1, (name, labels, samples.get(name))
    return matches[0]


def labelled(samples: Samples, name: str, label: str) -> dict[str, float]:
    return {s.labels[label]: s.value for s in samples.get(name, [])}


async def scrape(url: str, http: aiohttp.ClientSession) -> Samples:
    async with http.get(url + "/metrics") as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        return parse(await answer.text())


async def wait_until(check: Callable[[], bool]) -> None:
    async with asyncio.timeout(WAIT):
        while not check():
            await asyncio.sleep(0.05)


def fully_polled(monitor: Monitor, router: str) -> bool:
    snapshot = monitor.snapshot(router)
    subscribers = snapshot.data("subscribers")
    rates = interface_rates(monitor, router)
    return (
        isinstance(subscribers, SubscriberSummary)
        and subscribers.total is not None
        and subscribers.domains is not None
        and isinstance(snapshot.data("cpu"), CpuUsage)
        and isinstance(snapshot.data("memory"), MemoryUsage)
        and any(pair[0] is not None for pair in rates.values())
        and len(monitor.router_status(router)[0].polling.last_poll_seconds) == 4
    )


async def test_nothing_collected_means_no_samples_not_zeros(make_rig: MakeRig) -> None:
    """Before the first poll there is no data: router metrics are absent, never 0."""
    rig = await make_rig(start_monitor=False)
    samples = await scrape(rig.url, rig.http)
    for name in (*ROUTER_METRICS, "ne8000_router_up"):
        assert name not in samples, name
    assert value(samples, "ne8000_router_pool_state", router="sim", state="idle") == 1
    assert value(samples, "ne8000_router_pool_state", router="sim", state="connected") == 0
    assert value(samples, "ne8000_build_info", version="9.9-test") == 1
    assert value(samples, "ne8000_feed_clients") == 0
    assert value(samples, "ne8000_cache_entries") == 0
    assert value(samples, "ne8000_cache_hits_total") == 0


async def test_scrape_matches_the_monitor(make_rig: MakeRig) -> None:
    rig: FeedRig = await make_rig(("sim", "edge"), frozen=False)
    monitor = rig.monitor
    await wait_until(lambda: all(fully_polled(monitor, name) for name in ("sim", "edge")))

    # Live: one WebSocket client connected, both routers up.
    async with rig.http.ws_connect(rig.url + "/ws/monitor") as ws:
        assert (await ws.receive_json())["type"] == "welcome"
        await wait_until(lambda: rig.server.context.stats.messages_sent > 0)
        live = await scrape(rig.url, rig.http)
        assert value(live, "ne8000_feed_clients") == 1
    assert value(live, "ne8000_feed_messages_sent_total") >= 1
    assert value(live, "ne8000_feed_messages_dropped_total") == 0
    assert value(live, "ne8000_feed_laggards_disconnected_total") == 0
    for name in ("sim", "edge"):
        assert value(live, "ne8000_router_up", router=name) == 1
        assert value(live, "ne8000_router_pool_state", router=name, state="connected") == 1
        assert value(live, "ne8000_polls_total", router=name) > 0
    assert sum(s.value for s in live["ne8000_router_pool_state"]) == 2  # one state each
    # The polling figures move with every poll: compare a scrape of the server's own
    # registry with the monitor read in the same step (no await in between).
    before = monitor.cache_statistics()
    exact = parse(generate_latest(build_registry(rig.server.context)).decode())
    after = monitor.cache_statistics()
    for name in ("sim", "edge"):
        status = monitor.router_status(name)[0]
        durations = {
            s.labels["dataset"]: s.value
            for s in exact["ne8000_poll_duration_seconds"]
            if s.labels["router"] == name
        }
        assert durations == status.polling.last_poll_seconds
        assert set(durations) == {"system", "interfaces", "pppoe", "traffic"}
        assert value(exact, "ne8000_polls_total", router=name) == status.polling.polls
        assert value(exact, "ne8000_poll_failures_total", router=name) == status.polling.failures
        assert value(exact, "ne8000_router_sessions_open", router=name) == (
            status.pool.open_sessions
        )

    # No request can reach the cache without an await; only TTL expiry moves it meanwhile.
    assert value(exact, "ne8000_cache_hits_total") == after.hits == before.hits
    assert value(exact, "ne8000_cache_misses_total") == after.misses == before.misses
    assert value(exact, "ne8000_cache_coalesced_total") == after.coalesced
    assert value(exact, "ne8000_cache_evictions_total") == after.evictions
    assert before.entries >= value(exact, "ne8000_cache_entries") >= after.entries
    assert before.expirations <= value(exact, "ne8000_cache_expirations_total") <= after.expirations
    assert after.misses > 0

    # Frozen: polling stopped, the last data kept, so a scrape can be compared exactly.
    await rig.freeze()
    samples = await scrape(rig.url, rig.http)
    for name in ("sim", "edge"):
        snapshot = monitor.snapshot(name)
        subscribers = snapshot.data("subscribers")
        assert value(samples, "ne8000_subscribers_online", router=name) == subscribers.total
        domains = {
            s.labels["domain"]: s.value
            for s in samples["ne8000_domain_subscribers_online"]
            if s.labels["router"] == name
        }
        assert domains == {d.name: d.online for d in subscribers.domains if d.online is not None}
        pools = {
            s.labels["pool"]: s.value
            for s in samples["ne8000_ip_pool_usage_ratio"]
            if s.labels["router"] == name
        }
        assert pools == {
            p.name: p.percent / 100 for p in subscribers.pools if p.percent is not None
        }
        assert value(samples, "ne8000_cpu_usage_ratio", router=name) == (
            snapshot.data("cpu").cpu_percent / 100
        )
        memory = snapshot.data("memory")
        assert value(samples, "ne8000_memory_usage_ratio", router=name) == (
            memory.memory_percent / 100
        )
        assert value(samples, "ne8000_memory_used_bytes", router=name) == memory.used_bytes
        assert value(samples, "ne8000_memory_total_bytes", router=name) == memory.total_bytes
        brief = snapshot.data("interface_brief")
        assert {
            s.labels["interface"]: s.value
            for s in samples["ne8000_interface_up"]
            if s.labels["router"] == name
        } == {row.name: (1 if row.phy_up else 0) for row in brief.interfaces}
        details = snapshot.data("traffic")
        counted = {
            s.labels["interface"]: s.value
            for s in samples["ne8000_interface_receive_bytes_total"]
            if s.labels["router"] == name
        }
        assert counted == {
            n: float(d.input_bytes) for n, d in details.items() if d.input_bytes is not None
        }
        received = {
            s.labels["interface"]: s.value
            for s in samples["ne8000_interface_receive_bytes_per_second"]
            if s.labels["router"] == name
        }
        sent = {
            s.labels["interface"]: s.value
            for s in samples["ne8000_interface_transmit_bytes_per_second"]
            if s.labels["router"] == name
        }
        expected_in, expected_out = {}, {}
        for interface in set(snapshot.data("traffic")):
            point_in = monitor.history.latest(name, f"if.{interface}.in_bps")
            point_out = monitor.history.latest(name, f"if.{interface}.out_bps")
            if point_in is not None and point_in[1] is not None:
                expected_in[interface] = point_in[1] / 8  # bits/s in the engine, bytes/s here
            if point_out is not None and point_out[1] is not None:
                expected_out[interface] = point_out[1] / 8
        assert expected_in
        assert received == expected_in
        assert sent == expected_out
        # The monitor logged out when it stopped: no pool, so no connection figures.
        assert name not in labelled(samples, "ne8000_router_up", "router")
        assert name not in labelled(samples, "ne8000_poll_duration_seconds", "router")


async def test_an_unreachable_router_is_down_and_has_no_data(make_rig: MakeRig) -> None:
    rig = await make_rig(("sim",), dead=("gone",))
    registry = build_registry(rig.server.context)

    def unreachable_now() -> Samples | None:
        """A scrape taken in the same step as the check (the dead router's pool retries
        quickly, and is "connecting", so unknown, in between)."""
        ready = (
            str(rig.monitor.router_status("gone")[0].pool.state) == "unreachable"
            and isinstance(rig.monitor.snapshot("sim").data("cpu"), CpuUsage)
            and any(
                alert.kind is AlertKind.ROUTER_UNREACHABLE
                for alert in rig.monitor.active_alerts("gone")
            )
        )
        return parse(generate_latest(registry).decode()) if ready else None

    samples: Samples | None = None
    async with asyncio.timeout(WAIT):
        while (samples := unreachable_now()) is None:
            await asyncio.sleep(0.02)
    async with rig.http.get(rig.url + "/metrics") as answer:  # the endpoint serves it too
        assert answer.status == 200
        assert "ne8000_router_pool_state" in await answer.text()
    alerts = {
        (s.labels["router"], s.labels["severity"]): s.value for s in samples["ne8000_alerts_active"]
    }
    for router in ("sim", "gone"):
        for severity in Severity:
            expected = sum(1 for a in rig.monitor.active_alerts(router) if a.severity is severity)
            assert alerts[(router, str(severity))] == expected
    assert sum(v for (router, _), v in alerts.items() if router == "gone") >= 1
    assert value(samples, "ne8000_router_up", router="gone") == 0
    assert value(samples, "ne8000_router_up", router="sim") == 1
    assert value(samples, "ne8000_router_pool_state", router="gone", state="unreachable") == 1
    assert labelled(samples, "ne8000_cpu_usage_ratio", "router").keys() == {"sim"}
    assert "gone" not in labelled(samples, "ne8000_subscribers_online", "router")
    assert value(samples, "ne8000_poll_failures_total", router="gone") > 0


async def test_each_server_has_its_own_registry(make_rig: MakeRig) -> None:
    """A second server on the same monitor scrapes fine: nothing is registered globally."""
    rig = await make_rig(start_monitor=False)
    other = FeedServer(rig.monitor, LOCAL, console=None, version="other")
    await other.start()
    try:
        theirs = await scrape(f"http://127.0.0.1:{other.port}", rig.http)
        ours = await scrape(rig.url, rig.http)
    finally:
        await other.stop()
    assert labelled(theirs, "ne8000_build_info", "version") == {"other": 1}
    assert labelled(ours, "ne8000_build_info", "version") == {"9.9-test": 1}


async def test_openmetrics_is_served_when_asked_for(make_rig: MakeRig) -> None:
    rig = await make_rig(start_monitor=False)
    headers = {"Accept": "application/openmetrics-text; version=1.0.0"}
    async with rig.http.get(rig.url + "/metrics", headers=headers) as answer:
        assert answer.headers["Content-Type"].startswith("application/openmetrics-text")
        text = await answer.text()
    assert text.endswith("# EOF\n")
    assert "ne8000_cache_hits_total 0" in text


async def test_promtool_finds_nothing_to_fix(make_rig: MakeRig) -> None:
    """Prometheus's own linter over a real scrape with every family present."""
    promtool = shutil.which("promtool")
    if promtool is None:
        missing_tool("promtool is missing (apt-get install prometheus)")
    rig = await make_rig(("sim",), dead=("gone",), frozen=False)
    await wait_until(lambda: fully_polled(rig.monitor, "sim"))
    async with rig.http.get(rig.url + "/metrics") as answer:
        text = await answer.text()
    assert "ne8000_interface_receive_bytes_total{" in text
    process = await asyncio.create_subprocess_exec(
        promtool,
        "check",
        "metrics",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate(text.encode())
    assert process.returncode == 0, output.decode()
    assert output.decode().strip() == ""
