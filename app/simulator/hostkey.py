"""The simulator's SSH host key: persistent by default, so clients that pinned it keep trusting it.

A real router keeps its host key across reboots; the simulator does too, storing the key in
the user's data directory (or a file given with ``--host-key``). Tests use an ephemeral key.
The host-key-change fault regenerates the stored key, as a board swap or reset would.
"""

from __future__ import annotations

from pathlib import Path

import asyncssh

from app.platform.dirs import user_data_dir
from app.platform.files import write_private_atomic

KEY_ALGORITHM = "ssh-ed25519"
DEFAULT_KEY_NAME = "simulator_host_key"


def default_host_key_path() -> Path:
    """Where `ne8000monitor simulate` keeps its host key unless told otherwise."""
    return user_data_dir() / DEFAULT_KEY_NAME


def load_host_key(path: Path | None, *, regenerate: bool = False) -> asyncssh.SSHKey:
    """The key stored at `path`, created (0600) when missing or when `regenerate` is set.

    With `path` None the key is ephemeral: new for every start, never written.
    """
    if path is None:
        return asyncssh.generate_private_key(KEY_ALGORITHM)
    if path.is_file() and not regenerate:
        return asyncssh.read_private_key(str(path))
    key = asyncssh.generate_private_key(KEY_ALGORITHM)
    write_private_atomic(path, key.export_private_key())
    return key


def fingerprint(key: asyncssh.SSHKey) -> str:
    """OpenSSH-style SHA256 fingerprint, as `ssh` prints it on first contact."""
    return key.get_fingerprint("sha256")
