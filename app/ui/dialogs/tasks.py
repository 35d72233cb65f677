"""Running coroutines from Qt widgets on the qasync loop, and awaiting dialogs without exec().

`QDialog.exec()` inside a coroutine would start a nested event loop under qasync, so every
dialog here is opened with `open()` and awaited through its `finished` signal. Widgets keep
the tasks they start in a :class:`TaskSet`: asyncio only holds weak references to tasks, and
a widget that goes away must be able to cancel what it started.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtWidgets import QDialog

_log = logging.getLogger("ne8000monitor.ui.tasks")


class TaskSet:
    """The tasks one widget started; failures reach `on_error` (and the log), never vanish."""

    def __init__(self, on_error: Callable[[BaseException], None] | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_error = on_error

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            return
        _log.error("UI task failed", exc_info=error)
        if self._on_error is not None:
            self._on_error(error)

    def _pending(self) -> list[asyncio.Task[Any]]:
        """Tasks still running (a finished one stays in the set until its callback runs)."""
        return [task for task in self._tasks if not task.done()]

    @property
    def busy(self) -> bool:
        return bool(self._pending())

    def cancel_all(self) -> None:
        """Cancel every task but the caller's own (a task may close its own dialog)."""
        current = asyncio.current_task() if _loop_running() else None
        for task in list(self._tasks):
            if task is not current:
                task.cancel()

    async def wait(self) -> None:
        """Wait for every task started so far (tests, clean shutdown).

        Only unfinished tasks are awaited: gathering finished ones completes without
        yielding, so a task whose done-callback had not run yet kept the loop spinning here
        forever (and the callback that would have ended it never got to run).
        """
        while pending := self._pending():
            await asyncio.gather(*pending, return_exceptions=True)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def dialog_result(dialog: QDialog) -> int:
    """Open `dialog` window-modally and wait for it to finish; returns its result code."""
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def done(result: int) -> None:
        if not future.done():
            future.set_result(int(result))

    dialog.finished.connect(done)
    try:
        dialog.open()
        return await future
    finally:
        dialog.finished.disconnect(done)
        if future.cancelled():  # the wait was cancelled while it was open: close it
            dialog.reject()
