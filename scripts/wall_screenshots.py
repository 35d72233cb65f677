"""Screenshots of the wall display at 1920x1080 and 3840x2160, taken from a live demo.

Starts `ne8000monitor serve --demo --demo-routers N --port 0` (own temporary config/data
dirs), opens `/wall` in headless Chromium, waits until every router shows live numbers and
a few sparkline points, then saves ``docs/wall-1080p.png`` and ``docs/wall-4k.png``.

    /work/venv/bin/python scripts/wall_screenshots.py [--routers 3] [--out docs] [--lang en]
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routers", type=int, default=3, help="simulated routers (default 3)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="output directory")
    parser.add_argument("--lang", default=None, help="page language, e.g. pt-BR")
    parser.add_argument("--points", type=int, default=6, help="sparkline points to wait for")
    parser.add_argument("--query", default="", help="extra query string, e.g. rotate=20")
    args = parser.parse_args()
    asyncio.run(capture(args.routers, args.out, args.lang, args.points, args.query))
    return 0


if __name__ == "__main__":
    sys.exit(main())
