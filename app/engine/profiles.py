"""Router profiles: the ``[routers.NAME]`` tables of the settings file.

Routers live in ``settings.toml`` (see :mod:`app.engine.settings`). Earlier releases kept
them alone in ``routers.toml`` (settings version 0); that file is still read while no
``settings.toml`` exists, and the first save of the settings carries its routers over::

    # ~/.config/ne8000monitor/routers.toml (or the same tables in settings.toml)
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
error names the offending key (``routers.bras-sp1.port``). Validation is the settings
module's; this module keeps the API the commands use.
"""

from __future__ import annotations

from pathlib import Path

from app.domain.router import RouterProfile
from app.engine.settings import (
    LEGACY_PROFILES_FILE,
    SettingsError,
    load_settings,
    locate_settings,
    parse_settings,
)
from app.platform.dirs import user_config_dir

PROFILES_FILE = LEGACY_PROFILES_FILE


class ProfileError(SettingsError):
    """The router profiles are unreadable or describe a router wrongly; names file and key."""


def default_profiles_path() -> Path:
    """The legacy ``routers.toml`` in the user config directory."""
    return user_config_dir() / PROFILES_FILE


def parse_profiles(text: str, *, source: str = PROFILES_FILE) -> dict[str, RouterProfile]:
    """Profiles by name from TOML text (``routers.toml`` or ``settings.toml`` layout)."""
    try:
        return parse_settings(text, source=source).routers
    except SettingsError as error:
        raise ProfileError(str(error)) from None


def load_profiles(path: Path | None = None) -> dict[str, RouterProfile]:
    """Profiles from `path`, by default the user's settings file (or legacy routers.toml).

    A missing file means no profiles.
    """
    if path is None:
        path = locate_settings()
        if path is None:
            return {}
    try:
        return load_settings(path).routers
    except SettingsError as error:
        raise ProfileError(str(error)) from None
