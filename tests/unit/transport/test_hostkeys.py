"""The trust-on-first-use host-key store: OpenSSH known_hosts lines, atomic writes, accept."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import asyncssh
import pytest

from app.transport.hostkeys import HostKeyStore, fingerprint, host_pattern

KEY_A = asyncssh.generate_private_key("ssh-ed25519")
KEY_B = asyncssh.generate_private_key("ssh-ed25519")


@pytest.mark.parametrize(
    ("host", "port", "pattern"),
    [
        ("bras1.example.net", 22, "bras1.example.net"),
        ("BRAS1.Example.NET", 22, "bras1.example.net"),
        ("10.0.0.1", 2222, "[10.0.0.1]:2222"),
        ("::1", 830, "[::1]:830"),
        ("[::1]", 22, "::1"),
    ],
)
def test_host_patterns_follow_openssh(host: str, port: int, pattern: str) -> None:
    assert host_pattern(host, port) == pattern


def test_nothing_is_trusted_before_first_contact(tmp_path: Path) -> None:
    store = HostKeyStore(tmp_path / "known_hosts")
    assert store.trusted_key("10.0.0.1", 22) is None
    assert store.trusted_hosts() == []


def test_trust_pins_one_key_per_host_and_port_in_openssh_format(tmp_path: Path) -> None:
    path = tmp_path / "state" / "known_hosts"
    store = HostKeyStore(path)
    assert store.trust("10.0.0.1", 2222, KEY_A) == fingerprint(KEY_A)
    store.trust("10.0.0.2", 22, KEY_B)
    store.trust("10.0.0.1", 2222, KEY_B)  # replaces, never duplicates
    trusted = store.trusted_key("10.0.0.1", 2222)
    assert trusted is not None
    assert fingerprint(trusted) == fingerprint(KEY_B)
    assert store.trusted_key("10.0.0.1", 22) is None  # another port is another router
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    # OpenSSH (and asyncssh) read the file as an ordinary known_hosts file.
    known = asyncssh.import_known_hosts(path.read_text())
    matched = known.match("10.0.0.1", "10.0.0.1", 2222)[0]
    assert {fingerprint(k) for k in matched} == {fingerprint(KEY_B)}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["known_hosts"]  # no temp left


def test_foreign_lines_and_comments_survive_and_broken_lines_are_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "known_hosts"
    path.write_text(
        "# pinned by an operator\n"
        "@cert-authority *.example.net ssh-ed25519 AAAA\n"
        "10.9.9.9 ssh-ed25519 not-base64!!\n"
    )
    store = HostKeyStore(path)
    with caplog.at_level(logging.WARNING):
        store.trust("10.0.0.1", 22, KEY_A)
    text = path.read_text()
    assert text.startswith("# pinned by an operator\n@cert-authority *.example.net")
    assert "10.9.9.9 ssh-ed25519 not-base64!!" in text
    assert "unreadable host key ignored" in caplog.text
    assert [h.host_pattern for h in store.trusted_hosts()] == ["10.0.0.1"]


def test_accept_needs_the_offered_key_and_its_exact_fingerprint(tmp_path: Path) -> None:
    store = HostKeyStore(tmp_path / "known_hosts")
    store.trust("r1", 22, KEY_A)
    with pytest.raises(LookupError, match="connect again"):
        store.accept("r1", 22, fingerprint(KEY_B))  # nothing was offered yet
    store.note_offered("r1", 22, KEY_B)
    assert store.offered_fingerprint("r1", 22) == fingerprint(KEY_B)
    with pytest.raises(LookupError):
        store.accept("r1", 22, fingerprint(KEY_A))  # not what the router offered
    assert store.accept("r1", 22, fingerprint(KEY_B)) == fingerprint(KEY_B)
    trusted = store.trusted_key("r1", 22)
    assert trusted is not None
    assert fingerprint(trusted) == fingerprint(KEY_B)
    assert store.offered_fingerprint("r1", 22) is None


def test_forget(tmp_path: Path) -> None:
    store = HostKeyStore(tmp_path / "known_hosts")
    store.trust("r1", 22, KEY_A)
    assert store.forget("r1", 22) is True
    assert store.forget("r1", 22) is False
    assert store.trusted_key("r1", 22) is None


def test_two_store_objects_on_one_file_see_each_others_changes(tmp_path: Path) -> None:
    first = HostKeyStore(tmp_path / "known_hosts")
    second = HostKeyStore(tmp_path / "known_hosts")
    first.trust("r1", 22, KEY_A)
    second.trust("r2", 22, KEY_B)
    assert {h.host_pattern for h in first.trusted_hosts()} == {"r1", "r2"}


def test_the_log_tells_a_first_trust_from_a_replaced_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = HostKeyStore(tmp_path / "known_hosts")
    caplog.set_level(logging.INFO, logger="ne8000monitor.transport.hostkeys")
    store.note_offered("r1", 22, KEY_A)
    store.accept("r1", 22, fingerprint(KEY_A))
    (first,) = caplog.records
    assert first.getMessage() == (
        f"host key for r1 trusted on first contact, as confirmed by the operator: "
        f"{fingerprint(KEY_A)}"
    )
    assert "replaced" not in first.getMessage()
    caplog.clear()
    store.note_offered("r1", 22, KEY_B)
    store.accept("r1", 22, fingerprint(KEY_B))
    (replaced,) = caplog.records
    assert replaced.levelno == logging.WARNING
    assert replaced.getMessage() == (
        f"host key for r1 replaced by operator decision: {fingerprint(KEY_A)} was trusted, "
        f"now {fingerprint(KEY_B)}"
    )
