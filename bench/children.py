"""A benchmark's roles, each in a process of its own, driven over stdin/stdout.

The benchmarks run the simulators, the server under test and the clients in separate
processes so that each one's CPU and memory are its own. A role reads requests from its
stdin (one line each; closing stdin asks it to stop cleanly) and answers with one JSON line
per request or step; the driver reads the role's CPU time and RSS from /proc.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class Child:
    """`script` run again with `args` (the role and its options) as a child process."""

    def __init__(self, script: str, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, script, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )

    def read(self) -> Any:
        """The role's next JSON line (RuntimeError if it exited instead)."""
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.process.args[2:5]} exited with {self.process.wait()}")
        return json.loads(line)

    def tell(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def ask(self, request: str) -> Any:
        """Send one request line and read the answer."""
        self.tell(request)
        return self.read()

    def cpu_seconds(self) -> float:
        """utime + stime of the child so far."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS line")

    def stop(self) -> None:
        """Closing stdin asks the child to shut down cleanly; killed after a minute."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


async def requests() -> AsyncIterator[str]:
    """In a role: the lines the driver writes, until it closes stdin (read in a thread, so
    the role's event loop stays free)."""
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        yield line.strip()
