"""`ne8000monitor snapshot` and `ne8000monitor credentials` as real subprocesses."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import uuid
from pathlib import Path

import pytest

from app.simulator.server import SimulatorHandle
from tests.integration.engine.keyring_double import PATH_VARIABLE
from tests.support.cli import DOUBLE_BACKEND as DOUBLE
from tests.support.cli import ROOT, cli, environment, read_until
from tests.support.secret_service import SECRET_SERVICE_BACKEND, require_secret_service

pytestmark = pytest.mark.slow


async def test_snapshot_with_router_password(simulator: SimulatorHandle, tmp_path: Path) -> None:
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)
    code, out, err = await cli(
        env,
        "snapshot",
        "--host",
        "127.0.0.1",
        "--port",
        str(simulator.port),
        "--username",
        simulator.username,
        "--protocol",
        "ssh",
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["ok"] is True
    assert {name: s["error"] for name, s in data["sections"].items()} == dict.fromkeys(
        [
            "interface_brief",
            "online_total",
            "cpu",
            "memory",
            "health",
            "version",
            "domains",
            "ip_pools",
            "alarms",
        ]
    )
    assert data["sections"]["version"]["data"]["vrp_version"].startswith("8.")
    assert "GigabitEthernet0/5/0" in data["interfaces"]
    assert data["interfaces"]["GigabitEthernet0/5/0"]["data"]["interfaces"][0]["name"] == (
        "GigabitEthernet0/5/0"
    )
    assert simulator.password not in out + err
    # First contact pinned the key in the app's own known_hosts, in the data dir.
    known_hosts = (tmp_path / "data" / "ne8000monitor" / "known_hosts").read_text()
    assert f"[127.0.0.1]:{simulator.port}" in known_hosts


async def test_snapshot_failures_are_one_line(simulator: SimulatorHandle, tmp_path: Path) -> None:
    env = environment(tmp_path, ROUTER_PASSWORD="wrong-password")
    code, out, err = await cli(
        env, "snapshot", "--host", "127.0.0.1", "--port", str(simulator.port)
    )
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "rejected user 'admin'" in err
    assert "wrong-password" not in err

    code, out, err = await cli(
        environment(tmp_path), "snapshot", "--host", "127.0.0.1", "--port", str(simulator.port)
    )
    assert code == 2
    assert err.count("\n") == 1
    assert "ROUTER_PASSWORD" in err

    code, out, err = await cli(environment(tmp_path), "snapshot", "nosuch")
    assert (code, err) == (
        2,
        "ne8000monitor snapshot: no router profile 'nosuch' (profiles: none defined)\n",
    )


async def test_credentials_then_snapshot_by_profile(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    config = tmp_path / "config" / "ne8000monitor"
    config.mkdir(parents=True)
    (config / "routers.toml").write_text(
        f'[routers.lab]\nhost = "127.0.0.1"\nport = {simulator.port}\n'
        f'username = "{simulator.username}"\n'
    )
    env = environment(
        tmp_path, PYTHON_KEYRING_BACKEND=DOUBLE, **{PATH_VARIABLE: str(tmp_path / "keyring.json")}
    )
    code, out, err = await cli(
        env, "credentials", "set", "lab", "--stdin", stdin=simulator.password + "\n"
    )
    assert code == 0, err
    assert out.startswith("password for lab stored in the OS keyring")
    assert json.loads((tmp_path / "keyring.json").read_text()) == {
        "ne8000monitor/lab": simulator.password
    }
    code, out, err = await cli(env, "snapshot", "lab", "--details", "2")
    assert code == 0, err
    data = json.loads(out)
    assert data["router"] == "lab"
    assert len(data["interfaces"]) == 2

    code, out, err = await cli(env, "credentials", "delete", "lab")
    assert code == 0
    assert json.loads((tmp_path / "keyring.json").read_text()) == {}
    code, out, err = await cli(env, "snapshot", "lab")
    assert code == 2
    assert "no password stored for lab" in err


async def test_credentials_without_a_keyring_say_so(tmp_path: Path) -> None:
    env = environment(tmp_path)
    code, _out, err = await cli(env, "credentials", "set", "lab", "--stdin", stdin="pw\n")
    assert code == 2
    assert "no OS keyring was found" in err
    assert err.count("\n") == 1
    code, _out, err = await cli(env, "credentials", "set", "bad name", "--stdin", stdin="pw\n")
    assert (code, err) == (
        2,
        "ne8000monitor credentials: 'bad name' is not a router profile name\n",
    )


async def test_snapshot_partial_failure_exits_1_with_json(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    simulator.faults.hang_commands = {"display alarm active"}
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)
    code, out, err = await cli(
        env,
        "snapshot",
        "--host",
        "127.0.0.1",
        "--port",
        str(simulator.port),
        "--timeout",
        "1",
        "--details",
        "1",
    )
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    assert data["sections"]["alarms"]["data"] is None
    assert "1 s" in data["sections"]["alarms"]["error"]
    assert data["sections"]["cpu"]["error"] is None
    assert err.splitlines()[-1] == "ne8000monitor snapshot: 1 section(s) failed: alarms"


def test_credentials_set_prompts_on_the_terminal_without_echo(tmp_path: Path) -> None:
    import pty

    store = tmp_path / "keyring.json"
    env = environment(tmp_path, PYTHON_KEYRING_BACKEND=DOUBLE, **{PATH_VARIABLE: str(store)})
    secret = "s3cret-Pw!"
    pid, fd = pty.fork()
    if pid == 0:  # the child: a real terminal session running the command
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "app", "credentials", "set", "lab"], env)
    seen: list[str] = []
    try:
        read_until(fd, "Password for lab: ", seen)
        os.write(fd, (secret + "\n").encode())
        read_until(fd, "Repeat the password for lab: ", seen)
        os.write(fd, (secret + "\n").encode())
        read_until(fd, "stored in the OS keyring", seen)
    except BaseException:
        os.kill(pid, signal.SIGKILL)  # never leave a child waiting at a prompt
        raise
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert secret not in "".join(seen)  # typed, never echoed
    assert json.loads(store.read_text()) == {"ne8000monitor/lab": secret}


async def test_snapshot_over_telnet_warns_cleartext(tmp_path: Path) -> None:
    from app.simulator.server import start_simulator
    from tests.integration.conftest import SMALL_DEVICE

    async with await start_simulator(
        host="127.0.0.1", port=0, telnet_port=0, **SMALL_DEVICE
    ) as sim:
        env = environment(tmp_path, ROUTER_PASSWORD=sim.password)
        code, out, err = await cli(
            env, "snapshot", "--host", "127.0.0.1", "--port", str(sim.telnet_port),
            "--protocol", "telnet", "--details", "1",
        )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["ok"] is True
    assert "cleartext" in err.lower()
    assert sim.password not in out + err


async def test_credentials_round_trip_in_the_real_secret_service(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    """The same flow as above with no test double: gnome-keyring on the session bus (CI)."""
    backend = require_secret_service()
    profile = f"lab-{uuid.uuid4().hex[:10]}"
    config = tmp_path / "config" / "ne8000monitor"
    config.mkdir(parents=True)
    (config / "routers.toml").write_text(
        f'[routers.{profile}]\nhost = "127.0.0.1"\nport = {simulator.port}\n'
        f'username = "{simulator.username}"\n'
    )
    env = environment(tmp_path, PYTHON_KEYRING_BACKEND=SECRET_SERVICE_BACKEND)
    try:
        code, out, err = await cli(
            env, "credentials", "set", profile, "--stdin", stdin=simulator.password + "\n"
        )
        assert code == 0, err
        assert backend.get_password("ne8000monitor", profile) == simulator.password
        assert simulator.password not in out + err
        code, out, err = await cli(env, "snapshot", profile, "--details", "1")
        assert code == 0, err
        assert json.loads(out)["router"] == profile
        code, out, err = await cli(env, "credentials", "delete", profile)
        assert code == 0, err
        assert backend.get_password("ne8000monitor", profile) is None
    finally:
        with contextlib.suppress(Exception):
            backend.delete_password("ne8000monitor", profile)


async def test_changed_host_key_is_refused_until_accepted_from_the_cli(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    env = environment(tmp_path, ROUTER_PASSWORD=simulator.password)
    target = ["--host", "127.0.0.1", "--port", str(simulator.port)]
    code, _out, err = await cli(env, "snapshot", *target, "--details", "0")
    assert code == 0, err
    old = simulator.host_key_fingerprint
    code, out, _err = await cli(env, "hostkey", "list")
    assert code == 0
    assert f"[127.0.0.1]:{simulator.port}" in out
    assert old in out

    simulator.faults.change_host_key = True
    await simulator.restart()  # a replaced board: same address, new key
    new = simulator.host_key_fingerprint
    assert new != old

    code, out, err = await cli(env, "snapshot", *target, "--details", "0")
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert old in err
    assert new in err
    assert f"hostkey accept --host 127.0.0.1 --port {simulator.port} {new}" in err

    code, _out, err = await cli(env, "hostkey", "accept", *target, old)
    assert code == 2
    assert "nothing was trusted" in err
    code, out, err = await cli(env, "hostkey", "accept", *target, new)
    assert code == 0, err
    assert new in out

    code, _out, err = await cli(env, "snapshot", *target, "--details", "0")
    assert code == 0, err
