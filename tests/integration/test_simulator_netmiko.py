"""Realism check: netmiko's own Huawei VRP8 driver works against the simulator unchanged."""

from __future__ import annotations

import asyncio
import re

import pytest

from app.simulator.server import SimulatorHandle

# An unused 1GE port of the simulated topology (card 1 holds the 100GE uplinks).
PORT = "GigabitEthernet0/5/0"


def _brief_row(brief: str, name: str) -> list[str]:
    for line in brief.splitlines():
        if line.split() and line.split()[0] == name:
            return line.split()
    raise AssertionError(f"{name} not in display interface brief:\n{brief}")


@pytest.mark.slow
async def test_netmiko_huawei_vrpv8_reads_and_commits(simulator: SimulatorHandle) -> None:
    from netmiko import ConnectHandler

    # A fresh VRP account asks `Change now? [Y/N]:` first; the driver must answer N itself.
    simulator.faults.ask_password_change = True

    def session() -> dict[str, str]:
        connection = ConnectHandler(
            device_type="huawei_vrpv8",
            host=simulator.host,
            port=simulator.port,
            username=simulator.username,
            password=simulator.password,
            conn_timeout=15,
        )
        try:
            found: dict[str, str] = {"prompt": connection.find_prompt()}
            found["version"] = connection.send_command("display version")
            found["before"] = connection.send_command("display interface brief")
            found["cpu"] = connection.send_command("dis cpu-usage")
            found["config"] = connection.send_config_set([f"interface {PORT}", "shutdown"])
            found["commit"] = connection.commit()
            found["after"] = connection.send_command("display interface brief")
            found["final_prompt"] = connection.find_prompt()
            return found
        finally:
            connection.disconnect()

    found = await asyncio.to_thread(session)
    assert found["prompt"] == "<NE8000>"
    assert "VRP (R) software, Version 8." in found["version"]
    assert "Error" not in found["version"]
    assert _brief_row(found["before"], PORT)[1] == "up"
    assert "System cpu use rate is" in found["cpu"]
    assert f"[*NE8000-{PORT}]" in found["config"]
    assert f"[~NE8000-{PORT}]" in found["commit"]
    assert "Error" not in found["config"] + found["commit"]
    assert _brief_row(found["after"], PORT)[1] == "*down"
    assert found["final_prompt"] == "<NE8000>"
    assert simulator.state.is_admin_down(PORT)
    assert re.search(r"\*down\s+down", found["after"])
