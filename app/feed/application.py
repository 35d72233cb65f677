"""Builds the feed's aiohttp application from the route modules and middlewares.

The extras (Prometheus `/metrics`, `/openapi.json`, remote commands, the wall page) live in
their own modules, each exposing ``xxx_routes(ctx) -> list[web.RouteDef]``; the core routes
come first so an extra can never shadow them.
"""

from __future__ import annotations

import importlib
import logging

from aiohttp import web

from app.feed.auth import middlewares
from app.feed.context import FeedContext
from app.feed.http_api import api_routes, error_response
from app.feed.websocket import websocket_routes

_log = logging.getLogger("ne8000monitor.feed.application")

# (module, function) of each route module beyond the core.
EXTRA_ROUTES: tuple[tuple[str, str], ...] = (
    ("app.feed.metrics", "metrics_routes"),
    ("app.feed.openapi", "openapi_routes"),
    ("app.feed.commands", "command_routes"),
    ("app.feed.wall", "wall_routes"),
    ("app.feed.history", "history_routes"),
    ("app.feed.collector", "collector_routes"),
)
MAX_REQUEST_BYTES = 256 * 1024  # request bodies (commands) are tiny

CONTEXT_KEY = web.AppKey("feed_context", FeedContext)


def extra_routes(ctx: FeedContext) -> list[web.RouteDef]:
    routes: list[web.RouteDef] = []
    for module_name, function in EXTRA_ROUTES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            _log.warning("%s is not installed; its endpoints are missing", module_name)
            continue
        routes.extend(getattr(module, function)(ctx))
    return routes


def build_application(ctx: FeedContext) -> web.Application:
    @web.middleware
    async def not_found_as_json(request: web.Request, handler):  # type: ignore[no-untyped-def]
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return error_response(ctx, 404, "not_found", f"no endpoint {request.path}")
        except web.HTTPMethodNotAllowed as error:
            return error_response(
                ctx,
                405,
                "method_not_allowed",
                f"{request.method} is not allowed here",
                allowed=sorted(error.allowed_methods),
            )
        except web.HTTPException:
            raise
        except Exception:
            _log.exception("feed request %s failed", request.path)
            return error_response(ctx, 500, "internal_error", "the request could not be served")

    app = web.Application(
        middlewares=[*middlewares(ctx), not_found_as_json],
        client_max_size=MAX_REQUEST_BYTES,
    )
    app[CONTEXT_KEY] = ctx
    app.add_routes([*api_routes(ctx), *websocket_routes(ctx), *extra_routes(ctx)])
    return app
