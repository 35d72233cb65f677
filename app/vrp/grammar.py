"""A small grammar for VRP command lines, so `dis int br` resolves like the router does.

A pattern is a string of words: a lowercase keyword (`display`, `cpu-usage`), an argument
(`<ifname>`, `<word>`, `<int>`, `<slot>`) or an optional group in square brackets, which may
nest: `display cpu-usage [slot <slot> [cpu <int>]]`. A typed keyword matches any of its
prefixes, case-insensitively, as on VRP.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from app.vrp.names import normalise_interface_name

_INT = re.compile(r"^\d{1,9}$")
_SLOT = re.compile(r"^\d{1,3}(?:/\d{1,3})?$|^(?:cfcard|master|slave)$", re.IGNORECASE)
_WORD = re.compile(r"^[A-Za-z0-9_.@:/\-]{1,253}$")
ARGUMENT_KINDS = ("ifname", "word", "int", "slot")


@dataclass(frozen=True)
class CommandSpec:
    """One command the catalog knows: its pattern and the parser for its output."""

    pattern: str
    parser: Callable[[str], Any]
    summary: str = ""
    alternatives: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "alternatives", tuple(_expand(_tokenise(self.pattern))))

    @property
    def name(self) -> str:
        """The pattern's fixed leading keywords: `display interface brief`."""
        words = []
        for word in self.pattern.split():
            if word.startswith(("[", "<")):
                break
            words.append(word)
        return " ".join(words)


@dataclass(frozen=True)
class Match:
    """A typed command matched against one alternative of a spec."""

    spec: CommandSpec
    canonical: str
    arguments: dict[str, str]
    exact_keywords: int


def _tokenise(pattern: str) -> list[str]:
    return re.findall(r"\[|\]|[^\s\[\]]+", pattern)


def _expand(tokens: list[str]) -> Iterator[tuple[str, ...]]:
    """Every concrete word sequence the pattern allows (optional groups in or out)."""
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


def _match_argument(kind: str, words: list[str], position: int) -> list[tuple[str, int]]:
    """Ways the argument can consume words at `position`: (value, words used)."""
    if position >= len(words):
        return []
    word = words[position]
    options: list[tuple[str, int]] = []
    if kind == "ifname":
        single = normalise_interface_name(word)
        if single:
            options.append((single, 1))
        if position + 1 < len(words):
            double = normalise_interface_name(f"{word} {words[position + 1]}")
            if double:
                options.append((double, 2))
    elif (
        (kind == "int" and _INT.match(word))
        or (kind == "slot" and _SLOT.match(word))
        or (kind == "word" and _WORD.match(word))
    ):
        options.append((word, 1))
    return options


def match_alternative(
    spec: CommandSpec, alternative: tuple[str, ...], words: list[str]
) -> Match | None:
    """Match typed words against one concrete alternative; None when it does not fit."""

    def walk(index: int, position: int, canonical: list[str], args: dict[str, str], exact: int):
        if index == len(alternative):
            if position == len(words):
                return Match(spec, " ".join(canonical), dict(args), exact)
            return None
        element = alternative[index]
        if element.startswith("<"):
            kind = element.strip("<>")
            for value, used in _match_argument(kind, words, position):
                found = walk(
                    index + 1, position + used, [*canonical, value], {**args, kind: value}, exact
                )
                if found:
                    return found
            return None
        if position >= len(words):
            return None
        typed = words[position].lower()
        if not element.startswith(typed):
            return None
        exact += typed == element
        return walk(index + 1, position + 1, [*canonical, element], args, exact)

    return walk(0, 0, [], {}, 0)
