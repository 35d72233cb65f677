"""`/ws/monitor` and `/ws/router`: the live feed's WebSocket endpoints.

On connect a client gets `welcome`, then the current picture (one `router_data` per router
with every section, `system_status`, the active alerts), then live updates through the hub.
What a client sends is checked strictly; anything malformed gets an `error` message and the
connection stays open (a frame beyond the protocol limit is closed by aiohttp with 1009).

Accepted client messages: the text ``ping`` (or ``{"type": "ping"}``) -> `pong`;
``{"type": "subscribe", "routers": [...] | null}`` -> `subscribed` (null: all routers);
``{"type": "command", ...}`` -> the remote command handler's reply. They are decoded and
validated by their wire types (:mod:`app.feed.wire.messages`), one tagged-union decoder.

Frames go out uncompressed: each message is encoded once and the same bytes are written to
every client, where per-message deflate would compress it again for each of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import re
from collections.abc import Awaitable, Callable, Collection, Sequence

import msgspec
from aiohttp import WSMsgType, web

from app.feed import messages
from app.feed.broadcast import CLOSE_GOING_AWAY, Client, Hub, Outgoing
from app.feed.context import FeedContext
from app.feed.seats import seat_of
from app.feed.wire.messages import (
    CLIENT_DECODER,
    CommandMessage,
    PingMessage,
    ServerMessage,
    SubscribeMessage,
)

_log = logging.getLogger("ne8000monitor.feed.websocket")

MONITOR_PATH = "/ws/monitor"
ROUTER_PATH = "/ws/router"
MAX_MESSAGE_CHARS = 64 * 1024  # longest client message answered; longer: `error`
MAX_FRAME_BYTES = 1024 * 1024  # aiohttp closes the connection (1009) beyond this
CLOSE_BAD_REQUEST = 1008
# Protocol-level ping (answered by every WebSocket stack on its own): a peer that vanished
# without closing (cable pulled, laptop asleep) is noticed and dropped after ~1.5 intervals.
PROTOCOL_PING_INTERVAL = 30.0
WRITE_BUFFER_LIMIT = 256 * 1024  # bytes queued for a client before its writer waits
DRAIN_POLL_SECONDS = 0.05  # how often a waiting writer looks whether the peer read

CommandHandler = Callable[..., Awaitable[ServerMessage]]
_ERROR_PATH = re.compile(r" - at `(?P<path>[^`]*)`$")


def websocket_routes(ctx: FeedContext) -> list[web.RouteDef]:
    endpoint = _Endpoint(ctx)
    return [
        web.get(MONITOR_PATH, endpoint.monitor, name="ws_monitor"),
        web.get(ROUTER_PATH, endpoint.router, name="ws_router"),
    ]


class _Endpoint:
    def __init__(self, ctx: FeedContext) -> None:
        self._ctx = ctx
        self._command_handler: CommandHandler | bool | None = False  # False: not looked up

    async def monitor(self, request: web.Request) -> web.StreamResponse:
        name = request.query.get("router")
        return await self._serve(request, None if name is None else [name])

    async def router(self, request: web.Request) -> web.StreamResponse:
        name = request.query.get("router")
        routers = self._ctx.monitor.routers
        if name is None and len(routers) == 1:
            name = routers[0]
        if name is None:
            return await self._refuse(
                request,
                "router_required",
                f"/ws/router needs ?router=NAME; routers: {', '.join(routers) or 'none'}",
            )
        return await self._serve(request, [name])

    async def _refuse(self, request: web.Request, code: str, text: str) -> web.WebSocketResponse:
        """Upgrade, say why in an `error` message, close: a WS client can read the reason."""
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        routers = self._ctx.monitor.routers
        refusal = messages.error(self._ctx, code, text, routers=routers)
        await ws.send_frame(refusal.data, WSMsgType.TEXT)
        self._ctx.stats.errors_sent += 1
        await ws.close(code=CLOSE_BAD_REQUEST, message=code.encode())
        return ws

    async def _serve(self, request: web.Request, routers: list[str] | None) -> web.StreamResponse:
        ctx = self._ctx
        hub = _hub(ctx)
        if hub.closed:
            raise web.HTTPServiceUnavailable(text="the feed is shutting down")
        known = ctx.monitor.routers
        unknown = [name for name in routers or () if name not in known]
        if unknown:
            return await self._refuse(request, "unknown_router", f"no router named {unknown[0]!r}")
        ws = web.WebSocketResponse(
            max_msg_size=MAX_FRAME_BYTES,
            autoping=True,
            heartbeat=PROTOCOL_PING_INTERVAL,
            compress=False,
        )
        await ws.prepare(request)
        try:
            client = hub.connect(
                _AiohttpSocket(ws, request), routers=routers, initial=lambda: _initial(ctx, routers)
            )
        except RuntimeError:  # the server began shutting down during the handshake
            await ws.close(code=CLOSE_GOING_AWAY, message=b"server shutting down")
            return ws
        commands: set[asyncio.Task[None]] = set()
        try:
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    self._on_text(request, hub, client, frame.data, commands)
                elif frame.type is WSMsgType.BINARY:
                    self._error(hub, client, "binary_not_supported", "send JSON text frames")
                elif frame.type is WSMsgType.ERROR:
                    _log.debug("feed client %d: %s", client.id, ws.exception())
        finally:
            for task in commands:
                task.cancel()
            await asyncio.gather(*commands, return_exceptions=True)
            await hub.disconnect(client)
        return ws

    def _error(self, hub: Hub, client: Client, code: str, text: str) -> None:
        self._ctx.stats.errors_sent += 1
        hub.send(client, messages.error(self._ctx, code, text))

    def _on_text(
        self,
        request: web.Request,
        hub: Hub,
        client: Client,
        text: str,
        commands: set[asyncio.Task[None]],
    ) -> None:
        ctx = self._ctx
        if len(text) > MAX_MESSAGE_CHARS:
            self._error(hub, client, "message_too_large", f"at most {MAX_MESSAGE_CHARS} chars")
            return
        if text.strip().lower() == "ping":
            hub.send(client, messages.pong(ctx))
            return
        try:
            message = CLIENT_DECODER.decode(text)
        except msgspec.ValidationError as error:
            self._error(hub, client, *_classify(str(error)))
            return
        except msgspec.DecodeError as error:
            text = f"not JSON (send `ping` or a JSON object): {error}"
            self._error(hub, client, "bad_json", text)
            return
        except RecursionError:
            self._error(hub, client, "bad_json", "the JSON is nested too deeply")
            return
        if isinstance(message, PingMessage):
            hub.send(client, messages.pong(ctx))
        elif isinstance(message, SubscribeMessage):
            self._subscribe(hub, client, message)
        elif commands:
            self._error(hub, client, "busy", "one command at a time per connection")
        else:
            task = asyncio.create_task(
                self._command(request, hub, client, message), name=f"feed-command-{client.id}"
            )
            commands.add(task)
            task.add_done_callback(commands.discard)

    def _subscribe(self, hub: Hub, client: Client, message: SubscribeMessage) -> None:
        routers = message.routers
        known = self._ctx.monitor.routers
        unknown = [name for name in routers or () if name not in known]
        if unknown:
            self._error(hub, client, "unknown_router", f"no router named {unknown[0]!r}")
            return
        client.routers = None if routers is None else frozenset(routers)
        hub.send(client, messages.subscribed(self._ctx, client.routers))

    async def _command(
        self, request: web.Request, hub: Hub, client: Client, message: CommandMessage
    ) -> None:
        handler = self._handler()
        if handler is None:
            self._error(hub, client, "commands_unavailable", "remote commands are not available")
            return
        try:
            answer = await handler(
                self._ctx,
                message,
                authorized=self._ctx.authorized(request),
                address=request.remote,
                seat=seat_of(request),
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            _log.exception("WebSocket command failed")
            self._error(hub, client, "internal_error", "the command could not be handled")
            return
        hub.send(client, messages.reply(answer))

    def _handler(self) -> CommandHandler | None:
        if self._command_handler is False:
            try:
                module = importlib.import_module("app.feed.commands")
                self._command_handler = module.handle_ws_command
            except (ImportError, AttributeError):
                _log.warning("app.feed.commands is missing: WS commands are answered with errors")
                self._command_handler = None
        return self._command_handler or None


def _classify(problem: str) -> tuple[str, str]:
    """An `error` code and message for a client message that does not fit its type: the
    message as a whole (`bad_message`), its `type` (`unknown_type`), or a field
    (`bad_field`); msgspec's own words say what was expected where."""
    match = _ERROR_PATH.search(problem)
    path = match.group("path") if match else "$"
    if path == "$.type" and problem.startswith("Invalid value"):
        return "unknown_type", f"unknown message type: {problem}"
    if path in ("$", "$.type"):
        return "bad_message", f"expected a JSON object with a `type`: {problem}"
    return "bad_field", problem


def _initial(ctx: FeedContext, routers: Collection[str] | None) -> list[Outgoing]:
    """Welcome, every section of each router, the status and the active alerts: at once
    (the router pictures and the status are shared by clients connecting meanwhile)."""
    names = list(ctx.monitor.routers if routers is None else routers)
    picture = ctx.picture
    initial = [messages.welcome(ctx, ctx.monitor.routers)]
    if picture is None:
        initial += [messages.router_data(ctx, name) for name in names]
        initial.append(messages.system_status(ctx))
    else:
        initial += [picture.router_data(name) for name in names]
        initial.append(picture.system_status())
    for name in names:
        initial += [messages.alert(ctx, item) for item in ctx.monitor.active_alerts(name)]
    return initial


def _hub(ctx: FeedContext) -> Hub:
    if ctx.hub is None:
        raise web.HTTPServiceUnavailable(text="the feed is not running")
    return ctx.hub


class _AiohttpSocket:
    """An aiohttp WebSocketResponse as the hub's :class:`Socket`.

    Data frames are written straight to the connection's transport, whole frames at a time
    (aiohttp writes its own control frames -- ping, pong, close -- the same way, so frames
    never interleave); the connection negotiates no compression, so the frames the hub
    built once are what every client must receive.
    """

    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self._ws = ws
        self._request = request

    async def send(self, messages: Sequence[Outgoing]) -> None:
        transport = self._request.transport
        if transport is None or transport.is_closing() or self._ws.closed:
            raise ConnectionResetError("the WebSocket is closing")
        transport.writelines([message.frame for message in messages])
        # Flow control: wait while the peer is not reading (the hub's send timeout bounds it).
        while transport.get_write_buffer_size() > WRITE_BUFFER_LIMIT:
            if transport.is_closing():
                raise ConnectionResetError("the WebSocket closed while sending")
            await asyncio.sleep(DRAIN_POLL_SECONDS)

    def write_now(self, message: Outgoing) -> bool:
        transport = self._request.transport
        if (
            transport is None
            or transport.is_closing()
            or self._ws.closed
            or transport.get_write_buffer_size()
        ):
            return False
        transport.write(message.frame)
        return True

    async def close(self, *, code: int, message: bytes) -> object:
        return await self._ws.close(code=code, message=message)

    def abort(self) -> None:
        transport = self._request.transport
        if transport is not None:
            with contextlib.suppress(Exception):
                transport.abort()
