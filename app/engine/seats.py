"""Seat tokens: one feed token per NOC seat or wall screen, kept only as a salted hash.

A token reads ``<id>.<secret>``. The ``id`` (8 hex digits) is public: it tells the feed
which seat is knocking, so checking a token costs one hash, not one per seat. The
``secret`` is 256 random bits, shown once by ``ne8000monitor token add`` and never stored:
the settings file keeps ``scrypt(secret, salt)`` and the comparison is constant-time.
A leaked settings file therefore gives no token, and revoking a seat (deleting its table)
locks out that seat alone.

The last time each seat was seen is kept apart from the settings, in a small JSON file in
the data directory that the feed rewrites at most once a minute (:func:`write_usage`), so
``token list`` can show it without the feed ever writing the settings file.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCRYPT_N = 2**14  # 16 MiB of memory and a few tens of milliseconds per check
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
DIGEST_BYTES = 32
SECRET_BYTES = 32
ID_HEX_DIGITS = 8
USAGE_FILE = "seat_usage.json"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_ID = re.compile(rf"[0-9a-f]{{{ID_HEX_DIGITS}}}")
_TOKEN = re.compile(rf"(?P<id>[0-9a-f]{{{ID_HEX_DIGITS}}})\.(?P<secret>[A-Za-z0-9_-]{{20,100}})")
_HASH = re.compile(
    r"scrypt\$(?P<n>\d+)\$(?P<r>\d+)\$(?P<p>\d+)\$(?P<salt>[A-Za-z0-9+/=]+)\$(?P<digest>[A-Za-z0-9+/=]+)"
)
# Cost parameters a settings file may carry: enough to be slow, bounded so a crafted file
# cannot make the feed allocate gigabytes per request.
_MAX_N = 2**17
_MAX_RP = 64


@dataclass(frozen=True, slots=True)
class SeatToken:
    """One seat as the settings file keeps it (``[seats.NAME]``): no token, only its hash."""

    name: str
    id: str
    hash: str
    created: str  # ISO 8601, UTC

    def created_at(self) -> datetime:
        return datetime.fromisoformat(self.created)


def valid_seat_name(name: str) -> bool:
    """Letters, digits, dot, dash, underscore; 1-64 characters, starting with a letter/digit."""
    return _NAME.fullmatch(name) is not None


def valid_seat_id(text: str) -> bool:
    return _ID.fullmatch(text) is not None


def valid_hash(text: str) -> bool:
    """True for a ``scrypt$N$r$p$salt$digest`` value with sane parameters."""
    found = _HASH.fullmatch(text)
    if found is None:
        return False
    n, r, p = int(found["n"]), int(found["r"]), int(found["p"])
    if not (2 <= n <= _MAX_N and n & (n - 1) == 0 and 1 <= r <= _MAX_RP and 1 <= p <= _MAX_RP):
        return False
    try:
        salt = base64.b64decode(found["salt"], validate=True)
        digest = base64.b64decode(found["digest"], validate=True)
    except ValueError:
        return False
    return len(salt) >= 8 and len(digest) == DIGEST_BYTES


def valid_timestamp(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=256 * n * r + 1024 * 1024,
        dklen=DIGEST_BYTES,
    )


def hash_secret(secret: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$digest`` of `secret` with a fresh random salt."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(secret, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    encoded = [base64.b64encode(part).decode("ascii") for part in (salt, digest)]
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encoded[0]}${encoded[1]}"


def secret_matches(secret: str, stored: str) -> bool:
    """Constant-time check of `secret` against a stored hash (False for a malformed one)."""
    if not valid_hash(stored):
        return False
    found = _HASH.fullmatch(stored)
    assert found is not None
    salt = base64.b64decode(found["salt"])
    expected = base64.b64decode(found["digest"])
    actual = _scrypt(secret, salt, int(found["n"]), int(found["r"]), int(found["p"]))
    return hmac.compare_digest(actual, expected)


def split_token(text: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a seat token, or None when `text` does not look like one."""
    found = _TOKEN.fullmatch(text.strip())
    if found is None:
        return None
    return found["id"], found["secret"]


def issue_seat(
    name: str, *, taken_ids: set[str] | frozenset[str] = frozenset(), now: datetime | None = None
) -> tuple[SeatToken, str]:
    """A new seat and its token (the token exists only in the return value)."""
    if not valid_seat_name(name):
        raise ValueError(
            f"{name!r} is not a seat name: use 1-64 letters, digits, '.', '-' or '_'"
        )
    while True:
        seat_id = secrets.token_hex(ID_HEX_DIGITS // 2)
        if seat_id not in taken_ids:
            break
    secret = secrets.token_urlsafe(SECRET_BYTES)
    when = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    return SeatToken(name, seat_id, hash_secret(secret), when), f"{seat_id}.{secret}"


def find_seat(seats: Mapping[str, SeatToken], token: str) -> SeatToken | None:
    """The seat whose token this is (one scrypt: call it off the event loop), else None."""
    parts = split_token(token)
    if parts is None:
        return None
    seat_id, secret = parts
    for seat in seats.values():
        if hmac.compare_digest(seat.id, seat_id):
            return seat if secret_matches(secret, seat.hash) else None
    return None


# ----- last use --------------------------------------------------------------------------


def read_usage(path: Path) -> dict[str, float]:
    """Seat id -> epoch seconds of its last request; empty when the file is missing or bad."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        key: float(value)
        for key, value in data.items()
        if isinstance(key, str) and isinstance(value, int | float) and not isinstance(value, bool)
    }


def write_usage(path: Path, usage: Mapping[str, float]) -> None:
    """Replace the usage file atomically (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(dict(sorted(usage.items())), stream)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
