"""The real window on a real X server: `ne8000monitor` under Xvfb with Qt's xcb platform.

The other GUI tests run on Qt's offscreen platform, which loads none of the X11 libraries;
this one starts the app as a user does (the default command, demo mode) on Xvfb, so a missing
xcb library or an X11-only crash fails the suite. It waits for the main window to be mapped
on the X server, then for a clean exit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import ROOT, environment
from tests.support.required import missing_tool

TOOLS = ("Xvfb", "xwininfo")


@pytest.fixture
def x_display() -> Iterator[str]:
    """A private Xvfb server; its display name (`:N`)."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        missing_tool(f"{', '.join(missing)} not installed (Debian: xvfb, x11-utils)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as reader:
        number = reader.readline().strip()
    assert number, "Xvfb did not report its display"
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def _window_titles(display: str) -> str:
    tree = subprocess.run(
        ["xwininfo", "-root", "-tree"],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return tree.stdout


def test_the_window_opens_on_x11_and_closes_cleanly(x_display: str, tmp_path: Path) -> None:
    env = environment(tmp_path, DISPLAY=x_display, QT_QPA_PLATFORM="xcb")
    env.pop("WAYLAND_DISPLAY", None)
    app = subprocess.Popen(
        [sys.executable, "-m", "app", "--demo", "--quit-after", "8", "--new-instance"],
        env=env,
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    mapped = ""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and app.poll() is None:
        titles = _window_titles(x_display)
        if '"NE8000 Monitor' in titles:
            mapped = titles
            break
        time.sleep(0.2)
    _out, err = app.communicate(timeout=60)
    assert mapped, f"no NE8000 Monitor window appeared on {x_display}; stderr: {err[-2000:]}"
    assert app.returncode == 0, err[-2000:]
    assert "could not load the Qt platform plugin" not in err
    log = tmp_path / "state" / "ne8000monitor" / "log" / "ne8000monitor.log"
    assert log.is_file(), "the desktop app writes its log file too"
    assert "NE8000 Monitor" in log.read_text(encoding="utf-8")
