"""The wall page in a real headless Chromium against `ne8000monitor serve --demo`.

One `serve --demo --demo-routers 2` and one browser serve the whole module (each test opens
its own tab): starting them is the expensive part. What is checked is what the room sees:
the live total (the same number the HTTP API reports for the same poll), that it updates,
locale formatting, exact >2**53 counters, missing data as "—", the router filter, rotation,
the alarm for new critical alerts, and that nothing overflows at 1080p and 4K.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from app.bootstrap import DEMO_MONITORED, demo_router_names
from tests.support.cdp import Browser, Page, launch_chromium
from tests.support.serve import ServeProcess, launch_serve

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

ROUTERS = demo_router_names(2)
DASH = "—"
RATE = re.compile(r"^\d[\d.,]* (?:bps|kbps|Mbps|Gbps|Tbps)$")
HUGE = "1152921504606846977"  # 2**60 + 1: a double would print ...6976


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ServeProcess]:
    home = tmp_path_factory.mktemp("wall-serve")
    process = await launch_serve(home, "--demo", "--demo-routers", str(len(ROUTERS)), "--port", "0")
    try:
        yield process
    finally:
        assert await process.stop() == 0


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with launch_chromium(chromium) as running:
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser) -> AsyncIterator[Page]:
    tab = await browser.new_page(1920, 1080)
    try:
        yield tab
        thrown = [tab.exceptions.get_nowait() for _ in range(tab.exceptions.qsize())]
        assert thrown == [], thrown  # the page script never failed on its own
    finally:
        await tab.close()


def card(router: str, selector: str) -> str:
    """JS: the text of `selector` in the card of `router` (null when absent)."""
    return (
        f"document.querySelector('.card[data-router=\"{router}\"] {selector}')"
        "?.textContent ?? null"
    )


def visible_routers() -> str:
    return "[...document.querySelectorAll('.card:not([hidden])')].map((c) => c.dataset.router)"


SHOWS_TOTALS = " && ".join(
    f"/^[0-9][0-9.,]*$/.test({card(name, '.subs-total')} ?? '')" for name in ROUTERS
)


async def open_wall(page: Page, served: ServeProcess, query: str = "") -> None:
    await page.navigate(f"{served.url}/wall{query}")
    await page.wait_for(
        "window.NE8000Wall?.state.connection === 'live' && "
        "document.getElementById('feed-status').dataset.state === 'live'"
    )


async def page_total(page: Page, router: str) -> dict[str, Any]:
    return await page.evaluate(
        f"""(() => {{
          NE8000Wall.flush();  // draw what has arrived, so state and screen agree
          const section = NE8000Wall.state.routers.get("{router}").sections.online_total;
          return {{total: section.total, epoch: section.collected_epoch,
                   text: {card(router, ".subs-total")}}};
        }})()"""
    )


async def api_total(served: ServeProcess, router: str) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{served.url}/api/online_total", params={"router": router}) as response,
    ):
        assert response.status == 200
        return (await response.json())["data"]


async def test_the_page_shows_the_live_total_the_api_reports(
    page: Page, served: ServeProcess
) -> None:
    await open_wall(page, served)
    await page.wait_for(SHOWS_TOTALS, timeout=60)
    for router in ROUTERS:
        # Compare the same poll: the API and the page must then agree exactly.
        for _ in range(100):
            shown = await page_total(page, router)
            api = await api_total(served, router)
            if api["collected_epoch"] == shown["epoch"]:
                break
            await asyncio.sleep(0.2)
        else:
            pytest.fail(f"the page never caught up with the API for {router}")
        assert isinstance(api["total"], int)
        assert shown["total"] == api["total"]
        assert shown["text"] == f"{api['total']:,}"  # en-US grouping
    assert await page.evaluate("document.getElementById('feed-text').textContent") == "Live"
    assert await page.evaluate("document.body.classList.contains('stale')") is False


async def test_the_page_updates_with_new_polls(page: Page, served: ServeProcess) -> None:
    await open_wall(page, served)
    router = ROUTERS[0]
    first_epoch = (await page.wait_for(
        f"NE8000Wall.state.routers.get('{router}')?.sections.online_total?.collected_epoch"
    ))
    newer = await page.wait_for(
        f"(NE8000Wall.state.routers.get('{router}').sections.online_total.collected_epoch"
        f" > {first_epoch}) && NE8000Wall.state.routers.get('{router}').history.length",
        timeout=60,
    )
    assert newer >= 2
    await page.evaluate("NE8000Wall.flush()")  # draw now what has arrived
    line = await page.evaluate(
        f"document.querySelector('.card[data-router=\"{router}\"] .spark-line').getAttribute('d')"
    )
    assert re.fullmatch(r"M[\d.,]+(?:L[\d.,]+)+", line)
    assert re.fullmatch(r"Updated \d\d:\d\d:\d\d", await page.evaluate(card(router, ".updated")))
    change = await page.evaluate(card(router, ".subs-change"))
    assert re.fullmatch(r"(?:[+−]\d[\d,]*|±0) in \d+ (?:s|min)", change)
    # Uplink rates need two counter samples; then every monitored interface has one.
    rates = await page.wait_for(
        f"""(() => {{
          const cells = [...document.querySelectorAll(
            '.card[data-router="{router}"] .rate-in, .card[data-router="{router}"] .rate-out')];
          const texts = cells.map((cell) => cell.textContent);
          return texts.length && texts.every((text) => text !== "{DASH}") ? texts : null;
        }})()""",
        timeout=60,
    )
    assert all(RATE.fullmatch(text) for text in rates), rates
    cpu = await page.evaluate(card(router, ".gauge-cpu .gauge-value"))
    assert re.fullmatch(r"\d{1,3}%", cpu)


async def stored_history(served: ServeProcess, router: str, *metrics: str) -> dict[str, list]:
    query = [("router", router), ("since", "-3600")] + [("metric", m) for m in metrics]
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{served.url}/api/history", params=query) as response,
    ):
        assert response.status == 200
        body = await response.json()
    return {series["metric"]: series["points"] for series in body["series"]}


async def test_the_trends_start_from_the_stored_hour(page: Page, served: ServeProcess) -> None:
    """Right after load the sparklines already hold what the server stored, instead of
    starting empty and filling one poll at a time."""
    router = ROUTERS[0]
    uplinks = [f"if.{name}.in_bps" for name in DEMO_MONITORED]
    async with asyncio.timeout(90):  # the server has stored a few polls by now
        while True:
            stored = await stored_history(served, router, "subscribers.total", *uplinks)
            known = [p for p in stored["subscribers.total"] if p[1] is not None]
            if len(known) >= 3 and all(len(stored[m]) >= 2 for m in uplinks):
                break
            await asyncio.sleep(0.5)
    await open_wall(page, served)
    view = f"NE8000Wall.state.routers.get('{router}')"
    count = await page.wait_for(
        f"{view}?.loaded.subscribers && {view}.history.length >= {len(known)} && "
        f"{view}.traffic.length >= 2 && {view}.history.length",
        timeout=30,
    )
    first = await page.evaluate(f"{view}.history[0].t")
    loaded_at = await page.evaluate("NE8000Wall.state.loadedServerMs")
    assert first == stored["subscribers.total"][0][0] * 1000  # the stored hour, as stored
    assert first < loaded_at  # older than the page: it came from the history
    assert count >= len(known)
    await page.evaluate("NE8000Wall.flush()")
    line = await page.evaluate(
        f"document.querySelector('.card[data-router=\"{router}\"] .spark-line').getAttribute('d')"
    )
    assert re.fullmatch(r"(?:M[\d.,]+(?:L[\d.,]+)+)+", line)
    traffic = await page.evaluate(
        f"document.querySelector('.card[data-router=\"{router}\"] .traffic-spark .spark-in')"
        ".getAttribute('d')"
    )
    assert re.fullmatch(r"(?:M[\d.,]+(?:L[\d.,]+)+Z)+", traffic)  # inbound: an area


async def test_a_flat_total_with_churn_is_drawn_flat_not_as_a_slope(
    page: Page, served: ServeProcess
) -> None:
    """The trend's vertical span is at least 1 % of the level: +-5 users of 25,000 is a
    gentle wiggle in the middle, never a line from the bottom to the top."""
    await open_wall(page, served, f"?router={ROUTERS[0]}")
    ys = await page.evaluate(
        f"""(() => {{
          const view = NE8000Wall.state.routers.get("{ROUTERS[0]}");
          const now = Date.now();
          view.history = [0, 5, -5, 3, -2, 4].map((d, i) => ({{t: now - 60000 + i * 10000,
                                                               v: 25000n + BigInt(d)}}));
          view.loaded.subscribers = true;
          NE8000Wall.flush();
          const d = document.querySelector(".spark-line").getAttribute("d");
          return d.split(/[ML]/).filter(Boolean).map((xy) => Number(xy.split(",")[1]));
        }})()"""
    )
    assert len(ys) == 6
    assert max(ys) - min(ys) < 88 * 0.05  # under 5 % of the height for 10 of 250 allowed


async def test_only_a_change_past_the_mass_drop_threshold_is_coloured(
    page: Page, served: ServeProcess
) -> None:
    """-18 of 25,948 is churn: said with its span, in a neutral colour. A fall as large as the
    mass-drop alert's threshold (10 % by default, told by the welcome) is red."""
    await open_wall(page, served, f"?router={ROUTERS[0]}")
    assert await page.evaluate("NE8000Wall.state.massDropPercent") == 10

    async def trend(deltas: list[int]) -> dict[str, str]:
        return await page.evaluate(
            f"""(() => {{
              const view = NE8000Wall.state.routers.get("{ROUTERS[0]}");
              const now = Date.now();
              view.history = {deltas}.map((d, i) => ({{t: now - 36000 + i * 12000,
                                                       v: 25948n + BigInt(d)}}));
              view.loaded.subscribers = true;
              NE8000Wall.flush();
              const change = document.querySelector(".subs-change");
              return {{text: change.textContent, trend: change.dataset.trend}};
            }})()"""
        )

    churn = await trend([0, -5, -11, -18])
    assert churn == {"text": "−18 in 36 s", "trend": "flat"}
    drop = await trend([0, -900, -2600, -2700])
    assert drop["trend"] == "down"
    assert drop["text"].startswith("−2,700 in ")
    rise = await trend([0, 3000])
    assert rise["trend"] == "up"


async def test_counts_follow_the_locale_and_stay_exact_beyond_2_53(
    page: Page, served: ServeProcess
) -> None:
    await open_wall(page, served)
    assert await page.evaluate(f"NE8000Wall.formatCount('{HUGE}')") == "1,152,921,504,606,846,977"
    assert await page.evaluate("NE8000Wall.formatCount(25000)") == "25,000"
    assert await page.evaluate("NE8000Wall.formatCount(0)") == "0"
    assert await page.evaluate("NE8000Wall.formatCount(null)") == DASH
    assert await page.evaluate("NE8000Wall.formatCount('12abc')") == DASH
    assert await page.evaluate("NE8000Wall.formatRate(9410000000)") == "9.41 Gbps"
    assert await page.evaluate("NE8000Wall.formatRate(803000000)") == "803 Mbps"
    assert await page.evaluate("NE8000Wall.formatRate(0)") == "0 bps"
    assert await page.evaluate("NE8000Wall.formatRate(null)") == DASH
    assert await page.evaluate("NE8000Wall.formatRate('12000000000')") == "12.0 Gbps"

    await open_wall(page, served, "?lang=pt-BR")
    assert await page.evaluate(f"NE8000Wall.formatCount('{HUGE}')") == "1.152.921.504.606.846.977"
    assert await page.evaluate("NE8000Wall.formatCount(25000)") == "25.000"
    assert await page.evaluate("NE8000Wall.formatRate(9410000000)") == "9,41 Gbps"
    await page.wait_for(SHOWS_TOTALS, timeout=60)
    shown = await page_total(page, ROUTERS[0])
    assert shown["text"] == f"{shown['total']:,}".replace(",", ".")
    assert await page.evaluate(card(ROUTERS[0], ".subs-label")) == "Assinantes online"
    assert await page.evaluate("document.getElementById('feed-text').textContent") == "Ao vivo"
    assert await page.evaluate("document.documentElement.lang") == "pt-BR"


async def test_a_counter_beyond_2_53_renders_exactly_and_missing_data_as_dashes(
    page: Page, served: ServeProcess
) -> None:
    await open_wall(page, served)
    message = {
        "type": "router_data",
        "router": "huge",
        "data": {"online_total": {"total": HUGE, "collected_epoch": 1.0}},
    }
    await page.evaluate(f"NE8000Wall.handle({json.dumps(message)})")
    await page.wait_for(card("huge", ".subs-total") + " === '1,152,921,504,606,846,977'")

    empty = {
        "type": "router_data",
        "router": "ghost",
        "data": dict.fromkeys(
            ("online_total", "system_metrics", "interfaces_status", "network_traffic"), None
        ),
    }
    await page.evaluate(f"NE8000Wall.handle({json.dumps(empty)})")
    await page.wait_for(card("ghost", ".subs-total") + " !== null")
    assert await page.evaluate(card("ghost", ".subs-total")) == DASH
    assert await page.evaluate(card("ghost", ".gauge-cpu .gauge-value")) == DASH
    assert await page.evaluate(card("ghost", ".gauge-mem .gauge-value")) == DASH
    assert await page.evaluate(card("ghost", ".traffic-rows")) == DASH
    assert await page.evaluate(card("ghost", ".subs-change")) == DASH
    text = await page.evaluate(card("ghost", ".card-inner"))
    assert not re.search(r"\d", text), text  # no invented zeros anywhere on the card

    # A new welcome (a reconnect) lists what the server monitors now: the others go.
    await page.evaluate(f"NE8000Wall.handle({json.dumps({'type': 'welcome', 'routers': ROUTERS})})")
    await page.evaluate("NE8000Wall.flush()")
    assert await page.evaluate(card("ghost", ".subs-total")) is None
    assert await page.evaluate(visible_routers()) == ROUTERS


async def test_the_router_filter_shows_only_that_router(page: Page, served: ServeProcess) -> None:
    wanted = ROUTERS[1]
    await open_wall(page, served, f"?router={wanted}")
    await page.wait_for(f"/^[0-9][0-9.,]*$/.test({card(wanted, '.subs-total')} ?? '')", 60)
    assert await page.evaluate(visible_routers()) == [wanted]
    # The other router is never drawn (its first snapshot arrives before the subscription).
    assert await page.evaluate(card(ROUTERS[0], ".subs-total")) is None
    assert await page.evaluate("NE8000Wall.state.knownRouters") == ROUTERS


async def test_rotation_moves_from_router_to_router(page: Page, served: ServeProcess) -> None:
    await open_wall(page, served, "?rotate=3")
    await page.wait_for(f"{visible_routers()}.join() === '{ROUTERS[0]}'", 30)
    assert await page.evaluate("document.getElementById('rotation').textContent") == "1/2"
    await page.wait_for(f"{visible_routers()}.join() === '{ROUTERS[1]}'", 30)
    assert await page.evaluate("document.getElementById('rotation').textContent") == "2/2"


def alert_message(alert_id: str, severity: str, raised: str) -> str:
    alert = {
        "id": alert_id,
        "router": ROUTERS[0],
        "severity": severity,
        "kind": "router_unreachable",
        "subject": "",
        "message": f"test {severity} {alert_id}",
        "raised_at": raised,
        "cleared_at": None,
    }
    return json.dumps({"type": "alert", "router": ROUTERS[0], "alert": alert})


async def test_sound_beeps_once_for_each_new_critical_alert(
    page: Page, served: ServeProcess
) -> None:
    await open_wall(page, served, "?sound=1")
    assert await page.evaluate("NE8000Wall.audioState") == "running"
    assert await page.evaluate("document.getElementById('sound-hint').hidden") is True
    before = await page.evaluate("NE8000Wall.alarmsPlayed")
    now = "new Date(Date.now() + NE8000Wall.state.serverOffsetMs).toISOString()"
    raised = await page.evaluate(now)
    await page.evaluate(f"NE8000Wall.handle({alert_message('a1', 'critical', raised)})")
    assert await page.evaluate("NE8000Wall.alarmsPlayed") == before + 1
    await page.evaluate(f"NE8000Wall.handle({alert_message('a1', 'critical', raised)})")
    await page.evaluate(f"NE8000Wall.handle({alert_message('a2', 'major', raised)})")
    old = "2020-01-01T00:00:00.000Z"  # active before the page loaded: not new
    await page.evaluate(f"NE8000Wall.handle({alert_message('a3', 'critical', old)})")
    assert await page.evaluate("NE8000Wall.alarmsPlayed") == before + 1
    # Sorted by severity: the criticals first, then the major (then the box's own minor
    # and warning alarms, which the list may cut off with "+N more" when space runs out).
    items = f"[...document.querySelectorAll('.card[data-router=\"{ROUTERS[0]}\"] .alert')]"
    await page.evaluate("NE8000Wall.flush()")  # draw all three before reading the list
    await page.wait_for(f"{items}.length >= 2")
    order = await page.evaluate(f"{items}.map((item) => item.dataset.severity)")
    ranks = ["critical", "major", "minor", "warning"]
    assert order == sorted(order, key=ranks.index)
    assert order[:2] == ["critical", "critical"]
    assert "major" in order or await page.evaluate(card(ROUTERS[0], ".alert-more"))


def severity_counts(router: str) -> str:
    """JS: the card's alert counts by severity, {severity: text}."""
    return (
        f"Object.fromEntries([...document.querySelectorAll("
        f"'.card[data-router=\"{router}\"] .alerts-label .sev-count')]"
        ".map((chip) => [chip.dataset.severity, chip.textContent]))"
    )


async def test_alerts_are_counted_by_severity_minor_and_warning_included(
    page: Page, served: ServeProcess
) -> None:
    """The demo box's own minor (low optical power) and warning (licence expiry) alarms
    come through the feed as alerts and are counted beside major and critical ones."""
    await open_wall(page, served)
    await page.wait_for(
        f"(() => {{ const c = {severity_counts(ROUTERS[1])}; return c.minor && c.warning; }})()",
        timeout=60,
    )
    counts = await page.evaluate(severity_counts(ROUTERS[1]))
    assert re.fullmatch(r"\d+ minor", counts["minor"])
    assert re.fullmatch(r"\d+ warning", counts["warning"])
    label = await page.evaluate(card(ROUTERS[1], ".alerts-label"))
    assert label.startswith("Active alerts")

    await open_wall(page, served, "?lang=pt-BR")
    raised = await page.evaluate("new Date().toISOString()")
    for index, severity in enumerate(("critical", "minor", "minor", "minor", "warning")):
        await page.evaluate(f"NE8000Wall.handle({alert_message(f'c{index}', severity, raised)})")
    # Draw what has arrived (a frame may have been drawn between two of the alerts).
    await page.evaluate("NE8000Wall.flush()")
    await page.wait_for(f"{severity_counts(ROUTERS[0])}.critical === '1 crítico'")
    counts = await page.evaluate(severity_counts(ROUTERS[0]))
    minor = int(counts["minor"].split()[0])
    assert minor >= 3
    assert counts["minor"] == f"{minor} menores"
    assert re.fullmatch(r"\d+ avisos?", counts["warning"])
    assert "major" not in counts or re.fullmatch(r"\d+ maior(es)?", counts["major"])


NO_OVERFLOW = """(() => {
  const root = document.documentElement;
  const inside = (el) =>
    el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1;
  return root.scrollWidth <= innerWidth && root.scrollHeight <= innerHeight &&
    [...document.querySelectorAll('.card:not([hidden])')].every((card) =>
      inside(card) && inside(card.querySelector('.alert-list')) &&
      card.querySelector('.subs-total').scrollWidth <=
        card.querySelector('.subs-total').clientWidth);
})()"""


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
async def test_nothing_overflows_even_with_many_alerts(
    page: Page, served: ServeProcess, width: int, height: int
) -> None:
    await page.set_viewport(width, height)
    await open_wall(page, served)
    await page.wait_for(SHOWS_TOTALS, timeout=60)
    raised = await page.evaluate("new Date().toISOString()")
    for index in range(40):
        severity = ("critical", "major", "minor", "warning")[index % 4]
        await page.evaluate(f"NE8000Wall.handle({alert_message(f'm{index}', severity, raised)})")
    more = await page.wait_for(card(ROUTERS[0], ".alert-more"))
    assert re.fullmatch(r"\+\d+ more", more)
    await page.evaluate("NE8000Wall.handle({type: 'router_data', router: 'x', data: "
                        f"{{online_total: {{total: '{HUGE}{HUGE}'}}}}}})")
    await page.wait_for(card("x", ".subs-total") + " !== null")
    await page.evaluate("new Promise((done) => setTimeout(done, 300))")
    assert await page.evaluate(NO_OVERFLOW) is True
