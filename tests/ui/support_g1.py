"""Shared pieces of the main-window tests (helper G1's test modules)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from app.bootstrap import AppPaths, start_runtime
from app.engine.runtime import Runtime
from app.transport.credentials import MemorySecretStore
from app.ui.application import GuiSession
from app.ui.models import RowsModel
from tests.ui.support_g2 import Bench, bench

POLL_SCALE = 0.05


@asynccontextmanager
async def demo_session(
    tmp_path: Path, *, routers: int = 1, show: bool = True
) -> AsyncIterator[GuiSession]:
    """The window over a demo runtime (embedded simulators), closed and shut down after."""
    runtime: Runtime = await start_runtime(
        paths=AppPaths(tmp_path / "config", tmp_path / "data"),
        demo=True,
        demo_routers=routers,
        secrets=MemorySecretStore(),
        poll_scale=POLL_SCALE,
        history=False,
    )
    session = GuiSession(runtime)
    try:
        if show:
            session.window.show()
        yield session
    finally:
        await session.close()


@asynccontextmanager
async def router_session(tmp_path: Path) -> AsyncIterator[tuple[GuiSession, Bench]]:
    """The window over a runtime monitoring one simulator the test controls (`sim`)."""
    async with bench(tmp_path) as bench_:
        session = GuiSession(bench_.runtime)
        try:
            session.window.show()
            yield session, bench_
        finally:
            await session.close(runtime=False)  # bench closes the runtime and simulator


def column_texts(model: RowsModel, title: str) -> list[str]:
    column = [c.title for c in model.columns].index(title)
    return [model.index(row, column).data() for row in range(model.rowCount())]


def row_texts(model: RowsModel, key_title: str, key: str) -> dict[str, str]:
    """The display texts of the row whose `key_title` column shows `key`, by column title."""
    keys = column_texts(model, key_title)
    row = keys.index(key)
    return {c.title: model.index(row, i).data() for i, c in enumerate(model.columns)}
