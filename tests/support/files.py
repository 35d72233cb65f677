"""File-mode helpers for the tests that check every file the app writes is private."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def usual_umask() -> Iterator[None]:
    """Run with the common umask 022, under which a carelessly created file is 0644."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def file_modes(root: Path) -> dict[str, int]:
    """Every regular file under `root` (relative path -> permission bits)."""
    return {
        str(path.relative_to(root)): mode_of(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def listing(root: Path) -> dict[str, tuple[int, int]]:
    """Every entry under `root` with its size and modification time (ns): "touched or not"."""
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
    }
