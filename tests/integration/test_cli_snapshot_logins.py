"""`snapshot` opens its sessions together; a router with fewer free VTY lines still answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.simulator.server import start_simulator
from tests.integration.conftest import SMALL_DEVICE
from tests.support.cli import cli, environment

pytestmark = pytest.mark.slow


async def test_one_free_vty_line_is_shared_by_the_whole_snapshot(tmp_path: Path) -> None:
    async with await start_simulator(host="127.0.0.1", port=0, max_vty=1, **SMALL_DEVICE) as box:
        env = environment(tmp_path, ROUTER_PASSWORD=box.password)
        code, out, err = await cli(
            env, "snapshot", "--host", "127.0.0.1", "--port", str(box.port)
        )
    assert code == 0, err
    data = json.loads(out)
    assert data["ok"] is True
    assert data["interfaces"]  # details too, all on the one session
    assert "VTY" not in err  # the second login's refusal is not the operator's problem


async def test_a_router_that_refuses_every_login_gets_one_clear_line(tmp_path: Path) -> None:
    async with await start_simulator(host="127.0.0.1", port=0, **SMALL_DEVICE) as box:
        box.faults.refuse_auth = True
        env = environment(tmp_path, ROUTER_PASSWORD=box.password)
        code, out, err = await cli(
            env, "snapshot", "--host", "127.0.0.1", "--port", str(box.port)
        )
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[-1].startswith("ne8000monitor snapshot: ")
    assert "rejected user" in lines[-1]
    assert len([line for line in lines if "rejected" in line]) == 1  # not once per session
