"""The wall page honours each section's freshness, in a real headless Chromium reading a
real feed over a simulated NE8000 whose `display access-user online-total` hangs."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.integration.feed.conftest import MakeRig
from tests.support.cdp import chromium_binary, launch_chromium

pytestmark = pytest.mark.slow

ROUTER = "sim"
CARD = f'.card[data-router="{ROUTER}"]'
SUBS_STALE = f"document.querySelector('{CARD} .subs')?.classList.contains('stale')"
UPDATED = f"document.querySelector('{CARD} .updated')?.textContent"
TOTAL = f"document.querySelector('{CARD} .subs-total')?.textContent"


async def test_a_hung_subscriber_count_dims_on_the_wall_with_since_and_why(
    make_rig: MakeRig,
) -> None:
    chromium = chromium_binary()
    rig = await make_rig((ROUTER,), command_timeout=1.0)
    async with launch_chromium(chromium) as browser:
        page = await browser.new_page(1920, 1080)
        await page.navigate(f"{rig.url}/wall")
        await page.wait_for(f"/^[0-9][0-9.,]*$/.test({TOTAL} ?? '')", timeout=60)
        await page.wait_for(f"{SUBS_STALE} === false && /^Updated /.test({UPDATED})")

        rig.simulators[ROUTER].faults.hang_commands = {"display access-user online-total"}
        text = await page.wait_for(
            f"{SUBS_STALE} && /no answer in time/.test({UPDATED}) && {UPDATED}", timeout=60
        )
        assert re.fullmatch(r"Stale since \d\d:\d\d:\d\d · no answer in time", text), text
        shown = await page.evaluate(
            f"""(() => ({{
              total: {TOTAL},
              opacity: Number(getComputedStyle(document.querySelector('{CARD} .subs')).opacity),
              feed: document.getElementById('feed-text').textContent,
            }}))()"""
        )
        assert re.fullmatch(r"\d{1,3}(?:,\d{3})*", shown["total"])  # the last figure, kept
        assert shown["opacity"] < 0.5  # dimmed
        assert shown["feed"] == "Live"  # the feed is fine; this router's count is not
        # Read in full on a narrow card too: wrapped, never cut to "no answer in ti…".
        await page.set_viewport(300, 900)
        await page.evaluate("new Promise((done) => requestAnimationFrame(() => done(0)))")
        whole = f"""(() => {{
          const note = document.querySelector('{CARD} .updated');
          return note.scrollWidth <= note.clientWidth + 1 &&
            note.scrollHeight <= note.clientHeight + 1;
        }})()"""
        assert await page.evaluate(whole) is True
        await page.set_viewport(1920, 1080)

        rig.simulators[ROUTER].faults.hang_commands = set()
        await page.wait_for(f"{SUBS_STALE} === false && /^Updated /.test({UPDATED})", timeout=60)
        thrown = [page.exceptions.get_nowait() for _ in range(page.exceptions.qsize())]
        assert thrown == []


async def test_a_section_turns_stale_on_the_wall_by_the_clock_alone(make_rig: MakeRig) -> None:
    """No message at all after the data: the page's own clock dims it at `fresh_until`."""
    chromium = chromium_binary()
    rig = await make_rig((ROUTER,), start_monitor=False)
    async with launch_chromium(chromium) as browser:
        page = await browser.new_page(1280, 720)
        await page.navigate(f"{rig.url}/wall?lang=pt-BR")
        await page.wait_for("NE8000Wall.state.connection === 'live'")
        now = time.time()
        section = {
            "total": 1234,
            "collected_epoch": now - 1,
            "stale": False,
            "fresh_until_epoch": now + 2,
            "error": None,
        }
        message = {"type": "router_data", "router": "quiet", "data": {"online_total": section}}
        await page.evaluate(f"NE8000Wall.handle({json.dumps(message)})")
        card = '.card[data-router="quiet"]'
        await page.wait_for(
            f"document.querySelector('{card} .subs-total')?.textContent === '1.234'"
        )
        assert (
            await page.evaluate(
                f"document.querySelector('{card} .subs').classList.contains('stale')"
            )
            is False
        )
        text = await page.wait_for(
            f"document.querySelector('{card} .subs').classList.contains('stale') && "
            f"document.querySelector('{card} .updated').textContent",
            timeout=20,
        )
        assert re.fullmatch(r"Desatualizado desde \d\d:\d\d:\d\d · sem dados novos", text), text


async def test_cpu_and_memory_stay_live_while_another_system_source_fails(
    make_rig: MakeRig,
) -> None:
    """system_metrics is stale when any of its sources is (the board table here); the
    wall's gauges show only CPU and memory, so they dim only when those are stale."""
    chromium = chromium_binary()
    rig = await make_rig((ROUTER,), start_monitor=False)
    async with launch_chromium(chromium) as browser:
        page = await browser.new_page(1280, 720)
        await page.navigate(f"{rig.url}/wall")
        await page.wait_for("NE8000Wall.state.connection === 'live'")
        now = time.time()

        def iso(epoch: float) -> str:
            return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + ".000Z"

        def source(state: str, at: float, code: str | None = None) -> dict[str, object]:
            error = None if code is None else {"code": code, "message": f"{code} detail"}
            return {"state": state, "collected_at": iso(at), "max_age_s": 60, "error": error}

        def system(cpu: dict[str, object]) -> str:
            section = {
                "cpu_percent": 31,
                "memory_percent": 22,
                "collected_epoch": now - 300,
                "stale": True,
                "fresh_until_epoch": now - 1,
                "sources": {
                    "cpu": cpu,
                    "memory": source("fresh", now - 2),
                    "health": source("stale", now - 300, "parse_error"),
                },
            }
            message = {"type": "router_data", "router": "box", "data": {"system_metrics": section}}
            return f"NE8000Wall.handle({json.dumps(message)}); NE8000Wall.flush();"

        gauges = "document.querySelector('.card[data-router=\"box\"] .gauges')"
        updated = "document.querySelector('.card[data-router=\"box\"] .updated').textContent"
        await page.evaluate(system(source("fresh", now - 2)))
        assert await page.evaluate(f"{gauges}.classList.contains('stale')") is False
        await page.evaluate(system(source("stale", now - 90, "timeout")))
        assert await page.evaluate(f"{gauges}.classList.contains('stale')") is True
        text = await page.evaluate(updated)
        since = await page.evaluate(
            f"new Date(Date.parse('{iso(now - 90)}') - NE8000Wall.state.serverOffsetMs)"
            ".toLocaleTimeString('en', {hour: '2-digit', minute: '2-digit', second: '2-digit', "
            "hourCycle: 'h23'})"
        )
        assert text == f"Stale since {since} · no answer in time"  # the CPU's time, not 300 s
