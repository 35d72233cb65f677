"""HTTP and WebSocket requests to a collector, with the seat's token, over TLS when asked.

Every answer is decoded by the feed's own wire types, so a seat reads exactly what the
collector encoded; an error answer becomes a :class:`CollectorError` with the feed's code
and message. The token travels in the ``Authorization`` header (never in a URL, which
proxies and logs keep). https/wss are checked against the system's CAs, or against the
pinned SHA-256 fingerprint of the collector's certificate (:func:`app.tls.client_context`).
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import msgspec

from app.engine.runtime import CollectorProbe
from app.feed.wire.answers import ErrorAnswer
from app.feed.wire.base import encode
from app.feed.wire.collector import CollectorInfoAnswer
from app.remote.errors import CollectorError, CollectorRefused, CollectorUnreachable
from app.tls import PinMismatch, client_context

REQUEST_TIMEOUT = 30.0  # seconds for one HTTP request (a change waits for the router)
CONNECT_TIMEOUT = 10.0
MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # the first picture of a big site is one message/router
_ERROR = msgspec.json.Decoder(ErrorAnswer)
_REFUSED_CODES = frozenset({"token_required", "bad_token"})


def normalise_url(url: str) -> str:
    """``http(s)://host[:port]`` without a path or a trailing slash (ValueError otherwise)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http:// or https:// collector address: {url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(
            "give the collector's address only (http(s)://host:port); the token goes "
            "apart, never in the URL"
        )
    parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path.rstrip("/"), "", ""))


class CollectorClient:
    """One collector's HTTP API and WebSocket, for one seat (one aiohttp session)."""

    def __init__(self, url: str, token: str | None, *, fingerprint: str | None = None) -> None:
        self.url = normalise_url(url)
        self._token = token
        self._tls: ssl.SSLContext | bool = True
        if self.url.startswith("https://"):
            self._tls = client_context(fingerprint=fingerprint)
        elif fingerprint is not None:
            raise ValueError("a certificate fingerprint needs an https:// collector address")
        self._session: aiohttp.ClientSession | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {} if not self._token else {"Authorization": f"Bearer {self._token}"}

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                headers=self.headers,
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT, connect=CONNECT_TIMEOUT),
            )
        return self._session

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    # ----- HTTP ----------------------------------------------------------------------------

    async def get[T](
        self,
        path: str,
        answer: type[T],
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
    ) -> T:
        """GET `path` and decode the answer as `answer` (CollectorError on an error)."""
        return await self._request("GET", path, answer, params=params)

    async def post[T](self, path: str, body: Any, answer: type[T]) -> T:
        """POST a wire value as JSON and decode the answer as `answer`."""
        return await self._request("POST", path, answer, data=encode(body))

    async def _request[T](
        self,
        method: str,
        path: str,
        answer: type[T],
        *,
        params: Any = None,
        data: bytes | None = None,
    ) -> T:
        session = self._open()
        headers = {"Content-Type": "application/json"} if data is not None else None
        try:
            async with session.request(
                method, self.url + path, params=params, data=data, headers=headers,
                ssl=self._tls,
            ) as response:
                body = await response.read()
                status = response.status
        except aiohttp.ClientConnectorCertificateError as error:
            raise _certificate_refused(error) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise CollectorUnreachable(
                f"the collector at {self.url} does not answer: {_describe(error)}"
            ) from None
        if status >= 400:
            raise _error_of(status, body)
        try:
            return msgspec.json.decode(body, type=answer)
        except msgspec.DecodeError as error:
            raise CollectorError(
                f"the collector's answer to {path} could not be read: {error} (is it an "
                "NE8000 Monitor collector of a compatible release?)",
                status=status,
            ) from None

    # ----- WebSocket -----------------------------------------------------------------------

    async def websocket(self, path: str = "/ws/monitor") -> aiohttp.ClientWebSocketResponse:
        """Open the live feed (the caller closes it); CollectorError when it cannot."""
        session = self._open()
        url = "ws" + self.url.removeprefix("http") + path
        try:
            return await session.ws_connect(
                url,
                ssl=self._tls,
                heartbeat=20.0,  # a peer gone without a word is noticed within ~30 s
                max_msg_size=MAX_MESSAGE_BYTES,
                compress=0,
                timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=5.0),
            )
        except aiohttp.ClientConnectorCertificateError as error:
            raise _certificate_refused(error) from None
        except aiohttp.WSServerHandshakeError as error:
            if error.status in (401, 403):
                raise CollectorRefused(
                    f"the collector at {self.url} refused this seat's token ({error.status})",
                    status=error.status,
                ) from None
            raise CollectorUnreachable(
                f"the collector at {self.url} refused the live feed: {error.status} "
                f"{error.message}",
                status=error.status,
            ) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise CollectorUnreachable(
                f"the collector at {self.url} does not answer: {_describe(error)}"
            ) from None


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return text or type(error).__name__


def _certificate_refused(error: aiohttp.ClientConnectorCertificateError) -> CollectorRefused:
    cause = error.certificate_error
    if isinstance(cause, PinMismatch):
        text = (
            "the collector's TLS certificate is not the pinned one (another server, or "
            f"someone in between): {cause}"
        )
    else:
        text = f"the collector's TLS certificate is not trusted: {cause}"
    return CollectorRefused(text)


def _error_of(status: int, body: bytes) -> CollectorError:
    """The feed's error object as an exception (its code, message, preview, retry time)."""
    try:
        error = _ERROR.decode(body).error
    except msgspec.DecodeError:
        text = body[:200].decode("utf-8", "replace").strip() or f"HTTP {status}"
        return CollectorError(f"the collector answered {status}: {text}", status=status)
    kind = CollectorRefused if error.code in _REFUSED_CODES else CollectorError
    return kind(
        error.message,
        status=status,
        code=error.code,
        preview=tuple(error.preview) if isinstance(error.preview, list) else None,
        retry_after=float(error.retry_after) if isinstance(error.retry_after, int) else None,
    )


async def probe(url: str, token: str | None, fingerprint: str | None) -> CollectorProbe:
    """Who this seat is to the collector at `url` (a fresh connection, closed after)."""
    try:
        client = CollectorClient(url, token, fingerprint=fingerprint)
    except ValueError as error:
        raise CollectorError(str(error)) from None
    try:
        info = await client.get("/api/collector", CollectorInfoAnswer)
    finally:
        await client.close()
    return CollectorProbe(
        url=client.url,
        seat=info.seat,
        version=info.version,
        routers=tuple(info.routers),
        remote_commands=info.remote_commands,
        operator_mode=info.operator_mode,
    )
