"""Shared pieces of the dialog / console / actions / i18n tests (helper G2's test modules).

The widgets under test run on a qasync loop, as in the app. A test body is a coroutine run
with :func:`run`; it polls with ``await asyncio.sleep`` (never ``qtbot.waitUntil`` inside a
running coroutine, which would nest event loops). The runtime is the real one
(`app.bootstrap.start_runtime`) monitoring a simulated NE8000 over loopback SSH.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication, QWidget

from app.bootstrap import AppPaths, start_runtime
from app.domain.router import RouterProfile
from app.engine.ports import SecretStore
from app.engine.runtime import Runtime
from app.engine.settings import Settings
from app.simulator.server import SimulatorHandle, start_simulator
from app.transport.credentials import MemorySecretStore

ROUTER = "sim"
# Small enough to start fast; the default topology has GigabitEthernet0/5/0 (not 0/1/0).
DEVICE = {"users": 400, "interfaces": 12, "seed": 7}
POLL_SCALE = 0.05  # seconds-scale polling so the interface list arrives quickly


_loops: dict[int, qasync.QEventLoop] = {}


def _loop_for(app: QApplication) -> qasync.QEventLoop:
    # One loop per QApplication for the whole session: creating and closing a qasync loop
    # per test leaves Qt timers behind that late asyncssh callbacks then touch (crashes).
    loop = _loops.get(id(app))
    if loop is None or loop.is_closed():
        loop = _loops[id(app)] = qasync.QEventLoop(app)
        # Plain threads for asyncio.to_thread (the audit log's fsync): qasync's default
        # QThread executor would still own running QThreads when the test process exits.
        loop.set_default_executor(ThreadPoolExecutor(max_workers=2, thread_name_prefix="ui-test"))
    return loop


def run[T](app: QApplication, body: Coroutine[Any, Any, T], timeout: float = 90) -> T:
    """Run `body` to completion on the qasync loop over `app` (the app's own loop kind)."""
    # Closing a test's last window must not quit the app (that would stop the loop).
    app.setQuitOnLastWindowClosed(False)
    loop = _loop_for(app)
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(asyncio.wait_for(body, timeout))
    finally:
        # Let connection clean-up callbacks of this test run before the next one starts.
        loop.run_until_complete(asyncio.sleep(0.05))


async def until(
    predicate: Callable[[], Any], what: str, timeout: float = 20.0, interval: float = 0.02
) -> Any:
    """Poll `predicate` on the running loop until it is truthy; fail naming `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(interval)


def visible_widget(object_name: str) -> QWidget | None:
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == object_name and widget.isVisible():
            return widget
    return None


async def wait_widget(object_name: str, timeout: float = 20.0) -> QWidget:
    """The visible top-level widget (a dialog) with this object name."""
    return await until(lambda: visible_widget(object_name), object_name, timeout)


async def start_device(tmp_path: Path, **options: Any) -> SimulatorHandle:
    """A simulated NE8000 on a loopback port; its host key is stored under tmp_path."""
    settings = {**DEVICE, **options}
    settings.setdefault("host_key_path", tmp_path / "sim_host_key")
    return await start_simulator(host="127.0.0.1", port=0, **settings)


def profile_for(device: SimulatorHandle, name: str = ROUTER, **options: Any) -> RouterProfile:
    values = {"command_timeout": 10.0, "connect_timeout": 5.0, **options}
    return RouterProfile(
        name=name, host=device.host, port=device.port, username=device.username, **values
    )


@dataclass
class Bench:
    runtime: Runtime
    device: SimulatorHandle
    secrets: SecretStore
    tmp_path: Path


@asynccontextmanager
async def bench(
    tmp_path: Path,
    *,
    with_router: bool = True,
    secrets: SecretStore | None = None,
    settings: Settings | None = None,
    device_options: dict[str, Any] | None = None,
    **profile_options: Any,
) -> AsyncIterator[Bench]:
    """A running Runtime (no demo) and a simulator; the router is configured if asked.

    `device_options` go to the simulator (e.g. a frozen `clock`), `profile_options` to the
    router profile (e.g. `monitored`).
    """
    device = await start_device(tmp_path, **(device_options or {}))
    store = secrets if secrets is not None else MemorySecretStore()
    base = settings or Settings()
    if with_router:
        store.set_password(ROUTER, device.password)
        base = base.with_router(profile_for(device, **profile_options))
    runtime: Runtime | None = None
    try:
        runtime = await start_runtime(
            paths=AppPaths(tmp_path / "config", tmp_path / "data"),
            settings=base,
            demo=False,
            secrets=store,
            poll_scale=POLL_SCALE,
            history=False,
            routers_are_simulated=True,  # our own simulator: fast polls are fine
        )
        yield Bench(runtime, device, store, tmp_path)
    finally:
        if runtime is not None:
            await runtime.close()
        await device.close()


async def interfaces_known(runtime: Runtime, router: str = ROUTER) -> None:
    """Wait for the first `display interface brief` poll (changes need the interface list)."""
    await until(
        lambda: runtime.monitor.snapshot(router).data("interface_brief") is not None,
        "the interface list",
        timeout=30,
    )
