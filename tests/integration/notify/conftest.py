"""Notification rigs: a simulated NE8000 polled by the real engine, with alert rules quick
enough that a mass drop is raised and cleared within a test."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from app.bootstrap import AppPaths, Engine, build_engine
from app.domain.alerts import Alert, AlertKind
from app.domain.router import RouterProfile
from app.engine.alerts import AlertManager, AlertThresholds
from app.engine.backoff import Backoff
from app.engine.events import AlertChanged, Subscription
from app.engine.monitor import Monitor, build_monitor
from app.engine.poller import PollIntervals
from app.simulator.server import SimulatorHandle, start_simulator
from app.transport.credentials import MemorySecretStore
from tests.integration.conftest import SMALL_DEVICE

ROUTER = "bras-sim"
FAST = PollIntervals(
    interfaces=0.5, subscribers=0.2, system=0.5, traffic=0.5, jitter=0.1, version_every=5
)
TTLS = {"interfaces": 0.1, "pppoe": 0.1, "system": 0.1, "traffic": 0.1}
# A 30% drop is seen within a second; with no further drop it settles (clears) some seconds
# later: the whole life of an alert in a test, with the clear well apart from the raise.
QUICK_ALERTS = AlertThresholds(drop_window_seconds=1.0, drop_settle_seconds=4.0)
WAIT = 30.0  # bound for what must happen; no test measures time


@dataclass
class EngineRig:
    simulator: SimulatorHandle
    engine: Engine
    monitor: Monitor

    async def wait_for_subscribers(self) -> None:
        async with asyncio.timeout(WAIT):
            while self.monitor.snapshot(ROUTER).data("subscribers") is None:
                await asyncio.sleep(0.05)

    async def mass_drop(self) -> Alert:
        """Cause the classic BRAS incident and return the subscriber-drop alert it raises."""
        subscription = self.monitor.subscribe(name="test-drop", types=[AlertChanged])
        async with subscription:
            self.simulator.faults.schedule_mass_drop(0.3)
            return await wait_alert(subscription, AlertKind.SUBSCRIBER_DROP, active=True)


async def wait_alert(subscription: Subscription, kind: AlertKind, *, active: bool) -> Alert:
    async with asyncio.timeout(WAIT):
        async for event in subscription:
            if (
                isinstance(event, AlertChanged)
                and event.alert.kind is kind
                and event.alert.active is active
            ):
                return event.alert
    raise AssertionError("the subscription ended")




@pytest.fixture
async def engine_rig(tmp_path: Path) -> AsyncIterator[EngineRig]:
    handle = await start_simulator(host="127.0.0.1", port=0, **SMALL_DEVICE)
    secrets = MemorySecretStore()
    secrets.set_password(ROUTER, handle.password)
    profile = RouterProfile(name=ROUTER, host=handle.host, port=handle.port, command_timeout=5)
    engine = build_engine(
        AppPaths(tmp_path / "config", tmp_path / "data"),
        profiles={ROUTER: profile},
        secrets=secrets,
        backoff=Backoff(initial=0.05, maximum=0.2),
    )
    monitor = build_monitor(
        engine.pools,
        engine.workflow,
        engine.interfaces,
        intervals=FAST,
        ttls=TTLS,
        alerts=AlertManager(QUICK_ALERTS),
    )
    await monitor.start()
    try:
        yield EngineRig(handle, engine, monitor)
    finally:
        await monitor.stop()
        await engine.close()
        await handle.close()


# ----- local receivers for apprise ---------------------------------------------------------


@dataclass
class Webhook:
    """What an aiohttp server received from apprise's json:// plugin."""

    port: int
    posts: list[dict[str, Any]] = field(default_factory=list)
    auth: list[str | None] = field(default_factory=list)
    status: int = 200  # what it answers; 500 plays a broken receiver

    def url(self, credentials: str = "") -> str:
        return f"json://{credentials}127.0.0.1:{self.port}/hook"

    async def wait_posts(self, count: int) -> list[dict[str, Any]]:
        async with asyncio.timeout(WAIT):
            while len(self.posts) < count:
                await asyncio.sleep(0.05)
        return self.posts


@pytest.fixture
async def webhook() -> AsyncIterator[Webhook]:
    holder: list[Webhook] = []

    async def receive(request: web.Request) -> web.Response:
        hook = holder[0]
        hook.auth.append(request.headers.get("Authorization"))
        if hook.status != 200:
            return web.Response(status=hook.status, text="receiver is broken")
        hook.posts.append(await request.json())
        return web.Response(text="ok")

    app = web.Application()
    app.add_routes([web.post("/hook", receive)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    holder.append(Webhook(runner.addresses[0][1]))
    try:
        yield holder[0]
    finally:
        await runner.cleanup()


SMTP_USER = "noc"
SMTP_PASSWORD = "Sm7p-S3cret-pw"


@dataclass
class Mailbox:
    """A local SMTP server (aiosmtpd, in its own thread) and the mail it accepted."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    authenticated: list[bool] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)  # cleared: DATA waits
    holding: threading.Event = field(default_factory=threading.Event)  # a DATA is waiting

    def url(self) -> str:
        return (
            f"mailto://{SMTP_USER}:{SMTP_PASSWORD}@localhost:{self.port}"
            "?from=noc@example.com&to=ops@example.com&mode=insecure"
        )

    async def wait_messages(self, count: int) -> list[EmailMessage]:
        async with asyncio.timeout(WAIT):
            while len(self.messages) < count:
                await asyncio.sleep(0.05)
        return self.messages


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    box = Mailbox(0)
    box.hold.set()

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's name
            box.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, box.hold.wait)
            box.holding.clear()
            box.authenticated.append(bool(session.authenticated))
            box.messages.append(message_from_bytes(envelope.content, policy=default))
            return "250 Message accepted for delivery"

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
        )
        return AuthResult(success=ok)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=box.port,
        authenticator=authenticate,
        auth_require_tls=False,  # loopback only; real servers use TLS (mailtos://)
    )
    controller.start()
    try:
        yield box
    finally:
        box.hold.set()
        controller.stop()
