"""A real collector for collector-mode tests: `ne8000monitor serve` as a subprocess with
seat tokens, remote commands and operator mode in its own settings file.

The seats are issued the way `ne8000monitor token add` does it (only their hashes go to
the file); the tests hold the tokens. The collector can be stopped and started again on
the same port, so a seat sees it vanish and come back.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from app.engine.seats import issue_seat
from app.engine.settings import FeedSettings, Settings, save_settings
from tests.support.cli import environment
from tests.support.serve import ServeProcess, launch_serve


@dataclass
class Collector:
    """A running (or stopped) collector and what a test needs to talk to it."""

    folder: Path
    settings_file: Path
    tokens: dict[str, str]  # seat name -> token
    args: tuple[str, ...]
    env: dict[str, str]
    served: ServeProcess | None = None
    port: int = 0
    runs: list[ServeProcess] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def audit_file(self) -> Path:
        return self.folder / "data" / "ne8000monitor" / "audit.jsonl"

    def audit(self) -> list[dict[str, Any]]:
        """Every entry of the collector's audit log so far."""
        if not self.audit_file.exists():
            return []
        lines = self.audit_file.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    async def start(self) -> None:
        self.served = await launch_serve(
            self.folder,
            "--settings",
            str(self.settings_file),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *self.args,
            env=self.env,
        )
        self.port = self.served.port
        self.runs.append(self.served)

    async def stop(self) -> None:
        if self.served is not None:
            await self.served.stop()
            self.served = None

    async def get(self, path: str, token: str, **params: str) -> Any:
        """A JSON answer of the collector (a plain aiohttp client, not the seat's code)."""
        async with (
            aiohttp.ClientSession() as http,
            http.get(
                self.url + path, params=params, headers={"Authorization": f"Bearer {token}"}
            ) as answer,
        ):
            return await answer.json()


@asynccontextmanager
async def running_collector(
    folder: Path,
    *args: str,
    seats: Sequence[str] = ("noc-1", "noc-2"),
    operator_mode: bool = True,
    env: dict[str, str] | None = None,
) -> AsyncIterator[Collector]:
    """`serve ARGS` with remote commands on, a seat token per name, always stopped after."""
    folder.mkdir(parents=True, exist_ok=True)
    tokens: dict[str, str] = {}
    seat_tokens = {}
    for name in seats:
        seat, token = issue_seat(name, taken_ids={s.id for s in seat_tokens.values()})
        seat_tokens[name] = seat
        tokens[name] = token
    settings_file = folder / "collector.toml"
    save_settings(
        Settings(
            feed=FeedSettings(remote_commands=True, operator_mode=operator_mode),
            seats=seat_tokens,
        ),
        settings_file,
    )
    collector = Collector(
        folder=folder,
        settings_file=settings_file,
        tokens=tokens,
        args=tuple(args),
        env=env or environment(folder),
    )
    await collector.start()
    try:
        yield collector
    finally:
        await collector.stop()
