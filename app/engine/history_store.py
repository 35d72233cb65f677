"""Long-term history in SQLite: raw samples for a week, 5-minute rollups for 400 days.

Why it looks like this:

* **One writer thread owns the connection.** The event loop only puts tuples on a queue
  (``record`` never blocks on disk); the thread writes them in batches, one transaction per
  batch, and runs queries and pruning in order behind the writes, so a query sees every
  sample recorded before it. Async callers await a ``concurrent.futures.Future``.
* **Gaps are stored, not implied.** A failed poll is recorded as a row whose value is NULL;
  raw queries return it as ``value=None`` and a 5-minute bucket counts it in ``gaps``
  (a bucket holding only gaps has ``value``/``minimum``/``maximum`` None). Time with no rows
  at all (the app was not running) is simply absent from the result. Nothing is ever
  returned as 0 for missing data.
* **Rollups are recomputed, not accumulated.** After each batch, every touched bucket is
  rebuilt from the raw rows (min/avg/max/count over the bucket), so a repeated or replaced
  sample cannot be counted twice. Samples older than the raw retention are refused (their
  bucket could no longer be rebuilt correctly).
* **A corrupt file is moved aside**, renamed ``<name>.corrupt-<UTC timestamp>`` (with its
  -wal/-shm files) and a new database started, with a logged warning: history is a cache of
  the past, never a reason not to monitor. Opening runs ``PRAGMA quick_check`` on files up
  to ``full_check_bytes`` (a bigger file is only opened; checking it would delay startup);
  corruption met later by a write or query triggers the same recovery. A database from a
  *newer* schema is not touched at all (its version is read from the file header and
  any WAL left beside it, before SQLite opens it); opening it raises
  :class:`NewerHistoryDatabase`.
* **Private files.** The database is created 0600 before SQLite opens it, so its -wal and
  -shm files (which SQLite gives the database file's mode) are private too.
* **Alert history** lives in the same file: an append-only ``alert_events`` table, one row
  per raised / cleared / acknowledged event holding the alert as JSON. It is pruned with the
  rollup retention.
* **Data belongs to a box, not a name.** Every series and alert event is keyed by the
  router's identity: its name *and* host and port. Callers still say the name; the store
  knows which box each name means now (:meth:`HistoryStore.bind`, done by the Monitor), so
  a renamed router, or a name pointed at another address, starts a fresh history, and what
  one box recorded never shows up against another. A name nobody bound is its own box
  (empty host, port 0), for tools that use the store directly.

Schema version is ``PRAGMA user_version``; :data:`MIGRATIONS` upgrades step by step. Schema
2 added the identity: rows of a router whose name the settings still hold were attached to
that router's host and port; rows of any other name are *kept aside* (host NULL), never
shown against a router and never deleted by the upgrade (they age out with the retention),
and the log says so.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from app.domain.alerts import Alert, AlertEvent
from app.domain.errors import NE8000MonitorError
from app.domain.messages import MessageId, message
from app.domain.router import RouterIdentity
from app.platform.files import narrow, private_dir, touch_private

log = logging.getLogger(__name__)

BUCKET_SECONDS = 300
RAW_RETENTION_SECONDS = 7 * 86_400
ROLLUP_RETENTION_SECONDS = 400 * 86_400
RAW_QUERY_SPAN_SECONDS = 6 * 3_600  # `auto` queries longer than this read the rollups
PRUNE_INTERVAL_SECONDS = 3_600
FULL_CHECK_BYTES = 256 * 1024 * 1024  # `PRAGMA quick_check` at open up to this file size

_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_BYTES = 100
_WAL_MAGIC = (0x377F0682, 0x377F0683)
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26

Resolution = Literal["raw", "5min"]
# Where a name nobody bound lives: its own box, with no address known.
UNBOUND: tuple[str, int] = ("", 0)


class HistoryStoreError(Exception):
    """The history database cannot be used (closed, or written by a newer version)."""


class NewerHistoryDatabase(HistoryStoreError, NE8000MonitorError):
    """The file was written by a newer release: refused, and left exactly as it is."""

    def __init__(self, path: Path, version: int) -> None:
        said = message(
            MessageId.HISTORY_NEWER, path=str(path), found=version, supported=SCHEMA_VERSION
        )
        super().__init__(said.english)
        self.operator_message = said
        self.path = path
        self.version = version


class _CorruptDatabase(Exception):
    """Raised inside the writer thread when the integrity check fails."""


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """One point of a query result.

    Raw: ``value`` is the sample (None for a gap), ``minimum``/``maximum`` equal it,
    ``count`` is 1 (0 for a gap) and ``gaps`` the reverse. Rollup: ``timestamp`` is the
    bucket start, ``value`` the average of the non-gap samples, ``count`` how many there
    were and ``gaps`` how many polls failed in the bucket.
    """

    timestamp: float
    value: float | None
    minimum: float | None
    maximum: float | None
    count: int
    gaps: int


@dataclass(frozen=True, slots=True)
class SeriesData:
    router: str
    metric: str
    resolution: Resolution
    points: tuple[HistoryPoint, ...]


@dataclass(frozen=True, slots=True)
class MigrationContext:
    """What an upgrade may need to know beside the file: the routers configured now."""

    identities: Mapping[str, RouterIdentity]
    kept_aside: list[str]  # names whose old rows could not be attached to a box


def _v1(conn: sqlite3.Connection, context: MigrationContext) -> None:
    conn.executescript(
        """
        CREATE TABLE IF NOT EXISTS series (
            id INTEGER PRIMARY KEY,
            router TEXT NOT NULL,
            metric TEXT NOT NULL,
            UNIQUE (router, metric)
        );
        CREATE TABLE IF NOT EXISTS samples (
            series_id INTEGER NOT NULL REFERENCES series(id),
            ts REAL NOT NULL,
            value REAL,
            PRIMARY KEY (series_id, ts)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS samples_ts ON samples (ts);
        CREATE TABLE IF NOT EXISTS rollups (
            series_id INTEGER NOT NULL REFERENCES series(id),
            bucket INTEGER NOT NULL,
            min REAL,
            avg REAL,
            max REAL,
            count INTEGER NOT NULL,
            gaps INTEGER NOT NULL,
            PRIMARY KEY (series_id, bucket)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS rollups_bucket ON rollups (bucket);
        CREATE TABLE IF NOT EXISTS alert_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            recorded_at REAL NOT NULL,
            event TEXT NOT NULL,
            alert_id TEXT NOT NULL,
            router TEXT NOT NULL,
            alert TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS alert_events_router ON alert_events (router, seq);
        CREATE INDEX IF NOT EXISTS alert_events_time ON alert_events (recorded_at);
        """
    )


def _v2(conn: sqlite3.Connection, context: MigrationContext) -> None:
    """Key series and alert events by router identity (name, host, port).

    Old rows of a name the settings still hold belong to that router's host and port;
    the others are kept aside with host and port NULL (never shown, never deleted here).
    """
    columns = {row[1] for row in conn.execute("PRAGMA table_info(series)")}
    if "host" not in columns:
        conn.executescript(
            """
            CREATE TABLE series_v2 (
                id INTEGER PRIMARY KEY,
                router TEXT NOT NULL,
                host TEXT,
                port INTEGER,
                metric TEXT NOT NULL,
                UNIQUE (router, host, port, metric)
            );
            INSERT INTO series_v2 (id, router, host, port, metric)
                SELECT id, router, NULL, NULL, metric FROM series;
            DROP TABLE series;
            ALTER TABLE series_v2 RENAME TO series;
            """
        )
    events = {row[1] for row in conn.execute("PRAGMA table_info(alert_events)")}
    if "host" not in events:
        conn.execute("ALTER TABLE alert_events ADD COLUMN host TEXT")
        conn.execute("ALTER TABLE alert_events ADD COLUMN port INTEGER")
    conn.execute(
        "CREATE INDEX IF NOT EXISTS alert_events_identity ON alert_events (router, host, port)"
    )
    for name, identity in context.identities.items():
        for table in ("series", "alert_events"):
            conn.execute(
                f"UPDATE {table} SET host = ?, port = ? WHERE router = ? AND host IS NULL",
                (identity.host, identity.port, name),
            )
    aside = conn.execute(
        "SELECT router FROM series WHERE host IS NULL UNION "
        "SELECT router FROM alert_events WHERE host IS NULL ORDER BY 1"
    ).fetchall()
    context.kept_aside.extend(name for (name,) in aside)


# MIGRATIONS[n] upgrades a database at user_version n to n + 1. Steps must be idempotent
# (IF NOT EXISTS ...): DDL is not transactional under the sqlite3 module's legacy mode, so
# a crash between a step and its user_version bump re-runs the step on the next open.
MIGRATIONS: tuple[Callable[[sqlite3.Connection, MigrationContext], None], ...] = (_v1, _v2)
SCHEMA_VERSION = len(MIGRATIONS)

_ROLLUP_SQL = """
    INSERT OR REPLACE INTO rollups (series_id, bucket, min, avg, max, count, gaps)
    SELECT ?, ?, min(value), avg(value), max(value), count(value), count(*) - count(value)
    FROM samples WHERE series_id = ? AND ts >= ? AND ts < ?
"""


@dataclass(slots=True)
class _Task:
    fn: Callable[[sqlite3.Connection], Any]
    future: concurrent.futures.Future[Any]


_STOP = object()


class HistoryStore:
    """SQLite history with a single writer thread; see the module docstring.

    Construction opens (or creates, or replaces a corrupt) database and blocks until it is
    ready; from async code use :meth:`open`. ``clock`` returns POSIX seconds and drives
    retention and the `auto` resolution choice (tests pass a fake one). ``identities`` are
    the routers configured now: they are bound at once, and an upgrade from schema 1 uses
    them to attach old rows to their box (see the module docstring).
    """

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], float] = time.time,
        raw_retention: float = RAW_RETENTION_SECONDS,
        rollup_retention: float = ROLLUP_RETENTION_SECONDS,
        raw_query_span: float = RAW_QUERY_SPAN_SECONDS,
        prune_interval: float = PRUNE_INTERVAL_SECONDS,
        batch_size: int = 500,
        flush_interval: float = 1.0,
        full_check_bytes: int = FULL_CHECK_BYTES,
        on_connect: Callable[[sqlite3.Connection], None] | None = None,
        identities: Mapping[str, RouterIdentity] | None = None,
    ) -> None:
        self.path = Path(path)
        self._bound: dict[str, tuple[str, int]] = {
            name: (identity.host, identity.port) for name, identity in (identities or {}).items()
        }
        self._migration = MigrationContext(dict(identities or {}), [])
        # Names whose rows from before schema 2 could not be attached to a box.
        self.kept_aside: tuple[str, ...] = ()
        self.clock = clock
        self.raw_retention = raw_retention
        self.rollup_retention = rollup_retention
        self.raw_query_span = raw_query_span
        self.prune_interval = prune_interval
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.full_check_bytes = full_check_bytes
        self._on_connect = on_connect
        self.moved_aside: Path | None = None  # where a corrupt database went, if it did
        self.written = 0
        self.refused = 0  # samples too old to store, or lost to a write error
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False
        self._closing = threading.Lock()
        self._series_ids: dict[tuple[str, str, int, str], int] = {}
        self._last_prune = float("-inf")
        self._conn: sqlite3.Connection  # opened, used and closed by the writer thread only
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name=f"history-writer:{self.path.name}", daemon=True
        )
        self._thread.start()
        ready.result()  # re-raises an open failure here, in the caller

    @classmethod
    async def open(cls, path: Path, **options: Any) -> HistoryStore:
        """Open without blocking the event loop (opening may check and migrate the file)."""
        return await asyncio.to_thread(cls, path, **options)

    @property
    def writer_thread(self) -> threading.Thread:
        return self._thread

    # ---- which box each name means ----

    def bind(self, identity: RouterIdentity) -> None:
        """From now on, `identity.name` means this host and port: its samples go to that
        box's series and queries read that box's history (another box's stays apart)."""
        self._bound[identity.name] = (identity.host, identity.port)

    def unbind(self, router: str) -> None:
        self._bound.pop(router, None)

    def _box(self, router: str) -> tuple[str, int]:
        return self._bound.get(router, UNBOUND)

    # ---- writing (any thread, never blocks) ----

    def record(self, router: str, metric: str, timestamp: float, value: float | None) -> None:
        """Queue one sample of the box `router` means now; ``value=None`` records a gap."""
        if self._closed:
            raise HistoryStoreError("history store is closed")
        host, port = self._box(router)
        self._queue.put(
            (router, host, port, metric, float(timestamp), None if value is None else float(value))
        )

    def record_many(
        self, router: str, timestamp: float, values: Mapping[str, float | None]
    ) -> None:
        for metric, value in values.items():
            self.record(router, metric, timestamp, value)

    def append_alert_event(self, event: AlertEvent, alert: Alert) -> None:
        """Queue one alert life-cycle event for the append-only alert history."""
        record = json.dumps(alert.to_record(), ensure_ascii=False)
        now = self.clock()
        host, port = (
            (alert.host, alert.port) if alert.host is not None else self._box(alert.router)
        )

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute(
                    "INSERT INTO alert_events"
                    " (recorded_at, event, alert_id, router, alert, host, port)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (now, str(event), alert.id, alert.router, record, host, port),
                )

        self._submit(write)

    # ---- queries and maintenance (run on the writer thread, in order) ----

    async def query(
        self,
        router: str,
        metric: str,
        start: float,
        end: float,
        *,
        resolution: Resolution | Literal["auto"] = "auto",
    ) -> SeriesData:
        """Points of one series in ``[start, end]``, oldest first.

        `auto` reads raw samples when the span is at most ``raw_query_span`` and starts
        within the raw retention, 5-minute rollups otherwise. A rollup bucket is included
        when it overlaps the range.
        """
        if resolution == "auto":
            recent = start >= self.clock() - self.raw_retention
            resolution = "raw" if recent and end - start <= self.raw_query_span else "5min"
        chosen: Resolution = resolution
        box = self._box(router)
        return await self._call(
            lambda conn: self._query(
                conn, router=router, box=box, metric=metric, start=start, end=end, resolution=chosen
            )
        )

    async def prune(self) -> tuple[int, int, int]:
        """Delete what is past retention now: (raw rows, rollup rows, alert events)."""
        return await self._call(self._prune)

    async def alert_events(
        self, *, router: str | None = None, since: float | None = None, limit: int = 1000
    ) -> list[tuple[AlertEvent, Alert]]:
        """The newest ``limit`` alert events (oldest first), optionally for one router: the
        box the name means now (events of another box that had the name are left out)."""
        box = None if router is None else self._box(router)
        return await self._call(lambda conn: self._alert_events(conn, router, box, since, limit))

    async def alert_history(self, *, router: str | None = None, limit: int = 1000) -> list[Alert]:
        """Alert occurrences in their latest state (acknowledged, cleared), oldest first.

        Every event row carries the whole alert, so the newest event of an occurrence is
        its state; at most ``limit`` occurrences, taken from the newest ``3 * limit`` events.
        """
        events = await self.alert_events(router=router, limit=limit * 3)
        latest: dict[tuple[str, datetime], Alert] = {}
        for _event, alert in events:
            latest[(alert.id, alert.raised_at)] = alert  # dict keeps first-seen order
        return list(latest.values())[-limit:]

    async def active_alerts(self) -> list[Alert]:
        """Occurrences never cleared: what the alert manager restores after a restart (each
        with the host and port it was raised on; the manager adopts only the same box's)."""
        events = await self._call(lambda conn: self._alert_events(conn, None, None, None, None))
        latest: dict[tuple[str, datetime], Alert] = {}
        for _event, alert in events:
            latest[(alert.id, alert.raised_at)] = alert
        return [alert for alert in latest.values() if alert.active]

    async def flush(self) -> None:
        """Wait until everything recorded so far is committed."""
        await self._call(lambda conn: None)

    def flush_sync(self) -> None:
        self._submit(lambda conn: None).result()

    async def close(self) -> None:
        """Write what is queued, stop the writer thread and close the database."""
        await asyncio.to_thread(self.close_sync)

    def close_sync(self) -> None:
        with self._closing:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join()

    # ---- plumbing ----

    def _submit(self, fn: Callable[[sqlite3.Connection], Any]) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._closing:  # a task is queued before the stop marker or refused, never lost
            if self._closed:
                raise HistoryStoreError("history store is closed")
            self._queue.put(_Task(fn, future))
        return future

    async def _call(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        return await asyncio.wrap_future(self._submit(fn))

    def _run(self, ready: concurrent.futures.Future[None]) -> None:
        try:
            self._conn = self._open()
        except BaseException as exc:
            ready.set_exception(exc)
            return
        ready.set_result(None)
        pending: list[tuple[str, str, int, str, float, float | None]] = []
        try:
            while True:
                try:
                    item = self._queue.get(timeout=self.flush_interval if pending else None)
                except queue.Empty:
                    item = None
                if isinstance(item, tuple):
                    pending.append(item)
                    if len(pending) < self.batch_size:
                        continue
                if pending:
                    self._write(self._conn, pending)
                    pending = []
                self._maybe_prune(self._conn)
                if isinstance(item, _Task):
                    self._run_task(self._conn, item)
                elif item is _STOP:
                    break
        finally:
            with self._closing:  # also when the thread dies: later calls fail, never hang
                self._closed = True
            self._fail_waiting_tasks()
            self._conn.close()

    def _run_task(self, conn: sqlite3.Connection, task: _Task) -> None:
        if not task.future.set_running_or_notify_cancel():
            return
        try:
            task.future.set_result(task.fn(conn))
        except Exception as exc:
            try:
                if _is_corruption(exc):
                    self._recover(exc)  # before answering, so the caller sees the new file
            finally:
                task.future.set_exception(exc)

    def _fail_waiting_tasks(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, _Task) and item.future.set_running_or_notify_cancel():
                item.future.set_exception(HistoryStoreError("history store is closed"))

    def _open(self) -> sqlite3.Connection:
        private_dir(self.path.parent)
        # Read the version from the file (and its WAL) before SQLite opens it: opening a WAL
        # database creates (and on close checkpoints and removes) its -wal/-shm files, and
        # a newer release's files must not be touched at all.
        version = _stored_user_version(self.path)
        if version is not None and version > SCHEMA_VERSION:
            raise NewerHistoryDatabase(self.path, version)
        try:
            return self._connect_checked()
        except (sqlite3.DatabaseError, _CorruptDatabase) as exc:
            if not _is_corruption(exc):
                raise
            self._set_aside(exc)
            return self._connect_checked()

    def _set_aside(self, exc: BaseException) -> None:
        self.moved_aside = self._move_aside()
        self._series_ids.clear()
        log.warning(
            "history database %s is corrupt (%s); moved it to %s and started a new one",
            self.path,
            exc,
            self.moved_aside,
        )

    def _recover(self, exc: BaseException) -> None:
        """Corruption found while running (the open check is partial for big files)."""
        self._conn.close()
        self._set_aside(exc)
        self._conn = self._connect_checked()

    def _connect_checked(self) -> sqlite3.Connection:
        # SQLite creates the file with the umask's mode, and its -wal/-shm with the mode of
        # the database file: create it private first (and narrow what an older release left).
        touch_private(self.path)
        for suffix in ("-wal", "-shm"):
            narrow(self.path.with_name(self.path.name + suffix))
        conn = sqlite3.connect(self.path, isolation_level="DEFERRED")
        try:
            if self.path.stat().st_size <= self.full_check_bytes:
                (result,) = conn.execute("PRAGMA quick_check").fetchone()
                if result != "ok":
                    raise _CorruptDatabase(result)
            else:  # reads every page: too slow at startup; corruption is caught when met
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            self._check_version(conn)  # before anything writes to a newer app's file
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate(conn)
            if self._on_connect is not None:
                self._on_connect(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _check_version(self, conn: sqlite3.Connection) -> None:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:  # only if the file changed since it was read
            raise NewerHistoryDatabase(self.path, version)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        for step in range(version, SCHEMA_VERSION):
            with conn:
                MIGRATIONS[step](conn, self._migration)
                conn.execute(f"PRAGMA user_version = {step + 1}")
            log.info("history database %s migrated to schema %d", self.path, step + 1)
        kept = tuple(dict.fromkeys(self._migration.kept_aside))
        if kept and version:  # an upgrade found rows it could not attach to a box
            self.kept_aside = kept
            log.warning(
                "history database %s: the history and alerts of %s were recorded before "
                "routers were told apart by address, and no router of that name is "
                "configured now; they are kept aside in the file (never shown against "
                "another router) until they age out",
                self.path,
                ", ".join(kept),
            )

    def _move_aside(self) -> Path:
        stamp = datetime.fromtimestamp(self.clock(), UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        counter = 1
        while target.exists():
            counter += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{counter}")
        self.path.rename(target)
        for suffix in ("-wal", "-shm"):
            companion = self.path.with_name(self.path.name + suffix)
            if companion.exists():
                companion.rename(target.with_name(target.name + suffix))
        return target

    def _series_id(
        self, conn: sqlite3.Connection, router: str, host: str, port: int, metric: str
    ) -> int:
        key = (router, host, port, metric)
        found = self._series_ids.get(key)
        if found is None:
            conn.execute(
                "INSERT OR IGNORE INTO series (router, host, port, metric) VALUES (?, ?, ?, ?)",
                key,
            )
            (found,) = conn.execute(
                "SELECT id FROM series WHERE router = ? AND host = ? AND port = ? AND metric = ?",
                key,
            ).fetchone()
            self._series_ids[key] = found
        return found

    def _write(
        self,
        conn: sqlite3.Connection,
        batch: list[tuple[str, str, int, str, float, float | None]],
    ) -> None:
        oldest = self.clock() - self.raw_retention
        rows: list[tuple[int, float, float | None]] = []
        buckets: set[tuple[int, int]] = set()
        try:
            with conn:
                for router, host, port, metric, ts, value in batch:
                    if ts < oldest:
                        self.refused += 1
                        continue
                    series_id = self._series_id(conn, router, host, port, metric)
                    rows.append((series_id, ts, value))
                    buckets.add((series_id, _bucket(ts)))
                conn.executemany("INSERT OR REPLACE INTO samples VALUES (?, ?, ?)", rows)
                conn.executemany(
                    _ROLLUP_SQL,
                    [(sid, start, sid, start, start + BUCKET_SECONDS) for sid, start in buckets],
                )
        except sqlite3.Error as exc:
            self._series_ids.clear()  # ids created in the rolled-back transaction are gone
            self.refused += len(rows)
            log.exception("history: could not write %d samples", len(rows))
            if _is_corruption(exc):
                self._recover(exc)
            return
        self.written += len(rows)

    def _maybe_prune(self, conn: sqlite3.Connection) -> None:
        if self.clock() - self._last_prune >= self.prune_interval:
            try:
                self._prune(conn)
            except sqlite3.Error:
                log.exception("history: pruning failed")

    def _prune(self, conn: sqlite3.Connection) -> tuple[int, int, int]:
        now = self.clock()
        self._last_prune = now
        with conn:
            raw = conn.execute("DELETE FROM samples WHERE ts < ?", (now - self.raw_retention,))
            rollups = conn.execute(
                "DELETE FROM rollups WHERE bucket + ? <= ?",
                (BUCKET_SECONDS, now - self.rollup_retention),
            )
            alerts = conn.execute(
                "DELETE FROM alert_events WHERE recorded_at < ?", (now - self.rollup_retention,)
            )
        return raw.rowcount, rollups.rowcount, alerts.rowcount

    def _query(
        self,
        conn: sqlite3.Connection,
        *,
        router: str,
        box: tuple[str, int],
        metric: str,
        start: float,
        end: float,
        resolution: Resolution,
    ) -> SeriesData:
        row = conn.execute(
            "SELECT id FROM series WHERE router = ? AND host = ? AND port = ? AND metric = ?",
            (router, *box, metric),
        ).fetchone()
        points: list[HistoryPoint] = []
        if row is not None and resolution == "raw":
            for ts, value in conn.execute(
                "SELECT ts, value FROM samples WHERE series_id = ? AND ts >= ? AND ts <= ?"
                " ORDER BY ts",
                (row[0], start, end),
            ):
                present = value is not None
                points.append(HistoryPoint(ts, value, value, value, int(present), int(not present)))
        elif row is not None:
            for bucket, low, avg, high, count, gaps in conn.execute(
                "SELECT bucket, min, avg, max, count, gaps FROM rollups"
                " WHERE series_id = ? AND bucket > ? AND bucket <= ? ORDER BY bucket",
                (row[0], start - BUCKET_SECONDS, end),
            ):
                points.append(HistoryPoint(float(bucket), avg, low, high, count, gaps))
        return SeriesData(router, metric, resolution, tuple(points))

    def _alert_events(
        self,
        conn: sqlite3.Connection,
        router: str | None,
        box: tuple[str, int] | None,
        since: float | None,
        limit: int | None,
    ) -> list[tuple[AlertEvent, Alert]]:
        clauses: list[str] = []
        params: list[object] = []
        if router is not None:
            clauses.append("router = ?")
            params.append(router)
        if box is not None:
            clauses.append("host = ? AND port = ?")
            params.extend(box)
        if since is not None:
            clauses.append("recorded_at >= ?")
            params.append(since)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT event, alert, host, port FROM alert_events {where} ORDER BY seq DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = conn.execute(sql, params).fetchall()
        result: list[tuple[AlertEvent, Alert]] = []
        for event, record, host, port in reversed(rows):
            try:
                alert = Alert.from_dict(json.loads(record))
            except (KeyError, ValueError, TypeError):
                log.warning("history: skipping a malformed alert event %r", record[:200])
                continue
            if alert.host is None and host:  # recorded before alerts carried their box
                alert = replace(alert, host=host, port=port)
            result.append((AlertEvent(event), alert))
        return result


def _stored_user_version(path: Path) -> int | None:
    """``PRAGMA user_version`` as stored on disk, read without SQLite, or None.

    The newest committed copy of page 1 in a -wal file left by an unclean stop wins over
    the database header (bytes 60-63 of page 1). None when there is no file or it is not an
    SQLite database (then opening it finds the corruption and moves it aside as usual).
    """
    try:
        with path.open("rb") as stream:
            header = stream.read(_HEADER_BYTES)
    except FileNotFoundError:
        return None
    if len(header) < _HEADER_BYTES or not header.startswith(_SQLITE_MAGIC):
        return None
    page_one = _wal_page_one(path.with_name(path.name + "-wal")) or header
    return int.from_bytes(page_one[60:64], "big")


def _wal_page_one(wal: Path) -> bytes | None:
    """The last committed image of page 1 in a write-ahead log (SQLite's file format:
    a 32-byte header, then frames of a 24-byte header and one page), or None."""
    try:
        stream = wal.open("rb")
    except FileNotFoundError:
        return None
    with stream:
        header = stream.read(32)
        if len(header) < 32 or int.from_bytes(header[:4], "big") not in _WAL_MAGIC:
            return None
        page_size = int.from_bytes(header[8:12], "big")
        salts = header[16:24]
        committed: bytes | None = None
        pending: bytes | None = None
        while True:
            frame = stream.read(24)
            page = stream.read(page_size)
            if len(frame) < 24 or len(page) < page_size or frame[8:16] != salts:
                return committed  # the end, or frames left over from before a checkpoint
            if int.from_bytes(frame[:4], "big") == 1:
                pending = page
            if int.from_bytes(frame[4:8], "big") and pending is not None:  # a commit frame
                committed, pending = pending, None


def _bucket(ts: float) -> int:
    return int(ts // BUCKET_SECONDS) * BUCKET_SECONDS


def _is_corruption(exc: BaseException) -> bool:
    if isinstance(exc, _CorruptDatabase):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
