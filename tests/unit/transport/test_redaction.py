"""Masking secrets in text bound for logs: known values and keyword-marked command words."""

from __future__ import annotations

import pytest

from app.domain.redaction import MASK, redact, redact_command


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "local-user admin password irreversible-cipher Hu@wei123",
            "local-user admin password irreversible-cipher ******",
        ),
        ("local-user admin password cipher X", "local-user admin password cipher ******"),
        ("radius-server shared-key cipher S3cr3t!", "radius-server shared-key cipher ******"),
        ("snmp-agent community read cipher pub1ic", "snmp-agent community read cipher ******"),
        ("snmp-agent community write priv", "snmp-agent community write ******"),
        (
            "ospf authentication-mode simple plain abc",
            "ospf authentication-mode simple plain ******",
        ),
        ("isis authentication-key K3y", "isis authentication-key ******"),
        ("ike peer p pre-shared-key abc", "ike peer p pre-shared-key ******"),
        ("display password-control", "display password-control"),
        (
            "display current-configuration | include password",
            "display current-configuration | include password",
        ),
        ("display interface brief", "display interface brief"),
    ],
)
def test_redact_command_masks_the_word_after_secret_keywords(line: str, expected: str) -> None:
    assert redact_command(line) == expected


def test_redact_command_is_idempotent() -> None:
    once = redact_command("local-user a password cipher X")
    assert redact_command(once) == once


def test_known_secrets_are_masked_anywhere_longest_first() -> None:
    text = "banner: welcome admin, pw Admin@123, old Admin@12"
    assert (
        redact(text, ["Admin@12", "Admin@123", ""])
        == f"banner: welcome admin, pw {MASK}, old {MASK}"
    )


def test_assignments_in_free_text_are_masked() -> None:
    text = "url https://h/?password=abc&x=1 token: zzz secret = s3"
    assert redact(text) == f"url https://h/?password={MASK}&x=1 token: {MASK} secret = {MASK}"


def test_prose_is_left_readable_by_redact() -> None:
    text = "Warning: The password needs to be changed. Change now? [Y/N]:"
    assert redact(text) == text


def test_empty_text() -> None:
    assert redact("", ["x"]) == ""
    assert redact_command("", ["x"]) == ""
