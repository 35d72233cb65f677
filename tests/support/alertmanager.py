"""A real Prometheus Alertmanager for tests (Debian's `prometheus-alertmanager` binary).

Started on loopback with a minimal configuration in a temporary directory: one route to a
webhook receiver the test runs (so the notifications Alertmanager itself sends, firing and
resolved, can be checked too), storage in the temporary directory, gossip off.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tests.support.required import missing_tool

CANDIDATES = ("prometheus-alertmanager", "alertmanager")


def alertmanager_binary() -> str:
    """The Alertmanager executable; skip (fail under NE8000_REQUIRE_ALL=1) without one."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path is not None:
            return path
    return missing_tool("Alertmanager is not installed (apt-get install prometheus-alertmanager)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class WebhookReceiver:
    """An aiohttp server collecting what Alertmanager's webhook receiver posts."""

    url: str
    notifications: list[dict[str, Any]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def alerts(self, status: str) -> list[dict[str, Any]]:
        """Every alert of every notification with that status (firing or resolved)."""
        return [
            alert
            for note in self.notifications
            for alert in note.get("alerts", [])
            if alert.get("status") == status
        ]


@contextlib.asynccontextmanager
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    holder: list[WebhookReceiver] = []

    async def receive(request: web.Request) -> web.Response:
        holder[0].notifications.append(await request.json())
        holder[0].arrived.set()
        return web.Response(text="ok")

    app = web.Application()
    app.add_routes([web.post("/hook", receive)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    holder.append(WebhookReceiver(f"http://127.0.0.1:{port}/hook"))
    try:
        yield holder[0]
    finally:
        await runner.cleanup()


@dataclass
class Alertmanager:
    url: str
    process: asyncio.subprocess.Process
    http: aiohttp.ClientSession

    async def alerts(self, **matchers: str) -> list[dict[str, Any]]:
        """GET /api/v2/alerts (active, not yet resolved) filtered by label equality."""
        params = [("filter", f'{name}="{value}"') for name, value in matchers.items()]
        async with self.http.get(f"{self.url}/api/v2/alerts", params=params) as answer:
            answer.raise_for_status()
            return await answer.json()


CONFIG = """\
route:
  receiver: test-hook
  group_by: ['alertname', 'router']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: test-hook
    webhook_configs:
      - url: '{hook}'
        send_resolved: true
"""


@contextlib.asynccontextmanager
async def running_alertmanager(
    directory: Path, hook_url: str, *, port: int | None = None, ready_timeout: float = 60.0
) -> AsyncIterator[Alertmanager]:
    """Alertmanager on 127.0.0.1:`port` (a free one by default), ready to take alerts."""
    binary = alertmanager_binary()
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "alertmanager.yml"
    config.write_text(CONFIG.format(hook=hook_url), encoding="utf-8")
    port = port or free_port()
    process = await asyncio.create_subprocess_exec(
        binary,
        f"--config.file={config}",
        f"--storage.path={directory / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
        "--log.level=warn",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    http = aiohttp.ClientSession()
    try:
        async with asyncio.timeout(ready_timeout):
            while True:
                if process.returncode is not None:
                    assert process.stderr is not None
                    output = (await process.stderr.read()).decode(errors="replace")
                    raise AssertionError(f"alertmanager exited {process.returncode}: {output}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{url}/-/ready") as answer:
                        if answer.status == 200:
                            break
                await asyncio.sleep(0.1)
        yield Alertmanager(url, process, http)
    finally:
        await http.close()
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
