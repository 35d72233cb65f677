"""Router profiles from ``routers.toml`` in the user config directory.

Until a settings module exists, this small file is where routers are described::

    # ~/.config/ne8000monitor/routers.toml
    [routers.bras-sp1]
    host = "10.0.0.1"
    port = 22                  # optional, default 22
    username = "noc"           # optional, default "admin"
    transport = "ssh"          # or "telnet" (cleartext, opt-in)
    legacy_algorithms = false  # old SSH kex/ciphers, only for boxes that need them
    pool_size = 2              # sessions kept open, never above vty_budget
    vty_budget = 3             # VTY lines this app may use on the box
    connect_timeout = 10.0
    command_timeout = 30.0
    keepalive_interval = 30.0

It holds no secret: passwords are stored with ``ne8000monitor credentials set NAME``. A
``password`` key is refused outright so one is never left lying in a settings file. Every
error names the offending key (``routers.bras-sp1.port``).
"""

from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

from app.domain.errors import NE8000MonitorError
from app.domain.paths import user_config_dir
from app.domain.router import RouterProfile, TransportKind

PROFILES_FILE = "routers.toml"
_SECRET_KEYS = frozenset({"password", "secret", "passwd", "key", "private_key"})
_TYPES: dict[str, tuple[type, ...]] = {
    "host": (str,),
    "port": (int,),
    "username": (str,),
    "transport": (str,),
    "legacy_algorithms": (bool,),
    "pool_size": (int,),
    "vty_budget": (int,),
    "connect_timeout": (int, float),
    "command_timeout": (int, float),
    "keepalive_interval": (int, float),
}


class ProfileError(NE8000MonitorError):
    """``routers.toml`` is unreadable or describes a router wrongly; names file and key."""


def default_profiles_path() -> Path:
    """``routers.toml`` in the user config directory."""
    return user_config_dir() / PROFILES_FILE


def _profile(name: str, table: Any, where: str) -> RouterProfile:
    if not isinstance(table, dict):
        raise ProfileError(f"{where}: must be a table ([routers.{name}])")
    known = {f.name for f in fields(RouterProfile)} - {"name"}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key.lower() in _SECRET_KEYS:
            raise ProfileError(
                f"{where}.{key}: secrets do not belong in {PROFILES_FILE}; remove it and run "
                f"`ne8000monitor credentials set {name}`"
            )
        if key not in known:
            names = ", ".join(sorted(known))
            raise ProfileError(f"{where}.{key}: unknown setting (known: {names})")
        expected = _TYPES[key]
        # bool is an int in Python; `port = true` must not slip through as 1.
        if (isinstance(value, bool) and bool not in expected) or not isinstance(value, expected):
            kinds = " or ".join(t.__name__ for t in expected)
            raise ProfileError(f"{where}.{key}: expected {kinds}, got {value!r}")
        values[key] = value
    if "host" not in values:
        raise ProfileError(f"{where}.host: missing (the router's address)")
    if "transport" in values:
        try:
            values["transport"] = TransportKind(values["transport"].lower())
        except ValueError:
            raise ProfileError(
                f"{where}.transport: {values['transport']!r} is not 'ssh' or 'telnet'"
            ) from None
    for key in ("connect_timeout", "command_timeout", "keepalive_interval"):
        if key in values:
            values[key] = float(values[key])
    try:
        return RouterProfile(name=name, **values)
    except ValueError as error:
        raise ProfileError(f"{where}: {error}") from None


def parse_profiles(text: str, *, source: str = PROFILES_FILE) -> dict[str, RouterProfile]:
    """Profiles by name from the TOML text; ProfileError names the bad key."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{source}: not valid TOML: {error}") from None
    extra = sorted(set(document) - {"routers"})
    if extra:
        raise ProfileError(
            f"{source}: unknown top-level key {extra[0]!r} (expected [routers.NAME])"
        )
    routers = document.get("routers", {})
    if not isinstance(routers, dict):
        raise ProfileError(f"{source}: routers must be a table of [routers.NAME] tables")
    return {
        name: _profile(name, table, f"{source}: routers.{name}") for name, table in routers.items()
    }


def load_profiles(path: Path | None = None) -> dict[str, RouterProfile]:
    """Profiles from `path` (default: the user config dir); a missing file means none."""
    path = path or default_profiles_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise ProfileError(f"{path}: cannot read: {error}") from None
    return parse_profiles(text, source=str(path))
