"""Screenshots of the wall display at 1920x1080 and 3840x2160, taken from a live demo.

Starts `ne8000monitor serve --demo --demo-routers N --port 0` (own temporary config/data
dirs), opens `/wall` in headless Chromium, waits until every router shows live numbers and
a few sparkline points, then saves ``docs/wall-1080p.png`` and ``docs/wall-4k.png``.
``--stale`` instead runs the scripted outage of scripts/stale_routers.py (one router hangs
two commands, one is powered off) behind an in-process feed and saves
``docs/wall-stale-1080p.png``.

    .venv/bin/python scripts/wall_screenshots.py [--routers 3] [--out docs] [--lang en]
    .venv/bin/python scripts/wall_screenshots.py --stale
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: import the repo's packages
    sys.path.insert(0, str(ROOT))

from scripts import stale_routers  # noqa: E402
from tests.support.cdp import launch_chromium  # noqa: E402
from tests.support.serve import launch_serve  # noqa: E402

SIZES = (("wall-1080p.png", 1920, 1080), ("wall-4k.png", 3840, 2160))

# Every visible card has a total, CPU and a traffic rate, and its sparkline has `points`.
READY = """(() => {
  const wall = window.NE8000Wall;
  if (!wall || wall.state.connection !== "live") return false;
  const cards = [...document.querySelectorAll(".card:not([hidden])")];
  if (cards.length < %(routers)d) return false;
  return cards.every((card) => {
    const view = wall.state.routers.get(card.dataset.router);
    return view && view.history.length >= %(points)d &&
      card.querySelector(".subs-total").textContent !== "—" &&
      card.querySelector(".gauge-cpu .gauge-value").textContent !== "—" &&
      card.querySelector(".rate-in") !== null &&
      card.querySelector(".rate-in").textContent !== "—";
  });
})()"""

NO_OVERFLOW = """(() => {
  const root = document.documentElement;
  return root.scrollWidth <= innerWidth && root.scrollHeight <= innerHeight;
})()"""


async def capture(routers: int, out: Path, lang: str | None, points: int, query: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ne8000-wall-") as home:
        serve = await launch_serve(
            Path(home), "--demo", "--demo-routers", str(routers), "--port", "0"
        )
        url = serve.url
        try:
            async with launch_chromium() as browser:
                page = await browser.new_page(*SIZES[0][1:])
                params = [p for p in (query, f"lang={lang}" if lang else "") if p]
                await page.navigate(f"{url}/wall" + ("?" + "&".join(params) if params else ""))
                await page.wait_for(READY % {"routers": routers, "points": points}, timeout=180)
                for name, width, height in SIZES:
                    await page.set_viewport(width, height)
                    await page.evaluate("new Promise((done) => setTimeout(done, 600))")
                    if not await page.evaluate(NO_OVERFLOW):
                        print(f"warning: the page overflows at {width}x{height}", file=sys.stderr)
                    await page.screenshot(out / name)
                    print(out / name)
        finally:
            await serve.stop()


# The cards of both broken routers are dimmed where they are stale and say since when.
STALE_SHOWN = """(() => {
  const stale = (name) => {
    const card = document.querySelector(`.card[data-router="${name}"]`);
    return card && card.querySelector(".subs").classList.contains("stale") &&
      /^Stale since /.test(card.querySelector(".updated").textContent);
  };
  return stale("%(hung)s") && stale("%(down)s");
})()"""


async def capture_stale(out: Path, lang: str | None) -> None:
    """The wall during the scripted outage: docs/wall-stale-1080p.png."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ne8000-wall-stale-") as home:
        outage = await stale_routers.start(Path(home), feed=True)
        try:
            feed = outage.runtime.feed
            if feed is None or feed.url is None:
                raise RuntimeError("the feed did not start")
            await stale_routers.all_reporting(outage)
            async with launch_chromium() as browser:
                page = await browser.new_page(*SIZES[0][1:])
                query = f"?lang={lang}" if lang else ""
                await page.navigate(f"{feed.url}/wall{query}")
                routers = len(stale_routers.ROUTERS)
                await page.wait_for(READY % {"routers": routers, "points": 6}, timeout=180)
                await stale_routers.break_routers(outage)
                names = {"hung": stale_routers.HUNG_ROUTER, "down": stale_routers.DOWN_ROUTER}
                await page.wait_for(STALE_SHOWN % names, timeout=120)
                await page.evaluate("new Promise((done) => setTimeout(done, 600))")
                path = out / "wall-stale-1080p.png"
                await page.screenshot(path)
                print(path)
        finally:
            await outage.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routers", type=int, default=3, help="simulated routers (default 3)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="output directory")
    parser.add_argument("--lang", default=None, help="page language, e.g. pt-BR")
    parser.add_argument("--points", type=int, default=6, help="sparkline points to wait for")
    parser.add_argument("--query", default="", help="extra query string, e.g. rotate=20")
    parser.add_argument("--stale", action="store_true", help="the outage picture instead")
    args = parser.parse_args()
    if args.stale:
        asyncio.run(capture_stale(args.out, args.lang))
    else:
        asyncio.run(capture(args.routers, args.out, args.lang, args.points, args.query))
    return 0


if __name__ == "__main__":
    sys.exit(main())
