"""Running `ne8000monitor` as a real subprocess, isolated from the user's own setup.

Every CLI test gets its own config, data and state directories, no inherited router or
keyring variables, and the failing keyring backend unless it asks for another one.
"""

from __future__ import annotations

import asyncio
import os
import select
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FAIL_BACKEND = "keyring.backends.fail.Keyring"
DOUBLE_BACKEND = "tests.integration.engine.keyring_double.JsonFileKeyring"


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This process's environment without ROUTER_*/REDIS_*/keyring/XDG settings, plus `extra`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ROUTER_", "REDIS_", "PYTHON_KEYRING", "XDG_"))
    }
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        PYTHONPATH=str(ROOT),
        PYTHON_KEYRING_BACKEND=FAIL_BACKEND,
    )
    env.update(extra)
    return env


async def cli(env: dict[str, str], *args: str, stdin: str = "") -> tuple[int, str, str]:
    """Run `python -m app ARGS`; (exit status, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=str(ROOT),
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(stdin.encode()), 60)
    except TimeoutError:
        process.kill()  # a hung command must not outlive the test that started it
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def read_until(fd: int, wanted: str, seen: list[str], timeout: float = 20.0) -> None:
    """Read a pseudo-terminal into `seen` until `wanted` appears (or fail)."""
    deadline = time.monotonic() + timeout
    while wanted not in "".join(seen):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no {wanted!r} in {''.join(seen)!r}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # the child closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"terminal closed before {wanted!r}: {''.join(seen)!r}")
            seen.append(chunk.decode(errors="replace"))
