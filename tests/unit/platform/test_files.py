"""Owner-only files: created 0600 whatever the umask, older 0644 files narrowed, devices and
other people's files left alone, atomic replacement."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.platform.files import (
    narrow,
    open_private,
    open_private_text,
    private_dir,
    touch_private,
    write_private_atomic,
)
from tests.support.files import mode_of, usual_umask

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def _umask() -> object:
    with usual_umask():
        yield


def test_new_files_and_folders_are_private(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "log.txt"
    with open_private_text(target, "a") as stream:
        stream.write("one\n")
    assert mode_of(target) == 0o600
    assert mode_of(target.parent) == 0o700
    touch_private(tmp_path / "db")
    assert mode_of(tmp_path / "db") == 0o600
    assert private_dir(tmp_path / "c") == tmp_path / "c"
    assert mode_of(tmp_path / "c") == 0o700


def test_an_older_readable_file_is_narrowed_and_kept(tmp_path: Path) -> None:
    old = tmp_path / "audit.jsonl"
    old.write_text("earlier entry\n")
    os.chmod(old, 0o644)
    os.close(open_private(old))
    assert mode_of(old) == 0o600
    assert old.read_text() == "earlier entry\n"  # appending mode: nothing truncated
    other = tmp_path / "history.sqlite3-wal"
    other.write_bytes(b"x")
    os.chmod(other, 0o664)
    narrow(other)
    assert mode_of(other) == 0o600
    narrow(tmp_path / "missing")  # nothing to do, no error


def test_devices_are_never_narrowed() -> None:
    before = mode_of(Path(os.devnull))
    with open_private_text(Path(os.devnull), "a") as stream:
        stream.write("discarded")
    narrow(Path(os.devnull))
    assert mode_of(Path(os.devnull)) == before


def test_atomic_write_is_private_and_goes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "settings.toml"
    real.parent.mkdir()
    real.write_text("old")
    os.chmod(real, 0o644)
    link = tmp_path / "settings.toml"
    link.symlink_to(real)
    assert write_private_atomic(link, b"new") == real
    assert link.is_symlink()
    assert real.read_text() == "new"
    assert mode_of(real) == 0o600
    assert [p.name for p in real.parent.iterdir()] == ["settings.toml"]  # no temporary left


def test_only_append_and_write_modes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="modes 'a' and 'w'"):
        open_private_text(tmp_path / "x", "r")
