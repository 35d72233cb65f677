"""The feed's gatekeeping middlewares: the token rule, CORS and the WebSocket origin check.

* **Token**: when a token is configured (the shared ``[feed] token``, or seat tokens from
  ``ne8000monitor token add``), every request must present one (``?token=``,
  ``Authorization: Bearer``, ``X-API-Token``): none -> 401, a wrong one -> 403. A feed
  bound beyond loopback never runs without a token (the server refuses to start). The
  caller found (which seat, or the shared token) rides on the request, and every audit
  entry the request causes records it with the remote address.
* **CORS** is closed by default: no ``Access-Control-Allow-Origin`` is ever sent unless
  the origin is listed in the ``cors_origins`` setting, and then only that origin.
* **WebSocket origin**: browsers do not apply CORS to WebSockets, so a page on another
  site could otherwise read the feed through the user's browser. An upgrade carrying an
  ``Origin`` must be same-origin or listed in ``cors_origins`` (403 otherwise); tools that
  send no ``Origin`` are let through (the token rule still applies).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import hdrs, web

from app.feed.context import FeedContext, request_token
from app.feed.http_api import error_response
from app.feed.seats import CALLER_KEY, Caller

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

PREFLIGHT_MAX_AGE = "600"
ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, X-API-Token"


def _allowed_origin(ctx: FeedContext, origin: str | None) -> str | None:
    if origin and origin in ctx.options.cors_origins:
        return origin
    return None


def _same_origin(request: web.Request, origin: str) -> bool:
    return origin.rstrip("/").lower() in {
        f"{scheme}://{request.host}".lower() for scheme in ("http", "https")
    }


def middlewares(ctx: FeedContext) -> list[Callable[..., Awaitable[web.StreamResponse]]]:
    @web.middleware
    async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = _allowed_origin(ctx, request.headers.get(hdrs.ORIGIN))
        if request.method == "OPTIONS" and hdrs.ACCESS_CONTROL_REQUEST_METHOD in request.headers:
            if origin is None:
                return error_response(ctx, 403, "cors_denied", "origin not allowed")
            response: web.StreamResponse = web.Response(status=204)
            response.headers[hdrs.ACCESS_CONTROL_ALLOW_METHODS] = ALLOWED_METHODS
            response.headers[hdrs.ACCESS_CONTROL_ALLOW_HEADERS] = ALLOWED_HEADERS
            response.headers[hdrs.ACCESS_CONTROL_MAX_AGE] = PREFLIGHT_MAX_AGE
        else:
            try:
                response = await handler(request)
            except web.HTTPException as error:
                response = error
                if origin is None:
                    raise
        if origin is not None and not response.prepared:
            response.headers[hdrs.ACCESS_CONTROL_ALLOW_ORIGIN] = origin
            response.headers.add(hdrs.VARY, "Origin")
        return response

    @web.middleware
    async def token(request: web.Request, handler: Handler) -> web.StreamResponse:
        caller = Caller()
        if ctx.token_required:
            presented = request_token(request)
            if presented is None:
                return error_response(
                    ctx, 401, "token_required", "this feed needs its token (?token= or header)"
                )
            found = await ctx.identify(presented)
            if found is None:
                return error_response(ctx, 403, "bad_token", "wrong token")
            caller = found
        request[CALLER_KEY] = caller
        with ctx.seats.track(caller.seat, request):
            return await handler(request)

    @web.middleware
    async def websocket_origin(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get(hdrs.ORIGIN)
        if (
            origin is not None
            and request.headers.get(hdrs.UPGRADE, "").lower() == "websocket"
            and not _same_origin(request, origin)
            and _allowed_origin(ctx, origin) is None
        ):
            return error_response(ctx, 403, "origin_denied", f"origin {origin!r} not allowed")
        return await handler(request)

    return [cors, token, websocket_origin]
