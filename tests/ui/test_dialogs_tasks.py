"""Awaiting dialogs without nested event loops, and the task sets widgets keep."""

from __future__ import annotations

import asyncio
import threading

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.ui.dialogs.tasks import TaskSet, dialog_result
from tests.ui.support_g2 import run, until


def test_dialog_result_returns_the_code_the_dialog_finished_with(qapp: QApplication) -> None:
    async def body() -> None:
        dialog = QDialog()
        try:
            task = asyncio.ensure_future(dialog_result(dialog))
            await until(dialog.isVisible, "the dialog to open")
            assert dialog.isModal()  # open(): window-modal, no nested event loop
            dialog.accept()
            assert await task == QDialog.DialogCode.Accepted
            box = QMessageBox(
                QMessageBox.Icon.Question,
                "t",
                "q",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            task = asyncio.ensure_future(dialog_result(box))
            await until(box.isVisible, "the box to open")
            box.button(QMessageBox.StandardButton.No).click()
            assert await task == QMessageBox.StandardButton.No
            box.deleteLater()
        finally:
            dialog.deleteLater()

    run(qapp, body())


def test_cancelling_the_wait_closes_the_dialog(qapp: QApplication) -> None:
    async def body() -> None:
        dialog = QDialog()
        try:
            task = asyncio.ensure_future(dialog_result(dialog))
            await until(dialog.isVisible, "the dialog to open")
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            assert task.cancelled()
            assert not dialog.isVisible()
            assert dialog.result() == QDialog.DialogCode.Rejected
        finally:
            dialog.deleteLater()

    run(qapp, body())


def test_task_set_reports_failures_and_cancels_what_it_started(qapp: QApplication) -> None:
    async def body() -> None:
        errors: list[BaseException] = []
        tasks = TaskSet(errors.append)

        async def fail() -> None:
            raise ValueError("boom")

        tasks.spawn(fail())
        await tasks.wait()
        assert [str(error) for error in errors] == ["boom"]
        assert not tasks.busy

        forever = tasks.spawn(asyncio.Event().wait())
        assert tasks.busy
        tasks.cancel_all()
        await tasks.wait()
        assert forever.cancelled()
        assert errors == [errors[0]]  # a cancellation is not an error
        assert not tasks.busy

        async def close_self() -> str:
            tasks.cancel_all()  # e.g. a save task that closes its own dialog
            await asyncio.sleep(0)
            return "done"

        own = tasks.spawn(close_self())
        await tasks.wait()
        assert own.result() == "done"

    run(qapp, body())


def test_waiting_right_after_a_task_finished_returns() -> None:
    """A task that has just finished still sits in the set until its done-callback runs;
    `wait` must not spin on it (gathering finished tasks never yields to the loop, so the
    callback that would empty the set could not run: the CI run hung here)."""

    async def scenario() -> tuple[bool, bool]:
        tasks = TaskSet()
        task = tasks.spawn(asyncio.sleep(0))
        await asyncio.sleep(0)  # the task runs and finishes; its callback is only queued
        await asyncio.sleep(0)
        finished_but_listed = task.done()
        await tasks.wait()
        return finished_but_listed, tasks.busy

    outcome: list[tuple[bool, bool]] = []
    runner = threading.Thread(target=lambda: outcome.append(asyncio.run(scenario())), daemon=True)
    runner.start()
    runner.join(timeout=10)
    assert not runner.is_alive(), "TaskSet.wait spun on a finished task"
    assert outcome == [(True, False)]
