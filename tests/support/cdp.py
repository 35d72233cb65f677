"""A small Chrome DevTools Protocol client: drive a real headless Chromium from tests.

Chromium is started with ``--remote-debugging-port=0`` and a fresh user data dir; it writes
the port it picked (and the browser websocket path) to ``DevToolsActivePort`` in that dir,
which is how we find it without racing for a port. One browser websocket carries every
command; pages are attached with ``flatten`` sessions, so a :class:`Page` is just a session
id on the same socket.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from tests.support.required import missing_tool

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class CdpError(RuntimeError):
    """The browser answered a command with an error, or a page script threw."""


def chromium_binary() -> str:
    """The Chromium executable; skip (fail under NE8000_REQUIRE_ALL=1) when there is none."""
    override = os.environ.get("NE8000_CHROMIUM")
    candidates = (override,) if override else CHROMIUM_CANDIDATES
    for name in candidates:
        path = shutil.which(name) if name else None
        if path is not None:
            return path
    return missing_tool("Chromium is not installed (apt-get install chromium)")


class Browser:
    """A running headless Chromium and the one websocket that controls it."""

    def __init__(self, process: subprocess.Popen[bytes], profile: Path) -> None:
        self.process = process
        self.profile = profile
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._listeners: list[tuple[str, str | None, asyncio.Queue[dict[str, Any]]]] = []
        self._reader: asyncio.Task[None] | None = None

    async def connect(self, timeout: float = 30.0) -> None:
        """Wait for DevToolsActivePort, then open the browser websocket."""
        port_file = self.profile / "DevToolsActivePort"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.process.poll() is not None:
                raise CdpError(f"chromium exited early with code {self.process.returncode}")
            lines = port_file.read_text().split() if port_file.exists() else []
            if len(lines) >= 2:
                break
            if loop.time() > deadline:
                raise CdpError("chromium did not write DevToolsActivePort in time")
            await asyncio.sleep(0.05)
        port, path = lines[0], lines[1]
        self._session = aiohttp.ClientSession()
        self._ws = await self._session.ws_connect(
            f"ws://127.0.0.1:{port}{path}", max_msg_size=0, autoping=False
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if "id" in data:
                future = self._pending.pop(data["id"], None)
                if future is not None and not future.done():
                    future.set_result(data)
                continue
            for method, session_id, queue in self._listeners:
                if data.get("method") == method and (
                    session_id is None or data.get("sessionId") == session_id
                ):
                    queue.put_nowait(data.get("params", {}))
        for future in self._pending.values():
            if not future.done():
                future.set_exception(CdpError("browser connection closed"))

    async def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session_id: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        """Send one command and return its `result` (raise CdpError on an `error`)."""
        assert self._ws is not None, "connect() first"
        message_id = next(self._ids)
        payload: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session_id is not None:
            payload["sessionId"] = session_id
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self._ws.send_str(json.dumps(payload))
        answer = await asyncio.wait_for(future, timeout)
        if "error" in answer:
            raise CdpError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def listen(self, method: str, session_id: str | None = None) -> asyncio.Queue[dict[str, Any]]:
        """A queue receiving the params of every later event `method` (of one session)."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._listeners.append((method, session_id, queue))
        return queue

    async def new_page(self, width: int = 1920, height: int = 1080) -> Page:
        """A fresh tab of `width` x `height` CSS pixels, attached and ready for commands."""
        target = await self.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        page = Page(self, target["targetId"], attached["sessionId"])
        await page.send("Page.enable")
        await page.send("Runtime.enable")
        await page.set_viewport(width, height)
        return page

    async def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.send("Browser.close", timeout=5.0), 5.0)
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._session is not None:
            await self._session.close()
        if self.process.poll() is None:
            self.process.terminate()
        try:
            await asyncio.to_thread(self.process.wait, 10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait)


class Page:
    """One attached tab: navigate, evaluate JavaScript, wait for a condition, screenshot."""

    def __init__(self, browser: Browser, target_id: str, session_id: str) -> None:
        self.browser = browser
        self.target_id = target_id
        self.session_id = session_id
        self.console = browser.listen("Runtime.consoleAPICalled", session_id)
        self.exceptions = browser.listen("Runtime.exceptionThrown", session_id)

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.browser.send(method, params, session_id=self.session_id)

    async def set_viewport(self, width: int, height: int, scale: float = 1.0) -> None:
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": False},
        )

    async def navigate(self, url: str, timeout: float = 30.0) -> None:
        """Open `url` and wait for its load event."""
        loaded = self.browser.listen("Page.loadEventFired", self.session_id)
        result = await self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise CdpError(f"navigation to {url} failed: {result['errorText']}")
        await asyncio.wait_for(loaded.get(), timeout)

    async def evaluate(self, expression: str) -> Any:
        """The JSON value of `expression` (promises are awaited); raise on a script error."""
        result = await self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise CdpError(f"{expression!r} threw: {text}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 30.0, interval: float = 0.1) -> Any:
        """Poll until `expression` is truthy and return its value (CdpError on timeout)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        value: Any = None
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if loop.time() > deadline:
                raise CdpError(f"timed out waiting for {expression!r} (last value {value!r})")
            await asyncio.sleep(interval)

    async def close(self) -> None:
        await self.browser.send("Target.closeTarget", {"targetId": self.target_id})

    async def screenshot(self, path: Path) -> None:
        """Save the viewport as a PNG."""
        result = await self.send("Page.captureScreenshot", {"format": "png"})
        path.write_bytes(base64.b64decode(result["data"]))


@contextlib.asynccontextmanager
async def launch_chromium(
    binary: str | None = None, *, extra_args: tuple[str, ...] = ()
) -> AsyncIterator[Browser]:
    """A headless Chromium with a throwaway profile, closed (and the profile removed) after."""
    executable = binary or chromium_binary()
    profile = Path(tempfile.mkdtemp(prefix="ne8000-chromium-"))
    args = [
        executable,
        "--headless",
        "--no-sandbox",
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-background-timer-throttling",
        "--disable-renderer-backgrounding",
        "--autoplay-policy=no-user-gesture-required",
        *extra_args,
        "about:blank",
    ]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    browser = Browser(process, profile)
    try:
        await browser.connect()
        yield browser
    finally:
        await browser.close()
        # Helper processes may still flush a file or two after the browser exits.
        for _ in range(20):
            shutil.rmtree(profile, ignore_errors=True)
            if not profile.exists():
                break
            await asyncio.sleep(0.1)
