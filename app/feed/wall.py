"""The wall-display page: `/wall`, its static assets, and `/` redirecting to it.

The page is plain static HTML/CSS/JS shipped in ``resources/wall`` (NOC networks are often
offline: no CDN, no web fonts). It holds no data itself; it reads everything from
`/ws/monitor` with the token it was opened with, so serving it needs no token. Only files
named in a fixed allow-list pattern are served, which rules out path traversal whatever the
URL encoding. Asset URLs in the page carry the app version (``?v=``), so a cached copy can
be kept for a day and a new release is still fetched at once.

When the feed requires a token, its middleware asks every request for it, the page's own
CSS and JS included; the page is only reachable with ``?token=`` then, and that token is
carried on to the asset URLs (same origin, and the page sends no referrer).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web

from app.domain.paths import resources_dir

if TYPE_CHECKING:
    from app.feed.context import FeedContext

WALL_PATH = "/wall"
INDEX = "index.html"
VERSION_MARK = "__WALL_VERSION__"

# Only plain file names with a known type: no dots-only names, no separators, no encodings.
_ASSET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.(?:css|js|svg|png|ico)")
_CONTENT_TYPES = {
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "ico": "image/x-icon",
}
ASSET_MAX_AGE = 86400  # seconds a versioned asset may be cached


def wall_dir() -> Path:
    return resources_dir() / "wall"


def _security_headers(request: web.Request) -> dict[str, str]:
    """Same-origin only; no referrer, because the page URL may carry the feed token."""
    host = request.host
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' ws://{host} wss://{host}; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'self'"
    )
    return {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


class WallPage:
    """Handlers for the page and its assets, reading files from `root` on every request.

    Reading per request keeps the handlers stateless and lets the files change under a
    running server in development; the page is a few kilobytes and is loaded once per screen.
    """

    def __init__(
        self, root: Path, version: str, token_required: Callable[[], bool] = lambda: False
    ) -> None:
        self.root = root.resolve()
        self.version = version
        self._token_required = token_required

    async def redirect(self, request: web.Request) -> web.StreamResponse:
        """`/` -> `/wall`, keeping the query string (the token, rotate, router filter)."""
        query = request.rel_url.raw_query_string
        raise web.HTTPFound(WALL_PATH + (f"?{query}" if query else ""))

    async def index(self, request: web.Request) -> web.StreamResponse:
        try:
            text = await asyncio.to_thread((self.root / INDEX).read_text, encoding="utf-8")
        except FileNotFoundError:
            raise web.HTTPNotFound(text="wall page is not installed") from None
        asset_query = quote(self.version, safe="")
        token = request.query.get("token")
        if token and self._token_required():
            asset_query += "&amp;token=" + quote(token, safe="")
        body = text.replace(VERSION_MARK, asset_query)
        headers = _security_headers(request)
        headers["Cache-Control"] = "no-cache"
        return web.Response(
            text=body, content_type="text/html", charset="utf-8", headers=headers
        )

    async def asset(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if _ASSET_NAME.fullmatch(name) is None:
            raise web.HTTPNotFound()
        path = (self.root / name).resolve()
        if path.parent != self.root or not path.is_file():
            raise web.HTTPNotFound()
        versioned = request.query.get("v") == self.version
        # Behind a token the URL carries it: keep such copies out of shared caches.
        scope = "private" if self._token_required() else "public"
        headers = {
            "Content-Type": _CONTENT_TYPES[name.rsplit(".", 1)[1]],
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": f"{scope}, max-age={ASSET_MAX_AGE}" if versioned else "no-cache",
        }
        return web.FileResponse(path, headers=headers)


def wall_routes(ctx: FeedContext) -> list[web.RouteDef]:
    """The routes of the wall page, for the feed application builder."""
    page = WallPage(wall_dir(), ctx.version, lambda: ctx.token_required)
    return [
        web.get("/", page.redirect),
        web.get(WALL_PATH, page.index),
        web.get(f"{WALL_PATH}/", page.index),
        web.get(WALL_PATH + "/{name}", page.asset),
    ]
