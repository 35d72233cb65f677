"""Append-only audit log of everything the app asked a router to change.

One JSON object per line: when (ISO 8601 with the UTC offset), who (the OS user running
the app and, for a command that came over the network, the remote ``client``: its address,
the way in and how it proved itself), which router, the exact command lines, the outcome and
an excerpt of what the router answered. The client is taken from the context the feed sets
around a remote request (:func:`acting_for`), so the console and the change workflow record
it without the feed threading it through every call.
Each entry is written with a single ``write`` on an ``O_APPEND`` descriptor and fsync'd, so
concurrent writers never interleave and an entry survives a crash right after a change.
Passwords never reach a router command line in this app; as a second line of defence any
registered secret found in a field is replaced before writing.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.platform.files import open_private

OUTPUT_EXCERPT_CHARS = 2000
REDACTED = "********"


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (containers without a passwd entry)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _now() -> datetime:
    return datetime.now().astimezone()


@dataclass(frozen=True, slots=True)
class AuditClient:
    """Who sent a command over the network.

    `seat` is the name of the seat whose token the client presented (None with the shared
    feed token). `auth` says how the client proved itself.
    """

    address: str | None  # the peer's IP address as the server saw it
    via: str  # the way in: "feed"
    protocol: str | None = None  # "http" or "websocket"
    auth: str | None = None  # "seat": a seat's own token; "token": the shared feed token
    seat: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_client: ContextVar[AuditClient | None] = ContextVar("ne8000monitor_audit_client", default=None)


@contextlib.contextmanager
def acting_for(client: AuditClient) -> Iterator[None]:
    """Record `client` in every audit entry written inside this block (this task only)."""
    token = _client.set(client)
    try:
        yield
    finally:
        _client.reset(token)


def current_client() -> AuditClient | None:
    """The remote client of the request being handled, None for the local operator."""
    return _client.get()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log."""

    time: str
    user: str
    router: str
    commands: tuple[str, ...]
    outcome: str  # committed, applied, aborted, refused, failed
    output: str  # excerpt of the router's answers
    detail: str | None = None  # the error or router message behind a non-success outcome
    client: AuditClient | None = None  # a command from the network; None: the local operator

    def to_json(self) -> str:
        record: dict[str, Any] = {
            "time": self.time,
            "user": self.user,
            "client": None if self.client is None else self.client.to_dict(),
            "router": self.router,
            "commands": list(self.commands),
            "outcome": self.outcome,
            "output": self.output,
        }
        if self.detail is not None:
            record["detail"] = self.detail
        return json.dumps(record, ensure_ascii=False)


class AuditLog:
    """Appends entries to one JSON-lines file; the path comes from the composition root."""

    def __init__(
        self,
        path: Path,
        *,
        user: str | None = None,
        clock: Callable[[], datetime] = _now,
        secrets: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        self.path = path
        self._user = user or _current_user()
        self._clock = clock
        self._secrets = secrets
        self._lock = threading.Lock()

    def _scrub(self, text: str) -> str:
        if self._secrets is None:
            return text
        for secret in self._secrets():
            if secret:
                text = text.replace(secret, REDACTED)
        return text

    def entry(
        self,
        router: str,
        commands: Sequence[str],
        outcome: str,
        output: str = "",
        detail: str | None = None,
    ) -> AuditEntry:
        """Build (but do not write) an entry stamped now."""
        excerpt = (
            output
            if len(output) <= OUTPUT_EXCERPT_CHARS
            else (output[:OUTPUT_EXCERPT_CHARS] + "...[truncated]")
        )
        return AuditEntry(
            time=self._clock().isoformat(timespec="seconds"),
            user=self._user,
            router=router,
            commands=tuple(self._scrub(command) for command in commands),
            outcome=outcome,
            output=self._scrub(excerpt),
            detail=self._scrub(detail) if detail is not None else None,
            client=current_client(),
        )

    def append(self, entry: AuditEntry) -> None:
        """Write one entry durably (blocking: call from a thread in async code)."""
        data = (entry.to_json() + "\n").encode("utf-8")
        with self._lock:
            fd = open_private(self.path, os.O_WRONLY | os.O_APPEND)
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)

    async def record(
        self,
        router: str,
        commands: Sequence[str],
        outcome: str,
        output: str = "",
        detail: str | None = None,
    ) -> AuditEntry:
        """Build and write an entry without blocking the event loop (fsync, secret lookup).

        The worker thread runs in a copy of this task's context, so :func:`acting_for`
        reaches it.
        """

        def write() -> AuditEntry:
            entry = self.entry(router, commands, outcome, output, detail)
            self.append(entry)
            return entry

        return await asyncio.to_thread(write)

    def read(self) -> list[dict[str, Any]]:
        """Every entry so far (for tests and the UI's audit view)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
