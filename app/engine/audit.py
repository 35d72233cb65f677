"""Append-only audit log of everything the app asked a router to change.

One JSON object per line: when (ISO 8601 with the UTC offset), who (the OS user), which
router, the exact command lines, the outcome and an excerpt of what the router answered.
Each entry is written with a single ``write`` on an ``O_APPEND`` descriptor and fsync'd, so
concurrent writers never interleave and an entry survives a crash right after a change.
Passwords never reach a router command line in this app; as a second line of defence any
registered secret found in a field is replaced before writing.

Commands that arrive over the network (the feed's remote commands) also record who sent
them: the feed wraps each request in :func:`audit_client`, and every entry written inside
it, in that task or the tasks it starts, carries ``client`` (remote address and seat).
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

OUTPUT_EXCERPT_CHARS = 2000
REDACTED = "********"


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (containers without a passwd entry)
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _now() -> datetime:
    return datetime.now().astimezone()


# Who is asking, when a request came over the network (None: the local operator).
_CLIENT: ContextVar[Mapping[str, Any] | None] = ContextVar("audit_client", default=None)


@contextlib.contextmanager
def audit_client(**client: Any) -> Iterator[None]:
    """Entries recorded inside carry ``client`` (e.g. ``address=..., seat=...``)."""
    token = _CLIENT.set(dict(client))
    try:
        yield
    finally:
        _CLIENT.reset(token)


def current_client() -> Mapping[str, Any] | None:
    """The client of the request being served (None outside :func:`audit_client`)."""
    return _CLIENT.get()


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
    client: Mapping[str, Any] | None = None  # remote requests: address and seat

    def to_json(self) -> str:
        record: dict[str, Any] = {
            "time": self.time,
            "user": self.user,
            "router": self.router,
            "commands": list(self.commands),
            "outcome": self.outcome,
            "output": self.output,
        }
        if self.detail is not None:
            record["detail"] = self.detail
        if self.client is not None:
            record["client"] = dict(self.client)
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
        *,
        client: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Build (but do not write) an entry stamped now; `client` defaults to the
        :func:`audit_client` of the running request."""
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
            client=client if client is not None else current_client(),
        )

    def append(self, entry: AuditEntry) -> None:
        """Write one entry durably (blocking: call from a thread in async code)."""
        data = (entry.to_json() + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
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
        """Build and write an entry without blocking the event loop (fsync, secret lookup)."""
        client = current_client()

        def write() -> AuditEntry:
            entry = self.entry(router, commands, outcome, output, detail, client=client)
            self.append(entry)
            return entry

        return await asyncio.to_thread(write)

    def read(self) -> list[dict[str, Any]]:
        """Every entry so far (for tests and the UI's audit view)."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
