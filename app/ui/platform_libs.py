"""Are the system libraries of Qt's X11 (xcb) platform plugin installed? Asked before Qt starts.

On Linux, Qt 6 loads its `xcb` platform plugin when the QApplication is created; a missing
shared library there makes Qt abort the whole process (SIGABRT) with a message that names
only one of the libraries (often one that is installed). This module dlopens each library
the plugin needs, by the exact soname the plugin links against, and names the Debian/Ubuntu
packages of those that are missing, so the app can print one clear line instead.

Stdlib only, and nothing here imports Qt: it must run before Qt does.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# Every shared library Qt 6's xcb platform plugin (libqxcb.so and libQt6XcbQpa.so.6) links
# against, beyond what any desktop has (libc, libstdc++, glib), with its Debian/Ubuntu
# package. Read off the plugin with `readelf -d` (PySide6 6.12). README lists the same.
XCB_LIBRARIES: Mapping[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}

Loader = Callable[[str], object]


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Will Qt pick its xcb plugin? (Linux, and neither another platform nor Wayland chosen.)"""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen:
        return chosen == "xcb"
    # No explicit choice: Qt 6 prefers Wayland in a Wayland session.
    return not environ.get("WAYLAND_DISPLAY")


def missing_packages(load: Loader = ctypes.CDLL) -> list[str]:
    """Debian package names of the xcb plugin's libraries that cannot be loaded."""
    missing: list[str] = []
    for soname, package in XCB_LIBRARIES.items():
        try:
            load(soname)
        except OSError:
            missing.append(package)
    return missing


def xcb_problem(
    environ: Mapping[str, str] | None = None,
    platform: str = sys.platform,
    load: Loader = ctypes.CDLL,
) -> str | None:
    """One line naming the packages to install, or None when the window can start."""
    env = os.environ if environ is None else environ
    if not uses_xcb(env, platform):
        return None
    missing = missing_packages(load)
    if not missing:
        return None
    return (
        "the desktop window needs these X11 libraries, which are not installed: "
        f"{' '.join(missing)} (Debian/Ubuntu: sudo apt-get install {' '.join(missing)})"
    )
