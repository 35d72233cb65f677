"""Per-user directories for settings and data, shared by the app and the simulator (stdlib).

XDG on Linux (``$XDG_CONFIG_HOME``/``$XDG_DATA_HOME``), Application Support on macOS,
``%APPDATA%``/``%LOCALAPPDATA%`` on Windows; the same places platformdirs would pick, without
the dependency.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "ne8000monitor"


def user_config_dir(app_name: str = APP_NAME) -> Path:
    """Where settings such as ``routers.toml`` live."""
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / app_name


def user_data_dir(app_name: str = APP_NAME) -> Path:
    """Where the app keeps its own data: trusted host keys, the audit log."""
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / app_name


def user_log_dir(app_name: str = APP_NAME) -> Path:
    """Where the rotating log file goes (the places platformdirs' ``user_log_dir`` picks).

    ``$XDG_STATE_HOME/<app>/log`` on Linux (logs are state, not data), ``~/Library/Logs/<app>``
    on macOS, ``%LOCALAPPDATA%\\<app>\\Logs`` on Windows.
    """
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / app_name / "Logs"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Logs" / app_name
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / app_name / "log"


def resources_dir() -> Path:
    """The shipped `resources/` folder (icons, translations, the wall page).

    Next to the `app` package in a checkout or an installed tree; PyInstaller bundles unpack
    it under ``sys._MEIPASS``.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent.parent / "resources"
