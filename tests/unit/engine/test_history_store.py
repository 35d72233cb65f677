"""SQLite history: persistence, rollups, retention, gaps, corruption and the writer thread."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.alerts import Alert, AlertEvent, AlertKind, Severity, alert_id
from app.domain.errors import NE8000MonitorError
from app.domain.router import RouterIdentity
from app.engine.alerts import AlertManager
from app.engine.history_store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    HistoryPoint,
    HistoryStore,
    HistoryStoreError,
    MigrationContext,
    NewerHistoryDatabase,
)
from tests.support.files import listing

DAY = 86_400.0
T0 = 1_700_000_100.0  # a bucket boundary: 1_700_000_100 % 300 == 0


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


@pytest.fixture
async def store(db_path: Path, clock: FakeClock) -> AsyncIterator[HistoryStore]:
    store = await HistoryStore.open(db_path, clock=clock)
    yield store
    await store.close()


def raw(ts: float, value: float | None) -> HistoryPoint:
    present = value is not None
    return HistoryPoint(ts, value, value, value, int(present), int(not present))


async def test_raw_query_returns_samples_and_gaps_in_order(store: HistoryStore) -> None:
    store.record("r1", "cpu.percent", T0 + 20, 30.0)
    store.record_many("r1", T0, {"cpu.percent": 10.0, "subscribers.total": 900})
    store.record("r1", "cpu.percent", T0 + 10, None)  # a failed poll
    store.record("r1", "cpu.percent", T0 + 30, 0.0)  # a real zero is not a gap
    result = await store.query("r1", "cpu.percent", T0, T0 + 25)
    assert result.resolution == "raw"
    assert result.points == (raw(T0, 10.0), raw(T0 + 10, None), raw(T0 + 20, 30.0))
    everything = await store.query("r1", "cpu.percent", T0, T0 + 60)
    assert everything.points[-1] == raw(T0 + 30, 0.0)
    other = await store.query("r1", "subscribers.total", T0, T0 + 60)
    assert other.points == (raw(T0, 900.0),)
    assert (await store.query("r1", "nope", T0, T0 + 60)).points == ()
    assert (await store.query("r2", "cpu.percent", T0, T0 + 60)).points == ()


async def test_rollups_hold_min_avg_max_count_per_five_minute_bucket(store: HistoryStore) -> None:
    for offset, value in [(0, 4.0), (60, 8.0), (120, None), (299, 6.0), (300, 100.0), (420, 50.0)]:
        store.record("r1", "if.Eth-Trunk1.in_bps", T0 + offset, value)
    store.record("r1", "if.Eth-Trunk1.in_bps", T0 + 600, None)
    result = await store.query("r1", "if.Eth-Trunk1.in_bps", T0, T0 + 900, resolution="5min")
    assert result.resolution == "5min"
    assert result.points == (
        HistoryPoint(T0, 6.0, 4.0, 8.0, count=3, gaps=1),
        HistoryPoint(T0 + 300, 75.0, 50.0, 100.0, count=2, gaps=0),
        HistoryPoint(T0 + 600, None, None, None, count=0, gaps=1),  # only a gap: no zero
    )


async def test_rewriting_a_sample_replaces_it_in_raw_and_rollup(store: HistoryStore) -> None:
    store.record("r1", "m", T0 + 10, 10.0)
    store.record("r1", "m", T0 + 20, 20.0)
    await store.flush()
    store.record("r1", "m", T0 + 20, 40.0)  # same timestamp again, in a later batch
    assert (await store.query("r1", "m", T0, T0 + 30, resolution="raw")).points == (
        raw(T0 + 10, 10.0),
        raw(T0 + 20, 40.0),
    )
    (bucket,) = (await store.query("r1", "m", T0, T0 + 30, resolution="5min")).points
    assert bucket == HistoryPoint(T0, 25.0, 10.0, 40.0, count=2, gaps=0)


async def test_rollup_query_includes_buckets_overlapping_the_range(store: HistoryStore) -> None:
    for offset in (0, 300, 600, 900):
        store.record("r1", "m", T0 + offset + 5, float(offset))
    result = await store.query("r1", "m", T0 + 350, T0 + 650, resolution="5min")
    assert [point.timestamp for point in result.points] == [T0 + 300, T0 + 600]


async def test_auto_resolution_picks_raw_for_short_recent_ranges(
    store: HistoryStore, clock: FakeClock
) -> None:
    clock.now = T0 + 10 * DAY
    store.record("r1", "m", clock.now - 60, 1.0)
    short = await store.query("r1", "m", clock.now - 3600, clock.now)
    long = await store.query("r1", "m", clock.now - 2 * DAY, clock.now)
    old = await store.query("r1", "m", clock.now - 8 * DAY, clock.now - 8 * DAY + 600)
    assert (short.resolution, long.resolution, old.resolution) == ("raw", "5min", "5min")
    assert short.points == (raw(clock.now - 60, 1.0),)
    assert long.points == (HistoryPoint(T0 + 10 * DAY - 300, 1.0, 1.0, 1.0, 1, 0),)


async def test_history_survives_a_restart(db_path: Path, clock: FakeClock) -> None:
    first = await HistoryStore.open(db_path, clock=clock)
    first.record("r1", "subscribers.total", T0, 1200.0)
    first.record("r1", "subscribers.total", T0 + 15, None)
    await first.close()
    assert first.written == 2
    with pytest.raises(HistoryStoreError, match="closed"):
        first.record("r1", "subscribers.total", T0 + 30, 1.0)

    second = await HistoryStore.open(db_path, clock=clock)
    try:
        second.record("r1", "subscribers.total", T0 + 30, 1100.0)
        result = await second.query("r1", "subscribers.total", T0, T0 + 60)
        assert result.points == (raw(T0, 1200.0), raw(T0 + 15, None), raw(T0 + 30, 1100.0))
        assert second.moved_aside is None
    finally:
        await second.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


async def test_close_writes_what_is_still_queued(db_path: Path, clock: FakeClock) -> None:
    store = await HistoryStore.open(db_path, clock=clock, flush_interval=60.0, batch_size=10_000)
    for second in range(100):
        store.record("r1", "m", T0 + second, float(second))
    await store.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*), sum(value) FROM samples").fetchone() == (100, 4950.0)


async def test_retention_prunes_raw_after_7_days_and_rollups_after_400(
    db_path: Path, clock: FakeClock
) -> None:
    store = await HistoryStore.open(db_path, clock=clock, prune_interval=float("inf"))
    try:
        await _check_retention(store, clock)
    finally:
        await store.close()


async def _check_retention(store: HistoryStore, clock: FakeClock) -> None:
    store.record("r1", "m", T0, 5.0)
    store.record("r1", "m", T0 + 3 * DAY, 7.0)
    await store.flush()

    clock.now = T0 + 8 * DAY
    assert await store.prune() == (1, 0, 0)
    assert (await store.query("r1", "m", T0, clock.now, resolution="raw")).points == (
        raw(T0 + 3 * DAY, 7.0),
    )
    rollups = await store.query("r1", "m", T0, clock.now, resolution="5min")
    assert [(p.timestamp, p.value) for p in rollups.points] == [(T0, 5.0), (T0 + 3 * DAY, 7.0)]

    clock.now = T0 + 401 * DAY
    assert await store.prune() == (1, 1, 0)
    rollups = await store.query("r1", "m", T0, clock.now, resolution="5min")
    assert [(p.timestamp, p.value) for p in rollups.points] == [(T0 + 3 * DAY, 7.0)]


async def test_pruning_also_runs_by_itself(db_path: Path, clock: FakeClock) -> None:
    store = await HistoryStore.open(db_path, clock=clock, prune_interval=3600)
    try:
        store.record("r1", "m", T0, 5.0)
        await store.flush()
        clock.now = T0 + 8 * DAY  # the next writer wake-up is past the prune interval
        store.record("r1", "m", clock.now, 6.0)
        result = await store.query("r1", "m", T0, clock.now, resolution="raw")
        assert result.points == (raw(clock.now, 6.0),)
    finally:
        await store.close()


async def test_samples_older_than_raw_retention_are_refused(
    store: HistoryStore, clock: FakeClock
) -> None:
    clock.now = T0 + 30 * DAY
    store.record("r1", "m", T0, 1.0)
    store.record("r1", "m", clock.now, 2.0)
    await store.flush()
    assert (store.written, store.refused) == (1, 1)
    result = await store.query("r1", "m", T0, clock.now, resolution="5min")
    assert [p.value for p in result.points] == [2.0]


async def test_writes_run_on_the_writer_thread_not_the_loop(
    db_path: Path, clock: FakeClock
) -> None:
    writers: list[int] = []

    def trace_inserts(conn: sqlite3.Connection) -> None:
        def on_statement(sql: str) -> None:
            if sql.lstrip().upper().startswith("INSERT"):
                writers.append(threading.get_ident())

        conn.set_trace_callback(on_statement)

    store = await HistoryStore.open(db_path, clock=clock, on_connect=trace_inserts)
    try:
        store.record("r1", "m", T0, 1.0)
        await store.flush()
        loop_thread = threading.get_ident()
        assert writers  # the inserts were seen ...
        assert set(writers) == {store.writer_thread.ident}  # ... all on the writer thread
        assert loop_thread not in writers
    finally:
        await store.close()
    assert not store.writer_thread.is_alive()


def _check_moved_aside(store: HistoryStore, db_path: Path, original: bytes) -> None:
    assert store.moved_aside is not None
    assert store.moved_aside.parent == db_path.parent
    assert store.moved_aside.name.startswith("history.sqlite3.corrupt-2023")
    assert store.moved_aside.read_bytes() == original


async def test_garbage_file_is_moved_aside_and_a_new_db_started(
    db_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    db_path.parent.mkdir(parents=True)
    garbage = bytes(range(256)) * 64
    db_path.write_bytes(garbage)
    with caplog.at_level(logging.WARNING, logger="app.engine.history_store"):
        store = await HistoryStore.open(db_path, clock=clock)
    try:
        _check_moved_aside(store, db_path, garbage)
        assert "corrupt" in caplog.text
        assert str(store.moved_aside) in caplog.text
        store.record("r1", "m", T0, 3.0)
        assert (await store.query("r1", "m", T0, T0)).points == (raw(T0, 3.0),)
    finally:
        await store.close()


async def _truncated_db(db_path: Path, clock: FakeClock) -> bytes:
    store = await HistoryStore.open(db_path, clock=clock)
    for second in range(4000):
        store.record("r1", "m", T0 + second, float(second))
    await store.close()
    data = db_path.read_bytes()[: db_path.stat().st_size // 2]
    db_path.write_bytes(data)
    return data


async def _damaged_db(db_path: Path, clock: FakeClock) -> bytes:
    """A db whose schema page is intact but whose data pages are overwritten."""
    store = await HistoryStore.open(db_path, clock=clock)
    for second in range(4000):
        store.record("r1", "m", T0 + second, float(second))
    await store.close()
    data = bytearray(db_path.read_bytes())
    half = len(data) // 2
    data[half:] = b"\xa5" * (len(data) - half)
    db_path.write_bytes(bytes(data))
    return bytes(data)


async def test_truncated_db_is_moved_aside_on_open(
    db_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    truncated = await _truncated_db(db_path, clock)
    with caplog.at_level(logging.WARNING, logger="app.engine.history_store"):
        store = await HistoryStore.open(db_path, clock=clock)
    try:
        _check_moved_aside(store, db_path, truncated)
        assert "corrupt" in caplog.text
        assert (await store.query("r1", "m", T0, T0 + 4000)).points == ()
    finally:
        await store.close()


async def test_corruption_found_after_open_is_recovered(db_path: Path, clock: FakeClock) -> None:
    damaged = await _damaged_db(db_path, clock)
    # a file above the check limit is only opened: the damage surfaces in a query
    store = await HistoryStore.open(db_path, clock=clock, full_check_bytes=0)
    try:
        assert store.moved_aside is None
        with pytest.raises(sqlite3.DatabaseError, match="malformed"):
            await store.query("r1", "m", T0, T0 + 4000, resolution="raw")
        _check_moved_aside(store, db_path, damaged)
        store.record("r1", "m", T0, 1.0)
        assert (await store.query("r1", "m", T0, T0 + 10)).points == (raw(T0, 1.0),)
    finally:
        await store.close()


async def test_db_from_a_newer_version_is_refused_and_left_alone(
    db_path: Path, clock: FakeClock
) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = db_path.read_bytes()
    with pytest.raises(NewerHistoryDatabase, match="written by a newer version"):
        await HistoryStore.open(db_path, clock=clock)
    assert db_path.read_bytes() == before
    assert [path.name for path in db_path.parent.iterdir() if "corrupt" in path.name] == []


async def test_a_newer_wal_database_and_its_wal_files_are_not_touched(
    db_path: Path, clock: FakeClock
) -> None:
    # A newer release running in WAL mode stopped without a checkpoint (a crash, a kill):
    # its -wal and -shm files hold committed data. Merely opening the file with SQLite would
    # replay and checkpoint that WAL and delete both files.
    db_path.parent.mkdir(parents=True)
    writer = sqlite3.connect(db_path)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 98}")
    writer.execute("CREATE TABLE newer_feature (x)")
    writer.commit()
    snapshot = {p.name: p.read_bytes() for p in db_path.parent.iterdir()}
    writer.close()  # the last connection checkpoints; put back what the crash left
    for name, data in snapshot.items():
        (db_path.parent / name).write_bytes(data)
    assert sorted(snapshot) == ["history.sqlite3", "history.sqlite3-shm", "history.sqlite3-wal"]
    before = listing(db_path.parent)

    with pytest.raises(NewerHistoryDatabase) as caught:
        await HistoryStore.open(db_path, clock=clock)

    assert isinstance(caught.value, NE8000MonitorError)  # `serve` says it in one line
    assert "\n" not in str(caught.value)
    assert listing(db_path.parent) == before
    assert {p.name: p.read_bytes() for p in db_path.parent.iterdir()} == snapshot


def _alert(raised: datetime, **changes: object) -> Alert:
    fields: dict[str, object] = {
        "id": alert_id("r1", AlertKind.CPU_HIGH, "cpu"),
        "router": "r1",
        "severity": Severity.MAJOR,
        "kind": AlertKind.CPU_HIGH,
        "subject": "cpu",
        "message": "CPU high",
        "raised_at": raised,
    }
    fields.update(changes)
    return Alert(**fields)  # type: ignore[arg-type]


async def test_alert_events_are_appended_and_survive_a_restart(
    db_path: Path, clock: FakeClock
) -> None:
    raised = datetime(2023, 11, 14, 22, 20, tzinfo=UTC)
    later = datetime(2023, 11, 14, 22, 25, tzinfo=UTC)
    first = _alert(raised)
    acked = first.acknowledge("noc-alice", later)
    second = _alert(raised, id="other", subject="memory", kind=AlertKind.MEMORY_HIGH)
    store = await HistoryStore.open(db_path, clock=clock)
    store.append_alert_event(AlertEvent.RAISED, first)
    store.append_alert_event(AlertEvent.RAISED, second)
    store.append_alert_event(AlertEvent.ACKNOWLEDGED, acked)
    store.append_alert_event(AlertEvent.CLEARED, second.cleared(later))
    await store.close()

    store = await HistoryStore.open(db_path, clock=clock)
    try:
        events = await store.alert_events()
        assert [(event, alert.id) for event, alert in events] == [
            (AlertEvent.RAISED, first.id),
            (AlertEvent.RAISED, "other"),
            (AlertEvent.ACKNOWLEDGED, first.id),
            (AlertEvent.CLEARED, "other"),
        ]
        assert await store.alert_history() == [acked, second.cleared(later)]
        assert await store.active_alerts() == [acked]
        assert [a.id for _, a in await store.alert_events(router="r2")] == []
    finally:
        await store.close()


async def test_alert_manager_journal_writes_to_the_store(store: HistoryStore) -> None:
    now = datetime(2023, 11, 14, 22, 20, tzinfo=UTC)
    tick: Callable[[], datetime] = lambda: now  # noqa: E731
    manager = AlertManager(clock=tick, journal=store.append_alert_event)
    manager.observe_reachability("r1", reachable=False, error="timeout")
    (raised,) = manager.observe_reachability("r1", reachable=False, error="timeout")
    (cleared,) = manager.observe_reachability("r1", reachable=True)
    assert await store.alert_history() == [cleared]
    assert [event for event, _ in await store.alert_events()] == [
        AlertEvent.RAISED,
        AlertEvent.CLEARED,
    ]
    assert raised.message == "Router r1 is unreachable (timeout)"


# ---- routers are boxes: name, host and port ----

BOX_A = RouterIdentity("router", "10.0.0.1", 22)
BOX_B = RouterIdentity("router", "10.0.0.2", 22)


async def test_history_of_one_box_never_shows_against_another_with_its_name(
    store: HistoryStore,
) -> None:
    store.bind(BOX_A)
    store.record("router", "subscribers.total", T0, 25_948.0)
    store.bind(BOX_B)  # the name now means another box (ROUTER_HOST changed, say)
    store.record("router", "subscribers.total", T0 + 15, 900.0)
    seen_b = await store.query("router", "subscribers.total", T0 - 60, T0 + 60)
    assert seen_b.points == (raw(T0 + 15, 900.0),)
    store.bind(BOX_A)  # pointed back at the first box: its history is still there
    seen_a = await store.query("router", "subscribers.total", T0 - 60, T0 + 60)
    assert seen_a.points == (raw(T0, 25_948.0),)
    store.unbind("router")  # nobody's box: neither history
    assert (await store.query("router", "subscribers.total", T0 - 60, T0 + 60)).points == ()


async def test_alert_history_follows_the_box(store: HistoryStore) -> None:
    now = datetime(2023, 11, 14, 22, 20, tzinfo=UTC)
    first = AlertManager(clock=lambda: now, journal=store.append_alert_event)
    first.bind(BOX_A)
    store.bind(BOX_A)
    first.observe_subscribers("router", 25_948)
    (drop,) = first.observe_subscribers("router", 10_000)
    assert (drop.host, drop.port) == ("10.0.0.1", 22)
    assert [a.id for a in await store.alert_history(router="router")] == [drop.id]
    assert await store.active_alerts() == [drop]

    store.bind(BOX_B)
    assert await store.alert_history(router="router") == []
    second = AlertManager(clock=lambda: now, journal=store.append_alert_event)
    second.bind(BOX_B)
    second.restore(await store.active_alerts())
    assert second.active() == []  # the other box's mass drop is not adopted


def _schema_one_file(path: Path) -> None:
    """A history file as release 1 wrote it: series keyed by name alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        MIGRATIONS[0](conn, MigrationContext({}, []))
        conn.execute("PRAGMA user_version = 1")
        for series_id, router in ((1, "bras-sp1"), (2, "router")):
            conn.execute(
                "INSERT INTO series (id, router, metric) VALUES (?, ?, 'subscribers.total')",
                (series_id, router),
            )
            conn.execute(
                "INSERT INTO samples VALUES (?, ?, ?)", (series_id, T0, 1000.0 * series_id)
            )
        old = Alert(
            alert_id("router", AlertKind.SUBSCRIBER_DROP, ""),
            "router",
            Severity.CRITICAL,
            AlertKind.SUBSCRIBER_DROP,
            "",
            "Mass subscriber drop on router: online total fell by 60% (25948 -> 10379)",
            datetime(2023, 11, 14, 22, 0, tzinfo=UTC),
        )
        kept = Alert(
            alert_id("bras-sp1", AlertKind.CPU_HIGH, "cpu"),
            "bras-sp1",
            Severity.MAJOR,
            AlertKind.CPU_HIGH,
            "cpu",
            "CPU usage on bras-sp1 is 95%",
            datetime(2023, 11, 14, 22, 0, tzinfo=UTC),
        )
        for alert in (old, kept):
            conn.execute(
                "INSERT INTO alert_events (recorded_at, event, alert_id, router, alert)"
                " VALUES (?, 'raised', ?, ?, ?)",
                (T0, alert.id, alert.router, json.dumps(alert.to_dict())),
            )


async def test_a_schema_one_file_is_upgraded_without_losing_anything(
    db_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Rows of a router still configured join its box; the rest is kept aside, and said."""
    _schema_one_file(db_path)
    sp1 = RouterIdentity("bras-sp1", "10.0.0.1", 22)
    # ROUTER_* routers used to be named `router`; now they are named after their host.
    now_named = RouterIdentity("10.0.0.2", "10.0.0.2", 22)
    caplog.set_level(logging.WARNING, logger="app.engine.history_store")
    store = await HistoryStore.open(
        db_path, clock=clock, identities={"bras-sp1": sp1, "10.0.0.2": now_named}
    )
    try:
        assert store.kept_aside == ("router",)
        assert "router" in caplog.text
        assert "kept aside" in caplog.text
        result = await store.query("bras-sp1", "subscribers.total", T0 - 60, T0 + 60)
        assert result.points == (raw(T0, 1000.0),)
        # The old `router` history and its mass drop attach to no router at all.
        store.bind(RouterIdentity("router", "10.0.0.2", 22))
        assert (await store.query("router", "subscribers.total", T0 - 60, T0 + 60)).points == ()
        assert await store.alert_history(router="router") == []
        (cpu,) = await store.alert_history(router="bras-sp1")
        assert (cpu.host, cpu.port) == ("10.0.0.1", 22)
        manager = AlertManager()
        manager.bind(sp1)
        manager.bind(RouterIdentity("router", "10.0.0.2", 22))
        manager.restore(await store.active_alerts())
        assert [a.router for a in manager.active()] == ["bras-sp1"]
        # The restored occurrence keeps its id until it clears.
        (cleared,) = [a for _ in range(3) for a in manager.observe_cpu("bras-sp1", 1.0)]
        assert cleared.id == cpu.id
    finally:
        await store.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        # Nothing was deleted: the kept-aside rows are still in the file.
        assert conn.execute("SELECT count(*) FROM samples").fetchone() == (2,)
        assert conn.execute(
            "SELECT router, host, port FROM series ORDER BY router"
        ).fetchall() == [("bras-sp1", "10.0.0.1", 22), ("router", None, None)]
