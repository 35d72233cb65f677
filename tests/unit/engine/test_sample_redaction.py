"""Placeholders in captures: stable, shape- and length-keeping, invisible to the parsers."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.commands.parse import to_jsonable
from app.domain.errors import ParseError, UnknownCommandError
from app.engine.sample_redaction import SampleRedactor
from app.vrp.catalog import parse_output
from tests.support.fixtures import FIXTURES_DIR, fixture_text

POOL = """  Pool-Name      : isp-pool01
  Gateway        : 100.64.0.1        Mask              : 255.255.224.0
  Hardware address is 4C1F-CC78-E510, peer aa:bb:cc:dd:ee:ff
  User name : cliente123@isp.net
  joao.silva@fibra  GE0/1/2.100  100.64.3.77  4c1f-cc78-e510  2001:db8:1:2::5
  at 12:30:45 on 2026-12-06 22:04:18-03:00, VRP 8.210, OID 1.3.6.1.4.1.2011, 0.0.0.0
"""


def test_each_value_gets_one_placeholder_for_the_whole_capture() -> None:
    redactor = SampleRedactor()
    first = redactor.redact(POOL)
    again = redactor.redact("gateway 100.64.0.1, user joao.silva@fibra, mac 4c1f-cc78-e510")
    assert "100.64.0.1" not in first
    gateway = re.search(r"Gateway\s+: (\S+)", first).group(1)  # type: ignore[union-attr]
    assert ipaddress.IPv4Address(gateway) in ipaddress.IPv4Network("10.0.0.0/8")
    assert gateway in again  # the same value, the same stand-in, in every file
    assert "100.64.3.77" not in first
    for secret in ("cliente123", "joao.silva", "4c1f-cc78-e510", "aa:bb:cc:dd:ee:ff"):
        assert secret.lower() not in first.lower()
    assert "2001:db8:1:2::5" not in first
    assert redactor.replaced == {"ipv4": 2, "ipv6": 1, "mac": 2, "username": 2}


def test_layout_and_what_is_not_personal_stay() -> None:
    redacted = SampleRedactor().redact(POOL)
    assert [len(line) for line in redacted.splitlines()][:3] == [
        len(line) for line in POOL.splitlines()
    ][:3]  # columns stay where they were
    assert "255.255.224.0" in redacted  # a mask is layout, not an address
    assert "@isp.net" in redacted  # the ISP's own domain stays; the person goes
    assert "Hardware address is 0200-5E00-0001" in redacted  # the original's case and form
    for kept in ("12:30:45", "22:04:18-03:00", "8.210", "1.3.6.1.4.1.2011", "0.0.0.0"):
        assert kept in redacted
    assert "GE0/1/2.100" in redacted


@given(st.ip_addresses(v=4))
def test_an_ipv4_placeholder_is_a_private_address_of_the_same_length(address: Any) -> None:
    text = str(address)
    redacted = SampleRedactor().redact(f" {text} ")
    value = redacted.strip()
    if text in ("0.0.0.0", "255.255.255.255") or _is_mask(text):
        assert value == text
        return
    assert ipaddress.IPv4Address(value).is_private
    if len(text) >= 8:  # "1.2.3.4" is shorter than any private address
        assert len(value) == len(text)


def _is_mask(text: str) -> bool:
    try:
        return ipaddress.IPv4Network(f"0.0.0.0/{text}").prefixlen > 0
    except ValueError:
        return False


def test_many_addresses_of_one_length_never_share_a_placeholder() -> None:
    redactor = SampleRedactor()
    originals = [f"172.16.{a}.{b}" for a in range(20) for b in range(100)]
    placeholders = [redactor.redact(ip) for ip in originals]
    assert len(set(placeholders)) == len(originals)


def _typed_command(text: str) -> str | None:
    match = re.search(r"^<[^>\n]+>\s*(display [^\n|]+)", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def _scrub(value: Any, redactor: SampleRedactor, key: str = "") -> Any:
    """`value` as the redacted capture should parse: a username field through the names the
    capture replaced (a bare name is only known as one from its `User name :` line)."""
    if isinstance(value, str):
        named = key.replace(" ", "").replace("-", "").lower() == "username"
        return redactor.stand_in(value) if named else redactor.redact(value)
    if isinstance(value, dict):
        return {k: _scrub(v, redactor, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, redactor, key) for v in value]
    return value


# The collection's captures that show the command they answer (most do).
FIXTURES = sorted(
    p.name
    for p in FIXTURES_DIR.glob("display-*.txt")
    if _typed_command(p.read_text(encoding="utf-8"))
)


@pytest.mark.parametrize("name", FIXTURES)
def test_redaction_changes_nothing_the_parsers_read_but_the_values_it_replaces(
    name: str,
) -> None:
    """Every real capture of the collection: parsing the redacted text gives the original's
    result with the same placeholders in it (or fails exactly as the original does)."""
    text = fixture_text(name)
    command = _typed_command(text)
    assert command is not None
    redactor = SampleRedactor()
    redacted = redactor.redact(text)
    try:
        original = to_jsonable(parse_output(command, text))
    except UnknownCommandError:
        return  # a command the catalog does not read: nothing to compare
    except ParseError:
        with pytest.raises(ParseError):
            parse_output(command, redacted)
        return
    assert to_jsonable(parse_output(command, redacted)) == _scrub(original, redactor)
