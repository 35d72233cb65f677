"""Sending one message to every notification URL with apprise, off the event loop.

apprise is synchronous (an SMTP server that takes 30 s to answer holds its caller for 30 s),
so each send runs in a daemon worker thread and the event loop only awaits its result:
polling never waits for e-mail, and a hung server cannot hold up the app's exit. Sends run
one at a time.

Notification URLs hold secrets (bot tokens, SMTP passwords). They are never logged: each
target is shown as apprise's own privacy form of its URL (``tgram://1...z/12345``,
``mailto://user:****@host``), and every secret apprise marks private in a URL is added to
the log redaction registry before anything is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from app.domain.errors import NE8000MonitorError
from app.domain.notifications import TargetResult
from app.domain.redaction import redact
from app.engine.logging_setup import register_secret
from app.notify.digest import Message

_log = logging.getLogger("ne8000monitor.notify.apprise")

SEND_TIMEOUT = 120.0  # seconds a whole send may take before it counts as failed
MIN_SECRET_CHARS = 4  # shorter "secrets" (a port, a chat id of 1) would mask ordinary text


class NotifyConfigError(NE8000MonitorError):
    """A notification URL apprise cannot use; the message names the settings key."""


@dataclass(frozen=True, slots=True)
class Target:
    """One notification URL, loaded: its masked label, its secrets and apprise's object."""

    label: str
    secrets: tuple[str, ...]
    sender: Any  # apprise.Apprise holding just this URL


def _private_values(plugin: Any) -> list[str]:
    """The values apprise itself treats as private in this URL (tokens, passwords, keys)."""
    found: list[str] = []
    for name, meta in getattr(plugin, "template_tokens", {}).items():
        if not isinstance(meta, dict) or not meta.get("private"):
            continue
        value = getattr(plugin, meta.get("map_to", name), None)
        values = value if isinstance(value, list | tuple | set) else [value]
        found += [str(item) for item in values if isinstance(item, str | int)]
    password = getattr(plugin, "password", None)
    if isinstance(password, str):
        found.append(password)
    return found


def url_secrets(url: str, plugin: Any) -> tuple[str, ...]:
    """Everything secret in `url`: apprise's private tokens, the password, the URL itself."""
    secrets = [url, *_private_values(plugin)]
    with contextlib.suppress(ValueError):
        parts = urlsplit(url)
        if parts.password:
            secrets.append(parts.password)
    return tuple(dict.fromkeys(s for s in secrets if len(s) >= MIN_SECRET_CHARS))


def masked(plugin: Any) -> str:
    """apprise's privacy form of the URL, without its long tail of default options."""
    return str(plugin.url(privacy=True)).split("?", 1)[0]


def load_targets(urls: Sequence[str], *, key: str = "notify.urls") -> list[Target]:
    """One :class:`Target` per URL; NotifyConfigError naming ``key[i]`` for one apprise
    does not understand (the URL itself is never repeated: it may hold a secret)."""
    import apprise  # noqa: PLC0415 -- a large import, only where notifications are set up

    targets: list[Target] = []
    for index, url in enumerate(urls):
        try:
            plugin = apprise.Apprise.instantiate(url.strip())
        except Exception as error:  # apprise's plugin discovery itself failed (a broken install)
            raise NotifyConfigError(
                f"{key}: apprise cannot load its notification services ({type(error).__name__})"
            ) from None
        if plugin is None:
            scheme = url.split("://", 1)[0]
            raise NotifyConfigError(
                f"{key}[{index}]: apprise cannot use this {scheme}:// URL (unknown service "
                "or a missing/invalid part; see apprise's documentation for its form)"
            )
        secrets = url_secrets(url.strip(), plugin)
        for secret in secrets:
            register_secret(secret)
        sender = apprise.Apprise()
        sender.add(plugin)
        targets.append(Target(masked(plugin), secrets, sender))
    return targets


class _Capture(logging.Handler):
    """apprise's warnings during one send: the reason a target failed."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.lines.append(record.getMessage())


def send_blocking(targets: Sequence[Target], message: Message) -> list[TargetResult]:
    """Send `message` to every target, one after the other (blocking: a worker thread).

    apprise's own log records are captured as each target's failure reason instead of
    being logged again per attempt; the caller logs one line per failed target."""
    import apprise  # noqa: PLC0415

    logger = logging.getLogger("apprise")
    results: list[TargetResult] = []
    for target in targets:
        capture = _Capture()
        logger.addHandler(capture)
        propagate, logger.propagate = logger.propagate, False
        try:
            delivered = bool(
                target.sender.notify(
                    body=message.body,
                    title=message.title,
                    notify_type=apprise.NotifyType(message.kind),
                    body_format=apprise.NotifyFormat.TEXT,
                )
            )
            reason = None if delivered else ("; ".join(capture.lines) or "not delivered")
        except Exception as error:  # a plugin bug must not end the notifier
            delivered, reason = False, f"{type(error).__name__}: {error}"
        finally:
            logger.propagate = propagate
            logger.removeHandler(capture)
        error = None if reason is None else redact(reason, target.secrets)
        results.append(TargetResult(target.label, delivered, error))
    return results


async def in_worker_thread[T](work: Callable[[], T], *, timeout: float = SEND_TIMEOUT) -> T:
    """Run blocking `work` in a daemon thread and await its result (TimeoutError after
    `timeout`; the thread then finishes or dies with the process, never blocking exit)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        try:
            result: T | None = work()
            error: BaseException | None = None
        except BaseException as exc:
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name="ne8000monitor-notify", daemon=True).start()
    return await asyncio.wait_for(future, timeout)
