"""Per-user folders for settings, data and logs, as each OS expects them (platformdirs).

* config (``settings.toml``): ``$XDG_CONFIG_HOME/<app>`` (``~/.config/<app>``) on Linux,
  ``~/Library/Application Support/<app>`` on macOS, ``%APPDATA%\\<app>`` on Windows;
* data (history, trusted host keys, audit log): ``$XDG_DATA_HOME/<app>``
  (``~/.local/share/<app>``), ``~/Library/Application Support/<app>``,
  ``%LOCALAPPDATA%\\<app>``;
* logs: ``$XDG_STATE_HOME/<app>/log`` (``~/.local/state/<app>/log``),
  ``~/Library/Logs/<app>``, ``%LOCALAPPDATA%\\<app>\\Logs``.

Recent platformdirs releases also honour the ``XDG_*`` variables on macOS. Earlier releases
of this app used a table of their own (the ``_legacy_*`` functions below, which never read
``XDG_*`` on macOS); where the two disagree, a folder that exists only at the old place is
found and kept in use, so an upgrade never loses settings, history or trusted host keys.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

import platformdirs

APP_NAME = "ne8000monitor"

_log = logging.getLogger("ne8000monitor.platform.dirs")
_reported: set[Path] = set()


def user_config_dir() -> Path:
    """Where ``settings.toml`` lives (roaming on Windows: it follows the user's profile)."""
    current = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=True))
    return adopt_legacy(current, _legacy_config_dir)


def user_data_dir() -> Path:
    """Where the app keeps its own data: history, trusted host keys, the audit log."""
    current = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))
    return adopt_legacy(current, _legacy_data_dir)


def user_log_dir() -> Path:
    """Where the rotating log file goes (logs are state, not data, on Linux)."""
    current = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    return adopt_legacy(current, _legacy_log_dir)


def adopt_legacy(current: Path, legacy: Callable[[], Path | None]) -> Path:
    """`current`, unless only the earlier release's folder exists: then that one.

    Nothing is moved: an upgrade keeps reading and writing where the files already are
    (on macOS one old folder held both settings and data, so moving it to one new place
    would split them). Said once per folder in the log.
    """
    if current.exists():
        return current
    old = legacy()
    if old is None or old == current or not old.is_dir():
        return current
    if old not in _reported:
        _reported.add(old)
        _log.info("using %s, where an earlier release kept its files (not %s)", old, current)
    return old


# ---- where releases before platformdirs put the folders ------------------------------------


def _absolute(variable: str) -> Path | None:
    value = os.environ.get(variable, "")
    return Path(value) if value and os.path.isabs(value) else None


def _windows_base(variable: str, fallback: str) -> Path:
    return _absolute(variable) or Path.home() / "AppData" / fallback


def _legacy_config_dir() -> Path | None:
    if sys.platform.startswith("win"):
        return _windows_base("APPDATA", "Roaming") / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    return (_absolute("XDG_CONFIG_HOME") or Path.home() / ".config") / APP_NAME


def _legacy_data_dir() -> Path | None:
    if sys.platform.startswith("win"):
        return _windows_base("LOCALAPPDATA", "Local") / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    return (_absolute("XDG_DATA_HOME") or Path.home() / ".local" / "share") / APP_NAME


def _legacy_log_dir() -> Path | None:
    if sys.platform.startswith("win"):
        return _windows_base("LOCALAPPDATA", "Local") / APP_NAME / "Logs"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Logs" / APP_NAME
    return (_absolute("XDG_STATE_HOME") or Path.home() / ".local" / "state") / APP_NAME / "log"
