"""`ne8000monitor capture` as a real subprocess against the simulator over loopback SSH."""

from __future__ import annotations

import json
import re
import stat
import zipfile
from pathlib import Path

import pytest

from app import __version__
from app.engine.capture import polled_commands
from app.simulator.server import SimulatorHandle
from app.vrp.catalog import parse_output
from tests.integration.simulator_client import open_shell
from tests.support.cli import cli, environment

pytestmark = pytest.mark.slow

IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
MAC = re.compile(r"\b[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}\b")
MASKS = {
    "255.255.255.0",
    "255.255.254.0",
    "255.255.252.0",
    "255.255.248.0",
    "255.255.240.0",
    "255.255.224.0",
    "255.255.192.0",
    "255.255.128.0",
    "255.255.0.0",
    "0.0.0.0",
}


def target(simulator: SimulatorHandle) -> list[str]:
    return ["--host", "127.0.0.1", "--port", str(simulator.port), "--protocol", "ssh"]


async def router_text(simulator: SimulatorHandle, *commands: str) -> str:
    """What the router prints for `commands`, read the way an operator's terminal does."""
    shell = await open_shell(simulator)
    try:
        await shell.command("screen-length 0 temporary")
        return "\n".join([await shell.command(command) for command in commands])
    finally:
        shell.close()


def read_zip(path: Path) -> tuple[dict, dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    return json.loads(files["manifest.json"]), files


async def test_capture_saves_every_polled_command_redacted(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    out = tmp_path / "sample.zip"
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)
    code, stdout, err = await cli(env, "capture", *target(simulator), "-o", str(out))
    assert code == 0, err
    assert stdout.startswith(f"saved {out}: ")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # the app's files are the owner's
    manifest, files = read_zip(out)
    assert manifest["app_version"] == __version__
    assert manifest["redacted"] is True
    assert manifest["router"] is None  # not even the host is named in a redacted sample
    commands = [entry["command"] for entry in manifest["commands"]]
    assert set(polled_commands()) <= set(commands)
    details = [
        c
        for c in commands
        if c.startswith("display interface ") and c != ("display interface brief")
    ]
    assert "display interface GigabitEthernet0/5/0" in details
    assert {entry["outcome"] for entry in manifest["commands"]} == {"read"}
    assert "README.txt" in files

    # What the router printed, with its addresses; none of them is in the capture.
    raw = await router_text(simulator, "display ip pool", "display interface GigabitEthernet0/5/0")
    addresses = set(IPV4.findall(raw)) - MASKS
    macs = set(MAC.findall(raw.lower()))
    assert addresses
    assert macs
    everything = "\n".join(files.values())
    assert not [a for a in addresses if a in everything]
    assert not [m for m in macs if m in everything.lower()]
    assert manifest["replaced"]["ipv4"] >= len(addresses)

    # Every saved answer still reads as the manifest says, placeholders and all.
    for entry in manifest["commands"]:
        parse_output(entry["command"], files[entry["file"]])
    pool = next(e for e in manifest["commands"] if e["command"] == "display ip pool")
    pools = parse_output("display ip pool", files[pool["file"]])
    assert pools.pools
    assert all(p.gateway.startswith(("10.", "192.168.")) for p in pools.pools if p.gateway)


async def test_no_redact_keeps_the_router_text_and_an_existing_file_is_never_touched(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)
    out = tmp_path / "plain.zip"
    code, _, err = await cli(
        env, "capture", *target(simulator), "-o", str(out), "--no-redact", "--details", "1"
    )
    assert code == 0, err
    manifest, files = read_zip(out)
    assert manifest["redacted"] is False
    assert manifest["router"] == "127.0.0.1"
    raw = await router_text(simulator, "display ip pool")
    gateway = re.search(r"Gateway\s+:\s+(\S+)", raw).group(1)  # type: ignore[union-attr]
    assert gateway in "\n".join(files.values())
    assert (
        len(
            [
                e
                for e in manifest["commands"]
                if e["command"].startswith("display interface ")
                and e["command"] != "display interface brief"
            ]
        )
        == 1
    )

    before = out.read_bytes()
    code, stdout, err = await cli(env, "capture", *target(simulator), "-o", str(out))
    assert code == 2
    assert stdout == ""
    assert err.strip() == f"ne8000monitor capture: {out} exists; choose another file with -o"
    assert out.read_bytes() == before  # nothing lost


async def test_a_router_that_refuses_the_login_writes_nothing(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    out = tmp_path / "never.zip"
    env = environment(tmp_path, ROUTER_PASSWORD="wrong-password")
    code, stdout, err = await cli(env, "capture", *target(simulator), "-o", str(out))
    assert code == 2
    assert stdout == ""
    assert err.count("\n") == 1
    assert "wrong-password" not in err
    assert not out.exists()
