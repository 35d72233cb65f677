"""One full dashboard snapshot of a router, collected through its pool concurrently.

All sections are asked at once; the pool spreads them over its sessions. The interface
details depend on the brief (only up physical ports and Eth-Trunks are worth a
``display interface X``), so they are queued as soon as the brief is parsed, while the
other sections are still running. A section that fails or cannot be parsed is recorded as
that section's error and its data stays None: missing data is shown as missing, never as 0.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from app.domain.errors import NE8000MonitorError
from app.domain.interfaces import BriefInterface, InterfaceBrief
from app.domain.router import CommandResult
from app.vrp.catalog import parse_output
from app.vrp.names import is_physical_type

_log = logging.getLogger("ne8000monitor.engine.snapshot")

# Section name -> the command whose parsed output it holds.
DASHBOARD_SECTIONS: tuple[tuple[str, str], ...] = (
    ("interface_brief", "display interface brief"),  # first: the details wait on it
    ("online_total", "display access-user online-total"),
    ("cpu", "display cpu-usage"),
    ("memory", "display memory-usage"),
    ("health", "display health"),
    ("version", "display version"),
    ("domains", "display domain"),
    ("ip_pools", "display ip pool"),
    ("alarms", "display alarm active"),
)


class CommandRunner(Protocol):
    """Anything that runs one read command on a router (a :class:`SessionPool`)."""

    async def run(self, command: str, *, timeout: float | None = None) -> CommandResult: ...


@dataclass(frozen=True, slots=True)
class Section:
    """One command's parsed output, or why there is none."""

    command: str
    data: Any | None
    error: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the dashboard shows for one router at one moment."""

    router: str
    taken_at: str  # ISO 8601, UTC offset included
    seconds: float  # wall time to collect it
    sections: dict[str, Section]
    interfaces: dict[str, Section]  # `display interface NAME`, keyed by NAME

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.sections.values()) and all(
            s.ok for s in self.interfaces.values()
        )

    def errors(self) -> dict[str, str]:
        """Failed sections and interfaces with their error, for a one-line report."""
        failed = {name: s.error for name, s in self.sections.items() if s.error}
        failed.update({name: s.error for name, s in self.interfaces.items() if s.error})
        return failed


def is_detail_candidate(row: BriefInterface) -> bool:
    """Up physical ports (trunk members included) and up Eth-Trunks, no sub-interfaces."""
    if not row.phy_up or "." in row.name:
        return False
    type_name = row.name.rstrip("0123456789/:")
    if type_name == "Eth-Trunk":
        return True
    return is_physical_type(type_name)


async def _section(
    runner: CommandRunner, command: str, timeout: float | None, clock: Callable[[], float]
) -> Section:
    started = clock()
    try:
        result = await runner.run(command, timeout=timeout)
        data = parse_output(command, result.output)
    except NE8000MonitorError as error:
        return Section(command, None, " ".join(str(error).split()), clock() - started)
    except Exception as error:
        # A parser bug must cost one section, not the whole dashboard; the traceback is logged.
        _log.exception("collecting %r failed unexpectedly", command)
        message = f"internal error: {type(error).__name__}: {error}"
        return Section(command, None, message, clock() - started)
    return Section(command, data, None, clock() - started)


async def collect_snapshot(
    runner: CommandRunner,
    router: str,
    *,
    sections: Sequence[tuple[str, str]] = DASHBOARD_SECTIONS,
    detail_limit: int | None = None,
    timeout: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Snapshot:
    """Collect every section concurrently; interface details follow the brief.

    `detail_limit` caps how many interface details are fetched (None: all candidates).
    """
    started = clock()
    taken_at = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    interfaces: dict[str, Section] = {}

    async def details(brief_task: asyncio.Task[Section]) -> None:
        brief = await brief_task
        if not isinstance(brief.data, InterfaceBrief):
            return
        names = [row.name for row in brief.data.interfaces if is_detail_candidate(row)]
        if detail_limit is not None:
            names = names[:detail_limit]
        results = await asyncio.gather(
            *(_section(runner, f"display interface {name}", timeout, clock) for name in names)
        )
        interfaces.update(zip(names, results, strict=True))

    tasks = {
        name: asyncio.create_task(_section(runner, command, timeout, clock))
        for name, command in sections
    }
    follow_ups = []
    if "interface_brief" in tasks and detail_limit != 0:
        follow_ups.append(asyncio.create_task(details(tasks["interface_brief"])))
    try:
        await asyncio.gather(*tasks.values(), *follow_ups)
    finally:
        for task in [*tasks.values(), *follow_ups]:
            task.cancel()
    return Snapshot(
        router=router,
        taken_at=taken_at,
        seconds=clock() - started,
        sections={name: task.result() for name, task in tasks.items()},
        interfaces=interfaces,
    )
