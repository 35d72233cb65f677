"""app.vrp.validation: names, user names and console classification."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.errors import ValidationError
from app.vrp.console_policy import CommandClass, classify_console_command
from app.vrp.validation import validate_interface_name, validate_username

KNOWN = ["GigabitEthernet0/5/0(10G)", "Eth-Trunk1", "Eth-Trunk1.100", "LoopBack0"]


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("GigabitEthernet0/5/0", "GigabitEthernet0/5/0"),
        ("GE 0/5/0", "GigabitEthernet0/5/0"),
        ("gi0/5/0", "GigabitEthernet0/5/0"),
        ("Eth-Trunk1.100", "Eth-Trunk1.100"),
        ("  LoopBack0 ", "LoopBack0"),
    ],
)
def test_interface_names_normalise_and_must_exist(typed: str, canonical: str) -> None:
    assert validate_interface_name(typed, KNOWN) == canonical


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("GigabitEthernet0/1/0\nreboot", "a newline"),
        ("GigabitEthernet0/5/0\r", "a carriage return"),
        ("GigabitEthernet0/5/0;reboot", "';'"),
        ("GigabitEthernet0/5/0|include x", "'|'"),
        ("GigabitEthernet0/5/0$", "characters VRP never uses"),
        ("GigabitEthernet0/5/0 reboot", "not an interface name"),
        ("GigabitEthernet0/1/0", "does not exist"),
        ("Ethernet0/5/0", "does not exist"),
    ],
)
def test_bad_interface_names_are_refused(typed: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_interface_name(typed, KNOWN)


def test_without_an_interface_list_nothing_is_accepted() -> None:
    with pytest.raises(ValidationError, match="refresh it first"):
        validate_interface_name("GigabitEthernet0/5/0", [])


@pytest.mark.parametrize("name", ["alice", "w0077616@realm.biz", "a.b_c-d@x", "9user"])
def test_usernames_accepted(name: str) -> None:
    assert validate_username(name) == name


@pytest.mark.parametrize(
    "name", ["x;y", "a|b", "bob\nsave", "bob all", "", "-lead", "é@isp", "a" * 254, "a\tb"]
)
def test_usernames_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        validate_username(name)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_accepted_values_never_carry_separators(text: str) -> None:
    for check in (validate_username, lambda t: validate_interface_name(t, KNOWN)):
        try:
            value = check(text)
        except ValidationError:
            continue
        assert not set(value) & set("\n\r;|\t\x00")


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("display interface brief", CommandClass.READ_ONLY),
        ("dis int br", CommandClass.READ_ONLY),
        ("disp cpu-usage | include CPU", CommandClass.READ_ONLY),
        ("display current-configuration | no-more", CommandClass.PRIVILEGED_DISPLAY),
        ("ping 10.0.0.1", CommandClass.DIAGNOSTIC),
        ("tracert -a 10.0.0.1 8.8.8.8", CommandClass.DIAGNOSTIC),
        ("d interface brief", CommandClass.CONFIGURATION),  # `d` is ambiguous on VRP
        ("reset counters interface GigabitEthernet0/5/0", CommandClass.CONFIGURATION),
        ("system-view", CommandClass.CONFIGURATION),
        ("reboot", CommandClass.CONFIGURATION),
        ("save", CommandClass.CONFIGURATION),
    ],
)
def test_console_classification(line: str, kind: CommandClass) -> None:
    assert classify_console_command(line) is kind


@pytest.mark.parametrize(
    "line",
    [
        "display version\nreboot",
        "display version; reboot",
        "reboot | include x",  # filters only follow display
        "display version | redirect flash:/x",
        "display version > x",
        "",
        "   ",
        "| include x",
    ],
)
def test_console_lines_refused(line: str) -> None:
    with pytest.raises(ValidationError):
        classify_console_command(line)
