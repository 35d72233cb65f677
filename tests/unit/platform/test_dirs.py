"""Per-user folders from platformdirs: the places README documents, and upgrades that find
the folders an earlier release used."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from app.platform import dirs
from app.platform.dirs import adopt_legacy, user_config_dir, user_data_dir, user_log_dir

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the Linux (XDG) locations"
)


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def test_linux_defaults_are_the_places_readme_names(home: Path) -> None:
    assert user_config_dir() == home / ".config" / "ne8000monitor"
    assert user_data_dir() == home / ".local" / "share" / "ne8000monitor"
    assert user_log_dir() == home / ".local" / "state" / "ne8000monitor" / "log"


def test_xdg_variables_are_honoured(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "dat"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "st"))
    assert user_config_dir() == home / "cfg" / "ne8000monitor"
    assert user_data_dir() == home / "dat" / "ne8000monitor"
    assert user_log_dir() == home / "st" / "ne8000monitor" / "log"


def test_the_folder_of_an_earlier_release_is_found_and_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    new, old = tmp_path / "new" / "ne8000monitor", tmp_path / "old" / "ne8000monitor"
    # Nothing anywhere: the new place.
    assert adopt_legacy(new, lambda: old) == new
    # Only the old folder exists (macOS with XDG_* set, after an upgrade): it stays in use,
    # with its files where they are, and the log says so once.
    old.mkdir(parents=True)
    (old / "settings.toml").write_text("version = 1\n")
    with caplog.at_level(logging.INFO, logger="ne8000monitor.platform.dirs"):
        assert adopt_legacy(new, lambda: old) == old
        assert adopt_legacy(new, lambda: old) == old
    assert [r.getMessage() for r in caplog.records].count(
        f"using {old}, where an earlier release kept its files (not {new})"
    ) == 1
    assert (old / "settings.toml").exists()
    assert not new.exists()
    # Once the new folder exists, it wins.
    new.mkdir(parents=True)
    assert adopt_legacy(new, lambda: old) == new


def test_the_earlier_table_agrees_with_platformdirs_on_linux(home: Path) -> None:
    # Where both agree there is nothing to adopt: the legacy lookup is a no-op on Linux.
    assert dirs._legacy_config_dir() == user_config_dir()
    assert dirs._legacy_data_dir() == user_data_dir()
    assert dirs._legacy_log_dir() == user_log_dir()
