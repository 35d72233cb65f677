"""The wall never freezes silently: a stopped server shows "stale since", a new one heals it.

`serve --demo` is stopped with SIGTERM (as systemd or the operator would), then a new one
is started on the same port; the page, untouched, must notice both.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.cdp import Page, launch_chromium
from tests.support.serve import ServeProcess, launch_serve

pytestmark = pytest.mark.slow

TOTAL_SHOWN = "/^[0-9][0-9.,]*$/.test(document.querySelector('.card .subs-total')?.textContent)"
STATE = "NE8000Wall.state.connection"
STATUS = "document.getElementById('feed-status').dataset.state"  # what is drawn


async def _serve(home: Path, port: int = 0) -> ServeProcess:
    return await launch_serve(home, "--demo", "--port", str(port))


async def _shown(page: Page) -> dict[str, object]:
    return await page.evaluate(
        """(() => ({
          status: document.getElementById("feed-text").textContent,
          stale: document.body.classList.contains("stale"),
          opacity: Number(getComputedStyle(document.getElementById("wall")).opacity),
          total: document.querySelector(".card .subs-total").textContent,
          lastMessage: NE8000Wall.state.lastMessageAt.getTime(),
        }))()"""
    )


async def test_stale_when_the_server_stops_and_live_again_when_it_returns(
    chromium: str, tmp_path: Path
) -> None:
    first = await _serve(tmp_path / "first")
    second: ServeProcess | None = None
    try:
        async with launch_chromium(chromium) as browser:
            page = await browser.new_page(1920, 1080)
            await page.navigate(f"{first.url}/wall")
            await page.wait_for(f"{STATUS} === 'live' && {TOTAL_SHOWN}", timeout=60)
            live = await _shown(page)
            assert live["status"] == "Live"
            assert live["stale"] is False
            assert live["opacity"] == 1

            assert await first.stop() == 0  # SIGTERM: clients are told the server is going
            await page.wait_for(f"{STATE} === 'stale' && {STATUS} === 'stale'", timeout=30)
            await page.evaluate("new Promise((done) => setTimeout(done, 300))")  # the fade
            stale = await _shown(page)
            match = re.fullmatch(r"Stale since (\d\d:\d\d:\d\d) · reconnecting…", stale["status"])
            assert match, stale["status"]
            since = await page.evaluate(
                "NE8000Wall.state.lastMessageAt.toLocaleTimeString('en', "
                "{hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23'})"
            )
            assert match.group(1) == since  # the time of the last data, not of the drop
            assert stale["stale"] is True
            assert stale["opacity"] < 0.5  # dimmed, still there: never blanked, never frozen
            assert re.fullmatch(r"\d{1,3}(?:,\d{3})*", stale["total"])  # the last number stays

            second = await _serve(tmp_path / "second", first.port)
            await page.wait_for(f"{STATE} === 'live' && {STATUS} === 'live'", timeout=60)
            await page.wait_for(TOTAL_SHOWN, timeout=60)
            healed = await _shown(page)
            assert healed["status"] == "Live"
            assert healed["stale"] is False
            assert healed["lastMessage"] > stale["lastMessage"]
    finally:
        await first.stop()
        if second is not None:
            assert await second.stop() == 0
