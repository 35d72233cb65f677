"""`ne8000monitor serve` as a real subprocess: started, waited for, stopped by a signal."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.cli import ROOT, environment

READY = re.compile(r"feed listening on (https?://\S+)")


@dataclass
class ServeProcess:
    """A running `serve`; `stderr` collects its log lines as they arrive."""

    process: asyncio.subprocess.Process
    url: str
    stderr: list[str] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None
    group: bool = False  # signals go to its whole process group (it runs under a wrapper)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1].rstrip("/"))

    async def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send `sig` and wait for the exit status (kills it after `timeout`)."""
        if self.process.returncode is None:
            if self.group:  # as systemd stops a service: every process of it
                os.killpg(self.process.pid, sig)
            else:
                self.process.send_signal(sig)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
                raise AssertionError(f"serve ignored {sig.name}: {''.join(self.stderr)}") from None
        if self._reader is not None:
            await self._reader
        assert self.process.returncode is not None
        return self.process.returncode


async def _collect(stream: asyncio.StreamReader, into: list[str]) -> None:
    while line := await stream.readline():
        into.append(line.decode(errors="replace"))


async def launch_serve(
    tmp_path: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
    wrapper: Sequence[str] = (),
) -> ServeProcess:
    """Start `python -m app serve ARGS` and wait for its ready line (fails with its stderr).

    `wrapper` runs it through another program (``WRAPPER python -m app serve ...``), in a
    process group of its own that `stop` signals whole."""
    process = await asyncio.create_subprocess_exec(
        *wrapper,
        sys.executable,
        "-m",
        "app",
        "serve",
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=env or environment(tmp_path),
        cwd=str(ROOT),
        start_new_session=bool(wrapper),
    )
    assert process.stderr is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(timeout):
            while True:
                raw = await process.stderr.readline()
                if not raw:
                    await process.wait()
                    raise AssertionError(
                        f"serve exited {process.returncode} before listening: {''.join(lines)}"
                    )
                line = raw.decode(errors="replace")
                lines.append(line)
                if match := READY.search(line):
                    break
    except BaseException:
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
    served = ServeProcess(process, match.group(1), lines, group=bool(wrapper))
    served._reader = asyncio.create_task(_collect(process.stderr, lines))
    return served


@asynccontextmanager
async def serving(tmp_path: Path, *args: str, **options: object) -> AsyncIterator[ServeProcess]:
    """`launch_serve` for a `with` block; the process is always stopped afterwards."""
    served = await launch_serve(tmp_path, *args, **options)  # type: ignore[arg-type]
    try:
        yield served
    finally:
        await served.stop()
