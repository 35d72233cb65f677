"""`ne8000monitor import-env FILE` as a real subprocess: settings, keyring, messages."""

from __future__ import annotations

import contextlib
import json
import stat
import tomllib
import uuid
from pathlib import Path

import pytest

from app.commands.import_env import name_from_host
from app.simulator.server import SimulatorHandle
from tests.integration.engine.keyring_double import PATH_VARIABLE
from tests.support.cli import DOUBLE_BACKEND as DOUBLE
from tests.support.cli import cli, environment
from tests.support.secret_service import SECRET_SERVICE_BACKEND, require_secret_service

PASSWORD = 'Pa55 "w#rd"'

pytestmark = pytest.mark.slow


def with_double(tmp_path: Path) -> dict[str, str]:
    return environment(
        tmp_path,
        PYTHON_KEYRING_BACKEND=DOUBLE,
        **{PATH_VARIABLE: str(tmp_path / "keyring.json")},
    )


def write_env(tmp_path: Path, host: str = "10.20.30.40", port: int = 2222, **extra: str) -> Path:
    lines = [
        "# .env of the FastAPI service",
        "HOST=0.0.0.0",
        "PORT=8080",
        f"export ROUTER_HOST={host}",
        f"ROUTER_PORT={port}",
        "ROUTER_USERNAME=noc",
        "ROUTER_PROTOCOL=ssh",
        f"ROUTER_PASSWORD='{PASSWORD}'",
        "REDIS_HOST=redis",
        "REDIS_PORT=6379",
        "CACHE_TTL_PPPOE=25",
        "BG_UPDATE_INTERVAL_SYSTEM=60",
        "RATE_LIMIT_COMMANDS=12",
        *(f"{key}={value}" for key, value in extra.items()),
    ]
    path = tmp_path / "old.env"
    path.write_text("\n".join(lines) + "\n")
    return path


def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "ne8000monitor" / "settings.toml"


async def test_import_env_with_a_keyring(tmp_path: Path) -> None:
    dotenv = write_env(tmp_path)
    original = dotenv.read_bytes()
    code, out, err = await cli(with_double(tmp_path), "import-env", str(dotenv))
    assert code == 0, err
    assert err == ""
    path = settings_file(tmp_path)
    document = tomllib.loads(path.read_text())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert document["routers"] == {
        "10.20.30.40": {
            "host": "10.20.30.40",
            "port": 2222,
            "username": "noc",
            "transport": "ssh",
            "legacy_algorithms": False,
            "pool_size": 2,
            "vty_budget": 3,
            "connect_timeout": 10.0,
            "command_timeout": 30.0,
            "keepalive_interval": 30.0,
        }
    }
    assert (document["feed"]["host"], document["feed"]["port"]) == ("0.0.0.0", 8080)
    assert document["cache_ttl"]["pppoe"] == 25.0
    assert document["intervals"]["system"] == 60.0
    assert document["rate_limits"]["commands"] == 12
    assert json.loads((tmp_path / "keyring.json").read_text()) == {
        "ne8000monitor/10.20.30.40": PASSWORD
    }
    assert PASSWORD not in path.read_text() + out + err
    assert "Pa55" not in out
    assert out.splitlines()[0] == (
        f"router '10.20.30.40' (noc@10.20.30.40:2222 over ssh) saved in {path}"
    )
    assert "note: REDIS_HOST is ignored: this app keeps its cache in memory (no Redis)" in out
    assert "note: REDIS_PORT is ignored" in out
    assert (
        "note: the feed is set to listen on 0.0.0.0, which needs a token: add "
        f'`token = "..."` under [feed] in {path} or it will refuse to start'
    ) in out
    assert "password for '10.20.30.40' stored in the OS keyring" in out
    assert f"IMPORTANT: delete the ROUTER_PASSWORD line from {dotenv} now" in out
    assert dotenv.read_bytes() == original  # never modified

    # Same file again: the profile is identical, so it is accepted; a changed one is not.
    code, _, err = await cli(with_double(tmp_path), "import-env", str(dotenv))
    assert code == 0, err
    changed = write_env(tmp_path, port=2200)
    before = path.read_bytes()
    code, out, err = await cli(with_double(tmp_path), "import-env", str(changed))
    assert code == 2
    assert "a router profile '10.20.30.40' already exists with other values" in err
    assert path.read_bytes() == before
    code, _, err = await cli(with_double(tmp_path), "import-env", str(changed), "--replace")
    assert code == 0, err
    assert tomllib.loads(path.read_text())["routers"]["10.20.30.40"]["port"] == 2200


async def test_without_a_keyring_nothing_is_stored(tmp_path: Path) -> None:
    dotenv = write_env(tmp_path)
    code, out, err = await cli(environment(tmp_path), "import-env", str(dotenv))
    assert code == 2
    assert out == ""
    assert "no OS keyring was found" in err
    assert "Nothing was stored. Run again with --no-password" in err
    assert PASSWORD not in err
    assert not settings_file(tmp_path).exists()

    code, out, err = await cli(
        environment(tmp_path), "import-env", str(dotenv), "--no-password", "--name", "bras-7"
    )
    assert code == 0, err
    assert list(tomllib.loads(settings_file(tmp_path).read_text())["routers"]) == ["bras-7"]
    assert "ROUTER_PASSWORD was not imported (--no-password)" in out
    assert "`ne8000monitor credentials set bras-7`" in out
    assert PASSWORD not in out + settings_file(tmp_path).read_text()


async def test_legacy_routers_are_carried_over(tmp_path: Path) -> None:
    config = tmp_path / "config" / "ne8000monitor"
    config.mkdir(parents=True)
    (config / "routers.toml").write_text('[routers.old]\nhost = "192.0.2.1"\n')
    dotenv = write_env(tmp_path, ROUTER_NAME="from-env")
    code, out, err = await cli(environment(tmp_path), "import-env", str(dotenv), "--no-password")
    assert code == 0, err
    assert list(tomllib.loads(settings_file(tmp_path).read_text())["routers"]) == [
        "old",
        "from-env",
    ]
    assert f"routers from {config / 'routers.toml'} were copied into" in out
    assert (config / "routers.toml").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("ROUTER_HOST=h\nnot an assignment\n", "old.env, line 2: expected KEY=VALUE"),
        ("HOST=0.0.0.0\n", "old.env: no ROUTER_HOST, so there is no router to import"),
        ("ROUTER_HOST=h\nROUTER_PORT=abc\n", "ROUTER_PORT: expected a port number 1-65535"),
        ("ROUTER_HOST=h\nCACHE_TTL_SYSTEM=-5\n", "CACHE_TTL_SYSTEM: expected a number of seconds"),
        ("ROUTER_HOST=h\nBG_UPDATE_INTERVAL_PPPOE=0.001\n", "BG_UPDATE_INTERVAL_PPPOE: expected"),
    ],
)
async def test_bad_files_name_the_problem(tmp_path: Path, content: str, message: str) -> None:
    dotenv = tmp_path / "old.env"
    dotenv.write_text(content)
    code, out, err = await cli(environment(tmp_path), "import-env", str(dotenv), "--no-password")
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1
    assert not settings_file(tmp_path).exists()


async def test_a_corrupt_settings_file_is_never_overwritten(tmp_path: Path) -> None:
    path = settings_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("version = 1\n[feed\n")
    code, _, err = await cli(
        environment(tmp_path), "import-env", str(write_env(tmp_path)), "--no-password"
    )
    assert code == 2
    assert f"{path}, line 2, column 6: not valid TOML" in err
    assert "Hint: " in err
    assert path.read_text() == "version = 1\n[feed\n"


async def test_a_dotenv_and_a_settings_file_saved_by_notepad(tmp_path: Path) -> None:
    # Windows Notepad starts UTF-8 files with a byte-order mark (issue 14 item 8).
    path = settings_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('\ufeff# ours\nversion = 1\n[routers.old]\nhost = "192.0.2.1"\n')
    dotenv = write_env(tmp_path, ROUTER_NAME="from-env")
    dotenv.write_bytes("\ufeff".encode() + dotenv.read_bytes())
    code, _, err = await cli(environment(tmp_path), "import-env", str(dotenv), "--no-password")
    assert code == 0, err
    text = path.read_text()
    assert text.startswith("# ours\n")
    assert list(tomllib.loads(text)["routers"]) == ["old", "from-env"]


async def test_imported_profile_is_used_by_snapshot(
    simulator: SimulatorHandle, tmp_path: Path
) -> None:
    dotenv = tmp_path / "sim.env"
    dotenv.write_text(
        f"ROUTER_HOST=127.0.0.1\nROUTER_PORT={simulator.port}\n"
        f"ROUTER_USERNAME={simulator.username}\nROUTER_PASSWORD={simulator.password}\n"
    )
    env = with_double(tmp_path)
    code, out, err = await cli(env, "import-env", str(dotenv), "--name", "sim")
    assert code == 0, err
    code, out, err = await cli(env, "snapshot", "sim", "--details", "1")
    assert code == 0, err
    assert json.loads(out)["router"] == "sim"
    assert simulator.password not in out + err


async def test_import_env_into_the_real_secret_service(tmp_path: Path) -> None:
    """The same flow with no test double: gnome-keyring on the session bus (CI)."""
    backend = require_secret_service()
    name = f"imp-{uuid.uuid4().hex[:10]}"
    dotenv = write_env(tmp_path)
    env = environment(tmp_path, PYTHON_KEYRING_BACKEND=SECRET_SERVICE_BACKEND)
    try:
        code, out, err = await cli(env, "import-env", str(dotenv), "--name", name)
        assert code == 0, err
        assert backend.get_password("ne8000monitor", name) == PASSWORD
        assert PASSWORD not in out + err + settings_file(tmp_path).read_text()
    finally:
        with contextlib.suppress(Exception):
            backend.delete_password("ne8000monitor", name)


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("10.0.0.1", "10.0.0.1"),
        ("bras1.example.net", "bras1.example.net"),
        ("fe80::1%eth0", "fe80-1-eth0"),
        ("[2001:db8::1]", "2001-db8-1"),
        ("::", "router"),
    ],
)
def test_profile_name_from_host(host: str, name: str) -> None:
    assert name_from_host(host) == name
