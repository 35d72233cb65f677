"""The command catalog resolves commands as typed on the router, like VRP does."""

from __future__ import annotations

import contextlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.errors import ParseError, UnknownCommandError
from app.vrp.catalog import all_commands, parse_output, resolve
from app.vrp.interface_description import parse_interface_description
from app.vrp.names import INTERFACE_TYPES
from tests.support.fixtures import REPO_ROOT, fixture_text


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("display interface brief", "display interface brief"),
        ("dis int br", "display interface brief"),
        ("d int bri", "display interface brief"),
        ("DIS INT BRIEF", "display interface brief"),
        ("display interface brief | no-more", "display interface brief"),
        ("dis int desc", "display interface description"),
        ("display interface GigabitEthernet 0/1/1", "display interface GigabitEthernet0/1/1"),
        ("dis int ge0/1/1", "display interface GigabitEthernet0/1/1"),
        ("display interface", "display interface"),
        ("dis cpu-usage", "display cpu-usage"),
        ("display cpu-usage slot 9", "display cpu-usage slot 9"),
        ("display cpu-usage slot 9 cpu 1", "display cpu-usage slot 9 cpu 1"),
        ("dis mem", "display memory-usage"),
        ("dis health", "display health"),
        ("dis ver", "display version"),
        ("dis dev", "display device"),
        ("display access-user online-total", "display access-user online-total"),
        ("display access-user online-total-number", "display access-user online-total-number"),
        ("dis access-user domain isp.com.br", "display access-user domain isp.com.br"),
        ("dis access-user username joao@isp", "display access-user username joao@isp"),
        ("display access-user summary", "display access-user summary"),
        ("display access-user slot", "display access-user slot"),
        ("dis domain", "display domain"),
        ("display ip pool", "display ip pool"),
        ("display ip pool name pool-a", "display ip pool name pool-a"),
        ("display ip-pool pool-usage", "display ip-pool pool-usage"),
        ("display pppoe statistics slot 1", "display pppoe statistics slot 1"),
        ("display alarm active", "display alarm active"),
        ("display alarm active verbose", "display alarm active verbose"),
    ],
)
def test_typed_commands_resolve_to_their_canonical_form(typed: str, canonical: str) -> None:
    assert resolve(typed).canonical == canonical


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "show version",
        "display",
        "display interface brief extra",
        "display interface GigabitEthernet0/1/1; reboot",
        "dis bogus",
    ],
)
def test_unknown_commands_are_refused(typed: str) -> None:
    with pytest.raises(UnknownCommandError):
        resolve(typed)


def test_every_spec_has_a_parser_and_a_display_pattern() -> None:
    specs = all_commands()
    assert len(specs) >= 20
    for spec in specs:
        assert spec.pattern.startswith("display ")
        assert callable(spec.parser)


def test_parse_errors_name_the_canonical_command() -> None:
    with pytest.raises(ParseError) as caught:
        parse_output("dis ver", "this is not router output\n")
    assert caught.value.command == "display version"
    assert "display version" in str(caught.value)


def test_parse_output_uses_the_fixture_echo_and_command() -> None:
    text = fixture_text("display-version__napalm-huawei-vrp__1.txt")
    assert parse_output("dis ver", text).model == "NE40E-X8A"


@settings(max_examples=150, deadline=None)
@given(
    command_index=st.integers(min_value=0, max_value=1000),
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=400),
)
def test_any_text_for_any_command_parses_or_raises_parse_error(
    command_index: int, text: str
) -> None:
    specs = all_commands()
    spec = specs[command_index % len(specs)]
    with contextlib.suppress(ParseError):
        spec.parser(text)


def test_readme_lists_every_command_parse_understands() -> None:
    """Every keyword of every catalog command appears in README's list for `parse`."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("Commands `parse` understands", 1)[1].split("\n### ", 1)[0]
    types = {name.lower() for name in INTERFACE_TYPES}
    missing = set()
    for spec in all_commands():
        words = re.findall(r"[a-z][a-z0-9-]*", re.sub(r"<[^>]*>", "", spec.pattern))
        if spec.parser is parse_interface_description:
            words = [word for word in words if word not in types]  # `TYPE` in the list
        missing |= {word for word in words if word not in section}
    assert missing == set()
