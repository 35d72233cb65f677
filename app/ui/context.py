"""What every view is handed: the runtime, the live state, the saved UI state, and a way to
run a coroutine whose failure reaches the operator (not only the log).

Tasks are held here until they finish (an unreferenced asyncio task can vanish mid-flight)
and cancelled together when the window closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from app.engine.monitor import Monitor
from app.engine.runtime import Runtime
from app.ui.live import LiveState
from app.ui.messages import translate_error
from app.ui.uistate import UiState

_log = logging.getLogger("ne8000monitor.ui")


class UiContext:
    """The shared pieces of one window."""

    def __init__(self, runtime: Runtime, live: LiveState, state: UiState) -> None:
        self.runtime = runtime
        self.live = live
        self.state = state
        self._tasks: set[asyncio.Task[Any]] = set()
        # Set by the application: re-read routers, states and alerts from the engine.
        self.resync: Callable[[], None] = lambda: None

    def bridge_resync(self) -> None:
        """After adding or removing a router: follow the engine's router list."""
        self.resync()

    @property
    def monitor(self) -> Monitor:
        return self.runtime.monitor

    def report_error(self, what: str, error: BaseException) -> None:
        """`what` failed: why in the interface language, then the technical detail (English,
        as the system reported it) for whoever reads the log dock."""
        reason = translate_error(error)
        detail = " ".join(str(error).split())
        if detail and detail != reason:
            reason = f"{reason} ({detail})"
        self.report(f"{what}: {reason}")

    def report(self, message: str) -> None:
        """Show an error to the operator (status bar and error log dock)."""
        self.live.error_occurred.emit(message)

    def spawn(
        self,
        coro: Coroutine[Any, Any, Any],
        what: str,
        done: Callable[[Any], None] | None = None,
    ) -> asyncio.Task[Any]:
        """Run `coro` on the loop; its result goes to `done`, its error to the operator."""
        task = asyncio.get_running_loop().create_task(coro, name=what)
        self._tasks.add(task)

        def finished(task: asyncio.Task[Any]) -> None:
            self._tasks.discard(task)
            if task.cancelled():
                return
            error = task.exception()
            if error is not None:
                _log.warning("%s failed", what, exc_info=error)
                self.report_error(what, error)
            elif done is not None:
                try:
                    done(task.result())
                except Exception as exc:  # a view that cannot show a result says so
                    _log.exception("%s: showing the result failed", what)
                    self.report_error(what, exc)

        task.add_done_callback(finished)
        return task

    async def cancel_all(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
