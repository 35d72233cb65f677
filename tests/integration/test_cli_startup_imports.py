"""What the one-shot commands load: never the simulator, Qt or the feed, and of keyring only
the platform's own backend. (How long they take is measured by bench/collect_bench.py.)"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from app.simulator.server import SimulatorHandle
from tests.support.cli import ROOT, environment
from tests.support.fixtures import fixture_path
from tests.support.secret_service import require_secret_service

pytestmark = pytest.mark.slow

# Runs the real entry point, then writes down every module the process loaded.
PROBE = """
import json, sys
from app.__main__ import main
try:
    status = main(sys.argv[2:])
except SystemExit as stop:
    status = stop.code
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"status": status, "modules": sorted(sys.modules)}, out)
"""
# Qt, the GUI, the feed's web server and what only they use.
NEVER = ("PySide6", "shiboken6", "pyqtgraph", "qasync", "aiohttp", "numpy", "prometheus_client")
NEVER_APP = ("app.ui", "app.feed", "app.bootstrap")
# The simulator's constants module is stdlib-only: `simulate --help` shows its defaults.
SIMULATOR_ALLOWED = {"app.simulator", "app.simulator.defaults"}


async def _loaded(env: dict[str, str], tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    report = tmp_path / "modules.json"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        PROBE,
        str(report),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=str(ROOT),
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    found = json.loads(report.read_text())
    return found["status"], set(found["modules"])


def _outsiders(modules: set[str], *packages: str) -> list[str]:
    """The loaded modules that belong to any of `packages`."""
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


def _keyring_backends(modules: set[str]) -> set[str]:
    """`SecretService` for keyring.backends.SecretService (and its submodules)."""
    return {m.split(".")[2] for m in _outsiders(modules, "keyring.backends") if m.count(".") >= 2}


def _simulator(modules: set[str]) -> list[str]:
    return sorted(m for m in _outsiders(modules, "app.simulator") if m not in SIMULATOR_ALLOWED)


async def test_version_loads_only_the_command_line(tmp_path: Path) -> None:
    status, modules = await _loaded(environment(tmp_path), tmp_path, "--version")
    assert status == 0
    heavy = ("asyncssh", "keyring", "telnetlib3", "app.engine", "app.transport", "app.vrp")
    assert _outsiders(modules, *NEVER, *NEVER_APP, *heavy, "asyncio") == []
    assert _simulator(modules) == []


async def test_parse_loads_the_parsers_and_nothing_that_reaches_routers(tmp_path: Path) -> None:
    capture = fixture_path("display-interface-brief__huawei-doc-ne40e-v800r012c10__1.txt")
    status, modules = await _loaded(
        environment(tmp_path), tmp_path, "parse", "display interface brief", str(capture)
    )
    assert status == 0
    assert "app.vrp.interface_brief" in modules
    heavy = ("asyncssh", "keyring", "telnetlib3", "app.engine", "app.transport")
    assert _outsiders(modules, *NEVER, *NEVER_APP, *heavy) == []
    assert _simulator(modules) == []


async def test_snapshot_loads_the_pool_and_ssh_but_no_simulator_qt_or_feed(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)  # keyring: the fail backend
    status, modules = await _loaded(
        env, tmp_path, "snapshot", "--host", "127.0.0.1", "--port", str(simulator.port)
    )
    assert status == 0  # every section collected
    assert {"asyncssh", "app.engine.pool", "app.transport.ssh"} <= modules
    assert _outsiders(modules, *NEVER, *NEVER_APP, "telnetlib3", "sqlite3") == []
    assert _simulator(modules) == []
    # keyring's configuration named its backend: no other backend was even imported.
    backends = _keyring_backends(modules)
    assert backends <= {"fail", "chainer", "null"}


async def test_snapshot_with_the_os_keyring_loads_only_the_platforms_backends(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    require_secret_service()
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)
    del env["PYTHON_KEYRING_BACKEND"]  # keyring left to choose: the Secret Service here
    status, modules = await _loaded(
        env, tmp_path, "snapshot", "--host", "127.0.0.1", "--port", str(simulator.port)
    )
    assert status == 0
    assert "keyring.backends.SecretService" in modules
    backends = _keyring_backends(modules)
    # Linux's two OS keyrings, and the classes every keyring check uses; never macOS's
    # ctypes bindings, Windows' or a third party's.
    assert backends <= {"SecretService", "kwallet", "fail", "chainer", "null"}
