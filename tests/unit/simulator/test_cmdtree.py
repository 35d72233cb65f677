"""The simulator's VRP grammar: prefixes, arguments and the router's error messages."""

from __future__ import annotations

from typing import ClassVar

import pytest

from app.simulator.cmdtree import (
    AMBIGUOUS_COMMAND,
    TOO_MANY_PARAMETERS,
    Node,
    add_command,
    caret_line,
    match,
    split_words,
)
from app.simulator.errors import (
    INCOMPLETE_COMMAND,
    UNRECOGNIZED_COMMAND,
    WRONG_PARAMETER,
    CommandError,
)


class Interfaces:
    """Two interfaces, resolved from a few typed spellings."""

    names = ("GigabitEthernet0/1/0", "Eth-Trunk1")
    aliases: ClassVar[dict[str, str]] = {
        "gigabitethernet0/1/0": "GigabitEthernet0/1/0",
        "ge0/1/0": "GigabitEthernet0/1/0",
        "eth-trunk1": "Eth-Trunk1",
    }

    def resolve_interface(self, text: str) -> str | None:
        return self.aliases.get(text.lower())

    def interface_names(self) -> list[str]:
        return list(self.names)


@pytest.fixture
def tree() -> Node:
    root = Node()
    for pattern in (
        "display version",
        "display interface [<name:ifname>]",
        "display interface brief",
        "display ip pool [name <name:word>]",
        "display ip-pool pool-usage",
        "display cpu-usage [slot <slot> [cpu <cpu:int>]]",
        "display access-user online-total",
        "display access-user online-total-number",
        "screen-length <length:int> temporary",
    ):
        add_command(root, pattern, pattern)
    return root


def run(tree: Node, line: str):
    return match(tree, split_words(line), Interfaces())


@pytest.mark.parametrize(
    ("typed", "pattern", "expanded"),
    [
        ("dis ver", "display version", "display version"),
        ("d int br", "display interface brief", "display interface brief"),
        ("DISPLAY Interface Brief", "display interface brief", "display interface brief"),
        ("dis ip pool", "display ip pool [name <name:word>]", "display ip pool"),
        ("dis ip-p p", "display ip-pool pool-usage", "display ip-pool pool-usage"),
        (
            "dis access-user online-total",
            "display access-user online-total",
            "display access-user online-total",
        ),
        (
            "dis access-user online-total-n",
            "display access-user online-total-number",
            "display access-user online-total-number",
        ),
    ],
)
def test_unambiguous_prefixes_resolve(tree: Node, typed: str, pattern: str, expanded: str) -> None:
    found = run(tree, typed)
    assert found.action == pattern
    assert found.expanded == expanded


def test_interface_names_take_one_or_two_words(tree: Node) -> None:
    assert run(tree, "dis int GE0/1/0").arguments == {"name": "GigabitEthernet0/1/0"}
    assert run(tree, "dis int GigabitEthernet 0/1/0").arguments == {"name": "GigabitEthernet0/1/0"}
    two_words = run(tree, "display interface Eth-Trunk 1")
    assert two_words.arguments == {"name": "Eth-Trunk1"}
    assert two_words.argument_words == {"name": 2}


def test_nested_optional_arguments(tree: Node) -> None:
    found = run(tree, "dis cpu slot 9 cpu 1")
    assert found.arguments == {"slot": "9", "cpu": "1"}
    assert found.expanded == "display cpu-usage slot 9 cpu 1"


@pytest.mark.parametrize(
    ("typed", "message", "index"),
    [
        ("dispaly version", UNRECOGNIZED_COMMAND, 0),
        ("display foo", UNRECOGNIZED_COMMAND, 1),
        ("display", INCOMPLETE_COMMAND, 1),
        ("display cpu-usage slot", INCOMPLETE_COMMAND, 3),
        ("display i", AMBIGUOUS_COMMAND, 1),
        ("dis access-user online", AMBIGUOUS_COMMAND, 2),
        ("display interface GigabitEthernet9/9/9", WRONG_PARAMETER, 2),
        ("display interface ge 7/7/7", WRONG_PARAMETER, 2),
        ("display version detail", TOO_MANY_PARAMETERS, 2),
        ("screen-length x temporary", WRONG_PARAMETER, 1),
        ("screen-length 0", INCOMPLETE_COMMAND, 2),
        ("display cpu-usage slot x", WRONG_PARAMETER, 3),
    ],
)
def test_bad_lines_raise_the_router_error(tree: Node, typed: str, message: str, index: int) -> None:
    with pytest.raises(CommandError) as caught:
        run(tree, typed)
    assert caught.value.message == message
    assert caught.value.word_index == index


def test_caret_sits_under_the_offending_word() -> None:
    line = "display foo"
    caret = caret_line(len("<NE8000>"), split_words(line), 1, line)
    assert caret == " " * (8 + 8) + "^"
    assert caret_line(8, split_words(line), None, line) == ""


def test_caret_for_incomplete_sits_after_the_line() -> None:
    line = "display"
    assert caret_line(8, split_words(line), 1, line) == " " * (8 + 8) + "^"
