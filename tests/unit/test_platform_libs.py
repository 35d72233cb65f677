"""The check for Qt's X11 libraries that runs before Qt can abort the process."""

from __future__ import annotations

import os

import pytest

from app.ui.platform_libs import XCB_LIBRARIES, missing_packages, uses_xcb, xcb_problem


def loader_without(*absent: str):
    def load(soname: str) -> object:
        if soname in absent:
            raise OSError(f"{soname}: cannot open shared object file")
        return object()

    return load


def test_names_every_missing_package_in_one_line() -> None:
    problem = xcb_problem(
        {"DISPLAY": ":0"},
        "linux",
        loader_without("libxcb-icccm.so.4", "libxcb-keysyms.so.1"),
    )
    assert problem is not None
    assert "\n" not in problem
    assert "libxcb-icccm4 libxcb-keysyms1" in problem
    assert "apt-get install libxcb-icccm4 libxcb-keysyms1" in problem


def test_nothing_to_say_when_everything_loads() -> None:
    assert xcb_problem({"DISPLAY": ":0"}, "linux", loader_without()) is None


@pytest.mark.parametrize(
    ("environ", "platform", "expected"),
    [
        ({}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({}, "win32", False),
        ({}, "darwin", False),
    ],
)
def test_only_the_xcb_platform_is_checked(
    environ: dict[str, str], platform: str, expected: bool
) -> None:
    assert uses_xcb(environ, platform) is expected
    everything_missing = loader_without(*XCB_LIBRARIES)
    assert (xcb_problem(environ, platform, everything_missing) is not None) is expected


def test_this_machine_has_the_libraries_the_readme_lists() -> None:
    """README's install line and the check name the same packages, and they are installed
    here (CI installs them for the real-window test)."""
    from tests.support.fixtures import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for package in XCB_LIBRARIES.values():
        assert package in readme, f"README does not list {package}"
    missing = missing_packages()
    if missing and os.environ.get("NE8000_REQUIRE_ALL") != "1":
        pytest.skip(f"not installed here: {' '.join(missing)}")
    assert missing == []
