"""Seat tokens: issued once, stored as a salted scrypt hash, found by their public id."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.engine.seats import (
    SCRYPT_N,
    find_seat,
    hash_secret,
    issue_seat,
    read_usage,
    secret_matches,
    split_token,
    valid_hash,
    write_usage,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_a_token_is_an_id_and_a_secret_and_only_the_hash_is_kept() -> None:
    seat, token = issue_seat("noc-1", now=NOW)
    seat_id, secret = token.split(".")
    assert seat.id == seat_id
    assert len(secret) >= 40  # 256 random bits, URL-safe
    assert secret not in repr(seat)
    assert secret not in seat.hash
    assert seat.hash.startswith(f"scrypt${SCRYPT_N}$8$1$")
    assert valid_hash(seat.hash)
    assert seat.created == "2025-06-01T12:00:00+00:00"
    assert secret_matches(secret, seat.hash)
    assert not secret_matches(secret[:-1] + ("A" if secret[-1] != "A" else "B"), seat.hash)


def test_two_seats_never_share_a_salt_or_a_token() -> None:
    first, token_1 = issue_seat("a")
    second, token_2 = issue_seat("b", taken_ids={first.id})
    assert token_1 != token_2
    assert first.id != second.id
    assert first.hash.split("$")[4] != second.hash.split("$")[4]  # the salts


def test_the_seat_is_found_by_its_token_and_nothing_else() -> None:
    noc, noc_token = issue_seat("noc-1")
    wall, wall_token = issue_seat("wall", taken_ids={noc.id})
    seats = {"noc-1": noc, "wall": wall}
    assert find_seat(seats, noc_token) == noc
    assert find_seat(seats, wall_token) == wall
    assert find_seat(seats, f"  {wall_token}\n") == wall
    # the right id with another seat's secret, a made-up id, and junk
    assert find_seat(seats, f"{noc.id}.{wall_token.split('.')[1]}") is None
    assert find_seat(seats, f"00000000.{noc_token.split('.')[1]}") is None
    assert find_seat(seats, "not a token") is None
    assert find_seat({}, noc_token) is None


@pytest.mark.parametrize(
    "text",
    ["", "abc", "3fa2c1d9", "3fa2c1d9.", "3FA2C1D9.aaaaaaaaaaaaaaaaaaaaaaaa", "3fa2c1d9.short",
     "3fa2c1d9.has space in the secret part", "3fa2c1d9.aaaaaaaaaaaaaaaaaaaaaaaa.extra"],
)
def test_what_is_not_a_seat_token(text: str) -> None:
    assert split_token(text) is None


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain",
        "bcrypt$16384$8$1$c2FsdHNhbHQ=$" + "A" * 44,
        "scrypt$1000$8$1$c2FsdHNhbHQ=$" + "A" * 44,  # N not a power of two
        "scrypt$1073741824$8$1$c2FsdHNhbHQ=$" + "A" * 44,  # N too large for a request
        "scrypt$16384$8$1$c2FsdHNhbHQ=$QUJD",  # digest too short
        "scrypt$16384$8$1$!!!$" + "A" * 44,
    ],
)
def test_malformed_hashes_are_refused_and_never_match(stored: str) -> None:
    assert not valid_hash(stored)
    assert not secret_matches("anything", stored)


def test_the_hash_depends_on_the_salt() -> None:
    assert hash_secret("s", salt=b"0123456789abcdef") == hash_secret("s", salt=b"0123456789abcdef")
    assert hash_secret("s", salt=b"0123456789abcdef") != hash_secret("s", salt=b"fedcba9876543210")


def test_bad_seat_names_are_refused() -> None:
    for name in ("", "-lead", "has space", "a/b", "x" * 65):
        with pytest.raises(ValueError, match="not a seat name"):
            issue_seat(name)


def test_usage_file_round_trip_mode_0600_and_bad_content(tmp_path: Path) -> None:
    path = tmp_path / "data" / "seat_usage.json"
    assert read_usage(path) == {}
    write_usage(path, {"3fa2c1d9": 1_750_000_000.5})
    assert read_usage(path) == {"3fa2c1d9": 1_750_000_000.5}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text('{"a": "x", "b": true, "c": 5}', encoding="utf-8")
    assert read_usage(path) == {"c": 5.0}
    path.write_text("[1, 2]", encoding="utf-8")
    assert read_usage(path) == {}
    path.write_text("{not json", encoding="utf-8")
    assert read_usage(path) == {}
