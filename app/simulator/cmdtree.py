"""The VRP command-line grammar of the simulator: a keyword tree matched like the router does.

VRP accepts any unambiguous keyword prefix (``dis int br``) and answers a bad line with a
caret under the offending word and one of a handful of ``Error:`` messages. The tree here
reproduces that: each view of the CLI owns one tree, commands are added from patterns such
as ``display cpu-usage [slot <slot> [cpu <int>]]``, and :func:`match` either returns the
command's action with its arguments or raises :class:`CommandError` naming the word index.
The simulator deliberately does not reuse ``app.vrp.grammar``: the parsers and the simulator
check each other, so they must not share their understanding of the CLI.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from app.simulator.errors import (
    INCOMPLETE_COMMAND,
    UNRECOGNIZED_COMMAND,
    WRONG_PARAMETER,
    CommandError,
)

AMBIGUOUS_COMMAND = "Error: Ambiguous command found at '^' position."
TOO_MANY_PARAMETERS = "Error: Too many parameters found at '^' position."

_ARGUMENT = re.compile(r"^<(?:(?P<name>[a-z_]+):)?(?P<kind>ifname|word|int|slot)>$")
_INT = re.compile(r"^\d{1,9}$")
_SLOT = re.compile(r"^\d{1,3}(?:/\d{1,3})?$")
_NUMBER_PART = re.compile(r"^\d+(?:/\d+)*(?:\.\d+)?$")


class InterfaceResolver(Protocol):
    """What the grammar needs to know about interfaces (the device state provides it)."""

    def resolve_interface(self, text: str) -> str | None: ...

    def interface_names(self) -> list[str]: ...


@dataclass(frozen=True)
class Word:
    """One typed word and the column where it starts in the typed line."""

    text: str
    column: int


def split_words(line: str) -> list[Word]:
    """The words of a command line with their starting columns."""
    return [Word(m.group(), m.start()) for m in re.finditer(r"\S+", line)]


@dataclass
class Node:
    """A keyword or an argument in the tree; `action` is set where a command may end."""

    keyword: str | None = None
    kind: str | None = None
    name: str = ""
    children: list[Node] = field(default_factory=list)
    action: object | None = None

    def child(self, keyword: str | None, kind: str | None, name: str) -> Node:
        """The existing child for this token, or a new one."""
        for node in self.children:
            if node.keyword == keyword and node.kind == kind and node.name == name:
                return node
        node = Node(keyword=keyword, kind=kind, name=name)
        self.children.append(node)
        return node


@dataclass(frozen=True)
class Matched:
    """A typed line matched to a command."""

    action: object
    arguments: dict[str, str]
    argument_words: dict[str, int]
    expanded: str


def add_command(root: Node, pattern: str, action: object) -> None:
    """Add every form of `pattern` (optional ``[...]`` groups in or out) with `action`."""
    for alternative in _expand(re.findall(r"\[|\]|[^\s\[\]]+", pattern)):
        node = root
        for token in alternative:
            argument = _ARGUMENT.match(token)
            if argument:
                kind = argument["kind"]
                node = node.child(None, kind, argument["name"] or kind)
            else:
                node = node.child(token.lower(), None, "")
        node.action = action


def _expand(tokens: list[str]) -> Iterator[tuple[str, ...]]:
    results: list[list[str]] = [[]]
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == "[":
            depth, end = 1, index + 1
            while depth:
                depth += {"[": 1, "]": -1}.get(tokens[end], 0)
                end += 1
            inner = list(_expand(tokens[index + 1 : end - 1]))
            results = [r + list(option) for r in results for option in [(), *inner]]
            index = end
            continue
        results = [[*r, token] for r in results]
        index += 1
    for result in results:
        yield tuple(result)


def match(root: Node, words: list[Word], resolver: InterfaceResolver) -> Matched:
    """Match typed words against the tree, or raise CommandError with the word index."""
    node = root
    index = 0
    arguments: dict[str, str] = {}
    positions: dict[str, int] = {}
    expanded: list[str] = []
    while index < len(words):
        typed = words[index].text.lower()
        keywords = [c for c in node.children if c.keyword and c.keyword.startswith(typed)]
        exact = [c for c in keywords if c.keyword == typed]
        if exact or len(keywords) == 1:
            node = (exact or keywords)[0]
            expanded.append(node.keyword or "")
            index += 1
            continue
        if len(keywords) > 1:
            raise CommandError(AMBIGUOUS_COMMAND, index)
        wrong = False
        for candidate in (c for c in node.children if c.kind):
            count, value = _consume(candidate.kind or "", words, index, resolver)
            if count:
                node = candidate
                arguments[candidate.name] = value
                positions[candidate.name] = index
                expanded.append(value)
                index += count
                break
            wrong = wrong or value == "wrong"
        else:
            if wrong:
                raise CommandError(WRONG_PARAMETER, index)
            if not node.children:
                raise CommandError(TOO_MANY_PARAMETERS, index)
            raise CommandError(UNRECOGNIZED_COMMAND, index)
    if node is root or node.action is None:
        raise CommandError(INCOMPLETE_COMMAND, len(words))
    return Matched(node.action, arguments, positions, " ".join(expanded))


def _consume(
    kind: str, words: list[Word], index: int, resolver: InterfaceResolver
) -> tuple[int, str]:
    """(words used, value) on success; (0, "wrong") for a bad value of this kind; (0, "")."""
    text = words[index].text
    if kind == "word":
        return 1, text
    if kind == "int":
        return (1, text) if _INT.match(text) else (0, "wrong")
    if kind == "slot":
        return (1, text) if _SLOT.match(text) else (0, "wrong")
    if index + 1 < len(words) and _NUMBER_PART.match(words[index + 1].text):
        joined = resolver.resolve_interface(text + words[index + 1].text)
        if joined:
            return 2, joined
    name = resolver.resolve_interface(text)
    if name:
        return 1, name
    return (0, "wrong") if looks_like_interface(text, resolver) else (0, "")


_TYPE_PREFIX = re.compile(r"^(\d*[A-Za-z][A-Za-z\-]*)")
_KNOWN_TYPE_ABBREVIATIONS = frozenset(
    {"ge", "xge", "10ge", "25ge", "40ge", "50ge", "100ge", "400ge", "eth-trunk", "loopback",
     "vlanif", "vt", "virtual-template", "virtual-ethernet", "ve", "null", "gigabitethernet",
     "ethernet", "tunnel", "pos"}
)  # fmt: skip


def looks_like_interface(text: str, resolver: InterfaceResolver) -> bool:
    """True when `text` starts with an interface type (so a bad number is a wrong parameter)."""
    found = _TYPE_PREFIX.match(text)
    if not found:
        return False
    typed = found.group(1).lower().rstrip("-")
    if typed in _KNOWN_TYPE_ABBREVIATIONS:
        return True
    for name in resolver.interface_names():
        prefix = _TYPE_PREFIX.match(name)
        if prefix and prefix.group(1).lower().startswith(typed):
            return True
    return False


def caret_line(prompt_width: int, words: list[Word], word_index: int | None, line: str) -> str:
    """The ``^`` line VRP prints under the offending word of the echoed command."""
    if word_index is None:
        return ""
    column = words[word_index].column if word_index < len(words) else len(line.rstrip()) + 1
    return " " * (prompt_width + column) + "^"
