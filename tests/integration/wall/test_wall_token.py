"""With a feed token, the wall opened as `/?token=T` loads its assets and its feed with it,
and says so when a restarted server no longer accepts that token."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest

from tests.support.cdp import launch_chromium
from tests.support.serve import launch_serve

pytestmark = pytest.mark.slow

TOKEN = "wall s3cret&more"  # characters that must survive URL encoding both ways


async def test_the_token_in_the_page_url_reaches_assets_and_feed(
    chromium: str, tmp_path: Path
) -> None:
    served = await launch_serve(tmp_path, "--demo", "--port", "0", "--token", TOKEN)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{served.url}/wall", allow_redirects=False) as response:
                assert response.status == 401  # the feed's token rule covers the page too
            async with session.get(
                f"{served.url}/wall/wall.js", params={"token": TOKEN}
            ) as response:
                assert response.status == 200

        async with launch_chromium(chromium) as browser:
            page = await browser.new_page(1920, 1080)
            query = quote(TOKEN, safe="")
            await page.navigate(f"{served.url}/?token={query}&lang=en")
            assert await page.evaluate("location.pathname + location.search") == (
                f"/wall?token={query}&lang=en"
            )
            await page.wait_for(
                "NE8000Wall.state.connection === 'live' && /^[0-9][0-9,]*$/.test("
                "document.querySelector('.card .subs-total')?.textContent)",
                timeout=60,
            )
            styled = await page.evaluate(
                "getComputedStyle(document.body).backgroundColor"
            )
            assert styled == "rgb(7, 10, 15)"  # wall.css arrived (it needs the token too)

            # The server comes back on the same port with another token.
            assert await served.stop() == 0
            rotated = await launch_serve(
                tmp_path / "rotated", "--demo", "--port", str(served.port), "--token", "new"
            )
            try:
                await page.wait_for(
                    "document.getElementById('feed-status').dataset.state === 'denied'", 60
                )
                status = await page.evaluate("document.getElementById('feed-text').textContent")
                assert re.fullmatch(
                    r"Access denied \(check the token in the URL\) · stale since \d\d:\d\d:\d\d",
                    status,
                ), status
                assert await page.evaluate("document.body.classList.contains('stale')") is True
            finally:
                assert await rotated.stop() == 0
    finally:
        assert await served.stop() == 0
