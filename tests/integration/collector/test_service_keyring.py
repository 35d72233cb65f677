"""The service wrapper of docs/service (ne8000monitor-keyring) does what the systemd unit
needs: a router password stored once with `credentials set` through it is what `serve`,
started through it, logs in with -- a private D-Bus session and GNOME Keyring unlocked from
a password file, no desktop session, nothing in a file but the encrypted keyring."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import aiohttp

from app.domain.router import RouterProfile
from app.engine.settings import Settings, save_settings
from app.simulator.server import SimulatorHandle
from tests.support.cli import ROOT, environment
from tests.support.required import missing_tool
from tests.support.serve import launch_serve

WRAPPER = ROOT / "docs" / "service" / "ne8000monitor-keyring"
NEEDED = ("dbus-run-session", "gnome-keyring-daemon")


async def test_serve_reads_the_router_password_from_the_service_keyring(
    tmp_path: Path, simulator: SimulatorHandle
) -> None:
    missing = [tool for tool in NEEDED if shutil.which(tool) is None]
    if missing:
        missing_tool(f"{', '.join(missing)} missing (apt-get install dbus-daemon gnome-keyring)")
    home = tmp_path / "home"  # the service user's HOME (its state directory)
    home.mkdir(mode=0o700)
    unlock = tmp_path / "keyring.pass"
    unlock.write_text("a-long-keyring-password\n", encoding="utf-8")
    unlock.chmod(0o600)
    env = {
        key: value
        for key, value in environment(tmp_path).items()
        if not key.startswith(("XDG_", "DBUS_", "PYTHON_KEYRING"))  # as under systemd
    }
    env.update(HOME=str(home), NE8000_KEYRING_PASSWORD_FILE=str(unlock))
    settings_file = home / ".config" / "ne8000monitor" / "settings.toml"
    profile = RouterProfile(name="bras-1", host=simulator.host, port=simulator.port)
    save_settings(Settings(routers={"bras-1": profile}), settings_file)

    stored = await asyncio.create_subprocess_exec(
        str(WRAPPER), sys.executable, "-m", "app", "credentials", "set", "bras-1", "--stdin",
        env=env, cwd=str(ROOT), stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(stored.communicate(f"{simulator.password}\n".encode()), 60)
    assert stored.returncode == 0, err.decode()
    assert "stored in the" in out.decode()
    keyrings = list((home / ".local" / "share" / "keyrings").iterdir())
    assert keyrings, "the keyring lives in the service user's HOME"
    assert all(simulator.password.encode() not in path.read_bytes() for path in keyrings)

    served = await launch_serve(tmp_path, "--port", "0", env=env, wrapper=(str(WRAPPER),))
    try:
        async with aiohttp.ClientSession() as http, asyncio.timeout(60):
            while True:
                async with http.get(served.url + "/api/router_status") as answer:
                    [status] = (await answer.json())["routers"]
                if status["state"] == "connected" and status["polls"]:
                    break
                await asyncio.sleep(0.2)
        assert simulator.logins >= 1
    finally:
        await served.stop()
    assert "shutting down" in "".join(served.stderr)  # a clean stop on SIGTERM
