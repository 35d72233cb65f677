"""Files only their owner can read: how the app creates everything it writes.

Settings, the history database (and its -wal/-shm files, which SQLite creates with the
database file's mode), logs, trusted host keys, the audit log, exports and the simulator's
host key can tell a stranger which routers exist, who changed what, or hold a private key.
So every file is created 0600 and every folder the app creates 0700, whatever the umask,
and a file an earlier release left readable to others is narrowed when it is next opened.

Only regular files are narrowed: a log pointed at ``/dev/stdout`` must not change the
device. On Windows the modes mean little (``os.chmod`` only sets read-only); there the
per-user folders (``%APPDATA%``, ``%LOCALAPPDATA%``) are private by their ACLs.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Any

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
_POSIX = os.name == "posix"


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) if needed, the folder itself 0700; returns it.

    A folder that already exists is left as it is: it may be the operator's own (a log
    file placed in ``/var/log/noc``).
    """
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        if _POSIX:
            with contextlib.suppress(OSError):
                os.chmod(path, PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask
    return path


def narrow(path: Path) -> None:
    """Make an existing regular file owner-only (missing files, devices: nothing done)."""
    if not _POSIX:
        return
    try:
        info = os.stat(path)
    except OSError:
        return
    if stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) != PRIVATE_FILE_MODE:
        with contextlib.suppress(PermissionError):  # somebody else's file: leave it
            os.chmod(path, PRIVATE_FILE_MODE)


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_APPEND) -> int:
    """A descriptor on `path`, created 0600 if missing, narrowed to 0600 if it existed."""
    private_dir(path.parent)
    descriptor = os.open(path, flags | os.O_CREAT, PRIVATE_FILE_MODE)
    if _POSIX:
        try:
            if stat.S_ISREG(os.fstat(descriptor).st_mode):
                with contextlib.suppress(PermissionError):
                    os.fchmod(descriptor, PRIVATE_FILE_MODE)
        except BaseException:
            os.close(descriptor)
            raise
    return descriptor


def open_private_text(
    path: Path, mode: str = "a", *, encoding: str = "utf-8", **options: Any
) -> IO[str]:
    """:func:`open` for text, mode ``"a"`` or ``"w"``, with the file created private."""
    flags = {"a": os.O_WRONLY | os.O_APPEND, "w": os.O_WRONLY | os.O_TRUNC}.get(mode)
    if flags is None:
        raise ValueError(f"open_private_text supports modes 'a' and 'w', not {mode!r}")
    return os.fdopen(open_private(path, flags), mode, encoding=encoding, **options)


def touch_private(path: Path) -> None:
    """Create `path` empty and private, or narrow it if it exists (contents untouched)."""
    os.close(open_private(path, os.O_WRONLY))


def write_private_atomic(path: Path, data: bytes) -> Path:
    """Replace `path` by `data` in one step: a private temporary file, fsync, rename.

    A crash leaves either the old file or the new one, never half of one. A symlink is
    written through (settings kept in a dotfiles repository stay linked). Returns the real
    path written.
    """
    target = Path(os.path.realpath(path))
    private_dir(target.parent)
    descriptor, temporary = tempfile.mkstemp(  # mkstemp creates the file 0600
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if _POSIX:
            os.chmod(temporary, PRIVATE_FILE_MODE)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(target.parent)
    return target


def _sync_directory(directory: Path) -> None:
    # Make the rename itself durable (POSIX); Windows cannot open a folder this way.
    if not _POSIX:
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
