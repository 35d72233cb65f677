"""`GET /metrics`: the engine's live picture in the Prometheus text format.

Each feed server owns its own :class:`CollectorRegistry` holding one collector that reads
the Monitor when Prometheus scrapes: nothing is copied into global metric objects, so two
servers (tests, a GUI restarting its feed) never share or leak series, and a scrape always
shows the engine's current state. A value the router did not give us (a failed poll, a
section never collected) is left out of the scrape, never exported as 0: a 0 subscriber
count would look like a mass PPPoE drop on the NOC's dashboards. Nor is a stale value
exported (its section's last poll failed, or its answer is older than the section's max
age): Prometheus would stamp it with the scrape time and graph an old figure as current.
A series that vanishes is what Prometheus reads as "no data"; the per-section gauges say
why.

Names follow Prometheus conventions (``promtool check metrics`` is clean): base units
(bytes, seconds), ratios 0..1 as ``_ratio``, counters end in ``_total``, labels
``router``, ``interface``, ``domain``, ``pool``, ``section``. Metrics (prefix ``ne8000_``):

* routers (fresh data only): ``subscribers_online{router}``,
  ``domain_subscribers_online{router,domain}``, ``ip_pool_usage_ratio{router,pool}``,
  ``cpu_usage_ratio{router}``, ``memory_usage_ratio{router}``,
  ``memory_used_bytes{router}``, ``memory_total_bytes{router}``,
  ``interface_up{router,interface}`` (1 physically up, 0 down; from the brief),
  ``interface_receive_bytes_per_second`` and ``interface_transmit_bytes_per_second``
  ``{router,interface}`` (between the last two polls, interfaces with a current rate),
  ``interface_receive_bytes_total`` and ``interface_transmit_bytes_total``
  ``{router,interface}`` (the router's own 64-bit counters, for ``rate()``),
  ``alerts_active{router,severity}``;
* sections (each engine section of each router): ``section_up{router,section}`` (1 fresh,
  0 stale or never answered), ``section_last_success_timestamp_seconds{router,section}``
  (when the router last gave it; absent until it has), and
  ``section_consecutive_failures{router,section}``;
* connections and polling: ``router_up{router}`` (1 connected, 0 unreachable, retrying
  after a failure or locked out, absent while unknown), ``router_pool_state{router,state}``,
  ``router_sessions_open{router}``, ``poll_duration_seconds{router,dataset}``,
  ``polls_total{router}``, ``poll_failures_total{router}``;
* cache: ``cache_{hits,misses,coalesced,evictions,expirations,load_failures}_total``,
  ``cache_entries``;
* feed: ``feed_clients``, ``feed_messages_sent_total``, ``feed_messages_dropped_total``,
  ``feed_messages_conflated_total``, ``feed_laggards_disconnected_total``,
  ``build_info{version}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector, CollectorRegistry

from app.domain.alerts import Severity
from app.domain.interfaces import InterfaceBrief, InterfaceDetail
from app.domain.subscribers import AccessUserCounters, DomainList, IpPoolList
from app.domain.system import CpuUsage, MemoryUsage
from app.engine.freshness import Freshness, is_fresh
from app.engine.monitor import Monitor, RouterSnapshot, RouterStatus
from app.engine.pool import LOCKED_STATES, PoolState
from app.engine.subscribers import pool_usage

if TYPE_CHECKING:
    from app.feed.context import FeedContext

METRICS_PATH = "/metrics"
PREFIX = "ne8000"
_IF_PREFIX = "if."
_IN_SUFFIX = ".in_bps"
_OUT_SUFFIX = ".out_bps"

# Pool states that say the router is not reachable (1 = connected; idle/connecting: unknown).
_DOWN_STATES = frozenset({PoolState.UNREACHABLE, PoolState.CLOSED, *LOCKED_STATES})


class MonitorCollector(Collector):
    """Builds every metric family from the Monitor and the feed statistics on each scrape."""

    def __init__(self, ctx: FeedContext) -> None:
        self._ctx = ctx

    def collect(self) -> Iterator[Metric]:
        monitor = self._ctx.monitor
        routers = monitor.routers
        now = self._ctx.clock()
        snapshots = _snapshots(monitor, routers)
        yield from _subscriber_metrics(snapshots, now)
        yield from _system_metrics(snapshots, now)
        yield from _interface_metrics(monitor, snapshots, now)
        yield from _section_metrics(snapshots, now)
        yield from _router_metrics(_statuses(monitor, routers))
        yield _alert_metrics(monitor, routers)
        yield from self._cache_metrics()
        yield from self._feed_metrics()

    def _cache_metrics(self) -> Iterator[Metric]:
        stats = self._ctx.monitor.cache_statistics()
        counters = (
            ("hits", "Cache requests served from a live entry.", stats.hits),
            ("misses", "Cache requests that started a router command.", stats.misses),
            ("coalesced", "Cache requests that joined a command in flight.", stats.coalesced),
            ("evictions", "Entries dropped because the cache was full.", stats.evictions),
            ("expirations", "Entries dropped because their TTL ran out.", stats.expirations),
            ("load_failures", "Router commands behind the cache that failed.", stats.load_failures),
        )
        for name, documentation, value in counters:
            family = CounterMetricFamily(f"{PREFIX}_cache_{name}", documentation)
            family.add_metric([], value)
            yield family
        yield GaugeMetricFamily(
            f"{PREFIX}_cache_entries", "Entries in the TTL cache.", value=stats.entries
        )

    def _feed_metrics(self) -> Iterator[Metric]:
        stats = self._ctx.stats
        yield GaugeMetricFamily(
            f"{PREFIX}_feed_clients", "Connected WebSocket clients.", value=stats.clients
        )
        counters = (
            ("messages_sent", "WebSocket messages sent to clients.", stats.messages_sent),
            ("messages_dropped", "Messages dropped for slow clients.", stats.dropped),
            (
                "messages_conflated",
                "Queued messages replaced by a newer state before a slow client read them.",
                stats.conflated,
            ),
            (
                "laggards_disconnected",
                "Clients disconnected because they stayed behind.",
                stats.disconnected_laggards,
            ),
        )
        for name, documentation, value in counters:
            family = CounterMetricFamily(f"{PREFIX}_feed_{name}", documentation)
            family.add_metric([], value)
            yield family
        info = GaugeMetricFamily(
            f"{PREFIX}_build_info", "The running version (value is always 1).", labels=["version"]
        )
        info.add_metric([self._ctx.version], 1)
        yield info


def _snapshots(monitor: Monitor, routers: Iterable[str]) -> list[RouterSnapshot]:
    """Each router's snapshot (routers removed while scraping are left out)."""
    found = []
    for router in routers:
        try:
            found.append(monitor.snapshot(router))
        except KeyError:
            continue
    return found


def _fresh_data[T](snapshot: RouterSnapshot, section: str, kind: type[T], now: float) -> T | None:
    """The section's data when it is fresh and of `kind`; None when stale or missing."""
    if not is_fresh(snapshot.record(section), now):
        return None
    data = snapshot.data(section)
    return data if isinstance(data, kind) else None


def _subscriber_metrics(snapshots: Iterable[RouterSnapshot], now: float) -> Iterator[Metric]:
    online = GaugeMetricFamily(
        f"{PREFIX}_subscribers_online", "Online access users (PPPoE/IPoE).", labels=["router"]
    )
    domains = GaugeMetricFamily(
        f"{PREFIX}_domain_subscribers_online",
        "Online access users per AAA domain.",
        labels=["router", "domain"],
    )
    pools = GaugeMetricFamily(
        f"{PREFIX}_ip_pool_usage_ratio",
        "Share of an IP pool's addresses in use (0 to 1).",
        labels=["router", "pool"],
    )
    for snapshot in snapshots:
        router = snapshot.router
        counters = _fresh_data(snapshot, "online_total", AccessUserCounters, now)
        if counters is not None and counters.total_users is not None:
            online.add_metric([router], counters.total_users)
        domain_list = _fresh_data(snapshot, "domains", DomainList, now)
        for domain in () if domain_list is None else domain_list.domains:
            if domain.online is not None:
                domains.add_metric([router, domain.name], domain.online)
        pool_list = _fresh_data(snapshot, "ip_pools", IpPoolList, now)
        for pool in () if pool_list is None else pool_list.pools:
            usage = pool_usage(pool)
            if usage.percent is not None:
                pools.add_metric([router, usage.name], usage.percent / 100)
    yield from (online, domains, pools)


def _system_metrics(snapshots: Iterable[RouterSnapshot], now: float) -> Iterator[Metric]:
    cpu = GaugeMetricFamily(
        f"{PREFIX}_cpu_usage_ratio", "System CPU usage of the router (0 to 1).", labels=["router"]
    )
    memory = GaugeMetricFamily(
        f"{PREFIX}_memory_usage_ratio", "Memory usage of the router (0 to 1).", labels=["router"]
    )
    used = GaugeMetricFamily(
        f"{PREFIX}_memory_used_bytes", "Memory in use on the router.", labels=["router"]
    )
    total = GaugeMetricFamily(
        f"{PREFIX}_memory_total_bytes", "Memory of the router.", labels=["router"]
    )
    for snapshot in snapshots:
        router = [snapshot.router]
        cpu_data = _fresh_data(snapshot, "cpu", CpuUsage, now)
        if cpu_data is not None:
            cpu.add_metric(router, cpu_data.cpu_percent / 100)
        memory_data = _fresh_data(snapshot, "memory", MemoryUsage, now)
        if memory_data is not None:
            memory.add_metric(router, memory_data.memory_percent / 100)
            used.add_metric(router, memory_data.used_bytes)
            total.add_metric(router, memory_data.total_bytes)
    yield from (cpu, memory, used, total)


def _section_metrics(snapshots: Iterable[RouterSnapshot], now: float) -> Iterator[Metric]:
    """Per router and engine section: up, time of the last success, failures in a row."""
    up = GaugeMetricFamily(
        f"{PREFIX}_section_up",
        "1 while the section's data is fresh; 0 when stale (its last poll failed or its "
        "answer is too old) or never answered.",
        labels=["router", "section"],
    )
    success = GaugeMetricFamily(
        f"{PREFIX}_section_last_success_timestamp_seconds",
        "When the router gave the section's newest data (epoch seconds).",
        labels=["router", "section"],
    )
    failures = GaugeMetricFamily(
        f"{PREFIX}_section_consecutive_failures",
        "Polls of the section that failed in a row (0 after a success).",
        labels=["router", "section"],
    )
    for snapshot in snapshots:
        for section, record in snapshot.records.items():
            labels = [snapshot.router, section]
            up.add_metric(labels, 1 if record.state(now) is Freshness.FRESH else 0)
            if record.collected_at is not None:
                success.add_metric(labels, record.collected_at)
            failures.add_metric(labels, record.failures)
    yield from (up, success, failures)


def interface_rates(
    monitor: Monitor, router: str, since: float | None = None
) -> dict[str, tuple[float | None, float | None]]:
    """interface -> (in bits/s, out bits/s) of the newest sample; None for a gap, or for
    a sample taken before `since`."""
    rates: dict[str, tuple[float | None, float | None]] = {}
    for metric in monitor.history.metrics(router):
        if not metric.startswith(_IF_PREFIX):
            continue
        for suffix, index in ((_IN_SUFFIX, 0), (_OUT_SUFFIX, 1)):
            if metric.endswith(suffix):
                name = metric[len(_IF_PREFIX) : -len(suffix)]
                point = monitor.history.latest(router, metric)
                if point is not None and since is not None and point[0] < since:
                    point = None
                pair = list(rates.get(name, (None, None)))
                pair[index] = None if point is None else point[1]
                rates[name] = (pair[0], pair[1])
    return rates


def _interface_metrics(
    monitor: Monitor, snapshots: Iterable[RouterSnapshot], now: float
) -> Iterator[Metric]:
    labels = ["router", "interface"]
    up = GaugeMetricFamily(
        f"{PREFIX}_interface_up",
        "1 when the interface is physically up, 0 when down (display interface brief).",
        labels=labels,
    )
    received = GaugeMetricFamily(
        f"{PREFIX}_interface_receive_bytes_per_second",
        "Inbound rate between the last two polls (from 64-bit byte counters).",
        labels=labels,
    )
    sent = GaugeMetricFamily(
        f"{PREFIX}_interface_transmit_bytes_per_second",
        "Outbound rate between the last two polls (from 64-bit byte counters).",
        labels=labels,
    )
    received_total = CounterMetricFamily(
        f"{PREFIX}_interface_receive_bytes",
        "Bytes received, the router's own 64-bit counter (resets when it is cleared).",
        labels=labels,
    )
    sent_total = CounterMetricFamily(
        f"{PREFIX}_interface_transmit_bytes",
        "Bytes sent, the router's own 64-bit counter (resets when it is cleared).",
        labels=labels,
    )
    for snapshot in snapshots:
        router = snapshot.router
        brief = _fresh_data(snapshot, "interface_brief", InterfaceBrief, now)
        for row in () if brief is None else brief.interfaces:
            up.add_metric([router, row.name], 1 if row.phy_up else 0)
        record = snapshot.record("traffic")
        if not is_fresh(record, now):
            continue
        assert record is not None
        details = snapshot.data("traffic")
        for name, detail in sorted(details.items()) if isinstance(details, Mapping) else ():
            if not isinstance(detail, InterfaceDetail):
                continue
            if detail.input_bytes is not None:
                received_total.add_metric([router, name], detail.input_bytes)
            if detail.output_bytes is not None:
                sent_total.add_metric([router, name], detail.output_bytes)
        oldest = now - record.max_age  # a rate from older counters is not current
        for name, (in_bps, out_bps) in sorted(interface_rates(monitor, router, oldest).items()):
            if in_bps is not None:
                received.add_metric([router, name], in_bps / 8)
            if out_bps is not None:
                sent.add_metric([router, name], out_bps / 8)
    yield from (up, received, sent, received_total, sent_total)


def _alert_metrics(monitor: Monitor, routers: Iterable[str]) -> Metric:
    """Active alerts per router and severity (0 is a real count here: nothing is wrong)."""
    family = GaugeMetricFamily(
        f"{PREFIX}_alerts_active",
        "Alerts raised and not cleared yet.",
        labels=["router", "severity"],
    )
    for router in routers:
        counts = dict.fromkeys((str(severity) for severity in Severity), 0)
        for alert in monitor.active_alerts(router):
            counts[str(alert.severity)] += 1
        for severity, count in counts.items():
            family.add_metric([router, severity], count)
    return family


def _statuses(monitor: Monitor, routers: Iterable[str]) -> list[RouterStatus]:
    """Status of each router that still has a session pool (none once the monitor stopped)."""
    statuses = []
    for router in routers:
        try:
            statuses.extend(monitor.router_status(router))
        except KeyError:
            continue
    return statuses


def _router_metrics(statuses: Iterable[RouterStatus]) -> Iterator[Metric]:
    up = GaugeMetricFamily(
        f"{PREFIX}_router_up",
        "1 when sessions to the router work, 0 when it is unreachable or locked out.",
        labels=["router"],
    )
    state = GaugeMetricFamily(
        f"{PREFIX}_router_pool_state",
        "Connection state of the router's session pool (1 for the current state).",
        labels=["router", "state"],
    )
    sessions = GaugeMetricFamily(
        f"{PREFIX}_router_sessions_open", "Open CLI sessions to the router.", labels=["router"]
    )
    duration = GaugeMetricFamily(
        f"{PREFIX}_poll_duration_seconds",
        "Duration of the last poll of each data set.",
        labels=["router", "dataset"],
    )
    polls = CounterMetricFamily(f"{PREFIX}_polls", "Polls run.", labels=["router"])
    failures = CounterMetricFamily(
        f"{PREFIX}_poll_failures", "Sections whose poll failed.", labels=["router"]
    )
    for status in statuses:
        router = status.router
        current = status.pool.state
        if current is PoolState.CONNECTED:
            up.add_metric([router], 1)
        elif current in _DOWN_STATES or (
            current is PoolState.CONNECTING and status.pool.last_error is not None
        ):  # retrying after a failure is still down, not unknown
            up.add_metric([router], 0)
        for candidate in PoolState:
            state.add_metric([router, str(candidate)], 1 if candidate is current else 0)
        sessions.add_metric([router], status.pool.open_sessions)
        for dataset, seconds in sorted(status.polling.last_poll_seconds.items()):
            duration.add_metric([router, dataset], seconds)
        polls.add_metric([router], status.polling.polls)
        failures.add_metric([router], status.polling.failures)
    yield from (up, state, sessions, duration, polls, failures)


def build_registry(ctx: FeedContext) -> CollectorRegistry:
    """A registry of this server's own, with the monitor collector in it."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(MonitorCollector(ctx))
    return registry


def metrics_routes(ctx: FeedContext) -> list[web.RouteDef]:
    """`GET /metrics`, scraped from a registry that belongs to this server alone."""
    registry = build_registry(ctx)

    async def metrics(request: web.Request) -> web.Response:
        # Text format 0.0.4 unless the scraper asks for OpenMetrics.
        encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
        response = web.Response(body=encoder(registry))
        response.headers["Content-Type"] = content_type
        return response

    return [web.get(METRICS_PATH, metrics)]
