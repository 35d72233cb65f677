"""Every file the running app writes is private to the user (0600), whatever the umask:
settings, the history database with its -wal/-shm, the log files, known_hosts, the audit
log and the simulator's host key."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest

from app.bootstrap import AppPaths, start_runtime
from app.engine import logging_setup
from app.transport.credentials import MemorySecretStore
from tests.support.files import file_modes, usual_umask

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


async def test_every_file_the_app_writes_is_private(tmp_path: Path) -> None:
    paths = AppPaths(tmp_path / "config", tmp_path / "data")
    log_file = tmp_path / "state" / "log" / "ne8000monitor.log"
    with usual_umask():
        logging_setup.configure("DEBUG", log_file=log_file, console=False)
        try:
            runtime = await start_runtime(
                paths=paths, secrets=MemorySecretStore(), poll_scale=0.05, environ={}
            )
            try:
                async with asyncio.timeout(30):
                    while runtime.monitor.snapshot("demo").data("online_total") is None:
                        await asyncio.sleep(0.05)
                store = runtime.monitor.store
                assert store is not None
                await store.flush()  # samples committed: the WAL and its index exist now
                await runtime.console.run("demo", "display version", audit_every=True)
                runtime.save_settings(runtime.settings)
                running = file_modes(tmp_path)
            finally:
                await runtime.close()
            logging.getLogger("ne8000monitor.test").info("after shutdown")
        finally:
            logging_setup.shutdown()
    stopped = file_modes(tmp_path)

    expected = {
        "config/settings.toml",
        "data/audit.jsonl",
        "data/known_hosts",
        "data/demo/history.sqlite3",
        "data/demo/history.sqlite3-wal",
        "data/demo/history.sqlite3-shm",
        "data/demo/ssh_host_key_1",
        "state/log/ne8000monitor.log",
    }
    assert expected <= set(running), sorted(running)
    assert {name: mode for name, mode in running.items() if mode != 0o600} == {}
    assert {name: mode for name, mode in stopped.items() if mode != 0o600} == {}
