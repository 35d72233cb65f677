"""The console and the audit log of a seat in collector mode: both are the collector's.

A console line is checked here by the same VRP policy the collector applies (so a line
with odd characters or a configuration line without operator mode is refused before it
leaves the seat), then sent to `POST /api/execute_command`, where the collector checks it
again, rate-limits it, runs it on one of its own sessions and writes it to its audit log
with this seat's name. The audit entries a seat shows are the collector's, read from
`GET /api/audit`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from app.domain.errors import NE8000MonitorError, RateLimited
from app.domain.router import CommandResult
from app.engine.console import ConsoleResult, ConsoleRules, OperatorModeRequired
from app.feed.wire.collector import AuditAnswer
from app.feed.wire.commands import ExecuteCommandRequest, ExecuteCommandResult
from app.remote.changes import prompt_kind_of
from app.remote.client import CollectorClient
from app.remote.errors import CollectorError
from app.remote.monitor import RemoteMonitor
from app.vrp.console_policy import CommandClass, classify_console_line

_log = logging.getLogger("ne8000monitor.remote.console")

AUDIT_ENTRIES = 50
AUDIT_TIMEOUT = 30.0


class RemoteConsole(ConsoleRules):
    """The engine Console's interface, run by the collector."""

    def __init__(self, client: CollectorClient) -> None:
        self._client = client

    async def run(
        self,
        router: str,
        line: str,
        *,
        operator_mode: bool = False,
        confirmed_line: str | None = None,
        audit_every: bool = False,
    ) -> ConsoleResult:
        """Run one console line on the collector's session to `router`.

        `operator_mode` is what this seat shows (the collector's own setting); the
        collector decides. `audit_every` is ignored: the collector audits every remote
        line anyway."""
        line = line.strip()
        verdict = classify_console_line(line)
        if verdict.kind.needs_operator_mode:
            if not operator_mode:
                raise OperatorModeRequired(
                    f"{verdict.reason}; the collector is not in operator mode"
                )
            if confirmed_line is None or confirmed_line.strip() != line:
                raise OperatorModeRequired(f"confirm {line!r} before it is sent ({verdict.reason})")
        request = ExecuteCommandRequest(router=router, command=line, confirm=confirmed_line)
        try:
            answer = await self._client.post("/api/execute_command", request, ExecuteCommandResult)
        except CollectorError as error:
            raise _console_error(error) from None
        return ConsoleResult(
            kind=CommandClass(answer.class_),
            result=CommandResult(
                answer.command, answer.output, answer.prompt, prompt_kind_of(answer.prompt)
            ),
            cleanup=tuple(answer.cleanup),
        )


def _console_error(error: CollectorError) -> NE8000MonitorError:
    if error.status == 429:
        return RateLimited(str(error))
    if error.code in ("not_read_only", "confirmation_required"):
        return OperatorModeRequired(str(error))
    return error


class RemoteAudit:
    """The collector's audit entries of this seat's own commands and changes.

    `read` blocks (the window calls it in a worker thread, as it reads a local file): it
    asks the collector through the monitor's event loop. A collector out of reach gives an
    empty list and a message for the operator, never an error in the middle of a result.
    """

    def __init__(self, client: CollectorClient, monitor: RemoteMonitor) -> None:
        self._client = client
        self._monitor = monitor
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The event loop the client runs on (the composition root sets it at start)."""
        self._loop = loop

    def read(self) -> list[dict[str, Any]]:
        loop = self._loop
        if loop is None:
            raise RuntimeError("RemoteAudit.read before bind(loop)")
        if threading.current_thread() is threading.main_thread() and loop.is_running():
            raise RuntimeError("RemoteAudit.read blocks: call it from a worker thread")
        request = self._client.get(
            "/api/audit", AuditAnswer, params={"mine": "1", "limit": str(AUDIT_ENTRIES)}
        )
        try:
            answer = asyncio.run_coroutine_threadsafe(request, loop).result(AUDIT_TIMEOUT)
        except (CollectorError, TimeoutError) as error:
            self._monitor.report(f"the collector's audit log could not be read: {error}")
            return []
        return [_entry(record) for record in answer.entries]


def _entry(record: Any) -> dict[str, Any]:
    """An audit record in the local log's JSON shape (what the window formats)."""
    client = record.client
    entry: dict[str, Any] = {
        "time": record.time,
        "user": record.user,
        "client": None
        if client is None
        else {
            "address": client.address,
            "via": client.via,
            "protocol": client.protocol,
            "auth": client.auth,
            "seat": client.seat,
        },
        "router": record.router,
        "commands": list(record.commands),
        "outcome": record.outcome,
        "output": record.output,
    }
    if record.detail is not None:
        entry["detail"] = record.detail
    return entry
