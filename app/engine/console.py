"""Free-form console commands: read-only by default, anything else only in operator mode.

The policy is VRP knowledge (:mod:`app.vrp.console_policy`), the same for the desktop
console and remote commands: displays on the safe list run freely within the per-router
command budget; ``ping``/``tracert`` with bounded options run within the smaller
diagnostics budget, with a timeout that fits their options. The configuration displays
(password hashes, keys) and displays not on the safe list need operator mode and a
confirmation, and are audited; so does any other line, since it could change the router.
Every line is checked character by character first: nothing odd reaches the router.

The console uses a pooled session, so it must leave that session as it found it, in user
view with nothing pending: a line that ends at a question is answered N, and a line that
ends in a configuration view is followed by ``return`` (declining to commit).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from app.domain.errors import NE8000MonitorError, RouterError, ValidationError
from app.domain.router import CommandResult, PromptKind
from app.engine.audit import AuditLog
from app.engine.ports import RouterSession
from app.engine.ratelimit import LimitKind, RateLimiter
from app.vrp.console_policy import CommandClass, ConsoleLine, classify_console_line

_log = logging.getLogger("ne8000monitor.engine.console")

DIAGNOSTIC_MARGIN = 15.0  # on top of a ping's or tracert's longest run (login, output)

_LIMIT_FOR = {
    CommandClass.READ_ONLY: LimitKind.COMMAND,
    CommandClass.DIAGNOSTIC: LimitKind.DIAGNOSTIC,
    CommandClass.PRIVILEGED_DISPLAY: LimitKind.COMMAND,
    CommandClass.CONFIGURATION: LimitKind.COMMAND,
}


class OperatorModeRequired(ValidationError):
    """A line that may change the router or show secrets, without operator mode and
    confirmation."""


class SessionSource(Protocol):
    def session(self) -> AbstractAsyncContextManager[RouterSession]: ...


@dataclass(frozen=True, slots=True)
class ConsoleResult:
    """What the router answered; `cleanup` lists lines sent afterwards to restore the session."""

    kind: CommandClass
    result: CommandResult
    cleanup: tuple[str, ...] = ()


class ConsoleRules:
    """The console policy's verdict on a typed line, the same wherever the line runs (this
    machine's sessions, or a collector's for a seat)."""

    def classify(self, line: str) -> CommandClass:
        """Validate a line and say which policy applies (raises ValidationError)."""
        return classify_console_line(line).kind

    def check(self, line: str) -> ConsoleLine:
        """Validate a line: its class and, where operator mode is needed, why."""
        return classify_console_line(line)


class Console(ConsoleRules):
    """Runs operator-typed lines on a router under the console policy."""

    def __init__(
        self,
        sessions: Callable[[str], SessionSource],
        limiter: RateLimiter,
        audit: AuditLog,
        *,
        command_timeout: float | None = None,
    ) -> None:
        self._sessions = sessions
        self._limiter = limiter
        self._audit = audit
        self._timeout = command_timeout

    async def run(
        self,
        router: str,
        line: str,
        *,
        operator_mode: bool = False,
        confirmed_line: str | None = None,
        audit_every: bool = False,
    ) -> ConsoleResult:
        """Run one console line; `confirmed_line` must repeat an operator-mode line exactly.

        Lines that need operator mode are always audited; `audit_every` (remote commands
        from the feed) also records read-only lines and refusals, so the audit log shows
        every line that arrived over the network.
        """
        line = line.strip()
        try:
            verdict = classify_console_line(line)
            kind = verdict.kind
            if kind.needs_operator_mode:
                if not operator_mode:
                    raise OperatorModeRequired(f"{verdict.reason}; switch to operator mode")
                if confirmed_line is None or confirmed_line.strip() != line:
                    raise OperatorModeRequired(
                        f"confirm {line!r} before it is sent ({verdict.reason})"
                    )
            self._limiter.acquire(router, _LIMIT_FOR[kind])
        except NE8000MonitorError as error:
            if audit_every:
                await self._audit.record(router, [line], "refused", detail=str(error))
            raise
        timeout = self._timeout
        if verdict.max_seconds is not None:  # a diagnostic: as long as its options allow
            timeout = verdict.max_seconds + DIAGNOSTIC_MARGIN
        audited = audit_every or kind.needs_operator_mode
        async with self._sessions(router).session() as session:
            try:
                result = await session.run(line, timeout=timeout)
            except RouterError as error:
                if audited:
                    await self._audit.record(router, [line], "failed", detail=str(error))
                raise
            cleanup = await self._restore(session, result)
        if audited:
            output = result.output + "".join(f"\n{sent}" for sent in cleanup)
            await self._audit.record(router, [line, *cleanup], "sent", output)
        return ConsoleResult(kind, result, cleanup)

    async def _restore(self, session: RouterSession, result: CommandResult) -> tuple[str, ...]:
        """Bring the session back to user view without committing anything."""
        sent: list[str] = []
        last = result
        for _ in range(3):
            if last.prompt_kind is PromptKind.USER:
                return tuple(sent)
            line = "n" if last.prompt_kind is PromptKind.QUESTION else "return"
            sent.append(line)
            last = await session.run(line, timeout=self._timeout)
        _log.warning("console left the session at %r; closing it", last.prompt)
        await session.close()
        return tuple(sent)
