"""Trust on first use for router SSH host keys, in the app's own known_hosts file.

The first successful contact with a router pins the key it presented; from then on the
connection is made with exactly that key as the only trusted one, and a different key is
refused (both SHA256 fingerprints reported) until the operator accepts the new one
explicitly. The file uses OpenSSH's known_hosts line format (``[host]:port type base64``),
so ``ssh-keygen -lf FILE`` can list it, but it is separate from ``~/.ssh/known_hosts``:
the app never trusts or edits what the user's own ssh client pinned. Like every file the
app writes, it is private to the user (0600).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from app.platform.files import write_private_atomic

_log = logging.getLogger("ne8000monitor.transport.hostkeys")

DEFAULT_SSH_PORT = 22


def fingerprint(key: asyncssh.SSHKey) -> str:
    """The OpenSSH-style ``SHA256:...`` fingerprint operators compare with the router's."""
    return key.get_fingerprint("sha256")


def host_pattern(host: str, port: int) -> str:
    """How OpenSSH names a host in known_hosts: ``host`` on port 22, else ``[host]:port``."""
    bare = host.strip().strip("[]").lower()
    return bare if port == DEFAULT_SSH_PORT else f"[{bare}]:{port}"


@dataclass(frozen=True, slots=True)
class TrustedHost:
    """One pinned key, as listed for the operator."""

    host_pattern: str
    key_type: str
    fingerprint: str


class HostKeyStore:
    """The pinned host key of every router the app has talked to, one per host and port.

    Reads the file on every lookup (it is tiny) so several app processes sharing it see
    each other's changes; writes go to a temporary file that replaces the old one, so a
    crash never leaves a half-written trust store.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        # Keys a router offered that did not match the pinned one, awaiting accept().
        self._offered: dict[str, asyncssh.SSHKey] = {}

    # ----- lookups ----------------------------------------------------------------------

    def trusted_key(self, host: str, port: int) -> asyncssh.SSHKey | None:
        """The key pinned for host:port, or None before the first contact."""
        wanted = host_pattern(host, port)
        for patterns, key, _line in self._entries():
            if key is not None and wanted in patterns:
                return key
        return None

    def trusted_hosts(self) -> list[TrustedHost]:
        """Every pinned key, for listing in the UI or CLI."""
        return [
            TrustedHost(",".join(patterns), key.get_algorithm(), fingerprint(key))
            for patterns, key, _line in self._entries()
            if key is not None
        ]

    # ----- changes ----------------------------------------------------------------------

    def trust(self, host: str, port: int, key: asyncssh.SSHKey) -> str:
        """Pin `key` for host:port (replacing any older key); returns its fingerprint."""
        wanted = host_pattern(host, port)
        kept = [line for patterns, _key, line in self._entries() if wanted not in patterns]
        public = key.export_public_key("openssh").decode("ascii").split()
        kept.append(f"{wanted} {public[0]} {public[1]}")
        self._write(kept)
        self._offered.pop(wanted, None)
        return fingerprint(key)

    def note_offered(self, host: str, port: int, key: asyncssh.SSHKey) -> None:
        """Remember a refused key so the operator can accept it by its fingerprint."""
        self._offered[host_pattern(host, port)] = key

    def offered_fingerprint(self, host: str, port: int) -> str | None:
        """The fingerprint of the refused key waiting for a decision, if any."""
        key = self._offered.get(host_pattern(host, port))
        return fingerprint(key) if key is not None else None

    def accept(self, host: str, port: int, accepted_fingerprint: str) -> str:
        """Pin the key the router offered, if its fingerprint is the one the operator saw.

        Requiring the fingerprint means a key swapped in between showing it and accepting
        it is never trusted. Raises LookupError when no refused key with that fingerprint
        is waiting (connect again, or use :func:`app.transport.ssh.accept_host_key`).
        """
        key = self._offered.get(host_pattern(host, port))
        if key is None or fingerprint(key) != accepted_fingerprint.strip():
            raise LookupError(
                f"no key with fingerprint {accepted_fingerprint} was offered by "
                f"{host_pattern(host, port)}; connect again to see the key it offers now"
            )
        previous = self.trusted_key(host, port)
        if previous is None:  # first contact, confirmed by the operator: nothing is replaced
            _log.info(
                "host key for %s trusted on first contact, as confirmed by the operator: %s",
                host_pattern(host, port),
                accepted_fingerprint,
            )
        else:
            _log.warning(
                "host key for %s replaced by operator decision: %s was trusted, now %s",
                host_pattern(host, port),
                fingerprint(previous),
                accepted_fingerprint,
            )
        return self.trust(host, port, key)

    def forget(self, host: str, port: int) -> bool:
        """Drop the pinned key of host:port; True when there was one."""
        wanted = host_pattern(host, port)
        entries = self._entries()
        kept = [line for patterns, _key, line in entries if wanted not in patterns]
        if len(kept) == len(entries):
            return False
        self._write(kept)
        return True

    # ----- the file ---------------------------------------------------------------------

    def _entries(self) -> list[tuple[tuple[str, ...], asyncssh.SSHKey | None, str]]:
        """(host patterns, key or None for lines we keep but do not use, original line)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        entries: list[tuple[tuple[str, ...], asyncssh.SSHKey | None, str]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                entries.append(((), None, line))
                continue
            fields = stripped.split()
            if fields[0].startswith("@") or len(fields) < 3:
                # Markers (@cert-authority, @revoked) are not something this app writes.
                entries.append(((), None, line))
                continue
            try:
                key = asyncssh.import_public_key(f"{fields[1]} {fields[2]}")
            except (asyncssh.KeyImportError, ValueError):
                _log.warning("%s line %d: unreadable host key ignored", self.path, number)
                entries.append(((), None, line))
                continue
            patterns = tuple(pattern.lower() for pattern in fields[0].split(","))
            entries.append((patterns, key, line))
        return entries

    def _write(self, lines: list[str]) -> None:
        write_private_atomic(self.path, "".join(line + "\n" for line in lines).encode("utf-8"))
