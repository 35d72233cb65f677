"""A capture: every command the app polls, run once, kept as the router printed it.

When the parsers cannot read a router (a firmware whose layout they have never seen), the
operator's best help is a sample of that router's own output. A capture runs each command
the poller uses (`display interface NAME` for every port it would poll too), keeps the raw
answers with the outcome the parsers give each (read, read in part, not understood --
with the first line not understood -- rejected, or no answer), and writes them with the
app version into one zip. Subscriber usernames, IP and MAC addresses are replaced by
stable placeholders (:mod:`app.engine.sample_redaction`) unless asked not to; the outcome
is computed on the text as the router printed it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from app.domain.errors import (
    CommandRejected,
    NE8000MonitorError,
    ParseError,
    RouterCommandError,
)
from app.domain.interfaces import InterfaceBrief
from app.domain.parsing import warnings_of
from app.domain.router import CommandResult
from app.engine.poller import COMMANDS, VERSION
from app.engine.sample_redaction import SampleRedactor
from app.engine.snapshot import is_detail_candidate
from app.vrp.catalog import parse_output

CAPTURE_FORMAT = 1
BRIEF = "display interface brief"
_SLUG = re.compile(r"[^a-z0-9]+")


class CommandRunner(Protocol):
    """Anything that runs one read command on a router (a :class:`SessionPool`)."""

    async def run(self, command: str, *, timeout: float | None = None) -> CommandResult: ...


def polled_commands() -> list[str]:
    """The poller's commands (without the per-interface ones), in the poller's order."""
    commands = [command for group in COMMANDS.values() for _, command in group]
    return [*commands, VERSION[1]]


@dataclass(frozen=True, slots=True)
class CapturedCommand:
    """One command's answer as the router printed it, and what the parsers made of it.

    ``outcome``: ``read``, ``partial`` (some lines skipped), ``unreadable`` (a ParseError:
    ``error`` names the first line not understood), ``rejected`` (the router answered
    `Error:`; ``output`` is its message) or ``no_answer`` (timeout, connection lost; no
    output).
    """

    command: str
    output: str | None
    outcome: str
    seconds: float
    error: dict[str, Any] | None = None
    warnings: tuple[dict[str, Any], ...] = ()


@dataclass
class Capture:
    """Everything one capture run produced."""

    router: str
    app_version: str
    started_at: datetime
    commands: list[CapturedCommand] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.commands:
            counts[item.outcome] = counts.get(item.outcome, 0) + 1
        return counts

    @property
    def complete(self) -> bool:
        """Every command got an answer (readable or not)."""
        return all(item.outcome != "no_answer" for item in self.commands)


async def _run_one(
    runner: CommandRunner, command: str, timeout: float | None, clock: Callable[[], float]
) -> tuple[CapturedCommand, Any]:
    started = clock()
    try:
        result = await runner.run(command, timeout=timeout)
    except CommandRejected as error:
        return CapturedCommand(
            command, error.router_message, "rejected", clock() - started,
            {"message": " ".join(str(error).split())},
        ), None  # fmt: skip
    except NE8000MonitorError as error:
        message = " ".join(str(error).split()) or type(error).__name__
        return CapturedCommand(
            command, None, "no_answer", clock() - started, {"message": message}
        ), None  # fmt: skip
    seconds = clock() - started
    try:
        data = parse_output(command, result.output)
    except RouterCommandError as error:  # `Error: ...` in the answer
        details = {"message": error.message, "line": error.line, "line_number": error.line_number}
        return CapturedCommand(command, result.output, "rejected", seconds, details), None
    except ParseError as error:
        details = {"message": error.message, "line": error.line, "line_number": error.line_number}
        return CapturedCommand(command, result.output, "unreadable", seconds, details), None
    except Exception as error:  # a parser bug: exactly what a capture is for
        details = {"message": f"internal error: {type(error).__name__}: {error}"}
        return CapturedCommand(command, result.output, "unreadable", seconds, details), None
    warnings = tuple(
        {"message": w.message, "line": w.line, "line_number": w.line_number}
        for w in warnings_of(data)
    )
    outcome = "partial" if warnings else "read"
    return CapturedCommand(command, result.output, outcome, seconds, None, warnings), data


async def collect_capture(
    runner: CommandRunner,
    router: str,
    app_version: str,
    *,
    detail_limit: int | None = None,
    timeout: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Capture:
    """Run every polled command once (interface details after the brief names the ports)."""
    capture = Capture(router, app_version, datetime.now(UTC))
    commands = polled_commands()
    results = await asyncio.gather(*(_run_one(runner, c, timeout, clock) for c in commands))
    brief = next((data for (item, data) in results if item.command == BRIEF), None)
    capture.commands.extend(item for item, _ in results)
    if isinstance(brief, InterfaceBrief):
        names = [row.name for row in brief.interfaces if is_detail_candidate(row)]
        if detail_limit is not None:
            names = names[:detail_limit]
        details = await asyncio.gather(
            *(_run_one(runner, f"display interface {name}", timeout, clock) for name in names)
        )
        capture.commands.extend(item for item, _ in details)
    return capture


def _file_name(index: int, command: str) -> str:
    return f"outputs/{index:02d}-{_SLUG.sub('-', command.lower()).strip('-')}.txt"


def capture_documents(capture: Capture, *, redact: bool = True) -> dict[str, str]:
    """The zip's files by name: the (redacted) outputs, `manifest.json`, `README.txt`."""
    redactor = SampleRedactor()
    scrub = redactor.redact if redact else (lambda text: text)
    files: dict[str, str] = {}
    entries = []
    for index, item in enumerate(capture.commands, 1):
        name = None
        if item.output is not None:
            name = _file_name(index, item.command)
            files[name] = scrub(item.output)
        error = None
        if item.error is not None:
            error = {k: scrub(v) if isinstance(v, str) else v for k, v in item.error.items()}
        entries.append(
            {
                "command": item.command,
                "file": name,
                "outcome": item.outcome,
                "seconds": round(item.seconds, 3),
                "error": error,
                "warnings": [
                    {k: scrub(v) if isinstance(v, str) else v for k, v in w.items()}
                    for w in item.warnings
                ],
            }
        )
    manifest = {
        "format": CAPTURE_FORMAT,
        "app_version": capture.app_version,
        "captured_at": capture.started_at.isoformat(timespec="seconds"),
        "router": capture.router if not redact else None,
        "redacted": redact,
        "replaced": redactor.replaced if redact else None,
        "outcomes": capture.counts(),
        "commands": entries,
    }
    files["manifest.json"] = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    files["README.txt"] = _readme(redact)
    return files


def _readme(redacted: bool) -> str:
    privacy = (
        "Subscriber usernames, IP and MAC addresses were replaced by stable placeholders "
        "(the same value has the same placeholder in every file)."
        if redacted
        else "Nothing was redacted (--no-redact): check the files before sharing them."
    )
    return (
        "NE8000 Monitor capture\n\n"
        "Each file under outputs/ is one command's answer exactly as the router printed it.\n"
        "manifest.json lists the commands, the app version and what the parsers made of each\n"
        "answer (read, partial, unreadable with the first line not understood, rejected,\n"
        "no_answer).\n\n"
        f"{privacy}\n"
    )


def write_capture(path: Path, files: dict[str, str]) -> Path:
    """Write the zip at `path`, readable by its owner only (0600); never overwrites.

    Raises FileExistsError when `path` exists (nothing of it is touched) and OSError when
    it cannot be written (a partial file is removed).
    """
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with (
            os.fdopen(descriptor, "wb") as stream,
            zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            for name, text in files.items():
                archive.writestr(name, text.encode("utf-8"))
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return path


def default_capture_name(label: str, when: datetime | None = None) -> str:
    """`capture-<router>-<UTC time>.zip` (router label made file-name safe)."""
    moment = (when or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    safe = _SLUG.sub("-", label.lower()).strip("-") or "router"
    return f"capture-{safe}-{moment}.zip"


def summary_line(capture: Capture, path: Path) -> str:
    """One line for the operator: where it went and what the parsers made of it."""
    counts: Sequence[tuple[str, int]] = sorted(capture.counts().items())
    parts = ", ".join(f"{count} {outcome}" for outcome, count in counts)
    return f"saved {path}: {len(capture.commands)} commands ({parts})"
